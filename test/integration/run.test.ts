import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runChecks } from '../../src/pipeline/run.js';
import { VERSION } from '../../src/model/version.js';
import { recordingReporter } from '../helpers/checks.js';
import { closedPort, targetsFrom, testOptions, useFixtureServer } from '../helpers/fixtures.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('runChecks', () => {
  const server = useFixtureServer();

  it('calls the reporter hooks in order: start, one result per URL, end', async () => {
    const reporter = recordingReporter();
    const lines = range(5).map((i) => server().url(`/ok?${i}`));
    const outcome = await runChecks({ targets: targetsFrom(lines), options: testOptions({ concurrency: 3 }), reporter });
    expect(reporter.calls.map((c) => c.hook)).toEqual(['onRunStart', ...range(5).map(() => 'onResult'), 'onRunEnd']);
    const start = reporter.calls[0];
    expect(start?.hook === 'onRunStart' && start.meta).toMatchObject({
      version: VERSION,
      concurrency: 3,
      perHost: null,
      timeoutMs: 2_000,
      method: 'head',
      accept: '200-299',
    });
    const end = reporter.calls.at(-1);
    expect(end?.hook === 'onRunEnd' && end.end).toEqual(outcome);
    expect(outcome.comparison).toBeNull();
    expect(outcome.summary).toMatchObject({ total: 5, healthy: 5, unhealthy: 0, interrupted: false });
  });

  it('summarises what happened: counts by code and status class, retried, redirected', async () => {
    const refused = await closedPort();
    const lines = [
      server().url('/ok'),
      server().url('/ok?again'),
      server().url('/status/404'),
      'not a url',
      server().url('/redirect/2'),
      server().url(`/flaky/1/${randomUUID()}`),
      `http://127.0.0.1:${refused}/`,
    ];
    const reporter = recordingReporter();
    const { summary } = await runChecks({ targets: targetsFrom(lines), options: testOptions({ retries: 1 }), reporter });
    expect(summary).toMatchObject({
      total: 7,
      healthy: 4,
      unhealthy: 3,
      byCode: { CONNECTION_REFUSED: 1, HTTP_STATUS: 1, INVALID_URL: 1 },
      byStatusClass: { '2xx': 4, '4xx': 1, none: 2 },
      retried: 2, // the flaky URL (ok on its second attempt) and the refused one
      redirected: 1,
      interrupted: false,
    });
    expect(summary.latencyMs).not.toBeNull();
    expect(summary.wallMs).toBeGreaterThan(0);
    expect(reporter.calls.filter((c) => c.hook === 'onResult')).toHaveLength(7);
  });

  it('compare on a list shorter than the sample: the baseline runs every URL, one at a time', async () => {
    let concurrentPeak = 0;
    const reporter = recordingReporter(() => {
      concurrentPeak = server().stats.peak;
      server().resetStats();
    });
    const lines = range(20).map((i) => server().url(`/delay/30/${i}`));
    const outcome = await runChecks({
      targets: targetsFrom(lines),
      options: testOptions({ concurrency: 5 }),
      reporter,
      compare: { sampleSize: 1000 },
    });
    expect(reporter.calls.map((c) => c.hook)).toEqual([
      'onRunStart',
      ...range(20).map(() => 'onResult'),
      'onBaselineStart',
      'onRunEnd',
    ]);
    const baseline = reporter.calls.find((c) => c.hook === 'onBaselineStart');
    expect(baseline?.hook === 'onBaselineStart' && baseline.info).toEqual({ sampleSize: 20, estimated: false });
    expect(concurrentPeak).toBe(5);
    // The baseline: the same 20 URLs, strictly one at a time.
    expect(server().stats.total).toBe(20);
    expect(server().stats.peak).toBe(1);
    expect(outcome.comparison).toMatchObject({
      concurrency: 5,
      targets: 20,
      sampleSize: 20,
      estimated: false,
      disagreements: 0,
    });
    expect(outcome.comparison?.sequentialMs).toBe(outcome.comparison?.sequentialMeasuredMs);
    // The summary counts the concurrent run only.
    expect(outcome.summary.total).toBe(20);
  });

  it('compare with a sample smaller than the list: the baseline runs the sample and extrapolates', async () => {
    const reporter = recordingReporter(() => server().resetStats());
    const lines = range(20).map((i) => server().url(`/delay/10/${i}`));
    const outcome = await runChecks({
      targets: targetsFrom(lines),
      options: testOptions({ concurrency: 5 }),
      reporter,
      compare: { sampleSize: 5 },
    });
    const baseline = reporter.calls.find((c) => c.hook === 'onBaselineStart');
    expect(baseline?.hook === 'onBaselineStart' && baseline.info).toEqual({ sampleSize: 5, estimated: true });
    expect(server().stats.total).toBe(5);
    expect(server().stats.peak).toBe(1);
    expect(outcome.comparison).toMatchObject({ targets: 20, sampleSize: 5, estimated: true });
    expect(outcome.summary.total).toBe(20);
  });

  it('counts a URL whose health changed between the runs as a disagreement', async () => {
    // 503 on the first request (the concurrent run, no retries), 200 on the second (the baseline).
    const lines = [server().url(`/flaky/1/${randomUUID()}`), server().url('/ok')];
    const outcome = await runChecks({
      targets: targetsFrom(lines),
      options: testOptions({ retries: 0 }),
      reporter: recordingReporter(),
      compare: { sampleSize: 10 },
    });
    expect(outcome.summary).toMatchObject({ healthy: 1, unhealthy: 1 });
    expect(outcome.comparison?.disagreements).toBe(1);
  });

  it('an abort interrupts the run: finished results are summarised, no baseline runs', async () => {
    const controller = new AbortController();
    const reporter = recordingReporter();
    const onResult = reporter.onResult;
    let seen = 0;
    reporter.onResult = (result) => {
      seen += 1;
      if (seen === 3) controller.abort();
      return onResult?.(result);
    };
    const lines = range(40).map((i) => server().url(`/delay/50/${i}`));
    const outcome = await runChecks({
      targets: targetsFrom(lines),
      options: testOptions({ concurrency: 4 }),
      reporter,
      compare: { sampleSize: 100 },
      signal: controller.signal,
    });
    const hooks = reporter.calls.map((c) => c.hook);
    expect(hooks).not.toContain('onBaselineStart');
    expect(hooks.at(-1)).toBe('onRunEnd');
    expect(outcome.comparison).toBeNull();
    expect(outcome.summary.interrupted).toBe(true);
    expect(outcome.summary.total).toBe(hooks.filter((h) => h === 'onResult').length);
    expect(outcome.summary.total).toBeLessThan(40);
    expect(outcome.summary.unhealthy).toBe(0);
  });

  it('waits for a reporter that asks to (a promise from onResult), and fails the run if a hook throws', async () => {
    const order: string[] = [];
    const lines = range(3).map((i) => server().url(`/ok?${i}`));
    await runChecks({
      targets: targetsFrom(lines),
      options: testOptions({ concurrency: 1 }),
      reporter: {
        onResult: async (result) => {
          order.push(`start ${result.line}`);
          await new Promise((resolve) => setTimeout(resolve, 5));
          order.push(`end ${result.line}`);
        },
      },
    });
    expect(order).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);

    const broken = new Error('report file is gone');
    await expect(
      runChecks({
        targets: targetsFrom(lines),
        options: testOptions(),
        reporter: {
          onResult: () => {
            throw broken;
          },
        },
      }),
    ).rejects.toBe(broken);
  });
});
