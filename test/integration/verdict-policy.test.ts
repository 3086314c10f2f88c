import type { IncomingMessage, ServerResponse } from 'node:http';
import { writeFile } from 'node:fs/promises';
import type { LookupFunction } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckOptions } from '../../src/check/options.js';
import { MAX_WHOLE_DOCUMENT_CHARS } from '../../src/input/documents.js';
import { resolveInputs } from '../../src/input/sources.js';
import { readTargetBatches } from '../../src/input/targets.js';
import { parseStatusRanges } from '../../src/model/status-ranges.js';
import { ERROR_CODES, type CheckResult, type ErrorCode, type Expectations, type Target } from '../../src/model/types.js';
import { checkAll } from '../../src/pipeline/pool.js';
import { checkOne } from '../helpers/checks.js';
import { resolverLookup, startDnsServer, type LocalDnsServer } from '../helpers/dns-server.js';
import { closedPort, collect, localLookup, SELF_SIGNED, targetsFrom, testOptions, useFixtureServer } from '../helpers/fixtures.js';
import { readPolicyTable, rowForStatus, type PolicyRow } from '../helpers/policy-table.js';
import { startProxy, type TestProxy } from '../helpers/proxy.js';
import { startHttpServer, type LocalServer } from '../helpers/servers.js';
import { useTempDir } from '../helpers/temp-dir.js';

// Every row of the README's "Verdicts and retries" table, against a real situation on this
// machine: a local server answering that status, a port nothing listens on, a resolver answering
// SERVFAIL. Each check gets 2 retries; a row that says "retried" must use all 3 attempts (and
// the server must see 3 requests), a row that says "no" must stop after the first.

const RETRIES = 2;
const rows = readPolicyTable();

/** Requests seen per path, so a test can tell retries by what the server saw. */
const seen = new Map<string, number>();
const CHALLENGE_PAGE = '<!DOCTYPE html><html><head><title>Just a moment...</title></head><body><script src="/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1"></script></body></html>';

function respond(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0] as string;
  const count = (seen.get(path) ?? 0) + 1;
  seen.set(path, count);
  const [, kind = '', arg = ''] = path.split('/');
  const send = (status: number, headers: Record<string, string>, body = '') =>
    void res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) }).end(req.method === 'HEAD' ? undefined : body);
  switch (kind) {
    case 'status':
      return send(Number(arg), {});
    case 'challenge':
      return send(Number(arg), { 'content-type': 'text/html; charset=UTF-8' }, CHALLENGE_PAGE);
    case 'slow': {
      const timer = setTimeout(() => send(200, {}, 'ok'), Number(arg));
      res.on('close', () => clearTimeout(timer));
      return;
    }
    case 'page':
      return send(200, { 'content-type': 'text/html' }, '<html><body><h1 id="here">Here</h1></body></html>');
    case 'json':
      return send(200, { 'content-type': 'application/json', 'x-version': '2.1' }, '{"status":"up"}');
    case 'sitemap-index':
      // Its one child is an HTML page, not a sitemap: DOCUMENT_INVALID.
      return send(200, { 'content-type': 'application/xml' }, `<?xml version="1.0"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n<sitemap><loc>${local.url('/page')}</loc></sitemap>\n</sitemapindex>\n`);
    default:
      return send(404, {});
  }
}

let local: LocalServer;
beforeAll(async () => {
  local = await startHttpServer(respond);
});
afterAll(async () => {
  await local.close();
});

const fixture = useFixtureServer();
const tls = useFixtureServer({ tls: SELF_SIGNED });
const temp = useTempDir('urlcheck-policy-');

/** One check with RETRIES retries, GET from the start so the requests the server saw are the attempts. */
function check(url: string, overrides: Partial<CheckOptions> = {}): Promise<CheckResult> {
  return checkOne(url, { retries: RETRIES, method: 'get', accept: parseStatusRanges('200'), ...overrides });
}

async function checkTargets(targets: Target[], overrides: Partial<CheckOptions> = {}): Promise<CheckResult[]> {
  return collect(checkAll(targets, testOptions({ retries: RETRIES, ...overrides })));
}

async function withExpect(url: string, expect: Expectations, overrides: Partial<CheckOptions> = {}): Promise<CheckResult> {
  const [target] = targetsFrom([url]);
  const [result] = await checkTargets([{ ...(target as Target), expect }], overrides);
  return result as CheckResult;
}

/** Targets read from local or fetched documents, as the CLI reads them. */
async function documentTargets(inputs: string[]): Promise<Target[]> {
  const sources = await resolveInputs(inputs, { cwd: temp.path(), timeoutMs: 2_000, base: null, stdin: Readable.from([]) });
  const targets: Target[] = [];
  for await (const batch of readTargetBatches(sources)) targets.push(...batch);
  return targets;
}

