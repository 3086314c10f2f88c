import { describe, expect, it } from 'vitest';
import { parseTarget } from '../../src/input/targets.js';
import { printable } from '../../src/util/redact.js';

// Guards: an untrusted URL list cannot inject terminal escape sequences into a report.
describe('printable', () => {
  it('escapes C0, DEL, C1 and bidi controls as visible \\uXXXX', () => {
    expect(printable('a\u001b[31mred')).toBe('a\\u001b[31mred');
    expect(printable('nul\u0000 del\u007f csi\u009b')).toBe('nul\\u0000 del\\u007f csi\\u009b');
    expect(printable('trojan\u202esource\u2066')).toBe('trojan\\u202esource\\u2066');
    expect(printable('tab\there')).toBe('tab\\u0009here');
  });

  it('leaves ordinary text, including non-ASCII letters, as it is', () => {
    for (const text of ['https://bücher.test/ü?q=日本', 'status 404 is not in --accept 200-299', '']) {
      expect(printable(text)).toBe(text);
    }
  });

  it('is applied to what a report shows of an input line, valid or not', () => {
    expect(parseTarget('http://h.test/ok\u0000tail', 's', 1)?.display).toBe('http://h.test/ok\\u0000tail');
    const junk = parseTarget('\u001b]0;owned\u0007 not a url', 's', 2);
    expect(junk?.display).toBe('\\u001b]0;owned\\u0007 not a url');
    expect(junk?.invalid?.code).toBe('INVALID_URL');
  });
});
