import { createRequire } from 'node:module';
import { BlockList, isIP, isIPv6, type Socket } from 'node:net';
import type { Agent as UndiciAgent, Dispatcher, Pool as UndiciPool, buildConnector as UndiciBuildConnector } from 'undici';
import { UsageError } from '../model/errors.js';
import { printable } from '../util/redact.js';

/**
 * Where requests go instead of straight to their host. Proxy URLs are normalised
 * (`http://user:pass@host:port/`) and may hold credentials: never print them, use
 * {@link describeProxy}.
 */
export interface ProxySettings {
  /** The proxy for http: URLs (absolute-form requests), or null to connect directly. */
  httpProxy: string | null;
  /** The proxy for https: URLs (a CONNECT tunnel; TLS stays end to end), or null to connect directly. */
  httpsProxy: string | null;
  /** NO_PROXY as given: hosts, domains, IP addresses and CIDR ranges (optionally `:port`) that bypass the proxy. */
  noProxy: string | null;
}

/** Stable `code`s of {@link ProxyError}. */
export type ProxyErrorCode =
  /** The proxy could not be reached, or did not open a tunnel. */
  | 'ERR_URLCHECK_PROXY'
  /** The proxy asked for credentials (407), or rejected the ones given. */
  | 'ERR_URLCHECK_PROXY_AUTH';

/**
 * A request failed at the proxy, not at the target. Its message names the proxy by scheme,
 * host and port only: never its credentials. `cause` holds the socket error, when there was one.
 */
export class ProxyError extends Error {
  override readonly name = 'ProxyError';

  constructor(
    readonly code: ProxyErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

// The same lean loading as the Agent in pool.ts: these modules are the ones agent.js already
// pulled in, so a proxy costs no start-up time. undici's own ProxyAgent is not used: its tunnel
// calls `client.connect()`, which exists only once undici's index has run, and its http: path
// keeps one pool per target origin that the Agent never evicts (memory would grow with the list).
const requireCjs = createRequire(import.meta.url);
function loadUndici<T>(path: string, exportName: string): T {
  try {
    return requireCjs(`undici/lib/${path}`) as T;
  } catch {
    return (requireCjs('undici') as Record<string, T>)[exportName] as T;
  }
}
const DispatcherBase = loadUndici<typeof Dispatcher>('dispatcher/dispatcher.js', 'Dispatcher');
const Agent = loadUndici<typeof UndiciAgent>('dispatcher/agent.js', 'Agent');
const Pool = loadUndici<typeof UndiciPool>('dispatcher/pool.js', 'Pool');
const buildConnector = loadUndici<typeof UndiciBuildConnector>('core/connect.js', 'buildConnector');

type Connector = UndiciBuildConnector.connector;
type ConnectorCallback = UndiciBuildConnector.Callback;

/**
 * The proxy settings of a run, from the `--proxy` flag and the environment, as curl reads them:
 * `http_proxy`/`HTTP_PROXY` for http: URLs, `https_proxy`/`HTTPS_PROXY` for https: URLs (the
 * lower-case name wins; an empty value counts as unset), `no_proxy`/`NO_PROXY` for exceptions.
 * A non-empty `flag` is the proxy for both schemes, whatever the environment says; NO_PROXY still
 * applies. An empty `flag` turns proxies off. A proxy URL without a scheme is taken as http://.
 *
 * Returns null when no proxy applies (none set, or NO_PROXY is `*`). Throws {@link UsageError}
 * naming the flag or variable when a proxy URL is invalid or not http(s); the message never
 * shows a value that holds credentials.
 */
export function resolveProxySettings(flag: string | null, env: Record<string, string | undefined>): ProxySettings | null {
  if (flag === '') return null;
  const pick = (name: string): { name: string; value: string } | null => {
    for (const key of [name.toLowerCase(), name.toUpperCase()]) {
      const value = env[key]?.trim();
      if (value !== undefined && value !== '') return { name: key, value };
    }
    return null;
  };
  let httpProxy: string | null;
  let httpsProxy: string | null;
  if (flag !== null) {
    httpProxy = httpsProxy = normaliseProxyUrl(flag, '--proxy');
  } else {
    const http = pick('http_proxy');
    const https = pick('https_proxy');
    httpProxy = http === null ? null : normaliseProxyUrl(http.value, http.name);
    httpsProxy = https === null ? null : normaliseProxyUrl(https.value, https.name);
  }
  const noProxy = pick('no_proxy')?.value ?? null;
  if ((httpProxy === null && httpsProxy === null) || noProxy === '*') return null;
  return { httpProxy, httpsProxy, noProxy };
}

function normaliseProxyUrl(value: string, source: string): string {
  const text = value.trim();
  // Only a value without "@" is echoed: anything else may hold a password.
  const shown = text.includes('@') ? '' : ` (got "${printable(text.slice(0, 200))}")`;
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
  } catch {
    throw new UsageError(`${source}: not a valid proxy URL${shown}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${source}: unsupported proxy protocol "${printable(url.protocol)}"; use an http:// or https:// proxy URL`);
  }
  if (url.hostname === '') throw new UsageError(`${source}: the proxy URL has no host${shown}`);
  const normalised = new URL(url.origin);
  normalised.username = url.username;
  normalised.password = url.password;
  return normalised.href;
}

/**
 * The proxies for display: scheme, host and port, credentials as `***`, and the NO_PROXY
 * exceptions, e.g. `http://***@proxy.corp:3128 (not for localhost,.internal)`.
 */
export function describeProxy(settings: ProxySettings): string {
  const http = settings.httpProxy === null ? null : proxyLabel(new URL(settings.httpProxy), true);
  const https = settings.httpsProxy === null ? null : proxyLabel(new URL(settings.httpsProxy), true);
  let text: string;
  if (http === https) text = http ?? 'none';
  else if (http === null) text = `${https} for https: only`;
  else if (https === null) text = `${http} for http: only`;
  else text = `${http} for http:, ${https} for https:`;
  return settings.noProxy === null ? text : `${text} (not for ${printable(settings.noProxy.slice(0, 200))})`;
}

/** `http://host:port`, with `***@` when the URL holds credentials and `redacted` asks for the mark. */
function proxyLabel(url: URL, redacted: boolean): string {
  const credentials = redacted && (url.username !== '' || url.password !== '') ? '***@' : '';
  return `${url.protocol}//${credentials}${url.host}`;
}

/**
 * The proxy URL a request for `url` goes through under `settings`, or null when it goes direct
 * (no proxy for its scheme, or NO_PROXY matches its host). NO_PROXY entries match a host
 * exactly or any subdomain of it (`example.com`, `.example.com` and `*.example.com` alike), an IP
 * address exactly, or a CIDR range (`10.0.0.0/8`); `host:port` limits an entry to one port.
 */
export function proxyFor(settings: ProxySettings, url: URL): string | null {
  const proxy = url.protocol === 'https:' ? settings.httpsProxy : url.protocol === 'http:' ? settings.httpProxy : null;
  if (proxy === null) return null;
  return noProxyListOf(settings).matches(url) ? null : proxy;
}

interface NoProxyEntry {
  /** Normalised as URL.hostname is: lower-case, punycode, IPv6 in brackets. */
  host: string;
  /** 0 = any port. */
  port: number;
  /** True for a name, which also matches its subdomains; false for an IP address. */
  domain: boolean;
}

class NoProxyList {
  private all = false;
  private readonly entries: NoProxyEntry[] = [];
  private subnets: BlockList | null = null;