/** A lookup that fails every name with the error getaddrinfo gives for a temporary resolver failure. */
const temporaryFailure: LookupFunction = (hostname, _options, callback) => {
  const error = Object.assign(new Error(`getaddrinfo EAI_AGAIN ${hostname}`), { code: 'EAI_AGAIN', errno: -3001, syscall: 'getaddrinfo', hostname });
  (callback as (e: NodeJS.ErrnoException) => void)(error);
};

/** A lookup that fails with an error nothing names: no code at all. */
const oddFailure: LookupFunction = (_hostname, _options, callback) => {
  (callback as (e: Error) => void)(new Error('the resolver library broke in a new way'));
};

let proxy: TestProxy;
let dns: LocalDnsServer;
beforeAll(async () => {
  proxy = await startProxy({ auth: { username: 'probe', password: 'secret-7f3a' } });
  dns = await startDnsServer((name) => (name.startsWith('down.') ? { rcode: 'SERVFAIL' } : { addresses: ['127.0.0.1'] }));
});
afterAll(async () => {
  await proxy.close();
  await dns.close();
});

/** A real situation that fails with each error code (HTTP_STATUS: the status rows below). */
const SITUATIONS: Record<Exclude<ErrorCode, 'HTTP_STATUS'>, () => Promise<CheckResult>> = {
  TIMEOUT: () => check(fixture().url('/hang'), { timeoutMs: 200 }),
  DNS_TEMPORARY: () => check(`http://api.test:${local.port}/status/200`, { lookup: temporaryFailure }),
  CONNECTION_REFUSED: async () => check(`http://127.0.0.1:${await closedPort()}/`),
  CONNECTION_RESET: () => check(fixture().url('/reset')),
  // The kernel refuses a TCP connection to a multicast address at once (ENETUNREACH): nothing is sent.
  NETWORK_ERROR: () => check('http://224.0.0.1:9/'),
  PROXY: async () => check(local.url('/status/200'), { proxy: { httpProxy: `http://127.0.0.1:${await closedPort()}`, httpsProxy: null, noProxy: null } }),
  TOO_SLOW: () => withExpect(local.url('/slow/150'), { maxResponseMs: 20 }),
  UNKNOWN: () => check(`http://odd.test:${local.port}/status/200`, { lookup: oddFailure }),
  DNS: () => check(`http://nope.invalid:${local.port}/`),
  TLS: () => check(tls().url('/ok')),
  PROTOCOL_ERROR: () => check(fixture().url('/garbage')),
  TOO_MANY_REDIRECTS: () => check(fixture().url('/loop')),
  INVALID_URL: () => check('not a url'),
  UNSUPPORTED_PROTOCOL: () => check(fixture().url(`/redirect-to?${new URLSearchParams({ location: 'ftp://files.test/x' })}`)),
  BLOCKED_ADDRESS: () => check(local.url('/status/200'), { publicOnly: true }),
  PROXY_AUTH: () => check(`http://site.test:${local.port}/status/200`, { proxy: { httpProxy: proxy.origin, httpsProxy: null, noProxy: null } }),
  BODY_MISMATCH: () => withExpect(local.url('/json'), { bodyContains: ['down'] }),
  JSON_MISMATCH: () => withExpect(local.url('/json'), { json: [{ path: 'status', equals: 'down' }] }),
  HEADER_MISMATCH: () => withExpect(local.url('/json'), { headers: [{ name: 'x-missing' }] }),
  FINAL_URL_MISMATCH: () => withExpect(local.url('/json'), { finalUrl: local.url('/elsewhere') }),
  CERT_EXPIRING: () => withExpect(tls().url('/ok'), { certMinDays: 1_000_000 }, { insecure: true }),
  DOCUMENT_INVALID: async () => {
    const results = await checkTargets(await documentTargets([local.url('/sitemap-index')]));
    return results.find((result) => result.error?.code === 'DOCUMENT_INVALID') as CheckResult;
  },
  DOCUMENT_TOO_LARGE: async () => {
    await writeFile(join(temp.path(), 'huge.md'), `[a](${local.url('/page')})\n${'x'.repeat(MAX_WHOLE_DOCUMENT_CHARS)}\n`);
    const [result] = await checkTargets(await documentTargets(['huge.md']));
    return result as CheckResult;
  },
  FILE_NOT_FOUND: async () => {
    const [result] = await checkTargets([fileTarget('missing.md')], { rootDir: temp.path() });
    return result as CheckResult;
  },
  FILE_OUTSIDE_ROOT: async () => {
    const [result] = await checkTargets([fileTarget('../elsewhere.md')], { rootDir: temp.path() });
    return result as CheckResult;
  },
  FRAGMENT_NOT_FOUND: () => check(local.url('/page#nowhere'), { checkFragments: true }),
};

