import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyText, urlish } from '../helpers/arbitraries.js';
import { parseHeader } from '../../src/net/headers.js';

const TOKEN_CHARS = "!#$%&'*+.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-";
const tokenName = fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 20 });
const ows = fc.constantFrom('', ' ', '  ', '\t', ' \t ');
/** A value HTTP can carry (RFC 9110 field-value: tab, visible ASCII, space, obs-text 0x80-0xFF). */
const sendableValue = fc.string({
  unit: fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constant(9)).map((c) => String.fromCharCode(c)),
  maxLength: 40,
});
/** Anything without CR, LF or NUL: the parser accepts it exactly when HTTP can carry it. */
const anyValue = anyText(40).map((value) => value.replace(/[\r\n\0]/g, ''));
const SENDABLE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** A secret-looking value of 8+ characters from an alphabet nothing else here uses. */
const secretValue = fc.string({ unit: fc.constantFrom('Q', 'Z', 'X', 'J', 'V', 'K', '7'), minLength: 8, maxLength: 24 });

function messageOf(text: string): string | null {
  try {
    parseHeader(text);
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(RangeError);
    return (error as RangeError).message;
  }
}

describe('parseHeader (properties)', () => {
  it('parses any token name and sendable value into the lower-cased name and the trimmed value', () => {
    fc.assert(
      fc.property(tokenName, sendableValue, ows, ows, ows, (name, value, before, after, afterColon) => {
        expect(parseHeader(`${before}${name}${after}:${afterColon}${value}`)).toEqual({ name: name.toLowerCase(), value: value.trim() });
      }),
      { numRuns: 300 },
    );
  });

  it('accepts a CR/LF/NUL-free value exactly when HTTP can carry it, and never echoes a refused one', () => {
    fc.assert(
      fc.property(tokenName, anyValue, (name, value) => {
        const text = `${name}: ${value}`;
        if (SENDABLE.test(value.trim())) {
          expect(parseHeader(text)).toEqual({ name: name.toLowerCase(), value: value.trim() });
        } else {
          const message = messageOf(text);
          expect(message).toBe(`the value of header "${name}" contains a control character or a character beyond Latin-1, which HTTP cannot carry`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('for any input returns a pair or throws a RangeError', () => {
    fc.assert(
      fc.property(fc.oneof(anyText(60), urlish(10), fc.tuple(tokenName, anyText(20)).map(([n, v]) => `${n}:${v}`)), (text) => {
        const message = messageOf(text);
        if (message !== null) expect(message).toMatch(/\S/);
      }),
      { numRuns: 300 },
    );
  });

  it('never echoes the value (or a token misplaced before the colon) in an error', () => {
    const head = fc.oneof(tokenName, anyText(15), urlish(5), fc.tuple(tokenName, ows).map(([n, s]) => `${n}${s}`));
    const breaker = fc.constantFrom('', '\r', '\n', '\r\n', '\0', '\r\nX-Injected: 1');
    fc.assert(
      fc.property(head, secretValue, breaker, fc.nat(2), (name, secret, brk, layout) => {
        const text = [
          `${name}:${secret}${brk}`, // the secret as the value
          `${name}: Bearer ${brk}${secret}`, // the secret after a line break
          `${name} Bearer ${secret}: x${brk}`, // a forgotten colon puts the secret in the "name"
        ][layout] as string;
        fc.pre(!name.includes(secret.slice(0, 8)));
        const message = messageOf(text);
        if (message !== null) expect(message).not.toContain(secret.slice(0, 8));
      }),
      { numRuns: 300 },
    );
  });
});
