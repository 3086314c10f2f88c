import { failureVerdict } from '../model/verdict.js';
import type { CheckError } from '../model/types.js';

/**
 * True when an attempt that ended with this status/error is worth retrying: exactly the failures
 * whose verdict is `transient` (model/verdict.ts, the README's "Verdicts and retries"), so what is
 * retried is what may pass next time, and what may pass next time is retried. `challenged`: the
 * refusal carried bot-protection markers (`blocked`, never retried: a challenge does not pass on
 * a second try, and asking again only hammers the wall).
 */
export function isRetryable(status: number | null, error: CheckError | null, challenged = false): boolean {
  return error !== null && failureVerdict(error.code, status, challenged) === 'transient';
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
