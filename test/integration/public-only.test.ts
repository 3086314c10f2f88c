import { writeFile } from 'node:fs/promises';
import type { LookupFunction } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publicOnlyLookup } from '../../src/net/address-policy.js';
import { createExtractionStats, readTargets } from '../../src/input/targets.js';
import { resolveInputs } from '../../src/input/sources.js';
import { checkAll } from '../../src/pipeline/pool.js';
import { checkOne } from '../helpers/checks.js';
import { collect, localLookup, testOptions, useFixtureServer } from '../helpers/fixtures.js';
import { startHttpServer } from '../helpers/servers.js';
import { useTempDir } from '../helpers/temp-dir.js';

// Guards: --public-only never lets a check reach a loopback/private address, neither through an
// address literal nor through a name that resolves to one. The server counts what reached it.
describe('publicOnly', () => {
  const server = useFixtureServer();

  it('refuses an address literal before any connection', async () => {
    const result = await checkOne(server().url('/ok'), { publicOnly: true });
    expect(result).toMatchObject({ ok: false, status: null, attempts: 1 });
    expect(result.error).toEqual({ code: 'BLOCKED_ADDRESS', message: '127.0.0.1 is a non-public address (--public-only)' });
    expect(server().stats.total).toBe(0);
  });

  it('refuses a name that resolves to a non-public address', async () => {
    const result = await checkOne(`http://intranet.test:${server().port}/ok`, { publicOnly: true, retries: 2 });
    expect(result.error).toEqual({
      code: 'BLOCKED_ADDRESS',
      message: 'intranet.test resolves to 127.0.0.1, a non-public address (--public-only)',
    });
    expect(result.attempts).toBe(1);
    expect(server().stats.total).toBe(0);
  });

  it('refuses a name with one public and one loopback address before connecting to either', async () => {
    // A genuinely public address (example.com's), public under any correct classification. The
    // loopback address comes first: if the policy ever let the name through, the connection would
    // go to the local server (which counts it), never out to the public address.
    const PUBLIC = '93.184.215.14';
    const asked: Array<{ hostname: string; all: boolean }> = [];
    const lookup: LookupFunction = (hostname, options, callback) => {
      const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all === true;
      asked.push({ hostname, all });
      if (hostname === 'mixed.test' && all) {
        (callback as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [
          { address: '127.0.0.1', family: 4 },
          { address: PUBLIC, family: 4 },
        ]);
        return;
      }
      // A single answer would hide one of the addresses: fail the check rather than connect anywhere.
      callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
    };
    const local = await startHttpServer((_req, res) => res.end('reached'));
    try {
      const result = await checkOne(`http://mixed.test:${local.port}/ok`, { publicOnly: true, lookup, retries: 2 });
      expect(result).toMatchObject({ ok: false, status: null, attempts: 1 });
      expect(result.error?.code).toBe('BLOCKED_ADDRESS');
      expect(result.error?.message).toContain('mixed.test resolves to 127.0.0.1');
      expect(asked).toEqual([{ hostname: 'mixed.test', all: true }]);
      expect(local.accepted).toBe(0);
    } finally {
      await local.close();
    }
  });

  it('refuses an IPv6 loopback literal', async () => {
    const result = await checkOne('http://[::1]:9/ok', { publicOnly: true });
    expect(result.error?.code).toBe('BLOCKED_ADDRESS');
  });

  const temp = useTempDir('urlcheck-public-only-');
  const inputOptions = (publicOnly: boolean) => ({
    cwd: temp.path(),
    timeoutMs: 2_000,
    base: null,
    stdin: (async function* () {})(),
    lookup: publicOnly ? publicOnlyLookup(localLookup) : localLookup,
    publicOnly,
  });

  it('never fetches a document at a non-public address: a URL input, or a sitemap index\'s child', async () => {
    // A URL input that cannot be fetched is checked as a URL (its own result), under the same rule.
    const [input] = await resolveInputs([server().url('/sitemap.xml')], inputOptions(true));
    const inputTargets = await collect(readTargets([input!]));
    expect(inputTargets.map((target) => [target.display, target.line])).toEqual([[server().url('/sitemap.xml'), 0]]);
    const inputResults = await collect(checkAll(inputTargets, testOptions({ publicOnly: true })));
    expect(inputResults.map((result) => result.error?.code)).toEqual(['BLOCKED_ADDRESS']);
    // A sitemap index is untrusted content: its child on the local network becomes a result, refused.
    const index = join(temp.path(), 'index.xml');
    await writeFile(
      index,
      `<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n  <sitemap><loc>${server().url('/child.xml')}</loc></sitemap>\n</sitemapindex>\n`,
    );
    const sources = await resolveInputs([index], inputOptions(true));
    const targets = await collect(readTargets(sources, createExtractionStats()));
    const results = await collect(checkAll(targets, testOptions({ publicOnly: true })));
    expect(results).toHaveLength(1);
    expect(results[0]?.error?.code).toBe('BLOCKED_ADDRESS');
    expect(server().stats.total).toBe(0);
  });

  it('is off by default', async () => {
    expect(await checkOne(server().url('/ok'))).toMatchObject({ ok: true, status: 200 });
  });
});
