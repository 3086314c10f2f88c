import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChecks } from '../../src/pipeline/run.js';
import type { CheckResult } from '../../src/model/types.js';
import { DEFAULT_BODY_LIMIT_BYTES } from '../../src/check/expect.js';
import { recordingReporter } from '../helpers/checks.js';
import { targetsFrom, testOptions } from '../helpers/fixtures.js';
import { startHttpServer, type LocalServer } from '../helpers/servers.js';

// --check-fragments against a real local server: a page is requested once (GET) however many
// fragments point into it, its ids and <a name>s are read from an HTML answer only, and a failing
// page reports its own error for each fragment.

const PAGE = `<!doctype html><html><body>
<h2 id="intro">Intro</h2>
<a name="legacy"></a>
<h2 id="user-content-readme-heading">GitHub-rendered heading</h2>
<h2 id="Mixed-Case">Case matters in HTML</h2>
</body></html>`;

let server: LocalServer;
const requests: { method: string; path: string }[] = [];

beforeAll(async () => {
  server = await startHttpServer((request: IncomingMessage, response: ServerResponse) => {
    const path = request.url ?? '/';
    requests.push({ method: request.method ?? '', path });
    if (path === '/page') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(PAGE);
    } else if (path === '/big') {
      response.writeHead(200, { 'content-type': 'text/html' });
      // The id comes after the body cap: it cannot be seen, and the message says so.
      response.end(`<p>${'x'.repeat(DEFAULT_BODY_LIMIT_BYTES)}</p><h2 id="late">Late</h2>`);
    } else if (path === '/file.pdf') {
      response.writeHead(200, { 'content-type': 'application/pdf' });
      response.end('%PDF-1.4');
    } else if (path === '/moved') {
      response.writeHead(302, { location: '/page' });
      response.end();
    } else {
      response.writeHead(404, { 'content-type': 'text/html' });
      response.end('<h2 id="intro">not found</h2>');
    }
  });
});
afterAll(() => server.close());

async function check(lines: string[], checkFragments = true): Promise<CheckResult[]> {
  requests.length = 0;
  const reporter = recordingReporter();
  await runChecks({ targets: targetsFrom(lines), options: testOptions({ concurrency: 8, checkFragments }), reporter, dedupe: true });
  return reporter.calls.flatMap((call) => (call.hook === 'onResult' ? [call.result] : [])).sort((a, b) => a.line - b.line);
}

describe('--check-fragments', () => {
  it('checks each fragment against the page, requesting the page once with GET', async () => {
    const results = await check([
      `${server.url('/')}page#intro`,
      `${server.url('/')}page#legacy`,
      `${server.url('/')}page#missing`,
      `${server.url('/')}page#readme-heading`,
      `${server.url('/')}page#mixed-case`,
      `${server.url('/')}page#top`,
      `${server.url('/')}page#L10`,
      `${server.url('/')}page#/spa/route`,
      `${server.url('/')}page`,
    ]);
    expect(results.map((r) => [r.line, r.error?.code ?? null, r.verdict])).toEqual([
      [1, null, 'healthy'],
      [2, null, 'healthy'],
      [3, 'FRAGMENT_NOT_FOUND', 'broken'],
      // GitHub's user-content- prefix, with or without it.
      [4, null, 'healthy'],
      // HTML ids are case-sensitive.
      [5, 'FRAGMENT_NOT_FOUND', 'broken'],
      // #top, line anchors and script routes cannot be told from the HTML: not checked.
      [6, null, 'healthy'],
      [7, null, 'healthy'],
      [8, null, 'healthy'],
      [9, null, 'healthy'],
    ]);
    expect(results[2]?.error?.message).toMatch(/#missing is not an id or <a name> of the page/);
    expect(results[2]?.status).toBe(200);
    const pageRequests = requests.filter((request) => request.path === '/page');
    // The fragments share one GET; lines without a checked fragment are checked as usual.
    expect(pageRequests.filter((request) => request.method === 'GET')).toHaveLength(1);
    // The other lines share one HEAD: #top, line anchors and routes are not fragments a check tells apart.
    expect(pageRequests.filter((request) => request.method === 'HEAD')).toHaveLength(1);
  });

  it('a page that fails reports its own error for each fragment; a redirect is followed to the page', async () => {
    const results = await check([`${server.url('/')}gone#intro`, `${server.url('/')}moved#intro`, `${server.url('/')}moved#nope`]);
    expect(results.map((r) => [r.line, r.error?.code ?? null, r.status])).toEqual([
      [1, 'HTTP_STATUS', 404],
      [2, null, 200],
      [3, 'FRAGMENT_NOT_FOUND', 200],
    ]);
  });

  it('only HTML is read for anchors: a PDF#page=2 passes; past the body cap the message says what was read', async () => {
    const results = await check([`${server.url('/')}file.pdf#page=2`, `${server.url('/')}big#late`]);
    expect(results[0]?.ok).toBe(true);
    expect(results[1]?.error?.code).toBe('FRAGMENT_NOT_FOUND');
    expect(results[1]?.error?.message).toMatch(/only the first 1 MiB/);
  });

  it('off (the default), a fragment is not checked and the page is deduped as before', async () => {
    const results = await check([`${server.url('/')}page#missing`, `${server.url('/')}page#intro`], false);
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    expect(results[1]?.duplicateOf).toEqual({ source: 'test.txt', line: 1 });
    expect(requests.filter((request) => request.method === 'GET')).toHaveLength(0);
  });
});
