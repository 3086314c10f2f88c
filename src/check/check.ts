import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { basicAuthorization, CROSS_ORIGIN_SAFE_HEADERS, hasHeader } from '../net/headers.js';
import type { CheckOptions } from './options.js';
import { printable, redactText, redactUrl } from '../util/redact.js';
import type { StatusRanges } from '../model/status-ranges.js';
import type { CheckError, CheckResult, CheckWarning, HttpMethod, RedirectHop, Target, Timings, TlsInfo } from '../model/types.js';
import { BOT_REFUSAL_STATUS, blockedMessage, CHALLENGE_SNIFF_BYTES, detectBotProtection, verdictOf, wantsChallengeSniff } from '../model/verdict.js';
import { classifyError } from '../net/classify.js';
import { DEFAULT_BODY_LIMIT_BYTES, evaluateExpectations, needsBody } from './expect.js';
import { AttemptGate, DeadlineClock, send, type Answer, type BodyPolicy } from '../net/exchange.js';
import { backoffDelay, isRetryable, parseRetryAfter } from './retry.js';
import { checkableFragment, hasAnchor, isCheckedFragment, LruCache } from '../util/fragments.js';
import type { LocalCheckContext } from './local.js';

export { DISCARD_LIMIT_BYTES } from '../net/exchange.js';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Everything one run shares between checks. Build it with {@link createCheckContext}. */
export interface CheckContext {
  /**
   * Every request goes through it. Make it with `createAgent` (net/'s `createDispatcher`): that is
   * where the network options apply, --public-only's refusals included.
   */
  readonly dispatcher: Dispatcher;
  readonly options: CheckOptions;
  /** Aborts the whole run: checks in flight stop and return null. */
  readonly signal: AbortSignal;
  /** user-agent, accept and the -H headers, as undici's flat [name, value, ...] list. */
  readonly baseHeaders: readonly string[];
  /** The headers sent once a redirect has left the first origin: no -H header that may hold a secret. */
  readonly crossOriginHeaders: readonly string[];
  /** Strings that must never appear in a message: the -H values. */
  readonly secrets: readonly string[];
  /** Attempts in flight (the clock's running ones); one listener on `signal` aborts them all (not one listener each). */
  readonly inFlight: Set<AttemptGate>;
  /** The attempts' hard deadlines, on one shared timer. */
  readonly clock: DeadlineClock;
  /** --check-fragments: the pages fragments point into, by href without the fragment, each requested once. */
  readonly pages: LruCache<string, Promise<PageCheck>>;
  /** The local checks' shared state, made when the first `file:` target comes. */
  local: Promise<LocalChecker> | null;
  /** When the run started, on the performance.now() clock (ms): results' `startMs` count from it. */
  readonly startedAt: number;
}

/** A page checked for the fragments that point into it: its result and, when it is HTML, its anchors. */
interface PageCheck {
  /** Null when the run was aborted. */
  result: CheckResult | null;
  /** The page's `id`s and `<a name>`s, or null when it is not HTML or not healthy. */
  anchors: ReadonlySet<string> | null;
  /** True when the page was longer than what was read for anchors. */
  truncated: boolean;
}

interface LocalChecker {
  check: typeof import('./local.js').checkLocalTarget;
  ctx: LocalCheckContext;
}

/** Pages whose anchors --check-fragments keeps at once (the least recently used is requested again if needed). */
const PAGE_CACHE_ENTRIES = 256;

/** Prepares what every check of a run shares: headers are built once, not per URL. */
export function createCheckContext(dispatcher: Dispatcher, options: CheckOptions, signal: AbortSignal): CheckContext {
  const given = new Set(options.headers.map((header) => header.name));
  const baseHeaders: string[] = [];
  if (!given.has('user-agent')) baseHeaders.push('user-agent', options.userAgent);
  if (!given.has('accept')) baseHeaders.push('accept', '*/*');
  for (const header of options.headers) baseHeaders.push(header.name, header.value);
  const secrets = options.headers.map((header) => header.value).filter((value) => value.length >= 3);
  const clock = new DeadlineClock(options.timeoutMs);
  // The clock holds every attempt in flight already: one set, not a second one to keep in step.
  const inFlight = clock.running;
  signal.addEventListener(
    'abort',
    () => {
      for (const gate of inFlight) gate.abort(signal.reason);
    },
    { once: true },
  );
  const crossOriginHeaders: string[] = [];
  for (let i = 0; i + 1 < baseHeaders.length; i += 2) {
    const name = baseHeaders[i] as string;
    if (CROSS_ORIGIN_SAFE_HEADERS.has(name)) crossOriginHeaders.push(name, baseHeaders[i + 1] as string);
  }
  return { dispatcher, options, signal, baseHeaders, crossOriginHeaders, secrets, inFlight, clock, pages: new LruCache(PAGE_CACHE_ENTRIES), local: null, startedAt: performance.now() };
}

