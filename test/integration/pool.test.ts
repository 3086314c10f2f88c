import { describe, expect, it } from 'vitest';
import { parseTarget } from '../../src/input/targets.js';
import { checkAll, MIN_LOOKAHEAD } from '../../src/pipeline/pool.js';
import type { CheckResult, Target } from '../../src/model/types.js';
import { closedPort, collect, targetsFrom, testOptions, useFixtureServer } from '../helpers/fixtures.js';
import { startHttpServer, waitFor } from '../helpers/servers.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * An input of `count` targets, produced one at a time as the pool pulls them. `pulled` counts
 * the targets handed out; `closed` turns true when the generator's finally block runs.
 */
function countingInput(count: number, urlFor: (i: number) => string) {
  const state = { pulled: 0, closed: false };
  async function* generate(): AsyncGenerator<Target> {
    try {
      for (let i = 0; i < count; i++) {
        state.pulled += 1;
        yield parseTarget(urlFor(i), 'generated', i + 1) as Target;
      }
    } finally {
      state.closed = true;
    }
  }
  return { state, targets: generate() };
}

describe('checkAll: bounded concurrency, proven by the peak the server saw', () => {
  const server = useFixtureServer();

  it('never has more than `concurrency` requests in flight: 30 slow URLs at concurrency 5 → peak exactly 5', async () => {
    const lines = range(30).map((i) => server().url(`/delay/100/${i}`));
    const results = await collect(checkAll(targetsFrom(lines), testOptions({ concurrency: 5 })));
    expect(results).toHaveLength(30);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(server().stats.peak).toBe(5);
    expect(server().stats.total).toBe(30);
  });

  it('opens no more connections to an origin than requests can be in flight: 300 URLs at concurrency 20 → at most 20 sockets', async () => {
    // A request started the moment another ended must wait for that one's connection rather
    // than open a new one (GET with a body and HEAD alike: both reuse it).
    const local = await startHttpServer((request, response) => {
      setTimeout(() => response.end('ok'), request.url?.endsWith('/slow') ? 20 : 0);
    });
    try {
      const lines = range(300).map((i) => local.url(`/${i}/${i % 3 === 0 ? 'slow' : 'fast'}`));
      const results = await collect(checkAll(targetsFrom(lines), testOptions({ concurrency: 20 })));
      expect(results).toHaveLength(300);
      expect(results.every((r) => r.ok)).toBe(true);
      expect(local.accepted).toBeLessThanOrEqual(20);
      const reused = results.filter((r) => r.timings?.reusedConnection === true).length;
      expect(reused).toBeGreaterThanOrEqual(280);
    } finally {
      await local.close();
    }
  });

  it('concurrency 1 (the sequential baseline) → peak 1', async () => {
    const lines = range(8).map((i) => server().url(`/delay/20/${i}`));
    const results = await collect(checkAll(targetsFrom(lines), testOptions({ concurrency: 1 })));
    expect(results).toHaveLength(8);
    expect(server().stats.peak).toBe(1);
    // One at a time, so results come back in input order.
    expect(results.map((r) => r.line)).toEqual(range(8).map((i) => i + 1));
  });

  it('perHost 2 over two host names at concurrency 10 → 2 per host, 4 in all', async () => {
    const { port } = server();
    const lines = range(24).map((i) => `http://${i % 2 === 0 ? 'a' : 'b'}.test:${port}/delay/100/${i}`);
    const results = await collect(checkAll(targetsFrom(lines), testOptions({ concurrency: 10, perHost: 2 })));
    expect(results).toHaveLength(24);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(server().stats.peakByHost.get(`a.test:${port}`)).toBe(2);
    expect(server().stats.peakByHost.get(`b.test:${port}`)).toBe(2);
    expect(server().stats.peak).toBe(4);
  });

  it('the global limit still holds when it is lower than the per-host limits add up to', async () => {
    const { port } = server();
    const hosts = ['a', 'b', 'c', 'd'];
    const lines = range(24).map((i) => `http://${hosts[i % 4]}.test:${port}/delay/100/${i}`);
    const results = await collect(checkAll(targetsFrom(lines), testOptions({ concurrency: 3, perHost: 2 })));
    expect(results).toHaveLength(24);
    expect(server().stats.peak).toBe(3);
    for (const host of hosts) expect(server().stats.peakByHost.get(`${host}.test:${port}`)).toBeLessThanOrEqual(2);
  });

  it('a host at its --per-host limit holds back only its own URLs: the other hosts go ahead', async () => {
    const { port } = server();
    // Interleaved: a slow host and a fast one, one at a time each, four in flight at most.
    const lines = range(16).map((i) => (i % 2 === 0 ? `http://slow.test:${port}/delay/150/${i}` : `http://fast.test:${port}/ok?${i}`));
    const results = await collect(checkAll(targetsFrom(lines), testOptions({ concurrency: 4, perHost: 1 })));
    expect(results).toHaveLength(16);
    expect(server().stats.peakByHost.get(`slow.test:${port}`)).toBe(1);
    expect(server().stats.peakByHost.get(`fast.test:${port}`)).toBe(1);
    // Every fast URL is done before the second slow one: none waited behind the slow host's queue.
    const secondSlow = results.findIndex((r, i) => r.url.includes('slow.test') && results.slice(0, i).some((s) => s.url.includes('slow.test')));
    expect(results.slice(0, secondSlow).filter((r) => r.url.includes('fast.test'))).toHaveLength(8);
  });

  it('yields exactly one result per target, whatever happens to it', async () => {
    const refused = await closedPort();
    const { port } = server();
    const kinds = [
      (i: number) => server().url(`/delay/10/${i}`),
      () => server().url('/status/404'),
      () => 'not a url',
      () => 'ftp://x.test/file',
      () => `http://127.0.0.1:${refused}/`,
      () => server().url('/redirect/2'),
      (i: number) => `http://a.test:${port}/ok?${i}`,
      () => `http://nope.invalid:${port}/`,
      () => server().url('/garbage'),
    ];
    const lines = range(90).map((i) => (kinds[i % kinds.length] as (i: number) => string)(i));
    const results = await collect(
      checkAll(targetsFrom(lines), testOptions({ concurrency: 7, perHost: 3, retries: 0 })),
    );
    expect(results).toHaveLength(90);
    expect(new Set(results.map((r) => r.line))).toEqual(new Set(range(90).map((i) => i + 1)));
    const byLine = new Map(results.map((r) => [r.line, r]));
    expect(byLine.get(1)?.ok).toBe(true);
    expect(byLine.get(2)?.error?.code).toBe('HTTP_STATUS');
    expect(byLine.get(3)?.error?.code).toBe('INVALID_URL');
    expect(byLine.get(4)?.error?.code).toBe('UNSUPPORTED_PROTOCOL');
    expect(byLine.get(5)?.error?.code).toBe('CONNECTION_REFUSED');
    expect(byLine.get(6)?.redirects).toHaveLength(2);
    expect(byLine.get(7)?.ok).toBe(true);
    expect(byLine.get(8)?.error?.code).toBe('DNS');
    expect(byLine.get(9)?.error?.code).toBe('PROTOCOL_ERROR');
  });

  it('accepts a plain (synchronous) iterable and an empty input', async () => {
    expect(await collect(checkAll([], testOptions()))).toEqual([]);
    const results = await collect(checkAll(new Set(targetsFrom([server().url('/ok')])), testOptions()));
    expect(results).toHaveLength(1);
  });
});

