import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { MAX_WAITING_DUPLICATES } from '../../src/pipeline/dedupe.js';
import { runChecks } from '../../src/pipeline/run.js';
import type { CheckResult, Target } from '../../src/model/types.js';
import { recordingReporter } from '../helpers/checks.js';
import { targetsFrom, testOptions, useFixtureServer } from '../helpers/fixtures.js';
import { startHttpServer, waitFor } from '../helpers/servers.js';

const resultsOf = (reporter: ReturnType<typeof recordingReporter>): CheckResult[] =>
  reporter.calls.flatMap((call) => (call.hook === 'onResult' ? [call.result] : []));

const byLine = (results: readonly CheckResult[]) => new Map(results.map((r) => [r.line, r]));

describe('runChecks with dedupe', () => {
  const server = useFixtureServer();

  it('requests each URL once and reports every line, duplicates naming the line that was checked', async () => {
    const lines = [
      server().url('/delay/150/a'),
      server().url('/ok'),
      server().url('/delay/150/a#section'),
      'not a url',
      server().url('/ok'),
      server().url('/status/404'),
      'not a url',
      server().url('/delay/150/a'),
      server().url('/status/404#x'),
    ];
    const reporter = recordingReporter();
    const outcome = await runChecks({ targets: targetsFrom(lines), options: testOptions({ concurrency: 4 }), reporter, dedupe: true });

    const stats = server().stats.byPath;
    expect(stats.get('/delay/150/a')).toBe(1);
    expect(stats.get('/ok')).toBe(1);
    expect(stats.get('/status/404')).toBe(2); // one check: HEAD, then GET (HEAD may be unsupported)

    const results = byLine(resultsOf(reporter));
    expect([...results.keys()].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const origin = (line: number) => ({ source: 'test.txt', line });
    expect(results.get(3)).toMatchObject({ url: lines[2], ok: true, status: 200, duplicateOf: origin(1) });
    expect(results.get(8)).toMatchObject({ url: lines[7], ok: true, status: 200, duplicateOf: origin(1) });
    expect(results.get(5)).toMatchObject({ url: lines[4], ok: true, duplicateOf: origin(2) });
    expect(results.get(9)).toMatchObject({ url: lines[8], ok: false, status: 404, verdict: 'broken', error: { code: 'HTTP_STATUS' }, duplicateOf: origin(6) });
    // Lines that are not URLs are never deduped: each is its own result.
    for (const line of [1, 2, 4, 6, 7]) expect(results.get(line)).not.toHaveProperty('duplicateOf');
    expect(results.get(7)).toMatchObject({ url: 'not a url', error: { code: 'INVALID_URL' } });

    // The summary counts every line, as if each had been checked.
    expect(outcome.summary).toMatchObject({ total: 9, healthy: 5, unhealthy: 4, byCode: { HTTP_STATUS: 2, INVALID_URL: 2 } });
    expect(outcome.lines).toEqual({ excluded: 0, otherShards: 0, duplicates: 4, replayed: 0, journalSkipped: 0 });
  });

  it('a duplicate read after its URL was checked is answered at once, without a request', async () => {
    const first = targetsFrom([server().url('/redirect/1')], 'a.txt');
    const later = targetsFrom(['', server().url('/redirect/1#again')], 'b.txt');
    let firstReported!: () => void;
    const reportedFirst = new Promise<void>((resolve) => (firstReported = resolve));
    // The second list is read only once the first line's result is out.
    async function* input(): AsyncGenerator<Target[]> {
      yield first;
      await reportedFirst;
      yield later;
    }
    const reporter = recordingReporter();
    const onResult = reporter.onResult?.bind(reporter);
    reporter.onResult = (result) => {
      onResult?.(result);
      firstReported();
    };
    await runChecks({ targets: input(), options: testOptions(), reporter, dedupe: true });
    const [original, duplicate] = resultsOf(reporter) as [CheckResult, CheckResult];
    expect(server().stats.byPath.get('/redirect/1')).toBe(1);
    expect(original.timings).not.toBeNull();
    expect(duplicate).toEqual({
      ...original,
      url: server().url('/redirect/1#again'),
      source: 'b.txt',
      line: 2,
      // Redirected results keep their chain; timings and TLS belong to the line that was checked.
      finalUrl: original.finalUrl,
      timings: null,
      tls: null,
      duplicateOf: { source: 'a.txt', line: 1 },
    });
  });

  it('is off by default in the library: every line is checked', async () => {
    const lines = [server().url('/ok'), server().url('/ok'), server().url('/ok#x')];
    const reporter = recordingReporter();
    const outcome = await runChecks({ targets: targetsFrom(lines), options: testOptions(), reporter });
    expect(server().stats.byPath.get('/ok')).toBe(3);
    expect(resultsOf(reporter).some((r) => r.duplicateOf !== undefined)).toBe(false);
    expect(outcome.lines.duplicates).toBe(0);
  });

  it('checks targets with expectations on their own: their results depend on more than the URL', async () => {
    const [target] = targetsFrom([server().url('/ok')]) as [Target];
    const targets: Target[] = [
      { ...target, expect: { maxResponseMs: 60_000 } },
      { ...target, line: 2, expect: { maxResponseMs: 60_000 } },
    ];
    const reporter = recordingReporter();
    await runChecks({ targets, options: testOptions(), reporter, dedupe: true });
    expect(server().stats.byPath.get('/ok')).toBe(2);
    expect(resultsOf(reporter)).toHaveLength(2);
  });

  it('stops reading input while too many duplicates wait for a check still running', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let requests = 0;
    const slow = await startHttpServer((_req, res: ServerResponse) => {
      requests += 1;
      void gate.then(() => res.writeHead(200, { 'content-length': 0 }).end());
    });
    try {
      const url = slow.url('/slow');
      const batchSize = 500;
      const batches = 20;
      let pulled = 0;
      let pulledBeforeRelease = -1;
      async function* input(): AsyncGenerator<Target[]> {
        for (let b = 0; b < batches; b += 1) {
          const batch = targetsFrom(Array.from({ length: batchSize }, (_, i) => `${url}#${b * batchSize + i}`)).map((t, i) => ({ ...t, line: b * batchSize + i + 1 }));
          pulled += batch.length;
          yield batch;
        }
      }
      const reporter = recordingReporter();
      const run = runChecks({ targets: input(), options: testOptions({ timeoutMs: 30_000 }), reporter, dedupe: true });
      await waitFor(() => requests === 1 && pulled >= MAX_WAITING_DUPLICATES, 10_000, 'the duplicates to pile up');
      // Were the input not paused, it would all be read within this pause.
      await new Promise((resolve) => setTimeout(resolve, 100));
      pulledBeforeRelease = pulled;
      release();
      const outcome = await run;
      expect(pulledBeforeRelease).toBeLessThanOrEqual(MAX_WAITING_DUPLICATES + batchSize);
      expect(requests).toBe(1);
      expect(resultsOf(reporter)).toHaveLength(batchSize * batches);
      expect(outcome.summary.total).toBe(batchSize * batches);
      expect(outcome.lines.duplicates).toBe(batchSize * batches - 1);
    } finally {
      release();
      await slow.close();
    }
  });

  it('an interrupted run reports nothing for a check cut short, nor for the duplicates waiting for it', async () => {
    const controller = new AbortController();
    const lines = [server().url('/ok'), server().url('/hang'), server().url('/hang#2'), server().url('/ok#2')];
    const reporter = recordingReporter();
    const run = runChecks({ targets: targetsFrom(lines), options: testOptions({ timeoutMs: 30_000 }), reporter, dedupe: true, signal: controller.signal });
    await waitFor(() => server().stats.byPath.get('/hang') === 1 && resultsOf(reporter).length === 2, 10_000, 'the run to reach /hang');
    controller.abort();
    const outcome = await run;
    expect(resultsOf(reporter).map((r) => r.line).sort()).toEqual([1, 4]);
    expect(outcome.summary).toMatchObject({ total: 2, interrupted: true });
  });
});

describe('runChecks with dedupe, several links on one line (documents)', () => {
  const server = useFixtureServer();

  it('a duplicate of the first of two links on one line is reported when its check ends (none is lost)', async () => {
    // A document line such as `[a](/delay/100/a) and [b](/delay/150/b)`, then a line linking /a again.
    const [a, b, again] = targetsFrom([server().url('/delay/100/a'), server().url('/delay/150/b'), server().url('/delay/100/a')], 'doc.md');
    const targets = [{ ...(a as Target), line: 8 }, { ...(b as Target), line: 8 }, { ...(again as Target), line: 9 }];
    const reporter = recordingReporter();
    await runChecks({ targets, options: testOptions({ concurrency: 4 }), reporter, dedupe: true });
    const results = resultsOf(reporter);
    expect(results.map((r) => [r.line, new URL(r.url).pathname, r.duplicateOf ?? null]).sort()).toEqual([
      [8, '/delay/100/a', null],
      [8, '/delay/150/b', null],
      [9, '/delay/100/a', { source: 'doc.md', line: 8 }],
    ]);
  });
});