/** What one attempt (a full redirect chain under one deadline) ended with. */
interface AttemptOutcome {
  status: number | null;
  error: CheckError | null;
  redirects: RedirectHop[];
  finalUrl: URL | null;
  method: HttpMethod | null;
  retryAfterMs: number | null;
  /** The last response received, for its timings and TLS connection. */
  answer: Answer | null;
  /** The answer carried bot-protection markers. */
  challenged: boolean;
}

/** Where an attempt leaves a healthy HTML page's body when fragments are checked against it. */
interface PageBody {
  body: Buffer | null;
  truncated: boolean;
}

// What a fragment check reads of a page: an HTML answer's body, up to the body cap.
const HTML_TYPE = /^\s*(?:text\/html|application\/xhtml\+xml)\b/i;

// Plain list targets read a body only to tell a bot-protection refusal from a real one.
const sniffChallenges: BodyPolicy = (status, headers) => (wantsChallengeSniff(status, headers) ? CHALLENGE_SNIFF_BYTES : 0);

/**
 * Checks one target: up to 1 + `retries` attempts, each under a hard deadline, following
 * redirects by hand. Never throws for anything the URL or its server does: that becomes the
 * result's `error`. Returns null only when the run was aborted before the check finished.
 *
 * A `file:` target (a local link of a local document) is checked on disk instead (see
 * `local.ts`). With `checkFragments`, an http(s) target's `#fragment` must be an anchor of the
 * page (`FRAGMENT_NOT_FOUND`): the page is requested with GET, once however many fragments point
 * into it, and its `id`s and `<a name>`s are read from the first {@link DEFAULT_BODY_LIMIT_BYTES}
 * of an HTML answer.
 */
export function checkTarget(target: Target, ctx: CheckContext): Promise<CheckResult | null> {
  const url = target.url;
  // Not an async function itself: the common case hands back checkWithRetries' promise as it is,
  // without a promise and a microtask more per URL. Neither branch throws synchronously.
  // href, not protocol: the href is kept, the protocol would be a new string per URL.
  if (url !== null && (url.href.startsWith('file:') || ctx.options.checkFragments)) return checkSpecial(target, url, ctx);
  return checkWithRetries(target, ctx, null);
}

async function checkSpecial(target: Target, url: URL, ctx: CheckContext): Promise<CheckResult | null> {
  if (url.protocol === 'file:') return checkLocal(target, url, ctx);
  if (isCheckedFragment(url)) return checkFragment(target, url, checkableFragment(url) as string, ctx);
  return checkWithRetries(target, ctx, null);
}

async function checkLocal(target: Target, url: URL, ctx: CheckContext): Promise<CheckResult | null> {
  // Loaded with the first local link: a run of URLs never pays for it.
  ctx.local ??= import('./local.js').then((local) => ({ check: local.checkLocalTarget, ctx: local.createLocalCheckContext(ctx.options.rootDir) }));
  const local = await ctx.local;
  if (ctx.signal.aborted) return null;
  return local.check(target, url, local.ctx, ctx.startedAt);
}

async function checkFragment(target: Target, url: URL, fragment: string, ctx: CheckContext): Promise<CheckResult | null> {
  const hash = url.href.indexOf('#');
  const key = url.href.slice(0, hash);
  let page = target.expect == null ? ctx.pages.get(key) : undefined;
  if (page === undefined) {
    page = checkPage({ ...target, url: new URL(key) }, ctx);
    if (target.expect == null) ctx.pages.set(key, page);
  }
  const { result, anchors, truncated } = await page;
  if (result === null) return null;
  const mine: CheckResult = { ...result, url: target.display, source: target.source, line: target.line };
  if (!result.ok || anchors === null || hasAnchor(anchors, fragment, false)) return mine;
  const where = truncated ? ` (only the first ${DEFAULT_BODY_LIMIT_BYTES / 1024 / 1024} MiB of the page were read)` : '';
  const error: CheckError = { code: 'FRAGMENT_NOT_FOUND', message: printable(`#${fragment} is not an id or <a name> of the page${where}; anchors a script adds cannot be seen`) };
  return { ...mine, ok: false, error, verdict: verdictOf({ ok: false, status: result.status, error, warnings: result.warnings }, false) };
}

