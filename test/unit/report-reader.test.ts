import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/model/errors.js';
import type { CheckResult } from '../../src/model/types.js';
import { mergeReports } from '../../src/pipeline/merge.js';
import { describePreviousReport, loadPreviousReport, readPreviousReport } from '../../src/reports/diff.js';
import { describeReportReading, emptyReportSource, isTornLine, MAX_REPORT_LINE_LENGTH, readReport, type ReportSource } from '../../src/reports/reader.js';
import { openJournal } from '../../src/reports/resume.js';
import { recordingReporter } from '../helpers/checks.js';
import { sampleResult, sampleTarget } from '../helpers/samples.js';
import { useTempDir } from '../helpers/temp-dir.js';

// The one reader of urlcheck's own reports and journals, and its one rule for torn and damaged
// lines, seen through each of its uses: --diff, urlcheck merge and --resume.

/** Result n: `https://h<n>.test/` at line n of list.txt, failing when n is a multiple of 3. */
const result = (n: number): CheckResult => sampleResult(sampleTarget(n), n % 3 !== 0);
const line = (n: number): string => JSON.stringify(result(n));

/** A JSON report as `-f json` writes it, holding results `ns`. */
function jsonReport(ns: number[]): string {
  const header = '{"tool":"urlcheck","version":"1.2.3","startedAt":"2024-05-01T12:00:00.000Z","results":[';
  const body = ns.length === 0 ? '],' : `\n${ns.map(line).join(',\n')}\n],`;
  return `${header}${body}\n"summary":{"total":${ns.length},"wallMs":5,"interrupted":false},\n"comparison":null,\n"diff":null}\n`;
}

/** What every use agrees on: the results read (url and ok), the damaged lines, and whether the file was whole. */
interface Reading {
  results: Array<{ url: string; ok: boolean }>;
  skippedLines: number;
  complete: boolean;
}

/** The one-line refusal, or what was read (by --diff: how many results, and which failed). */
type Outcome = Reading | (Omit<Reading, 'results'> & { results: number; failing: string[] }) | { refused: string };

const urlAndOk = (results: readonly CheckResult[]) => results.map(({ url, ok }) => ({ url, ok }));

async function refusal(error: unknown): Promise<{ refused: string }> {
  expect(error).toBeInstanceOf(UsageError);
  const message = (error as Error).message;
  expect(message).not.toContain('\n');
  return { refused: message };
}

/** The reader itself, over the text in memory (cut into chunks at `cuts`). */
async function viaReader(chunks: string[], name: string): Promise<(Reading & { source: ReportSource }) | { refused: string }> {
  const source = emptyReportSource(name);
  const results: CheckResult[] = [];
  try {
    for await (const batch of readReport(Readable.from(chunks.map((chunk) => Buffer.from(chunk))), source)) results.push(...batch);
  } catch (error) {
    return refusal(error);
  }
  return { results: urlAndOk(results), skippedLines: source.skippedLines, complete: source.complete, source };
}

/** URLs the tests' reports can hold: what --diff is asked about. */
const CANDIDATES = Array.from({ length: 50 }, (_, i) => result(i + 1).url);

/** `--diff` keeps only the failing URLs: a reading is the number of results and which of them failed. */
async function viaDiff(path: string): Promise<Outcome> {
  try {
    const report = await loadPreviousReport(path);
    const failing = CANDIDATES.filter((url) => report.wasFailing(url));
    return { results: report.results, failing, skippedLines: report.skippedLines, complete: report.complete };
  } catch (error) {
    return refusal(error);
  }
}

async function viaMerge(path: string): Promise<Reading | { refused: string }> {
  const recorder = recordingReporter();
  try {
    const outcome = await mergeReports({ paths: [path], reporter: recorder });
    const results = recorder.calls.flatMap((call) => (call.hook === 'onResult' ? [call.result] : []));
    const report = outcome.reports[0] as ReportSource;
    return { results: urlAndOk(results), skippedLines: report.skippedLines, complete: report.complete };
  } catch (error) {
    return refusal(error);
  }
}

