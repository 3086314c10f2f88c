import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { Chalk } from 'chalk';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DiffTracker, loadPreviousReport, PreviousReport, readPreviousReport } from '../../src/reports/diff.js';
import { UsageError } from '../../src/model/errors.js';
import { TextWriter } from '../../src/util/text-writer.js';
import { createJsonReporter } from '../../src/reporters/json.js';
import { createNdjsonReporter } from '../../src/reporters/ndjson.js';
import type { ReporterFactory } from '../../src/model/reporter.js';
import { SummaryBuilder } from '../../src/model/summary.js';
import type { CheckResult } from '../../src/model/types.js';
import { sampleResult, sampleTarget } from '../helpers/samples.js';
import { useTempDir } from '../helpers/temp-dir.js';

const NO_COLOR = new Chalk({ level: 0 });

/** A result for `https://h<n>.test/` at line n: healthy when `ok`. */
function at(n: number, ok: boolean): CheckResult {
  return sampleResult(sampleTarget(n), ok);
}

/** The text a real reporter writes for these results. */
async function reportText(factory: ReporterFactory, results: CheckResult[]): Promise<string> {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(String(chunk)));
  const out = new TextWriter(stream);
  const reporter = factory({ out, err: out, color: NO_COLOR, errColor: NO_COLOR, quiet: false });
  const summary = new SummaryBuilder();
  await reporter.onRunStart?.({
    version: '1.2.3',
    startedAt: new Date('2024-05-01T12:00:00.000Z'),
    concurrency: 1,
    perHost: null,
    timeoutMs: 1000,
    retries: 0,
    method: 'head',
    accept: '200-299',
    maxRedirects: 10,
  });
  for (const result of results) {
    summary.add(result);
    await reporter.onResult?.(result);
  }
  await reporter.onRunEnd?.({ summary: summary.finish(10, false), comparison: null, diff: null });
  await out.flush();
  await new Promise((resolve) => setImmediate(resolve));
  return chunks.join('');
}

/** A report read from text, as if from a file called `name`. */
function fromText(text: string, name = 'last.json'): Promise<PreviousReport> {
  return readPreviousReport(Readable.from([Buffer.from(text)]), name);
}

/** Which of `urls` the report lists as failing. */
function failingOf(report: PreviousReport, urls: string[]): string[] {
  return urls.filter((url) => report.wasFailing(url));
}

const URLS = [1, 2, 3, 4, 5].map((n) => `https://h${n}.test/`);

describe('DiffTracker', () => {
  const previous = new PreviousReport('last.json', 'json', ['https://h1.test/', 'https://h2.test/', 'https://h3.test/']);

  it('classifies each result by how its URL stood in the previous report', () => {
    const tracker = new DiffTracker(previous);
    expect(tracker.classify(at(1, false))).toBe('still-failing');
    expect(tracker.classify(at(2, true))).toBe('recovered');
    expect(tracker.classify(at(4, false))).toBe('newly-failing');
    expect(tracker.classify(at(5, true))).toBeNull();
  });

  it('treats a URL the previous report never listed like one that was healthy', () => {
    const tracker = new DiffTracker(previous);
    expect(tracker.classify({ url: 'https://never-seen.test/', ok: false })).toBe('newly-failing');
    expect(tracker.classify({ url: 'https://never-seen.test/other', ok: true })).toBeNull();
  });

  it('counts the changes, and the previously failing URLs this run never checked', () => {
    const tracker = new DiffTracker(previous);
    for (const result of [at(1, false), at(2, true), at(4, false), at(5, true), at(6, false)]) tracker.classify(result);
    expect(tracker.finish()).toEqual({ previous: 'last.json', newlyFailing: 2, recovered: 1, stillFailing: 1, gone: 1 });
  });

  it('counts every line of a URL listed twice, but a URL seen twice is not gone twice', () => {
    const tracker = new DiffTracker(previous);
    const changes = [at(1, false), at(1, true), at(1, false), at(7, false), at(7, false)].map((r) => tracker.classify(r));
    expect(changes).toEqual(['still-failing', 'recovered', 'still-failing', 'newly-failing', 'newly-failing']);
    expect(tracker.finish()).toEqual({ previous: 'last.json', newlyFailing: 2, recovered: 1, stillFailing: 2, gone: 2 });
  });

  it('reports nothing changed for an identical run', () => {
    const tracker = new DiffTracker(previous);
    for (const result of [at(1, false), at(2, false), at(3, false), at(4, true)]) tracker.classify(result);
    expect(tracker.finish()).toEqual({ previous: 'last.json', newlyFailing: 0, recovered: 0, stillFailing: 3, gone: 0 });
  });

  it('agrees with a plain recount over any previous and current run', () => {
    const run = fc.array(fc.record({ url: fc.constantFrom(...URLS), ok: fc.boolean() }), { maxLength: 20 });
    fc.assert(
      fc.property(run, run, (before, now) => {
        const failedBefore = new Set(before.filter((r) => !r.ok).map((r) => r.url));
        const tracker = new DiffTracker(new PreviousReport('p', 'ndjson', before.filter((r) => !r.ok).map((r) => r.url)));
        for (const result of now) tracker.classify(result);
        expect(tracker.finish()).toEqual({
          previous: 'p',
          newlyFailing: now.filter((r) => !r.ok && !failedBefore.has(r.url)).length,
          recovered: now.filter((r) => r.ok && failedBefore.has(r.url)).length,
          stillFailing: now.filter((r) => !r.ok && failedBefore.has(r.url)).length,
          gone: [...failedBefore].filter((url) => !now.some((r) => r.url === url)).length,
        });
      }),
    );
  });
});