  constructor(text: string | null) {
    for (const raw of (text ?? '').toLowerCase().split(/[\s,]+/)) this.add(raw);
  }

  matches(url: URL): boolean {
    if (this.all) return true;
    const host = url.hostname.endsWith('.') ? url.hostname.slice(0, -1) : url.hostname;
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    for (const entry of this.entries) {
      if (entry.port !== 0 && entry.port !== port) continue;
      if (host === entry.host || (entry.domain && host.endsWith(`.${entry.host}`))) return true;
    }
    if (this.subnets === null) return false;
    const bare = host.startsWith('[') ? host.slice(1, -1) : host;
    const family = isIP(bare);
    return family !== 0 && this.subnets.check(bare, family === 6 ? 'ipv6' : 'ipv4');
  }

  // Entries that do not parse are skipped, as curl skips them: one typo must not stop a run.
  private add(raw: string): void {
    if (raw === '') return;
    if (raw === '*') {
      this.all = true;
      return;
    }
    const text = raw.replace(/^\*?\./, '');
    const cidr = /^\[?([^\]/]+)\]?\/(\d{1,3})$/.exec(text);
    if (cidr !== null) {
      const [, address = '', prefix = ''] = cidr;
      const family = isIP(address);
      if (family === 0) return;
      this.subnets ??= new BlockList();
      try {
        this.subnets.addSubnet(address, Number(prefix), family === 6 ? 'ipv6' : 'ipv4');
      } catch {
        // a prefix longer than the address: not a range
      }
      return;
    }
    let host = text;
    let port = 0;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
    const withPort = /^([^:]+):(\d+)$/.exec(text);
    if (bracketed !== null) {
      host = bracketed[1] ?? '';
      port = Number(bracketed[2] ?? 0);
    } else if (withPort !== null && !isIPv6(text)) {
      host = withPort[1] ?? '';
      port = Number(withPort[2]);
    }
    let normalised: string;
    try {
      normalised = new URL(`http://${isIPv6(host) ? `[${host}]` : host}/`).hostname;
    } catch {
      return;
    }
    if (normalised.endsWith('.')) normalised = normalised.slice(0, -1);
    const bare = normalised.startsWith('[') ? normalised.slice(1, -1) : normalised;
    this.entries.push({ host: normalised, port, domain: isIP(bare) === 0 });
  }
}

