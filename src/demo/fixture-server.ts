import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A local HTTP(S) server with misbehaving routes, for the demo, the tests and the benchmark.
 * It listens on loopback only and counts what it sees, so tests can prove concurrency bounds
 * by the peak number of requests the server had in flight at once.
 *
 * Routes (all GET and HEAD):
 * - `/ok`, `/status/<code>`: that status, with a small body.
 * - `/delay/<ms>[/<anything>]`: 200 after `ms` milliseconds.
 * - `/redirect/<n>`: a chain of n 302s ending in 200; `/loop`: redirects to itself.
 * - `/redirect-to?location=<text>&status=<3xx>`: one redirect to any Location, valid or not.
 * - `/head-status/<code>`: HEAD answers `code`, GET answers 200.
 * - `/flaky/<failures>/<key>`: 503 for the first `failures` requests per key, then 200.
 * - `/retry-after/<value>/<key>`: 429 with `Retry-After: value` the first time per key, then 200.
 * - `/hang`: accepts, never answers. `/reset`: resets the socket. `/garbage`: answers non-HTTP bytes.
 * - `/trickle`: headers, then one body byte every 100 ms, forever.
 * - `/big`: 200 with a 100 MB body (only sent if read).
 * - `/auth`: 200 when an Authorization header came, else 401.
 * - `/moved/<301|308|…>`: one redirect of that status to `/ok`.
 * - `/health[/<status>]`: a JSON health document (`{"status":"up",…}`) with `x-app-version`.
 * - `/challenge`: a bot-protection refusal (403, `cf-mitigated: challenge`, a challenge page).
 */
export interface FixtureServer {
  /** e.g. `http://127.0.0.1:40123`. */
  readonly origin: string;
  readonly port: number;
  /** An absolute URL for a path on this server. */
  url(path: string): string;
  /** Counters since start (or the last `resetStats`). */
  readonly stats: FixtureStats;
  /** Every request's method, path and headers, in arrival order, when `record` was set. */
  readonly requests: RecordedRequest[];
  resetStats(): void;
  /** Closes the server and every connection, hanging ones included. */
  close(): Promise<void>;
}

/** What a fixture server has seen. */
export interface FixtureStats {
  total: number;
  inFlight: number;
  /** The most requests in flight at once. */
  peak: number;
  /** The most requests in flight at once per Host header. */
  peakByHost: Map<string, number>;
  /** Requests per path. */
  byPath: Map<string, number>;
}

/** One request as the server saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
}

/** Options for {@link startFixtureServer}. */
export interface FixtureServerOptions {
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** The loopback address to listen on: `127.0.0.1` (default) or `::1`. */
  host?: '127.0.0.1' | '::1';
  /** Record every request in `requests` (tests only: memory grows with requests). */
  record?: boolean;
}

