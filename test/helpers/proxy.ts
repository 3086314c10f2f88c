import { createServer, request as httpRequest, Agent as HttpAgent, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect as netConnect, isIP, type AddressInfo, type LookupFunction, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { localLookup } from './fixtures.js';

/**
 * A real forward proxy on 127.0.0.1 for tests: absolute-form GET/HEAD requests are forwarded,
 * CONNECT opens a TCP tunnel. It resolves names with `localLookup` (`*.test` is 127.0.0.1) and
 * refuses any other address, so nothing it does leaves the machine.
 */
export interface TestProxy {
  /** e.g. `http://127.0.0.1:40123`. */
  readonly origin: string;
  readonly port: number;
  /** The proxy's URL, with `user:password@` when given. */
  url(credentials?: { username: string; password: string }): string;
  /** Absolute-form requests forwarded, per target origin (`http://a.test:1234`). */
  readonly requests: Map<string, number>;
  /** CONNECT tunnels opened, per target authority (`127.0.0.1:1234`). */
  readonly connects: Map<string, number>;
  /** TCP connections clients opened to the proxy. */
  readonly connections: () => number;
  /** Requests and CONNECTs answered 407 (missing or wrong credentials). */
  readonly authFailures: () => number;
  /** The headers of every absolute-form request and CONNECT, as the proxy received them. */
  readonly seenHeaders: IncomingMessage['headers'][];
  resetStats(): void;
  /** Closes the proxy, every client connection and every tunnel. */
  close(): Promise<void>;
}

/** Options for {@link startProxy}. */
export interface TestProxyOptions {
  /** Require `Proxy-Authorization: Basic` with these credentials; 407 otherwise. */
  auth?: { username: string; password: string };
  /** How the proxy resolves target names; `localLookup` by default. */
  lookup?: LookupFunction;
}

const LOOPBACK = new Set(['127.0.0.1', '::1']);

/** Starts a forward proxy on an ephemeral port of 127.0.0.1. Close it when the test ends. */
export async function startProxy(options: TestProxyOptions = {}): Promise<TestProxy> {
  const lookup = options.lookup ?? localLookup;
  const requests = new Map<string, number>();
  const connects = new Map<string, number>();
  const seenHeaders: IncomingMessage['headers'][] = [];
  const sockets = new Set<Duplex>();
  let connections = 0;
  let authFailures = 0;
  const track = (socket: Duplex) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const expected =
    options.auth === undefined ? null : `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`;
  const authorised = (req: IncomingMessage) => expected === null || req.headers['proxy-authorization'] === expected;
  // Upstream keep-alive, like a real proxy: the tests count the client side, not this one.
  const upstream = new HttpAgent({ keepAlive: true });
  const allowed = (host: string) => isIP(host) === 0 || LOOPBACK.has(host);

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seenHeaders.push(req.headers);
    if (!authorised(req)) {
      authFailures += 1;
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"', 'content-length': '0' }).end();
      return;
    }
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400, { 'content-length': '0' }).end();
      return;
    }
    const host = target.hostname.replace(/^\[|\]$/g, '');
    if (target.protocol !== 'http:' || !allowed(host)) {
      res.writeHead(403, { 'content-length': '0' }).end();
      return;
    }
    requests.set(target.origin, (requests.get(target.origin) ?? 0) + 1);
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const forwarded = httpRequest(
      { host, port: target.port || 80, method: req.method, path: target.pathname + target.search, headers, lookup, agent: upstream },
      (answer) => {
        const back = { ...answer.headers };
        for (const hop of ['connection', 'keep-alive', 'transfer-encoding']) delete back[hop];
        res.writeHead(answer.statusCode ?? 502, back);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-length': '0' }).end();
      else res.destroy();
    });
    req.pipe(forwarded);
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket: Socket) => {
    connections += 1;
    track(socket);
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    seenHeaders.push(req.headers);
    track(client);
    client.on('error', () => {});
    if (!authorised(req)) {
      authFailures += 1;
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const match = /^\[?([^\]]+)\]?:(\d+)$/.exec(req.url ?? '');
    const host = match?.[1] ?? '';
    if (match === null || !allowed(host)) {
      client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    connects.set(req.url ?? '', (connects.get(req.url ?? '') ?? 0) + 1);
    const target = netConnect({ host, port: Number(match[2]), lookup });
    track(target);
    let connected = false;
    target.on('connect', () => {
      connected = true;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) target.write(head);
      target.pipe(client);
      client.pipe(target);
    });
    target.on('error', () => {
      if (!connected) client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
      else client.destroy();
    });
    client.on('close', () => target.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    port,
    url: (credentials) =>
      credentials === undefined
        ? origin
        : `http://${encodeURIComponent(credentials.username)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}`,
    requests,
    connects,
    connections: () => connections,
    authFailures: () => authFailures,
    seenHeaders,
    resetStats: () => {
      requests.clear();
      connects.clear();
      seenHeaders.length = 0;
      connections = 0;
      authFailures = 0;
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      upstream.destroy();
      await closed;
    },
  };
}

/**
 * Starts a proxy for the file's (or describe block's) tests and closes it afterwards; its
 * counters are reset between tests.
 */
export function useProxy(options: TestProxyOptions = {}): () => TestProxy {
  let proxy: TestProxy | undefined;
  beforeAll(async () => {
    proxy = await startProxy(options);
  });
  afterEach(() => proxy?.resetStats());
  afterAll(async () => {
    await proxy?.close();
  });
  return () => {
    if (proxy === undefined) throw new Error('proxy not started');
    return proxy;
  };
}
