import type { CheckOptions } from '../check/options.js';
import { checkAll } from './pool.js';
import type { CheckResult, Target } from '../model/types.js';
import type { Comparison } from '../model/run.js';


/**
 * Keeps a uniform random sample of up to `capacity` targets from a stream of unknown length
 * (reservoir sampling), and the concurrent run's verdict for each, in O(capacity) memory.
 * While the stream is no longer than `capacity`, the "sample" is every target.
 */
export class BaselineSampler {
  private readonly kept: Array<{ order: number; target: Target }> = [];
  private readonly okByKey = new Map<string, boolean | null>();
  private seen = 0;

  constructor(
    readonly capacity: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** Offers a target as it is read; it may be kept in the sample. */
  offer(target: Target): void {
    this.seen += 1;
    let slot = this.kept.length;
    if (slot >= this.capacity) {
      slot = Math.floor(this.random() * this.seen);
      if (slot >= this.capacity) return;
      this.okByKey.delete(keyOf((this.kept[slot] as { target: Target }).target));
    }
    this.kept[slot] = { order: this.seen, target };
    this.okByKey.set(keyOf(target), null);
  }

  /** Records the concurrent run's verdict for a result, if its target is in the sample. */
  record(result: CheckResult): void {
    const key = keyOf(result);
    if (this.okByKey.has(key)) this.okByKey.set(key, result.ok);
  }

  /** Targets offered so far. */
  get total(): number {
    return this.seen;
  }

  /** The sample, in input order. */
  sample(): Target[] {
    return [...this.kept].sort((a, b) => a.order - b.order).map((entry) => entry.target);
  }

  /** The concurrent run's verdict for a sampled target, or null when it was not recorded. */
  verdictFor(result: CheckResult): boolean | null {
    return this.okByKey.get(keyOf(result)) ?? null;
  }
}

/**
 * Runs the sequential baseline: the same pool and options at concurrency 1 (no per-host
 * limit, a fresh Agent), over the sampled targets, and compares it with the concurrent run.
 * Returns null when `signal` aborts it.
 */
export async function measureBaseline(
  sampler: BaselineSampler,
  options: CheckOptions,
  concurrent: { wallMs: number; maxCheckMs: number },
  signal?: AbortSignal,
): Promise<Comparison | null> {
  const sample = sampler.sample();
  const started = performance.now();
  let disagreements = 0;
  let maxCheckMs = concurrent.maxCheckMs;
  for await (const result of checkAll(sample, { ...options, concurrency: 1, perHost: null }, signal)) {
    const before = sampler.verdictFor(result);
    if (before !== null && before !== result.ok) disagreements += 1;
    if (result.durationMs > maxCheckMs) maxCheckMs = result.durationMs;
  }
  if (signal?.aborted) return null;
  const measuredMs = performance.now() - started;
  return buildComparison({
    concurrency: options.concurrency,
    targets: sampler.total,
    sampleSize: sample.length,
    concurrentMs: concurrent.wallMs,
    sequentialMeasuredMs: measuredMs,
    maxCheckMs,
    disagreements,
  });
}

/** Derives the speed-up, the ideal and the efficiency from the measured times. */
export function buildComparison(input: {
  concurrency: number;
  targets: number;
  sampleSize: number;
  concurrentMs: number;
  sequentialMeasuredMs: number;
  maxCheckMs: number;
  disagreements: number;
}): Comparison {
  const estimated = input.sampleSize < input.targets;
  const sequentialMs = estimated && input.sampleSize > 0
    ? (input.sequentialMeasuredMs * input.targets) / input.sampleSize
    : input.sequentialMeasuredMs;
  const idealConcurrentMs = Math.max(sequentialMs / input.concurrency, input.maxCheckMs, Number.EPSILON);
  const speedup = sequentialMs / Math.max(input.concurrentMs, Number.EPSILON);
  const idealSpeedup = sequentialMs / idealConcurrentMs;
  return {
    concurrency: input.concurrency,
    targets: input.targets,
    sampleSize: input.sampleSize,
    estimated,
    concurrentMs: round(input.concurrentMs),
    sequentialMs: round(sequentialMs),
    sequentialMeasuredMs: round(input.sequentialMeasuredMs),
    speedup: round(speedup, 100),
    idealSpeedup: round(idealSpeedup, 100),
    efficiency: round(idealSpeedup > 0 ? speedup / idealSpeedup : 0, 1000),
    disagreements: input.disagreements,
  };
}

function keyOf(item: { source: string; line: number }): string {
  return `${item.line}\u0000${item.source}`;
}

function round(value: number, scale = 10): number {
  return Math.round(value * scale) / scale;
}

export type { Comparison } from '../model/run.js';
