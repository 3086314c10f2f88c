import type { StatusRanges } from './status-ranges.js';

/**
 * Stable, upper-case codes for why a URL is not healthy. These strings are part of the
 * public contract (JSON, NDJSON and CSV reports, exit-code logic in CI scripts): never
 * rename one; add new ones only.
 */
export const ERROR_CODES = [
  /** The per-attempt deadline (or an undici connect/header/body timer) expired. */
  'TIMEOUT',
  /** The host name does not resolve (ENOTFOUND: no such name, or no address for it). */
  'DNS',
  /** Nothing listens at the address (ECONNREFUSED). */
  'CONNECTION_REFUSED',
  /** The peer closed or reset the connection before a complete response. */
  'CONNECTION_RESET',
  /** Another network-level failure: host or network unreachable, address not available. */
  'NETWORK_ERROR',
  /** TLS handshake or certificate verification failed. */
  'TLS',
  /** The redirect chain was longer than --max-redirects, or looped. */
  'TOO_MANY_REDIRECTS',
  /** The input line, or a redirect's Location, is not a valid URL. */
  'INVALID_URL',
  /** The URL (or a redirect target) uses a scheme other than http or https. */
  'UNSUPPORTED_PROTOCOL',
  /** The server answered something that is not valid HTTP. */
  'PROTOCOL_ERROR',
  /** The final status is outside --accept. */
  'HTTP_STATUS',
  /** --public-only refused the URL: its host is, or resolves to, a non-public address. */
  'BLOCKED_ADDRESS',
  /** An unexpected failure; the message says what happened. */
  'UNKNOWN',
  /** A body expectation (`bodyContains`, `bodyMatches`) failed. */
  'BODY_MISMATCH',
  /** A JSON expectation failed: the body is not JSON, the path is missing, or its value differs. */
  'JSON_MISMATCH',
  /** A response-header expectation failed: the header is missing or does not match. */
  'HEADER_MISMATCH',
  /** The URL that gave the final answer is not the expected `finalUrl`. */
  'FINAL_URL_MISMATCH',
  /** The check took longer than the target's `maxResponseMs`. */
  'TOO_SLOW',
  /** The TLS certificate expires sooner than the target's `certMinDays`. */
  'CERT_EXPIRING',
  /** The proxy could not be reached, or would not open a tunnel to the host. */
  'PROXY',
  /** The proxy asked for credentials (407): none, or wrong ones, were given. */
  'PROXY_AUTH',
  /**
   * A document input or a child sitemap was read but cannot be used (verdict `broken`): it is not
   * a sitemap (another root element, or none), a sitemap index loops back to itself or nests more
   * than 3 deep, an index lists more than 50,000 sitemaps, or its compressed data is corrupt.
   */
  'DOCUMENT_INVALID',
  /**
   * A document input or a child sitemap is over its size cap (verdict `broken`): 64 MiB fetched or
   * inflated from gzip, 32 MiB for Markdown and HTML, which are read whole.
   */
  'DOCUMENT_TOO_LARGE',
  /**
   * A local link of a local document (`guide.md`, `../img/a.png`, `/docs/x.md` with --root-dir)
   * names no file or folder, or one that cannot be read (verdict `broken`).
   */
  'FILE_NOT_FOUND',
  /**
   * A local link resolves outside the root (--root-dir, else the working directory) through `..`
   * or a symbolic link: reported, never followed (verdict `broken`).
   */
  'FILE_OUTSIDE_ROOT',
  /**
   * The page or document exists, but the link's `#fragment` is none of its anchors: no heading
   * slug, `id` or `<a name>` of that name, no line of a `#L10` anchor (verdict `broken`).
   */
  'FRAGMENT_NOT_FOUND',
  /**
   * The resolver could not answer for now (EAI_AGAIN: no DNS server answered in time, or one
   * answered SERVFAIL): unlike `DNS`, the name may well resolve a moment later, so it is retried
   * (verdict `transient`).
   */
  'DNS_TEMPORARY',
] as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * How a result stands, beyond ok / not ok. Stable values, part of the public contract:
 * - `healthy`: ok, nothing to flag;
 * - `warning`: ok, but worth a look (slow, a permanent redirect, a certificate expiring soon);
 * - `broken`: needs fixing (404/410 and other 4xx, an unknown host, bad certificate, a failed
 *   expectation); never retried;
 * - `transient`: may pass next time (timeout, reset, refused connection, temporary DNS failure,
 *   408/425/429, 5xx but 501/505): exactly the failures that are retried, still failing after
 *   the last retry;
 * - `blocked`: bot protection answered instead of the page (a 403/429/503 with challenge
 *   markers, 999); never retried.
 * The one table of which failure gets which verdict is the README's "Verdicts and retries".
 */
