// The one reader of urlcheck's own reports and journals: its rule is readReport's JSDoc.
import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { readLineBatches } from '../input/lines.js';
import { UsageError } from '../model/errors.js';
import type { CheckResult } from '../model/types.js';
import { describeFsError } from '../util/fs-errors.js';
import { printable } from '../util/redact.js';
import { plural } from '../util/text.js';
import { isFiniteNumber, isRecord, isVerdict, resultFromReport } from './result.js';

/** How a report was written: one JSON document (`-f json`) or one result per line (`-f ndjson`, a journal). */
export type ReportFormat = 'json' | 'ndjson';

/**
 * Longest report line read, in UTF-16 code units (16 Mi): a result can quote an input line of up
 * to 1 MiB in its `url`, `finalUrl` and error message. A longer line is damaged (or torn, last).
 */
export const MAX_REPORT_LINE_LENGTH = 16 * 1024 * 1024;

/**
 * What reading one report found, filled in as it is read: a read stopped early (an interrupted
 * merge) still says how far it got.
 */
export interface ReportSource {
  /** The path as given, made printable: how messages name the report. */
  name: string;
  /** Null until the first line was read; an empty file is an NDJSON report with no results. */
  format: ReportFormat | null;
  /** The urlcheck version that wrote it (a JSON report's or a journal's header); null for other NDJSON. */
  version: string | null;
  /** When its run started (a JSON report's header); null for NDJSON. */
  startedAt: Date | null;
  /**
   * A `--resume` journal's header, its first line (`{"tool":"urlcheck","journal":1,…}`: which run it
   * belongs to); absent for a report, and for a journal written before journals had one.
   */
  journal?: Record<string, unknown>;
  /** Results read. */
  results: number;
  /** Results written before `verdict` existed, whose verdict was derived from `ok`, `status` and `error`. */
  upgraded: number;
  /** Damaged lines: non-blank lines, other than a torn last line, that held no result (or summary) and were skipped. */
  skippedLines: number;
  /** True when the last line was torn (no newline after it, not complete JSON) and was skipped. */
  torn: boolean;
  /**
   * False when the report ends early: a torn last line (a run killed mid-write, a full disk), or a
   * JSON report without its summary. Its complete results are still used.
   */
  complete: boolean;
  /** True when the report is incomplete, or its own summary says its run was interrupted. */
  interrupted: boolean;
  /** Its run's wall time from its summary, in milliseconds; null when it carries none (NDJSON, an incomplete JSON report). */
  wallMs: number | null;
}

/** How one use of the reader (merge, `--diff`, `--resume`) words its refusals: one line, naming the file. */
export interface ReportUse {
  /** The file cannot be read; `reason` is {@link describeFsError}'s phrase. */
  cannotRead(name: string, reason: string): string;
  /** The file is not a report; `line` is its first non-blank line (1-based). */
  notAReport(name: string, line: number): string;
}

/** `urlcheck merge`'s wording, and the default of {@link readReport} and {@link readReportResults}. */
export const MERGE_USE: ReportUse = {
  cannotRead: (name, reason) => `cannot read report "${name}": ${reason}`,
  notAReport: (name, line) =>
    `cannot read report "${name}": not a urlcheck JSON or NDJSON report (line ${line} is neither); ` +
    'merge reports written with -f json or -f ndjson (for a reformatted one: jq -c ".results[]" > report.ndjson)',
};

/** A {@link ReportSource} for a report not read yet, named `name`. */
export function emptyReportSource(name: string): ReportSource {
  return { name, format: null, version: null, startedAt: null, results: 0, upgraded: 0, skippedLines: 0, torn: false, complete: true, interrupted: false, wallMs: null };
}

/**
 * Streams every result of the report at `path` (or in the open file `path`, which stays open), a batch per 64 KiB chunk read, as
 * {@link CheckResult}s in this version's shape (see {@link resultFromReport}), by
 * {@link readReport}'s rule for torn and damaged lines. Throws a {@link UsageError} worded by
 * `use` when the file cannot be read or is not a report.
 *
 * @param into - filled in as the report is read (format, header, counts, summary); a fresh one by default
 * @param bytes - read only the first this many bytes (a journal's complete lines); the whole file by default
 */