async function checkPage(target: Target, ctx: CheckContext): Promise<PageCheck> {
  const body: PageBody = { body: null, truncated: false };
  const result = await checkWithRetries(target, ctx, body);
  if (result === null || !result.ok || body.body === null) return { result, anchors: null, truncated: false };
  const { documentAnchors } = await import('../input/anchors.js');
  return { result, anchors: documentAnchors('html', body.body.toString('utf8')), truncated: body.truncated };
}

async function checkWithRetries(target: Target, ctx: CheckContext, page: PageBody | null): Promise<CheckResult | null> {
  const started = performance.now();
  if (target.url === null) {
    return result(target, started, 0, {
      status: null,
      error: target.invalid,
      redirects: [],
      finalUrl: null,
      method: null,
      retryAfterMs: null,
      answer: null,
      challenged: false,
    }, ctx);
  }
  const { retries, retryBaseMs, maxRetryAfterMs } = ctx.options;
  let attempts = 0;
  for (;;) {
    if (ctx.signal.aborted) return null;
    attempts += 1;
    // The first attempt starts when the check did: one clock reading less per URL.
    const outcome = await attempt(target, target.url, ctx, page, attempts === 1 ? started : performance.now());
    if (ctx.signal.aborted) return null;
    if (attempts > retries || !isRetryable(outcome.status, outcome.error, outcome.challenged)) {
      return result(target, started, attempts, outcome, ctx);
    }
    if (outcome.retryAfterMs !== null && outcome.retryAfterMs > maxRetryAfterMs) {
      const error = outcome.error ?? { code: 'UNKNOWN', message: '' };
      const wait = Math.ceil(outcome.retryAfterMs / 1000);
      return result(target, started, attempts, {
        ...outcome,
        error: { ...error, message: `${error.message}; Retry-After asks for ${wait} s, more than the ${maxRetryAfterMs / 1000} s urlcheck waits` },
      }, ctx);
    }
    // Only a server's Retry-After can be refused; our own back-off is capped at the same limit instead.
    const delay = outcome.retryAfterMs ?? Math.min(backoffDelay(attempts, retryBaseMs), maxRetryAfterMs);
    try {
      await sleep(delay, undefined, { signal: ctx.signal });
    } catch {
      return null;
    }
  }
}

/**
 * One attempt. `startedAt`: when it starts, on the performance.now() clock (ms); maxResponseMs
 * holds each attempt to itself: a retry is a fresh measurement, not one slowed by the back-off
 * before it.
 */
