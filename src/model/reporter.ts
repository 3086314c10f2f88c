import type { ChalkInstance } from 'chalk';
import type { Comparison, DiffSummary } from './run.js';
import type { Summary } from './summary.js';
import type { CheckResult, Verdict } from './types.js';

/** A value or a promise of it: hooks return a promise only when the caller must wait. */
export type Awaitable<T> = T | Promise<T>;

/** What a reporter is told when the run starts. */
export interface RunMeta {
  version: string;
  startedAt: Date;
  concurrency: number;
  perHost: number | null;
  timeoutMs: number;
  retries: number;
  method: 'head' | 'get';
  accept: string;
  maxRedirects: number;
}

/** What a reporter is told when the run ends. */
export interface RunEnd {
  summary: Summary;
  /** The sequential-baseline comparison, when --compare asked for one. */
  comparison: Comparison | null;
  /** What changed since the previous report, when --diff gave one. */
  diff: DiffSummary | null;
}

/**
 * Receives a run as it happens. Every hook is optional; results arrive in completion order,
 * the moment each check finishes. Hooks return a promise only to ask the run to wait (e.g.
 * for the output stream to drain).
 */
export interface Reporter {
  onRunStart?(meta: RunMeta): Awaitable<void>;
  onResult?(result: CheckResult): Awaitable<void>;
  /** The concurrent run is over and the sequential baseline starts on `sampleSize` targets. */
  onBaselineStart?(info: { sampleSize: number; estimated: boolean }): Awaitable<void>;
  onRunEnd?(end: RunEnd): Awaitable<void>;
}

/**
 * Where a reporter writes text: batched and backpressure-aware (the CLI gives a `TextWriter`).
 * `write` returns a promise only when the caller should wait for the stream to drain.
 */
export interface ReportWriter {
  write(text: string): Promise<void> | undefined;
  /**
   * Hands everything written so far to the stream now (not at the end of the event-loop turn)
   * and resolves once it is written: the progress line's erase must reach the terminal before a
   * report on another stream does.
   */
  flush?(): Promise<void>;
  /** True when the stream is an interactive terminal. */
  readonly isTTY: boolean;
  /** The terminal's width in columns, when it is one. */
  readonly columns: number | undefined;
}

/** What a reporter factory is given: its streams and its colours; never `process`. */
export interface ReporterContext {
  /** Where the report goes (stdout or --output). */
  out: ReportWriter;
  /** Where progress and human notes go (stderr). */
  err: ReportWriter;
  /** Colours for `out` (level 0 when colour is off). */
  color: ChalkInstance;
  /** Colours for `err`. */
  errColor: ChalkInstance;
  /** --quiet: print only what needs attention. */
  quiet: boolean;
  /**
   * Draw with ASCII only (`+-|` borders, `+ ! x ~ #` verdicts): --ascii, or a locale that is not UTF-8 (cron's
   * default). Absent: Unicode box drawing and symbols.
   */
  ascii?: boolean;
  /**
   * The verdicts --fail-on names: a result with one of them fails the run (the Prometheus report's
   * `urlcheck_url_up` is 0 for it). Absent: the default, `broken`, `transient` and `blocked`.
   */
  failOn?: ReadonlySet<Verdict>;
}

/** Builds a reporter for one run. */
export type ReporterFactory = (ctx: ReporterContext) => Reporter;
