import { PassThrough, Readable } from 'node:stream';
import { Chalk } from 'chalk';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/model/errors.js';
import { describeMergeProblems } from '../../src/pipeline/merge.js';
import { emptyReportSource, readReport, type ReportSource } from '../../src/reports/reader.js';
import { resultFromReport } from '../../src/reports/result.js';
import { TextWriter } from '../../src/util/text-writer.js';
import { createJsonReporter } from '../../src/reporters/json.js';
import { createNdjsonReporter } from '../../src/reporters/ndjson.js';
import type { ReporterFactory } from '../../src/model/reporter.js';
import type { Summary } from '../../src/model/summary.js';
import type { CheckResult } from '../../src/model/types.js';
import { cutOffsets, splitString } from '../helpers/arbitraries.js';
import { driveReporter, everyVerdictResults, resultWith, sampleResult, sampleTarget, SAMPLE_RUN_META } from '../helpers/samples.js';

const NO_COLOR = new Chalk({ level: 0 });

/** The text a real reporter writes for `results`; `summary` adjusts the summary it is given. */
async function reportText(factory: ReporterFactory, results: CheckResult[], summary: (s: Summary) => Summary = (s) => s): Promise<string> {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(String(chunk)));
  const out = new TextWriter(stream);
  await driveReporter(factory({ out, err: out, color: NO_COLOR, errColor: NO_COLOR, quiet: false }), results, (s) => ({
    summary: summary(s),
    comparison: null,
    diff: null,
  }));
  await out.flush();
  await new Promise((resolve) => setImmediate(resolve));
  return chunks.join('');
}

/** Reads a report from text (or text already cut into chunks), named `name`: its results and what the read found. */
async function read(text: string | string[], name = 'shard.ndjson'): Promise<{ results: CheckResult[]; report: ReportSource; batches: number }> {
  const report = emptyReportSource(name);
  const results: CheckResult[] = [];
  let batches = 0;
  const chunks = typeof text === 'string' ? [Buffer.from(text)] : text;
  for await (const batch of readReport(Readable.from(chunks), report)) {
    batches += 1;
    results.push(...batch);
  }
  return { results, report, batches };
}

/** An old-format line: a result as urlcheck wrote it before verdicts, warnings, timings and TLS. */
function oldLine(result: CheckResult): string {
  const { verdict: _verdict, warnings: _warnings, timings: _timings, tls: _tls, ...old } = result;
  return JSON.stringify(old);
}

