import { describe, expect, it } from 'vitest';
import { seeded } from '../helpers/random.js';
import { LatencyHistogram, SummaryBuilder } from '../../src/model/summary.js';
import type { CheckResult } from '../../src/model/types.js';

/** Nearest-rank percentile of a sorted list: what the histogram approximates. */
function exactPercentile(sorted: number[], fraction: number): number {
  return sorted[Math.max(1, Math.ceil(fraction * sorted.length)) - 1] as number;
}

function expectWithinOnePercent(histogram: LatencyHistogram, values: number[]): void {
  const sorted = [...values].sort((a, b) => a - b);
  for (const fraction of [0.01, 0.1, 0.5, 0.9, 0.95, 0.99, 1]) {
    const exact = exactPercentile(sorted, fraction);
    const approx = histogram.percentile(fraction);
    expect(Math.abs(approx - exact), `p${fraction * 100}: ${approx} vs exact ${exact}`).toBeLessThanOrEqual(exact * 0.01 + 0.05);
  }
}

describe('LatencyHistogram', () => {
  it('is empty at first', () => {
    const histogram = new LatencyHistogram();
    expect(histogram.size).toBe(0);
    expect(histogram.max).toBe(0);
    expect(histogram.percentile(0.5)).toBe(0);
  });

  it('is within 1% of the exact percentiles for a uniform 1..1000 ms', () => {
    const histogram = new LatencyHistogram();
    const values = Array.from({ length: 1000 }, (_, i) => i + 1);
    for (const value of values) histogram.add(value);
    expectWithinOnePercent(histogram, values);
    expect(histogram.max).toBe(1000);
    expect(histogram.size).toBe(1000);
  });

  it('is within 1% for a skewed (log-normal) distribution with a long tail', () => {
    const random = seeded(42);
    const values = Array.from({ length: 20_000 }, () => {
      const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      return Math.round(Math.exp(4 + normal) * 1000) / 1000;
    });
    const histogram = new LatencyHistogram();
    for (const value of values) histogram.add(value);
    expectWithinOnePercent(histogram, values);
    expect(histogram.max).toBe(Math.max(...values));
  });

  it('reports the exact value when every duration is the same, and the exact max', () => {
    const histogram = new LatencyHistogram();
    for (let i = 0; i < 100; i += 1) histogram.add(123.4);
    // Percentiles are bucket midpoints (within 1%); the max is kept exactly.
    expect(Math.abs(histogram.percentile(0.5) - 123.4)).toBeLessThanOrEqual(1.234);
    expect(Math.abs(histogram.percentile(1) - 123.4)).toBeLessThanOrEqual(1.234);
    expect(histogram.max).toBe(123.4);
  });

  it('never reports a percentile above the max', () => {
    const histogram = new LatencyHistogram();
    histogram.add(10);
    histogram.add(1000.3);
    expect(histogram.percentile(0.99)).toBeLessThanOrEqual(1000.3);
    expect(histogram.percentile(1)).toBeLessThanOrEqual(1000.3);
    expect(histogram.max).toBe(1000.3);
  });

  it('handles sub-millisecond and zero durations', () => {
    const histogram = new LatencyHistogram();
    for (const value of [0, 0, 0.2, 0.5]) histogram.add(value);
    expect(histogram.percentile(0.5)).toBe(0);
    expect(histogram.percentile(1)).toBeCloseTo(0.5, 1);
  });

  it('uses constant memory: the bucket count does not grow with the number of durations', () => {
    const histogram = new LatencyHistogram();
    const random = seeded(7);
    // Reaching into the private bucket array is the only way to observe memory without timing.
    const buckets = () => (histogram as unknown as { counts: Float64Array }).counts.length;
    const values = Array.from({ length: 20_000 }, () => random() * 60_000);
    for (const value of values) histogram.add(value);
    const once = buckets();
    for (let round = 0; round < 10; round += 1) for (const value of values) histogram.add(value);
    expect(histogram.size).toBe(220_000);
    expect(buckets()).toBe(once);
    // 1% buckets over 0..60 s: at most log(60001)/log(1.01) ≈ 1106 buckets (an array of 2,048
    // slots, grown by doubling), whatever the count.
    for (let i = 0; i < 200_000; i += 1) histogram.add(random() * 60_000);
    expect(buckets()).toBe(once);
    expect(buckets()).toBeLessThanOrEqual(2048);
  });

  it('keeps an absurd duration (a damaged report) in its last bucket, its memory bounded', () => {
    const histogram = new LatencyHistogram();
    for (const value of [5, 1e300, Number.POSITIVE_INFINITY, Number.NaN, -3]) histogram.add(value);
    expect((histogram as unknown as { counts: Float64Array }).counts.length).toBeLessThanOrEqual(4096);
    expect(histogram.size).toBe(5);
    expect(histogram.percentile(0.2)).toBe(0);
    expect(histogram.percentile(0.6)).toBeCloseTo(5, 0);
  });
});

