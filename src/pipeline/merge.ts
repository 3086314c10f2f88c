import { stat } from 'node:fs/promises';
import {
  DEFAULT_ACCEPT,
  DEFAULT_CONCURRENCY,
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_METHOD,
  DEFAULT_PER_HOST,
  DEFAULT_RETRIES,
  DEFAULT_TIMEOUT_MS,
} from '../model/defaults.js';
import { UsageError } from '../model/errors.js';
import type { Reporter, RunEnd, RunMeta } from '../model/reporter.js';
import { SummaryBuilder } from '../model/summary.js';
import { VERSION } from '../model/version.js';
import type { DiffTracker } from '../reports/diff.js';
import { describeReportReading, emptyReportSource, MERGE_USE, readReportHead, readReportResults, type ReportSource } from '../reports/reader.js';
import { describeFsError } from '../util/fs-errors.js';
import { Hash64 } from '../util/hash.js';
import { printable } from '../util/redact.js';
import { plural } from '../util/text.js';
import type { RunOutcome } from './run.js';

// `urlcheck merge`: the reports are read by reports/reader.ts; here their results are replayed
// into the reporters and folded into one summary, as a run does.

/** What {@link planMerge} learnt from each report's first line. */
export type ReportHeader = Pick<ReportSource, 'name' | 'format' | 'version' | 'startedAt'>;

/** Reports checked to be readable urlcheck reports, ready for {@link mergeReports}. */
export interface MergePlan {
  /** The paths, as given. */
  readonly paths: readonly string[];
  /** One per path, in the same order. */
  readonly headers: readonly ReportHeader[];
  /**
   * What `onRunStart` is told. `version` and `startedAt` come from the JSON report whose run
   * started first (shards run side by side: the merged run started when the first one did);
   * with no JSON report, this urlcheck's version and the time of the merge. The check settings
   * (concurrency, timeout, …) are not in any report: they are the `DEFAULT_*` values.
   */
  readonly meta: RunMeta;
}

/** Results of one report that repeat a `source:line` an earlier report already had (overlapping shards). */
export interface ReportOverlap {
  /** How many results repeat one; an estimate when `estimated`. */
  results: number;
  /** True past {@link OVERLAP_EXACT_LINES} distinct lines, where repeats are counted on a hash sample. */
  estimated: boolean;
  /** One repeated line, and the reports (names) it was first and then again seen in. */
  example: { source: string; line: number; first: string; again: string };
}

/** A merge's outcome: a run's, plus what each report held and whether they overlapped. */
export interface MergeOutcome extends RunOutcome {
  /** One per report, in the order given (fewer when the merge was interrupted). */
  reports: ReportSource[];
  /** Null when no two reports share a `source:line`. */
  overlap: ReportOverlap | null;
}

/** What to merge, and where the merged results go. */
export interface MergeRequest {
  /** The reports (`-f json` or `-f ndjson`), merged in this order. */
  paths: readonly string[];
  /** {@link planMerge}'s answer for these `paths`, when the caller planned first (before opening its outputs). */
  plan?: MergePlan;
  reporter: Reporter;
  /** Aborting it stops the merge: results replayed so far are summarised, as interrupted. */
  signal?: AbortSignal;
  /** Compare each merged result with a previous report (as --diff does): sets `result.change`. */
  diff?: DiffTracker | null;
}

/**
 * Distinct `source:line` keys up to which overlap between reports is counted exactly. Past it, a
 * uniform hash sample of at most this many keys is kept (memory stays bounded): a whole shard
 * given twice, or shards of two different splits, are still caught; a handful of repeated lines
 * among millions may not be.
 */
export const OVERLAP_EXACT_LINES = 65_536;

/**
 * Checks every report before anything is written: each exists, is a file, is named once, and
 * starts like a urlcheck JSON or NDJSON report; and no output is one of them (writing the merged
 * report over a shard would destroy what is being read). Throws a {@link UsageError} (one line)
 * otherwise: `cannot read report "x": …`.
 *
 * @param outputs - the files the caller will write (`--output`, each `--report`), with the flag that names them
 */
