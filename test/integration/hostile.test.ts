import { createHook } from 'node:async_hooks';
import type { Socket } from 'node:net';
import { brotliCompressSync, constants as zlibConstants, deflateSync, gzipSync } from 'node:zlib';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DISCARD_LIMIT_BYTES } from '../../src/check/check.js';
import type { CheckResult } from '../../src/model/types.js';
import { checkOne } from '../helpers/checks.js';
import { useFixtureServer } from '../helpers/fixtures.js';
import { drip, startRawServer, type LocalServer } from '../helpers/servers.js';

// Hostile servers on 127.0.0.1. Cases the other files already cover are not repeated here:
// /hang and /delay (TIMEOUT), a small sized body that trickles (TIMEOUT), /trickle with GET,
// /garbage (PROTOCOL_ERROR), /reset (CONNECTION_RESET, retried), a redirect loop and a chain
// longer than maxRedirects, malformed Locations ("http://[::1", …) and javascript:, data:,
// file:///etc/passwd, mailto: and ftp: Locations (errors.test.ts, retries.test.ts, redirects.test.ts).
//
// No test here asserts a duration. A broken deadline or a body that is read to its end shows
// as a test that hangs until its own timeout.

const MB = 1024 * 1024;
/** A bound, not a timing: the test process may not grow by this much while a server sends gigabytes. */
const RSS_BOUND = 100 * MB;
const HANG_LIMIT = 15_000;

/** A raw TCP server and the server side of each connection it accepted. */
interface Hostile {
  server: LocalServer;
  /** Server sides of the accepted connections, in order. */
  connections: Socket[];
}

const started: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.close()));
});

/** A raw TCP server that runs `respond` once the first bytes of a request arrive on a connection. */
async function hostile(respond: (socket: Socket) => void): Promise<Hostile> {
  const connections: Socket[] = [];
  const server = await startRawServer((socket) => {
    connections.push(socket);
    socket.once('data', () => respond(socket));
  });
  started.push(server);
  return { server, connections };
}

/**
 * Resolves when the server side of the n-th connection has closed. These servers never close
 * a connection themselves, so this is the client hanging up.
 */
async function clientHungUp(target: Hostile, index = 0): Promise<void> {
  const socket = target.connections[index];
  if (socket === undefined) throw new Error(`no connection #${index}`);
  // Not events.once: it rejects on the 'error' (ECONNRESET) that a client's hang-up may cause.
  if (!socket.closed) await new Promise((resolve) => socket.once('close', resolve));
}

/** Writes `chunk` as fast as the client reads, up to `limit` bytes, until the socket closes. */
function pump(socket: Socket, chunk: Buffer, limit = Number.POSITIVE_INFINITY): void {
  let sent = 0;
  const write = (): void => {
    while (!socket.destroyed && sent < limit) {
      const piece = limit - sent < chunk.length ? chunk.subarray(0, limit - sent) : chunk;
      sent += piece.length;
      if (!socket.write(piece)) return void socket.once('drain', write);
    }
  };
  write();
}

/** Counts zlib streams created (any inflate, gunzip or brotli decoder) while it is on. */
function watchZlib(): { stop(): number } {
  let created = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === 'ZLIB') created += 1;
    },
  }).enable();
  return {
    stop() {
      hook.disable();
      return created;
    },
  };
}

function expectNoResponse(result: CheckResult, code: string): void {
  expect(result.ok).toBe(false);
  expect(result.error?.code).toBe(code);
  expect(result.status).toBeNull();
  expect(result.error?.message).not.toBe('');
}