const compiledNoProxy = new WeakMap<ProxySettings, NoProxyList>();
function noProxyListOf(settings: ProxySettings): NoProxyList {
  let list = compiledNoProxy.get(settings);
  if (list === undefined) {
    list = new NoProxyList(settings.noProxy);
    compiledNoProxy.set(settings, list);
  }
  return list;
}

/**
 * A dispatcher that sends each request through the proxy {@link proxyFor} picks, or directly:
 * - http: URLs as absolute-form requests (`GET http://host/path`) over keep-alive connections to
 *   the proxy, shared by every target host;
 * - https: URLs through a CONNECT tunnel per connection, with TLS to the target end to end
 *   (its certificate is verified as without a proxy); tunnels are kept alive and reused per origin;
 * - NO_PROXY matches directly, exactly as without a proxy.
 *
 * `agentOptions` are the options `createAgent` gives `new Agent(...)`: the same limits, idle
 * timers (milliseconds) and connector apply on every route, and the connector (an options object
 * or a function) also opens the connections to the proxy. Credentials in a proxy URL are sent as
 * `Proxy-Authorization: Basic …` to that proxy only. Failures at the proxy reach the request's
 * handler as {@link ProxyError}s: it never throws for them.
 */
export function createProxyAgent(settings: ProxySettings, agentOptions: UndiciAgent.Options): Dispatcher {
  return new ProxyDispatcher(settings, agentOptions);
}

class ProxyDispatcher extends DispatcherBase {
  private direct: Dispatcher | null = null;
  private readonly routes = new Map<string, ProxyRoute>();

  constructor(
    private readonly settings: ProxySettings,
    private readonly agentOptions: UndiciAgent.Options,
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
      this.direct ??= new Agent(this.agentOptions);
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
  private pool: UndiciPool | null = null;
  private tunnels: UndiciAgent | null = null;

  constructor(
    private readonly proxy: URL,
    private readonly agentOptions: UndiciAgent.Options,
  ) {
    this.label = proxyLabel(proxy, false);
    this.authorization =
      proxy.username === '' && proxy.password === ''
        ? null
        : `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}`;
    const connect = agentOptions.connect;
    this.targetConnector = typeof connect === 'function' ? connect : buildConnector({ ...connect });
    // Every error opening a connection to the proxy is the proxy's, whatever its code says.
    this.proxyConnector = (options, callback) =>
      this.targetConnector(options, ((error: Error | null, socket: Socket | null) => {
        if (error !== null) callback(this.unreachable(error), null);
        else callback(null, socket as Socket);
      }) as ConnectorCallback);
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
    this.tunnels ??= new Agent({ ...this.agentOptions, connect: this.openTunnel });
    return this.tunnels.dispatch(options, handler);
  }

  dispatchers(): Dispatcher[] {
    const list: Dispatcher[] = [];
    if (this.tunnels !== null) list.push(this.tunnels);
    if (this.pool !== null) list.push(this.pool);
    return list;
  }

  private proxyPool(): UndiciPool {
    if (this.pool === null) {
      const { connect: _connect, connections: _perOrigin, ...shared } = this.agentOptions;
      // One pool for every target: its connections are bounded by the run's concurrency, and a
      // per-host limit on the proxy itself would throttle the whole run to one host's share.
      this.pool = new Pool(this.proxy.origin, { ...shared, connections: null, connect: this.proxyConnector });
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

/** A request's headers as a fresh flat `[name, value, …]` list, whatever shape they came in. */
function headerList(headers: Dispatcher.DispatchOptions['headers']): string[] {
  if (headers === null || headers === undefined) return [];
  if (Array.isArray(headers)) return [...(headers as string[])];
  const list: string[] = [];
  const entries = Symbol.iterator in headers ? (headers as Iterable<[string, string | string[] | undefined]>) : Object.entries(headers);
  for (const [name, value] of entries) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) list.push(name, String(one));
  }
  return list;
}

function hasHeader(headers: readonly string[], name: string): boolean {
  for (let i = 0; i < headers.length; i += 2) if (headers[i]?.toLowerCase() === name) return true;
  return false;
}
