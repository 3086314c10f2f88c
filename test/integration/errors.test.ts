import { afterAll, describe, expect, it } from 'vitest';
import { checkAll } from '../../src/pipeline/pool.js';
import type { CheckResult, Target } from '../../src/model/types.js';
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

describe('PROTOCOL_ERROR: what a hostile server got wrong, in plain words, never the parser\'s text', () => {
  const servers: LocalServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  /** A raw TCP server that answers every request with these bytes. */
  async function answering(bytes: string | Buffer): Promise<LocalServer> {
    const server = await startRawServer((socket) => socket.once('data', () => socket.write(bytes)));
    servers.push(server);
    return server;
  }

  const NOT_HTTP = "the server's answer is not HTTP: it does not start with a status line";
  const MALFORMED_HEADER = "the server sent a malformed header: a character HTTP does not allow in a header's name or value";
  it.each<[string, string | Buffer, string]>([
    ['an SSH banner', 'SSH-2.0-OpenSSH_9.6\r\n', `${NOT_HTTP} (it starts with "SSH-2.0-OpenSSH_9.6")`],
    ['JSON without a status line', '{"status": "up"}\n', `${NOT_HTTP} (it starts with "{"status": "up"}")`],
    ['a TLS alert (an https: port asked with http:)', Buffer.from([0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28]), `${NOT_HTTP} (it answered in TLS: the URL may need https:)`],
    ['binary bytes', Buffer.from([0x00, 0x01, 0x02, 0xff, 0x0a]), `${NOT_HTTP} (it starts with binary data)`],
    ['an unknown HTTP version', 'HTTP/7.5 200 OK\r\ncontent-length: 0\r\n\r\n', "the server's status line names no HTTP version urlcheck speaks (HTTP/1.0 or HTTP/1.1)"],
    ['a status of six digits', 'HTTP/1.1 999999 X\r\ncontent-length: 0\r\n\r\n', "the server's status line is malformed: no valid three-digit status code"],
    ['no status at all', 'HTTP/1.1 \r\ncontent-length: 0\r\n\r\n', "the server's status line is malformed: no valid three-digit status code"],
    ['a status below 100', 'HTTP/1.1 099 Low\r\ncontent-length: 0\r\n\r\n', "the server's status line is malformed: a status code below 100"],
    ['a space in a header name', 'HTTP/1.1 200 OK\r\nx bad: y\r\ncontent-length: 0\r\n\r\n', MALFORMED_HEADER],
    ['a NUL byte in a header value', 'HTTP/1.1 200 OK\r\nx-bad: a\0b\r\ncontent-length: 0\r\n\r\n', MALFORMED_HEADER],
    ['a space before a header\'s colon', 'HTTP/1.1 200 OK\r\ncontent-length : 0\r\n\r\n', MALFORMED_HEADER],
    ['a folded header line', 'HTTP/1.1 200 OK\r\nx-a: b\r\n  folded\r\ncontent-length: 0\r\n\r\n', 'the server sent a malformed header: a header folded onto a second line'],
    ['a Content-Length that is not a number', 'HTTP/1.1 200 OK\r\ncontent-length: abc\r\n\r\n', 'the server sent an invalid Content-Length header (empty, not a number, too large, or given twice)'],
    ['lines ending in LF alone', 'HTTP/1.1 200 OK\ncontent-length: 0\n\n', "the server's answer breaks HTTP's line format: every line must end in CR LF"],
    ['an unrequested 100 Continue', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n', 'the server sent an answer that was not asked for (an unrequested 100 Continue, or one response too many)'],
    ['Content-Length beside chunked Transfer-Encoding', 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n', "the server's body is not as long as its Content-Length header says"],
    ['an unrequested protocol switch', 'HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\n\r\n', 'the server switched protocols (an Upgrade) without being asked to'],
  ])('%s', async (_what, bytes, message) => {
    const server = await answering(bytes);
    const result = await checkOne(server.url('/'), { retries: 2, timeoutMs: 1_500 });
    expect(result.error).toEqual({ code: 'PROTOCOL_ERROR', message });
    expect(result).toMatchObject({ verdict: 'broken', attempts: 1, status: null });
    expect(server.accepted).toBe(1);
  });

  it.each<[string, string, string]>([
    ['a chunked body with a chunk size that is not hex', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n', "the server's chunked body is malformed: a bad chunk size or chunk boundary"],
    ['a chunk longer than its size', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n', "the server's chunked body is malformed: a bad chunk size or chunk boundary"],
  ])('a body that is read (an expectation needs it), %s', async (_what, bytes, message) => {
    const server = await answering(bytes);
    const [target] = targetsFrom([server.url('/')]);
    const [result] = await collect(checkAll([{ ...(target as Target), expect: { bodyContains: ['hello'] } }], testOptions({ retries: 2, timeoutMs: 1_500 })));
    expect(result?.error).toEqual({ code: 'PROTOCOL_ERROR', message });
    expect(result?.attempts).toBe(1);
  });

  it('about 1 MB of headers: says the limit', async () => {
    const pad = Array.from({ length: 8_000 }, (_, n) => `x-pad-${n}: ${'p'.repeat(120)}\r\n`).join('');
    const server = await answering(`HTTP/1.1 200 OK\r\ncontent-length: 0\r\n${pad}\r\n`);
    const result = await checkOne(server.url('/'), { retries: 2, timeoutMs: 1_500 });
    expect(result.error).toEqual({ code: 'PROTOCOL_ERROR', message: "the server's response headers are larger than 16 KiB" });
  });
});
