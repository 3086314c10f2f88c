import { existsSync } from 'node:fs';
import { readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/model/errors.js';
import { emptyReportSource, readReportResults } from '../../src/reports/reader.js';
import { openJournal, ReportedLines, journalKeyOf, type JournalRun } from '../../src/reports/resume.js';
import { describeLineCounts, runChecks, type CheckedRunOutcome } from '../../src/pipeline/run.js';
import type { CheckResult, Target } from '../../src/model/types.js';
import { recordingReporter } from '../helpers/checks.js';
import { targetsFrom, testOptions, useFixtureServer } from '../helpers/fixtures.js';
import { resultWith } from '../helpers/samples.js';
import { startHttpServer, waitFor, type LocalServer } from '../helpers/servers.js';
import { useTempDir } from '../helpers/temp-dir.js';

const resultsOf = (reporter: ReturnType<typeof recordingReporter>): CheckResult[] =>
  reporter.calls.flatMap((call) => (call.hook === 'onResult' ? [call.result] : []));

/** The results a journal holds (not its header line). */
const journalLines = async (path: string): Promise<CheckResult[]> =>
  (await readFile(path, 'utf8'))
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as CheckResult)
    .filter((line) => 'url' in line);

/** What the tests' journals belong to: a run of test.txt with the default options. */
const RUN: JournalRun = { inputs: ['test.txt'], config: null, cwd: '/work', options: { '--method': 'head', '--insecure': null } };
const HEADER = `{"tool":"urlcheck","journal":1,"run":${JSON.stringify(RUN)}}`;

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
    const run = runChecks({ targets: input(), options: testOptions({ timeoutMs: 30_000 }), reporter, dedupe, journal: await openJournal(journalPath, RUN), signal: controller.signal });
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
    const journal = await openJournal(journalPath, RUN);
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
    await runChecks({ targets: all, options: testOptions(), reporter, journal: await openJournal(journalPath, RUN) });
    expect(resultsOf(reporter).map((r) => r.line).sort()).toEqual([1, 2, 3, 4]);
    expect(server().stats.byPath.get('/ok')).toBe(1);
    expect(server().stats.byPath.get('/delay/1/x')).toBe(1);
  });

  it('replays a journal whose last line a kill cut short, cuts that line off, and appends after it', async () => {
    const journalPath = nextJournal();
    const [a, b] = targetsFrom([server().url('/ok?a'), server().url('/ok?b')]) as [Target, Target];
    const done = resultWith({ url: a.display, line: 1, source: 'test.txt' });
    const torn = JSON.stringify(resultWith({ url: b.display, line: 2, source: 'test.txt' })).slice(0, 40);
    await writeFile(journalPath, `${HEADER}\n${JSON.stringify(done)}\n${torn}`);
    const reporter = recordingReporter();
    const outcome = await runChecks({ targets: [a, b], options: testOptions(), reporter, dedupe: true, journal: await openJournal(journalPath, RUN) });
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
    await writeFile(journalPath, `${HEADER}\n${JSON.stringify(resultWith({ url: a.display, line: 1, source: 'test.txt' }))}`);
    const reporter = recordingReporter();
    await runChecks({ targets: [a, b], options: testOptions(), reporter, journal: await openJournal(journalPath, RUN) });
    expect(resultsOf(reporter).map((r) => r.line)).toEqual([1, 2]);
    expect((await journalLines(journalPath)).map((r) => r.line)).toEqual([1, 2]);
  });

  it('a damaged line in the middle is skipped and counted; its input line is checked again', async () => {
    const journalPath = nextJournal();
    const [a, b, c] = targetsFrom([server().url('/ok?a'), server().url('/ok?b'), server().url('/ok?c')]) as [Target, Target, Target];
    const lineOf = (t: Target) => JSON.stringify(resultWith({ url: t.display, line: t.line, source: 'test.txt' }));
    await writeFile(journalPath, `${HEADER}\n${lineOf(a)}\n{"url":"garbage\n${lineOf(c)}\n`);
    const reporter = recordingReporter();
    const outcome = await runChecks({ targets: [a, b, c], options: testOptions(), reporter, dedupe: true, journal: await openJournal(journalPath, RUN) });
    expect(resultsOf(reporter).map((r) => r.line).sort()).toEqual([1, 2, 3]);
    expect(outcome.lines).toMatchObject({ replayed: 2, journalSkipped: 1 });
  });

  it('starts a missing journal afresh', async () => {
    const journalPath = nextJournal();
    const reporter = recordingReporter();
    await runChecks({ targets: targetsFrom([server().url('/ok')]), options: testOptions(), reporter, journal: await openJournal(journalPath, RUN) });
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
    const error = await openJournal(path, RUN).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(`--resume journal "${path}" is not a urlcheck journal (its lines are not results); give a new file name, or delete the file`);
    expect(await readFile(path, 'utf8')).toBe(content);
  });

  it('writes a header naming its run with the first results, and refuses the journal of another run, untouched, saying what differs', async () => {
    const journalPath = nextJournal();
    const journal = await openJournal(journalPath, RUN);
    // Nothing is written before there is a result: a run killed before its first one leaves an empty journal.
    expect(await readFile(journalPath, 'utf8')).toBe('');
    journal.append(resultWith({ url: server().url('/ok'), line: 1, source: 'test.txt' }));
    await journal.close();
    const text = await readFile(journalPath, 'utf8');
    expect(JSON.parse(text.slice(0, text.indexOf('\n')))).toMatchObject({ tool: 'urlcheck', journal: 1, run: RUN });
    expect(await journalLines(journalPath)).toHaveLength(1);

    const others: Array<[JournalRun, string]> = [
      [{ ...RUN, inputs: ['b.txt'] }, 'a run of "test.txt", not "b.txt"'],
      [{ ...RUN, inputs: ['-'] }, 'a run of "test.txt", not stdin'],
      [{ ...RUN, cwd: '/elsewhere' }, 'a run in "/work", not "/elsewhere"'],
      [{ ...RUN, config: '/c/urlcheck.config.json' }, 'a run of "test.txt", not "test.txt", the targets of "/c/urlcheck.config.json"'],
      [{ ...RUN, options: { '--method': 'get', '--insecure': '' } }, 'a run with --method head without --insecure, not --method get --insecure'],
      [{ ...RUN, inputs: ['b.txt'], options: { ...RUN.options, '--include': ['x y', 'z'] } }, 'a run of "test.txt" without --include, not "b.txt" with --include "x y" --include z'],
    ];
    for (const [other, what] of others) {
      const error = await openJournal(journalPath, other).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toBe(`--resume "${journalPath}": the journal belongs to ${what}; remove it or use another journal`);
      expect(await readFile(journalPath, 'utf8')).toBe(text);
    }
    // The same run resumes it.
    const again = await openJournal(journalPath, { ...RUN, options: { '--insecure': null, '--method': 'head' } });
    await again.close();
  });

  it('a journal whose header line a kill cut short is an empty journal', async () => {
    const journalPath = nextJournal();
    await writeFile(journalPath, HEADER.slice(0, 30));
    const reporter = recordingReporter();
    const outcome = await runChecks({ targets: targetsFrom([server().url('/ok?torn-header')]), options: testOptions(), reporter, journal: await openJournal(journalPath, RUN) });
    expect(outcome.lines).toMatchObject({ replayed: 0, journalSkipped: 0 });
    const text = await readFile(journalPath, 'utf8');
    expect(JSON.parse(text.slice(0, text.indexOf('\n')))).toMatchObject({ tool: 'urlcheck', journal: 1, run: RUN });
    expect((await journalLines(journalPath)).map((r) => r.url)).toEqual([server().url('/ok?torn-header')]);
  });

  it("the reader takes a journal's header for what it is: not a result, not a damaged line", async () => {
    const journalPath = nextJournal();
    const done = resultWith({ url: server().url('/ok?h'), line: 1, source: 'test.txt' });
    await writeFile(journalPath, `${HEADER}\n${JSON.stringify(done)}\n`);
    const into = emptyReportSource(journalPath);
    const results: CheckResult[] = [];
    for await (const batch of readReportResults(journalPath, into)) results.push(...batch);
    expect(results).toEqual([done]);
    expect(into).toMatchObject({ format: 'ndjson', skippedLines: 0, complete: true, journal: { run: RUN } });
  });

  it('accepts a journal an older urlcheck wrote (no header), and says it could not tell whose it is', async () => {
    const journalPath = nextJournal();
    const [a, b] = targetsFrom([server().url('/ok?old-a'), server().url('/ok?old-b')]) as [Target, Target];
    await writeFile(journalPath, `${JSON.stringify(resultWith({ url: a.display, line: 1, source: 'test.txt' }))}\n`);
    const reporter = recordingReporter();
    const outcome = await runChecks({ targets: [a, b], options: testOptions(), reporter, journal: await openJournal(journalPath, RUN) });
    expect(resultsOf(reporter).map((r) => r.line)).toEqual([1, 2]);
    expect(outcome.lines).toMatchObject({ replayed: 1, journalUnverified: true });
    expect(describeLineCounts(outcome.lines)).toBe(
      '1 result resumed from the journal; the journal has no header saying which run it belongs to (an older urlcheck wrote it): its results were taken as this run\'s',
    );
    // It gets no header in the middle: every line after the first is a result.
    expect((await readFile(journalPath, 'utf8')).startsWith('{"url":')).toBe(true);
  });

  it('remove() unlinks only the file it opened: a file put in its place meanwhile is left alone', async () => {
    const journalPath = nextJournal();
    const journal = await openJournal(journalPath, RUN);
    const other = join(temp.path(), 'other.ndjson');
    await writeFile(other, 'not mine\n');
    await rename(other, journalPath);
    await journal.remove();
    expect(await readFile(journalPath, 'utf8')).toBe('not mine\n');
  });

  it('remove() through a symlink unlinks the journal file the run appended to', async () => {
    const target = nextJournal();
    const link = join(temp.path(), `link-${journalCount}.ndjson`);
    await symlink(target, link);
    const journal = await openJournal(link, RUN);
    journal.append(resultWith({ url: server().url('/ok'), line: 1, source: 'test.txt' }));
    await journal.remove();
    expect(existsSync(target)).toBe(false);
  });

  it('refuses a directory with one line', async () => {
    await expect(openJournal(temp.path(), RUN)).rejects.toThrow(new UsageError(`--resume journal "${temp.path()}" is not a regular file (it is a directory); give the path of a journal file, or of a file to create`));
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