async function attempt(target: Target, start: URL, ctx: CheckContext, page: PageBody | null, startedAt: number): Promise<AttemptOutcome> {
  const { options } = ctx;
  const expect = target.expect ?? null;
  const accept: StatusRanges = expect?.status ?? options.accept;
  const readsBody = needsBody(expect) || page !== null;
  const bodyPolicy = readsBody ? bodyReader(accept, expect, page) : sniffChallenges;
  const gate = new AttemptGate();
  ctx.clock.start(gate, startedAt);

  const redirects: RedirectHop[] = [];
  let visited: Set<string> | null = null; // only a redirect chain needs it
  let url = start;
  // A body expectation needs the body: ask with GET from the start.
  let method: HttpMethod = options.method === 'get' || readsBody ? 'GET' : 'HEAD';
  let answer: Answer | null = null;
  let headers = withCredentials(ctx.baseHeaders, start);

  try {
    for (;;) {
      const request = { origin: url.origin, path: url.pathname + url.search, method, headers };
      // The attempt's first request is dispatched as it starts; a redirect's or a GET retry's later.
      const response: Answer = await (answer === null ? send(ctx.dispatcher, request, gate, bodyPolicy, startedAt) : send(ctx.dispatcher, request, gate, bodyPolicy));
      answer = response;
      const status = response.status;

      if (method === 'HEAD' && !accept.has(status) && headUnsupported(status)) {
        method = 'GET';
        continue;
      }

      const location = firstHeader(response.headers.location);
      if (REDIRECT_STATUSES.has(status) && location !== undefined && options.maxRedirects > 0) {
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          const shown = redactText(location.slice(0, 200), ctx.secrets);
          return outcomeOf(status, { code: 'INVALID_URL', message: `redirect (${status}) to an invalid URL: "${shown}"` }, redirects, url, method, answer);
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          const error: CheckError = { code: 'UNSUPPORTED_PROTOCOL', message: `redirect (${status}) to unsupported protocol "${next.protocol}"; not followed` };
          return outcomeOf(status, error, redirects, url, method, answer);
        }
        redirects.push({ status, location: redactUrl(next) });
        if (redirects.length > options.maxRedirects) {
          return outcomeOf(status, { code: 'TOO_MANY_REDIRECTS', message: `more than ${options.maxRedirects} redirects` }, redirects, url, method, answer);
        }
        visited ??= new Set([start.href]);
        if (visited.has(next.href)) {
          return outcomeOf(status, { code: 'TOO_MANY_REDIRECTS', message: `redirect loop: ${redactUrl(next)} was already visited` }, redirects, url, method, answer);
        }
        if (next.origin !== start.origin) headers = ctx.crossOriginHeaders as string[];
        visited.add(next.href);
        url = next;
        continue;
      }

      if (accept.has(status)) {
        if (page !== null && HTML_TYPE.test(String(response.headers['content-type'] ?? ''))) {
          page.body = response.body;
          page.truncated = response.bodyTruncated;
        }
        if (expect === null) return outcomeOf(status, null, redirects, url, method, answer);
        const failed = evaluateExpectations(expect, {
          status,
          headers: response.headers,
          body: response.body,
          bodyTruncated: response.bodyTruncated,
          finalUrl: url,
          durationMs: performance.now() - startedAt,
          tls: response.probe.connection?.tls ?? null,
          secrets: ctx.secrets,
        });
        return outcomeOf(status, failed === null ? null : { code: failed.code, message: redactText(failed.message, ctx.secrets) }, redirects, url, method, answer);
      }
      const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(firstHeader(response.headers['retry-after'])) : null;
      const acceptName = expect?.status === undefined ? '--accept' : 'the expected statuses';
      const protection = detectBotProtection(status, response.headers, response.body);
      const blocked = protection !== null || status === BOT_REFUSAL_STATUS;
      const error: CheckError = { code: 'HTTP_STATUS', message: blocked ? blockedMessage(protection, status) : `status ${status} is not in ${acceptName} ${accept.text}` };
      return outcomeOf(status, error, redirects, url, method, answer, retryAfterMs, protection !== null);
    }
  } catch (error) {
    if (gate.timedOut) {
      return outcomeOf(null, { code: 'TIMEOUT', message: `no complete answer within the ${options.timeoutMs} ms deadline` }, redirects, url, method, answer);
    }
    const classified = classifyError(error);
    return outcomeOf(null, { code: classified.code, message: redactText(classified.message, ctx.secrets) }, redirects, url, method, answer);
  } finally {
    ctx.clock.stop(gate);
  }
}

// Made apart from `attempt`: a closure there would give every attempt a context to allocate.
function bodyReader(accept: StatusRanges, expect: Target['expect'] | null, page: PageBody | null): BodyPolicy {
  return (status, headers) =>
    accept.has(status) && (page === null || needsBody(expect) || HTML_TYPE.test(String(headers['content-type'] ?? ''))) ? DEFAULT_BODY_LIMIT_BYTES : sniffChallenges(status, headers);
}

/** An attempt's outcome, every field set in one place (one object shape on the hot path). */
function outcomeOf(
  status: number | null,
  error: CheckError | null,
  redirects: RedirectHop[],
  finalUrl: URL,
  method: HttpMethod,
  answer: Answer | null,
  retryAfterMs: number | null = null,
  challenged = false,
): AttemptOutcome {
  return { status, error, redirects, finalUrl, method, retryAfterMs, answer, challenged };
}

/**
 * HEAD answers that usually mean "this server mishandles HEAD" rather than "this URL is
 * broken": worth one GET before judging. 429 is rate limiting, handled by retries instead.
 */
function headUnsupported(status: number): boolean {
  return (status >= 400 && status < 500 && status !== 429) || status === 500 || status === 501;
}

