import type { CheckOptions } from '../check/options.js';
import { checkAll } from './pool.js';
import type { CheckResult, Target } from '../model/types.js';
import { BASELINE_BARS_MAX, type BaselineBar, type Comparison } from '../model/run.js';


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
  const bars = new BaselineBars();
  let disagreements = 0;
  let maxCheckMs = concurrent.maxCheckMs;
  for await (const result of checkAll(sample, { ...options, concurrency: 1, perHost: null }, signal)) {
    const before = sampler.verdictFor(result);
    if (before !== null && before !== result.ok) disagreements += 1;
    if (result.durationMs > maxCheckMs) maxCheckMs = result.durationMs;
    bars.add(result.startMs ?? performance.now() - started - result.durationMs, result.durationMs, result.ok);
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
    baselineBars: bars.bars(),
  });
}

/**
 * Folds the baseline's checks, as they run one after another, into at most `max` bars: one per
 * check until there are more than `max`, then each pair of neighbours is merged, and every later
 * bar takes twice as many checks. Memory is O(max) whatever the sample size.
 */
export class BaselineBars {
  private readonly kept: BaselineBar[] = [];
  private checksPerBar = 1;

  constructor(private readonly max: number = BASELINE_BARS_MAX) {}

  /** Adds the next check: its start since the baseline's start and its duration, in milliseconds. */
  add(startMs: number, durationMs: number, ok: boolean): void {
    const start = Math.max(0, startMs);
    const end = start + Math.max(0, durationMs);
    const last = this.kept.at(-1);
    if (last !== undefined && last.checks < this.checksPerBar) {
      last.durationMs = Math.max(last.durationMs, end - last.startMs);
      last.checks += 1;
      if (!ok) last.unhealthy += 1;
    } else {
      this.kept.push({ startMs: start, durationMs: end - start, checks: 1, unhealthy: ok ? 0 : 1 });
    }
    if (this.kept.length > Math.max(1, this.max)) this.mergePairs();
  }

  /** The bars so far, rounded to 0.1 ms. */
  bars(): BaselineBar[] {
    return this.kept.map((bar) => ({ ...bar, startMs: round(bar.startMs), durationMs: round(bar.durationMs) }));
  }

  private mergePairs(): void {
    const merged: BaselineBar[] = [];
    for (let i = 0; i < this.kept.length; i += 2) {
      const first = this.kept[i] as BaselineBar;
      const second = this.kept[i + 1];
      if (second === undefined) merged.push(first);
      else {
        merged.push({
          startMs: first.startMs,
          durationMs: Math.max(first.durationMs, second.startMs + second.durationMs - first.startMs),
          checks: first.checks + second.checks,
          unhealthy: first.unhealthy + second.unhealthy,
        });
      }
    }
    this.kept.length = 0;
    this.kept.push(...merged);
    this.checksPerBar *= 2;
  }
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
  /** The baseline's checks as bars (see {@link BaselineBars}); absent, none are reported. */
  baselineBars?: BaselineBar[];
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
    ...(input.baselineBars === undefined ? {} : { baselineBars: input.baselineBars }),
  };
}

function keyOf(item: { source: string; line: number }): string {
  return `${item.line}\u0000${item.source}`;
}

function round(value: number, scale = 10): number {
  return Math.round(value * scale) / scale;
}

export type { Comparison } from '../model/run.js';
