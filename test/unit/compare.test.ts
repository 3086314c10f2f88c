import { describe, expect, it } from 'vitest';
import { sampleResult as resultFor, sampleTarget as target } from '../helpers/samples.js';
import { seeded } from '../helpers/random.js';
import { BaselineSampler, buildComparison } from '../../src/pipeline/compare.js';
import type { Target } from '../../src/model/types.js';

describe('BaselineSampler', () => {
  it('keeps every target while the stream fits in its capacity, without calling random', () => {
    const sampler = new BaselineSampler(5, () => {
      throw new Error('random must not be needed');
    });
    for (let line = 1; line <= 5; line += 1) sampler.offer(target(line));
    expect(sampler.total).toBe(5);
    expect(sampler.sample().map((t) => t.line)).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps exactly capacity targets beyond it, distinct and in input order', () => {
    const sampler = new BaselineSampler(10, seeded(1));
    for (let line = 1; line <= 1000; line += 1) sampler.offer(target(line));
    const sample = sampler.sample();
    expect(sampler.total).toBe(1000);
    expect(sample).toHaveLength(10);
    const lines = sample.map((t) => t.line);
    expect(new Set(lines).size).toBe(10);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
  });

  it('returns the sample in input order, whatever the source names', () => {
    const sampler = new BaselineSampler(10);
    sampler.offer(target(2, 'b.txt'));
    sampler.offer(target(1, 'b.txt'));
    sampler.offer(target(3, 'a.txt'));
    expect(sampler.sample().map((t) => `${t.source}:${t.line}`)).toEqual(['b.txt:2', 'b.txt:1', 'a.txt:3']);
  });

  it('is the same sample for the same random sequence', () => {
    const run = () => {
      const sampler = new BaselineSampler(7, seeded(99));
      for (let line = 1; line <= 500; line += 1) sampler.offer(target(line));
      return sampler.sample().map((t) => t.line);
    };
    expect(run()).toEqual(run());
  });

  it('samples uniformly: every position is kept about capacity/n of the time', () => {
    const n = 50;
    const capacity = 5;
    const trials = 4000;
    const random = seeded(2024);
    const kept = new Array<number>(n + 1).fill(0);
    for (let trial = 0; trial < trials; trial += 1) {
      const sampler = new BaselineSampler(capacity, random);
      for (let line = 1; line <= n; line += 1) sampler.offer(target(line));
      for (const t of sampler.sample()) kept[t.line] = (kept[t.line] ?? 0) + 1;
    }
    // Each line is kept with probability capacity/n = 0.1: expected 400, standard deviation 19.
    const expected = (trials * capacity) / n;
    const sigma = Math.sqrt(trials * (capacity / n) * (1 - capacity / n));
    for (let line = 1; line <= n; line += 1) {
      expect(Math.abs((kept[line] ?? 0) - expected), `line ${line} kept ${kept[line]} times`).toBeLessThan(4.5 * sigma);
    }
    // The first lines (always kept at first) and the last (offered once) are not favoured.
    const firstTenth = kept.slice(1, 6).reduce((a, b) => a + b, 0);
    const lastTenth = kept.slice(46, 51).reduce((a, b) => a + b, 0);
    expect(Math.abs(firstTenth - lastTenth)).toBeLessThan(6 * Math.sqrt(2 * 5) * sigma);
    // Chi-squared over 50 cells (49 degrees of freedom): the 99.9th percentile is about 85.4.
    const chi2 = kept.slice(1).reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(85.4);
  });

  it('records the concurrent verdict only for sampled targets', () => {
    const sampler = new BaselineSampler(3, () => 0.999);
    const targets = [1, 2, 3, 4, 5].map((line) => target(line));
    for (const t of targets) sampler.offer(t);
    // random() * seen is never below capacity here, so the first three stay.
    expect(sampler.sample().map((t) => t.line)).toEqual([1, 2, 3]);
    for (const t of targets) sampler.record(resultFor(t, t.line !== 2));
    expect(sampler.verdictFor(resultFor(targets[0] as Target, false))).toBe(true);
    expect(sampler.verdictFor(resultFor(targets[1] as Target, true))).toBe(false);
    expect(sampler.verdictFor(resultFor(targets[3] as Target, true))).toBeNull();
  });

  it('has no verdict for a sampled target whose result has not arrived', () => {
    const sampler = new BaselineSampler(3);
    const t = target(1);
    sampler.offer(t);
    expect(sampler.verdictFor(resultFor(t, true))).toBeNull();
  });

  it('forgets the verdict of a target evicted from the sample', () => {
    const randoms = [0];
    const sampler = new BaselineSampler(1, () => randoms.shift() ?? 0.999);
    const first = target(1);
    const second = target(2);
    sampler.offer(first);
    sampler.record(resultFor(first, true));
    sampler.offer(second); // random 0 → slot 0: replaces the first
    expect(sampler.sample()).toEqual([second]);
    expect(sampler.verdictFor(resultFor(first, true))).toBeNull();
  });

  it('tells targets with the same line in different sources apart', () => {
    const sampler = new BaselineSampler(10);
    const a = target(1, 'a.txt');
    const b = target(1, 'b.txt');
    sampler.offer(a);
    sampler.offer(b);
    sampler.record(resultFor(a, true));
    sampler.record(resultFor(b, false));
    expect(sampler.verdictFor(resultFor(a, false))).toBe(true);
    expect(sampler.verdictFor(resultFor(b, true))).toBe(false);
  });
});