export async function* readReportResults(
  path: string | FileHandle,
  into: ReportSource = emptyReportSource(printable(String(path))),
  use: ReportUse = MERGE_USE,
  bytes?: number,
): AsyncGenerator<CheckResult[], ReportSource> {
  try {
    const range = bytes === undefined ? {} : { start: 0, end: bytes - 1 };
    // An open file is read where it is, never by its name again: --resume checked what it opened.
    const chunks = typeof path === 'string' ? createReadStream(path, range) : chunksOf(path, bytes);
    return yield* readReport(chunks, into, use);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(use.cannotRead(into.name, describeFsError(error)), { cause: error });
  }
}

/**
 * Reads the report at `path` only as far as its format is known (its first non-blank line, or
 * the chunk holding it), then closes it: `into` then holds its format and, for JSON, its header.
 * Refuses what {@link readReportResults} refuses.
 */
export async function readReportHead(path: string | FileHandle, into: ReportSource, use: ReportUse = MERGE_USE): Promise<ReportSource> {
  const reading = readReportResults(path, into, use);
  try {
    while (into.format === null) {
      const step = await reading.next();
      if (step.done === true) break;
    }
  } finally {
    await reading.return(into);
  }
  return into;
}

// How the lines urlcheck writes start: JSON.stringify puts `url` first in every result.
const RESULT_START = '{"url":';
const HEADER_START = '{"tool":"urlcheck"';
/** How a `--resume` journal's header starts: JSON.stringify puts `tool` and `journal` first. */
const JOURNAL_START = '{"tool":"urlcheck","journal":';
const SUMMARY_PREFIX = '"summary":';
/** The first line of `-f json`: `{"tool":"urlcheck",…,"results":[`, or `…"results":[],` when the run had no results. */
const JSON_REPORT_START = /^\{"tool":"urlcheck",.*"results":\[(\],)?$/;

/**
 * The one reader of urlcheck's own reports (`-f json`, `-f ndjson`) and `--resume` journals
 * (NDJSON), for `--diff`, `urlcheck merge` and `--resume`, over any byte or text stream (a file, a
 * test's strings; {@link readReportResults} opens a file); `into.name` is how messages name it.
 * It streams the results, a batch per chunk read, holding no more than one line and one batch.
 * Its rule for torn and damaged lines, the same for all three uses:
 *
 * 1. The first non-blank line tells the format: a `-f json` header
 *    (`{"tool":"urlcheck",…,"results":[`), a journal's header (`{"tool":"urlcheck","journal":…}`:
 *    NDJSON, kept in `journal`, neither a result nor a damaged line) or a result (NDJSON). A file
 *    whose first non-blank line is none of these is refused with a one-line {@link UsageError}
 *    naming the file. An empty file is an NDJSON report with no results.
 * 2. A torn line is the last line when no newline ends it and it is not complete JSON: what a
 *    write cut short by a kill or a full disk leaves. It is skipped and never an error, and the
 *    report is read as incomplete (`torn`, `complete: false`), even when it is the only line,
 *    provided it starts like a line urlcheck writes (`{"url":` or `{"tool":"urlcheck"`, or a piece
 *    of one; a torn journal header is an NDJSON report with no results). A complete last line that
 *    only lacks its newline is read like any other.
 * 3. A damaged line is any other non-blank line that is not a result (not JSON, not an object
 *    with the fields every urlcheck version wrote, or longer than {@link MAX_REPORT_LINE_LENGTH}):
 *    it is skipped and counted (`skippedLines`), for the command to warn about, and reading goes on.
 * 4. A JSON report is complete once the summary line after its results array is read, and reading
 *    stops there; an NDJSON report or journal is complete unless its last line is torn.
 *
 * @param into - filled in as the report is read; its counts say how far a read stopped early got
 * @param use - how refusals are worded (merge's by default)
 * @returns `into`, once the stream is read
 */
export async function* readReport(
  chunks: AsyncIterable<Buffer | string>,
  into: ReportSource,
  use: ReportUse = MERGE_USE,
): AsyncGenerator<CheckResult[], ReportSource> {
  const report = into;
  const end = { midLine: false };
  // JSON only: the results array has closed, and the summary line comes next.
  let afterResults = false;
  let summaryRead = false;

  reading: for await (const lines of readLineBatches(notingEnd(chunks, end), MAX_REPORT_LINE_LENGTH)) {
    const batch: CheckResult[] = [];
    let stop = false;
    for (const [index, { line, text, truncated }] of lines.entries()) {
      const trimmed = text.trim();
      if (trimmed === '') continue;
      // Known only once the stream has ended, when its unterminated last line comes in a batch of its own.
      const torn = end.midLine && index === lines.length - 1 && isTornLine(trimmed, truncated);

      if (report.format === null) {
        if (!truncated && trimmed.startsWith(JOURNAL_START) && readJournalHeader(trimmed, report)) continue;
        if (!truncated && JSON_REPORT_START.test(trimmed) && readHeader(trimmed, report)) {
          afterResults = trimmed.endsWith('],');
          continue;
        }
        const first = parseResultLine(trimmed, truncated, null, report);
        if (first !== null) {
          report.format = 'ndjson';
          batch.push(first);
          continue;
        }
        // A run killed while writing its first line left a report with no results, if it is one at all.
        const tornFormat = !torn ? null : startsLike(trimmed, RESULT_START) || isTornJournalHeader(trimmed) ? 'ndjson' : startsLike(trimmed, HEADER_START) ? 'json' : null;
        if (tornFormat === null) throw new UsageError(use.notAReport(report.name, line));
        report.format = tornFormat;
        report.torn = true;
        continue;
      }

      if (report.format === 'json') {
        if (afterResults) {
          // The summary is the last thing a report says that a reader needs: the rest is never read.
          const summary = parseSummaryLine(trimmed, truncated);
          if (summary !== null) {
            summaryRead = true;
            report.wallMs = summary.wallMs;
            if (summary.interrupted) report.interrupted = true;
          } else skip(report, torn);
          stop = true;
          break;
        }
        if (trimmed.startsWith(']')) {
          afterResults = true;
          continue;
        }
      }
      const result = parseResultLine(trimmed, truncated, report.format, report);
      if (result === null) skip(report, torn);
      else batch.push(result);
    }
    if (batch.length > 0) {
      report.results += batch.length;
      yield batch;
    }
    if (stop) break reading;
  }

  report.format ??= 'ndjson';
  report.complete = !report.torn && (report.format === 'ndjson' || summaryRead);
  if (!report.complete) report.interrupted = true;
  return report;
}

/**
 * True when `text`, a last line that no newline ends, is torn by the reader's rule: longer than
 * {@link MAX_REPORT_LINE_LENGTH} (`truncated`), or not complete JSON (a result, with or without a
 * JSON report's trailing comma, or a `"key":value` line of a JSON report). A blank line is not torn.
 */
export function isTornLine(text: string, truncated = false): boolean {
  const trimmed = text.trim();
  if (trimmed === '') return false;
  if (truncated || trimmed.length > MAX_REPORT_LINE_LENGTH) return true;
  const body = trimmed.endsWith(',') ? trimmed.slice(0, -1) : trimmed;
  try {
    JSON.parse(body.startsWith('"') ? `{${body}}` : body);
    return false;
  } catch {
    return true;
  }
}

/**
 * What reading a report skipped, as lines for stderr (none when nothing was): an early end (a
 * torn last line, or a JSON report without its summary) and damaged lines. `label` names the file
 * as the command does (`report`, `--diff report`); `used` says what became of its complete results.
 */
export function describeReportReading(
  report: Pick<ReportSource, 'name' | 'results' | 'complete' | 'skippedLines'>,
  label: string,
  used: string,
): string[] {
  const lines: string[] = [];
  if (!report.complete) {
    const were = report.results === 1 ? 'was' : 'were';
    lines.push(`${label} "${report.name}" ends early (a torn last line, or no summary): its ${plural(report.results, 'complete result')} ${were} ${used}`);
  }
  if (report.skippedLines > 0) {
    lines.push(`${label} "${report.name}": ${plural(report.skippedLines, 'line')} that ${report.skippedLines === 1 ? 'is' : 'are'} not a result skipped`);
  }
  return lines;
}

const CHUNK_BYTES = 64 * 1024;

/** The open file's first `bytes` bytes (all of it by default), a chunk at a time, read by position: the file stays open (a stream's destroy would close it). */
async function* chunksOf(handle: FileHandle, bytes = Number.POSITIVE_INFINITY): AsyncGenerator<Buffer> {
  for (let position = 0; position < bytes; ) {
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, bytes - position));
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
    if (bytesRead === 0) return;
    position += bytesRead;
    yield chunk.subarray(0, bytesRead);
  }
}

