import { describe, expect, it } from 'vitest';
import { isRetryable } from '../../src/check/retry.js';
import { ERROR_CODES, type ErrorCode } from '../../src/model/types.js';
import { CHALLENGE_STATUSES, failureVerdict, isTransientStatus, TRANSIENT_CODES } from '../../src/model/verdict.js';
import { readPolicyTable, rowForCode, rowForStatus } from '../helpers/policy-table.js';

// The README's "Verdicts and retries" table is the policy; these tests hold the code to it, row
// by row, and hold the rule under it: what is retried is what may pass next time (`transient`),
// and what is `transient` is retried.

const rows = readPolicyTable();
const error = (code: ErrorCode) => ({ code, message: '' });
/** Every status an answer can carry (llhttp reads three digits; undici takes 1xx as interim, never final). */
const FINAL_STATUSES = Array.from({ length: 800 }, (_, i) => 200 + i);

describe('the README table', () => {
  it('has rows, each naming a code or a status', () => {
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) expect(row.codes.length + row.statuses.length + row.classes.length, row.text).toBeGreaterThan(0);
  });

  it('names every error code but HTTP_STATUS in exactly one row', () => {
    for (const code of ERROR_CODES) {
      if (code === 'HTTP_STATUS') continue;
      expect(() => rowForCode(rows, code), code).not.toThrow();
    }
  });

  it('puts every final status in exactly one row (by itself, else by its class)', () => {
    for (const status of FINAL_STATUSES) expect(() => rowForStatus(rows, status), String(status)).not.toThrow();
  });

  it('says "retried" exactly for the transient rows', () => {
    for (const row of rows) expect(row.retried, row.text).toBe(row.verdict === 'transient');
  });
});

describe('the code follows the table', () => {
  it.each(ERROR_CODES.filter((code) => code !== 'HTTP_STATUS'))('%s: retried and verdict as its row says', (code) => {
    const row = rowForCode(rows, code);
    expect(failureVerdict(code, null, false)).toBe(row.verdict);
    expect(isRetryable(null, error(code))).toBe(row.retried);
    // A status beside the code (an expectation failing on a 200, a redirect loop's 301) changes nothing.
    expect(failureVerdict(code, 200, false)).toBe(row.verdict);
    expect(isRetryable(301, error(code))).toBe(row.retried);
  });

  it('every final status outside --accept: retried and verdict as its row says', () => {
    for (const status of FINAL_STATUSES) {
      const row = rowForStatus(rows, status);
      expect(failureVerdict('HTTP_STATUS', status, false), `${status}: ${row.text}`).toBe(row.verdict);
      expect(isRetryable(status, error('HTTP_STATUS')), `${status}: ${row.text}`).toBe(row.retried);
    }
  });

  it('a refusal with bot-protection markers: as the table\'s bot-protection row says', () => {
    const row = rows.find((candidate) => candidate.challenged);
    expect(row).toBeDefined();
    expect(row?.statuses.sort()).toEqual([...CHALLENGE_STATUSES].sort());
    for (const status of CHALLENGE_STATUSES) {
      expect(failureVerdict('HTTP_STATUS', status, true)).toBe(row?.verdict);
      expect(isRetryable(status, error('HTTP_STATUS'), true)).toBe(row?.retried);
    }
  });
});

describe('the rule: retried if and only if transient', () => {
  it('holds for every error code, with and without a status', () => {
    for (const code of ERROR_CODES) {
      for (const status of [null, 200, 404, 500]) {
        const transient = failureVerdict(code, status, false) === 'transient';
        expect(isRetryable(status, error(code)), `${code} ${status}`).toBe(transient);
      }
    }
  });

  it('holds for every status, challenged or not', () => {
    for (const status of FINAL_STATUSES) {
      for (const challenged of [false, true]) {
        const transient = failureVerdict('HTTP_STATUS', status, challenged) === 'transient';
        expect(isRetryable(status, error('HTTP_STATUS'), challenged), `${status} challenged=${challenged}`).toBe(transient);
      }
    }
  });

  it('never retries a success', () => {
    expect(isRetryable(200, null)).toBe(false);
    expect(isRetryable(503, null)).toBe(false);
  });

  it('names its transient codes and statuses in one place', () => {
    expect([...TRANSIENT_CODES].sort()).toEqual(
      ['CONNECTION_REFUSED', 'CONNECTION_RESET', 'DNS_TEMPORARY', 'NETWORK_ERROR', 'PROXY', 'TIMEOUT', 'TOO_SLOW', 'UNKNOWN'].sort(),
    );
    const transientStatuses = FINAL_STATUSES.filter(isTransientStatus);
    expect(transientStatuses.filter((status) => status < 500)).toEqual([408, 425, 429]);
    expect(transientStatuses.filter((status) => status >= 500)).toEqual(
      Array.from({ length: 100 }, (_, i) => 500 + i).filter((status) => status !== 501 && status !== 505),
    );
  });
});
