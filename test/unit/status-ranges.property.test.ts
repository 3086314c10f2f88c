import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyText } from '../helpers/arbitraries.js';
import { parseStatusRanges, type StatusRanges } from '../../src/model/status-ranges.js';

const status = fc.integer({ min: 100, max: 599 });
const range = fc.tuple(status, status).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const);
const space = fc.constantFrom('', ' ', '  ', '\t');
const zeros = fc.constantFrom('', '0', '00');

/** `--accept` text for the ranges, in any of the spellings the parser accepts. */
const rangesText = fc
  .array(fc.tuple(range, space, space, space, space, zeros, fc.boolean()), { minLength: 1, maxLength: 8 })
  .map((parts) => ({
    ranges: parts.map(([r]) => r),
    text: parts
      .map(([[low, high], s1, s2, s3, s4, zero, single]) =>
        low === high && single ? `${s1}${zero}${low}${s4}` : `${s1}${zero}${low}${s2}-${s3}${high}${s4}`,
      )
      .join(','),
  }));

/** Strings close to the grammar: digits, dashes, commas and spaces in any order. */
const nearGrammar = fc
  .array(fc.constantFrom('1', '2', '0', '5', '9', '200', '299', '404', '599', '600', '99', '-', ',', ' ', '\t', '+', '.', 'e', '\u00a0', '٢'), {
    maxLength: 16,
  })
  .map((pieces) => pieces.join(''));

const ALL_STATUSES = Array.from({ length: 1000 }, (_, i) => i);

function members(ranges: StatusRanges): number[] {
  return ALL_STATUSES.filter((s) => ranges.has(s));
}

/** Returns the parsed ranges or the RangeError; any other error fails the property. */
function attempt(text: string): StatusRanges | RangeError {
  try {
    return parseStatusRanges(text);
  } catch (error) {
    expect(error).toBeInstanceOf(RangeError);
    return error as RangeError;
  }
}

describe('parseStatusRanges (properties)', () => {
  it('has(s) is true exactly for the statuses inside some range, and .text parses back to the same set', () => {
    fc.assert(
      fc.property(rangesText, ({ ranges, text }) => {
        const parsed = parseStatusRanges(text);
        expect(members(parsed)).toEqual(ALL_STATUSES.filter((s) => ranges.some(([low, high]) => low <= s && s <= high)));
        const again = parseStatusRanges(parsed.text);
        expect(members(again)).toEqual(members(parsed));
        expect(again.text).toBe(parsed.text);
      }),
      { numRuns: 200 },
    );
  });

  it('for any string, returns ranges inside 100-599 that round-trip, or throws a RangeError', () => {
    fc.assert(
      fc.property(fc.oneof(anyText(30), nearGrammar), (text) => {
        const parsed = attempt(text);
        if (parsed instanceof RangeError) {
          expect(parsed.message).toMatch(/\S/);
          return;
        }
        const accepted = members(parsed);
        expect(accepted.length).toBeGreaterThan(0);
        expect(accepted.every((s) => s >= 100 && s <= 599)).toBe(true);
        expect(members(parseStatusRanges(parsed.text))).toEqual(accepted);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects any status outside 100-599, alone, at either end of a range, or among valid parts', () => {
    const outside = fc.oneof(
      fc.integer({ min: 0, max: 99 }),
      fc.integer({ min: 600, max: 100_000 }),
      fc.bigInt({ min: 10n ** 15n, max: 10n ** 40n }),
    );
    fc.assert(
      fc.property(outside, status, fc.nat(3), (bad, good, where) => {
        const text = [`${bad}`, `${bad}-${good}`, `${good}-${bad}`, `200-299,${bad},404`][where] as string;
        expect(() => parseStatusRanges(text)).toThrow(RangeError);
      }),
      { numRuns: 200 },
    );
  });

  it('has(s) is false for any number outside 100-599, integer or not', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.double({ noNaN: true }), fc.integer({ min: -1000, max: 99 }), fc.integer({ min: 600, max: 10_000 }), fc.constant(Number.NaN)),
        (s) => {
          fc.pre(!(Number.isInteger(s) && s >= 100 && s <= 599));
          expect(parseStatusRanges('100-599').has(s)).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });
});