describe('checkAll: lazy input, early exit, abort', () => {
  const server = useFixtureServer();

  it('pulls the input lazily and closes it when the consumer stops early', async () => {
    const concurrency = 5;
    const { state, targets } = countingInput(100_000, (i) => server().url(`/delay/30/${i}`));
    const results: CheckResult[] = [];
    for await (const result of checkAll(targets, testOptions({ concurrency }))) {
      results.push(result);
      if (results.length === 10) break;
    }
    expect(results).toHaveLength(10);
    // The read-ahead bound, plus the few targets pulled while the first results came back.
    const readAhead = concurrency + Math.max(concurrency, MIN_LOOKAHEAD);
    expect(state.pulled).toBeGreaterThanOrEqual(10);
    expect(state.pulled).toBeLessThanOrEqual(readAhead + 4 * concurrency);
    // A read still pending when the consumer left is closed without waiting for it.
    await waitFor(() => state.closed, 2_000, "the input generator's finally to run");
    // Requests in flight were cancelled, and nothing more is requested. The server runs in this
    // process: a request written just before the consumer left may reach it a turn later (it was
    // in flight, not new), so the count is taken once it has held still for a while.
    await waitFor(() => server().stats.inFlight === 0, 5_000, 'in-flight requests to be cancelled');
    let total = server().stats.total;
    for (let settled = false; !settled; ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      settled = server().stats.total === total && server().stats.inFlight === 0;
      total = server().stats.total;
    }
    expect(total).toBeLessThan(100);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server().stats.total).toBe(total);
  });

  it('an abort mid-run ends the generator with only finished results, and no request follows', async () => {
    const concurrency = 4;
    const lines = range(40).map((i) => server().url(`/delay/100/${i}`));
    const controller = new AbortController();
    const results: CheckResult[] = [];
    let afterAbort = 0;
    for await (const result of checkAll(targetsFrom(lines), testOptions({ concurrency }), controller.signal)) {
      if (controller.signal.aborted) afterAbort += 1;
      results.push(result);
      if (results.length === 6) controller.abort(new Error('stop'));
    }
    expect(results.length).toBeLessThan(40);
    // Only checks that had finished: no TIMEOUT or "aborted" results for the ones cut short.
    expect(results.every((r) => r.ok && r.status === 200)).toBe(true);
    expect(afterAbort).toBeLessThanOrEqual(2 * concurrency);
    await waitFor(() => server().stats.inFlight === 0, 5_000, 'in-flight requests to be cancelled');
    const total = server().stats.total;
    expect(total).toBeLessThan(40);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(server().stats.total).toBe(total);
  });

  it('a signal aborted before the start yields nothing and requests nothing', async () => {
    const { state, targets } = countingInput(1_000, (i) => server().url(`/ok?${i}`));
    const results = await collect(checkAll(targets, testOptions(), AbortSignal.abort()));
    expect(results).toEqual([]);
    expect(state.pulled).toBe(0);
    expect(server().stats.total).toBe(0);
  });

  it('streams results while the input waits: an input that waits for a result before its next line', async () => {
    // A co-process that sends the next URL only after it has seen the previous result: it
    // deadlocks unless results are handed over while a read of the input is still pending.
    const { port } = server();
    let delivered = 0;
    let onDelivered = (): void => {};
    async function* conversational(): AsyncGenerator<Target> {
      for (let i = 1; i <= 5; i++) {
        yield parseTarget(`http://127.0.0.1:${port}/ok?${i}`, 'stdin', i) as Target;
        while (delivered < i) await new Promise<void>((resolve) => (onDelivered = resolve));
      }
    }
    const results: CheckResult[] = [];
    for await (const result of checkAll(conversational(), testOptions({ concurrency: 2 }))) {
      results.push(result);
      delivered += 1;
      onDelivered();
    }
    expect(results.map((r) => r.line)).toEqual([1, 2, 3, 4, 5]);
  }, 10_000);

  it('an abort ends the run even while the input stalls (a silent pipe)', async () => {
    const controller = new AbortController();
    const { port } = server();
    async function* stalling(): AsyncGenerator<Target> {
      for (let i = 1; i <= 3; i++) yield parseTarget(`http://127.0.0.1:${port}/ok?${i}`, 'stdin', i) as Target;
      await new Promise(() => {}); // never resolves: no more lines, no end of input
    }
    const results: CheckResult[] = [];
    for await (const result of checkAll(stalling(), testOptions(), controller.signal)) {
      results.push(result);
      if (results.length === 3) controller.abort();
    }
    expect(results).toHaveLength(3);
  }, 10_000);

  it('an input that throws makes checkAll throw the same error (the tool could not run)', async () => {
    const boom = new Error('unreadable input');
    async function* failing(): AsyncGenerator<Target> {
      yield parseTarget(server().url('/ok'), 'list.txt', 1) as Target;
      throw boom;
    }
    await expect(collect(checkAll(failing(), testOptions()))).rejects.toBe(boom);
  });
});

