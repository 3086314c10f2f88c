import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../src/model/summary.js';

/** Nearest-rank percentile of a sorted list: what the histogram approximates. */
function exactPercentile(sorted: number[], fraction: number): number {
  return sorted[Math.max(1, Math.ceil(fraction * sorted.length)) - 1] as number;
}

const duration = fc.oneof(
  fc.double({ min: 0, max: 1e7, noNaN: true }),
  fc.double({ min: 0, max: 2, noNaN: true }),
  fc.integer({ min: 0, max: 120_000 }),
  fc.constantFrom(0, 0.05, 0.1, 1, 1e-9, Number.MIN_VALUE),
);
const durations = fc.array(duration, { minLength: 1, maxLength: 300 });
const fraction = fc.oneof(fc.constantFrom(0, 0.01, 0.1, 0.5, 0.9, 0.95, 0.99, 1), fc.double({ min: 0, max: 1, noNaN: true }));

function histogramOf(values: number[]): LatencyHistogram {
  const histogram = new LatencyHistogram();
  for (const value of values) histogram.add(value);
  return histogram;
}

describe('LatencyHistogram (properties)', () => {
  // 1% relative, plus 0.06 ms absolute: percentiles are rounded to 0.1 ms (0.05) and buckets are
  // 1% wide in log(1 + ms), so below 1 ms a bucket spans up to 0.01 ms.
  it('gives every percentile within 1% (+0.06 ms) of the exact nearest-rank one, and the exact max and count', () => {
    fc.assert(
      fc.property(durations, fc.array(fraction, { minLength: 1, maxLength: 5 }), (values, fractions) => {
        const histogram = histogramOf(values);
        const sorted = [...values].sort((a, b) => a - b);
        for (const f of fractions) {
          const exact = exactPercentile(sorted, f);
          const approx = histogram.percentile(f);
          expect(Math.abs(approx - exact), `p${f * 100}: ${approx} vs exact ${exact}`).toBeLessThanOrEqual(exact * 0.01 + 0.06);
        }
        expect(histogram.max).toBe(sorted.at(-1));
        expect(histogram.size).toBe(values.length);
      }),
      { numRuns: 300 },
    );
  });

  it('never decreases with the fraction, and never exceeds the max', () => {
    fc.assert(
      fc.property(durations, fraction, fraction, (values, a, b) => {
        const histogram = histogramOf(values);
        const [low, high] = a <= b ? [a, b] : [b, a];
        expect(histogram.percentile(low)).toBeLessThanOrEqual(histogram.percentile(high));
        expect(histogram.percentile(high)).toBeLessThanOrEqual(histogram.max);
        expect(histogram.percentile(low)).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 200 },
    );
  });

  it('does not depend on the order durations arrive in', () => {
    fc.assert(
      fc.property(durations.chain((values) => fc.tuple(fc.constant(values), fc.shuffledSubarray(values, { minLength: values.length }))), fraction, ([values, shuffled], f) => {
        expect(histogramOf(shuffled).percentile(f)).toBe(histogramOf(values).percentile(f));
      }),
      { numRuns: 100 },
    );
  });
});