/** The chunks of `chunks`; once they end, `end.midLine` says whether the last one ended inside a line. */
async function* notingEnd(chunks: AsyncIterable<Buffer | string>, end: { midLine: boolean }): AsyncGenerator<Buffer | string> {
  let last = -1;
  for await (const chunk of chunks) {
    if (chunk.length > 0) last = typeof chunk === 'string' ? chunk.charCodeAt(chunk.length - 1) : (chunk[chunk.length - 1] as number);
    yield chunk;
  }
  end.midLine = last !== -1 && last !== 0x0a;
}

/** A line that held nothing it should have: torn if it is the unterminated last one, else damaged. */
function skip(report: ReportSource, torn: boolean): void {
  if (torn) report.torn = true;
  else report.skippedLines += 1;
}

/** True when `text` starts with `start`, or is cut off before its end. */
function startsLike(text: string, start: string): boolean {
  return text.startsWith(start) || start.startsWith(text);
}

/** A piece of a journal's header: past where a JSON report's header could still begin the same. */
function isTornJournalHeader(text: string): boolean {
  return text.length > HEADER_START.length && startsLike(text, JOURNAL_START);
}

/** Takes a journal's header line into `report` (an NDJSON report); false when it is not a JSON object. */
function readJournalHeader(text: string, report: ReportSource): boolean {
  const value = parseJson(text);
  if (!isRecord(value)) return false;
  report.format = 'ndjson';
  report.journal = value;
  report.version = typeof value['version'] === 'string' ? value['version'] : null;
  return true;
}

