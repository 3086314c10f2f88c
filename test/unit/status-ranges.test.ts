import { describe, expect, it } from 'vitest';
import { parseStatusRanges } from '../../src/model/status-ranges.js';

describe('parseStatusRanges', () => {
  it('parses ranges and single codes, with O(1) membership', () => {
    const ranges = parseStatusRanges('200-299,401');
    expect(ranges.text).toBe('200-299,401');
    for (const status of [200, 201, 250, 299, 401]) expect(ranges.has(status)).toBe(true);
    for (const status of [199, 300, 400, 402, 500, 0, 600, -1, 1000]) expect(ranges.has(status)).toBe(false);
  });

  it('accepts whitespace around parts and around the dash, and canonicalises the text', () => {
    const ranges = parseStatusRanges('  200 - 204 , 401 ,403  ');
    expect(ranges.text).toBe('200-204,401,403');
    expect(ranges.has(204)).toBe(true);
    expect(ranges.has(205)).toBe(false);
    expect(ranges.has(403)).toBe(true);
  });

  it('writes a one-status range as a single code', () => {
    expect(parseStatusRanges('404-404').text).toBe('404');
    expect(parseStatusRanges('404').text).toBe('404');
  });

  it('accepts the extremes 100 and 599', () => {
    const ranges = parseStatusRanges('100-599');
    expect(ranges.has(100)).toBe(true);
    expect(ranges.has(599)).toBe(true);
    expect(ranges.has(99)).toBe(false);
    expect(ranges.has(600)).toBe(false);
  });

  it('keeps overlapping parts as written', () => {
    const ranges = parseStatusRanges('200-299,250');
    expect(ranges.text).toBe('200-299,250');
    expect(ranges.has(250)).toBe(true);
  });

  it('rejects a backwards range, suggesting the right order', () => {
    expect(() => parseStatusRanges('299-200')).toThrow(new RangeError('range "299-200" is backwards (write 200-299)'));
  });

  it('rejects statuses outside 100-599', () => {
    expect(() => parseStatusRanges('099')).toThrow(new RangeError('99 is not an HTTP status (100-599)'));
    expect(() => parseStatusRanges('600')).toThrow(new RangeError('600 is not an HTTP status (100-599)'));
    expect(() => parseStatusRanges('200-600')).toThrow(new RangeError('600 is not an HTTP status (100-599)'));
    expect(() => parseStatusRanges('999-100')).toThrow(new RangeError('999 is not an HTTP status (100-599)'));
  });

  it('rejects numbers of any length outside 100-599 as out of range', () => {
    expect(() => parseStatusRanges('99')).toThrow(new RangeError('99 is not an HTTP status (100-599)'));
    expect(() => parseStatusRanges('999-1')).toThrow(new RangeError('999 is not an HTTP status (100-599)'));
    expect(() => parseStatusRanges('200-1')).toThrow(new RangeError('1 is not an HTTP status (100-599)'));
    expect(() => parseStatusRanges('2000')).toThrow(new RangeError('2000 is not an HTTP status (100-599)'));
    expect(() => parseStatusRanges('0')).toThrow(new RangeError('0 is not an HTTP status (100-599)'));
  });

  it('rejects an empty value', () => {
    const message = 'expected statuses such as "200-299,401", got an empty value';
    expect(() => parseStatusRanges('')).toThrow(new RangeError(message));
    expect(() => parseStatusRanges('   ')).toThrow(new RangeError(message));
  });

  it('rejects empty parts and garbage, naming the bad part', () => {
    expect(() => parseStatusRanges('200,')).toThrow(new RangeError('"" is not a status or a range like 200-299'));
    expect(() => parseStatusRanges('200,,300')).toThrow(new RangeError('"" is not a status or a range like 200-299'));
    expect(() => parseStatusRanges('2xx')).toThrow(new RangeError('"2xx" is not a status or a range like 200-299'));
    expect(() => parseStatusRanges('200-')).toThrow(new RangeError('"200-" is not a status or a range like 200-299'));
    expect(() => parseStatusRanges('-200')).toThrow(RangeError);
    expect(() => parseStatusRanges('200;300')).toThrow(new RangeError('"200;300" is not a status or a range like 200-299'));
    expect(() => parseStatusRanges('ok')).toThrow(RangeError);
  });
});