// A -H Authorization header wins over the URL's credentials.
function withCredentials(base: readonly string[], url: URL): string[] {
  if ((url.username === '' && url.password === '') || hasHeader(base, 'authorization')) return base as string[];
  return [...base, 'authorization', basicAuthorization(url) as string];
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

const NO_WARNINGS: CheckWarning[] = [];

function result(target: Target, started: number, attempts: number, outcome: AttemptOutcome, ctx: CheckContext): CheckResult {
  const durationMs = Math.round((performance.now() - started) * 10) / 10;
  const answered = outcome.status !== null;
  const tls = answered && outcome.answer !== null ? (outcome.answer.probe.connection?.tls ?? null) : null;
  const warnings = answered ? warningsOf(target, outcome, durationMs, tls, ctx.options) : NO_WARNINGS;
  // Messages may quote what a server sent (a Location): never raw control characters.
  const error = outcome.error === null ? null : { code: outcome.error.code, message: printable(outcome.error.message) };
  const ok = error === null;
  return {
    url: target.display,
    ok,
    status: outcome.status,
    error,
    startMs: round(started - ctx.startedAt),
    durationMs,
    attempts,
    redirects: outcome.redirects,
    finalUrl: outcome.finalUrl === null || !answered ? null : redactUrl(outcome.finalUrl),
    method: answered ? outcome.method : null,
    verdict: verdictOf({ ok, status: outcome.status, error, warnings }, outcome.challenged),
    warnings,
    timings: answered ? timingsOf(outcome.answer) : null,
    tls,
    source: target.source,
    line: target.line,
  };
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** The final request's phases, from its own times and its connection's socket events. */
function timingsOf(answer: Answer | null): Timings | null {
  if (answer === null) return null;
  const { times, probe } = answer;
  const connection = probe.fresh ? probe.connection : null;
  const opened = connection?.startedAt ?? 0;
  return {
    dnsMs: connection?.lookupAt != null ? round(connection.lookupAt - opened) : null,
    connectMs: connection?.connectedAt != null ? round(connection.connectedAt - (connection.lookupAt ?? opened)) : null,
    tlsMs: connection?.secureAt != null && connection.connectedAt !== null ? round(connection.secureAt - connection.connectedAt) : null,
    firstByteMs: times.headersAt !== null && times.sentAt !== null ? round(times.headersAt - times.sentAt) : null,
    totalMs: round((times.endAt ?? performance.now()) - times.dispatchedAt),
    reusedConnection: probe.socket === null ? null : !probe.fresh,
  };
}

/** What a result flags without failing: outdated list entries, slowness, an expiring certificate. */
function warningsOf(target: Target, outcome: AttemptOutcome, durationMs: number, tls: TlsInfo | null, options: CheckContext['options']): CheckWarning[] {
  // Most results have nothing to flag: no list, and no closure (its context is made on entry).
  const slow = options.slowMs !== null && durationMs > options.slowMs;
  if (outcome.redirects.length === 0 && !slow && tls?.daysLeft == null) return NO_WARNINGS;
  return flagged(target, outcome, durationMs, slow, tls, options);
}

function flagged(target: Target, outcome: AttemptOutcome, durationMs: number, slow: boolean, tls: TlsInfo | null, options: CheckContext['options']): CheckWarning[] {
  let warnings: CheckWarning[] | null = null;
  const add = (warning: CheckWarning) => (warnings ??= []).push(warning);
  if (outcome.redirects.length > 0 && outcome.finalUrl !== null) {
    const permanent = outcome.redirects.find((hop) => hop.status === 301 || hop.status === 308);
    const to = redactUrl(outcome.finalUrl);
    if (permanent !== undefined) {
      add({ code: 'PERMANENT_REDIRECT', message: `permanent redirect (${permanent.status}); update the list to ${to}` });
    }
    const from = target.url;
    if (from !== null && from.protocol === 'http:' && outcome.finalUrl.protocol === 'https:' && outcome.finalUrl.hostname === from.hostname) {
      add({ code: 'HTTPS_UPGRADE', message: `redirects to https:; update the list to ${to}` });
    }
  }
  if (slow) {
    add({ code: 'SLOW', message: `took ${Math.round(durationMs)} ms, more than --slow ${options.slowMs} ms` });
  }
  if (tls?.daysLeft != null && tls.daysLeft < options.certMinDays && tls.daysLeft >= 0) {
    add({ code: 'CERT_EXPIRING', message: `certificate expires in ${tls.daysLeft} days (${tls.validTo?.slice(0, 10)}), fewer than --cert-min-days ${options.certMinDays}` });
  }
  return warnings ?? NO_WARNINGS;
}
