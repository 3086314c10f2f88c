import { describe, expect, it } from 'vitest';
import { parseFailOn, parseReportTarget } from '../../src/cli/options.js';
import type { CheckError, ErrorCode } from '../../src/model/types.js';
import { looksChallenged, verdictOf } from '../../src/model/verdict.js';

const failure = (code: ErrorCode, status: number | null = null) => ({
  ok: false,
  status,
  error: { code, message: '' } satisfies CheckError,
  warnings: [],
});

describe('verdictOf', () => {
  it('ok results are healthy, or warning when they flag something', () => {
    expect(verdictOf({ ok: true, status: 200, error: null, warnings: [] }, false)).toBe('healthy');
    expect(verdictOf({ ok: true, status: 200, error: null, warnings: [{ code: 'SLOW', message: '' }] }, false)).toBe('warning');
  });

  it.each<[ErrorCode, number | null, string]>([
    ['HTTP_STATUS', 404, 'broken'],
    ['HTTP_STATUS', 410, 'broken'],
    ['HTTP_STATUS', 403, 'broken'],
    ['HTTP_STATUS', 500, 'transient'],
    ['HTTP_STATUS', 503, 'transient'],
    ['HTTP_STATUS', 429, 'blocked'],
    ['HTTP_STATUS', 999, 'blocked'],
    ['DNS', null, 'broken'],
    ['TLS', null, 'broken'],
    ['INVALID_URL', null, 'broken'],
    ['TOO_MANY_REDIRECTS', 301, 'broken'],
    ['BLOCKED_ADDRESS', null, 'broken'],
    ['BODY_MISMATCH', 200, 'broken'],
    ['CERT_EXPIRING', 200, 'broken'],
    ['TIMEOUT', null, 'transient'],
    ['CONNECTION_RESET', null, 'transient'],
    ['CONNECTION_REFUSED', null, 'transient'],
    ['TOO_SLOW', 200, 'transient'],
  ])('%s %s is %s', (code, status, verdict) => {
    expect(verdictOf(failure(code, status), false)).toBe(verdict);
  });

  it('a challenged refusal is blocked whatever its status', () => {
    expect(verdictOf(failure('HTTP_STATUS', 403), true)).toBe('blocked');
    expect(verdictOf(failure('HTTP_STATUS', 503), true)).toBe('blocked');
  });
});

describe('looksChallenged', () => {
  it('recognises bot-protection headers and pages on refusals only', () => {
    expect(looksChallenged(403, { 'cf-mitigated': 'challenge' }, null)).toBe(true);
    expect(looksChallenged(403, { 'x-datadome': 'protected' }, null)).toBe(true);
    expect(looksChallenged(403, { server: 'AkamaiGHost' }, null)).toBe(true);
    expect(looksChallenged(503, {}, Buffer.from('<title>Just a moment...</title>'))).toBe(true);
    expect(looksChallenged(403, {}, Buffer.from('<script src="https://geo.captcha-delivery.com/captcha/"></script>'))).toBe(true);
    expect(looksChallenged(403, {}, Buffer.from('<h1>Forbidden</h1>'))).toBe(false);
    expect(looksChallenged(200, { 'cf-mitigated': 'challenge' }, null)).toBe(false);
  });
});

describe('parseFailOn', () => {
  it('reads verdicts, new and none', () => {
    const policy = parseFailOn('broken, Transient,new');
    expect([...policy.verdicts]).toEqual(['broken', 'transient']);
    expect(policy.onNew).toBe(true);
    expect(policy.text).toBe('broken,transient,new');
    expect(parseFailOn('none').verdicts.size).toBe(0);
  });

  it('names an unknown verdict and the choices', () => {
    expect(() => parseFailOn('broken,broke')).toThrow('unknown verdict "broke"; choose from healthy, warning, broken, transient, blocked, new, none');
    expect(() => parseFailOn(' , ')).toThrow(/must list verdicts/);
  });
});

describe('parseReportTarget', () => {
  it('splits at the first colon, so paths may hold colons', () => {
    expect(parseReportTarget('junit:out/results.xml')).toEqual({ format: 'junit', path: 'out/results.xml' });
    expect(parseReportTarget('NDJSON:c:/x.ndjson')).toEqual({ format: 'ndjson', path: 'c:/x.ndjson' });
  });

  it('refuses an unknown format or a missing path', () => {
    expect(() => parseReportTarget('xml:a.xml')).toThrow(/must be format:path/);
    expect(() => parseReportTarget('junit:')).toThrow(/must be format:path/);
    expect(() => parseReportTarget('results.xml')).toThrow(/must be format:path/);
  });
});
