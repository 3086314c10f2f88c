import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAll } from '../../src/pipeline/pool.js';
import { parseStatusRanges } from '../../src/model/status-ranges.js';
import type { CheckResult, Expectations, Target } from '../../src/model/types.js';
import { checkOne } from '../helpers/checks.js';
import { CA_SIGNED, collect, targetsFrom, testOptions } from '../helpers/fixtures.js';
import { startHttpServer, type LocalServer } from '../helpers/servers.js';

// One server answers every case by path, so each test reads as "this answer → this verdict".
let http: LocalServer;
let https: HttpsServer;
let httpsOrigin = '';

function respond(path: string, res: import('node:http').ServerResponse): void {
  const [, kind, arg] = path.split('/');
  switch (kind) {
    case 'ok':
      res.end('ok');
      return;
    case 'status':
      res.statusCode = Number(arg);
      res.end();
      return;
    case 'moved':
      res.writeHead(Number(arg), { location: '/ok' }).end();
      return;
    case 'to-https':
      res.writeHead(301, { location: `${httpsOrigin.replace('127.0.0.1', 'site.test')}/ok` }).end();
      return;
    case 'cloudflare':
      res.writeHead(403, { 'content-type': 'text/html', 'cf-mitigated': 'challenge' }).end('<html>Just a moment...</html>');
      return;
    case 'challenge-page':
      res.writeHead(403, { 'content-type': 'text/html; charset=utf-8' }).end('<html><head><title>Just a moment...</title></head><script src="/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1"></script></html>');
      return;
    case 'forbidden':
      res.writeHead(403, { 'content-type': 'text/html' }).end('<html>Forbidden</html>');
      return;
    case 'json':
      res.writeHead(200, { 'content-type': 'application/json', 'x-version': '2.1' }).end(JSON.stringify({ status: 'up', data: { items: [{ id: 7 }] } }));
      return;
    case 'slow':
      setTimeout(() => res.end('late'), Number(arg));
      return;
    default:
      res.statusCode = 404;
      res.end();
  }
}

