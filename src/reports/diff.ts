import { createReadStream } from 'node:fs';
import { UsageError } from '../model/errors.js';
import { readLineBatches } from '../input/lines.js';
import { printable } from '../util/redact.js';
import { JSON_REPORT_START, parseReportLine } from './report-lines.js';
import type { Change, CheckResult } from '../model/types.js';
import { describeFsError } from '../util/fs-errors.js';
import type { DiffSummary } from '../model/run.js';

export type { Change } from '../model/types.js';

/** How a previous report was written: one JSON document (`-f json`) or one result per line (`-f ndjson`). */
export type PreviousReportFormat = 'json' | 'ndjson';

/**
 * What a run needs to know about an earlier one: which URLs failed in it (`ok === false`).
 * A URL it does not list as failing was healthy or absent, and both compare the same, so
 * nothing else is kept: memory grows with the previous run's failures, not with its length.
 */
export class PreviousReport {
  private readonly failing: ReadonlySet<string>;

  /**
   * @param name - how messages and the summary name the report (its path, made printable)
   * @param format - how the report was written
   * @param failingUrls - the `url` of every failed result; a `Set` is adopted, not copied
   * @param results - result lines read
   * @param complete - false when the report ended early (a run killed mid-way, a truncated
   *   file): only its complete lines were used
   * @param skippedLines - non-blank lines that were not results and were skipped
   */
  constructor(
    readonly name: string,
    readonly format: PreviousReportFormat,
    failingUrls: Iterable<string>,
    readonly results = 0,
    readonly complete = true,
    readonly skippedLines = 0,
  ) {
    this.failing = failingUrls instanceof Set ? (failingUrls as Set<string>) : new Set(failingUrls);
  }

  /** Distinct URLs that failed in the previous run. */
  get failingCount(): number {
    return this.failing.size;
  }

  /** True when `url` (the redacted display URL) failed in the previous run, on any of its lines. */
  wasFailing(url: string): boolean {
    return this.failing.has(url);
  }
}


/**
 * Compares each result of this run with a {@link PreviousReport} as results stream past, and
 * counts the changes. Results are keyed by `url`, the redacted display URL both reports carry.
 * Holds only the previously failing URLs this run has seen (for {@link DiffSummary.gone}).
 */
export class DiffTracker {
  private readonly seenFailing = new Set<string>();
  private newlyFailing = 0;
  private recovered = 0;
  private stillFailing = 0;

  constructor(private readonly previous: PreviousReport) {}

  /** The change for this result, or null when it was healthy (ok), or absent, then and is healthy now. */
  classify(result: Pick<CheckResult, 'url' | 'ok'>): Change | null {
    const wasFailing = this.previous.wasFailing(result.url);
    if (wasFailing) this.seenFailing.add(result.url);
    if (!result.ok) {
      if (wasFailing) {
        this.stillFailing += 1;
        return 'still-failing';
      }
      this.newlyFailing += 1;
      return 'newly-failing';
    }
    if (!wasFailing) return null;
    this.recovered += 1;
    return 'recovered';
  }

  /** The counts so far; call it once the run is over (calling it earlier is harmless). */
  finish(): DiffSummary {
    return {
      previous: this.previous.name,
      newlyFailing: this.newlyFailing,
      recovered: this.recovered,
      stillFailing: this.stillFailing,
      gone: this.previous.failingCount - this.seenFailing.size,
    };
  }
}

/**
 * Reads a previous urlcheck report (`-f json` or `-f ndjson`, told apart by its first line) as a
 * stream, one line at a time, keeping only the URLs that failed. A report cut short (a run
 * killed mid-way, a full disk) still loads: its complete lines are used. Reports written before
 * `verdict` existed load too: only `url` and `ok` are read. Throws a {@link UsageError} (one
 * line) when the file cannot be read or is not a urlcheck JSON or NDJSON report.
 */
export async function loadPreviousReport(path: string): Promise<PreviousReport> {
  const name = printable(path);
  try {
    return await readPreviousReport(createReadStream(path), name);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read --diff report "${name}": ${describeFsError(error)}`);
  }
}

/**
 * {@link loadPreviousReport} over any byte or text stream (a file, stdin, a test's strings);
 * `name` is how messages name it.
 */
export async function readPreviousReport(chunks: AsyncIterable<Buffer | string>, name: string): Promise<PreviousReport> {
  let format: PreviousReportFormat | null = null;
  let results = 0;
  let skippedLines = 0;
  // A JSON report is complete once its results array closed.
  let closed = false;
  // The last non-blank line did not parse: harmless if nothing follows (a cut-off last line).
  let lastLineBroken = false;
  const failing = new Set<string>();

  reading: for await (const batch of readLineBatches(chunks)) {
    for (const { line, text, truncated } of batch) {
      const trimmed = text.trim();
      if (trimmed === '') continue;
      if (lastLineBroken) skippedLines += 1;
      lastLineBroken = false;
      if (format === null) {
        if (JSON_REPORT_START.test(trimmed)) {
          format = 'json';
          if (trimmed.endsWith('],')) {
            closed = true;
            break reading;
          }
          continue;
        }
        format = 'ndjson';
        if (parseResultLine(trimmed, truncated, null) === null) {
          throw new UsageError(
            `--diff report "${name}" is not a urlcheck JSON or NDJSON report (line ${line} is neither); ` +
              'use a report written with -f json or -f ndjson (for a reformatted one: jq -c ".results[]" > report.ndjson)',
          );
        }
      }
      if (format === 'json' && trimmed.startsWith(']')) {
        // The summary after the results array says nothing the results did not: stop reading here.
        closed = true;
        break reading;
      }
      const result = parseResultLine(trimmed, truncated, format);
      if (result === null) {
        lastLineBroken = true;
        continue;
      }
      results += 1;
      // A URL listed twice is failing if any of its lines failed.
      if (!result.ok) failing.add(result.url);
    }
  }

  // An empty file is what an NDJSON run killed before its first result leaves behind.
  const complete = format === 'json' ? closed : !lastLineBroken;
  return new PreviousReport(name, format ?? 'ndjson', failing, results, complete, skippedLines);
}

/** `url` and `ok` of one result line, or null when the line is not a result. */
function parseResultLine(text: string, truncated: boolean, format: PreviousReportFormat | null): { url: string; ok: boolean } | null {
  const value = parseReportLine(text, truncated, format);
  if (value === null) return null;
  const { url, ok } = value;
  return typeof url === 'string' && typeof ok === 'boolean' ? { url, ok } : null;
}


export type { DiffSummary } from '../model/run.js';
