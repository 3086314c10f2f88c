// The defaults live apart from the zod schemas so that `urlcheck --help` can show them
// without loading zod: start-up time is part of the product.
import { VERSION } from './version.js';

/** Requests in flight at once, across all hosts. */
export const DEFAULT_CONCURRENCY = 50;
/** Requests in flight at once to one host (host:port); null means only the global limit applies. */
export const DEFAULT_PER_HOST: number | null = null;
/** Hard wall-clock deadline for one attempt (redirects and HEAD→GET fallback included), in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Retries after the first attempt, for retryable failures only. */
export const DEFAULT_RETRIES = 2;
/** The first request's method; HEAD falls back to GET when a server mishandles HEAD. */
export const DEFAULT_METHOD = 'head';
/** Final statuses (after redirects) that count as healthy. */
export const DEFAULT_ACCEPT = '200-299';
/** Redirects followed before giving up with TOO_MANY_REDIRECTS; 0 means do not follow. */
export const DEFAULT_MAX_REDIRECTS = 10;
/** The User-Agent header sent with every request. */
export const DEFAULT_USER_AGENT = `urlcheck/${VERSION}`;
/** The report format written to stdout or --output (one of the reporter registry's formats). */
export const DEFAULT_FORMAT = 'table';
/** With --compare and no --compare-sample: lists up to this many targets are timed in full. */
export const DEFAULT_COMPARE_FULL_LIMIT = 10_000;
/** First back-off delay before a retry, in milliseconds; it doubles per retry, with jitter. */
export const DEFAULT_RETRY_BASE_MS = 250;
/** Longest Retry-After urlcheck waits for, in milliseconds; a longer one is not retried. */
export const DEFAULT_MAX_RETRY_AFTER_MS = 10_000;

/** A check slower than this is flagged with a SLOW warning, in milliseconds. */
export const DEFAULT_SLOW_MS = 5_000;
/** A TLS certificate expiring in fewer days than this is flagged with a CERT_EXPIRING warning. */
export const DEFAULT_CERT_MIN_DAYS = 14;
/** The verdicts that make the exit code 1. */
export const DEFAULT_FAIL_ON = 'broken,transient,blocked';
