import { BlockList, isIP, isIPv6 } from 'node:net';
import { UrlcheckError, UsageError } from '../model/errors.js';
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
export class ProxyError extends UrlcheckError {
  override readonly name = 'ProxyError';
  declare readonly code: ProxyErrorCode;

  constructor(code: ProxyErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

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

/**
 * `http://host:port`, with `***@` when the URL holds credentials and `redacted` asks for the mark.
 * @internal Shared with `proxy-dispatcher.ts`, whose messages name the proxy this way.
 */
export function proxyLabel(url: URL, redacted: boolean): string {
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
