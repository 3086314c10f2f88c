import { describe, expect, it } from 'vitest';
import { REDACTED, redactText, redactUrl } from '../../src/util/redact.js';

describe('redactUrl', () => {
  it('leaves a URL without credentials as its href', () => {
    expect(redactUrl(new URL('https://example.test/a?b=c#d'))).toBe('https://example.test/a?b=c#d');
  });

  it('replaces user:pass with ***', () => {
    expect(redactUrl(new URL('https://user:pass@example.test/path'))).toBe('https://***@example.test/path');
  });

  it('replaces a token-only userinfo', () => {
    expect(redactUrl(new URL('https://ghp_TOKEN123@example.test/'))).toBe('https://***@example.test/');
  });

  it('replaces a password-only userinfo', () => {
    expect(redactUrl(new URL('https://:pw@example.test/'))).toBe('https://***@example.test/');
  });

  it('handles an "@" inside the password', () => {
    const url = new URL('https://user:p%40ss@example.test:8080/x');
    expect(redactUrl(url)).toBe('https://***@example.test:8080/x');
    expect(redactUrl(url)).not.toContain('ss');
  });

  it('does not modify the URL it is given', () => {
    const url = new URL('http://user:pass@example.test/');
    redactUrl(url);
    expect(url.password).toBe('pass');
  });
});

describe('redactText', () => {
  it('uses *** as the replacement', () => {
    expect(REDACTED).toBe('***');
  });

  it('leaves text without credentials unchanged', () => {
    const text = 'GET https://example.test/a?email=a@b.test failed: mail me at x@y.test';
    expect(redactText(text)).toBe(text);
  });

  it('redacts user:pass and token-only userinfo', () => {
    expect(redactText('https://user:pass@example.test/x')).toBe('https://***@example.test/x');
    expect(redactText('https://TOKEN@example.test')).toBe('https://***@example.test');
  });

  it('redacts up to the last "@" of the authority, so an unencoded "@" in the password does not leak', () => {
    expect(redactText('https://user:p@ss@example.test/x')).toBe('https://***@example.test/x');
  });

  it('does not treat an "@" in the path, query or fragment as userinfo', () => {
    expect(redactText('https://example.test/@user?to=a@b#c@d')).toBe('https://example.test/@user?to=a@b#c@d');
  });

  it('redacts every URL in a text, whatever the scheme', () => {
    const text = 'redirect from http://a:1@one.test/ to https://b:2@two.test/p, then ftp://c@three.test';
    expect(redactText(text)).toBe('redirect from http://***@one.test/ to https://***@two.test/p, then ftp://***@three.test');
  });

  it('is case-insensitive about the scheme', () => {
    expect(redactText('HTTPS://User:Pw@Example.test/')).toBe('HTTPS://***@Example.test/');
  });

  it('replaces every occurrence of every secret', () => {
    expect(redactText('token abc123 and again abc123; key zz9', ['abc123', 'zz9'])).toBe(
      'token *** and again ***; key ***',
    );
  });

  it('ignores empty secrets', () => {
    expect(redactText('unchanged', [''])).toBe('unchanged');
  });

  // Found by redact.property.test.ts: "\b" before the scheme missed a URL glued to a digit or "_".
  it('redacts a URL that directly follows a digit or an underscore', () => {
    expect(redactText('9https://user:s3cret@a.test/')).toBe('9https://***@a.test/');
    expect(redactText('id_https://user:s3cret@a.test/')).toBe('id_https://***@a.test/');
  });

  // Found by targets.property.test.ts: the URL parser reads any run of "/" and "\\" as "//".
  it('redacts userinfo after one, three or backslashed slashes', () => {
    expect(redactText('see https:/user:s3cret@a.test/')).toBe('see https:/***@a.test/');
    expect(redactText('see https:///user:s3cret@a.test/')).toBe('see https:///***@a.test/');
    expect(redactText('"https:\\\\user:s3cret@a.test/"')).toBe('"https:\\\\***@a.test/"');
  });

  // Found by redact.property.test.ts (counterexample "https://aa a@" with the secret "aa "):
  // removing the secret made the userinfo whole, so a second pass redacted more.
  it('is idempotent when removing a secret completes a userinfo', () => {
    expect(redactText('https://aa a@h.test/', ['aa '])).toBe('https://***@h.test/');
    expect(redactText('https://a/bb@h.test/', ['/bb'])).toBe('https://***@h.test/');
  });

  // A match may start only where a run of scheme characters starts: trying every position of a
  // megabyte-long run would be quadratic (minutes; the test timeout catches it, no clock needed).
  it('scans a megabyte of scheme-like characters in linear time', () => {
    const letters = `${'a1'.repeat(512 * 1024)}@`;
    expect(redactText(letters)).toBe(letters);
    const schemes = `@${`${'a'.repeat(45)}://x`.repeat(20_000)}`;
    expect(redactText(schemes)).toBe(schemes);
  });

  it('applies both: userinfo and secrets', () => {
    expect(redactText('https://u:p@h.test/?k=SECRET', ['SECRET'])).toBe('https://***@h.test/?k=***');
  });
});