beforeAll(async () => {
  http = await startHttpServer((req, res) => respond(req.url ?? '/', res));
  https = createHttpsServer({ ...CA_SIGNED.valid }, (req, res) => respond(req.url ?? '/', res));
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
  httpsOrigin = `https://127.0.0.1:${(https.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await http.close();
  https.closeAllConnections();
  await new Promise((resolve) => https.close(resolve));
});

const url = (path: string) => http.url(path).replace('127.0.0.1', 'site.test');

describe('verdicts', () => {
  it.each([
    ['/ok', 'healthy'],
    ['/status/404', 'broken'],
    ['/status/410', 'broken'],
    ['/status/401', 'broken'],
    ['/status/500', 'transient'],
    ['/status/501', 'broken'],
    ['/status/999', 'blocked'],
    ['/status/429', 'transient'],
    ['/forbidden', 'broken'],
    ['/cloudflare', 'blocked'],
    ['/challenge-page', 'blocked'],
  ])('%s is %s', async (path, verdict) => {
    const result = await checkOne(url(path), { retries: 0 });
    expect(result.verdict).toBe(verdict);
  });

  it('a blocked result names the bot protection it met, not --accept', async () => {
    const result = await checkOne(url('/cloudflare'), { retries: 0 });
    expect(result.error?.message).toBe('Cloudflare bot protection answered instead of the page (status 403); check it in a browser');
    expect((await checkOne(url('/forbidden'), { retries: 0 })).error?.message).toBe('status 403 is not in --accept 200-299');
  });

  it('a refused connection is transient and a DNS failure is broken', async () => {
    const [refused, unknown] = await collect(
      checkAll(targetsFrom(['http://127.0.0.1:1/', 'http://no-such-host.invalid/']), testOptions({ retries: 0, concurrency: 1 })),
    );
    expect(refused?.verdict).toBe('transient');
    expect(unknown?.verdict).toBe('broken');
  });

  it('an invalid line is broken', async () => {
    expect((await checkOne('not a url')).verdict).toBe('broken');
  });
});

describe('warnings', () => {
  it('flags a permanent redirect with the URL to update the list to, and stays ok', async () => {
    const result = await checkOne(url('/moved/301'));
    expect(result.ok).toBe(true);
    expect(result.verdict).toBe('warning');
    expect(result.warnings).toEqual([{ code: 'PERMANENT_REDIRECT', message: `permanent redirect (301); update the list to ${url('/ok')}` }]);
  });

  it('does not flag a temporary redirect', async () => {
    const result = await checkOne(url('/moved/302'));
    expect(result.verdict).toBe('healthy');
    expect(result.warnings).toEqual([]);
  });

  it('flags an http: URL that upgrades to https: on the same host', async () => {
    const result = await checkOne(url('/to-https'), { insecure: true });
    expect(result.ok).toBe(true);
    expect(result.warnings.map((warning) => warning.code)).toEqual(['PERMANENT_REDIRECT', 'HTTPS_UPGRADE']);
  });

  it('flags a check slower than --slow', async () => {
    const result = await checkOne(url('/slow/120'), { slowMs: 50 });
    expect(result.verdict).toBe('warning');
    expect(result.warnings[0]?.code).toBe('SLOW');
    expect(result.warnings[0]?.message).toMatch(/^took \d+ ms, more than --slow 50 ms$/);
  });

  it('flags a certificate expiring within --cert-min-days', async () => {
    const soon = await checkOne(`${httpsOrigin}/ok`, { insecure: true, certMinDays: 100_000 });
    expect(soon.verdict).toBe('warning');
    expect(soon.warnings[0]?.code).toBe('CERT_EXPIRING');
    expect(soon.warnings[0]?.message).toMatch(/^certificate expires in \d+ days \(2125-01-01\), fewer than --cert-min-days 100000$/);
    const later = await checkOne(`${httpsOrigin}/ok`, { insecure: true });
    expect(later.verdict).toBe('healthy');
  });
});

describe('timings and TLS, from socket events', () => {
  it('a new http: connection has DNS (for a name), connect and first-byte phases, and no TLS', async () => {
    const result = await checkOne(url('/ok'));
    const timings = result.timings;
    expect(timings).not.toBeNull();
    expect(timings?.reusedConnection).toBe(false);
    expect(timings?.dnsMs).toBeGreaterThanOrEqual(0);
    expect(timings?.connectMs).toBeGreaterThanOrEqual(0);
    expect(timings?.tlsMs).toBeNull();
    expect(timings?.firstByteMs).toBeGreaterThanOrEqual(0);
    expect(timings?.totalMs).toBeGreaterThanOrEqual(timings?.firstByteMs ?? 0);
    expect(result.tls).toBeNull();
  });

  it('an IP address skips DNS', async () => {
    const result = await checkOne(http.url('/ok'));
    expect(result.timings?.dnsMs).toBeNull();
    expect(result.timings?.connectMs).not.toBeNull();
  });

  it('a reused keep-alive connection skips DNS, connect and TLS', async () => {
    const results = await collect(checkAll(targetsFrom([`${httpsOrigin}/ok`, `${httpsOrigin}/ok`, `${httpsOrigin}/ok`]), testOptions({ concurrency: 1, insecure: true })));
    const [first] = results as [CheckResult, ...CheckResult[]];
    expect(first.timings?.reusedConnection).toBe(false);
    expect(first.timings?.tlsMs).toBeGreaterThan(0);
    // undici may open a second connection while the first is being released; the third
    // request at the latest goes over a kept-alive one.
    const reused = results.filter((result) => result.timings?.reusedConnection === true);
    expect(reused.length).toBeGreaterThan(0);
    for (const later of reused) {
      expect(later.timings).toMatchObject({ dnsMs: null, connectMs: null, tlsMs: null });
      expect(later.timings?.firstByteMs).not.toBeNull();
      // The certificate belongs to the connection, so a reused one still tells it.
      expect(later.tls?.subject).toBe('valid');
    }
  });

  it('tells the TLS protocol, issuer, subject and expiry', async () => {
    const result = await checkOne(`${httpsOrigin}/ok`, { insecure: true });
    expect(result.tls).toMatchObject({ issuer: 'urlcheck test CA', subject: 'valid', validTo: '2125-01-01T00:00:00.000Z' });
    expect(result.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(result.tls?.daysLeft).toBeGreaterThan(30_000);
  });

  it('no answer means no timings', async () => {
    const result = await checkOne('http://127.0.0.1:1/', { retries: 0 });
    expect(result.timings).toBeNull();
  });
});

describe('expectations (targets from a config file)', () => {
  const withExpect = (path: string, expectations: Expectations): Target => {
    const [target] = targetsFrom([url(path)]);
    return { ...(target as Target), expect: expectations };
  };
  const check = async (target: Target, overrides = {}) => {
    const [result] = await collect(checkAll([target], testOptions({ retries: 0, ...overrides })));
    return result as CheckResult;
  };

  it('passes when the JSON, the headers and the body are as expected, reading the body with GET', async () => {
    const result = await check(
      withExpect('/json', {
        bodyContains: ['"up"'],
        json: [{ path: 'data.items[0].id', equals: 7 }],
        headers: [{ name: 'x-version', matches: /^2\./ }],
      }),
    );
    expect(result).toMatchObject({ ok: true, verdict: 'healthy', method: 'GET' });
  });

  it('fails with its own code and says what came back', async () => {
    const result = await check(withExpect('/json', { json: [{ path: 'status', equals: 'down' }] }));
    expect(result.ok).toBe(false);
    expect(result.verdict).toBe('broken');
    expect(result.error?.code).toBe('JSON_MISMATCH');
    expect(result.error?.message).toContain('"up"');
  });

  it('uses the target\'s own statuses instead of --accept', async () => {
    const result = await check(withExpect('/status/404', { status: parseStatusRanges('404') }));
    expect(result).toMatchObject({ ok: true, status: 404 });
    const wrong = await check(withExpect('/ok', { status: parseStatusRanges('404') }));
    expect(wrong.error).toEqual({ code: 'HTTP_STATUS', message: 'status 200 is not in the expected statuses 404' });
  });

  it('fails a check slower than maxResponseMs as transient', async () => {
    const result = await check(withExpect('/slow/120', { maxResponseMs: 30 }));
    expect(result.error?.code).toBe('TOO_SLOW');
    expect(result.verdict).toBe('transient');
  });

  it('reads at most the body limit of a huge body, then stops downloading', async () => {
    const { startFixtureServer } = await import('../../src/demo/fixture-server.js');
    const big = await startFixtureServer();
    try {
      const [target] = targetsFrom([big.url('/big')]);
      const result = await check({ ...(target as Target), expect: { bodyContains: ['never there'] } });
      // Guards the cap: the message only says "first 1 MiB" when the read stopped there.
      expect(result.error?.code).toBe('BODY_MISMATCH');
      expect(result.error?.message).toContain('in the first 1 MiB');
    } finally {
      await big.close();
    }
  });

  it('checks the final URL after redirects', async () => {
    const result = await check(withExpect('/moved/302', { finalUrl: url('/elsewhere') }));
    expect(result.error?.code).toBe('FINAL_URL_MISMATCH');
  });
});