describe('readReport', () => {
  it('reads every result of a JSON report, with its header and its summary', async () => {
    const results = everyVerdictResults();
    const text = await reportText(createJsonReporter, results, (s) => ({ ...s, wallMs: 1234.5 }));
    const { results: read_, report } = await read(text, 'shard.json');
    expect(read_).toEqual(results);
    expect(report).toEqual({
      name: 'shard.json',
      format: 'json',
      version: SAMPLE_RUN_META.version,
      startedAt: SAMPLE_RUN_META.startedAt,
      results: results.length,
      upgraded: 0,
      skippedLines: 0,
      torn: false,
      complete: true,
      interrupted: false,
      wallMs: 1234.5,
    });
  });

  it('reads every result of an NDJSON report, which carries no wall time', async () => {
    const results = everyVerdictResults();
    const { results: read_, report } = await read(await reportText(createNdjsonReporter, results));
    expect(read_).toEqual(results);
    expect(report).toMatchObject({ format: 'ndjson', version: null, startedAt: null, results: results.length, complete: true, interrupted: false, wallMs: null });
  });

  it('reads the same results however the file is cut into chunks', async () => {
    const results = everyVerdictResults();
    const texts = { json: await reportText(createJsonReporter, results), ndjson: await reportText(createNdjsonReporter, results) };
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('json', 'ndjson' as const), cutOffsets, async (format, offsets) => {
        const { results: read_, report } = await read(splitString(texts[format as 'json' | 'ndjson'], offsets));
        expect(read_).toEqual(results);
        expect(report.complete).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps exactly the whole lines of an NDJSON report cut off at any point, and says it is incomplete', async () => {
    const results = everyVerdictResults();
    const text = await reportText(createNdjsonReporter, results);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: text.length }), async (cut) => {
        const kept = text.slice(0, cut);
        const lines = kept.split('\n');
        const tail = lines.pop() ?? '';
        // The cut may fall just before a newline: the last line is then whole.
        const tailWhole = tail === '' || tail === JSON.stringify(results[lines.length]);
        const whole = lines.length + (tail !== '' && tailWhole ? 1 : 0);
        const { results: read_, report } = await read(kept);
        expect(read_).toEqual(results.slice(0, whole));
        expect(report).toMatchObject({ format: 'ndjson', complete: tailWhole, interrupted: !tailWhole, skippedLines: 0 });
      }),
      { numRuns: 150 },
    );
  });

  it('keeps the results of a JSON report cut off before its summary, and says it is incomplete', async () => {
    const results = everyVerdictResults();
    const text = await reportText(createJsonReporter, results);
    const lines = text.split('\n');
    // The header, three whole results and half of the fourth.
    const torn = await read(`${lines.slice(0, 4).join('\n')}\n${(lines[4] ?? '').slice(0, 25)}`, 'shard.json');
    expect(torn.results).toEqual(results.slice(0, 3));
    expect(torn.report).toMatchObject({ format: 'json', complete: false, interrupted: true, wallMs: null });
    // Every result, the array closed, and the summary cut in half.
    const cutSummary = text.slice(0, text.indexOf('"summary":') + 30);
    const noSummary = await read(cutSummary, 'shard.json');
    expect(noSummary.results).toEqual(results);
    expect(noSummary.report).toMatchObject({ complete: false, interrupted: true, wallMs: null });
  });

  it('says a JSON report whose own summary is interrupted is of an interrupted run', async () => {
    const text = await reportText(createJsonReporter, everyVerdictResults().slice(0, 2), (s) => ({ ...s, interrupted: true, wallMs: 50 }));
    const { report } = await read(text, 'shard.json');
    expect(report).toMatchObject({ complete: true, interrupted: true, wallMs: 50, results: 2 });
  });

  it('reads a run with no results: an empty NDJSON file, a JSON report with an empty array', async () => {
    expect(await read('')).toMatchObject({ results: [], batches: 0, report: { format: 'ndjson', complete: true, interrupted: false } });
    expect(await read('\n \n')).toMatchObject({ results: [], report: { format: 'ndjson', complete: true } });
    const json = await read(await reportText(createJsonReporter, [], (s) => ({ ...s, wallMs: 7 })), 'empty.json');
    expect(json).toMatchObject({ results: [], report: { format: 'json', complete: true, interrupted: false, wallMs: 7, results: 0 } });
  });

  it('takes a file cut off inside its first line for a torn report with no results', async () => {
    for (const text of ['{', '{"url":"https://a.te', '{"tool":"urlcheck","vers']) {
      expect((await read(text)).report).toMatchObject({ results: 0, torn: true, skippedLines: 0, complete: false, interrupted: true });
    }
  });

  it('skips and counts lines that are not results when more follow, and reads on', async () => {
    const [a, b] = everyVerdictResults();
    const text = `${JSON.stringify(a)}\nnot a result\n{"url":"https://x.test/","ok":true}\n${JSON.stringify(b)}\n`;
    const { results, report } = await read(text);
    expect(results).toEqual([a, b]);
    expect(report).toMatchObject({ skippedLines: 2, complete: true });
  });

  it('reads CRLF line endings and a byte-order mark', async () => {
    const results = everyVerdictResults().slice(0, 3);
    const text = `\uFEFF${results.map((result) => JSON.stringify(result)).join('\r\n')}\r\n`;
    expect((await read(text)).results).toEqual(results);
  });

  it('derives verdicts for a report written before verdicts existed, with no warnings, timings or TLS', async () => {
    const lines = [
      resultWith({ url: 'https://ok.test/', line: 1, timings: { dnsMs: 1, connectMs: 1, tlsMs: null, firstByteMs: 2, totalMs: 4, reusedConnection: false } }),
      resultWith({ url: 'https://gone.test/', line: 2, ok: false, status: 404, error: { code: 'HTTP_STATUS', message: 'HTTP 404' } }),
      resultWith({ url: 'https://busy.test/', line: 3, ok: false, status: 503, error: { code: 'HTTP_STATUS', message: 'HTTP 503' } }),
      resultWith({ url: 'https://linkedin.test/', line: 4, ok: false, status: 999, error: { code: 'HTTP_STATUS', message: 'HTTP 999' } }),
      resultWith({ url: 'https://slow.test/', line: 5, ok: false, status: null, finalUrl: null, method: null, error: { code: 'TIMEOUT', message: 'timed out' } }),
      resultWith({ url: 'nope', line: 6, ok: false, status: null, attempts: 0, finalUrl: null, method: null, error: { code: 'INVALID_URL', message: 'no scheme' } }),
    ];
    const { results, report } = await read(`${lines.map(oldLine).join('\n')}\n`);
    expect(results.map((result) => result.verdict)).toEqual(['healthy', 'broken', 'transient', 'blocked', 'transient', 'broken']);
    for (const result of results) expect(result).toMatchObject({ warnings: [], timings: null, tls: null });
    expect(report).toMatchObject({ results: 6, upgraded: 6, complete: true });
  });

  it('refuses a file that is not a report, naming it and the line, in one line', async () => {
    const cases = {
      'a URL list': 'https://a.test/\nhttps://b.test/\n',
      'a pretty-printed JSON report': '{\n  "tool": "urlcheck",\n  "results": []\n}\n',
      'a JSON report on one line (jq -c .)': '{"tool":"urlcheck","version":"1.0.0","results":[],"summary":{}}\n',
      'a JSON array of results': `[${JSON.stringify(everyVerdictResults()[0])}]\n`,
      'binary junk': '\u0000\u0001\u00ff\ufffd',
    };
    for (const [what, text] of Object.entries(cases)) {
      const error = await read(text, 'urls.txt').then(
        () => null,
        (thrown: unknown) => thrown,
      );
      expect(error, what).toBeInstanceOf(UsageError);
      expect((error as Error).message, what).toMatch(/^cannot read report "urls\.txt": not a urlcheck JSON or NDJSON report \(line \d+ is neither\); merge reports written with -f json or -f ndjson/);
      expect((error as Error).message).not.toContain('\n');
    }
  });
});

