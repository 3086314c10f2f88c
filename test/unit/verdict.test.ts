import { describe, expect, it } from 'vitest';
import { parseFailOn, parseReportTarget } from '../../src/cli/options.js';
import type { CheckError, ErrorCode } from '../../src/model/types.js';
import { blockedMessage, detectBotProtection, looksChallenged, verdictOf } from '../../src/model/verdict.js';

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
    ['HTTP_STATUS', 501, 'broken'],
    ['HTTP_STATUS', 503, 'transient'],
    ['HTTP_STATUS', 408, 'transient'],
    ['HTTP_STATUS', 429, 'transient'],
    ['HTTP_STATUS', 999, 'blocked'],
    ['DNS', null, 'broken'],
    ['DNS_TEMPORARY', null, 'transient'],
    ['NETWORK_ERROR', null, 'transient'],
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
    expect(verdictOf(failure('HTTP_STATUS', 429), true)).toBe('blocked');
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

describe('detectBotProtection and blockedMessage', () => {
  it.each<[string, number, Record<string, string>, string | null, string | null]>([
    ['cf-mitigated header', 403, { 'cf-mitigated': 'challenge' }, null, 'Cloudflare'],
    ['Cloudflare challenge page', 503, {}, '<title>Just a moment...</title><script src="/cdn-cgi/challenge-platform/x"></script>', 'Cloudflare'],
    ['DataDome header', 403, { 'x-datadome': 'protected' }, null, 'DataDome'],
    ['DataDome page', 403, {}, '<script src="https://geo.captcha-delivery.com/captcha/"></script>', 'DataDome'],
    ['AWS WAF header', 403, { 'x-amzn-waf-action': 'captcha' }, null, 'AWS WAF'],
    ['Akamai server on a 403', 403, { server: 'AkamaiGHost' }, null, 'Akamai'],
    ['Akamai server on a 503 (an outage page, not a wall)', 503, { server: 'AkamaiGHost' }, null, null],
    ['Sucuri server', 403, { server: 'Sucuri/Cloudproxy' }, null, 'Sucuri'],
    ['Imperva header', 403, { 'x-iinfo': '1-2-3' }, null, 'Imperva Incapsula'],
    ['Imperva page', 403, {}, '<iframe src="/_Incapsula_Resource?x=1"></iframe>', 'Imperva Incapsula'],
    ['PerimeterX page', 403, {}, '<div id="px-captcha"></div>', 'PerimeterX'],
    ['a Cloudflare page with an hCaptcha names Cloudflare', 403, {}, '<div class="h-captcha"></div><title>Attention Required! | Cloudflare</title>', 'Cloudflare'],
    ['a bare reCAPTCHA', 429, {}, '<div class="g-recaptcha"></div>', 'reCAPTCHA'],
    ['a bare hCaptcha', 403, {}, '<div class="h-captcha"></div>', 'hCaptcha'],
    ['a plain forbidden page', 403, {}, '<h1>Forbidden</h1>', null],
    ['markers on a 200', 200, { 'cf-mitigated': 'challenge' }, null, null],
  ])('%s', (_what, status, headers, body, service) => {
    expect(detectBotProtection(status, headers, body === null ? null : Buffer.from(body))).toBe(service);
  });

  it('names the service and the status, and says what to do', () => {
    expect(blockedMessage('Cloudflare', 403)).toBe('Cloudflare bot protection answered instead of the page (status 403); check it in a browser');
    expect(blockedMessage(null, 999)).toBe("bot protection answered instead of the page (status 999, LinkedIn's refusal of automated clients); check it in a browser");
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
