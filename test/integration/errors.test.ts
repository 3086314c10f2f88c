import { afterAll, describe, expect, it } from 'vitest';
import { checkAll } from '../../src/pipeline/pool.js';
import type { CheckResult } from '../../src/model/types.js';
import { checkOne } from '../helpers/checks.js';
import { closedPort, collect, SELF_SIGNED, targetsFrom, testOptions, useFixtureServer } from '../helpers/fixtures.js';
import { drip, startRawServer, waitFor, type LocalServer } from '../helpers/servers.js';

/** A failed result with no response at all: nothing about a status, final URL or method. */
function expectNoResponse(result: CheckResult, code: string): void {
  expect(result.ok).toBe(false);
  expect(result.error?.code).toBe(code);
  expect(result.status).toBeNull();
  expect(result.finalUrl).toBeNull();
  expect(result.method).toBeNull();
  expect(result.error?.message).not.toBe('');
}

describe('network failures, each from a real local situation', () => {
  const server = useFixtureServer();

  it('CONNECTION_REFUSED: nothing listens on the port', async () => {
    const port = await closedPort();
    const result = await checkOne(`http://127.0.0.1:${port}/`, { retries: 0 });
    expectNoResponse(result, 'CONNECTION_REFUSED');
    expect(result.attempts).toBe(1);
    expect(result.error?.message).toContain('connection refused');
  });

  it('CONNECTION_RESET: the server resets the socket', async () => {
    const result = await checkOne(server().url('/reset'), { retries: 0 });
    expectNoResponse(result, 'CONNECTION_RESET');
    expect(server().stats.byPath.get('/reset')).toBe(1);
  });

  it('PROTOCOL_ERROR: the server answers bytes that are not HTTP', async () => {
    const result = await checkOne(server().url('/garbage'), { retries: 2 });
    expectNoResponse(result, 'PROTOCOL_ERROR');
    // Not retryable: a server that speaks garbage will do so again.
    expect(result.attempts).toBe(1);
  });

  it('DNS: a name the resolver does not know, without any DNS traffic', async () => {
    const result = await checkOne(`http://nope.invalid:${server().port}/ok`, { retries: 2 });
    expectNoResponse(result, 'DNS');
    expect(result.attempts).toBe(1);
    expect(result.error?.message).toContain('nope.invalid');
    expect(server().stats.total).toBe(0);
  });

  it('TLS: https:// to a server that answers the handshake in plain HTTP', async () => {
    const plain = await startRawServer((socket) => {
      socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n'));
    });
    try {
      const result = await checkOne(`https://127.0.0.1:${plain.port}/ok`, { retries: 2 });
      expectNoResponse(result, 'TLS');
      expect(result.attempts).toBe(1);
      expect(plain.accepted).toBe(1);
    } finally {
      await plain.close();
    }
  });
});

describe('TIMEOUT: the per-attempt deadline is a hard limit', () => {
  const server = useFixtureServer();
  const raw: LocalServer[] = [];
  afterAll(async () => {
    await Promise.all(raw.map((s) => s.close()));
  });

  it('a server that accepts and never answers (/hang)', async () => {
    const result = await checkOne(server().url('/hang'), { timeoutMs: 300, retries: 0 });
    expectNoResponse(result, 'TIMEOUT');
    expect(result.attempts).toBe(1);
    // The request was given up, not left hanging on the server.
    await waitFor(() => server().stats.inFlight === 0, 5_000, 'the hanging request to be closed');
  });

  it('a response whose headers come after the deadline (/delay)', async () => {
    const result = await checkOne(server().url('/delay/5000/late'), { timeoutMs: 300, retries: 0 });
    expectNoResponse(result, 'TIMEOUT');
    await waitFor(() => server().stats.inFlight === 0, 5_000, 'the late request to be closed');
  });

  it('a timeout is retried, each attempt under its own deadline', async () => {
    const result = await checkOne(server().url('/hang'), { timeoutMs: 300, retries: 1 });
    expectNoResponse(result, 'TIMEOUT');
    expect(result.attempts).toBe(2);
    expect(server().stats.byPath.get('/hang')).toBe(2);
  });

  it('a header block that keeps arriving and never ends', async () => {
    const headerDrip = await startRawServer((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\n');
        drip(socket, 'x-drip: .\r\n', 30);
      });
    });
    raw.push(headerDrip);
    const result = await checkOne(headerDrip.url('/'), { timeoutMs: 400, retries: 0 });
    expectNoResponse(result, 'TIMEOUT');
    await waitFor(() => headerDrip.openSockets === 0, 5_000, 'the dripping connection to be closed');
  });

  it('a small sized body that keeps trickling (GET drains small bodies, so only the deadline ends it)', async () => {
    const bodyDrip = await startRawServer((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 1000\r\n\r\n');
        drip(socket, '.', 30);
      });
    });
    raw.push(bodyDrip);
    const result = await checkOne(bodyDrip.url('/'), { timeoutMs: 400, retries: 0, method: 'get' });
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('TIMEOUT');
    expect(result.error?.message).toContain('400 ms');
    await waitFor(() => bodyDrip.openSockets === 0, 5_000, 'the trickling connection to be closed');
  });

  it('an unsized GET body that trickles forever (/trickle) is cancelled after the headers', async () => {
    const result = await checkOne(server().url('/trickle'), { timeoutMs: 1_000, retries: 0, method: 'get' });
    // The status is known once the headers arrive; the endless body is not waited for.
    expect(result).toMatchObject({ ok: true, status: 200, method: 'GET', error: null });
    await waitFor(() => server().stats.inFlight === 0, 5_000, 'the trickle to be closed');
  });

});

