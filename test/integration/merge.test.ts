import { createWriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { DiffTracker, loadPreviousReport } from '../../src/reports/diff.js';
import { UsageError } from '../../src/model/errors.js';
import { describeMergeProblems, mergeReports, OVERLAP_EXACT_LINES, planMerge } from '../../src/pipeline/merge.js';
import { emptyReportSource, readReportResults } from '../../src/reports/reader.js';
import { TextWriter } from '../../src/util/text-writer.js';
import { createJsonReporter } from '../../src/reporters/json.js';
import { createNdjsonReporter } from '../../src/reporters/ndjson.js';
import type { Reporter, ReporterFactory } from '../../src/model/reporter.js';
import { SummaryBuilder, type Summary } from '../../src/model/summary.js';
import type { CheckResult } from '../../src/model/types.js';
import { recordingReporter } from '../helpers/checks.js';
import { driveReporter, everyVerdictResults, sampleResult, sampleTarget, SAMPLE_RUN_META, summaryOf } from '../helpers/samples.js';
import { useTempDir } from '../helpers/temp-dir.js';

const NO_COLOR = new Chalk({ level: 0 });

describe('urlcheck merge: shard reports into one', () => {
  const temp = useTempDir('urlcheck-merge-');
  const file = (name: string) => join(temp.path(), name);

  /** Writes `results` to `name` with the real reporter of that format, as a shard's run would. */
  async function writeReport(
    name: string,
    factory: ReporterFactory,
    results: Iterable<CheckResult>,
    summary: { wallMs?: number; interrupted?: boolean; startedAt?: Date } = {},
  ): Promise<string> {
    const path = file(name);
    const out = new TextWriter(createWriteStream(path));
    const reporter = factory({ out, err: out, color: NO_COLOR, errColor: NO_COLOR, quiet: false });
    await driveReporter(
      reporter,
      results,
      (folded: Summary) => ({ summary: { ...folded, wallMs: summary.wallMs ?? folded.wallMs, interrupted: summary.interrupted ?? false }, comparison: null, diff: null }),
      { ...SAMPLE_RUN_META, startedAt: summary.startedAt ?? SAMPLE_RUN_META.startedAt },
    );
    await out.end();
    return path;
  }

  /** A reporter that keeps only what a merged run ends with, and counts results. */
  function endReporter(): Reporter & { results: number; summary: () => Summary | null } {
    let summary: Summary | null = null;
    const reporter = {
      results: 0,
      onResult: () => {
        reporter.results += 1;
      },
      onRunEnd: (end: { summary: Summary }) => {
        summary = end.summary;
      },
      summary: () => summary,
    };
    return reporter;
  }

  async function usageErrorOf(promise: Promise<unknown>): Promise<string> {
    const error = await promise.then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }

  const results = everyVerdictResults();
  const shardA = results.slice(0, 3);
  const shardB = results.slice(3);

  it('merges an NDJSON and a JSON shard: every result once, in order, and the summary of all of them', async () => {
    const ndjson = await writeReport('a.ndjson', createNdjsonReporter, shardA);
    const json = await writeReport('b.json', createJsonReporter, shardB, { wallMs: 4321, startedAt: new Date('2024-05-01T11:59:00.000Z') });
    const recorder = recordingReporter();

    const outcome = await mergeReports({ paths: [ndjson, json], reporter: recorder });

    expect(recorder.calls.map((call) => call.hook)).toEqual(['onRunStart', ...results.map(() => 'onResult'), 'onRunEnd']);
    expect(recorder.calls.flatMap((call) => (call.hook === 'onResult' ? [call.result] : []))).toEqual(results);
    // The meta of the JSON shard, the only one that has a header.
    expect(recorder.calls[0]).toMatchObject({ hook: 'onRunStart', meta: { version: SAMPLE_RUN_META.version, startedAt: new Date('2024-05-01T11:59:00.000Z') } });
    // Shards run side by side: the wall time is the longest known; the NDJSON shard knows none.
    expect(outcome.summary).toEqual(summaryOf(results, 4321));
    expect(outcome).toMatchObject({ comparison: null, diff: null, overlap: null });
    expect(outcome.reports).toEqual([
      { ...emptyReportSource(ndjson), format: 'ndjson', results: 3 },
      { ...emptyReportSource(json), format: 'json', version: SAMPLE_RUN_META.version, startedAt: new Date('2024-05-01T11:59:00.000Z'), results: 4, wallMs: 4321 },
    ]);
    expect(describeMergeProblems(outcome)).toEqual([
      "1 report carries no wall time (NDJSON has no summary): the merged wall time and URLs/s are the JSON reports' only",
    ]);
  });

  it('takes the longest wall time and the earliest start of several JSON shards', async () => {
    const first = await writeReport('w1.json', createJsonReporter, shardA, { wallMs: 900, startedAt: new Date('2024-05-01T12:00:05.000Z') });
    const second = await writeReport('w2.json', createJsonReporter, shardB, { wallMs: 2500, startedAt: new Date('2024-05-01T12:00:01.000Z') });
    const recorder = recordingReporter();
    const outcome = await mergeReports({ paths: [first, second], reporter: recorder });
    expect(outcome.summary.wallMs).toBe(2500);
    expect(outcome.summary.urlsPerSecond).toBe(Math.round((results.length / 2500) * 1000 * 10) / 10);
    expect(recorder.calls[0]).toMatchObject({ meta: { startedAt: new Date('2024-05-01T12:00:01.000Z') } });
    expect(describeMergeProblems(outcome)).toEqual([]);
  });

  it('writes a merged JSON report that is a valid document and merges again to the same results', async () => {
    const ndjson = await writeReport('m1.ndjson', createNdjsonReporter, shardA);
    const json = await writeReport('m2.json', createJsonReporter, shardB, { wallMs: 100 });
    const merged = file('merged.json');
    const out = new TextWriter(createWriteStream(merged));
    const outcome = await mergeReports({ paths: [ndjson, json], reporter: createJsonReporter({ out, err: out, color: NO_COLOR, errColor: NO_COLOR, quiet: false }) });
    await out.end();

    const document = JSON.parse(await readFile(merged, 'utf8')) as { results: CheckResult[]; summary: Summary; comparison: unknown; diff: unknown };
    expect(document.results).toEqual(results);
    expect(document.summary).toEqual(outcome.summary);
    expect(document).toMatchObject({ comparison: null, diff: null });

    const recorder = recordingReporter();
    const again = await mergeReports({ paths: [merged], reporter: recorder });
    expect(recorder.calls.flatMap((call) => (call.hook === 'onResult' ? [call.result] : []))).toEqual(results);
    expect(again.summary).toEqual(outcome.summary);
  });

  it('drops the shards’ comparison, diff and per-result change, and can compare the merge with a previous report instead', async () => {
    const changed = shardA.map((result) => ({ ...result, change: 'newly-failing' as const }));
    const shard = await writeReport('changed.ndjson', createNdjsonReporter, changed);
    const recorder = recordingReporter();
    await mergeReports({ paths: [shard], reporter: recorder });
    for (const call of recorder.calls) if (call.hook === 'onResult') expect(call.result).not.toHaveProperty('change');

    // The previous run: only the 404 (shardA[2]) was failing.
    const previous = await writeReport('previous.ndjson', createNdjsonReporter, [shardA[2] as CheckResult]);
    const diffed = await mergeReports({ paths: [shard], reporter: recordingReporter(), diff: new DiffTracker(await loadPreviousReport(previous)) });
    expect(diffed.diff).toEqual({ previous, newlyFailing: 0, recovered: 0, stillFailing: 1, gone: 0 });
  });

  it('merges what a shard killed mid-write left, and marks the merge interrupted', async () => {
    const whole = await readFile(await writeReport('whole.ndjson', createNdjsonReporter, shardB), 'utf8');
    const torn = file('torn.ndjson');
    await writeFile(torn, whole.slice(0, whole.indexOf('\n', whole.indexOf('\n') + 1) + 20));
    const json = await writeReport('fine.json', createJsonReporter, shardA, { wallMs: 10 });

    const outcome = await mergeReports({ paths: [json, torn], reporter: recordingReporter() });
    expect(outcome.summary).toEqual(summaryOf([...shardA, ...shardB.slice(0, 2)], 10, true));
    expect(outcome.reports[1]).toMatchObject({ results: 2, complete: false, interrupted: true });
    expect(describeMergeProblems(outcome)[0]).toBe(`report "${torn}" ends early (a torn last line, or no summary): its 2 complete results were merged`);
  });

  it('marks the merge interrupted when a shard’s own summary says so', async () => {
    const stopped = await writeReport('stopped.json', createJsonReporter, shardA, { wallMs: 10, interrupted: true });
    const outcome = await mergeReports({ paths: [stopped], reporter: recordingReporter() });
    expect(outcome.summary.interrupted).toBe(true);
    expect(outcome.reports[0]).toMatchObject({ complete: true, interrupted: true });
  });

  it('merges a report written before verdicts existed, deriving its verdicts', async () => {
    const old = file('old.ndjson');
    const lines = results.map(({ verdict: _v, warnings: _w, timings: _t, tls: _tls, ...rest }) => JSON.stringify(rest));
    await writeFile(old, `${lines.join('\n')}\n`);
    const outcome = await mergeReports({ paths: [old], reporter: recordingReporter() });
    // Without warnings or challenge markers: the warning is healthy now, the bot wall a broken 403.
    expect(outcome.summary.byVerdict).toEqual({ healthy: 2, warning: 0, broken: 3, transient: 2, blocked: 0 });
    expect(outcome.summary.byWarning).toEqual({});
    expect(outcome.reports[0]).toMatchObject({ upgraded: results.length });
  });

  it('merges empty shards: one that had nothing to check, and an empty JSON report', async () => {
    const empty = file('empty.ndjson');
    await writeFile(empty, '');
    const emptyJson = await writeReport('empty.json', createJsonReporter, [], { wallMs: 3 });
    const shard = await writeReport('one.ndjson', createNdjsonReporter, shardA);
    const outcome = await mergeReports({ paths: [empty, emptyJson, shard], reporter: recordingReporter() });
    expect(outcome.summary).toEqual(summaryOf(shardA, 3));
    expect(outcome.reports.map((report) => report.results)).toEqual([0, 0, 3]);

    const nothing = await mergeReports({ paths: [empty], reporter: recordingReporter() });
    expect(nothing.summary).toMatchObject({ total: 0, wallMs: 0, urlsPerSecond: 0, interrupted: false });
  });

  it('refuses, before the reporter hears anything, a file that is not a report, a missing file, a directory, a file named twice', async () => {
    const good = await writeReport('good.ndjson', createNdjsonReporter, shardA);
    const list = file('urls.txt');
    await writeFile(list, 'https://a.test/\nhttps://b.test/\n');
    const dir = file('a-dir');
    await mkdir(dir, { recursive: true });
    const recorder = recordingReporter();
    const merge = (paths: string[]) => usageErrorOf(mergeReports({ paths, reporter: recorder }));

    expect(await merge([good, list])).toBe(
      `cannot read report "${list}": not a urlcheck JSON or NDJSON report (line 1 is neither); merge reports written with -f json or -f ndjson (for a reformatted one: jq -c ".results[]" > report.ndjson)`,
    );
    expect(await merge([file('missing.ndjson')])).toBe(`cannot read report "${file('missing.ndjson')}": no such file or directory`);
    expect(await merge([dir])).toBe(`cannot read report "${dir}": it is a directory`);
    expect(await merge([good, join(temp.path(), '.', 'good.ndjson')])).toBe(`report "${join(temp.path(), '.', 'good.ndjson')}" is the same file as "${good}": name each report once`);
    expect(await merge([])).toMatch(/^merge needs at least one report/);
    expect(recorder.calls).toEqual([]);
  });

  it('refuses an output that is one of the reports, which writing would destroy', async () => {
    const shard = await writeReport('keep.ndjson', createNdjsonReporter, shardA);
    const message = await usageErrorOf(planMerge([shard], [{ flag: '--output', path: file('new.json') }, { flag: '--report', path: shard }]));
    expect(message).toBe(`--report "${shard}" is the report "${shard}" being merged: write the merged report to another file`);
  });

  it('keeps both results of a line two reports share, and says so; a line twice in one report is not an overlap', async () => {
    const twice = [...shardA, ...shardA];
    const first = await writeReport('o1.ndjson', createNdjsonReporter, twice);
    const stale = await writeReport('o2.json', createJsonReporter, shardA.slice(0, 2), { wallMs: 5 });
    const outcome = await mergeReports({ paths: [first, stale], reporter: recordingReporter() });
    expect(outcome.summary.total).toBe(8);
    expect(outcome.overlap).toEqual({
      results: 2,
      estimated: false,
      example: { source: shardA[0]?.source, line: shardA[0]?.line, first, again: stale },
    });
  });

  it('stops when the signal is aborted, and summarises what it merged as interrupted', async () => {
    const shard = await writeReport('long.ndjson', createNdjsonReporter, generated(0, 5000));
    const stop = new AbortController();
    const reporter = endReporter();
    const outcome = await mergeReports({
      paths: [shard],
      reporter: { ...reporter, onResult: () => stop.abort() },
      signal: stop.signal,
    });
    expect(outcome.summary.interrupted).toBe(true);
    expect(outcome.summary.total).toBeGreaterThan(0);
    expect(outcome.summary.total).toBeLessThan(5000);
  });

  /** `count` generated results for lines `from`…: a mix of every outcome and durations. */
  function* generated(from: number, count: number, source = 'list.txt'): Generator<CheckResult> {
    for (let line = from + 1; line <= from + count; line += 1) {
      const result = sampleResult(sampleTarget(line, source), line % 7 !== 0);
      result.durationMs = (line * 37) % 5000;
      if (line % 11 === 0) result.attempts = 2;
      yield result;
    }
  }

  it('merges 100k results streamed in bounded batches, with a summary equal to the fold of all of them', async () => {
    const expected = new SummaryBuilder();
    const fold = function* (items: Iterable<CheckResult>): Generator<CheckResult> {
      for (const item of items) {
        expected.add(item);
        yield item;
      }
    };
    const big = await writeReport('big.ndjson', createNdjsonReporter, fold(generated(0, 60_000)));
    const bigJson = await writeReport('big.json', createJsonReporter, fold(generated(60_000, 40_000)), { wallMs: 60_000 });
    // A stale report repeating 1,000 lines of the first shard, past the exact overlap limit.
    expect(100_000).toBeGreaterThan(OVERLAP_EXACT_LINES);
    const stale = await writeReport('stale.ndjson', createNdjsonReporter, fold(generated(20_000, 1_000)));

    // The reader streams: its first batch comes before the file is read, and no batch is large.
    const into = emptyReportSource(big);
    let batches = 0;
    let largest = 0;
    let readBeforeFirstBatch = -1;
    for await (const batch of readReportResults(big, into)) {
      if (batches === 0) readBeforeFirstBatch = into.results;
      batches += 1;
      largest = Math.max(largest, batch.length);
    }
    expect(into.results).toBe(60_000);
    expect(readBeforeFirstBatch).toBeLessThan(1_000);
    expect(batches).toBeGreaterThan(100);
    expect(largest).toBeLessThan(1_000);

    const reporter = endReporter();
    const outcome = await mergeReports({ paths: [big, bigJson, stale], reporter });
    expect(reporter.results).toBe(101_000);
    expect(outcome.summary).toEqual(expected.finish(60_000, false));
    expect(reporter.summary()).toEqual(outcome.summary);
    // Counted on a hash sample past the exact limit: an estimate near the 1,000 repeats.
    expect(outcome.overlap?.estimated).toBe(true);
    expect(outcome.overlap?.results).toBeGreaterThan(800);
    expect(outcome.overlap?.results).toBeLessThan(1_200);
  });
});
