import { describe, expect, it } from 'vitest';
import { backoffDelay, isRetryable, parseRetryAfter } from '../../src/check/retry.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delta-seconds as milliseconds', () => {
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter('3', NOW)).toBe(3000);
    expect(parseRetryAfter(' 120 ', NOW)).toBe(120_000);
  });

  it('reads an HTTP-date as the time left until then', () => {
    expect(parseRetryAfter('Wed, 01 May 2024 12:00:30 GMT', NOW)).toBe(30_000);
    // The obsolete RFC 850 form is still an HTTP-date (RFC 9110 §5.6.7).
    expect(parseRetryAfter('Wednesday, 01-May-24 12:00:05 GMT', NOW)).toBe(5_000);
  });

  it('gives 0 for a date in the past', () => {
    expect(parseRetryAfter('Wed, 01 May 2024 11:59:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:00 GMT', NOW)).toBe(0);
  });

  it('gives null when absent or unparseable', () => {
    expect(parseRetryAfter(null, NOW)).toBeNull();
    expect(parseRetryAfter(undefined, NOW)).toBeNull();
    expect(parseRetryAfter('', NOW)).toBeNull();
    expect(parseRetryAfter('soon', NOW)).toBeNull();
    expect(parseRetryAfter('10 seconds', NOW)).toBeNull();
  });

  it('gives null for numbers that are not delta-seconds, instead of reading them as dates', () => {
    expect(parseRetryAfter('-1', NOW)).toBeNull();
    expect(parseRetryAfter('1.5', NOW)).toBeNull();
    expect(parseRetryAfter('2024', NOW)).toBe(2_024_000);
  });
});

describe('backoffDelay', () => {
  it('doubles per retry with equal jitter: between half the ceiling and the ceiling', () => {
    expect(backoffDelay(1, 100, () => 0)).toBe(50);
    expect(backoffDelay(1, 100, () => 0.999_999)).toBe(100);
    expect(backoffDelay(1, 100, () => 0.5)).toBe(75);
    expect(backoffDelay(2, 100, () => 0)).toBe(100);
    expect(backoffDelay(2, 100, () => 0.999_999)).toBe(200);
    expect(backoffDelay(3, 250, () => 0)).toBe(500);
    expect(backoffDelay(3, 250, () => 0.999_999)).toBe(1000);
  });

  it('stays within bounds for any random value', () => {
    for (let retry = 1; retry <= 6; retry += 1) {
      const ceiling = 250 * 2 ** (retry - 1);
      for (const r of [0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999]) {
        const delay = backoffDelay(retry, 250, () => r);
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
        expect(Number.isInteger(delay)).toBe(true);
      }
    }
  });

  it('is 0 with a base of 0', () => {
    expect(backoffDelay(4, 0, () => 0.7)).toBe(0);
  });
});

describe('isRetryable (the whole table: verdict-policy.test.ts)', () => {
  it('never retries a success', () => {
    expect(isRetryable(200, null)).toBe(false);
    expect(isRetryable(503, null)).toBe(false);
  });

  it('retries the statuses that may pass on a later attempt: 408, 425, 429, 500 and the 5xx but 501 and 505', () => {
    for (const status of [408, 425, 429, 500, 502, 503, 504, 507, 520, 599]) {
      expect(isRetryable(status, { code: 'HTTP_STATUS', message: '' }), String(status)).toBe(true);
    }
    for (const status of [204, 302, 400, 401, 403, 404, 410, 418, 501, 505, 600, 999]) {
      expect(isRetryable(status, { code: 'HTTP_STATUS', message: '' }), String(status)).toBe(false);
    }
    expect(isRetryable(null, { code: 'HTTP_STATUS', message: '' })).toBe(false);
  });

  it('never retries a refusal with bot-protection markers: a challenge does not pass on a second try', () => {
    for (const status of [403, 429, 503]) expect(isRetryable(status, { code: 'HTTP_STATUS', message: '' }, true)).toBe(false);
  });

  it('retries timeouts, resets, refused connections, temporary DNS failures, unreachable networks and proxies', () => {
    for (const code of ['TIMEOUT', 'CONNECTION_RESET', 'CONNECTION_REFUSED', 'DNS_TEMPORARY', 'NETWORK_ERROR', 'PROXY', 'TOO_SLOW', 'UNKNOWN'] as const) {
      expect(isRetryable(null, { code, message: '' }), code).toBe(true);
    }
    for (const code of ['DNS', 'TLS', 'TOO_MANY_REDIRECTS', 'INVALID_URL', 'UNSUPPORTED_PROTOCOL', 'PROTOCOL_ERROR', 'PROXY_AUTH', 'BODY_MISMATCH'] as const) {
      expect(isRetryable(null, { code, message: '' }), code).toBe(false);
    }
  });
});

describe('parseRetryAfter with absurd values', () => {
  it('keeps a 400-digit delay finite, so messages say a number', () => {
    expect(Number.isFinite(parseRetryAfter('9'.repeat(400)))).toBe(true);
  });
});