describe('checkAll closes its undici Agent', () => {
  // A plain server whose open connections we can count: keep-alive sockets that stay open
  // would mean the Agent was never closed (and the test process could not exit on its own).
  it('after a complete run, after an early break, and after an abort', async () => {
    const local = await startHttpServer((req, res) => {
      res.setHeader('content-length', 0);
      setTimeout(() => res.end(), req.url?.startsWith('/slow') ? 50 : 0);
    });
    try {
      const lines = range(12).map((i) => local.url(`/fast/${i}`));
      await collect(checkAll(targetsFrom(lines), testOptions({ concurrency: 4 })));
      expect(local.accepted).toBeGreaterThan(0);
      await waitFor(() => local.openSockets === 0, 2_000, 'keep-alive sockets to close after a complete run');

      const slow = range(50).map((i) => local.url(`/slow/${i}`));
      for await (const _ of checkAll(targetsFrom(slow), testOptions({ concurrency: 4 }))) break;
      await waitFor(() => local.openSockets === 0, 2_000, 'sockets to close after an early break');

      const controller = new AbortController();
      for await (const _ of checkAll(targetsFrom(slow), testOptions({ concurrency: 4 }), controller.signal)) {
        controller.abort();
      }
      await waitFor(() => local.openSockets === 0, 2_000, 'sockets to close after an abort');
    } finally {
      await local.close();
    }
  });
});

