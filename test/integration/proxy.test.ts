import type { LookupFunction } from 'node:net';
import { describe, expect, it } from 'vitest';
import { describeProxy, proxyFor, resolveProxySettings, type ProxySettings } from '../../src/net/proxy.js';
import { UsageError } from '../../src/model/errors.js';
import { checkAll } from '../../src/pipeline/pool.js';
import type { CheckResult } from '../../src/model/types.js';
import { runCli } from '../helpers/cli.js';
import { CA_SIGNED, closedPort, collect, SELF_SIGNED, TEST_CA_FILE, targetsFrom, testOptions, useFixtureServer } from '../helpers/fixtures.js';
import { useProxy } from '../helpers/proxy.js';
import { useTempDir } from '../helpers/temp-dir.js';

const CREDENTIALS = { username: 'scott', password: 'tiger-s3cret' };
const WRONG = { username: 'scott', password: 'wrong-pa55' };

/** Settings for one proxy used for both schemes, as `--proxy` gives. */
function via(proxyUrl: string, noProxy: string | null = null): ProxySettings {
  const settings = resolveProxySettings(proxyUrl, noProxy === null ? {} : { NO_PROXY: noProxy });
  if (settings === null) throw new Error('no proxy');
  return settings;
}

/** A lookup that resolves nothing: proves a name was resolved by the proxy, not by urlcheck. */
const noLookup: LookupFunction = (hostname, _options, callback) => {
  callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname }), '', 0);
};

async function check(urls: string[], proxy: ProxySettings, overrides: Parameters<typeof testOptions>[0] = {}): Promise<CheckResult[]> {
  const results = await collect(checkAll(targetsFrom(urls), testOptions({ proxy, retries: 0, ...overrides })));
  return results.sort((a, b) => a.line - b.line);
}