export const VERDICTS = ['healthy', 'warning', 'broken', 'transient', 'blocked'] as const;

/** One of {@link VERDICTS}. */
export type Verdict = (typeof VERDICTS)[number];

/** Stable codes for what a result flags without failing. */
export const WARNING_CODES = [
  /** The check took longer than --slow. */
  'SLOW',
  /** A redirect on the way was permanent (301/308): the list should name the new URL. */
  'PERMANENT_REDIRECT',
  /** An http: URL redirected to https: on the same host: the list should say https. */
  'HTTPS_UPGRADE',
  /** The TLS certificate expires in fewer than --cert-min-days days. */
  'CERT_EXPIRING',
] as const;

/** One of {@link WARNING_CODES}. */
export type WarningCode = (typeof WARNING_CODES)[number];

/** Something a result flags: a stable code and a credential-free message. */
export interface CheckWarning {
  code: WarningCode;
  message: string;
}

/**
 * Where the time of the request that gave the final answer went, from real socket events, in
 * milliseconds. A phase is null when it did not happen: a reused keep-alive connection skips
 * DNS, connect and TLS; an IP address skips DNS; http: skips TLS.
 */
export interface Timings {
  /** DNS lookup. */
  dnsMs: number | null;
  /** TCP connect, after the lookup. */
  connectMs: number | null;
  /** TLS handshake, after the TCP connect. */
  tlsMs: number | null;
  /** From the request being written to the first byte of the response headers. */
  firstByteMs: number | null;
  /** The whole request, from being queued to its body being done with. */
  totalMs: number;
  /** True when the request went over a connection an earlier request had opened; null when unknown (through a proxy). */
  reusedConnection: boolean | null;
}

/** The TLS connection and certificate behind the final answer (https: only). */
export interface TlsInfo {
  /** The negotiated protocol, e.g. `TLSv1.3`. */
  protocol: string | null;
  /** The certificate issuer's common name (or organisation). */
  issuer: string | null;
  /** The certificate subject's common name. */
  subject: string | null;
  /** When the certificate expires, as an ISO 8601 timestamp. */
  validTo: string | null;
  /** Whole days until the certificate expires (negative once expired). */
  daysLeft: number | null;
}

/** Why a URL is unhealthy: a stable code and a human-readable, credential-free message. */
export interface CheckError {
  code: ErrorCode;
  message: string;
}

/** One hop of a redirect chain: the 3xx status and where it pointed (credentials redacted). */
export interface RedirectHop {
  status: number;
  location: string;
}

/** The HTTP method that produced the final answer. */
export type HttpMethod = 'HEAD' | 'GET';

/**
 * A regular expression as urlcheck uses one: `test()` says whether it matches anywhere in a text.
 * urlcheck compiles the patterns a user writes (--include, --exclude, config `matches` and
 * `bodyMatches`) with RE2, which runs in time linear in the text; a RegExp satisfies this too,
 * for library callers who pass their own (and answer for its running time).
 */
export interface TextPattern {
  test(text: string): boolean;
  /** The pattern as written. */
  readonly source: string;
}

/** JSON-path expectation: the value at `path` (e.g. `status`, `data.items[0].id`) equals or matches. */
export interface JsonExpectation {
  path: string;
  /** Deep-equals this JSON value. */
  equals?: unknown;
  /** Its JSON text (strings without quotes) matches this regular expression. */
  matches?: TextPattern;
}

/** Response-header expectation: present, and matching when `matches` is given. */
export interface HeaderExpectation {
  /** Lower-case header name. */
  name: string;
  matches?: TextPattern;
}

/**
 * What a target from a config file expects beyond a status in --accept. The body is fetched
 * (with GET, up to the body limit) only when a body, JSON or blocking check needs it.
 */
