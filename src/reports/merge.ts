import { createReadStream } from 'node:fs';
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
import type { DiffTracker } from './diff.js';
import { UsageError } from '../model/errors.js';
import { readLineBatches } from '../input/lines.js';
import { printable, redactText } from '../util/redact.js';
import { JSON_REPORT_START, parseReportLine } from './report-lines.js';
import type { Reporter, RunEnd, RunMeta } from '../model/reporter.js';
import type { RunOutcome } from '../pipeline/run.js';
import { SummaryBuilder } from '../model/summary.js';
import { VERDICTS, type CheckError, type CheckResult, type CheckWarning, type HttpMethod, type RedirectHop, type TlsInfo, type Timings, type Verdict } from '../model/types.js';
import { verdictOf } from '../model/verdict.js';
import { VERSION } from '../model/version.js';
import { describeFsError } from '../util/fs-errors.js';
import { plural } from '../util/text.js';

/** How a report was written: one JSON document (`-f json`) or one result per line (`-f ndjson`). */
export type ReportFormat = 'json' | 'ndjson';

/**
 * What reading one report found, filled in as it is read: a read stopped early (an interrupted
 * merge) still says how far it got.
 */
export interface ReportSource {
  /** The path as given, made printable: how messages name the report. */
  name: string;
  /** Null until the first line was read; an empty file is an NDJSON report with no results. */
  format: ReportFormat | null;
  /** The urlcheck version that wrote it (a JSON report's header); null for NDJSON. */
  version: string | null;
  /** When its run started (a JSON report's header); null for NDJSON. */
  startedAt: Date | null;
  /** Results read. */
  results: number;
  /** Results written before `verdict` existed, whose verdict was derived from `ok`, `status` and `error`. */
  upgraded: number;
  /** Non-blank lines that were not results, followed by more lines, and were skipped. */
  skippedLines: number;
  /**
   * False when the report ends early: a torn last line (a run killed mid-write, a full disk), or a
   * JSON report without its closing summary. Its complete results are still used.
   */
  complete: boolean;
  /** True when the report is incomplete, or its own summary says its run was interrupted. */
  interrupted: boolean;
  /** Its run's wall time from its summary, in milliseconds; null when it carries none (NDJSON, an incomplete JSON report). */
  wallMs: number | null;
}

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
    headers.push(await readHeader(path, name));
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
 * shape: older reports' results get a derived `verdict`, `warnings: []`, `timings: null` and
 * `tls: null`; credentials are redacted again. Throws a {@link UsageError} when a report cannot be
 * read or is not a urlcheck report.
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
 * Streams every result of one report, a batch per 64 KiB chunk read, as {@link CheckResult}s in
 * this version's shape (see {@link resultFromReport}). The format is told by the first non-blank
 * line: a `-f json` header, or an NDJSON result. A torn last line (a run killed mid-write) and a
 * JSON report cut before its summary still stream their complete results; `into` then says
 * `complete: false`. Lines that are not results but are followed by more are skipped and counted.
 * Throws a {@link UsageError}, `cannot read report "x": …`, when the file cannot be read or is not
 * a urlcheck JSON or NDJSON report.
 *
 * @param into - filled in as the report is read (format, header, counts, summary); a fresh one by default
 */