/** Takes a JSON report's header line into `report`; false when it is not valid JSON once its array is closed. */
function readHeader(text: string, report: ReportSource): boolean {
  const value = parseJson(text.endsWith('],') ? `${text.slice(0, -1)}}` : `${text}]}`);
  if (!isRecord(value)) return false;
  const { version, startedAt } = value;
  const date = typeof startedAt === 'string' ? new Date(startedAt) : null;
  report.format = 'json';
  report.version = typeof version === 'string' ? version : null;
  report.startedAt = date !== null && !Number.isNaN(date.getTime()) ? date : null;
  return true;
}

/**
 * A JSON report's `"summary":{…},` line: its wall time (null when it has none, as hand-made or
 * very old reports) and whether its run was interrupted. Null when the line is no summary.
 */
function parseSummaryLine(text: string, truncated: boolean): { wallMs: number | null; interrupted: boolean } | null {
  if (truncated || !text.startsWith(SUMMARY_PREFIX)) return null;
  const body = text.slice(SUMMARY_PREFIX.length);
  const value = parseJson(body.endsWith(',') ? body.slice(0, -1) : body);
  if (!isRecord(value)) return null;
  return { wallMs: isFiniteNumber(value['wallMs']) ? value['wallMs'] : null, interrupted: value['interrupted'] === true };
}

/**
 * The result on one line: an NDJSON result, or an element of a JSON report's results array
 * (where every element but the last ends with a comma). Null when the line holds none.
 */
function parseResultLine(text: string, truncated: boolean, format: ReportFormat | null, report: ReportSource): CheckResult | null {
  if (truncated || !text.startsWith('{')) return null;
  const value = parseJson(format === 'json' && text.endsWith(',') ? text.slice(0, -1) : text);
  const result = resultFromReport(value);
  if (result !== null && !isVerdict((value as Record<string, unknown>)['verdict'])) report.upgraded += 1;
  return result;
}

/** `JSON.parse(text)`, or undefined when `text` is not JSON. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
