import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { CROSS_ORIGIN_SAFE_HEADERS } from '../headers.js';
import type { CheckOptions } from '../options.js';
import { printable, redactText, redactUrl } from '../redact.js';
import type { CheckError, CheckResult, HttpMethod, RedirectHop, Target } from '../types.js';
import { isNonPublicAddress } from './address-policy.js';
import { classifyError } from './classify.js';
import { AttemptGate, DeadlineClock, send } from './request.js';
import { backoffDelay, isRetryable, parseRetryAfter } from './retry.js';

export { DISCARD_LIMIT_BYTES } from './request.js';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Everything one run shares between checks. Build it with {@link createCheckContext}. */
export interface CheckContext {
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
  /** Attempts in flight; one listener on `signal` aborts them all (not one listener each). */
  readonly inFlight: Set<AttemptGate>;
  /** The attempts' hard deadlines, on one shared timer. */
  readonly clock: DeadlineClock;
}

/** Prepares what every check of a run shares: headers are built once, not per URL. */
export function createCheckContext(dispatcher: Dispatcher, options: CheckOptions, signal: AbortSignal): CheckContext {
  const given = new Set(options.headers.map((header) => header.name));
  const baseHeaders: string[] = [];
  if (!given.has('user-agent')) baseHeaders.push('user-agent', options.userAgent);
  if (!given.has('accept')) baseHeaders.push('accept', '*/*');
  for (const header of options.headers) baseHeaders.push(header.name, header.value);
  const secrets = options.headers.map((header) => header.value).filter((value) => value.length >= 3);
  const inFlight = new Set<AttemptGate>();
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
  const clock = new DeadlineClock(options.timeoutMs);
  return { dispatcher, options, signal, baseHeaders, crossOriginHeaders, secrets, inFlight, clock };
}

/** What one attempt (a full redirect chain under one deadline) ended with. */
interface AttemptOutcome {
  status: number | null;
  error: CheckError | null;
  redirects: RedirectHop[];
  finalUrl: URL | null;
  method: HttpMethod | null;
  retryAfterMs: number | null;
}

/**
 * Checks one target: up to 1 + `retries` attempts, each under a hard deadline, following
 * redirects by hand. Never throws for anything the URL or its server does: that becomes the
 * result's `error`. Returns null only when the run was aborted before the check finished.
 */
