import { describe, expect, it } from 'vitest';
import { asciiOnly } from '../../src/cli/io.js';

describe('asciiOnly: --ascii, --no-ascii, else the locale', () => {
  it.each([
    [{ LANG: 'en_US.UTF-8' }, false],
    [{ LANG: 'C.UTF-8' }, false],
    [{ LANG: 'de_DE.utf8' }, false],
    [{ LANG: 'ja_JP.Utf-8' }, false],
    [{ LANG: 'C' }, true],
    [{ LANG: 'POSIX' }, true],
    [{ LANG: 'en_US.ISO-8859-1' }, true],
    [{ LANG: 'en_US' }, true],
    // cron's `env -i`: no locale at all is the C locale.
    [{}, true],
    [{ LANG: '' }, true],
    // LC_ALL overrides everything; LC_CTYPE overrides LANG; empty ones are skipped.
    [{ LC_ALL: 'C', LANG: 'en_US.UTF-8' }, true],
    [{ LC_ALL: 'en_US.UTF-8', LANG: 'C' }, false],
    [{ LC_CTYPE: 'C', LANG: 'en_US.UTF-8' }, true],
    [{ LC_CTYPE: 'en_US.UTF-8', LANG: 'C' }, false],
    [{ LC_ALL: '', LC_CTYPE: '', LANG: 'en_US.UTF-8' }, false],
    [{ LC_ALL: '', LANG: 'C' }, true],
    // Other categories say nothing about the character set.
    [{ LC_MESSAGES: 'en_US.UTF-8' }, true],
  ])('with no flag, %j → ASCII %s', (env, expected) => {
    expect(asciiOnly(null, env)).toBe(expected);
    expect(asciiOnly(undefined, env)).toBe(expected);
  });

  it('--ascii and --no-ascii win over the locale', () => {
    expect(asciiOnly(true, { LANG: 'en_US.UTF-8' })).toBe(true);
    expect(asciiOnly(false, {})).toBe(false);
    expect(asciiOnly(false, { LC_ALL: 'C' })).toBe(false);
  });
});