export async function planMerge(paths: readonly string[], outputs: readonly { flag: string; path: string }[] = []): Promise<MergePlan> {
  if (paths.length === 0) throw new UsageError('merge needs at least one report (a file written with -f json or -f ndjson)');
  const seen = new Map<string, string>();
  const headers: ReportHeader[] = [];
  for (const path of paths) {
    const name = printable(path);
    const identity = await fileIdentity(path, name);
    const earlier = seen.get(identity);
    if (earlier !== undefined) {
      throw new UsageError(`report "${name}" is the same file as "${earlier}": name each report once`);
    }
    seen.set(identity, name);
    const { format, version, startedAt } = await readReportHead(path, emptyReportSource(name));
    headers.push({ name, format, version, startedAt });
  }
  for (const output of outputs) {
    const info = await stat(output.path).catch(() => null);
    const report = info === null ? undefined : seen.get(`${info.dev}:${info.ino}`);
    if (report !== undefined) {
      throw new UsageError(`${output.flag} "${printable(output.path)}" is the report "${report}" being merged: write the merged report to another file`);
    }
  }
  return { paths: [...paths], headers, meta: metaFrom(headers) };
}

/**
 * Replays every result of the reports, in the order given and each in file order, into the
 * reporter, folding them into one summary as {@link runChecks} does; holds no result list, so
 * memory does not grow with the number of results. The merged summary:
 * - counts every result once per report line; a `source:line` found in two reports is kept twice
 *   and reported in `overlap` (shards are disjoint, so that is a mistake worth a warning);
 * - `wallMs`: shards ran side by side, so the longest of the reports' own wall times; NDJSON
 *   reports carry none and add nothing (0 when no report carries one, and `urlsPerSecond` is 0);
 * - `interrupted`: true when any report is incomplete (torn) or says its run was interrupted, or
 *   `signal` stopped the merge.
 * A JSON report's `comparison` and `diff` are dropped, and so is each result's `change`: they
 * describe one shard, not the whole; `comparison` is null and `diff` is null unless `request.diff`
 * compares the merged results with a previous report. Results are written in this version's
 * shape (see `resultFromReport`): older reports' results get a derived `verdict`, `warnings: []`,
 * `timings: null` and `tls: null`; `duplicateOf` is kept; credentials are redacted again. Each
 * report is read by the one report reader (`readReport`) and its rule for torn and damaged
 * lines. Throws a {@link UsageError} when a report cannot be read or is not a urlcheck report.
 */
export async function mergeReports(request: MergeRequest): Promise<MergeOutcome> {
  const { reporter, signal } = request;
  const plan = request.plan ?? (await planMerge(request.paths));
  if (plan.paths.length !== request.paths.length || plan.paths.some((path, index) => path !== request.paths[index])) {
    throw new Error('mergeReports: the plan was made for other paths');
  }
  const diff = request.diff ?? null;
  const summary = new SummaryBuilder();
  const overlap = new OverlapCounter();
  const reports: ReportSource[] = [];
  // A function, not a narrowed property read: the signal can be aborted while a hook is awaited.
  const stopped = () => signal?.aborted === true;

  await reporter.onRunStart?.(plan.meta);
  const onResult = reporter.onResult?.bind(reporter);
  merging: for (const [index, path] of plan.paths.entries()) {
    if (stopped()) break;
    const report = emptyReportSource(printable(path));
    reports.push(report);
    for await (const batch of readReportResults(path, report)) {
      for (const result of batch) {
        if (diff !== null) result.change = diff.classify(result);
        summary.add(result);
        overlap.add(result.source, result.line, index);
        const waiting = onResult?.(result);
        if (waiting !== undefined) await waiting;
      }
      if (stopped()) break merging;
    }
  }

  const walls = reports.flatMap((report) => (report.wallMs === null ? [] : [report.wallMs]));
  const interrupted = stopped() || reports.some((report) => report.interrupted);
  const end: RunEnd = {
    summary: summary.finish(walls.length === 0 ? 0 : Math.max(...walls), interrupted),
    comparison: null,
    diff: diff?.finish() ?? null,
  };
  await reporter.onRunEnd?.(end);
  return { ...end, reports, overlap: overlap.finish(reports) };
}

/**
 * Lines describing what a merge should warn about, for stderr: torn or interrupted reports,
 * skipped lines, reports from older versions, unknown wall times, overlapping reports. Empty
 * when there is nothing to say.
 */
