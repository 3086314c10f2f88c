import { describe, expect, it } from 'vitest';
import { closestChoice } from '../../src/util/suggest.js';

const FORMATS = ['table', 'json', 'ndjson', 'csv', 'junit', 'markdown'];
const FAIL_ON = ['healthy', 'warning', 'broken', 'transient', 'blocked', 'new', 'none'];

describe('closestChoice', () => {
  it.each([
    ['jsn', FORMATS, 'json'],
    ['mardown', FORMATS, 'markdown'],
    ['junti', FORMATS, 'junit'],
    ['gte', ['head', 'get'], 'get'],
    ['brokn', FAIL_ON, 'broken'],
    ['warn', FAIL_ON, 'warning'],
    ['trans', FAIL_ON, 'transient'],
    ['BLOKED', FAIL_ON, 'blocked'],
    ['per_host', ['per-host', 'concurrency'], 'per-host'],
  ])('%j → %j', (value, choices, expected) => {
    expect(closestChoice(value, choices)).toBe(expected);
  });

  it('suggests nothing for a value far from every choice, or too short to judge', () => {
    expect(closestChoice('xml', FORMATS)).toBeNull();
    expect(closestChoice('x', FORMATS)).toBeNull();
    expect(closestChoice('', FORMATS)).toBeNull();
    expect(closestChoice('spreadsheet', FORMATS)).toBeNull();
  });

  it('does not pick between two choices that both start with the value', () => {
    expect(closestChoice('trans', ['transient', 'transfer'])).toBeNull();
    expect(closestChoice('transi', ['transient', 'transfer'])).toBe('transient');
  });
});
