import { VERDICTS, type CheckError, type CheckResult, type CheckWarning, type HttpMethod, type RedirectHop, type TargetOrigin, type Timings, type TlsInfo, type Verdict } from '../model/types.js';
import { verdictOf } from '../model/verdict.js';
import { redactText } from '../util/redact.js';

/**
 * One result as a report or journal holds it, in this version's shape, or null when `value` is
 * not a result: the one test of "is this line a result" for `--diff`, `urlcheck merge` and
 * `--resume`. The fields every urlcheck version wrote (`url`, `ok`, `status`, `error`,
 * `durationMs`, `attempts`, `redirects`, `finalUrl`, `method`, `source`, `line`) must be there with
 * their types; later ones are filled in when missing: `verdict` derived with {@link verdictOf} (no
 * bot-challenge markers are known, so never `blocked` except by status), `warnings: []`, `startMs: null`,
 * `timings: null`, `tls: null`. `duplicateOf` is kept when present (it must then be a
 * `{ source, line }`). Unknown fields and `change` are dropped; credentials in URLs and messages
 * are redacted again, as reports can come from anywhere.
 */
export function resultFromReport(value: unknown): CheckResult | null {
  if (!isRecord(value)) return null;
  const { url, ok, status, durationMs, attempts, finalUrl, method, source, line } = value;
  if (typeof url !== 'string' || typeof ok !== 'boolean' || typeof source !== 'string' || !Number.isInteger(line)) return null;
  if (status !== null && !isFiniteNumber(status)) return null;
  if (!isFiniteNumber(durationMs) || !isFiniteNumber(attempts)) return null;
  if (finalUrl !== null && typeof finalUrl !== 'string') return null;
  if (method !== null && method !== 'HEAD' && method !== 'GET') return null;
  const error = value['error'] === null ? null : asCodeAndMessage(value['error']);
  if (error === undefined) return null;
  const redirects = asRedirects(value['redirects']);
  if (redirects === null) return null;
  const warnings = value['warnings'] === undefined ? [] : asWarnings(value['warnings']);
  if (warnings === null) return null;
  const timings = value['timings'] === undefined || value['timings'] === null ? null : asTimings(value['timings']);
  if (timings === undefined) return null;
  // Added after 1.0: null in reports written before it (and when damaged).
  const startMs = isFiniteNumber(value['startMs']) ? value['startMs'] : null;
  const duplicateOf = value['duplicateOf'] === undefined ? undefined : asOrigin(value['duplicateOf']);
  if (duplicateOf === null) return null;
  const tls = isRecord(value['tls']) ? (value['tls'] as unknown as TlsInfo) : null;
  const checkError = error as CheckError | null;
  const verdict = isVerdict(value['verdict'])
    ? value['verdict']
    : verdictOf({ ok, status: status as number | null, error: checkError, warnings }, false);
  return {
    url: redactText(url),
    ok,
    status: status as number | null,
    error: checkError,
    startMs,
    durationMs,
    attempts,
    redirects,
    finalUrl: finalUrl === null ? null : redactText(finalUrl as string),
    method: method as HttpMethod | null,
    verdict,
    warnings,
    timings,
    tls,
    source,
    line: line as number,
    // Where a run writes it: after `line`.
    ...(duplicateOf === undefined ? {} : { duplicateOf }),
  };
}

/** True when `value` is a plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when `value` is a number other than NaN or ±Infinity. */
export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** True when `value` is one of this version's {@link VERDICTS}. */
export function isVerdict(value: unknown): value is Verdict {
  return typeof value === 'string' && (VERDICTS as readonly string[]).includes(value);
}

/** `{ code, message }` (message redacted), or undefined when `value` is not one. */
function asCodeAndMessage(value: unknown): { code: string; message: string } | undefined {
  if (!isRecord(value) || typeof value['code'] !== 'string' || typeof value['message'] !== 'string') return undefined;
  return { code: value['code'], message: redactText(value['message']) };
}

function asRedirects(value: unknown): RedirectHop[] | null {
  if (!Array.isArray(value)) return null;
  const hops: RedirectHop[] = [];
  for (const hop of value) {
    if (!isRecord(hop) || !isFiniteNumber(hop['status']) || typeof hop['location'] !== 'string') return null;
    hops.push({ status: hop['status'], location: redactText(hop['location']) });
  }
  return hops;
}

function asWarnings(value: unknown): CheckWarning[] | null {
  if (!Array.isArray(value)) return null;
  const warnings: CheckWarning[] = [];
  for (const warning of value) {
    const parsed = asCodeAndMessage(warning);
    if (parsed === undefined) return null;
    warnings.push(parsed as CheckWarning);
  }
  return warnings;
}

function asTimings(value: unknown): Timings | undefined {
  return isRecord(value) && isFiniteNumber(value['totalMs']) ? (value as unknown as Timings) : undefined;
}

function asOrigin(value: unknown): TargetOrigin | null {
  return isRecord(value) && typeof value['source'] === 'string' && Number.isInteger(value['line'])
    ? { source: value['source'], line: value['line'] as number }
    : null;
}
