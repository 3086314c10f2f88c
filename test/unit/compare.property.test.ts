import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sampleResult as resultFor, sampleTarget as target } from '../helpers/samples.js';
import { BaselineSampler } from '../../src/pipeline/compare.js';
import type { Target } from '../../src/model/types.js';

/** A stream of targets from up to three sources, each numbered from 1 as readTargets does. */
const stream = fc.array(fc.constantFrom('a.txt', 'b.txt', 'stdin'), { maxLength: 200 }).map((sources) => {
  const next: Record<string, number> = {};
  return sources.map((source) => {
    next[source] = (next[source] ?? 0) + 1;
    return target(next[source], source);
  });
});
/** The sampler's random draws, in [0, 1), cycled; extremes included. */
const draws = fc.array(
  fc.oneof(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.constantFrom(0, 0.999_999_999_999_999_9)),
  { minLength: 1, maxLength: 50 },
);

function cycling(values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] as number;
}

describe('BaselineSampler (properties)', () => {
  it('keeps min(length, capacity) distinct offered targets, in input order', () => {
    fc.assert(
      fc.property(stream, fc.integer({ min: 0, max: 30 }), draws, (targets, capacity, randoms) => {
        const sampler = new BaselineSampler(capacity, cycling(randoms));
        for (const t of targets) sampler.offer(t);
        const sample = sampler.sample();
        expect(sampler.total).toBe(targets.length);
        expect(sample).toHaveLength(Math.min(targets.length, capacity));
        expect(new Set(sample).size).toBe(sample.length);
        const positions = sample.map((t) => targets.indexOf(t));
        expect(positions.every((p) => p >= 0)).toBe(true);
        expect(positions).toEqual([...positions].sort((a, b) => a - b));
      }),
      { numRuns: 300 },
    );
  });

  it('knows the recorded verdict of exactly the sampled targets', () => {
    fc.assert(
      fc.property(stream, fc.integer({ min: 1, max: 30 }), draws, fc.array(fc.boolean(), { minLength: 1 }), (targets, capacity, randoms, oks) => {
        const sampler = new BaselineSampler(capacity, cycling(randoms));
        const ok = (i: number) => oks[i % oks.length] as boolean;
        // As in a run: results arrive while targets are still being offered, some long after.
        const late: number[] = [];
        targets.forEach((t, i) => {
          sampler.offer(t);
          if (ok(i + 1)) sampler.record(resultFor(t, ok(i)));
          else late.push(i);
        });
        for (const i of late) sampler.record(resultFor(targets[i] as Target, ok(i)));
        const sampled = new Set(sampler.sample());
        targets.forEach((t, i) => {
          expect(sampler.verdictFor(resultFor(t, !ok(i)))).toBe(sampled.has(t) ? ok(i) : null);
        });
      }),
      { numRuns: 200 },
    );
  });
});