describe('startMs: where each check sat on the run’s time axis', () => {
  const server = useFixtureServer();

  it('at concurrency 1 each check starts after the one before it ended, the first at about 0', async () => {
    const lines = range(5).map((i) => server().url(`/delay/20/${i}`));
    const results = await collect(checkAll(targetsFrom(lines), testOptions({ concurrency: 1 })));
    expect(results).toHaveLength(5);
    for (const result of results) expect(typeof result.startMs).toBe('number');
    // Rounded to 0.1 ms each, so allow that much.
    for (let i = 1; i < results.length; i += 1) {
      const before = results[i - 1] as CheckResult;
      expect((results[i] as CheckResult).startMs as number).toBeGreaterThanOrEqual((before.startMs as number) + before.durationMs - 0.2);
    }
    // The first check is the run's first work: nothing of its own duration comes before it.
    expect((results[0] as CheckResult).startMs as number).toBeLessThan((results[1] as CheckResult).startMs as number);
  });

  it('at concurrency 5 the five checks overlap: each starts before every other one ends', async () => {
    const lines = range(5).map((i) => server().url(`/delay/100/${i}`));
    const results = await collect(checkAll(targetsFrom(lines), testOptions({ concurrency: 5 })));
    const latestStart = Math.max(...results.map((r) => r.startMs as number));
    const earliestEnd = Math.min(...results.map((r) => (r.startMs as number) + r.durationMs));
    expect(server().stats.peak).toBe(5);
    expect(latestStart).toBeLessThan(earliestEnd);
  });

  it('an invalid line is a result with a startMs too (it took no time)', async () => {
    const results = await collect(checkAll(targetsFrom(['not a url']), testOptions({})));
    expect(results[0]?.error?.code).toBe('INVALID_URL');
    expect(results[0]?.startMs).toBeGreaterThanOrEqual(0);
  });
});
