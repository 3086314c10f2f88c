import type { UsageError } from '../model/errors.js';
import type { DiffSummary } from '../model/run.js';
import type { Change, CheckResult } from '../model/types.js';
import { printable } from '../util/redact.js';
import { describeReportReading, emptyReportSource, readReport, readReportResults, type ReportFormat, type ReportSource, type ReportUse } from './reader.js';

export type { Change } from '../model/types.js';

/** How a previous report was written: one JSON document (`-f json`) or one result per line (`-f ndjson`). */
export type PreviousReportFormat = ReportFormat;

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
   * @param complete - false when the report ended early (a torn last line, a JSON report
   *   without its summary): only its complete lines were used
   * @param skippedLines - damaged lines (not results) that were skipped
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

/** `--diff`'s wording of the reader's refusals. */
const DIFF_USE: ReportUse = {
  cannotRead: (name, reason) => `cannot read --diff report "${name}": ${reason}`,
  notAReport: (name, line) =>
    `--diff report "${name}" is not a urlcheck JSON or NDJSON report (line ${line} is neither); ` +
    'use a report written with -f json or -f ndjson (for a reformatted one: jq -c ".results[]" > report.ndjson)',
};

/**
 * Reads a previous urlcheck report (`-f json` or `-f ndjson`) through the one report reader
 * ({@link readReport}, whose rule for torn and damaged lines it follows), keeping only the URLs
 * that failed. A report cut short (a run killed mid-way, a full disk) still loads: its complete
 * results are used. Reports written before `verdict` existed load too. Throws a
 * {@link UsageError} (one line) when the file cannot be read or is not a urlcheck JSON or NDJSON report.
 */
export async function loadPreviousReport(path: string): Promise<PreviousReport> {
  const into = emptyReportSource(printable(path));
  return previousReportOf(readReportResults(path, into, DIFF_USE), into);
}

/**
 * {@link loadPreviousReport} over any byte or text stream (a file, stdin, a test's strings);
 * `name` is how messages name it.
 */
export async function readPreviousReport(chunks: AsyncIterable<Buffer | string>, name: string): Promise<PreviousReport> {
  const into = emptyReportSource(name);
  return previousReportOf(readReport(chunks, into, DIFF_USE), into);
}

/**
 * Lines for stderr about what reading the previous report skipped (none when nothing was): an
 * early end, damaged lines. The counts are in the {@link PreviousReport}; the CLI prints these.
 */
export function describePreviousReport(report: PreviousReport): string[] {
  return describeReportReading(report, '--diff report', 'compared');
}

async function previousReportOf(reading: AsyncIterable<CheckResult[]>, into: ReportSource): Promise<PreviousReport> {
  const failing = new Set<string>();
  for await (const batch of reading) {
    // A URL listed twice is failing if any of its lines failed.
    for (const result of batch) if (!result.ok) failing.add(result.url);
  }
  return new PreviousReport(into.name, into.format ?? 'ndjson', failing, into.results, into.complete, into.skippedLines);
}

export type { DiffSummary } from '../model/run.js';
