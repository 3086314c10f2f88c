import type { Target } from './types.js';

/**
 * The concurrent run against the sequential baseline over the same targets and options.
 * Part of the JSON report's public shape. Durations in milliseconds.
 */
export interface Comparison {
  /** The concurrency of the measured run. */
  concurrency: number;
  /** Targets in the concurrent run. */
  targets: number;
  /** Targets the baseline checked: all of them, or a random sample. */
  sampleSize: number;
  /** True when the baseline ran on a sample and `sequentialMs` is extrapolated from it. */
  estimated: boolean;
  /** Wall time of the concurrent run. */
  concurrentMs: number;
  /** Wall time of the baseline for all targets (extrapolated when `estimated`). */
  sequentialMs: number;
  /** Wall time the baseline actually ran. */
  sequentialMeasuredMs: number;
  /** sequentialMs / concurrentMs. */
  speedup: number;
  /** The best speed-up the work allows: the slowest single check, or the total work spread over the concurrency. */
  idealSpeedup: number;
  /** speedup / idealSpeedup, from 0 to 1 (can exceed 1 slightly through noise). */
  efficiency: number;
  /** Sampled targets whose health differed between the two runs (flaky servers). */
  disagreements: number;
  /**
   * The baseline's checks on its own time axis, for drawing it (the HTML report's waterfall): one
   * bar per check in the order they ran, or, past {@link BASELINE_BARS_MAX} checks, consecutive
   * checks merged two, four, eight… to a bar, so there are never more than that many. Absent from
   * comparisons made before urlcheck 1.1.
   */
  baselineBars?: BaselineBar[];
}

/** At most this many {@link BaselineBar}s describe a baseline, whatever its sample size. */
export const BASELINE_BARS_MAX = 500;

/** One or more consecutive checks of the sequential baseline. Times in milliseconds. */
export interface BaselineBar {
  /** When the first of its checks began, since the baseline's start. */
  startMs: number;
  /** From the start of its first check to the end of its last. */
  durationMs: number;
  /** Checks in the bar. */
  checks: number;
  /** Of those, the ones that were not ok. */
  unhealthy: number;
}

/** What changed between a previous report and this run. Part of the JSON report's public shape. */
export interface DiffSummary {
  /** The previous report, as named on the command line. */
  previous: string;
  /** Results failing now whose URL was healthy, or absent, in the previous report. */
  newlyFailing: number;
  /** Results healthy now whose URL failed in the previous report. */
  recovered: number;
  /** Results failing now whose URL failed in the previous report too. */
  stillFailing: number;
  /** Previously failing URLs that this run did not check at all (removed from the list, or an interrupted run). */
  gone: number;
}

/**
 * Targets for the pool, one at a time or in batches (as `readTargetBatches` yields them: one
 * async step per chunk of input rather than per line).
 */
export type TargetStream = AsyncIterable<Target | readonly Target[]> | Iterable<Target | readonly Target[]>;
