import type { IncomingHttpHeaders } from 'node:http';
import type { CheckError, CheckWarning, ErrorCode, Verdict } from './types.js';

/** Failures that may pass on the next run: the network or the server had a bad moment. */
const TRANSIENT_CODES: ReadonlySet<ErrorCode> = new Set([
  'TIMEOUT',
  'CONNECTION_RESET',
  'CONNECTION_REFUSED',
  'NETWORK_ERROR',
  'TOO_SLOW',
  'PROXY',
  'UNKNOWN',
]);

/** Statuses only bot protection answers with: LinkedIn's 999, and 429 once its retries are spent. */
const BLOCKING_STATUSES: ReadonlySet<number> = new Set([429, 999]);

/**
 * The verdict for a finished check. `challenged` is true when the answer carried bot-protection
 * markers (see {@link looksChallenged}).
 */
export function verdictOf(
  result: { ok: boolean; status: number | null; error: CheckError | null; warnings: readonly CheckWarning[] },
  challenged: boolean,
): Verdict {
  if (result.ok) return result.warnings.length > 0 ? 'warning' : 'healthy';
  const code = result.error?.code ?? 'UNKNOWN';
  if (code === 'HTTP_STATUS' && result.status !== null) {
    if (challenged || BLOCKING_STATUSES.has(result.status)) return 'blocked';
    return result.status >= 500 ? 'transient' : 'broken';
  }
  return TRANSIENT_CODES.has(code) ? 'transient' : 'broken';
}

/** How much of a refusal's HTML to read for challenge markers, in bytes. */
export const CHALLENGE_SNIFF_BYTES = 16 * 1024;

/** Statuses bot protection refuses with; only these are sniffed for challenge markers. */
export const CHALLENGE_STATUSES: ReadonlySet<number> = new Set([403, 429, 503]);

// Markers of the common bot-protection services (Cloudflare, Akamai, DataDome, AWS WAF,
// Imperva/Incapsula, PerimeterX/HUMAN, Sucuri) in their refusal pages and headers.
const BODY_MARKERS =
  /challenge-platform|cf-chl-|cf_chl_|Just a moment\.\.\.|Attention Required! \| Cloudflare|captcha-delivery\.com|_Incapsula_Resource|Incapsula incident|px-captcha|perimeterx|awswaf|Sucuri WebSite Firewall|g-recaptcha|h-captcha|hcaptcha\.com\/1\/api/i;

/**
 * True when a refusal (403, 429, 503) carries the markers of a bot-protection service in its
 * headers or in the start of its HTML body: the page exists, urlcheck was just not let in.
 */
export function looksChallenged(status: number, headers: IncomingHttpHeaders, body: Buffer | null): boolean {
  if (!CHALLENGE_STATUSES.has(status)) return false;
  if (headers['cf-mitigated'] !== undefined || headers['x-datadome'] !== undefined || headers['x-amzn-waf-action'] !== undefined) {
    return true;
  }
  const server = String(headers['server'] ?? '').toLowerCase();
  if (status === 403 && (server === 'akamaighost' || server.startsWith('sucuri'))) return true;
  if (headers['x-iinfo'] !== undefined) return true; // Imperva/Incapsula
  return body !== null && BODY_MARKERS.test(body.toString('latin1'));
}

/** Whether a refusal's body is worth sniffing: an HTML page from a status bot protection uses. */
export function wantsChallengeSniff(status: number, headers: IncomingHttpHeaders): boolean {
  return CHALLENGE_STATUSES.has(status) && /html/i.test(String(headers['content-type'] ?? ''));
}