export function describeMergeProblems(outcome: Pick<MergeOutcome, 'reports' | 'overlap'>): string[] {
  const lines: string[] = [];
  for (const report of outcome.reports) {
    lines.push(...describeReportReading(report, 'report', 'merged'));
    // An incomplete report is interrupted too, and said so already.
    if (report.complete && report.interrupted) {
      lines.push(`report "${report.name}" is of an interrupted run: some of its URLs were never checked`);
    }
    if (report.upgraded > 0) {
      lines.push(`report "${report.name}" is from an older urlcheck: ${plural(report.upgraded, 'verdict')} derived from status and error`);
    }
  }
  const unknownWall = outcome.reports.filter((report) => report.wallMs === null);
  if (unknownWall.length > 0) {
    lines.push(
      unknownWall.length === outcome.reports.length
        ? 'no report carries its wall time (NDJSON has no summary): the merged wall time and URLs/s are unknown, shown as 0'
        : `${plural(unknownWall.length, 'report')} ${unknownWall.length === 1 ? 'carries' : 'carry'} no wall time (NDJSON has no summary): the merged wall time and URLs/s are the JSON reports' only`,
    );
  }
  const overlap = outcome.overlap;
  if (overlap !== null) {
    const { source, line, first, again } = overlap.example;
    lines.push(
      `${overlap.estimated ? 'about ' : ''}${plural(overlap.results, 'result')} repeat a line an earlier report already had ` +
        `(e.g. ${printable(source)}:${line} in "${first}" and "${again}"); both were kept: overlapping shards, or a stale report?`,
    );
  }
  return lines;
}

/**
 * Counts results whose `source:line` an earlier report already had, in bounded memory: every key
 * up to {@link OVERLAP_EXACT_LINES} distinct ones, then a uniform hash sample of that many (the
 * sample rate halves each time it fills; Gibbons' distinct sampling), scaled back up.
 */
class OverlapCounter {
  private readonly hash = new Hash64();
  // Hashed key → the report it was first seen in; only keys in the sample.
  private readonly firstSeen = new Map<number, number>();
  // Hashed key → results repeating it from later reports; only keys in the sample.
  private readonly repeats = new Map<number, number>();
  private repeatedInSample = 0;
  // A key is in the sample when the low `level` bits of its hash are zero.
  private level = 0;
  private example: { source: string; line: number; first: number; again: number } | null = null;

  add(source: string, line: number, report: number): void {
    this.hash.of(`${source}\n${line}`);
    const low = this.hash.lo;
    // 53 of the 64 bits, so the key is an exact number (collisions among 65,536 keys: about 1 in 4 billion).
    const key = (this.hash.hi & 0x1fffff) * 4294967296 + low;
    if ((low & ((1 << this.level) - 1)) !== 0) return;
    const first = this.firstSeen.get(key);
    if (first === undefined) {
      this.firstSeen.set(key, report);
      if (this.firstSeen.size > OVERLAP_EXACT_LINES) this.shrink();
      return;
    }
    // The same line twice in one report is a list that names a file twice: not an overlap.
    if (first === report) return;
    this.repeats.set(key, (this.repeats.get(key) ?? 0) + 1);
    this.repeatedInSample += 1;
    this.example ??= { source, line, first, again: report };
  }

  finish(reports: readonly ReportSource[]): ReportOverlap | null {
    if (this.example === null) return null;
    const name = (index: number) => reports[index]?.name ?? '?';
    return {
      // At least the one repeat seen, even if its key later fell out of the sample.
      results: Math.max(1, this.repeatedInSample * 2 ** this.level),
      estimated: this.level > 0,
      example: { source: this.example.source, line: this.example.line, first: name(this.example.first), again: name(this.example.again) },
    };
  }

  private shrink(): void {
    while (this.firstSeen.size > OVERLAP_EXACT_LINES && this.level < 31) {
      this.level += 1;
      const mask = (1 << this.level) - 1;
      for (const key of this.firstSeen.keys()) {
        // The key's low 32 bits are the hash's `lo`.
        if ((key % 4294967296 & mask) === 0) continue;
        this.firstSeen.delete(key);
        const repeated = this.repeats.get(key);
        if (repeated !== undefined) {
          this.repeatedInSample -= repeated;
          this.repeats.delete(key);
        }
      }
    }
  }
}

/** Stats a report: a `dev:ino` identity, so the same file under two names is caught. */
async function fileIdentity(path: string, name: string): Promise<string> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new UsageError(MERGE_USE.cannotRead(name, 'it is a directory'));
    return `${info.dev}:${info.ino}`;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(MERGE_USE.cannotRead(name, describeFsError(error)), { cause: error });
  }
}

function metaFrom(headers: readonly ReportHeader[]): RunMeta {
  let first: ReportHeader | null = null;
  for (const header of headers) {
    if (header.startedAt !== null && (first?.startedAt == null || header.startedAt < first.startedAt)) first = header;
  }
  return {
    version: first?.version ?? VERSION,
    startedAt: first?.startedAt ?? new Date(),
    concurrency: DEFAULT_CONCURRENCY,
    perHost: DEFAULT_PER_HOST,
    timeoutMs: DEFAULT_TIMEOUT_MS,
    retries: DEFAULT_RETRIES,
    method: DEFAULT_METHOD,
    accept: DEFAULT_ACCEPT,
    maxRedirects: DEFAULT_MAX_REDIRECTS,
  };
}