describe('resultFromReport', () => {
  const base = JSON.parse(JSON.stringify(everyVerdictResults()[2])) as Record<string, unknown>;

  it('keeps a current result as it is, in the field order reports write', () => {
    const result = resultFromReport(base);
    expect(result).toEqual(base);
    expect(Object.keys(result ?? {})).toEqual(Object.keys(base));
  });

  it('reads startMs (urlcheck 1.1) when it is a number, and null when a report from before has none', () => {
    expect(resultFromReport({ ...base, startMs: 12.5 })?.startMs).toBe(12.5);
    const { startMs: _startMs, ...older } = base;
    const result = resultFromReport(older);
    expect(result?.startMs).toBeNull();
    expect(Object.keys(result ?? {})).toEqual(Object.keys(base));
    expect(resultFromReport({ ...base, startMs: 'soon' })?.startMs).toBeNull();
  });

  it('drops `change` and fields it does not know', () => {
    expect(resultFromReport({ ...base, change: 'newly-failing', futureField: 1 })).toEqual(base);
  });

  it('keeps `duplicateOf`, after `line` as a run writes it; a malformed one makes the line no result', () => {
    const duplicate = { ...base, duplicateOf: { source: 'a.txt', line: 3 } };
    const result = resultFromReport(duplicate);
    expect(result).toEqual(duplicate);
    expect(Object.keys(result ?? {})).toEqual(Object.keys(duplicate));
    expect(resultFromReport({ ...base, duplicateOf: { source: 'a.txt' } })).toBeNull();
    expect(resultFromReport({ ...base, duplicateOf: null })).toBeNull();
  });

  it('redacts credentials a report should not have held', () => {
    const result = resultFromReport({
      ...base,
      url: 'https://user:secret@a.test/x',
      finalUrl: 'https://TOKEN@b.test/',
      redirects: [{ status: 302, location: 'https://u:pw@c.test/' }],
      error: { code: 'HTTP_STATUS', message: 'from https://k:v@d.test/' },
      warnings: [{ code: 'PERMANENT_REDIRECT', message: 'update to https://x:y@e.test/' }],
    });
    const text = JSON.stringify(result);
    for (const secret of ['secret', 'TOKEN', 'pw', 'k:v', 'x:y']) expect(text).not.toContain(secret);
    expect(result?.url).toBe('https://***@a.test/x');
  });

  it('derives a verdict it does not know (from a newer urlcheck) instead of miscounting it', () => {
    expect(resultFromReport({ ...base, verdict: 'mysterious' })?.verdict).toBe('broken');
  });

  it('rejects what lacks a field every version wrote, or has one of the wrong type', () => {
    for (const field of ['url', 'ok', 'status', 'error', 'durationMs', 'attempts', 'redirects', 'finalUrl', 'method', 'source', 'line']) {
      const { [field]: _dropped, ...rest } = base;
      expect(resultFromReport(rest), field).toBeNull();
    }
    for (const [field, value] of Object.entries({ ok: 'false', status: '404', line: 1.5, method: 'POST', redirects: [{ status: 301 }], warnings: [{}], timings: {}, error: { code: 1 } })) {
      expect(resultFromReport({ ...base, [field]: value }), field).toBeNull();
    }
    expect(resultFromReport(null)).toBeNull();
    expect(resultFromReport([base])).toBeNull();
  });
});

