import { describe, expect, it } from 'vitest';
import { startFixtureServer } from '../../src/demo/fixture-server.js';
import { checkAll } from '../../src/pipeline/pool.js';
import type { CheckResult } from '../../src/model/types.js';
import { checkOne } from '../helpers/checks.js';
import { collect, targetsFrom, testOptions, useFixtureServer } from '../helpers/fixtures.js';

const USER = 'alice-7f3k';
const PASSWORD = 'pw-Zq9xv2';
const TOKEN = 'Bearer tok-8c1d5e90';

function redirectTo(origin: string, location: string): string {
  return `${origin}/redirect-to?${new URLSearchParams({ location })}`;
}

/** Everything a report could print about a result. */
function printable(result: CheckResult): string {
  return JSON.stringify(result);
}

describe('credentials', () => {
  const server = useFixtureServer({ record: true });

  it('sends URL userinfo as Basic auth and never reports it', async () => {
    const line = `http://${USER}:${PASSWORD}@127.0.0.1:${server().port}/auth`;
    const result = await checkOne(line);
    expect(result).toMatchObject({ ok: true, status: 200 });
    const expected = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    expect(server().requests.map((r) => r.headers.authorization)).toEqual([expected]);
    for (const field of [result.url, result.finalUrl ?? '']) {
      expect(field).not.toContain(USER);
      expect(field).not.toContain(PASSWORD);
      expect(field).toContain(`127.0.0.1:${server().port}/auth`);
    }
    expect(printable(result)).not.toContain(PASSWORD);
    expect(printable(result)).not.toContain(USER);
  });

  it('decodes percent-encoded userinfo before encoding it for Basic auth', async () => {
    const result = await checkOne(`http://a%40b:p%3Ass@127.0.0.1:${server().port}/auth`);
    expect(result.ok).toBe(true);
    expect(server().requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from('a@b:p:ss').toString('base64')}`);
  });

  it('sends userinfo with a malformed percent sequence as written: a result, never a crash of the run', async () => {
    // new URL() keeps "%zz" as it is; decoding it would throw a URIError in the middle of a run.
    const results = await collect(checkAll(targetsFrom([`http://a%zz:p%E0%A4%A@127.0.0.1:${server().port}/auth`, server().url('/ok')]), testOptions({ retries: 0 })));
    expect(results).toHaveLength(2);
    const auth = server().requests.find((r) => r.headers.authorization !== undefined);
    expect(auth?.headers.authorization).toBe(`Basic ${Buffer.from('a%zz:p%E0%A4%A').toString('base64')}`);
    for (const result of results) expect(printable(result)).not.toContain('p%E0');
  });

  it('without credentials, /auth is 401', async () => {
    const result = await checkOne(server().url('/auth'));
    expect(result).toMatchObject({ ok: false, status: 401 });
    expect(server().requests.every((r) => r.headers.authorization === undefined)).toBe(true);
  });

  it('keeps URL credentials on a same-origin redirect', async () => {
    const line = redirectTo(`http://${USER}:${PASSWORD}@127.0.0.1:${server().port}`, '/auth');
    const result = await checkOne(line);
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(server().requests.map((r) => r.headers.authorization !== undefined)).toEqual([true, true]);
    expect(printable(result)).not.toContain(PASSWORD);
  });

  it('drops URL credentials on a redirect to another origin (another host name, same server)', async () => {
    const elsewhere = `http://x.test:${server().port}/auth`;
    const line = redirectTo(`http://${USER}:${PASSWORD}@127.0.0.1:${server().port}`, elsewhere);
    const result = await checkOne(line, { method: 'get' });
    expect(result).toMatchObject({ ok: false, status: 401, finalUrl: elsewhere });
    expect(server().requests.map((r) => [r.headers.host, r.headers.authorization !== undefined])).toEqual([
      [`127.0.0.1:${server().port}`, true],
      [`x.test:${server().port}`, false],
    ]);
  });

  it('sends an authorization header to the same origin, also after a same-origin redirect', async () => {
    const result = await checkOne(redirectTo(server().origin, '/auth'), {
      headers: [{ name: 'authorization', value: TOKEN }],
    });
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(server().requests.map((r) => r.headers.authorization)).toEqual([TOKEN, TOKEN]);
  });

  it('sends no -H header that may hold a secret after a redirect to another host name', async () => {
    const result = await checkOne(redirectTo(server().origin, `http://x.test:${server().port}/auth`), {
      headers: [
        { name: 'authorization', value: TOKEN },
        { name: 'cookie', value: 'session=cookie-4a4a4a' },
        { name: 'x-api-key', value: 'key-4b4b4b' },
        { name: 'accept-language', value: 'fr' },
      ],
      userAgent: 'ua-kept',
    });
    expect(result).toMatchObject({ ok: false, status: 401 });
    const [first, second] = server().requests;
    expect(first?.headers).toMatchObject({ authorization: TOKEN, cookie: 'session=cookie-4a4a4a', 'x-api-key': 'key-4b4b4b' });
    expect(second?.headers.host).toBe(`x.test:${server().port}`);
    expect(second?.headers.authorization).toBeUndefined();
    expect(second?.headers.cookie).toBeUndefined();
    expect(second?.headers['x-api-key']).toBeUndefined();
    expect(second?.headers).toMatchObject({ 'accept-language': 'fr', 'user-agent': 'ua-kept' });
  });

  it('does not send an authorization header to another server (another port), nor back to the first one', async () => {
    const other = await startFixtureServer({ record: true });
    try {
      // first server → other server → back to the first: once dropped, credentials stay dropped.
      const back = server().url('/auth');
      const viaOther = redirectTo(other.origin, back);
      const result = await checkOne(redirectTo(server().origin, viaOther), {
        headers: [{ name: 'authorization', value: TOKEN }],
        method: 'get',
      });
      expect(result).toMatchObject({ ok: false, status: 401, finalUrl: back });
      expect(result.redirects).toHaveLength(2);
      expect(server().requests.map((r) => r.headers.authorization)).toEqual([TOKEN, undefined]);
      expect(other.requests.map((r) => r.headers.authorization)).toEqual([undefined]);
    } finally {
      await other.close();
    }
  });

  it('an explicit authorization header wins over URL userinfo', async () => {
    await checkOne(`http://${USER}:${PASSWORD}@127.0.0.1:${server().port}/auth`, {
      headers: [{ name: 'authorization', value: TOKEN }],
    });
    expect(server().requests.map((r) => r.headers.authorization)).toEqual([TOKEN]);
  });

  it('redacts credentials in redirect locations', async () => {
    const withUserinfo = `http://${USER}:${PASSWORD}@x.test:${server().port}/ok`;
    const result = await checkOne(redirectTo(server().origin, withUserinfo));
    expect(result.ok).toBe(true);
    // (The input URL itself carries the Location in its query string; what the redirect adds must not.)
    for (const field of [result.redirects[0]?.location ?? '', result.finalUrl ?? '']) {
      expect(field).toBe(`http://***@x.test:${server().port}/ok`);
    }
  });

  it('error messages never contain header values or URL passwords', async () => {
    const secretHeaders = {
      headers: [
        { name: 'authorization', value: TOKEN },
        { name: 'x-api-key', value: 'key-31415926' },
      ],
      retries: 0,
      timeoutMs: 500,
    };
    const origin = server().origin;
    const lines = [
      // Malformed Locations that echo the secrets back.
      redirectTo(origin, `http://[${TOKEN}`),
      redirectTo(origin, `http://[bad]/key-31415926`),
      redirectTo(origin, `http://${USER}:${PASSWORD}@[bad`),
      redirectTo(origin, `ftp://${USER}:${PASSWORD}@x.test/key-31415926`),
      // Failures with credentials in the URL itself.
      `http://${USER}:${PASSWORD}@nope.invalid/`,
      `http://${USER}:${PASSWORD}@127.0.0.1:${server().port}/reset`,
      `http://${USER}:${PASSWORD}@127.0.0.1:${server().port}/hang`,
      `http://${USER}:${PASSWORD}@127.0.0.1:${server().port}/status/500`,
      `ftp://${USER}:${PASSWORD}@x.test/`,
      `http://${USER}:${PASSWORD}@[bad/`,
    ];
    const results = await collect(checkAll(targetsFrom(lines), testOptions(secretHeaders)));
    expect(results).toHaveLength(lines.length);
    for (const result of results) {
      expect(result.ok).toBe(false);
      const message = result.error?.message ?? '';
      for (const secret of ['tok-8c1d5e90', 'key-31415926', PASSWORD]) expect(message).not.toContain(secret);
      for (const hop of result.redirects) expect(hop.location).not.toContain(PASSWORD);
    }
    // The messages still say what went wrong, with the secret blanked out.
    expect(results.find((r) => r.line === 1)?.error?.message).toBe('redirect (302) to an invalid URL: "http://[***"');
    // Lines 5-10 carry the password only in their userinfo: nothing shows it.
    for (const result of results.filter((r) => r.line >= 5)) expect(printable(result)).not.toContain(PASSWORD);
    const codes = new Map(results.map((r) => [r.line, r.error?.code]));
    expect([codes.get(1), codes.get(2), codes.get(3), codes.get(4)]).toEqual([
      'INVALID_URL',
      'INVALID_URL',
      'INVALID_URL',
      'UNSUPPORTED_PROTOCOL',
    ]);
    expect([codes.get(5), codes.get(6), codes.get(7), codes.get(8), codes.get(9), codes.get(10)]).toEqual([
      'DNS',
      'CONNECTION_RESET',
      'TIMEOUT',
      'HTTP_STATUS',
      'UNSUPPORTED_PROTOCOL',
      'INVALID_URL',
    ]);
  });
});
