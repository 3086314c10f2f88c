import type { CheckError } from '../model/types.js';

/** Statuses that usually mean "try again later". */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/** Error codes worth another attempt: the failure may well not happen twice. */
export const RETRYABLE_CODES: ReadonlySet<string> = new Set(['TIMEOUT', 'CONNECTION_RESET', 'CONNECTION_REFUSED', 'PROXY']);

/** True when an attempt that ended with this status/error is worth retrying. */
export function isRetryable(status: number | null, error: CheckError | null): boolean {
  if (error === null) return false;
  if (error.code === 'HTTP_STATUS') return status !== null && RETRYABLE_STATUSES.has(status);
  return RETRYABLE_CODES.has(error.code);
}

/**
 * Parses a Retry-After header (delta-seconds or an HTTP-date) into milliseconds from `nowMs`,
 * or null when absent or unparseable. A date in the past gives 0.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  // A thousand-digit delay is still just "too long": keep it finite so messages stay readable.
  if (/^\d+$/.test(text)) return Math.min(Number(text), 1e12) * 1000;
  // Every HTTP-date form names a day or month; V8's lenient Date.parse reads "-1" or "1.5" as dates.
  if (!/[a-z]/i.test(text)) return null;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - nowMs);
}

/**
 * The back-off before retry number `retry` (1-based): exponential from `baseMs`, with "equal
 * jitter" (half fixed, half random) so a crowd of failures does not retry in lockstep.
 */
export function backoffDelay(retry: number, baseMs: number, random: () => number = Math.random): number {
  const ceiling = baseMs * 2 ** (retry - 1);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
