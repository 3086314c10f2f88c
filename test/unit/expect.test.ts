import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BODY_LIMIT_BYTES,
  evaluateExpectations,
  needsBody,
  parseJsonPath,
  type ExpectInput,
} from '../../src/check/expect.js';
import type { Expectations, TlsInfo } from '../../src/model/types.js';
import { anyText } from '../helpers/arbitraries.js';

/** A healthy final answer: 200, JSON body, https with a certificate valid for 90 more days. */
function answer(overrides: Partial<ExpectInput> = {}): ExpectInput {
  return {
    status: 200,
    headers: { 'content-type': 'application/json', 'x-version': '2.4.1' },
    body: Buffer.from('{"status":"up","data":{"items":[{"id":7}],"odd key":true},"n":1.5}'),
    bodyTruncated: false,
    finalUrl: new URL('https://a.test/health'),
    durationMs: 120,
    tls: tls(90, '2027-03-01T12:00:00.000Z'),
    ...overrides,
  };
}

function tls(daysLeft: number | null, validTo: string | null): TlsInfo {
  return { protocol: 'TLSv1.3', issuer: 'Test CA', subject: 'a.test', validTo, daysLeft };
}

function failure(expectations: Expectations, overrides: Partial<ExpectInput> = {}): string {
  const error = evaluateExpectations(expectations, answer(overrides));
  if (error === null) throw new Error('expected the expectations to fail');
  return `${error.code}: ${error.message}`;
}

function passes(expectations: Expectations, overrides: Partial<ExpectInput> = {}): boolean {
  return evaluateExpectations(expectations, answer(overrides)) === null;
}

