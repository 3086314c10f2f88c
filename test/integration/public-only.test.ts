import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publicOnlyLookup } from '../../src/net/address-policy.js';
import { createExtractionStats, readTargets } from '../../src/input/targets.js';
import { resolveInputs } from '../../src/input/sources.js';
import { checkAll } from '../../src/pipeline/pool.js';
import { checkOne } from '../helpers/checks.js';
import { collect, localLookup, testOptions, useFixtureServer } from '../helpers/fixtures.js';
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
    const [input] = await resolveInputs([server().url('/sitemap.xml')], inputOptions(true));
    await expect(collect(readTargets([input!]))).rejects.toThrow('127.0.0.1 is a non-public address (--public-only)');
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