export async function* readReportResults(path: string, into: ReportSource = emptyReportSource(printable(path))): AsyncGenerator<CheckResult[], ReportSource> {
  try {
    return yield* readReport(createReadStream(path), into);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read report "${into.name}": ${describeFsError(error)}`);
  }
}

/** A {@link ReportSource} for a report not read yet, named `name`. */
export function emptyReportSource(name: string): ReportSource {
  return { name, format: null, version: null, startedAt: null, results: 0, upgraded: 0, skippedLines: 0, complete: true, interrupted: false, wallMs: null };
}

const SUMMARY_PREFIX = '"summary":';
// How a line that was cut off starts: JSON.stringify puts `url` first in every result.
const TORN_RESULT_START = '{"url":';
const TORN_HEADER_START = '{"tool":"urlcheck"';

/**
 * {@link readReportResults} over any byte or text stream (a file, a test's strings); `into.name`
 * is how messages name it. Throws a {@link UsageError} when the stream is not a report.
 */
export async function* readReport(chunks: AsyncIterable<Buffer | string>, into: ReportSource): AsyncGenerator<CheckResult[], ReportSource> {
  const report = into;
  // The first non-blank line when it is neither a JSON header nor a result: fine only if it is
  // also the last line and looks cut off (a run killed while writing its first line).
  let unclear: { line: number; text: string } | null = null;
  // JSON only: the results array has closed, and the summary line comes next.
  let afterResults = false;
  let summaryRead = false;
  // The last non-blank line was not a result: harmless if nothing follows (a cut-off last line).
  let lastLineBroken = false;

  reading: for await (const lines of readLineBatches(chunks)) {
    const batch: CheckResult[] = [];
    let stop = false;
    for (const { line, text, truncated } of lines) {
      const trimmed = text.trim();
      if (trimmed === '') continue;
      if (unclear !== null) throw notAReport(report.name, unclear.line);
      if (lastLineBroken) report.skippedLines += 1;
      lastLineBroken = false;

      if (report.format === null) {
        if (!truncated && JSON_REPORT_START.test(trimmed)) {
          const header = parseHeader(trimmed);
          if (header !== null) {
            report.format = 'json';
            report.version = header.version;
            report.startedAt = header.startedAt;
            afterResults = trimmed.endsWith('],');
            continue;
          }
        }
        const first = parseResultLine(trimmed, truncated, null, report);
        if (first === null) {
          unclear = { line, text: trimmed };
          continue;
        }
        report.format = 'ndjson';
        batch.push(first);
        continue;
      }

      if (report.format === 'json') {
        if (afterResults) {
          // The summary is the last thing a report says that a merge needs: the rest is dropped.
          const summary = parseSummaryLine(trimmed, truncated);
          if (summary !== null) {
            summaryRead = true;
            report.wallMs = summary.wallMs;
            if (summary.interrupted) report.interrupted = true;
          }
          stop = true;
          break;
        }
        if (trimmed.startsWith(']')) {
          afterResults = true;
          continue;
        }
      }
      const result = parseResultLine(trimmed, truncated, report.format, report);
      if (result === null) lastLineBroken = true;
      else batch.push(result);
    }
    if (batch.length > 0) {
      report.results += batch.length;
      yield batch;
    }
    if (stop) break reading;
  }

  if (unclear !== null) {
    const tornResult = startsLike(unclear.text, TORN_RESULT_START);
    if ((!tornResult && !startsLike(unclear.text, TORN_HEADER_START)) || !isBrokenJson(unclear.text)) throw notAReport(report.name, unclear.line);
    report.format = tornResult ? 'ndjson' : 'json';
    report.complete = false;
  } else if (report.format === null) {
    // An empty file: a shard with nothing to check, or a run killed before its first result.
    report.format = 'ndjson';
  } else {
    report.complete = report.format === 'json' ? summaryRead : !lastLineBroken;
  }
  if (!report.complete) report.interrupted = true;
  return report;
}

/**
 * One result as a report holds it, in this version's shape, or null when `value` is not a result.
 * The fields every urlcheck version wrote (`url`, `ok`, `status`, `error`, `durationMs`,
 * `attempts`, `redirects`, `finalUrl`, `method`, `source`, `line`) must be there with their
 * types; later ones are filled in when missing: `verdict` derived with {@link verdictOf} (no
 * bot-challenge markers are known, so never `blocked` except by status), `warnings: []`,
 * `timings: null`, `tls: null`. Unknown fields and `change` are dropped; credentials in URLs and
 * messages are redacted again, as reports can come from anywhere.
 */
export function resultFromReport(value: unknown): CheckResult | null {
  if (!isRecord(value)) return null;
  const { url, ok, status, durationMs, attempts, finalUrl, method, source, line } = value;
  if (typeof url !== 'string' || typeof ok !== 'boolean' || typeof source !== 'string' || !Number.isInteger(line)) return null;
  if (status !== null && !isFiniteNumber(status)) return null;
  if (!isFiniteNumber(durationMs) || !isFiniteNumber(attempts)) return null;
  if (finalUrl !== null && typeof finalUrl !== 'string') return null;
  if (method !== null && method !== 'HEAD' && method !== 'GET') return null;
  const error = value['error'] === null ? null : asCodeAndMessage(value['error']);
  if (error === undefined) return null;
  const redirects = asRedirects(value['redirects']);
  if (redirects === null) return null;
  const warnings = value['warnings'] === undefined ? [] : asWarnings(value['warnings']);
  if (warnings === null) return null;
  const timings = value['timings'] === undefined || value['timings'] === null ? null : asTimings(value['timings']);
  if (timings === undefined) return null;
  const tls = isRecord(value['tls']) ? (value['tls'] as unknown as TlsInfo) : null;
  const checkError = error as CheckError | null;
  const verdict = isVerdict(value['verdict'])
    ? value['verdict']
    : verdictOf({ ok, status: status as number | null, error: checkError, warnings }, false);
  return {
    url: redactText(url),
    ok,
    status: status as number | null,
    error: checkError,
    durationMs,
    attempts,
    redirects,
    finalUrl: finalUrl === null ? null : redactText(finalUrl as string),
    method: method as HttpMethod | null,
    verdict,
    warnings,
    timings,
    tls,
    source,
    line: line as number,
  };
}

/**
 * Lines describing what a merge should warn about, for stderr: torn or interrupted reports,
 * skipped lines, reports from older versions, unknown wall times, overlapping reports. Empty
 * when there is nothing to say.
 */
export function describeMergeProblems(outcome: Pick<MergeOutcome, 'reports' | 'overlap'>): string[] {
  const lines: string[] = [];
  for (const report of outcome.reports) {
    if (!report.complete) {
      lines.push(`report "${report.name}" ends early (a torn last line, or no summary): its ${plural(report.results, 'complete result')} were merged`);
    } else if (report.interrupted) {
      lines.push(`report "${report.name}" is of an interrupted run: some of its URLs were never checked`);
    }
    if (report.skippedLines > 0) lines.push(`report "${report.name}": ${plural(report.skippedLines, 'line')} that ${report.skippedLines === 1 ? 'is' : 'are'} not a result skipped`);
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
  // Hashed key → the report it was first seen in; only keys in the sample.
  private readonly firstSeen = new Map<number, number>();
  // Hashed key → results repeating it from later reports; only keys in the sample.
  private readonly repeats = new Map<number, number>();
  private repeatedInSample = 0;
  // A key is in the sample when the low `level` bits of its hash are zero.
  private level = 0;
  private example: { source: string; line: number; first: number; again: number } | null = null;

  add(source: string, line: number, report: number): void {
    const [low, key] = hashKey(source, line);
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
        if ((lowBits(key) & mask) === 0) continue;
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

/**
 * A 53-bit hash of `source:line` (cyrb53): its low 32 bits pick the sample, the whole names the
 * key, so the sample holds numbers, not strings (collisions among 65,536 keys: about 1 in 4 billion).
 */
function hashKey(source: string, line: number): [low: number, key: number] {
  let h1 = 0xdeadbeef ^ line;
  let h2 = 0x41c6ce57 ^ line;
  for (let i = 0; i < source.length; i++) {
    const char = source.charCodeAt(i);
    h1 = Math.imul(h1 ^ char, 2654435761);
    h2 = Math.imul(h2 ^ char, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const low = h1 >>> 0;
  return [low, 4294967296 * (2097151 & h2) + low];
}

function lowBits(key: number): number {
  return key % 4294967296;
}

/** Stats a report: a `dev:ino` identity, so the same file under two names is caught. */
async function fileIdentity(path: string, name: string): Promise<string> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new UsageError(`cannot read report "${name}": it is a directory`);
    return `${info.dev}:${info.ino}`;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read report "${name}": ${describeFsError(error)}`);
  }
}