describe('TLS against an HTTPS server with a self-signed certificate', () => {
  const tls = useFixtureServer({ tls: SELF_SIGNED });

  it('is refused as TLS by default, and not retried', async () => {
    const result = await checkOne(tls().url('/ok'), { retries: 2 });
    expectNoResponse(result, 'TLS');
    expect(result.attempts).toBe(1);
    expect(tls().stats.total).toBe(0);
  });

  it('is refused by host name too (localhost through the local resolver)', async () => {
    const result = await checkOne(`https://localhost:${tls().port}/ok`, { retries: 0 });
    expectNoResponse(result, 'TLS');
  });

  it('is accepted with insecure: true', async () => {
    const url = tls().url('/ok');
    const result = await checkOne(url, { insecure: true });
    expect(result).toMatchObject({ ok: true, status: 200, finalUrl: url });
    expect(tls().stats.total).toBe(1);
  });

  it('follows redirects over HTTPS with insecure: true', async () => {
    const result = await checkOne(tls().url('/redirect/2'), { insecure: true });
    expect(result).toMatchObject({ ok: true, status: 200, finalUrl: tls().url('/redirect/0') });
    expect(result.redirects.map((hop) => hop.location)).toEqual([tls().url('/redirect/1'), tls().url('/redirect/0')]);
  });
});

describe('invalid input lines become results without any request', () => {
  const server = useFixtureServer();

  it('INVALID_URL and UNSUPPORTED_PROTOCOL, attempts 0', async () => {
    const lines = [
      'not a url',
      'example.com/path',
      'http://',
      'ftp://127.0.0.1/file',
      'javascript:alert(1)',
      'mailto:someone@example.com',
      `file:///etc/passwd`,
      server().url('/ok'),
    ];
    const results = await collect(checkAll(targetsFrom(lines), testOptions()));
    const byLine = new Map(results.map((r) => [r.line, r]));
    expect(results).toHaveLength(lines.length);
    for (const line of [1, 2, 3]) {
      expect(byLine.get(line)).toMatchObject({ ok: false, attempts: 0, status: null, finalUrl: null, method: null });
      expect(byLine.get(line)?.error?.code).toBe('INVALID_URL');
    }
    expect(byLine.get(2)?.error?.message).toContain('https://example.com/path');
    for (const line of [4, 5, 6, 7]) {
      expect(byLine.get(line)).toMatchObject({ ok: false, attempts: 0, status: null });
      expect(byLine.get(line)?.error?.code).toBe('UNSUPPORTED_PROTOCOL');
    }
    expect(byLine.get(4)?.error?.message).toContain('"ftp:"');
    expect(byLine.get(8)).toMatchObject({ ok: true });
    expect(byLine.get(1)?.url).toBe('not a url');
    // Only the one valid line reached the server.
    expect(server().stats.total).toBe(1);
  });
});
