import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A loopback server the tests fully control, for situations the fixture server has no route
 * for: raw bytes on the socket (a header block that never ends, a sized body that trickles),
 * or counting the client's open connections.
 */
export interface LocalServer {
  readonly port: number;
  /** e.g. `http://127.0.0.1:40123/path`. */
  url(path: string): string;
  /** Client connections currently open (server side of each socket). */
  readonly openSockets: number;
  /** Connections accepted since start. */
  readonly accepted: number;
  /** Closes the server and destroys every connection. */
  close(): Promise<void>;
}

async function listen(server: Server, sockets: Set<Socket>, counter: { accepted: number }): Promise<LocalServer> {
  server.on('connection', (socket: Socket) => {
    counter.accepted += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    get openSockets() {
      return sockets.size;
    },
    get accepted() {
      return counter.accepted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A TCP server on 127.0.0.1 that hands each raw connection to `onConnection`. */
export async function startRawServer(onConnection: (socket: Socket) => void): Promise<LocalServer> {
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    socket.on('error', () => {});
    onConnection(socket);
  });
  return listen(server, sockets, { accepted: 0 });
}

/** A plain node:http server on 127.0.0.1 whose open client connections can be counted. */
export async function startHttpServer(handler: RequestListener): Promise<LocalServer> {
  const sockets = new Set<Socket>();
  const server = createHttpServer(handler);
  server.keepAliveTimeout = 60_000;
  return listen(server, sockets, { accepted: 0 });
}

/**
 * Writes `chunk` to the socket every `everyMs` until the socket closes: bytes keep arriving,
 * so no idle timer ever fires and only a hard deadline can end the wait.
 */
export function drip(socket: Socket, chunk: string, everyMs: number): void {
  const timer = setInterval(() => {
    if (!socket.destroyed) socket.write(chunk);
  }, everyMs);
  socket.on('close', () => clearInterval(timer));
}

/** Polls `condition` every few milliseconds until it holds; fails after `limitMs`. */
export async function waitFor(condition: () => boolean, limitMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
