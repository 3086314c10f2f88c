import { randomUUID } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import { describe, expect, it } from 'vitest';
import { checkAll } from '../../src/pipeline/pool.js';
import type { Target } from '../../src/model/types.js';
import { checkOne } from '../helpers/checks.js';
import { closedPort, collect, localLookup, targetsFrom, testOptions, useFixtureServer } from '../helpers/fixtures.js';
import { startHttpServer, type LocalServer } from '../helpers/servers.js';

/** A key no other test uses, so the fixture's per-key failure counters start at zero. */
const key = () => randomUUID();

describe('retries', () => {
  const server = useFixtureServer({ record: true });

  it('retries 503 until it succeeds: /flaky/2 with retries 2 → ok on the third attempt', async () => {
    const path = `/flaky/2/${key()}`;
    const result = await checkOne(server().url(path), { retries: 2 });
    expect(result).toMatchObject({ ok: true, status: 200, attempts: 3, error: null });
    expect(server().stats.byPath.get(path)).toBe(3);
  });

  it('gives up after the last retry: /flaky/2 with retries 1 → HTTP_STATUS 503 after 2 attempts', async () => {
    const path = `/flaky/2/${key()}`;
    const result = await checkOne(server().url(path), { retries: 1 });
    expect(result).toMatchObject({ ok: false, status: 503, attempts: 2 });
    expect(result.error?.code).toBe('HTTP_STATUS');
    expect(server().stats.byPath.get(path)).toBe(2);
  });

  it('makes one attempt with retries 0', async () => {
    const path = `/flaky/1/${key()}`;
    const result = await checkOne(server().url(path), { retries: 0 });
    expect(result).toMatchObject({ ok: false, status: 503, attempts: 1 });
  });

  it('does not retry a 404', async () => {
    const result = await checkOne(server().url('/status/404'), { retries: 3 });
    expect(result).toMatchObject({ ok: false, status: 404, attempts: 1 });
    // HEAD, then the GET fallback: one attempt, two requests, no retry.
    expect(server().stats.byPath.get('/status/404')).toBe(2);
  });

  it.each([502, 504])('retries a %i', async (status) => {
    const result = await checkOne(server().url(`/status/${status}`), { retries: 1 });
    expect(result).toMatchObject({ ok: false, status, attempts: 2 });
  });

  it('honours a 429 with Retry-After: 1 and retries', async () => {
    const path = `/retry-after/1/${key()}`;
    const result = await checkOne(server().url(path), { retries: 1 });
    expect(result).toMatchObject({ ok: true, status: 200, attempts: 2 });
    expect(server().stats.byPath.get(path)).toBe(2);
  });

  it('does not retry when Retry-After asks for more than maxRetryAfterMs, and says so', async () => {
    const path = `/retry-after/120/${key()}`;
    const result = await checkOne(server().url(path), { retries: 3, maxRetryAfterMs: 5_000 });
    expect(result).toMatchObject({ ok: false, status: 429, attempts: 1 });
    expect(result.error?.code).toBe('HTTP_STATUS');
    expect(result.error?.message).toContain('Retry-After');
    expect(result.error?.message).toContain('120 s');
    expect(server().stats.byPath.get(path)).toBe(1);
  });

  it('treats a Retry-After date in the past as "now" and retries', async () => {
    const path = `/retry-after/${encodeURIComponent(new Date(Date.now() - 60_000).toUTCString())}/${key()}`;
    const result = await checkOne(server().url(path), { retries: 1 });
    expect(result).toMatchObject({ ok: true, status: 200, attempts: 2 });
  });

  it('waits for a Retry-After date: the second attempt arrives at or after it', async () => {
    // HTTP dates have a resolution of one second: a whole second at least 2 s ahead, so the wait is real.
    const date = (Math.floor(Date.now() / 1000) + 1) * 1000 + 2_000;
    const arrivals: number[] = [];
    const local = await startHttpServer((_req, res) => {
      arrivals.push(Date.now());
      if (arrivals.length === 1) res.writeHead(429, { 'retry-after': new Date(date).toUTCString() });
      else res.writeHead(200);
      res.end();
    });
    try {
      const result = await checkOne(local.url('/'), { retries: 1 });
      expect(result).toMatchObject({ ok: true, status: 200, attempts: 2 });
      expect(arrivals).toHaveLength(2);
      expect(arrivals[0]).toBeLessThan(date);
      expect(arrivals[1]).toBeGreaterThanOrEqual(date);
    } finally {
      await local.close();
    }
  });

  it('retries a refused connection: attempts = retries + 1', async () => {
    const port = await closedPort();
    const result = await checkOne(`http://127.0.0.1:${port}/`, { retries: 2 });
    expect(result).toMatchObject({ ok: false, status: null, attempts: 3 });
    expect(result.error?.code).toBe('CONNECTION_REFUSED');
  });

  it('retries a reset connection', async () => {
    const result = await checkOne(server().url('/reset'), { retries: 1 });
    expect(result).toMatchObject({ ok: false, attempts: 2 });
    expect(result.error?.code).toBe('CONNECTION_RESET');
    expect(server().stats.byPath.get('/reset')).toBe(2);
  });

  it('uses every retry it was given even when its own back-off would exceed maxRetryAfterMs (no Retry-After was sent)', async () => {
    const port = await closedPort();
    // The first back-off alone (1 000-2 000 ms) is above the 50 ms Retry-After limit.
    const result = await checkOne(`http://127.0.0.1:${port}/`, { retries: 2, retryBaseMs: 2_000, maxRetryAfterMs: 50 });
    expect(result.attempts).toBe(3);
    expect(result.error?.code).toBe('CONNECTION_REFUSED');
    expect(result.error?.message).not.toContain('Retry-After');
  });

  it('a retried request repeats the whole attempt, redirects included', async () => {
    const flaky = `/flaky/1/${key()}`;
    const start = `/redirect-to?${new URLSearchParams({ location: flaky })}`;
    const result = await checkOne(server().url(start), { retries: 1 });
    expect(result).toMatchObject({ ok: true, status: 200, attempts: 2, finalUrl: server().url(flaky) });
    expect(result.redirects).toHaveLength(1);
    expect(server().requests.map((r) => r.path.split('?')[0])).toEqual(['/redirect-to', flaky, '/redirect-to', flaky]);
  });
});