describe('resolveProxySettings', () => {
  it('is null when no proxy is set', () => {
    expect(resolveProxySettings(null, {})).toBeNull();
    expect(resolveProxySettings(null, { NO_PROXY: 'example.com' })).toBeNull();
  });

  it('reads one variable per scheme, the lower-case name first, an empty value as unset', () => {
    expect(resolveProxySettings(null, { http_proxy: 'http://lower:1', HTTP_PROXY: 'http://upper:2' })).toEqual({
      httpProxy: 'http://lower:1/',
      httpsProxy: null,
      noProxy: null,
    });
    expect(resolveProxySettings(null, { https_proxy: '', HTTPS_PROXY: 'http://upper:2', no_proxy: 'a.test' })).toEqual({
      httpProxy: null,
      httpsProxy: 'http://upper:2/',
      noProxy: 'a.test',
    });
  });

  it('takes --proxy for both schemes over the environment, keeping NO_PROXY', () => {
    const env = { HTTP_PROXY: 'http://env:1', HTTPS_PROXY: 'not a url', NO_PROXY: 'intranet.test' };
    expect(resolveProxySettings('http://flag:3128', env)).toEqual({
      httpProxy: 'http://flag:3128/',
      httpsProxy: 'http://flag:3128/',
      noProxy: 'intranet.test',
    });
  });

  it('turns proxies off for NO_PROXY=* and for an empty --proxy', () => {
    expect(resolveProxySettings(null, { HTTP_PROXY: 'http://p:1', NO_PROXY: '*' })).toBeNull();
    expect(resolveProxySettings('', { HTTP_PROXY: 'http://p:1' })).toBeNull();
  });

  it('takes a proxy without a scheme as http://, keeping its credentials', () => {
    expect(resolveProxySettings('user:pa%40ss@proxy.corp:3128', {})?.httpProxy).toBe('http://user:pa%40ss@proxy.corp:3128/');
  });

  it('refuses an invalid or non-http proxy, naming the source and never the credentials', () => {
    const attempts: Array<[string | null, Record<string, string>, RegExp]> = [
      ['http://user:hunter22@[bad', {}, /^--proxy: not a valid proxy URL$/],
      [null, { HTTPS_PROXY: 'socks5://user:hunter22@proxy:1080' }, /^HTTPS_PROXY: unsupported proxy protocol "socks5:"/],
      [null, { http_proxy: 'http://' }, /^http_proxy: not a valid proxy URL \(got "http:\/\/"\)$/],
    ];
    for (const [flag, env, message] of attempts) {
      let thrown: unknown;
      try {
        resolveProxySettings(flag, env);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(UsageError);
      expect((thrown as Error).message).toMatch(message);
      expect((thrown as Error).message).not.toContain('hunter22');
    }
  });
});

describe('describeProxy', () => {
  it('shows scheme, host and port, never credentials', () => {
    expect(describeProxy(via('http://scott:tiger@proxy.corp:3128'))).toBe('http://***@proxy.corp:3128');
    expect(describeProxy(via('http://proxy.corp:3128', 'localhost,.internal'))).toBe('http://proxy.corp:3128 (not for localhost,.internal)');
    expect(describeProxy({ httpProxy: 'http://a:1/', httpsProxy: null, noProxy: null })).toBe('http://a:1 for http: only');
    expect(describeProxy({ httpProxy: 'http://a:1/', httpsProxy: 'https://t@b:2/', noProxy: null })).toBe(
      'http://a:1 for http:, https://***@b:2 for https:',
    );
  });
});

describe('proxyFor: NO_PROXY', () => {
  const settings = via(
    'http://p:3128',
    'localhost, .internal.test,*.wild.test example.test:8080 10.0.0.0/8 192.168.1.7 [::1] fd00::/8 BÜCHER.test, bad[entry',
  );
  const cases: Array<[string, boolean]> = [
    ['http://localhost/', false],
    ['http://localhost./', false],
    ['http://internal.test/', false],
    ['https://deep.api.internal.test/', false],
    ['http://notinternal.test/', true],
    ['http://wild.test/', false],
    ['http://a.wild.test/', false],
    ['http://example.test:8080/', false],
    ['http://example.test/', true],
    ['http://10.1.2.3/', false],
    ['http://11.1.2.3/', true],
    ['http://192.168.1.7/', false],
    ['http://192.168.1.8/', true],
    ['http://[::1]:8080/', false],
    ['http://[fd12::1]/', false],
    ['http://[fe80::1]/', true],
    ['http://bücher.test/', false],
    ['http://other.test/', true],
  ];
  for (const [url, proxied] of cases) {
    it(`${url} ${proxied ? 'goes through the proxy' : 'goes direct'}`, () => {
      expect(proxyFor(settings, new URL(url))).toBe(proxied ? 'http://p:3128/' : null);
    });
  }

  it('only proxies the schemes that have a proxy', () => {
    const httpOnly: ProxySettings = { httpProxy: 'http://p:1/', httpsProxy: null, noProxy: null };
    expect(proxyFor(httpOnly, new URL('http://a.test/'))).toBe('http://p:1/');
    expect(proxyFor(httpOnly, new URL('https://a.test/'))).toBeNull();
  });
});

describe('checking through a proxy (library)', () => {
  const site = useFixtureServer({ record: true });
  const secure = useFixtureServer({ tls: SELF_SIGNED, record: true });
  const proxy = useProxy();
  const authProxy = useProxy({ auth: CREDENTIALS });

  it('sends http: URLs to the proxy as absolute-form requests, over shared kept-alive connections', async () => {
    const port = site().port;
    const paths = ['/ok', '/ok?2', '/ok?3'];
    const urls = [...paths.map((path) => `http://a.test:${port}${path}`), `http://b.test:${port}/ok`, `http://b.test:${port}/redirect/2`];
    // urlcheck resolves nothing itself: the proxy does.
    const results = await check(urls, via(proxy().origin), { concurrency: 1, lookup: noLookup });
    expect(results.map((r) => [r.ok, r.status, r.method])).toEqual(Array(5).fill([true, 200, 'HEAD']));
    expect(proxy().requests).toEqual(
      new Map([
        [`http://a.test:${port}`, 3],
        [`http://b.test:${port}`, 4],
      ]),
    );
    // Seven requests to two hosts; at concurrency 1 undici opens a second connection when the next
    // request comes in the very tick the first one frees up (it does so without a proxy too).
    expect(proxy().connections()).toBeLessThanOrEqual(2);
    expect(proxy().connects.size).toBe(0);
    expect(site().requests.map((r) => [r.method, r.path, r.headers.host])).toContainEqual(['HEAD', '/ok?2', `a.test:${port}`]);
  });

  it('tunnels https: URLs with CONNECT, TLS end to end, reusing the tunnels', async () => {
    const port = secure().port;
    const paths = ['/ok', '/status/204', '/head-status/405', '/ok?4', '/ok?5'];
    const results = await check(
      paths.map((path) => `https://127.0.0.1:${port}${path}`),
      via(proxy().origin),
      { concurrency: 1, insecure: true },
    );
    expect(results.map((r) => [r.ok, r.status, r.method])).toEqual([
      [true, 200, 'HEAD'],
      [true, 204, 'HEAD'],
      [true, 200, 'GET'],
      [true, 200, 'HEAD'],
      [true, 200, 'HEAD'],
    ]);
    expect([...proxy().connects.keys()]).toEqual([`127.0.0.1:${port}`]);
    expect(proxy().connects.get(`127.0.0.1:${port}`)).toBeLessThanOrEqual(2);
    // The proxy saw tunnels, never a request: the requests went inside TLS.
    expect(proxy().requests.size).toBe(0);
    expect(secure().requests.map((r) => r.method)).toEqual(['HEAD', 'HEAD', 'HEAD', 'GET', 'HEAD', 'HEAD']);
  });

  it("verifies the target's certificate through the tunnel", async () => {
    const port = secure().port;
    const [result] = await check([`https://site.test:${port}/ok`], via(proxy().origin), { lookup: noLookup });
    expect(result?.error?.code).toBe('TLS');
    expect(proxy().connects).toEqual(new Map([[`site.test:${port}`, 1]]));
  });

  it('connects directly to hosts NO_PROXY names', async () => {
    const port = site().port;
    const results = await check([`http://direct.test:${port}/ok`, `http://proxied.test:${port}/ok`], via(proxy().origin, 'direct.test'));
    expect(results.every((r) => r.ok)).toBe(true);
    expect([...proxy().requests.keys()]).toEqual([`http://proxied.test:${port}`]);
    expect(site().stats.total).toBe(2);
  });

  it('authenticates with the credentials in the proxy URL, and never passes them on', async () => {
    const urls = [`http://127.0.0.1:${site().port}/ok`, `https://127.0.0.1:${secure().port}/ok`];
    const results = await check(urls, via(authProxy().url(CREDENTIALS)), { insecure: true });
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    expect(authProxy().authFailures()).toBe(0);
    const expected = `Basic ${Buffer.from('scott:tiger-s3cret').toString('base64')}`;
    expect(authProxy().seenHeaders.map((h) => h['proxy-authorization'])).toEqual([expected, expected]);
    for (const request of [...site().requests, ...secure().requests]) expect(request.headers['proxy-authorization']).toBeUndefined();
    expect(JSON.stringify(results)).not.toContain('tiger-s3cret');
  });

  it('reports a 407 as PROXY_AUTH, for missing and for wrong credentials', async () => {
    const urls = [`http://127.0.0.1:${site().port}/ok`, `https://127.0.0.1:${secure().port}/ok`];
    const wrong = await check(urls, via(authProxy().url(WRONG)), { insecure: true });
    const missing = await check(urls, via(authProxy().origin), { insecure: true });
    for (const result of [...wrong, ...missing]) {
      expect(result.ok).toBe(false);
      expect(result.status).toBeNull();
      expect(result.error?.code).toBe('PROXY_AUTH');
      expect(result.error?.message).toContain(`proxy ${authProxy().origin} requires authentication (407)`);
    }
    expect(wrong[0]?.error?.message).toContain('rejected the credentials');
    expect(missing[0]?.error?.message).toContain('put them in the proxy URL, as user:password@ before its host');
    expect(JSON.stringify(wrong)).not.toContain('wrong-pa55');
    expect(site().stats.total + secure().stats.total).toBe(0);
  });

  it('reports a proxy that refuses connections as PROXY, naming the proxy but not its credentials', async () => {
    const dead = `http://${WRONG.username}:${WRONG.password}@127.0.0.1:${await closedPort()}`;
    const urls = [`http://127.0.0.1:${site().port}/ok`, `https://127.0.0.1:${secure().port}/ok`];
    const results = await check(urls, via(dead), { insecure: true });
    for (const result of results) {
      expect(result.ok).toBe(false);
      expect(result.error?.code).toBe('PROXY');
      expect(result.error?.message).toMatch(/^proxy http:\/\/127\.0\.0\.1:\d+ unreachable: connection refused \(ECONNREFUSED\)$/);
    }
    expect(JSON.stringify(results)).not.toContain('wrong-pa55');
  });

  it('reports a tunnel the proxy will not open as PROXY, and its 502 for an http: URL as the status', async () => {
    const nowhere = await closedPort();
    const results = await check([`https://127.0.0.1:${nowhere}/`, `http://127.0.0.1:${nowhere}/`], via(proxy().origin));
    expect(results[0]?.error).toEqual({
      code: 'PROXY',
      message: `proxy ${proxy().origin} did not open a tunnel to 127.0.0.1:${nowhere}: it answered 502`,
    });
    // For http: the proxy answers in the target's place: its 502 is the status, retried like any 502.
    expect(results[1]?.status).toBe(502);
    expect(results[1]?.error?.code).toBe('HTTP_STATUS');
  });
});

// ---------------------------------------------------------------------------------------------
// End to end: the built CLI with HTTP(S)_PROXY in its environment and with --proxy. Needs
// `npm run build` (npm test runs it).
// ---------------------------------------------------------------------------------------------
describe('e2e: the CLI through a proxy', () => {
  const site = useFixtureServer();
  const secure = useFixtureServer({ tls: CA_SIGNED.valid });
  const proxy = useProxy();
  const authProxy = useProxy({ auth: CREDENTIALS });
  const temp = useTempDir('urlcheck-proxy-');
  // Whatever the machine's shell has set must not steer these runs.
  const CLEAN = { http_proxy: undefined, HTTP_PROXY: undefined, https_proxy: undefined, HTTPS_PROXY: undefined, no_proxy: undefined, NO_PROXY: undefined };

  it('honours HTTP_PROXY and HTTPS_PROXY', async () => {
    const list = await temp.listFile('env.txt', [`http://127.0.0.1:${site().port}/ok`, `https://localhost:${secure().port}/ok`]);
    const run = await runCli([list, '-f', 'json'], {
      env: { ...CLEAN, HTTP_PROXY: proxy().origin, HTTPS_PROXY: proxy().origin, NODE_EXTRA_CA_CERTS: TEST_CA_FILE },
    });
    expect(run.stderr).not.toContain('Error');
    expect(run.code).toBe(0);
    expect(proxy().requests.get(`http://127.0.0.1:${site().port}`)).toBe(1);
    expect(proxy().connects.get(`localhost:${secure().port}`)).toBe(1);
  });

  it('lets --proxy override the environment, and NO_PROXY still apply', async () => {
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const list = await temp.listFile('flag.txt', [`http://127.0.0.1:${site().port}/ok`, `http://localhost:${site().port}/ok`]);
    const run = await runCli([list, '--proxy', proxy().origin], { env: { ...CLEAN, HTTP_PROXY: dead, NO_PROXY: 'localhost' } });
    expect(run.code).toBe(0);
    expect([...proxy().requests.keys()]).toEqual([`http://127.0.0.1:${site().port}`]);
  });

  it('reports proxy failures per URL and never prints proxy credentials', async () => {
    const list = await temp.listFile('auth.txt', [`http://127.0.0.1:${site().port}/ok`]);
    const run = await runCli([list, '-f', 'json', '--proxy', authProxy().url(WRONG)], { env: CLEAN });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { results: CheckResult[] };
    expect(report.results[0]?.error?.code).toBe('PROXY_AUTH');
    expect(run.stdout + run.stderr).not.toContain(WRONG.password);
  });

  it('refuses an invalid proxy variable with exit 2, without echoing its credentials', async () => {
    const list = await temp.listFile('bad.txt', [`http://127.0.0.1:${site().port}/ok`]);
    const run = await runCli([list], { env: { ...CLEAN, HTTPS_PROXY: 'socks5://u:hunter22@127.0.0.1:1080' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('HTTPS_PROXY');
    expect(run.stderr).not.toContain('hunter22');
  });

  it('refuses --public-only behind a proxy: the proxy resolves the addresses', async () => {
    const list = await temp.listFile('public.txt', [`http://127.0.0.1:${site().port}/ok`]);
    const run = await runCli([list, '--public-only'], { env: { ...CLEAN, HTTP_PROXY: proxy().origin } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--public-only');
    expect(proxy().requests.size).toBe(0);
  });
});