/** `--resume`: opening repairs the file's end; `complete` is whether it was left as it was. */
async function viaResume(path: string): Promise<(Reading & { after: string }) | { refused: string }> {
  const before = await readFile(path, 'utf8');
  let journal;
  try {
    journal = await openJournal(path, { inputs: [], config: null, cwd: null, options: {} });
  } catch (error) {
    expect(await readFile(path, 'utf8')).toBe(before);
    return refusal(error);
  }
  const results: CheckResult[] = [];
  for await (const batch of journal.replay()) results.push(...batch);
  await journal.close();
  const after = await readFile(path, 'utf8');
  // A torn last line is cut off; a whole one missing its newline gets it; nothing else changes.
  const complete = after === before || after === `${before}\n`;
  return { results: urlAndOk(results), skippedLines: journal.skippedLines, complete, after };
}

const withoutSource = ({ results, skippedLines, complete }: Reading): Reading => ({ results, skippedLines, complete });

/** How --diff sees a reading: the number of results, and which of them failed. */
function asDiffSees(reading: Reading): Outcome {
  const failing = new Set(reading.results.filter((r) => !r.ok).map((r) => r.url));
  return { ...reading, results: reading.results.length, failing: CANDIDATES.filter((url) => failing.has(url)) };
}

describe('one rule for torn and damaged lines, for --diff, merge and --resume', () => {
  const temp = useTempDir('urlcheck-report-reader-');
  let files = 0;
  const fileWith = async (text: string): Promise<string> => {
    const path = join(temp.path(), `report-${(files += 1)}.ndjson`);
    await writeFile(path, text);
    return path;
  };

  /** The outcome of each use on a file holding `text` (resume last: it repairs the file's end). */
  async function everyUse(text: string) {
    const path = await fileWith(text);
    const reader = await viaReader([text], path);
    const diff = await viaDiff(path);
    const merge = await viaMerge(path);
    const resume = await viaResume(path);
    return { path, reader, diff, merge, resume };
  }

  /** Every use read what the reader read; their refusals differ only in wording, each naming the file. */
  function expectAgreement(uses: Awaited<ReturnType<typeof everyUse>>, expected: Reading | { refused: string }): void {
    const { path, reader, diff, merge, resume } = uses;
    const read = 'refused' in reader ? reader : withoutSource(reader);
    if ('refused' in expected) {
      for (const outcome of [read, diff, merge, resume]) {
        expect(outcome).toHaveProperty('refused');
        expect((outcome as { refused: string }).refused).toContain(`"${path}"`);
      }
      return;
    }
    expect(read).toEqual(expected);
    expect(merge).toEqual(expected);
    expect(diff).toEqual(asDiffSees(expected));
    expect('refused' in resume ? resume : { results: resume.results, skippedLines: resume.skippedLines, complete: resume.complete }).toEqual(expected);
  }

  it('reads an NDJSON report the same in every use', async () => {
    const uses = await everyUse(`${[1, 2, 3, 4].map(line).join('\n')}\n`);
    expectAgreement(uses, { results: urlAndOk([1, 2, 3, 4].map(result)), skippedLines: 0, complete: true });
  });

  it('reads a JSON report (one whole document) for --diff and merge; --resume refuses it, untouched: a journal is NDJSON', async () => {
    const path = await fileWith(jsonReport([1, 2, 3]));
    const expected = { results: urlAndOk([1, 2, 3].map(result)), skippedLines: 0, complete: true };
    expect(await viaMerge(path)).toEqual(expected);
    expect(await viaDiff(path)).toEqual(asDiffSees(expected));
    expect(await viaResume(path)).toEqual({ refused: `--resume journal "${path}" is not a urlcheck journal (its lines are not results); give a new file name, or delete the file` });
    expect(await viaReader([jsonReport([1, 2, 3])], path)).toMatchObject({ source: { format: 'json', version: '1.2.3', wallMs: 5, torn: false } });
  });

  it('a torn first line, the only one, is a report with no results for every use (--diff refused it before)', async () => {
    for (const text of ['{', '{"url":"https://h1.te', line(1).slice(0, -1)]) {
      const uses = await everyUse(text);
      expectAgreement(uses, { results: [], skippedLines: 0, complete: false });
      expect(uses.reader).toMatchObject({ source: { format: 'ndjson', torn: true, interrupted: true } });
      // --resume cut it off: the next result starts the file.
      expect(uses.resume).toMatchObject({ after: '' });
    }
  });

  it('a torn first line of a JSON report is a JSON report with no results for --diff and merge', async () => {
    const path = await fileWith('{"tool":"urlcheck","vers');
    expect(await viaDiff(path)).toEqual(asDiffSees({ results: [], skippedLines: 0, complete: false }));
    expect(await viaMerge(path)).toEqual({ results: [], skippedLines: 0, complete: false });
    expect((await viaResume(path)) as { refused: string }).toHaveProperty('refused');
  });

  it('a torn last line is skipped, not counted as damaged, and marks the report incomplete', async () => {
    const uses = await everyUse(`${line(1)}\n${line(2)}\n${line(3).slice(0, 40)}`);
    expectAgreement(uses, { results: urlAndOk([result(1), result(2)]), skippedLines: 0, complete: false });
    expect(uses.resume).toMatchObject({ after: `${line(1)}\n${line(2)}\n` });
  });

  it('any unterminated last line that is not complete JSON is torn, not only a piece of a result (--resume refused such a journal before)', async () => {
    const uses = await everyUse(`${line(1)}\nhello`);
    expectAgreement(uses, { results: urlAndOk([result(1)]), skippedLines: 0, complete: false });
    expect(uses.resume).toMatchObject({ after: `${line(1)}\n` });
  });

  it('a whole last line that only lacks its newline is read like any other', async () => {
    const uses = await everyUse(`${line(1)}\n${line(2)}`);
    expectAgreement(uses, { results: urlAndOk([result(1), result(2)]), skippedLines: 0, complete: true });
  });

  it('damaged lines in the middle are skipped and counted, and reading goes on', async () => {
    const damaged = ['not json', '{"url":"https://h9.test/","ok":true}', `${line(9).slice(0, 30)}`, '[1,2]', '"summary":{}'];
    const uses = await everyUse(`${line(1)}\n${damaged.join('\n')}\n\n${line(2)}\r\n${line(3)}\n`);
    expectAgreement(uses, { results: urlAndOk([1, 2, 3].map(result)), skippedLines: damaged.length, complete: true });
  });

  it('a damaged last line that a newline ends is damaged, not torn: a kill cannot leave it', async () => {
    const uses = await everyUse(`${line(1)}\n{"url":"https://h2.te\n`);
    expectAgreement(uses, { results: urlAndOk([result(1)]), skippedLines: 1, complete: true });
  });

  it('an unterminated last line that is complete JSON but no result is damaged, not torn; --resume keeps it on a line of its own', async () => {
    const uses = await everyUse(`${line(1)}\n{"url":"x"}`);
    expectAgreement(uses, { results: urlAndOk([result(1)]), skippedLines: 1, complete: true });
    expect(uses.resume).toMatchObject({ after: `${line(1)}\n{"url":"x"}\n` });
  });

  it('refuses, in one line naming the file, a file whose first line is no report header or result', async () => {
    for (const text of ['https://a.test/\nhttps://b.test/\n', 'https://a.test/', 'url,ok\n', '{"name":"x"}\n', `not json\n${line(1)}\n`, '{"url":"https://h1.te\n', '{"tool":"other","results":[\n']) {
      expectAgreement(await everyUse(text), { refused: '' });
    }
  });

  it('reads an empty file as a report with no results, in every use', async () => {
    expectAgreement(await everyUse(''), { results: [], skippedLines: 0, complete: true });
    expectAgreement(await everyUse('\n  \n'), { results: [], skippedLines: 0, complete: true });
  });

  it('reads a result line longer than an input line may be (a 1.5 MiB URL) in every use', async () => {
    const long = { ...result(1), url: `https://h1.test/${'a'.repeat(1.5 * 1024 * 1024)}` };
    const uses = await everyUse(`${JSON.stringify(long)}\n${line(2)}\n`);
    expectAgreement(uses, { results: [{ url: long.url, ok: long.ok }, urlAndOk([result(2)])[0] as { url: string; ok: boolean }], skippedLines: 0, complete: true });
  });

  it('agrees with the reader in every use, on any mix of results, damaged and blank lines and any end', async () => {
    const body = fc.array(
      fc.oneof(
        fc.integer({ min: 1, max: 50 }).map(line),
        fc.integer({ min: 1, max: 50 }).map((n) => `${line(n)}\r`),
        fc.constantFrom('', '  ', 'garbage', '{"url":"https://x.test/","ok":false}', '{"url":"https://cut'),
      ),
      { maxLength: 8 },
    );
    const end = fc.oneof(
      fc.constant(''),
      fc.integer({ min: 1, max: 50 }).map(line),
      fc.tuple(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 200 })).map(([n, cut]) => line(n).slice(0, cut)),
    );
    await fc.assert(
      fc.asyncProperty(body, end, async (lines, last) => {
        const text = lines.map((l) => `${l}\n`).join('') + last;
        const uses = await everyUse(text);
        expectAgreement(uses, 'refused' in uses.reader ? { refused: '' } : withoutSource(uses.reader));
      }),
      { numRuns: 60 },
    );
  });
});

