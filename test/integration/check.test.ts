import { describe, expect, it } from 'vitest';
import { checkAll } from '../../src/pipeline/pool.js';
import { parseStatusRanges } from '../../src/model/status-ranges.js';
import { checkOne } from '../helpers/checks.js';
import { collect, targetsFrom, testOptions, useFixtureServer } from '../helpers/fixtures.js';

describe('one URL against a real local server', () => {
  const server = useFixtureServer({ record: true });

  it('reports a healthy URL with HEAD, one attempt, no redirects', async () => {
    const url = server().url('/ok');
    const result = await checkOne(url);
    expect(result).toMatchObject({
      url,
      ok: true,
      status: 200,
      error: null,
      attempts: 1,
      redirects: [],
      finalUrl: url,
      method: 'HEAD',
      source: 'test.txt',
      line: 1,
    });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(server().requests.map((r) => `${r.method} ${r.path}`)).toEqual(['HEAD /ok']);
  });

  it('sends the user agent and accept headers', async () => {
    await checkOne(server().url('/ok'), { userAgent: 'urlcheck-test/1' });
    const [request] = server().requests;
    expect(request?.headers['user-agent']).toBe('urlcheck-test/1');
    expect(request?.headers.accept).toBe('*/*');
  });

  it('lets -H headers replace the user agent and accept headers', async () => {
    await checkOne(server().url('/ok'), {
      headers: [
        { name: 'user-agent', value: 'custom-agent' },
        { name: 'accept', value: 'text/html' },
        { name: 'x-extra', value: 'yes' },
      ],
    });
    const [request] = server().requests;
    expect(request?.headers['user-agent']).toBe('custom-agent');
    expect(request?.headers.accept).toBe('text/html');
    expect(request?.headers['x-extra']).toBe('yes');
  });

  it('reports a status outside --accept as HTTP_STATUS, naming the accepted ranges', async () => {
    const result = await checkOne(server().url('/status/404'), { retries: 2 });
    expect(result).toMatchObject({ ok: false, status: 404, attempts: 1, method: 'GET' });
    expect(result.error).toEqual({ code: 'HTTP_STATUS', message: 'status 404 is not in --accept 200-299' });
  });

  it('accepts a status that --accept lists', async () => {
    const result = await checkOne(server().url('/status/404'), { accept: parseStatusRanges('200-299,404') });
    expect(result).toMatchObject({ ok: true, status: 404, error: null, method: 'HEAD' });
    expect(server().requests.map((r) => r.method)).toEqual(['HEAD']);
  });

  it('does not retry a 5xx that is not retryable', async () => {
    const result = await checkOne(server().url('/status/501'), { retries: 2 });
    expect(result).toMatchObject({ ok: false, status: 501, attempts: 1 });
    expect(result.error?.code).toBe('HTTP_STATUS');
  });

  it('treats a 3xx without Location as a final status', async () => {
    const result = await checkOne(server().url('/status/302'));
    expect(result).toMatchObject({ ok: false, status: 302, redirects: [] });
    expect(result.error?.code).toBe('HTTP_STATUS');
  });

  it('uses GET from the start with method "get" (no HEAD first)', async () => {
    const result = await checkOne(server().url('/ok'), { method: 'get' });
    expect(result).toMatchObject({ ok: true, status: 200, method: 'GET' });
    expect(server().requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /ok']);
  });

  it('with method "get", a server that rejects HEAD is asked only with GET', async () => {
    const result = await checkOne(server().url('/head-status/405'), { method: 'get' });
    expect(result).toMatchObject({ ok: true, status: 200, method: 'GET' });
    expect(server().requests.map((r) => r.method)).toEqual(['GET']);
  });

  it('cancels a huge body on GET instead of downloading it', async () => {
    const result = await checkOne(server().url('/big'), { method: 'get' });
    expect(result).toMatchObject({ ok: true, status: 200, method: 'GET' });
  });

  describe('HEAD → GET fallback', () => {
    it.each([405, 501, 404, 400, 403, 500])('HEAD %i, GET 200 → ok by GET', async (code) => {
      const result = await checkOne(server().url(`/head-status/${code}`));
      expect(result).toMatchObject({ ok: true, status: 200, method: 'GET', attempts: 1, error: null });
      expect(server().requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        `HEAD /head-status/${code}`,
        `GET /head-status/${code}`,
      ]);
    });

    it('does not fall back on 429 (rate limiting is for retries)', async () => {
      const result = await checkOne(server().url('/head-status/429'), { retries: 0 });
      expect(result).toMatchObject({ ok: false, status: 429, method: 'HEAD' });
      expect(server().requests.map((r) => r.method)).toEqual(['HEAD']);
    });

    it('does not fall back when --accept already takes the HEAD status', async () => {
      const result = await checkOne(server().url('/head-status/405'), { accept: parseStatusRanges('200-299,405') });
      expect(result).toMatchObject({ ok: true, status: 405, method: 'HEAD' });
      expect(server().requests.map((r) => r.method)).toEqual(['HEAD']);
    });

    it('reports the GET status when GET fails too', async () => {
      const result = await checkOne(server().url('/status/404'));
      expect(result).toMatchObject({ ok: false, status: 404, method: 'GET' });
      expect(server().requests.map((r) => r.method)).toEqual(['HEAD', 'GET']);
    });
  });

  it('checks several URLs, one result per line, with source and line', async () => {
    const lines = [server().url('/ok'), '# a comment', '', server().url('/status/404'), server().url('/redirect/1')];
    const results = await collect(checkAll(targetsFrom(lines, 'list.txt'), testOptions()));
    const byLine = new Map(results.map((r) => [r.line, r]));
    expect([...byLine.keys()].sort()).toEqual([1, 4, 5]);
    expect(byLine.get(1)).toMatchObject({ ok: true, source: 'list.txt' });
    expect(byLine.get(4)).toMatchObject({ ok: false, status: 404, source: 'list.txt' });
    expect(byLine.get(5)).toMatchObject({ ok: true, status: 200, source: 'list.txt' });
  });
});