export interface Expectations {
  /** Healthy final statuses for this URL (instead of --accept). */
  status?: StatusRanges;
  /** Every string must occur in the body. */
  bodyContains?: string[];
  /** Every regular expression must match the body. */
  bodyMatches?: TextPattern[];
  json?: JsonExpectation[];
  headers?: HeaderExpectation[];
  /**
   * An attempt (its redirects and a HEAD→GET fallback included) must take at most this long, in
   * milliseconds; a slower one is `TOO_SLOW`, retried like any transient failure.
   */
  maxResponseMs?: number;
  /** The TLS certificate must stay valid at least this many more days. */
  certMinDays?: number;
  /** The URL that gives the final answer, after redirects. */
  finalUrl?: string;
}

/** Where a target came from: the input's name (a path, or `stdin`) and its 1-based line. */
export interface TargetOrigin {
  source: string;
  line: number;
}

/**
 * One URL to check, as read from the input. `url` is null when the line is not a checkable
 * http(s) URL; `invalid` then says why, and the check turns it into a result without any I/O.
 */
export interface Target extends TargetOrigin {
  /** The line as given (trimmed), credentials redacted: what reports show. */
  display: string;
  /** The parsed URL, credentials still inside: never printed. */
  url: URL | null;
  invalid: CheckError | null;
  /** Per-URL expectations (targets from a config file); absent for plain lists. */
  expect?: Expectations | null;
}

/**
 * The outcome of checking one input line. This shape is the public JSON/NDJSON API:
 * fields are only ever added, never renamed or removed.
 */
export interface CheckResult extends TargetOrigin {
  /** The URL as given, credentials redacted. */
  url: string;
  /** True when the final status is inside --accept and nothing failed. */
  ok: boolean;
  /** The final HTTP status after redirects, or null when no response arrived. */
  status: number | null;
  /** Why the URL is unhealthy, or null when `ok`. */
  error: CheckError | null;
  /**
   * When this check began, in milliseconds since the run's start (the pool's first slot), to
   * 0.1 ms: with `durationMs`, where the check sat on the run's time axis (the HTML report's
   * waterfall). A duplicate line carries the time of the check that answered it. Results
   * replayed by --resume, and merged shards, keep the time of the run that checked them, each
   * relative to its own start; null only in results read from reports written by an urlcheck without this field.
   */
  startMs: number | null;
  /** Wall time spent on this URL across all attempts and back-offs, in milliseconds. */
  durationMs: number;
  /** Attempts made (1 + retries used); 0 when the line was never requested (invalid). */
  attempts: number;
  /**
   * The redirect responses received, in order. When the chain was cut (a loop, or more than
   * --max-redirects), the last hop is the redirect that was not followed.
   */
  redirects: RedirectHop[];
  /** The URL that gave the final answer (credentials redacted), or null when none did. */
  finalUrl: string | null;
  /** The method that gave the final answer (HEAD, or GET after a HEAD fallback), or null. */
  method: HttpMethod | null;
  /** How the result stands: see {@link VERDICTS}. `ok` results are `healthy` or `warning`. */
  verdict: Verdict;
  /** What the result flags without failing (permanent redirects, slowness, expiring certificates). */
  warnings: CheckWarning[];
  /** Where the final request's time went, or null when no request was answered. */
  timings: Timings | null;
  /** The final answer's TLS connection and certificate, or null for http: and failed handshakes. */
  tls: TlsInfo | null;
  /**
   * Only with --diff: how this URL changed since the previous report; null when it was healthy
   * then and is now.
   */
  change?: Change | null;
  /**
   * Only on a duplicate line (dedupe, on by default in the CLI): its URL (the href without its
   * fragment) was also on an earlier line, and this result is that line's check, which is named
   * here; the URL was requested once. A duplicate read while that check was running gets its
   * whole result; one read after it finished gets its outcome (ok, status, verdict, error,
   * warnings, redirects, durationMs, attempts, method) with `timings` and `tls` null.
   */
  duplicateOf?: TargetOrigin;
}

/** How a URL's health changed since a previous report (--diff). Stable values. */
export type Change = 'newly-failing' | 'recovered' | 'still-failing';