describe('describeMergeProblems', () => {
  const report = (fields: Partial<ReportSource>): ReportSource => ({ ...emptyReportSource('a.json'), format: 'json', wallMs: 10, ...fields });

  it('says nothing when every report is whole, current and disjoint', () => {
    expect(describeMergeProblems({ reports: [report({}), report({ name: 'b.json' })], overlap: null })).toEqual([]);
  });

  it('names each report that needs a word, and the overlap', () => {
    const lines = describeMergeProblems({
      reports: [
        report({ name: 'torn.ndjson', format: 'ndjson', wallMs: null, complete: false, interrupted: true, results: 1200 }),
        report({ name: 'stopped.json', interrupted: true }),
        report({ name: 'junk.ndjson', format: 'ndjson', wallMs: null, skippedLines: 1 }),
        report({ name: 'old.json', upgraded: 3 }),
      ],
      overlap: { results: 2000, estimated: true, example: { source: 'urls.txt', line: 7, first: 'torn.ndjson', again: 'old.json' } },
    });
    expect(lines).toEqual([
      'report "torn.ndjson" ends early (a torn last line, or no summary): its 1,200 complete results were merged',
      'report "stopped.json" is of an interrupted run: some of its URLs were never checked',
      'report "junk.ndjson": 1 line that is not a result skipped',
      'report "old.json" is from an older urlcheck: 3 verdicts derived from status and error',
      "2 reports carry no wall time (NDJSON has no summary): the merged wall time and URLs/s are the JSON reports' only",
      'about 2,000 results repeat a line an earlier report already had (e.g. urls.txt:7 in "torn.ndjson" and "old.json"); both were kept: overlapping shards, or a stale report?',
    ]);
  });

  it('says the wall time is unknown when no report carries one', () => {
    expect(describeMergeProblems({ reports: [report({ format: 'ndjson', wallMs: null })], overlap: null })).toEqual([
      'no report carries its wall time (NDJSON has no summary): the merged wall time and URLs/s are unknown, shown as 0',
    ]);
  });
});

describe('reading a report stream', () => {
  it('is an async iterable of batches, so a consumer can stop early: it reads fewer lines than the whole, and the source is closed', async () => {
    const lines = Array.from({ length: 200 }, (_, i) => `${JSON.stringify(sampleResult(sampleTarget(i + 1), i % 3 !== 0))}\n`);
    let pulled = 0;
    let closed = false;
    async function* source(): AsyncGenerator<string> {
      try {
        for (const line of lines) {
          pulled += 1;
          yield line;
        }
      } finally {
        closed = true;
      }
    }
    const report = emptyReportSource('x');
    let batches = 0;
    for await (const batch of readReport(source(), report)) {
      batches += 1;
      expect(batch).toHaveLength(1);
      if (batches === 2) break;
    }
    expect(batches).toBe(2);
    expect(report.results).toBe(2);
    // One chunk (here one line) read per batch, and no more than one ahead: far fewer than the whole.
    expect(pulled).toBeLessThanOrEqual(batches + 1);
    expect(pulled).toBeLessThan(lines.length);
    expect(closed).toBe(true);
  });
});
