import type { IncomingHttpHeaders } from 'node:http';
import type { CheckError, CheckWarning, ErrorCode, Verdict } from './types.js';

// The verdict policy, in one place; the README's "Verdicts and retries" table is this file in
// words, and a test holds the two together. One rule: a failure that may pass on a later attempt
// is `transient`, and check/ retries exactly those (its `isRetryable` asks `failureVerdict`);
// bot protection is `blocked`, never retried, as a challenge does not pass on a second try;
// everything else is `broken`, never retried.

/** The verdicts of a result that is not ok. */
export type FailureVerdict = Exclude<Verdict, 'healthy' | 'warning'>;

/**
 * Error codes whose failure may pass on a later attempt: retried, and `transient` when the last
 * attempt failed too. UNKNOWN is given the benefit of the doubt: what urlcheck cannot name, it
 * cannot call broken.
 */
export const TRANSIENT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'TIMEOUT',
  'DNS_TEMPORARY',
  'CONNECTION_REFUSED',
  'CONNECTION_RESET',
  'NETWORK_ERROR',
  'PROXY',
  'TOO_SLOW',
  'UNKNOWN',
]);

/** The one status only bot protection answers with (LinkedIn's refusal of automated clients). */
export const BOT_REFUSAL_STATUS = 999;

/**
 * True for a final status outside --accept that may pass on a later attempt: 408 (the server
 * gave up waiting for the request), 425 (too early), 429 (rate limited), and every 5xx but 501
 * and 505, which say the server will never do what was asked. 500 is among them: a health
 * endpoint or a page answering 500 once (a deploy, a database fail-over) often answers 200 a
 * moment later, and urlcheck cannot tell that 500 from one that will stay.
 */
export function isTransientStatus(status: number): boolean {
  if (status === 408 || status === 425 || status === 429) return true;
  return status >= 500 && status <= 599 && status !== 501 && status !== 505;
}

/**
 * The verdict of a failed check by its error code and final status: `blocked` for bot
 * protection (`challenged`: the refusal carried a service's markers, see
 * {@link detectBotProtection}; or status 999), `transient` for what may pass on a later attempt
 * ({@link TRANSIENT_CODES}, {@link isTransientStatus}), `broken` otherwise.
 */
export function failureVerdict(code: ErrorCode, status: number | null, challenged: boolean): FailureVerdict {
  if (code === 'HTTP_STATUS') {
    if (status === null) return 'broken';
    if (challenged || status === BOT_REFUSAL_STATUS) return 'blocked';
    return isTransientStatus(status) ? 'transient' : 'broken';
  }
  return TRANSIENT_CODES.has(code) ? 'transient' : 'broken';
}

/**
 * The verdict for a finished check. `challenged` is true when the answer carried bot-protection
 * markers (see {@link detectBotProtection}).
 */
export function verdictOf(
  result: { ok: boolean; status: number | null; error: CheckError | null; warnings: readonly CheckWarning[] },
  challenged: boolean,
): Verdict {
  if (result.ok) return result.warnings.length > 0 ? 'warning' : 'healthy';
  return failureVerdict(result.error?.code ?? 'UNKNOWN', result.status, challenged);
}

/** How much of a refusal's HTML to read for challenge markers, in bytes. */
export const CHALLENGE_SNIFF_BYTES = 16 * 1024;

/** Statuses bot protection refuses with; only these are sniffed for challenge markers. */
export const CHALLENGE_STATUSES: ReadonlySet<number> = new Set([403, 429, 503]);

// Markers in a refusal page, by service, most specific first: a Cloudflare or DataDome page may
// embed a reCAPTCHA or an hCaptcha, which then only names the widget.
const BODY_MARKERS: ReadonlyArray<readonly [string, RegExp]> = [
  ['Cloudflare', /challenge-platform|cf-chl-|cf_chl_|Just a moment\.\.\.|Attention Required! \| Cloudflare/i],
  ['DataDome', /captcha-delivery\.com/i],
  ['Imperva Incapsula', /_Incapsula_Resource|Incapsula incident/i],
  ['PerimeterX', /px-captcha|perimeterx/i],
  ['AWS WAF', /awswaf/i],
  ['Sucuri', /Sucuri WebSite Firewall/i],
  ['reCAPTCHA', /g-recaptcha/i],
  ['hCaptcha', /h-captcha|hcaptcha\.com\/1\/api/i],
];

/**
 * The bot-protection service that answered a refusal (403, 429, 503) instead of the page, by
 * the markers in its headers or in the start of its HTML body: `Cloudflare`, `DataDome`,
 * `AWS WAF`, `Akamai`, `Sucuri`, `Imperva Incapsula`, `PerimeterX`, or the CAPTCHA it shows
 * (`reCAPTCHA`, `hCaptcha`); null when there is no sign of one.
 */
export function detectBotProtection(status: number, headers: IncomingHttpHeaders, body: Buffer | null): string | null {
  if (!CHALLENGE_STATUSES.has(status)) return null;
  if (headers['cf-mitigated'] !== undefined) return 'Cloudflare';
  if (headers['x-datadome'] !== undefined) return 'DataDome';
  if (headers['x-amzn-waf-action'] !== undefined) return 'AWS WAF';
  const server = String(headers['server'] ?? '').toLowerCase();
  if (status === 403 && server === 'akamaighost') return 'Akamai';
  if (status === 403 && server.startsWith('sucuri')) return 'Sucuri';
  if (headers['x-iinfo'] !== undefined) return 'Imperva Incapsula';
  if (body === null) return null;
  const text = body.toString('latin1');
  for (const [service, marker] of BODY_MARKERS) if (marker.test(text)) return service;
  return null;
}

/**
 * True when a refusal (403, 429, 503) carries the markers of a bot-protection service in its
 * headers or in the start of its HTML body: the page exists, urlcheck was just not let in.
 */
export function looksChallenged(status: number, headers: IncomingHttpHeaders, body: Buffer | null): boolean {
  return detectBotProtection(status, headers, body) !== null;
}

/**
 * The message of a `blocked` result: which protection answered, the status, and what to do.
 * `service` is what {@link detectBotProtection} found; null for a bare status 999.
 */
export function blockedMessage(service: string | null, status: number): string {
  const who = service === null ? 'bot protection' : `${service} bot protection`;
  const which = service === null && status === BOT_REFUSAL_STATUS ? `status ${status}, LinkedIn's refusal of automated clients` : `status ${status}`;
  return `${who} answered instead of the page (${which}); check it in a browser`;
}

/** Whether a refusal's body is worth sniffing: an HTML page from a status bot protection uses. */
export function wantsChallengeSniff(status: number, headers: IncomingHttpHeaders): boolean {
  return CHALLENGE_STATUSES.has(status) && /html/i.test(String(headers['content-type'] ?? ''));
}