describe('evaluateExpectations', () => {
  it('passes when every expectation holds', () => {
    expect(
      passes({
        finalUrl: 'https://a.test/health',
        headers: [{ name: 'content-type', matches: /json/ }, { name: 'x-version' }],
        bodyContains: ['"up"', 'odd key'],
        bodyMatches: [/"id":\d+/],
        json: [
          { path: 'status', equals: 'up' },
          { path: 'data.items[0].id', equals: 7 },
          { path: '$.data["odd key"]', equals: true },
          { path: 'data.items', equals: [{ id: 7 }] },
          { path: 'n', matches: /^1\.5$/ },
        ],
        maxResponseMs: 120,
        certMinDays: 90,
      }),
    ).toBe(true);
  });

  it('passes with no expectations at all', () => {
    expect(passes({})).toBe(true);
    expect(passes({ bodyContains: [], json: [], headers: [] }, { body: null })).toBe(true);
  });

  describe('finalUrl', () => {
    it('names the URL that answered and the one expected', () => {
      expect(failure({ finalUrl: 'https://a.test/old' }, { finalUrl: new URL('https://a.test/new') })).toBe(
        'FINAL_URL_MISMATCH: final URL https://a.test/new, expected https://a.test/old',
      );
    });

    it('accepts a difference of only a trailing slash, case in the host, a default port, a fragment', () => {
      expect(passes({ finalUrl: 'https://a.test/docs' }, { finalUrl: new URL('https://a.test/docs/') })).toBe(true);
      expect(passes({ finalUrl: 'https://a.test/docs/' }, { finalUrl: new URL('https://a.test/docs') })).toBe(true);
      expect(passes({ finalUrl: 'HTTPS://A.TEST:443/docs' }, { finalUrl: new URL('https://a.test/docs#top') })).toBe(true);
      expect(passes({ finalUrl: 'https://a.test' }, { finalUrl: new URL('https://a.test/') })).toBe(true);
    });

    it('still tells apart the query, the path case and the scheme', () => {
      expect(passes({ finalUrl: 'https://a.test/docs?a=1' }, { finalUrl: new URL('https://a.test/docs?a=2') })).toBe(false);
      expect(passes({ finalUrl: 'https://a.test/Docs' }, { finalUrl: new URL('https://a.test/docs') })).toBe(false);
      expect(passes({ finalUrl: 'https://a.test/' }, { finalUrl: new URL('http://a.test/') })).toBe(false);
    });

    it('compares without credentials and never shows them', () => {
      const finalUrl = new URL('https://user:hunter2@a.test/new');
      expect(passes({ finalUrl: 'https://a.test/new' }, { finalUrl })).toBe(true);
      expect(failure({ finalUrl: 'https://a.test/old' }, { finalUrl })).toBe(
        'FINAL_URL_MISMATCH: final URL https://***@a.test/new, expected https://a.test/old',
      );
    });

    it('reports an expected URL that does not parse (library callers skip config validation)', () => {
      expect(failure({ finalUrl: 'not a url' })).toBe('FINAL_URL_MISMATCH: expected final URL "not a url" is not a valid URL');
    });
  });

  describe('headers', () => {
    it('names a missing header', () => {
      expect(failure({ headers: [{ name: 'x-request-id' }] })).toBe('HEADER_MISMATCH: header x-request-id is missing');
    });

    it('shows the pattern and the value that came back', () => {
      expect(failure({ headers: [{ name: 'content-type', matches: /json/ }] }, { headers: { 'content-type': 'text/html' } })).toBe(
        'HEADER_MISMATCH: header content-type: expected to match /json/, got "text/html"',
      );
    });

    it('matches a repeated header as its comma-joined value', () => {
      const headers = { 'set-cookie': ['a=1', 'session=xyz'] };
      expect(passes({ headers: [{ name: 'set-cookie', matches: /session=/ }] }, { headers })).toBe(true);
      expect(failure({ headers: [{ name: 'set-cookie', matches: /^b=/ }] }, { headers })).toBe(
        'HEADER_MISMATCH: header set-cookie: expected to match /^b=/, got "a=1, session=xyz"',
      );
    });

    it('gives the same answer every time, even for a pattern with the g flag', () => {
      const expectations: Expectations = { headers: [{ name: 'content-type', matches: /json/g }] };
      expect([passes(expectations), passes(expectations), passes(expectations)]).toEqual([true, true, true]);
    });

    it('quotes hostile values printable, credential-free and cut to 80 characters', () => {
      const value = `\u001b[31mred\u202e https://u:p@x.test/ Bearer s3cret ${'x'.repeat(200)}`;
      const message = failure(
        { headers: [{ name: 'x-echo', matches: /^ok$/ }] },
        { headers: { 'x-echo': value }, secrets: ['s3cret'] },
      );
      expect(message).toBe(
        `HEADER_MISMATCH: header x-echo: expected to match /^ok$/, got "\\u001b[31mred\\u202e https://***@x.test/ Bearer *** ${'x'.repeat(28)}…"`,
      );
    });

    it('checks headers in order, and after the final URL', () => {
      const expectations: Expectations = {
        finalUrl: 'https://a.test/elsewhere',
        headers: [{ name: 'x-missing' }, { name: 'content-type', matches: /xml/ }],
      };
      expect(failure(expectations)).toMatch(/^FINAL_URL_MISMATCH/);
      expect(failure({ ...expectations, finalUrl: undefined })).toBe('HEADER_MISMATCH: header x-missing is missing');
    });
  });

  describe('bodyContains and bodyMatches', () => {
    it('says how much of the body was read', () => {
      const body = Buffer.from('a'.repeat(1229));
      expect(failure({ bodyContains: ['ok'] }, { body })).toBe('BODY_MISMATCH: body does not contain "ok" (read 1.2 KiB)');
      expect(failure({ bodyContains: ['ok'] }, { body: Buffer.from('nope') })).toBe('BODY_MISMATCH: body does not contain "ok" (read 4 B)');
      expect(failure({ bodyMatches: [/^ok\d+$/m] }, { body })).toBe('BODY_MISMATCH: body does not match /^ok\\d+$/m (read 1.2 KiB)');
    });

    it('says when only the first part of a longer body was searched', () => {
      const body = Buffer.alloc(DEFAULT_BODY_LIMIT_BYTES, 'a');
      expect(failure({ bodyContains: ['ok'] }, { body, bodyTruncated: true })).toBe(
        'BODY_MISMATCH: body does not contain "ok" in the first 1 MiB',
      );
    });

    it('says when the body was empty or never read', () => {
      expect(failure({ bodyContains: ['ok'] }, { body: Buffer.alloc(0) })).toBe('BODY_MISMATCH: body does not contain "ok" (the body is empty)');
      expect(failure({ bodyMatches: [/ok/] }, { body: null })).toBe('BODY_MISMATCH: body does not match /ok/ (no body was read)');
    });

    it('reads the body as UTF-8 and ignores a byte order mark', () => {
      const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Grüße, 世界')]);
      expect(passes({ bodyContains: ['Grüße', '世界'], bodyMatches: [/^Grüße/] }, { body })).toBe(true);
    });

    it('reports the first missing string, then the first pattern that fails', () => {
      const body = Buffer.from('alpha beta');
      expect(failure({ bodyContains: ['alpha', 'gamma', 'delta'], bodyMatches: [/zeta/] }, { body })).toBe(
        'BODY_MISMATCH: body does not contain "gamma" (read 10 B)',
      );
      expect(failure({ bodyContains: ['alpha'], bodyMatches: [/beta/, /zeta/] }, { body })).toBe(
        'BODY_MISMATCH: body does not match /zeta/ (read 10 B)',
      );
    });

    it('quotes the expected text printable and cut to 80 characters', () => {
      expect(failure({ bodyContains: [`tab\there ${'y'.repeat(100)}`] }, { body: Buffer.from('x') })).toBe(
        `BODY_MISMATCH: body does not contain "tab\\there ${'y'.repeat(69)}…" (read 1 B)`,
      );
    });
  });

  describe('json', () => {
    it('shows the path, the expected value and the value that came back', () => {
      const body = Buffer.from('{"data":{"status":"down","count":3}}');
      expect(failure({ json: [{ path: 'data.status', equals: 'up' }] }, { body })).toBe(
        'JSON_MISMATCH: JSON at data.status: expected "up", got "down"',
      );
      expect(failure({ json: [{ path: 'data.count', equals: 4 }] }, { body })).toBe('JSON_MISMATCH: JSON at data.count: expected 4, got 3');
      expect(failure({ json: [{ path: 'data', equals: { status: 'up' } }] }, { body })).toBe(
        'JSON_MISMATCH: JSON at data: expected {"status":"up"}, got {"status":"down","count":3}',
      );
    });

    it('names a missing path', () => {
      expect(failure({ json: [{ path: 'data.items[3].id', equals: 1 }] })).toBe('JSON_MISMATCH: JSON at data.items[3].id is missing');
      expect(failure({ json: [{ path: 'status.length', equals: 2 }] })).toBe('JSON_MISMATCH: JSON at status.length is missing');
    });

    it('compares deeply, whatever the key order', () => {
      const body = Buffer.from('{"a":{"y":[1,{"z":null}],"x":-0}}');
      expect(passes({ json: [{ path: 'a', equals: { x: 0, y: [1, { z: null }] } }] }, { body })).toBe(true);
      expect(passes({ json: [{ path: 'a', equals: { x: 0, y: [1, { z: null }], w: 1 } }] }, { body })).toBe(false);
      expect(passes({ json: [{ path: 'a.y', equals: [1] }] }, { body })).toBe(false);
      expect(passes({ json: [{ path: 'a.y[1]', equals: { z: 0 } }] }, { body })).toBe(false);
      expect(passes({ json: [{ path: 'a.y[1].z', equals: null }] }, { body })).toBe(true);
    });

    it('matches strings as they are and other values as their JSON text', () => {
      const body = Buffer.from('{"version":"2.4.1","build":{"n":42},"flag":false}');
      expect(passes({ json: [{ path: 'version', matches: /^2\./ }] }, { body })).toBe(true);
      expect(passes({ json: [{ path: 'build', matches: /^\{"n":42\}$/ }] }, { body })).toBe(true);
      expect(passes({ json: [{ path: 'flag', matches: /^false$/ }] }, { body })).toBe(true);
      expect(failure({ json: [{ path: 'version', matches: /^3\./ }] }, { body })).toBe(
        'JSON_MISMATCH: JSON at version: expected to match /^3\\./, got "2.4.1"',
      );
    });

    it('indexes arrays by number, also in dotted form', () => {
      const body = Buffer.from('[{"id":"a"},{"id":"b"}]');
      expect(passes({ json: [{ path: '[1].id', equals: 'b' }, { path: '$[0].id', equals: 'a' }, { path: '$', equals: [{ id: 'a' }, { id: 'b' }] }] }, { body })).toBe(true);
      expect(passes({ json: [{ path: '$.1.id', equals: 'b' }] }, { body })).toBe(true);
    });

    it('says why the body is not JSON', () => {
      const html = Buffer.from(`<!doctype html><html>${'<p>'.repeat(50)}`);
      expect(failure({ json: [{ path: 'status', equals: 'up' }] }, { body: html })).toBe(
        `JSON_MISMATCH: expected a JSON body, got one that is not JSON (starts "<!doctype html><html>${'<p>'.repeat(19)}<…")`,
      );
      expect(failure({ json: [{ path: 'status', equals: 'up' }] }, { body: Buffer.alloc(0) })).toBe(
        'JSON_MISMATCH: expected a JSON body, got an empty body',
      );
      expect(failure({ json: [{ path: 'status', equals: 'up' }] }, { body: null })).toBe(
        'JSON_MISMATCH: expected a JSON body, but no body was read',
      );
      expect(failure({ json: [{ path: 'status', equals: 'up' }] }, { body: Buffer.alloc(DEFAULT_BODY_LIMIT_BYTES, ' '), bodyTruncated: true })).toBe(
        'JSON_MISMATCH: expected a JSON body, got one longer than the 1 MiB read',
      );
    });

    it('never shows request secrets a server echoes back', () => {
      // An echo endpoint (httpbin's /headers) returns the request's own headers.
      const body = Buffer.from('{"headers":{"Authorization":"Bearer tok3n","X-User":"hunter%402"}}');
      const message = failure(
        { json: [{ path: 'headers', equals: {} }] },
        { body, secrets: ['Bearer tok3n'], finalUrl: new URL('https://me:hunter%402@a.test/') },
      );
      expect(message).toBe('JSON_MISMATCH: JSON at headers: expected {}, got {"Authorization":"***","X-User":"***"}');
    });

    it('reports a bad path (library callers skip config validation)', () => {
      expect(failure({ json: [{ path: 'a..b', equals: 1 }] })).toBe(
        'JSON_MISMATCH: JSON at a..b: must be a JSON path such as data.items[0].id (got "a..b"): an empty name at character 3',
      );
    });
  });

  describe('maxResponseMs', () => {
    it('fails only when the check took longer', () => {
      expect(passes({ maxResponseMs: 500 }, { durationMs: 500 })).toBe(true);
      expect(failure({ maxResponseMs: 500 }, { durationMs: 811.6 })).toBe('TOO_SLOW: took 812 ms, more than maxResponseMs 500');
    });
  });

  describe('certMinDays', () => {
    it('names the days left and the expiry date', () => {
      expect(failure({ certMinDays: 30 }, { tls: tls(9, '2026-12-01T00:00:00.000Z') })).toBe(
        'CERT_EXPIRING: certificate expires in 9 days (2026-12-01), fewer than certMinDays 30',
      );
      expect(failure({ certMinDays: 30 }, { tls: tls(1, '2026-12-01T00:00:00.000Z') })).toBe(
        'CERT_EXPIRING: certificate expires in 1 day (2026-12-01), fewer than certMinDays 30',
      );
      expect(failure({ certMinDays: 1 }, { tls: tls(-3, null) })).toBe('CERT_EXPIRING: certificate expired 3 days ago, fewer than certMinDays 1');
    });

    it('passes on the boundary day', () => {
      expect(passes({ certMinDays: 30 }, { tls: tls(30, '2026-12-01T00:00:00.000Z') })).toBe(true);
      expect(passes({ certMinDays: 0 }, { tls: tls(0, '2026-12-01T00:00:00.000Z') })).toBe(true);
    });

    it('fails when there is no certificate to look at', () => {
      expect(failure({ certMinDays: 30 }, { tls: null, finalUrl: new URL('http://a.test/') })).toBe(
        'CERT_EXPIRING: no TLS certificate (the final answer came over http:), expected certMinDays 30',
      );
      expect(failure({ certMinDays: 30 }, { tls: tls(null, null) })).toBe('CERT_EXPIRING: certificate expiry is unknown, expected certMinDays 30');
    });
  });

  it('reports the first failure in the order finalUrl, headers, body, json, maxResponseMs, certMinDays', () => {
    const all: Expectations = {
      certMinDays: 365,
      maxResponseMs: 1,
      json: [{ path: 'status', equals: 'down' }],
      bodyContains: ['nope'],
      headers: [{ name: 'x-nope' }],
      finalUrl: 'https://a.test/other',
    };
    const order: string[] = [];
    const remaining: Expectations = { ...all };
    for (const key of ['finalUrl', 'headers', 'bodyContains', 'json', 'maxResponseMs', 'certMinDays'] as const) {
      order.push(evaluateExpectations(remaining, answer())?.code ?? 'none');
      delete remaining[key];
    }
    expect(order).toEqual(['FINAL_URL_MISMATCH', 'HEADER_MISMATCH', 'BODY_MISMATCH', 'JSON_MISMATCH', 'TOO_SLOW', 'CERT_EXPIRING']);
    expect(evaluateExpectations(remaining, answer())).toBeNull();
  });
});

