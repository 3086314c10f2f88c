import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/model/errors.js';
import { openJournal, ReportedLines, journalKeyOf } from '../../src/reports/resume.js';
import { runChecks, type CheckedRunOutcome } from '../../src/pipeline/run.js';
import type { CheckResult, Target } from '../../src/model/types.js';
import { recordingReporter } from '../helpers/checks.js';
import { targetsFrom, testOptions, useFixtureServer } from '../helpers/fixtures.js';
import { resultWith } from '../helpers/samples.js';
import { startHttpServer, waitFor, type LocalServer } from '../helpers/servers.js';
import { useTempDir } from '../helpers/temp-dir.js';

const resultsOf = (reporter: ReturnType<typeof recordingReporter>): CheckResult[] =>
  reporter.calls.flatMap((call) => (call.hook === 'onResult' ? [call.result] : []));

const journalLines = async (path: string): Promise<CheckResult[]> =>
  (await readFile(path, 'utf8'))
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as CheckResult);

let journalCount = 0;

describe('runChecks with a --resume journal', () => {
  const server = useFixtureServer();
  const temp = useTempDir('urlcheck-resume-');
  const nextJournal = () => join(temp.path(), `journal-${(journalCount += 1)}.ndjson`);

  // Answers /held/* only once opened; counts arrivals and answers per path.
  let held: LocalServer;
  let open = false;
  const waitingResponses: ServerResponse[] = [];
  const arrived = new Map<string, number>();
  const answered = new Map<string, number>();
  beforeAll(async () => {
    held = await startHttpServer((req, res) => {
      const path = req.url ?? '/';
      arrived.set(path, (arrived.get(path) ?? 0) + 1);
      res.on('finish', () => answered.set(path, (answered.get(path) ?? 0) + 1));
      if (open || !path.startsWith('/held/')) res.writeHead(200, { 'content-length': 0 }).end();
      else waitingResponses.push(res);
    });
  });
  afterAll(async () => {
    await held.close();
  });

  /**
   * Run 1 reads `firstPart` and then waits for input that never comes (a slow producer): it is
   * interrupted once `reported` results are out.
   */
  async function interruptedRun(journalPath: string, firstPart: Target[], reported: number, dedupe = true): Promise<{ results: CheckResult[]; outcome: CheckedRunOutcome }> {
    const controller = new AbortController();
    async function* input(): AsyncGenerator<Target[]> {
      yield firstPart;
      await new Promise((resolve) => controller.signal.addEventListener('abort', resolve));
    }
    const reporter = recordingReporter();
    const run = runChecks({ targets: input(), options: testOptions({ timeoutMs: 30_000 }), reporter, dedupe, journal: await openJournal(journalPath), signal: controller.signal });
    await waitFor(() => resultsOf(reporter).length >= reported, 10_000, `${reported} results`);
    controller.abort();
    const outcome = await run;
    return { results: resultsOf(reporter), outcome };
  }

  it('a resumed run checks only the rest: every URL answered once, every line reported once', async () => {
    open = false;
    arrived.clear();
    answered.clear();
    const journalPath = nextJournal();
    const lines = [
      held.url('/a'), //  1 checked in run 1
      held.url('/held/g'), //  2 in flight when run 1 is interrupted
      held.url('/b'), //  3 checked in run 1
      held.url('/held/g#2'), //  4 waits for line 2 in run 1: no result there
      held.url('/a#2'), //  5 duplicate of line 1, reported in run 1
      // Run 1 never reads what follows.
      held.url('/a#3'), //  6 URL checked in run 1, line not reported: a duplicate of line 1, no request
      held.url('/c'), //  7 new
      held.url('/held/g'), //  8 duplicate of line 2, checked in run 2
      'not a url', //  9 reported once, like any line
    ];
    const all = targetsFrom(lines);
    const first = await interruptedRun(journalPath, all.slice(0, 5), 3);
    expect(first.results.map((r) => r.line).sort((a, b) => a - b)).toEqual([1, 3, 5]);
    expect(first.outcome.summary.interrupted).toBe(true);
    // The journal holds exactly what was reported, in order, as NDJSON.
    expect(await journalLines(journalPath)).toEqual(first.results);

    open = true;
    for (const res of waitingResponses.splice(0)) res.destroy();
    const reporter = recordingReporter();
    const journal = await openJournal(journalPath);
    const outcome = await runChecks({ targets: all, options: testOptions(), reporter, dedupe: true, journal });
    const results = resultsOf(reporter);

    expect(results.map((r) => r.line).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Replayed first, in journal order, exactly as run 1 reported them.
    expect(results.slice(0, 3)).toEqual(first.results);
    const line = (n: number) => results.find((r) => r.line === n);
    expect(line(6)).toMatchObject({ url: held.url('/a#3'), ok: true, duplicateOf: { source: 'test.txt', line: 1 }, timings: null });
    expect(line(4)).toMatchObject({ ok: true, duplicateOf: { source: 'test.txt', line: 2 } });
    expect(line(8)).toMatchObject({ ok: true, duplicateOf: { source: 'test.txt', line: 2 } });
    expect(line(2)).not.toHaveProperty('duplicateOf');

    // Each URL answered once across both runs; only the request run 1's interruption cut off was made again.
    expect(Object.fromEntries(answered)).toEqual({ '/a': 1, '/b': 1, '/held/g': 1, '/c': 1 });
    expect(Object.fromEntries(arrived)).toEqual({ '/a': 1, '/b': 1, '/held/g': 2, '/c': 1 });

    expect(outcome.summary).toMatchObject({ total: 9, interrupted: false });
    expect(outcome.lines).toMatchObject({ replayed: 3, duplicates: 3, journalSkipped: 0 });
    // The journal now holds every line once; removing it is the caller's call once reports are safe.
    const journaled = await journalLines(journalPath);
    expect(journaled.map((r) => r.line).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await journal.remove();
    expect(existsSync(journalPath)).toBe(false);
  });

  it('without dedupe, lines already reported are skipped and every other line is checked', async () => {
    const journalPath = nextJournal();
    const all = targetsFrom([server().url('/ok'), server().url('/ok'), server().url('/delay/1/x'), server().url('/ok')]);
    const first = await interruptedRun(journalPath, all.slice(0, 2), 2, false);
    expect(first.results).toHaveLength(2);
    server().resetStats();
    const reporter = recordingReporter();
    await runChecks({ targets: all, options: testOptions(), reporter, journal: await openJournal(journalPath) });
    expect(resultsOf(reporter).map((r) => r.line).sort()).toEqual([1, 2, 3, 4]);
    expect(server().stats.byPath.get('/ok')).toBe(1);
    expect(server().stats.byPath.get('/delay/1/x')).toBe(1);
  });

  it('replays a journal whose last line a kill cut short, cuts that line off, and appends after it', async () => {
    const journalPath = nextJournal();
    const [a, b] = targetsFrom([server().url('/ok?a'), server().url('/ok?b')]) as [Target, Target];
    const done = resultWith({ url: a.display, line: 1, source: 'test.txt' });
    const torn = JSON.stringify(resultWith({ url: b.display, line: 2, source: 'test.txt' })).slice(0, 40);
    await writeFile(journalPath, `${JSON.stringify(done)}\n${torn}`);
    const reporter = recordingReporter();
    const outcome = await runChecks({ targets: [a, b], options: testOptions(), reporter, dedupe: true, journal: await openJournal(journalPath) });
    expect(resultsOf(reporter).map((r) => r.line)).toEqual([1, 2]);
    expect(resultsOf(reporter)[0]).toEqual(done);
    expect(outcome.lines).toMatchObject({ replayed: 1, journalSkipped: 0 });
    expect(server().stats.byPath.get('/ok')).toBe(1);
    const journaled = await journalLines(journalPath);
    expect(journaled.map((r) => r.line)).toEqual([1, 2]);
  });

  it('a complete last line that only lacks its newline is kept, and the next one starts on a line of its own', async () => {
    const journalPath = nextJournal();
    const [a, b] = targetsFrom([server().url('/ok?a'), server().url('/ok?b')]) as [Target, Target];
    await writeFile(journalPath, JSON.stringify(resultWith({ url: a.display, line: 1, source: 'test.txt' })));
    const reporter = recordingReporter();
    await runChecks({ targets: [a, b], options: testOptions(), reporter, journal: await openJournal(journalPath) });
    expect(resultsOf(reporter).map((r) => r.line)).toEqual([1, 2]);
    expect((await journalLines(journalPath)).map((r) => r.line)).toEqual([1, 2]);
  });

  it('a damaged line in the middle is skipped and counted; its input line is checked again', async () => {
    const journalPath = nextJournal();
    const [a, b, c] = targetsFrom([server().url('/ok?a'), server().url('/ok?b'), server().url('/ok?c')]) as [Target, Target, Target];
    const lineOf = (t: Target) => JSON.stringify(resultWith({ url: t.display, line: t.line, source: 'test.txt' }));
    await writeFile(journalPath, `${lineOf(a)}\n{"url":"garbage\n${lineOf(c)}\n`);
    const reporter = recordingReporter();
    const outcome = await runChecks({ targets: [a, b, c], options: testOptions(), reporter, dedupe: true, journal: await openJournal(journalPath) });
    expect(resultsOf(reporter).map((r) => r.line).sort()).toEqual([1, 2, 3]);
    expect(outcome.lines).toMatchObject({ replayed: 2, journalSkipped: 1 });
  });

  it('starts a missing journal afresh', async () => {
    const journalPath = nextJournal();
    const reporter = recordingReporter();
    await runChecks({ targets: targetsFrom([server().url('/ok')]), options: testOptions(), reporter, journal: await openJournal(journalPath) });
    expect((await journalLines(journalPath)).map((r) => r.url)).toEqual([server().url('/ok')]);
  });

  it.each([
    ['a URL list', 'https://a.test/\nhttps://b.test/\n'],
    ['a URL list without a final newline', 'https://a.test/\nhttps://b.test/'],
    ['a JSON report', '{"tool":"urlcheck","results":[\n'],
    ['junk that looks like a torn result at its end', 'hello\n{"url":"https://a'],
  ])('refuses %s, leaving it untouched', async (_name, content) => {
    const path = nextJournal();
    await writeFile(path, content);
    const error = await openJournal(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(`--resume journal "${path}" is not a urlcheck journal (its lines are not results); give a new file name, or delete the file`);
    expect(await readFile(path, 'utf8')).toBe(content);
  });

  it('refuses a directory with one line', async () => {
    await expect(openJournal(temp.path())).rejects.toThrow(new UsageError(`cannot open --resume journal "${temp.path()}": it is a directory`));
  });
});

describe('resume keys', () => {
  it('a journal result is known by its href without fragment; redacted credentials and non-URLs are not keyed', () => {
    expect(journalKeyOf({ url: 'HTTPS://A.test/x#y' })).toBe('https://a.test/x');
    expect(journalKeyOf({ url: 'https://***@a.test/x' })).toBeNull();
    expect(journalKeyOf({ url: 'not a url' })).toBeNull();
    expect(journalKeyOf({ url: 'ftp://a.test/' })).toBeNull();
  });

  it('a reported line is known by its source, line number and text', () => {
    const reported = new ReportedLines();
    reported.add({ source: 'a.txt', line: 3, url: 'https://a.test/' });
    expect(reported.has({ source: 'a.txt', line: 3, display: 'https://a.test/' })).toBe(true);
    expect(reported.has({ source: 'a.txt', line: 4, display: 'https://a.test/' })).toBe(false);
    expect(reported.has({ source: 'b.txt', line: 3, display: 'https://a.test/' })).toBe(false);
    expect(reported.has({ source: 'a.txt', line: 3, display: 'https://a.test/changed' })).toBe(false);
  });
});