describe('readPreviousReport', () => {
  const RESULTS = [at(1, true), at(2, false), at(3, true), at(4, false)];

  it('reads a JSON report as the JSON reporter writes it', async () => {
    const report = await fromText(await reportText(createJsonReporter, RESULTS));
    expect(report).toMatchObject({ name: 'last.json', format: 'json', results: 4, complete: true, skippedLines: 0, failingCount: 2 });
    expect(failingOf(report, URLS)).toEqual(['https://h2.test/', 'https://h4.test/']);
  });

  it('reads an NDJSON report as the NDJSON reporter writes it', async () => {
    const report = await fromText(await reportText(createNdjsonReporter, RESULTS), 'last.ndjson');
    expect(report).toMatchObject({ name: 'last.ndjson', format: 'ndjson', results: 4, complete: true, failingCount: 2 });
    expect(failingOf(report, URLS)).toEqual(['https://h2.test/', 'https://h4.test/']);
  });

  it('reads a JSON report of a run without results', async () => {
    const text = await reportText(createJsonReporter, []);
    expect(text.split('\n')[0]).toMatch(/"results":\[\],$/);
    expect(await fromText(text)).toMatchObject({ format: 'json', results: 0, complete: true, failingCount: 0 });
  });

  it('uses the complete lines of a JSON report cut off mid-way (a run killed while writing)', async () => {
    const text = await reportText(createJsonReporter, RESULTS);
    const cut = text.slice(0, text.indexOf('"url":"https://h4.test/"') + 12);
    const report = await fromText(cut);
    expect(report).toMatchObject({ format: 'json', results: 3, complete: false, skippedLines: 0 });
    expect(failingOf(report, URLS)).toEqual(['https://h2.test/']);
    // Cut right after a complete line, too: all of it is used.
    const atLineEnd = text.slice(0, text.indexOf('\n', text.indexOf('"url":"https://h4.test/"')));
    expect(await fromText(atLineEnd)).toMatchObject({ results: 4, complete: false, failingCount: 2 });
  });

  it('uses the complete lines of an NDJSON report cut off mid-line', async () => {
    const text = await reportText(createNdjsonReporter, RESULTS);
    const report = await fromText(text.slice(0, -20), 'last.ndjson');
    expect(report).toMatchObject({ format: 'ndjson', results: 3, complete: false, failingCount: 1 });
  });

  it('reads reports written before verdict existed', async () => {
    const old = [
      '{"tool":"urlcheck","version":"1.0.0","startedAt":"2024-01-01T00:00:00.000Z","results":[',
      '{"url":"https://h1.test/","ok":true,"status":200,"error":null,"durationMs":5,"attempts":1,"redirects":[],"finalUrl":"https://h1.test/","method":"HEAD","source":"a.txt","line":1},',
      '{"url":"https://h2.test/","ok":false,"status":404,"error":{"code":"HTTP_STATUS","message":"HTTP 404"},"durationMs":5,"attempts":1,"redirects":[],"finalUrl":"https://h2.test/","method":"HEAD","source":"a.txt","line":2}',
      '],',
      '"summary":{"total":2,"healthy":1,"unhealthy":1},',
      '"comparison":null}',
      '',
    ].join('\n');
    const report = await fromText(old);
    expect(report).toMatchObject({ format: 'json', results: 2, complete: true });
    expect(failingOf(report, URLS)).toEqual(['https://h2.test/']);
  });

  it('counts a URL listed more than once as failing when any of its lines failed', async () => {
    const ndjson = await reportText(createNdjsonReporter, [at(1, true), at(1, false), at(1, true), at(2, true), at(2, true)]);
    const report = await fromText(ndjson, 'twice.ndjson');
    expect(report).toMatchObject({ results: 5, failingCount: 1 });
    expect(failingOf(report, URLS)).toEqual(['https://h1.test/']);
  });

  it('accepts CRLF line endings, blank lines and results with their keys in any order', async () => {
    const text = `\r\n${JSON.stringify(at(1, false))}\r\n\r\n${JSON.stringify(Object.fromEntries(Object.entries(at(2, true)).reverse()))}\r\n`;
    const report = await fromText(text, 'jq.ndjson');
    expect(report).toMatchObject({ format: 'ndjson', results: 2, complete: true });
    expect(failingOf(report, URLS)).toEqual(['https://h1.test/']);
  });

  it('skips and counts lines in the middle that are not results', async () => {
    const text = `${JSON.stringify(at(1, false))}\n{"url":"https://h2.te\n${JSON.stringify(at(3, false))}\n`;
    const report = await fromText(text, 'appended.ndjson');
    expect(report).toMatchObject({ results: 2, skippedLines: 1, complete: true });
    expect(failingOf(report, URLS)).toEqual(['https://h1.test/', 'https://h3.test/']);
  });

  it('stops after the summary line: what follows it is never read', async () => {
    const start = `{"tool":"urlcheck","version":"1","startedAt":"x","results":[\n${JSON.stringify(at(1, false))}\n],\n`;
    expect(await fromText(`${start}"summary":{"total":1},\nnot json at all`)).toMatchObject({ format: 'json', results: 1, complete: true, failingCount: 1 });
    // As for merge, a JSON report is complete only with its summary.
    expect(await fromText(`${start}not json at all\n`)).toMatchObject({ results: 1, complete: false, skippedLines: 1, failingCount: 1 });
    expect(await fromText(start)).toMatchObject({ results: 1, complete: false, skippedLines: 0 });
  });

  it('reads an empty file as a report without results (an NDJSON run killed before its first result)', async () => {
    expect(await fromText('', 'empty.ndjson')).toMatchObject({ format: 'ndjson', results: 0, complete: true, failingCount: 0 });
  });

  it.each([
    ['a URL list', 'https://h1.test/\nhttps://h2.test/\n'],
    ['a CSV report', 'url,ok,status\nhttps://h1.test/,true,200\n'],
    ['pretty-printed JSON', '{\n  "tool": "urlcheck",\n  "results": []\n}\n'],
    ['another tool\'s JSON document', '{"tool":"other","results":[\n'],
    ['JSON objects that are not results', '{"name":"x"}\n'],
  ])('rejects %s with one clear line', async (_kind, text) => {
    const error = await fromText(text, 'x.txt').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/^--diff report "x\.txt" is not a urlcheck JSON or NDJSON report \(line \d+ is neither\); use a report written with -f json or -f ndjson/);
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('loadPreviousReport', () => {
  const temp = useTempDir('urlcheck-diff-unit-');

  it('reads a report file', async () => {
    const path = join(temp.path(), 'last.ndjson');
    await writeFile(path, await reportText(createNdjsonReporter, [at(1, false), at(2, true)]));
    const report = await loadPreviousReport(path);
    expect(report).toMatchObject({ name: path, format: 'ndjson', results: 2, failingCount: 1 });
  });

  it('says a missing file is missing, in one line naming it', async () => {
    const path = join(temp.path(), 'nope.json');
    await expect(loadPreviousReport(path)).rejects.toThrow(new UsageError(`cannot read --diff report "${path}": no such file or directory`));
  });

  it('says a directory is a directory', async () => {
    await expect(loadPreviousReport(temp.path())).rejects.toThrow(
      new UsageError(`cannot read --diff report "${temp.path()}": it is a directory`),
    );
  });

  it('shows control characters in the path escaped', async () => {
    const error = await loadPreviousReport(join(temp.path(), 'bad\u001bname')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain('bad\\u001bname');
    expect((error as Error).message).not.toContain('\u001b');
  });
});