export async function checkTarget(target: Target, ctx: CheckContext): Promise<CheckResult | null> {
  const started = performance.now();
  if (target.url === null) {
    return result(target, started, 0, {
      status: null,
      error: target.invalid,
      redirects: [],
      finalUrl: null,
      method: null,
      retryAfterMs: null,
    });
  }
  const { retries, retryBaseMs, maxRetryAfterMs } = ctx.options;
  let attempts = 0;
  for (;;) {
    if (ctx.signal.aborted) return null;
    attempts += 1;
    const outcome = await attempt(target.url, ctx);
    if (ctx.signal.aborted) return null;
    if (attempts > retries || !isRetryable(outcome.status, outcome.error)) {
      return result(target, started, attempts, outcome);
    }
    if (outcome.retryAfterMs !== null && outcome.retryAfterMs > maxRetryAfterMs) {
      const error = outcome.error ?? { code: 'UNKNOWN', message: '' };
      const wait = Math.ceil(outcome.retryAfterMs / 1000);
      return result(target, started, attempts, {
        ...outcome,
        error: { ...error, message: `${error.message}; Retry-After asks for ${wait} s, more than the ${maxRetryAfterMs / 1000} s urlcheck waits` },
      });
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

async function attempt(start: URL, ctx: CheckContext): Promise<AttemptOutcome> {
  const { options } = ctx;
  const gate = new AttemptGate();
  ctx.clock.start(gate);
  ctx.inFlight.add(gate);

  const redirects: RedirectHop[] = [];
  let visited: Set<string> | null = null; // only a redirect chain needs it
  let url = start;
  let method: HttpMethod = options.method === 'get' ? 'GET' : 'HEAD';
  let headers = withCredentials(ctx.baseHeaders, start);
  const outcome = (fields: Partial<AttemptOutcome>): AttemptOutcome => ({
    status: null,
    error: null,
    redirects,
    finalUrl: url,
    method,
    retryAfterMs: null,
    ...fields,
  });

  try {
    for (;;) {
      // Names are checked once resolved (see publicOnlyLookup); address literals never are.
      if (options.publicOnly && isNonPublicAddress(url.hostname)) {
        return outcome({
          error: { code: 'BLOCKED_ADDRESS', message: `${url.hostname} is a non-public address (--public-only)` },
        });
      }
      const response = await send(ctx.dispatcher, { origin: url.origin, path: url.pathname + url.search, method, headers }, gate);
      const status = response.status;

      if (method === 'HEAD' && !options.accept.has(status) && headUnsupported(status)) {
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
          return outcome({ status, error: { code: 'INVALID_URL', message: `redirect (${status}) to an invalid URL: "${shown}"` } });
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          return outcome({
            status,
            error: { code: 'UNSUPPORTED_PROTOCOL', message: `redirect (${status}) to unsupported protocol "${next.protocol}"; not followed` },
          });
        }
        redirects.push({ status, location: redactUrl(next) });
        if (redirects.length > options.maxRedirects) {
          return outcome({ status, error: { code: 'TOO_MANY_REDIRECTS', message: `more than ${options.maxRedirects} redirects` } });
        }
        visited ??= new Set([start.href]);
        if (visited.has(next.href)) {
          return outcome({ status, error: { code: 'TOO_MANY_REDIRECTS', message: `redirect loop: ${redactUrl(next)} was already visited` } });
        }
        if (next.origin !== start.origin) headers = ctx.crossOriginHeaders as string[];
        visited.add(next.href);
        url = next;
        continue;
      }

      if (options.accept.has(status)) return outcome({ status });
      const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(firstHeader(response.headers['retry-after'])) : null;
      return outcome({
        status,
        retryAfterMs,
        error: { code: 'HTTP_STATUS', message: `status ${status} is not in --accept ${options.accept.text}` },
      });
    }
  } catch (error) {
    if (gate.timedOut) {
      return outcome({ error: { code: 'TIMEOUT', message: `no complete answer within the ${options.timeoutMs} ms deadline` } });
    }
    const classified = classifyError(error);
    return outcome({ error: { code: classified.code, message: redactText(classified.message, ctx.secrets) } });
  } finally {
    ctx.clock.stop(gate);
    ctx.inFlight.delete(gate);
  }
}

/**
 * HEAD answers that usually mean "this server mishandles HEAD" rather than "this URL is
 * broken": worth one GET before judging. 429 is rate limiting, handled by retries instead.
 */
function headUnsupported(status: number): boolean {
  return (status >= 400 && status < 500 && status !== 429) || status === 500 || status === 501;
}

function withCredentials(base: readonly string[], url: URL): string[] {
  if (url.username === '' && url.password === '') return base as string[];
  for (let i = 0; i < base.length; i += 2) if (base[i] === 'authorization') return base as string[];
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  return [...base, 'authorization', `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`];
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function result(target: Target, started: number, attempts: number, outcome: AttemptOutcome): CheckResult {
  return {
    url: target.display,
    ok: outcome.error === null,
    status: outcome.status,
    // Messages may quote what a server sent (a Location): never raw control characters.
    error: outcome.error === null ? null : { code: outcome.error.code, message: printable(outcome.error.message) },
    durationMs: Math.round((performance.now() - started) * 10) / 10,
    attempts,
    redirects: outcome.redirects,
    finalUrl: outcome.finalUrl === null || outcome.status === null ? null : redactUrl(outcome.finalUrl),
    method: outcome.status === null ? null : outcome.method,
    source: target.source,
    line: target.line,
  };
}
