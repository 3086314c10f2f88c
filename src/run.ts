import { BaselineSampler, measureBaseline, type Comparison } from './compare.js';
import type { DiffSummary, DiffTracker } from './diff.js';
import type { CheckOptions } from './options.js';
import { checkInBatches, type TargetStream } from './pool.js';
import type { Reporter } from './reporters/types.js';
import { SummaryBuilder, type Summary } from './summary.js';
import type { Target } from './types.js';
import { VERSION } from './version.js';

/** A whole run: targets in, results to a reporter, a summary out. */
export interface RunRequest {
  /** The targets, read lazily, one by one or in batches (see `readTargets`, `readTargetBatches`). */
  targets: TargetStream;
  options: CheckOptions;
  reporter: Reporter;
  /**
   * Also time the sequential baseline: on every target when the list has at most
   * `sampleSize` of them, else on a uniform random sample of that many, extrapolated.
   */
  compare?: { sampleSize: number } | null;
  /** Aborting it interrupts the run: finished results are still reported and summarised. */
  signal?: AbortSignal;
  /** Compare each result with a previous report (--diff): sets `result.change`. */
  diff?: DiffTracker | null;
}

/** What a run ended with. */
export interface RunOutcome {
  summary: Summary;
  comparison: Comparison | null;
  diff: DiffSummary | null;
}

/**
 * Checks every target through the bounded pool, streaming each result to the reporter as it
 * completes and folding it into the summary; then, if asked, times the sequential baseline
 * over the same targets (or a sample) with the same options. Holds no result list.
 */
export async function runChecks(request: RunRequest): Promise<RunOutcome> {
  const { options, reporter, signal } = request;
  const sampler = request.compare ? new BaselineSampler(request.compare.sampleSize) : null;
  const targets = sampler === null ? request.targets : sampled(request.targets, sampler);
  const summary = new SummaryBuilder();

  await reporter.onRunStart?.({
    version: VERSION,
    startedAt: new Date(),
    concurrency: options.concurrency,
    perHost: options.perHost,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    method: options.method,
    accept: options.accept.text,
    maxRedirects: options.maxRedirects,
  });
  const started = performance.now();
  const onResult = reporter.onResult?.bind(reporter);
  const diff = request.diff ?? null;
  for await (const batch of checkInBatches(targets, options, signal)) {
    for (const result of batch) {
      if (diff !== null) result.change = diff.classify(result);
      summary.add(result);
      if (sampler !== null) sampler.record(result);
      const waiting = onResult?.(result);
      if (waiting !== undefined) await waiting;
    }
  }
  const wallMs = performance.now() - started;

  let comparison: Comparison | null = null;
  if (sampler !== null && sampler.total > 0 && signal?.aborted !== true) {
    await reporter.onBaselineStart?.({ sampleSize: Math.min(sampler.total, sampler.capacity), estimated: sampler.total > sampler.capacity });
    comparison = await measureBaseline(sampler, options, { wallMs, maxCheckMs: summary.maxLatencyMs }, signal);
  }
  const end = { summary: summary.finish(wallMs, signal?.aborted === true), comparison, diff: diff?.finish() ?? null };
  await reporter.onRunEnd?.(end);
  return end;
}

async function* sampled(targets: TargetStream, sampler: BaselineSampler): AsyncGenerator<Target | readonly Target[]> {
  for await (const item of targets) {
    if (Array.isArray(item)) for (const target of item as readonly Target[]) sampler.offer(target);
    else sampler.offer(item as Target);
    yield item;
  }
}
