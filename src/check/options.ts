import {
  DEFAULT_ACCEPT,
  DEFAULT_CERT_MIN_DAYS,
  DEFAULT_CONCURRENCY,
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_MAX_RETRY_AFTER_MS,
  DEFAULT_METHOD,
  DEFAULT_PER_HOST,
  DEFAULT_RETRIES,
  DEFAULT_RETRY_BASE_MS,
  DEFAULT_SLOW_MS,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_USER_AGENT,
} from '../model/defaults.js';
import { parseStatusRanges, type StatusRanges } from '../model/status-ranges.js';
import type { HeaderPair } from '../net/headers.js';
import type { NetOptions } from '../net/dispatcher.js';

/**
 * How every URL is checked and how many at once: the network options ({@link NetOptions}, which
 * `createDispatcher` reads) and what the check itself decides. All durations are in milliseconds.
 */
export interface CheckOptions extends NetOptions {
  /** Requests in flight at once, across all hosts (1 = the sequential baseline). */
  concurrency: number;
  /** Requests in flight at once per host:port, or null for no separate limit. */
  perHost: number | null;
  /** Retries after the first attempt, for retryable failures only. */
  retries: number;
  /** First back-off delay, in milliseconds. */
  retryBaseMs: number;
  /** Longest Retry-After honoured, in milliseconds. */
  maxRetryAfterMs: number;
  /** The first request's method. */
  method: 'head' | 'get';
  /** Healthy final statuses. */
  accept: StatusRanges;
  /** Redirects followed; 0 = do not follow. */
  maxRedirects: number;
  /** Extra request headers (`-H`); their values are treated as secrets. */
  headers: HeaderPair[];
  userAgent: string;
  /** Checks slower than this get a SLOW warning, in milliseconds; null = never. */
  slowMs: number | null;
  /** Certificates expiring in fewer days than this get a CERT_EXPIRING warning. */
  certMinDays: number;
  /**
   * Check the `#fragment` of http(s) URLs against the page's `id`s and `<a name>`s (one GET per
   * page however many fragments point into it); off: a remote fragment is ignored. Local
   * documents' fragments are always checked.
   */
  checkFragments: boolean;
  /**
   * Absolute folder that local links (`file:` targets from local documents) must stay inside,
   * through `..` and symbolic links alike; null: the working directory.
   */
  rootDir: string | null;
}

/** Fills every option the caller left out with its default. */
export function resolveCheckOptions(partial: Partial<CheckOptions> = {}): CheckOptions {
  return {
    concurrency: DEFAULT_CONCURRENCY,
    perHost: DEFAULT_PER_HOST,
    timeoutMs: DEFAULT_TIMEOUT_MS,
    connectTimeoutMs: null,
    retries: DEFAULT_RETRIES,
    retryBaseMs: DEFAULT_RETRY_BASE_MS,
    maxRetryAfterMs: DEFAULT_MAX_RETRY_AFTER_MS,
    method: DEFAULT_METHOD,
    accept: parseStatusRanges(DEFAULT_ACCEPT),
    maxRedirects: DEFAULT_MAX_REDIRECTS,
    headers: [],
    userAgent: DEFAULT_USER_AGENT,
    insecure: false,
    publicOnly: false,
    slowMs: DEFAULT_SLOW_MS,
    certMinDays: DEFAULT_CERT_MIN_DAYS,
    proxy: null,
    checkFragments: false,
    rootDir: null,
    ...partial,
  };
}
