import { isIPv6, type Socket } from 'node:net';
import type { Agent, Dispatcher, Pool } from 'undici';
import { basicAuthorization, hasHeader, headerList } from './headers.js';
import { ProxyError, proxyFor, proxyLabel, type ProxySettings } from './proxy.js';
import { loadDispatcherBase, newAgent, newPool, type AgentOptions, type Connector } from './undici.js';

// undici's own ProxyAgent is not used: its tunnel calls `client.connect()`, which exists only once
// undici's index has run, and its http: path keeps one pool per target origin that the Agent
// never evicts (memory would grow with the list). The base class is the one module of undici
// loaded with this file (a few milliseconds); the Agent and Pool load when the first request does.
const DispatcherBase = loadDispatcherBase();

/**
 * A dispatcher that sends each request through the proxy {@link proxyFor} picks, or directly:
 * - http: URLs as absolute-form requests (`GET http://host/path`) over keep-alive connections to
 *   the proxy, shared by every target host;
 * - https: URLs through a CONNECT tunnel per connection, with TLS to the target end to end
 *   (its certificate is verified as without a proxy); tunnels are kept alive and reused per origin;
 * - NO_PROXY matches directly, exactly as without a proxy.
 *
 * `agentOptions` are the options `createDispatcher` gives an Agent: the same limits, idle timers
 * (milliseconds) and connector apply on every route, and the connector also opens the
 * connections to the proxy. Credentials in a proxy URL are sent as
 * `Proxy-Authorization: Basic …` to that proxy only. Failures at the proxy reach the request's
 * handler as {@link ProxyError}s: it never throws for them.
 */
export function createProxyDispatcher(settings: ProxySettings, agentOptions: AgentOptions): Dispatcher {
  return new ProxyDispatcher(settings, agentOptions);
}

class ProxyDispatcher extends DispatcherBase {
  private direct: Dispatcher | null = null;
  private readonly routes = new Map<string, ProxyRoute>();

  constructor(
    private readonly settings: ProxySettings,
    private readonly agentOptions: AgentOptions,
  ) {
    super();
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    let url: URL | null;
    try {
      url = new URL(String(options.origin));
    } catch {
      url = null; // undici reports a bad origin in its own words
    }
    const proxy = url === null ? null : proxyFor(this.settings, url);
    if (url === null || proxy === null) {
      this.direct ??= newAgent(this.agentOptions);
      return this.direct.dispatch(options, handler);
    }
    let route = this.routes.get(proxy);
    if (route === undefined) {
      route = new ProxyRoute(new URL(proxy), this.agentOptions);
      this.routes.set(proxy, route);
    }
    return url.protocol === 'http:' ? route.forward(url, options, handler) : route.tunnelled(options, handler);
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    const done = Promise.all(this.children().map((child) => child.close())).then(() => {});
    if (callback === undefined) return done;
    done.then(callback, callback);
  }

  override destroy(): Promise<void>;
  override destroy(error: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(error: Error | null, callback: () => void): void;
  override destroy(first?: Error | null | (() => void), second?: () => void): Promise<void> | void {
    const error = typeof first === 'function' ? null : (first ?? null);
    const callback = typeof first === 'function' ? first : second;
    const done = Promise.all(this.children().map((child) => child.destroy(error))).then(() => {});
    if (callback === undefined) return done;
    done.then(callback, callback);
  }

  private children(): Dispatcher[] {
    const list: Dispatcher[] = this.direct === null ? [] : [this.direct];
    for (const route of this.routes.values()) list.push(...route.dispatchers());
    return list;
  }
}

/** Everything that goes through one proxy: a pool of connections to it, and the tunnels it opened. */
class ProxyRoute {
  /** `http://host:port`: how messages name the proxy. */
  private readonly label: string;
  private readonly authorization: string | null;
  private readonly proxyConnector: Connector;
  private readonly targetConnector: Connector;
  private pool: Pool | null = null;
  private tunnels: Agent | null = null;

  constructor(
    private readonly proxy: URL,
    private readonly agentOptions: AgentOptions,
  ) {
    this.label = proxyLabel(proxy, false);
    this.authorization = basicAuthorization(proxy);
    this.targetConnector = agentOptions.connect;
    // Every error opening a connection to the proxy is the proxy's, whatever its code says.
    this.proxyConnector = (options, callback) =>
      this.targetConnector(options, (error, socket) => {
        if (error !== null) callback(this.unreachable(error), null);
        else callback(null, socket);
      });
  }

  /** An http: request as an absolute-form request to the proxy. */
  forward(url: URL, options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const headers = headerList(options.headers);
    if (!hasHeader(headers, 'host')) headers.push('host', url.host);
    if (this.authorization !== null && !hasHeader(headers, 'proxy-authorization')) {
      headers.push('proxy-authorization', this.authorization);
    }
    return this.proxyPool().dispatch(
      { ...options, origin: this.proxy.origin, path: url.origin + (options.path || '/'), headers },
      failOnProxyAuth(handler, () => this.authRequired()),
    );
  }