describe('buildComparison', () => {
  it('compares a full baseline with the concurrent run', () => {
    // 100 checks of ~50 ms: 5 s one by one; at concurrency 10 the ideal is 500 ms; it took 625 ms.
    expect(
      buildComparison({
        concurrency: 10,
        targets: 100,
        sampleSize: 100,
        concurrentMs: 625,
        sequentialMeasuredMs: 5000,
        maxCheckMs: 60,
        disagreements: 0,
      }),
    ).toEqual({
      concurrency: 10,
      targets: 100,
      sampleSize: 100,
      estimated: false,
      concurrentMs: 625,
      sequentialMs: 5000,
      sequentialMeasuredMs: 5000,
      speedup: 8,
      idealSpeedup: 10,
      efficiency: 0.8,
      disagreements: 0,
    });
  });

  it('extrapolates a sampled baseline to every target and says it is an estimate', () => {
    const comparison = buildComparison({
      concurrency: 50,
      targets: 10_000,
      sampleSize: 100,
      concurrentMs: 4000,
      sequentialMeasuredMs: 2000,
      maxCheckMs: 300,
      disagreements: 2,
    });
    expect(comparison).toMatchObject({
      estimated: true,
      sequentialMeasuredMs: 2000,
      sequentialMs: 200_000,
      speedup: 50,
      idealSpeedup: 50,
      efficiency: 1,
      disagreements: 2,
    });
  });

  it('takes the slowest single check as the floor of the ideal concurrent time', () => {
    // 20 checks, 1 s one by one, at concurrency 50: ideal is not 20 ms but the slowest check, 400 ms.
    const comparison = buildComparison({
      concurrency: 50,
      targets: 20,
      sampleSize: 20,
      concurrentMs: 500,
      sequentialMeasuredMs: 1000,
      maxCheckMs: 400,
      disagreements: 0,
    });
    expect(comparison).toMatchObject({ speedup: 2, idealSpeedup: 2.5, efficiency: 0.8 });
  });

  it('is a speed-up of 1 at concurrency 1', () => {
    const comparison = buildComparison({
      concurrency: 1,
      targets: 10,
      sampleSize: 10,
      concurrentMs: 1000,
      sequentialMeasuredMs: 1000,
      maxCheckMs: 200,
      disagreements: 0,
    });
    expect(comparison).toMatchObject({ speedup: 1, idealSpeedup: 1, efficiency: 1 });
  });

  it('rounds: times to 0.1 ms, speed-ups to 0.01, efficiency to 0.001', () => {
    const comparison = buildComparison({
      concurrency: 3,
      targets: 7,
      sampleSize: 3,
      concurrentMs: 123.456,
      sequentialMeasuredMs: 100,
      maxCheckMs: 10,
      disagreements: 0,
    });
    // 100 ms for 3 of 7 → 233.33 ms; ideal 77.78 ms (3×); speed-up 233.33 / 123.456 = 1.89.
    expect(comparison).toMatchObject({
      concurrentMs: 123.5,
      sequentialMs: 233.3,
      speedup: 1.89,
      idealSpeedup: 3,
      efficiency: 0.63,
    });
  });

  it('stays finite when the times are zero', () => {
    const comparison = buildComparison({
      concurrency: 4,
      targets: 0,
      sampleSize: 0,
      concurrentMs: 0,
      sequentialMeasuredMs: 0,
      maxCheckMs: 0,
      disagreements: 0,
    });
    for (const value of [comparison.speedup, comparison.idealSpeedup, comparison.efficiency]) {
      expect(Number.isFinite(value)).toBe(true);
    }
    expect(comparison.estimated).toBe(false);
  });
});
