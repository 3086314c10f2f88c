import { describe, expect, it } from 'vitest';
import { parseStatusRanges } from '../../src/model/status-ranges.js';
import { checkOne } from '../helpers/checks.js';
import { useFixtureServer } from '../helpers/fixtures.js';

/** The fixture route that answers one redirect to any Location, valid or not. */
function redirectTo(origin: string, location: string, status = 302): string {
  return `${origin}/redirect-to?${new URLSearchParams({ location, status: String(status) })}`;
}

describe('redirects', () => {
  const server = useFixtureServer({ record: true });

  it('records the chain with statuses and absolute locations, and the final URL', async () => {
    const result = await checkOne(server().url('/redirect/3'));
    expect(result).toMatchObject({ ok: true, status: 200, attempts: 1, finalUrl: server().url('/redirect/0') });
    expect(result.redirects).toEqual([
      { status: 302, location: server().url('/redirect/2') },
      { status: 302, location: server().url('/redirect/1') },
      { status: 302, location: server().url('/redirect/0') },
    ]);
    expect(server().requests.map((r) => r.path)).toEqual(['/redirect/3', '/redirect/2', '/redirect/1', '/redirect/0']);
  });

  it.each([301, 303, 307, 308])('follows a %i', async (status) => {
    const result = await checkOne(redirectTo(server().origin, '/ok', status));
    expect(result).toMatchObject({ ok: true, status: 200, finalUrl: server().url('/ok') });
    expect(result.redirects).toEqual([{ status, location: server().url('/ok') }]);
  });

  it('resolves a relative Location against the URL that sent it', async () => {
    // "ok" relative to /redirect-to is /ok.
    const result = await checkOne(redirectTo(server().origin, 'ok'));
    expect(result).toMatchObject({ ok: true, finalUrl: server().url('/ok') });
    expect(result.redirects).toEqual([{ status: 302, location: server().url('/ok') }]);
  });

  it('resolves a protocol-relative Location (to another host name, through the local resolver)', async () => {
    const target = `http://x.test:${server().port}/ok`;
    const result = await checkOne(redirectTo(server().origin, `//x.test:${server().port}/ok`));
    expect(result).toMatchObject({ ok: true, status: 200, finalUrl: target });
    expect(result.redirects).toEqual([{ status: 302, location: target }]);
    expect(server().requests[1]?.headers.host).toBe(`x.test:${server().port}`);
  });

  it('keeps the query string of the Location', async () => {
    const result = await checkOne(redirectTo(server().origin, '/ok?a=1&b=two'));
    expect(result.finalUrl).toBe(server().url('/ok?a=1&b=two'));
    expect(server().requests[1]?.path).toBe('/ok?a=1&b=two');
  });

  it('ends a redirect loop with TOO_MANY_REDIRECTS without following it forever', async () => {
    const result = await checkOne(server().url('/loop'), { retries: 2 });
    expect(result).toMatchObject({ ok: false, status: 302, attempts: 1 });
    expect(result.error?.code).toBe('TOO_MANY_REDIRECTS');
    expect(result.error?.message).toContain('loop');
    expect(server().stats.byPath.get('/loop')).toBe(1);
  });

  it('ends a chain longer than maxRedirects with TOO_MANY_REDIRECTS', async () => {
    const result = await checkOne(server().url('/redirect/5'), { maxRedirects: 2 });
    expect(result).toMatchObject({ ok: false, status: 302, attempts: 1 });
    expect(result.error?.code).toBe('TOO_MANY_REDIRECTS');
    expect(result.error?.message).toContain('2');
    // Two redirects were followed: the third request's 302 is where it stopped.
    expect(server().requests.map((r) => r.path)).toEqual(['/redirect/5', '/redirect/4', '/redirect/3']);
    expect(result.finalUrl).toBe(server().url('/redirect/3'));
  });

  it('follows exactly maxRedirects redirects', async () => {
    const result = await checkOne(server().url('/redirect/2'), { maxRedirects: 2 });
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(result.redirects).toHaveLength(2);
  });

  it('with maxRedirects 0, the 3xx is the final status: unhealthy under the default accept', async () => {
    const result = await checkOne(server().url('/redirect/1'), { maxRedirects: 0 });
    expect(result).toMatchObject({ ok: false, status: 302, redirects: [], finalUrl: server().url('/redirect/1') });
    expect(result.error?.code).toBe('HTTP_STATUS');
    expect(server().requests.map((r) => r.path)).toEqual(['/redirect/1']);
  });

  it('with maxRedirects 0 and accept 200-399, the 3xx is healthy', async () => {
    const result = await checkOne(server().url('/redirect/1'), { maxRedirects: 0, accept: parseStatusRanges('200-399') });
    expect(result).toMatchObject({ ok: true, status: 302, error: null, redirects: [], method: 'HEAD' });
    expect(server().requests.map((r) => r.path)).toEqual(['/redirect/1']);
  });

  it('falls back from HEAD to GET at the end of a chain and reports GET', async () => {
    const result = await checkOne(redirectTo(server().origin, '/head-status/405'));
    expect(result).toMatchObject({ ok: true, status: 200, method: 'GET', finalUrl: server().url('/head-status/405') });
    expect(server().requests.map((r) => `${r.method} ${r.path.split('?')[0]}`)).toEqual([
      'HEAD /redirect-to',
      'HEAD /head-status/405',
      'GET /head-status/405',
    ]);
  });

  describe('a Location that must not be followed', () => {
    it.each(['http://[::1', 'http://exa mple.test/', 'http://127.0.0.1:99999/'])(
      'INVALID_URL for a malformed Location %s',
      async (location) => {
        const result = await checkOne(redirectTo(server().origin, location), { retries: 2 });
        expect(result).toMatchObject({ ok: false, status: 302, attempts: 1, redirects: [] });
        expect(result.error?.code).toBe('INVALID_URL');
        expect(result.finalUrl).toBe(redirectTo(server().origin, location));
        expect(server().stats.total).toBe(1);
      },
    );

    it.each([
      ['ftp:', (port: number) => `ftp://127.0.0.1:${port}/file`],
      ['javascript:', () => 'javascript:alert(document.cookie)'],
      ['data:', () => 'data:text/html,<script>alert(1)</script>'],
      ['file:', () => 'file:///etc/passwd'],
      ['mailto:', () => 'mailto:someone@x.test'],
    ])('UNSUPPORTED_PROTOCOL for %s, never followed', async (protocol, location) => {
      const result = await checkOne(redirectTo(server().origin, location(server().port)), { retries: 2 });
      expect(result).toMatchObject({ ok: false, status: 302, attempts: 1, redirects: [] });
      expect(result.error?.code).toBe('UNSUPPORTED_PROTOCOL');
      expect(result.error?.message).toContain(`"${protocol}"`);
      // The only request the server saw is the redirect itself.
      expect(server().stats.total).toBe(1);
      expect(server().requests.map((r) => r.path.split('?')[0])).toEqual(['/redirect-to']);
    });
  });
});