  /** An https: request, over a tunnel the pool for its origin opens (or reuses). */
  tunnelled(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.tunnels ??= newAgent({ ...this.agentOptions, connect: this.openTunnel });
    return this.tunnels.dispatch(options, handler);
  }

  dispatchers(): Dispatcher[] {
    const list: Dispatcher[] = [];
    if (this.tunnels !== null) list.push(this.tunnels);
    if (this.pool !== null) list.push(this.pool);
    return list;
  }

  private proxyPool(): Pool {
    if (this.pool === null) {
      const { connect: _connect, connections: _perOrigin, ...shared } = this.agentOptions;
      // One pool for every target: its connections are bounded by the run's concurrency, and a
      // per-host limit on the proxy itself would throttle the whole run to one host's share.
      this.pool = newPool(this.proxy.origin, { ...shared, connections: null, connect: this.proxyConnector });
    }
    return this.pool;
  }

  /** The connector of the tunnels' pools: CONNECT through the proxy, then TLS to the target over it. */
  private readonly openTunnel: Connector = (options, callback) => {
    const port = options.port || (options.protocol === 'https:' ? '443' : '80');
    const authority = `${isIPv6(options.hostname) ? `[${options.hostname}]` : options.hostname}:${port}`;
    const headers = ['host', authority];
    if (this.authorization !== null) headers.push('proxy-authorization', this.authorization);
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      callback(error, null);
    };
    const opened = (socket: Socket) => {
      if (settled) {
        socket.destroy();
        return;
      }
      settled = true;
      if (options.protocol !== 'https:') callback(null, socket);
      else this.targetConnector({ ...options, httpSocket: socket }, callback);
    };
    try {
      this.proxyPool().dispatch(
        { origin: this.proxy.origin, path: authority, method: 'CONNECT', headers },
        {
          // undici takes a handler without onRequestStart for its legacy shape.
          onRequestStart: () => {},
          onRequestUpgrade: (_controller, status, _headers, socket) => {
            if (status === 200) return opened(socket as Socket);
            socket.destroy();
            fail(status === 407 ? this.authRequired() : this.tunnelRefused(authority, status));
          },
          onResponseError: (_controller, error) => {
            fail(error instanceof ProxyError ? error : this.tunnelBroken(authority, error));
          },
        },
      );
    } catch (error) {
      fail(this.tunnelBroken(authority, error as Error));
    }
  };

  private unreachable(error: Error): ProxyError {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    let reason: string;
    if (code === 'ECONNREFUSED') reason = 'connection refused';
    else if (code === 'ENOTFOUND' || code.startsWith('EAI_')) reason = 'could not resolve its host';
    else if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') reason = 'connection timed out';
    else reason = error.message;
    return new ProxyError('ERR_URLCHECK_PROXY', `proxy ${this.label} unreachable: ${reason}${code === '' ? '' : ` (${code})`}`, { cause: error });
  }

  private authRequired(): ProxyError {
    const detail =
      this.authorization === null
        ? 'put them in the proxy URL, as user:password@ before its host'
        : 'it rejected the credentials in the proxy URL';
    return new ProxyError('ERR_URLCHECK_PROXY_AUTH', `proxy ${this.label} requires authentication (407): ${detail}`);
  }

  private tunnelRefused(authority: string, status: number): ProxyError {
    return new ProxyError('ERR_URLCHECK_PROXY', `proxy ${this.label} did not open a tunnel to ${authority}: it answered ${status}`);
  }

  private tunnelBroken(authority: string, error: Error): ProxyError {
    const code = (error as NodeJS.ErrnoException).code;
    const suffix = code === undefined ? '' : ` (${code})`;
    return new ProxyError('ERR_URLCHECK_PROXY', `proxy ${this.label} failed while opening a tunnel to ${authority}: ${error.message}${suffix}`, {
      cause: error,
    });
  }
}

/**
 * Turns a 407 from the proxy into an error for the handler instead of a response: the status is
 * the proxy's, not the target's. Handlers in undici's legacy shape pass through untouched.
 */
function failOnProxyAuth(handler: Dispatcher.DispatchHandler, authRequired: () => ProxyError): Dispatcher.DispatchHandler {
  if (typeof handler.onResponseStart !== 'function') return handler;
  let failed = false;
  return {
    onRequestStart: (controller, context) => handler.onRequestStart?.(controller, context),
    onRequestUpgrade: (controller, status, headers, socket) => handler.onRequestUpgrade?.(controller, status, headers, socket),
    onResponseStart: (controller, status, headers, statusMessage) => {
      if (status !== 407) return handler.onResponseStart?.(controller, status, headers, statusMessage);
      failed = true;
      const error = authRequired();
      handler.onResponseError?.(controller, error);
      controller.abort(error);
    },
    onResponseData: (controller, chunk) => {
      if (!failed) handler.onResponseData?.(controller, chunk);
    },
    onResponseEnd: (controller, trailers) => {
      if (!failed) handler.onResponseEnd?.(controller, trailers);
    },
    onResponseError: (controller, error) => {
      if (!failed) handler.onResponseError?.(controller, error);
    },
  };
}