/** Starts a fixture server on an ephemeral loopback port. */
export async function startFixtureServer(options: FixtureServerOptions = {}): Promise<FixtureServer> {
  const host = options.host ?? '127.0.0.1';
  const stats: FixtureStats = { total: 0, inFlight: 0, peak: 0, peakByHost: new Map(), byPath: new Map() };
  const inFlightByHost = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  const seenKeys = new Map<string, number>();
  const sockets = new Set<Socket>();

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const hostHeader = req.headers.host ?? '';
    stats.total += 1;
    stats.inFlight += 1;
    stats.peak = Math.max(stats.peak, stats.inFlight);
    const hostCount = (inFlightByHost.get(hostHeader) ?? 0) + 1;
    inFlightByHost.set(hostHeader, hostCount);
    stats.peakByHost.set(hostHeader, Math.max(stats.peakByHost.get(hostHeader) ?? 0, hostCount));
    let counted = true;
    const done = () => {
      if (!counted) return;
      counted = false;
      stats.inFlight -= 1;
      inFlightByHost.set(hostHeader, (inFlightByHost.get(hostHeader) ?? 1) - 1);
    };
    res.on('finish', done);
    res.on('close', done);

    const url = new URL(req.url ?? '/', 'http://fixture.invalid');
    stats.byPath.set(url.pathname, (stats.byPath.get(url.pathname) ?? 0) + 1);
    if (options.record) requests.push({ method: req.method ?? '', path: url.pathname + url.search, headers: req.headers });
    route(req, res, url, seenKeys);
  };

  const server: Server = options.tls ? createHttpsServer({ ...options.tls }, handler) : createHttpServer(handler);
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 0;
  server.requestTimeout = 0;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `${options.tls ? 'https' : 'http'}://${host === '::1' ? '[::1]' : host}:${port}`;

  return {
    origin,
    port,
    url: (path: string) => `${origin}${path.startsWith('/') ? path : `/${path}`}`,
    stats,
    requests,
    resetStats: () => {
      stats.total = 0;
      stats.peak = stats.inFlight;
      stats.peakByHost.clear();
      stats.byPath.clear();
      requests.length = 0;
      seenKeys.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

function route(req: IncomingMessage, res: ServerResponse, url: URL, seenKeys: Map<string, number>): void {
  const parts = url.pathname.split('/').filter(Boolean);
  const [head, arg1, arg2] = parts;
  const countKey = (key: string) => {
    const seen = (seenKeys.get(key) ?? 0) + 1;
    seenKeys.set(key, seen);
    return seen;
  };
  switch (head) {
    case undefined:
    case 'ok':
      return reply(res, 200);
    case 'status':
      return reply(res, Number(arg1) || 200);
    case 'delay': {
      const timer = setTimeout(() => reply(res, 200), Number(arg1) || 0);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    case 'redirect': {
      const remaining = Number(arg1) || 0;
      if (remaining <= 0) return reply(res, 200);
      return redirect(res, 302, `/redirect/${remaining - 1}`);
    }
    case 'loop':
      return redirect(res, 302, '/loop');
    case 'redirect-to':
      return redirect(res, Number(url.searchParams.get('status')) || 302, url.searchParams.get('location') ?? '/');
    case 'head-status':
      return reply(res, req.method === 'HEAD' ? Number(arg1) || 405 : 200);
    case 'flaky':
      return reply(res, countKey(`flaky/${arg2}`) <= (Number(arg1) || 0) ? 503 : 200);
    case 'retry-after':
      if (countKey(`retry-after/${arg2}`) === 1) {
        res.setHeader('retry-after', decodeURIComponent(arg1 ?? '1'));
        return reply(res, 429);
      }
      return reply(res, 200);
    case 'hang':
      return;
    case 'reset':
      req.socket.resetAndDestroy();
      return;
    case 'garbage':
      req.socket.end('this is not HTTP at all\r\n\r\n');
      return;
    case 'trickle': {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.flushHeaders(); // Node holds a HEAD response's headers until it ends; send them now.
      const timer = setInterval(() => res.write('.'), 100);
      res.on('close', () => clearInterval(timer));
      return;
    }
    case 'big': {
      const size = 100 * 1024 * 1024;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
      if (req.method === 'HEAD') return void res.end();
      const chunk = Buffer.alloc(64 * 1024, 120);
      let sent = 0;
      const pump = () => {
        while (sent < size) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      return pump();
    }
    case 'auth':
      return reply(res, req.headers.authorization ? 200 : 401);
    case 'moved':
      return redirect(res, Number(arg1) || 301, '/ok');
    case 'health': {
      // A health endpoint as probes see them: JSON, a version header.
      const body = JSON.stringify({ status: arg1 ?? 'up', version: '2.1.0', checks: { db: 'ok', queue: arg1 === 'degraded' ? 'slow' : 'ok' } });
      res.writeHead(200, { 'content-type': 'application/json', 'x-app-version': '2.1.0', 'content-length': Buffer.byteLength(body) });
      return void res.end(req.method === 'HEAD' ? undefined : body);
    }
    case 'challenge': {
      // What bot protection answers instead of the page (Cloudflare's managed challenge).
      const body = '<!DOCTYPE html><html><head><title>Just a moment...</title></head><body><script src="/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1"></script></body></html>';
      res.writeHead(403, { 'content-type': 'text/html; charset=UTF-8', 'cf-mitigated': 'challenge', 'content-length': Buffer.byteLength(body) });
      return void res.end(req.method === 'HEAD' ? undefined : body);
    }
    default:
      return reply(res, 404);
  }
}

function reply(res: ServerResponse, status: number): void {
  const body = `${status}\n`;
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function redirect(res: ServerResponse, status: number, location: string): void {
  res.writeHead(status, { location, 'content-length': 0 });
  res.end();
}