/** Reads a report only as far as its format is known (its first line, or two), then closes it. */
async function readHeader(path: string, name: string): Promise<ReportHeader> {
  const report = emptyReportSource(name);
  const reading = readReportResults(path, report);
  try {
    while (report.format === null) {
      const step = await reading.next();
      if (step.done === true) break;
    }
  } finally {
    await reading.return(report);
  }
  return { name, format: report.format, version: report.version, startedAt: report.startedAt };
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

function parseHeader(text: string): { version: string | null; startedAt: Date | null } | null {
  const json = text.endsWith('],') ? `${text.slice(0, -1)}}` : `${text}]}`;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  if (!isRecord(value)) return null;
  const { version, startedAt } = value;
  const date = typeof startedAt === 'string' ? new Date(startedAt) : null;
  return { version: typeof version === 'string' ? version : null, startedAt: date !== null && !Number.isNaN(date.getTime()) ? date : null };
}

function parseSummaryLine(text: string, truncated: boolean): { wallMs: number; interrupted: boolean } | null {
  if (truncated || !text.startsWith(SUMMARY_PREFIX)) return null;
  const body = text.slice(SUMMARY_PREFIX.length);
  let value: unknown;
  try {
    value = JSON.parse(body.endsWith(',') ? body.slice(0, -1) : body);
  } catch {
    return null;
  }
  if (!isRecord(value) || !isFiniteNumber(value['wallMs']) || typeof value['interrupted'] !== 'boolean') return null;
  return { wallMs: value['wallMs'], interrupted: value['interrupted'] };
}

function parseResultLine(text: string, truncated: boolean, format: ReportFormat | null, report: ReportSource): CheckResult | null {
  const value = parseReportLine(text, truncated, format);
  if (value === null) return null;
  const result = resultFromReport(value);
  if (result !== null && !isVerdict(value['verdict'])) report.upgraded += 1;
  return result;
}

/** True when `text` starts with `start`, or is cut off before its end. */
function startsLike(text: string, start: string): boolean {
  return text.startsWith(start) || start.startsWith(text);
}

function isBrokenJson(text: string): boolean {
  try {
    JSON.parse(text);
    return false;
  } catch {
    return true;
  }
}

function notAReport(name: string, line: number): UsageError {
  return new UsageError(
    `cannot read report "${name}": not a urlcheck JSON or NDJSON report (line ${line} is neither); ` +
      'merge reports written with -f json or -f ndjson (for a reformatted one: jq -c ".results[]" > report.ndjson)',
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isVerdict(value: unknown): value is Verdict {
  return typeof value === 'string' && (VERDICTS as readonly string[]).includes(value);
}

/** `{ code, message }` (message redacted), or undefined when `value` is not one. */
function asCodeAndMessage(value: unknown): { code: string; message: string } | undefined {
  if (!isRecord(value) || typeof value['code'] !== 'string' || typeof value['message'] !== 'string') return undefined;
  return { code: value['code'], message: redactText(value['message']) };
}

function asRedirects(value: unknown): RedirectHop[] | null {
  if (!Array.isArray(value)) return null;
  const hops: RedirectHop[] = [];
  for (const hop of value) {
    if (!isRecord(hop) || !isFiniteNumber(hop['status']) || typeof hop['location'] !== 'string') return null;
    hops.push({ status: hop['status'], location: redactText(hop['location']) });
  }
  return hops;
}

function asWarnings(value: unknown): CheckWarning[] | null {
  if (!Array.isArray(value)) return null;
  const warnings: CheckWarning[] = [];
  for (const warning of value) {
    const parsed = asCodeAndMessage(warning);
    if (parsed === undefined) return null;
    warnings.push(parsed as CheckWarning);
  }
  return warnings;
}

function asTimings(value: unknown): Timings | undefined {
  return isRecord(value) && isFiniteNumber(value['totalMs']) ? (value as unknown as Timings) : undefined;
}