describe('retries follow the verdict policy (README "Verdicts and retries")', () => {
  /** A server whose answers per path are given in order; the last one repeats. */
  async function answering(script: Record<string, Array<number | { status: number; delayMs: number }>>): Promise<LocalServer & { hits: Map<string, number> }> {
    const hits = new Map<string, number>();
    const server = await startHttpServer((req, res) => {
      const path = req.url ?? '/';
      const hit = (hits.get(path) ?? 0) + 1;
      hits.set(path, hit);
      const steps = script[path] ?? [404];
      const step = steps[Math.min(hit, steps.length) - 1] ?? 404;
      const { status, delayMs } = typeof step === 'number' ? { status: step, delayMs: 0 } : step;
      setTimeout(() => res.writeHead(status, { 'content-length': 0 }).end(), delayMs);
    });
    return Object.assign(server, { hits });
  }

  it('a health endpoint answering 500 once passes on the retry', async () => {
    const server = await answering({ '/health': [500, 200] });
    try {
      const result = await checkOne(server.url('/health'), { retries: 2, method: 'get' });
      expect(result).toMatchObject({ ok: true, status: 200, attempts: 2, verdict: 'healthy' });
    } finally {
      await server.close();
    }
  });

  it('a 500 that outlasts the retries is transient, after every attempt (so the default --fail-on fails the run)', async () => {
    const server = await answering({ '/health': [500] });
    try {
      const result = await checkOne(server.url('/health'), { retries: 3, method: 'get' });
      expect(result).toMatchObject({ ok: false, status: 500, attempts: 4, verdict: 'transient' });
      expect(server.hits.get('/health')).toBe(4);
    } finally {
      await server.close();
    }
  });

  it('a 429 that outlasts the retries is transient (rate limited), not blocked: nothing named bot protection', async () => {
    const server = await answering({ '/api': [429] });
    try {
      const result = await checkOne(server.url('/api'), { retries: 1, method: 'get' });
      expect(result).toMatchObject({ ok: false, status: 429, attempts: 2, verdict: 'transient' });
      expect(result.error?.message).toBe('status 429 is not in --accept 200-299');
    } finally {
      await server.close();
    }
  });

  it('a 501 is not retried: the server says it will never do it', async () => {
    const server = await answering({ '/x': [501, 200] });
    try {
      const result = await checkOne(server.url('/x'), { retries: 2, method: 'get' });
      expect(result).toMatchObject({ ok: false, status: 501, attempts: 1, verdict: 'broken' });
    } finally {
      await server.close();
    }
  });

  it('a temporary DNS failure (EAI_AGAIN) is retried, and the name resolves on the next attempt', async () => {
    let lookups = 0;
    // The resolver hiccups once, as getaddrinfo reports it, then answers.
    const hiccup: LookupFunction = (hostname, options, callback) => {
      lookups += 1;
      if (lookups === 1) {
        const error = Object.assign(new Error(`getaddrinfo EAI_AGAIN ${hostname}`), { code: 'EAI_AGAIN', errno: -3001, syscall: 'getaddrinfo', hostname });
        return void (callback as (e: NodeJS.ErrnoException) => void)(error);
      }
      localLookup(hostname, options, callback);
    };
    const server = await answering({ '/': [200] });
    try {
      const result = await checkOne(`http://api.test:${server.port}/`, { retries: 2, lookup: hiccup });
      expect(result).toMatchObject({ ok: true, status: 200, attempts: 2, verdict: 'healthy' });
      expect(lookups).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('maxResponseMs times each attempt on its own: a slow first answer, then a fast one, passes', async () => {
    const server = await answering({ '/slow-once': [{ status: 200, delayMs: 200 }, 200] });
    try {
      const [target] = targetsFrom([server.url('/slow-once')]);
      const [result] = await collect(checkAll([{ ...(target as Target), expect: { maxResponseMs: 100 } }], testOptions({ retries: 2 })));
      expect(result).toMatchObject({ ok: true, attempts: 2, verdict: 'healthy' });
    } finally {
      await server.close();
    }
  });
});