describe('the reader over a stream', () => {
  it('gives the same outcome however the stream is cut into chunks, the torn last line included', async () => {
    const text = `${line(1)}\ngarbage\n${line(2)}\n${line(3).slice(0, 50)}`;
    const whole = await viaReader([text], 'x');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat({ max: text.length }), { maxLength: 6 }), async (cuts) => {
        const offsets = [...cuts].sort((a, b) => a - b);
        const chunks = [0, ...offsets].map((start, i) => text.slice(start, offsets[i] ?? text.length));
        expect(await viaReader(chunks, 'x')).toEqual(whole);
      }),
      { numRuns: 80 },
    );
    expect(whole).toMatchObject({ skippedLines: 1, complete: false, source: { torn: true } });
  });
});

describe('isTornLine', () => {
  it('is true for what a cut write leaves, false for complete JSON lines of either format and for blank lines', () => {
    expect(isTornLine('{"url":"https://a.te')).toBe(true);
    expect(isTornLine('{')).toBe(true);
    expect(isTornLine('"summary":{"total":1')).toBe(true);
    expect(isTornLine(line(1))).toBe(false);
    expect(isTornLine(`${line(1)},`)).toBe(false);
    expect(isTornLine('"summary":{"total":1},')).toBe(false);
    expect(isTornLine('{"name":"x"}')).toBe(false);
    expect(isTornLine('  ')).toBe(false);
    expect(isTornLine(line(1), true)).toBe(true);
    expect(MAX_REPORT_LINE_LENGTH).toBe(16 * 1024 * 1024);
  });
});

describe('what reading skipped, for stderr', () => {
  it('names the file, says what became of its complete results, and counts the damaged lines', () => {
    const report = { ...emptyReportSource('a.ndjson'), results: 1200, complete: false, skippedLines: 2 };
    expect(describeReportReading(report, 'report', 'merged')).toEqual([
      'report "a.ndjson" ends early (a torn last line, or no summary): its 1,200 complete results were merged',
      'report "a.ndjson": 2 lines that are not a result skipped',
    ]);
    expect(describeReportReading(emptyReportSource('b.json'), 'report', 'merged')).toEqual([]);
  });

  it('words the --diff report the same way', async () => {
    const previous = await readPreviousReport(Readable.from([`${line(1)}\nnot json\n${line(3).slice(0, 20)}`]), 'last.ndjson');
    expect(describePreviousReport(previous)).toEqual([
      '--diff report "last.ndjson" ends early (a torn last line, or no summary): its 1 complete result was compared',
      '--diff report "last.ndjson": 1 line that is not a result skipped',
    ]);
  });
});