describe('a body that never ends, or is far too large', () => {
  const CHUNKED_HEAD = 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n';

  // Guards: an unsized GET body is cancelled after the headers (discardBody destroys it),
  // so the status is known without the deadline and the connection is closed by the client.
  it.each([
    ['chunked', CHUNKED_HEAD, '1\r\n.\r\n'],
    ['close-delimited (no length, no chunking)', 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n', '.'],
  ])(
    'GET, headers then one body byte every 100 ms forever, %s: healthy, and the client closes the connection',
    async (_kind, head, byte) => {
      const trickle = await hostile((socket) => {
        socket.write(head);
        drip(socket, byte, 100);
      });
      const result = await checkOne(trickle.server.url('/'), { method: 'get', timeoutMs: 1_500, retries: 0 });
      // Ok rather than TIMEOUT: the body was not waited for.
      expect(result).toMatchObject({ ok: true, status: 200, method: 'GET', error: null });
      await clientHungUp(trickle);
    },
    HANG_LIMIT,
  );

  // Guards: a HEAD answer is complete at its headers; bytes a server sends after them (here a
  // trickle against its Content-Length) are never waited for.
  it('HEAD, headers (Content-Length 1000) then one byte every 100 ms: healthy by HEAD', async () => {
    const trickle = await hostile((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 1000\r\n\r\n');
      drip(socket, '.', 100);
    });
    const result = await checkOne(trickle.server.url('/'), { timeoutMs: 1_500, retries: 0 });
    expect(result).toMatchObject({ ok: true, status: 200, method: 'HEAD', error: null });
    await clientHungUp(trickle);
  }, HANG_LIMIT);

  // Guards: bodies over DISCARD_LIMIT_BYTES (or unsized) are cancelled, never downloaded nor buffered.
  it.each([
    ['an endless chunked body', CHUNKED_HEAD, Buffer.from(`10000\r\n${'x'.repeat(0x10000)}\r\n`), Number.POSITIVE_INFINITY],
    [
      'a 10 GB Content-Length body',
      'HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: 10737418240\r\n\r\n',
      Buffer.alloc(64 * 1024, 120),
      10 * 1024 * MB,
    ],
  ])(
    'GET of %s: healthy, the client closes the connection, memory stays flat',
    async (_kind, head, chunk, size) => {
      const flood = await hostile((socket) => {
        socket.write(head);
        pump(socket, chunk, size);
      });
      const rssBefore = process.memoryUsage().rss;
      const result = await checkOne(flood.server.url('/'), { method: 'get', timeoutMs: 1_500, retries: 0 });
      expect(result).toMatchObject({ ok: true, status: 200, method: 'GET', error: null });
      await clientHungUp(flood);
      expect(flood.connections[0]?.bytesWritten).toBeLessThan(size);
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(RSS_BOUND);
    },
    HANG_LIMIT,
  );
});

describe('compression bombs: nothing is ever inflated', () => {
  /** Inflated size of each bomb: tens of MB of zeros, a few tens of KB on the wire. */
  const INFLATED = 60 * MB;
  const bombs = new Map<string, Buffer>();
  beforeAll(() => {
    const zeros = Buffer.alloc(INFLATED);
    bombs.set('gzip', gzipSync(zeros, { level: 9 }));
    bombs.set('deflate', deflateSync(zeros, { level: 9 }));
    bombs.set('br', brotliCompressSync(zeros, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5 } }));
  });

  // Guards: the check uses dispatcher.request (no Content-Encoding handling): a small body is
  // drained as raw bytes, so no zlib stream is ever created and memory stays flat.
  it.each(['gzip', 'deflate', 'br'])(
    'Content-Encoding: %s, a small body (under the drain limit) that inflates to 60 MB: healthy, drained compressed',
    async (encoding) => {
      const bomb = bombs.get(encoding) as Buffer;
      expect(bomb.length).toBeLessThan(DISCARD_LIMIT_BYTES);
      const head = Buffer.from(
        `HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-encoding: ${encoding}\r\ncontent-length: ${bomb.length}\r\n\r\n`,
      );
      const server = await hostile((socket) => {
        socket.write(head);
        socket.write(bomb);
      });
      const rssBefore = process.memoryUsage().rss;
      const zlib = watchZlib();
      const result = await checkOne(server.server.url('/'), { method: 'get', timeoutMs: 1_500, retries: 0 });
      expect(zlib.stop()).toBe(0);
      expect(result).toMatchObject({ ok: true, status: 200, method: 'GET', error: null });
      // The whole response on the wire was the compressed bytes; the client read it all (drained).
      expect(server.connections[0]?.bytesWritten).toBe(head.length + bomb.length);
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(RSS_BOUND);
    },
    HANG_LIMIT,
  );

  // Guards: a compressed body over the drain limit is cancelled, not read (and not inflated).
  it('Content-Encoding: gzip, 120 MB on the wire that would inflate to 120 GB: healthy, cancelled', async () => {
    const member = bombs.get('gzip') as Buffer;
    // Concatenated gzip members are one valid gzip stream.
    const copies = 2_000;
    const size = member.length * copies;
    const server = await hostile((socket) => {
      socket.write(`HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-encoding: gzip\r\ncontent-length: ${size}\r\n\r\n`);
      pump(socket, member, size);
    });
    const rssBefore = process.memoryUsage().rss;
    const zlib = watchZlib();
    const result = await checkOne(server.server.url('/'), { method: 'get', timeoutMs: 1_500, retries: 0 });
    expect(zlib.stop()).toBe(0);
    expect(result).toMatchObject({ ok: true, status: 200, method: 'GET', error: null });
    await clientHungUp(server);
    expect(server.connections[0]?.bytesWritten).toBeLessThan(size);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(RSS_BOUND);
  }, HANG_LIMIT);
});

