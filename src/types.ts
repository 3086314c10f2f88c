/**
 * Stable, upper-case codes for why a URL is not healthy. These strings are part of the
 * public contract (JSON, NDJSON and CSV reports, exit-code logic in CI scripts): never
 * rename one; add new ones only.
 */
export const ERROR_CODES = [
  /** The per-attempt deadline (or an undici connect/header/body timer) expired. */
  'TIMEOUT',
  /** The host name could not be resolved. */
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
] as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

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
}