/** A local link as a local document gives one: a `file:` URL under the temporary folder. */
function fileTarget(relativePath: string): Target {
  const url = new URL(relativePath, pathToFileURL(`${temp.path()}/`));
  return { source: 'doc.md', line: 1, display: relativePath, url, invalid: null };
}

describe('each error code, from a real situation, is retried and judged as the README table says', () => {
  it('has a situation for every code', () => {
    expect(Object.keys(SITUATIONS).sort()).toEqual(ERROR_CODES.filter((code) => code !== 'HTTP_STATUS').sort());
  });

  const codeRows = rows.flatMap((row) => row.codes.map((code) => [code, row] as const));
  it.each(codeRows)('%s', async (code, row) => {
    const result = await SITUATIONS[code as Exclude<ErrorCode, 'HTTP_STATUS'>]();
    expect(result.error?.code, result.error?.message).toBe(code);
    expect(result.verdict).toBe(row.verdict);
    if (row.retried) expect(result.attempts).toBe(RETRIES + 1);
    else expect(result.attempts).toBeLessThanOrEqual(1);
  }, 20_000);
});

/** The statuses to try for a status row: those it names, and one of each class it stands for. */
function samplesOf(row: PolicyRow): number[] {
  const samples = [...row.statuses];
  for (const c of row.classes) {
    const sample = Array.from({ length: 100 }, (_, i) => c * 100 + i).find((status) => status !== 200 && rowForStatus(rows, status) === row);
    if (sample !== undefined) samples.push(sample);
  }
  return samples;
}

describe('each status row, answered by a real server (outside --accept 200)', () => {
  const statusRows = rows.filter((row) => row.codes.length === 0 && !row.challenged);
  const cases = statusRows.flatMap((row) => samplesOf(row).map((status) => [status, row] as const));

  it('tries every status row', () => {
    expect(new Set(cases.map(([, row]) => row)).size).toBe(statusRows.length);
  });

  it.each(cases)('status %i', async (status, row) => {
    const path = `/status/${status}`;
    seen.delete(path);
    const result = await check(local.url(path));
    expect(result).toMatchObject({ ok: false, status, verdict: row.verdict });
    expect(result.error?.code).toBe('HTTP_STATUS');
    expect(result.attempts).toBe(row.retried ? RETRIES + 1 : 1);
    expect(seen.get(path)).toBe(result.attempts);
  });

  it.each([403, 429, 503])('a %i challenge page: as the bot-protection row says, and the message names the service', async (status) => {
    const row = rows.find((candidate) => candidate.challenged) as PolicyRow;
    const path = `/challenge/${status}`;
    seen.delete(path);
    const result = await check(local.url(path));
    expect(result).toMatchObject({ ok: false, status, verdict: row.verdict, attempts: row.retried ? RETRIES + 1 : 1 });
    expect(seen.get(path)).toBe(result.attempts);
    expect(result.error).toEqual({
      code: 'HTTP_STATUS',
      message: `Cloudflare bot protection answered instead of the page (status ${status}); check it in a browser`,
    });
  });

  it('999 says it is bot protection, not "not in --accept"', async () => {
    const result = await check(local.url('/status/999'));
    expect(result.error?.message).toBe("bot protection answered instead of the page (status 999, LinkedIn's refusal of automated clients); check it in a browser");
  });
});

describe('temporary DNS failures, from a real resolver', () => {
  it('SERVFAIL from a DNS server is DNS_TEMPORARY, asked again on each retry, and transient', async () => {
    const result = await check(`http://down.test:${local.port}/status/200`, { lookup: resolverLookup(dns.address) });
    expect(result).toMatchObject({ ok: false, verdict: 'transient', attempts: RETRIES + 1 });
    expect(result.error).toEqual({ code: 'DNS_TEMPORARY', message: 'temporary DNS failure: could not resolve host "down.test" for now (ESERVFAIL)' });
    expect(dns.queries.get('down.test')).toBe(RETRIES + 1);
  });

  it('a name the same resolver answers is checked through it', async () => {
    const result = await check(`http://up.test:${local.port}/status/200`, { lookup: resolverLookup(dns.address) });
    expect(result).toMatchObject({ ok: true, status: 200, attempts: 1 });
  });

  it('EAI_AGAIN (getaddrinfo\'s "try again") is DNS_TEMPORARY with the host named; ENOTFOUND stays DNS, not retried', async () => {
    const again = await check(`http://api.test:${local.port}/status/200`, { lookup: temporaryFailure });
    expect(again.error).toEqual({ code: 'DNS_TEMPORARY', message: 'temporary DNS failure: could not resolve host "api.test" for now (EAI_AGAIN)' });
    const gone = await check(`http://gone.invalid:${local.port}/`, { lookup: localLookup });
    expect(gone).toMatchObject({ verdict: 'broken', attempts: 1 });
    expect(gone.error?.code).toBe('DNS');
  });
});
