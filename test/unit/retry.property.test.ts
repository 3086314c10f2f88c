import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyText } from '../helpers/arbitraries.js';
import { backoffDelay, parseRetryAfter } from '../../src/check/retry.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const now = fc.integer({ min: 0, max: Date.parse('9999-01-01T00:00:00Z') });
/** An HTTP-date (IMF-fixdate) on a whole second between 1970 and 9999. */
const httpDate = fc
  .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
  .map((date) => new Date(Math.floor(date.getTime() / 1000) * 1000));

/** Header values near the grammar: numbers with signs, fractions and exponents, dates, mangled dates. */
const nearRetryAfter = fc.oneof(
  fc.integer().map(String),
  fc.double({ noNaN: true }).map(String),
  httpDate.map((d) => d.toUTCString()),
  fc.tuple(httpDate, fc.nat(28), fc.string({ maxLength: 3 })).map(([d, cut, junk]) => {
    const text = d.toUTCString();
    return text.slice(0, cut) + junk + text.slice(cut + junk.length);
  }),
  fc.constantFrom('', ' ', 'Infinity', '-0', '0x10', '1e3', '١٢', '+5', `${'9'.repeat(400)}`),
);

describe('parseRetryAfter (properties)', () => {
  it('reads any non-negative integer n of seconds as n * 1000 ms (capped at 10^12 s), padded or not', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.constantFrom('', ' ', '\t'), fc.constantFrom('', ' ', '\t'), (n, before, after) => {
        expect(parseRetryAfter(`${before}${n}${after}`, NOW)).toBe(Math.min(n, 1e12) * 1000);
      }),
      { numRuns: 200 },
    );
  });

  it('reads any HTTP-date as the milliseconds left until it, or 0 once it has passed', () => {
    fc.assert(
      fc.property(httpDate, now, (date, nowMs) => {
        expect(parseRetryAfter(date.toUTCString(), nowMs)).toBe(Math.max(0, date.getTime() - nowMs));
      }),
      { numRuns: 200 },
    );
  });

  it('never throws, and gives null or a non-negative number of milliseconds', () => {
    fc.assert(
      fc.property(fc.oneof(anyText(40), nearRetryAfter), now, (text, nowMs) => {
        const ms = parseRetryAfter(text, nowMs);
        if (ms !== null) {
          expect(Number.isNaN(ms)).toBe(false);
          expect(ms).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('backoffDelay (properties)', () => {
  it('is a whole number of ms within [ceiling / 2, ceiling], ceiling = base * 2^(retry - 1), for any random in [0, 1)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retry, base, random) => {
          const ceiling = base * 2 ** (retry - 1);
          const delay = backoffDelay(retry, base, () => random);
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
          expect(delay).toBeLessThanOrEqual(ceiling);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never decreases as the random draw grows', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retry, base, a, b) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          expect(backoffDelay(retry, base, () => low)).toBeLessThanOrEqual(backoffDelay(retry, base, () => high));
        },
      ),
      { numRuns: 200 },
    );
  });
});