describe('responses that are not valid HTTP', () => {
  // Guards: undici's maxHeaderSize (its default) and the mapping of UND_ERR_HEADERS_OVERFLOW.
  it('about 1 MB of response headers: PROTOCOL_ERROR, and the client hangs up', async () => {
    const pad = Array.from({ length: 8_000 }, (_, n) => `x-pad-${n}: ${'p'.repeat(120)}\r\n`).join('');
    const server = await hostile((socket) => {
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: 0\r\n${pad}\r\n`);
    });
    const result = await checkOne(server.server.url('/'), { timeoutMs: 1_500, retries: 2 });
    expectNoResponse(result, 'PROTOCOL_ERROR');
    expect(result.attempts).toBe(1);
    await clientHungUp(server);
  }, HANG_LIMIT);

  // Guards: llhttp parse errors (HPE_*) map to PROTOCOL_ERROR, not UNKNOWN, and are not retried.
  it.each([
    ['a status code of six digits', 'HTTP/1.1 999999 X\r\ncontent-length: 0\r\n\r\n'],
    ['a NUL byte in a header value', 'HTTP/1.1 200 OK\r\nx-bad: a\0b\r\ncontent-length: 0\r\n\r\n'],
    ['a space in a header name', 'HTTP/1.1 200 OK\r\nx bad: y\r\ncontent-length: 0\r\n\r\n'],
    ['a control character in a header name', 'HTTP/1.1 200 OK\r\nx-\u0001bad: y\r\ncontent-length: 0\r\n\r\n'],
    ['an unknown protocol version', 'HTTP/7.5 200 OK\r\ncontent-length: 0\r\n\r\n'],
  ])('%s: PROTOCOL_ERROR, one attempt', async (_what, response) => {
    const server = await hostile((socket) => socket.write(response, 'latin1'));
    const result = await checkOne(server.server.url('/'), { timeoutMs: 1_500, retries: 2 });
    expectNoResponse(result, 'PROTOCOL_ERROR');
    expect(result.attempts).toBe(1);
    expect(server.server.accepted).toBe(1);
  }, HANG_LIMIT);
});

describe('connections that break off', () => {
  /** Lets the client read what was written before the connection is cut. */
  const afterAMoment = (action: () => void) => setTimeout(action, 50);

  // Guards: a reset before the header block ends maps to CONNECTION_RESET.
  it('a reset in the middle of the headers: CONNECTION_RESET', async () => {
    const server = await hostile((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nx-half');
      afterAMoment(() => socket.resetAndDestroy());
    });
    const result = await checkOne(server.server.url('/'), { timeoutMs: 1_500, retries: 0 });
    expectNoResponse(result, 'CONNECTION_RESET');
  }, HANG_LIMIT);

  // Guards: the body-error check after draining (dump() swallows the error; check.ts rethrows
  // response.body.errored), so a 200 whose body broke off is not reported healthy.
  it('GET, a reset in the middle of a small sized body: CONNECTION_RESET, not a healthy 200', async () => {
    const server = await hostile((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 1000\r\n\r\nhalf of the bo');
      afterAMoment(() => socket.resetAndDestroy());
    });
    const result = await checkOne(server.server.url('/'), { method: 'get', timeoutMs: 1_500, retries: 0 });
    expectNoResponse(result, 'CONNECTION_RESET');
  }, HANG_LIMIT);

  // Guards: the same body-error check, for a clean close (FIN) before Content-Length bytes came.
  it('GET, a body shorter than its Content-Length, then a clean close: CONNECTION_RESET', async () => {
    const server = await hostile((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 1000\r\n\r\nonly this');
      afterAMoment(() => socket.end());
    });
    const result = await checkOne(server.server.url('/'), { method: 'get', timeoutMs: 1_500, retries: 0 });
    expectNoResponse(result, 'CONNECTION_RESET');
  }, HANG_LIMIT);

  // Guards: a connection closed before any byte is CONNECTION_RESET, and retryable: one
  // connection per attempt, attempts = retries + 1.
  it('a server that closes every connection right after accepting: CONNECTION_RESET, retried', async () => {
    const connections: Socket[] = [];
    const server = await startRawServer((socket) => {
      connections.push(socket);
      socket.end();
    });
    started.push(server);
    const result = await checkOne(server.url('/'), { timeoutMs: 1_500, retries: 2 });
    expectNoResponse(result, 'CONNECTION_RESET');
    expect(result.attempts).toBe(3);
    expect(server.accepted).toBe(3);
  }, HANG_LIMIT);
});

describe('Retry-After as an HTTP-date', () => {
  const server = useFixtureServer();

  // Guards: parseRetryAfter reads HTTP-dates and the check sleeps until then before retrying.
  it('429 with a date about a second ahead: retried once the date has passed, then ok', async () => {
    const date = new Date(Date.now() + 1_500).toUTCString();
    const path = `/retry-after/${encodeURIComponent(date)}/date-ahead`;
    const result = await checkOne(server().url(path), { retries: 1 });
    // Causality, not a timing: the result cannot exist before the date the server named.
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(date) - 5);
    expect(result).toMatchObject({ ok: true, status: 200, attempts: 2, error: null });
    expect(server().stats.byPath.get(path)).toBe(2);
  }, HANG_LIMIT);

  // Guards: a date further ahead than maxRetryAfterMs is refused, not slept on.
  it('429 with a date further ahead than maxRetryAfterMs: not retried, and says so', async () => {
    const date = new Date(Date.now() + 60_000).toUTCString();
    const path = `/retry-after/${encodeURIComponent(date)}/date-far`;
    const result = await checkOne(server().url(path), { retries: 3, maxRetryAfterMs: 2_000 });
    expect(result).toMatchObject({ ok: false, status: 429, attempts: 1 });
    expect(result.error?.code).toBe('HTTP_STATUS');
    expect(result.error?.message).toContain('Retry-After');
    expect(server().stats.byPath.get(path)).toBe(1);
  });
});

describe('hostile redirect Locations', () => {
  const server = useFixtureServer({ record: true });

  function redirectTo(location: string, status = 302): string {
    return `${server().origin}/redirect-to?${new URLSearchParams({ location, status: String(status) })}`;
  }
  const paths = () => server().requests.map((r) => `${r.headers.host} ${r.path.split('?')[0]}`);
  const here = () => `127.0.0.1:${server().port}`;

  // Guards: the redirect loop check: an empty Location resolves to the URL that sent it.
  it.each([
    ['empty', ''],
    ['only whitespace', '   '],
  ])('a Location that is %s: one request, TOO_MANY_REDIRECTS (a redirect to itself)', async (_what, location) => {
    const result = await checkOne(redirectTo(location), { retries: 2 });
    expect(result).toMatchObject({ ok: false, status: 302, attempts: 1 });
    expect(result.error?.code).toBe('TOO_MANY_REDIRECTS');
    expect(paths()).toEqual([`${here()} /redirect-to`]);
  });

  // Guards: a Location that does not parse is INVALID_URL, and nothing else is requested.
  it.each(['//', 'http://', 'https://'])('Location %s (no host): INVALID_URL, nothing else requested', async (location) => {
    const result = await checkOne(redirectTo(location), { retries: 2 });
    expect(result).toMatchObject({ ok: false, status: 302, attempts: 1, redirects: [] });
    expect(result.error?.code).toBe('INVALID_URL');
    expect(paths()).toEqual([`${here()} /redirect-to`]);
  });

  // Guards: redirects are resolved by the WHATWG URL parser, as browsers do; the extra slash
  // makes "x" the host, which goes through the (local) resolver and fails there, offline.
  it('Location http:///x is host "x": followed, DNS (unknown name), nothing else requested', async () => {
    const result = await checkOne(redirectTo('http:///x'), { retries: 0 });
    expect(result.error?.code).toBe('DNS');
    expect(result.redirects).toEqual([{ status: 302, location: 'http://x/' }]);
    expect(paths()).toEqual([`${here()} /redirect-to`]);
  });

  // Guards: backslashes count as slashes in an http(s) Location (WHATWG), so this is a
  // protocol-relative redirect to another host name: followed, and without credentials.
  it('Location \\\\evil.test:PORT\\x is http://evil.test:PORT/x: followed, one result', async () => {
    const result = await checkOne(redirectTo(`\\\\evil.test:${server().port}\\x`), { retries: 0 });
    const target = `http://evil.test:${server().port}/x`;
    expect(result).toMatchObject({ ok: false, status: 404, finalUrl: target, redirects: [{ status: 302, location: target }] });
    expect(result.error?.code).toBe('HTTP_STATUS');
    expect(paths()).toEqual([`${here()} /redirect-to`, `evil.test:${server().port} /x`, `evil.test:${server().port} /x`]);
  });

  // Guards: only http(s) redirect targets are followed; file: is never read, whatever the path.
  it.each([
    ['about:', 'about:blank'],
    ['file:', 'file:///nonexistent/urlcheck/hostile-redirect-target'],
  ])('a Location with the scheme %s: UNSUPPORTED_PROTOCOL, never followed', async (protocol, location) => {
    const result = await checkOne(redirectTo(location), { retries: 2 });
    expect(result).toMatchObject({ ok: false, status: 302, attempts: 1, redirects: [] });
    // Not ENOENT, not an fs error: the file was never looked for.
    expect(result.error?.code).toBe('UNSUPPORTED_PROTOCOL');
    expect(result.error?.message).toContain(`"${protocol}"`);
    expect(paths()).toEqual([`${here()} /redirect-to`]);
  });

  // Guards: a long Location is followed like any other (no length limit of our own) ...
  it('a 10 000-character Location that is valid: followed, one result', async () => {
    const location = `/ok?${'a'.repeat(10_000)}`;
    const result = await checkOne(redirectTo(location), { retries: 0 });
    expect(result).toMatchObject({ ok: true, status: 200, finalUrl: server().url(location) });
    expect(paths()).toEqual([`${here()} /redirect-to`, `${here()} /ok`]);
  });

  // ... and one that is not valid is quoted in the message only in part (location.slice(0, 200)).
  it('a 10 000-character Location that is not valid: INVALID_URL, a short message', async () => {
    const result = await checkOne(redirectTo(`http://[${'a'.repeat(10_000)}`), { retries: 0 });
    expect(result.error?.code).toBe('INVALID_URL');
    expect(result.error?.message.length).toBeLessThan(300);
    expect(paths()).toEqual([`${here()} /redirect-to`]);
  });
});