function result(overrides: Partial<CheckResult> = {}): CheckResult {
  return {
    url: 'https://a.test/',
    ok: true,
    status: 200,
    error: null,
    startMs: 0,
    durationMs: 10,
    attempts: 1,
    redirects: [],
    finalUrl: 'https://a.test/',
    method: 'HEAD',
    verdict: overrides.ok === false ? 'broken' : 'healthy',
    warnings: [],
    timings: null,
    tls: null,
    source: 'list.txt',
    line: 1,
    ...overrides,
  };
}

describe('SummaryBuilder', () => {
  it('summarises nothing', () => {
    expect(new SummaryBuilder().finish(0, false)).toEqual({
      total: 0,
      healthy: 0,
      ok: 0,
      unhealthy: 0,
      byCode: {},
      byStatusClass: {},
      byVerdict: { healthy: 0, warning: 0, broken: 0, transient: 0, blocked: 0 },
      byWarning: {},
      retried: 0,
      redirected: 0,
      latencyMs: null,
      wallMs: 0,
      urlsPerSecond: 0,
      interrupted: false,
    });
  });

  it('counts results by health, code, status class, retries and redirects', () => {
    const builder = new SummaryBuilder();
    const http = (status: number) => ({ status, ok: false, error: { code: 'HTTP_STATUS' as const, message: `HTTP ${status}` } });
    const results: CheckResult[] = [
      result({ durationMs: 10 }),
      result({ durationMs: 20, redirects: [{ status: 301, location: 'https://b.test/' }] }),
      result({ durationMs: 30, attempts: 3 }),
      result({ ...http(404), durationMs: 40 }),
      result({ ...http(500), durationMs: 50, attempts: 3 }),
      result({ ...http(503), durationMs: 60 }),
      result({ ok: false, status: null, error: { code: 'TIMEOUT', message: 't' }, durationMs: 70, attempts: 2 }),
      result({ ok: false, status: null, error: { code: 'DNS', message: 'd' }, durationMs: 80 }),
      result({ ok: false, status: 302, error: { code: 'TOO_MANY_REDIRECTS', message: 'r' }, durationMs: 90, redirects: [{ status: 302, location: '/x' }] }),
      result({ ok: false, status: null, error: { code: 'INVALID_URL', message: 'i' }, durationMs: 0.01, attempts: 0 }),
    ];
    for (const r of results) builder.add(r);
    expect(builder.count).toBe(10);
    expect(builder.unhealthyCount).toBe(7);
    const summary = builder.finish(2000, false);
    expect(summary).toMatchObject({
      total: 10,
      healthy: 3,
      unhealthy: 7,
      byStatusClass: { '2xx': 3, '4xx': 1, '5xx': 2, none: 3, '3xx': 1 },
      retried: 3,
      redirected: 2,
      wallMs: 2000,
      urlsPerSecond: 5,
      interrupted: false,
    });
    // Sorted by count, then by name: the order a reader wants.
    expect(Object.entries(summary.byCode)).toEqual([
      ['HTTP_STATUS', 3],
      ['DNS', 1],
      ['INVALID_URL', 1],
      ['TIMEOUT', 1],
      ['TOO_MANY_REDIRECTS', 1],
    ]);
  });

  it('counts in the verdicts\' words: healthy is the verdict, ok adds the warnings, unhealthy is the rest', () => {
    const builder = new SummaryBuilder();
    const slow = { code: 'SLOW' as const, message: 'slow' };
    builder.add(result());
    builder.add(result({ verdict: 'warning', warnings: [slow] }));
    builder.add(result({ verdict: 'warning', warnings: [slow] }));
    builder.add(result({ ok: false, status: 404, error: { code: 'HTTP_STATUS', message: '404' } }));
    builder.add(result({ ok: false, status: 503, verdict: 'transient', error: { code: 'HTTP_STATUS', message: '503' } }));
    const summary = builder.finish(10, false);
    expect(summary).toMatchObject({ total: 5, healthy: 1, ok: 3, unhealthy: 2 });
    expect(summary.healthy).toBe(summary.byVerdict.healthy);
    expect(summary.ok).toBe(summary.byVerdict.healthy + summary.byVerdict.warning);
    expect(summary.unhealthy).toBe(summary.byVerdict.broken + summary.byVerdict.transient + summary.byVerdict.blocked);
    expect(builder.unhealthyCount).toBe(2);
  });

  it('leaves invalid lines (no request made) out of the latency', () => {
    const builder = new SummaryBuilder();
    builder.add(result({ durationMs: 100 }));
    builder.add(result({ ok: false, status: null, error: { code: 'INVALID_URL', message: 'x' }, durationMs: 5000, attempts: 0 }));
    const summary = builder.finish(100, false);
    expect(summary.latencyMs?.max).toBe(100);
    expect(summary.latencyMs?.p95).toBeLessThanOrEqual(100);
  });

  it('has no latency when every line was invalid', () => {
    const builder = new SummaryBuilder();
    builder.add(result({ ok: false, status: null, error: { code: 'UNSUPPORTED_PROTOCOL', message: 'x' }, attempts: 0 }));
    const summary = builder.finish(1, false);
    expect(summary.latencyMs).toBeNull();
    expect(summary.byStatusClass).toEqual({ none: 1 });
  });

  it('computes p50, p95 and max latency', () => {
    const builder = new SummaryBuilder();
    for (let ms = 1; ms <= 100; ms += 1) builder.add(result({ durationMs: ms }));
    const latency = builder.finish(1000, false).latencyMs;
    expect(latency?.max).toBe(100);
    expect(latency?.p50).toBeGreaterThanOrEqual(49.5);
    expect(latency?.p50).toBeLessThanOrEqual(50.5);
    expect(latency?.p95).toBeGreaterThanOrEqual(94);
    expect(latency?.p95).toBeLessThanOrEqual(96);
  });

  it('takes the nearest rank (rounded up) for a non-whole rank, reported as that bucket\'s midpoint', () => {
    const latency = (durations: number[]) => {
      const builder = new SummaryBuilder();
      for (const ms of durations) builder.add(result({ durationMs: ms }));
      return builder.finish(1000, false).latencyMs;
    };
    // Ten durations 1..10 ms: p95's rank is 9.5, so the 10th value (10 ms, whose 1% bucket's
    // midpoint is 9.9 ms); p50's rank is a whole 5, the 5th value.
    expect(latency(Array.from({ length: 10 }, (_, i) => i + 1))).toEqual({ p50: 5, p95: 9.9, max: 10 });
    // Twelve durations 10..120 ms: rank 11.4 is the 12th value (119.4), not the 11th (110.2) that rounding to nearest gives.
    expect(latency(Array.from({ length: 12 }, (_, i) => (i + 1) * 10))?.p95).toBe(119.4);
    // Five durations 10..50 ms: p50's rank 2.5 is the 3rd value (30.1), not the 2nd (19.9) that rounding down gives.
    expect(latency([50, 10, 40, 20, 30])?.p50).toBe(30.1);
  });

  it('rounds wall time to 0.1 ms and derives URLs per second', () => {
    const builder = new SummaryBuilder();
    for (let i = 0; i < 3; i += 1) builder.add(result());
    expect(builder.finish(1234.5678, false)).toMatchObject({ wallMs: 1234.6, urlsPerSecond: 2.4 });
  });

  it('carries the interrupted flag', () => {
    const builder = new SummaryBuilder();
    builder.add(result());
    expect(builder.finish(10, true).interrupted).toBe(true);
  });

  it('returns copies: adding after finish does not change an earlier summary', () => {
    const builder = new SummaryBuilder();
    builder.add(result({ ok: false, status: 404, error: { code: 'HTTP_STATUS', message: '' } }));
    const first = builder.finish(10, false);
    builder.add(result({ ok: false, status: 404, error: { code: 'HTTP_STATUS', message: '' } }));
    expect(first.byCode).toEqual({ HTTP_STATUS: 1 });
    expect(first.byStatusClass).toEqual({ '4xx': 1 });
  });
});