describe('needsBody', () => {
  it('is true only for expectations that look into the body', () => {
    expect(needsBody(null)).toBe(false);
    expect(needsBody(undefined)).toBe(false);
    expect(needsBody({ headers: [{ name: 'x' }], maxResponseMs: 5, certMinDays: 1, finalUrl: 'https://a.test/' })).toBe(false);
    expect(needsBody({ bodyContains: [] })).toBe(false);
    expect(needsBody({ bodyContains: ['ok'] })).toBe(true);
    expect(needsBody({ bodyMatches: [/ok/] })).toBe(true);
    expect(needsBody({ json: [{ path: 'a', equals: 1 }] })).toBe(true);
  });

  it('caps bodies at 1 MiB', () => {
    expect(DEFAULT_BODY_LIMIT_BYTES).toBe(1024 * 1024);
  });
});

describe('parseJsonPath', () => {
  it.each([
    ['status', ['status']],
    ['data.items[0].id', ['data', 'items', 0, 'id']],
    ['$.data.items[12]', ['data', 'items', 12]],
    ['$', []],
    ['$[0]', [0]],
    ['[0][1]', [0, 1]],
    ['$.data["odd key"].x', ['data', 'odd key', 'x']],
    ["data['it''s'].x", null],
    ["data['it\\'s']", ['data', "it's"]],
    ['["a.b"]["c[0]"]', ['a.b', 'c[0]']],
    ['["tab\\there \\u00e9"]', ['tab\there é']],
    ['headers.content-type', ['headers', 'content-type']],
    ['$ref', ['$ref']],
    ['items.0', ['items', '0']],
    ['données.état', ['données', 'état']],
  ] as const)('parses %s', (path, segments) => {
    if (segments === null) expect(() => parseJsonPath(path)).toThrow(RangeError);
    else expect(parseJsonPath(path)).toEqual(segments);
  });

  it.each([
    ['', 'it is empty'],
    ['data..x', 'an empty name at character 6'],
    ['data.', 'an empty name at character 6'],
    ['.data', 'an empty name at character 1'],
    ['$.', 'an empty name at character 3'],
    ['data.my key', 'a space at character 8 (write ["odd key"] for names with spaces)'],
    ['items[]', 'the bracket at character 6 must hold an index such as [0] or a quoted name such as ["odd key"]'],
    ['items[*]', 'the bracket at character 6 must hold an index such as [0] or a quoted name such as ["odd key"]'],
    ['items[-1]', 'the bracket at character 6 must hold an index such as [0] or a quoted name such as ["odd key"]'],
    ['items[0', 'the bracket at character 6 is not closed with ]'],
    ['items["a"', 'the bracket at character 6 is not closed with ]'],
    ['items["a]', 'the quoted name at character 7 is not closed'],
    ['items["\\x"]', 'the quoted name at character 7 is not a valid JSON string'],
    ['items[0]x', 'unexpected "x" at character 9'],
    ['items]', 'unexpected "]" at character 6'],
    ['items[99999999999999999999]', 'the index at character 7 is too large'],
  ])('rejects %j: %s', (path, detail) => {
    expect(() => parseJsonPath(path)).toThrow(new RangeError(`must be a JSON path such as data.items[0].id (got ${JSON.stringify(path)}): ${detail}`));
  });

  // Segments rendered the way a user would write them: plain names dotted, the rest bracketed.
  const segment = fc.oneof(
    fc.nat({ max: 10_000 }),
    fc.stringMatching(/^[A-Za-z_][\w-]{0,8}$/),
    fc.string({ unit: 'grapheme', maxLength: 8 }),
  );
  function render(segments: Array<string | number>, withRoot: boolean): string {
    let out = withRoot ? '$' : '';
    for (const part of segments) {
      if (typeof part === 'number') out += `[${part}]`;
      else if (/^[A-Za-z_][\w-]*$/.test(part)) out += out === '' ? part : `.${part}`;
      else out += `[${JSON.stringify(part)}]`;
    }
    return out;
  }

  it('reads back any path written in dotted and bracket form', () => {
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 6 }), fc.boolean(), (segments, withRoot) => {
        expect(parseJsonPath(render(segments, withRoot))).toEqual(segments);
      }),
    );
  });

  it('throws nothing but a RangeError on any text', () => {
    fc.assert(
      fc.property(fc.oneof(anyText(), fc.array(fc.constantFrom('a', '.', '[', ']', '"', "'", '\\', '0', '$', ' '), { maxLength: 12 }).map((p) => p.join(''))), (text) => {
        try {
          parseJsonPath(text);
        } catch (error) {
          expect(error).toBeInstanceOf(RangeError);
          expect((error as Error).message).not.toMatch(/[\u0000-\u001f]/);
        }
      }),
    );
  });
});
