import { createRequire } from 'node:module';
import type { LookupFunction, Socket } from 'node:net';
import type { Agent, Dispatcher, Pool } from 'undici';

/** What undici's connector is called with (lib/core/connect.js); `httpSocket` is an open tunnel to wrap in TLS. */
export interface ConnectorOptions {
  hostname: string;
  protocol: string;
  port: string;
  servername?: string | null;
  httpSocket?: Socket;
  [key: string]: unknown;
}

/** How a connector hands over the socket it opened, or why it could not. */
export type ConnectorCallback = (error: Error | null, socket: Socket | null) => void;

/**
 * A function that opens one connection for undici, as `buildConnector` returns and an Agent's
 * `connect` option takes. undici's own typing says it returns nothing; its connector returns the
 * socket, which {@link timedConnector} relies on.
 */
export type Connector = (options: ConnectorOptions, callback: ConnectorCallback) => Socket | undefined | void;

// undici's `request()` as a method of a dispatcher: resolves with the status and headers, the body as a stream.
type RequestFunction = (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;

// undici's index loads fetch, WebSocket, caches and more (~80 ms of start-up); urlcheck needs a
// few of its modules, each loaded on first use. Their paths are stable across undici 7; if one
// moves, the index is the fallback. Each path is a literal, so that a bundler can follow it: the
// GitHub Action's bundle (scripts/bundle-action.mjs) inlines these modules and keeps them lazy.
const requireCjs = createRequire(import.meta.url);

function lazy<T>(load: () => unknown, fromIndex: (index: typeof import('undici')) => T): () => T {
  let loaded: T | undefined;
  return () => {
    if (loaded === undefined) {
      try {
        loaded = load() as T;
      } catch {
        loaded = fromIndex(requireCjs('undici') as typeof import('undici'));
      }
    }
    return loaded;
  };
}

/** undici's base class of dispatchers (an EventEmitter with `compose`), loaded on first use. */
export const loadDispatcherBase = lazy<typeof Dispatcher>(() => requireCjs('undici/lib/dispatcher/dispatcher.js'), (index) => index.Dispatcher);

const loadAgent = lazy<typeof Agent>(() => requireCjs('undici/lib/dispatcher/agent.js'), (index) => index.Agent);
const loadPool = lazy<typeof Pool>(() => requireCjs('undici/lib/dispatcher/pool.js'), (index) => index.Pool);
const loadConnectorBuilder = lazy<(options: object) => Connector>(
  () => requireCjs('undici/lib/core/connect.js'),
  (index) => index.buildConnector as unknown as (options: object) => Connector,
);
const loadRequest = lazy<RequestFunction>(() => requireCjs('undici/lib/api/api-request.js'), (index) => index.Agent.prototype.request as unknown as RequestFunction);

/** The options urlcheck gives every undici Agent and Pool: limits, idle timers (milliseconds) and a connector function. */
export type AgentOptions = Omit<Agent.Options, 'connect'> & { connect: Connector };

/** A new undici Agent: a pool of connections per origin. Loads undici's dispatchers on first use. */
export function newAgent(options: AgentOptions): Agent {
  return new (loadAgent())(options as Agent.Options);
}

/** A new undici Pool: connections to one origin. */
export function newPool(origin: string, options: AgentOptions): Pool {
  return new (loadPool())(origin, options as Pool.Options);
}

/** undici's default connector (TCP, or TLS with its own session cache) for these options (timeout in milliseconds). */
export function buildConnector(options: { timeout: number; rejectUnauthorized: boolean; lookup: LookupFunction }): Connector {
  return loadConnectorBuilder()(options);
}

/**
 * undici's `request()` on `dispatcher`: resolves once the status and headers arrive, with the body
 * as a stream read at the consumer's pace. Its module is loaded on first use: only document
 * fetches need it.
 */
export function undiciRequest(dispatcher: Dispatcher, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData> {
  return loadRequest().call(dispatcher, options);
}
