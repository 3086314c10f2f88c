import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/demo/fixture-server.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { CA_SIGNED, SELF_SIGNED, TEST_CA_FILE, useFixtureServer } from '../helpers/fixtures.js';

// HTTPS through a real certificate chain: the built CLI, Node's own trust store plus the test CA
// given the way users give theirs (NODE_EXTRA_CA_CERTS), against local HTTPS fixture servers.

const valid = useFixtureServer({ tls: CA_SIGNED.valid });
const expired = useFixtureServer({ tls: CA_SIGNED.expired });
const wrongHost = useFixtureServer({ tls: CA_SIGNED.wrongHost });
const selfSigned = useFixtureServer({ tls: SELF_SIGNED });

/** Put in the userinfo of every URL: it must never reach stdout or stderr. */
const SECRET = 'tls-pa55-s3cr3t';
const TRUST_TEST_CA = { NODE_EXTRA_CA_CERTS: TEST_CA_FILE };

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'urlcheck-tls-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Result {
  ok: boolean;
  status: number | null;
  error: { code: string; message: string } | null;
}

/** Checks one URL (credentials added) with the CLI; returns the run and its only result. */
async function checkWithCli(name: string, url: string, args: string[], env: Record<string, string | undefined>): Promise<{ run: CliRun; result: Result }> {
  const file = join(dir, `${name}.txt`);
  await writeFile(file, `${url.replace('https://', `https://tester:${SECRET}@`)}\n`);
  const run = await runCli([file, '-f', 'ndjson', '--retries', '0', ...args], { env });
  expect(run.stderr).not.toContain(SECRET);
  expect(run.stdout).not.toContain(SECRET);
  const lines = run.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return { run, result: JSON.parse(lines[0] as string) as Result };
}

describe('TLS through a real chain (NODE_EXTRA_CA_CERTS = the test CA)', () => {
  it('a valid certificate signed by a trusted CA: healthy, exit 0', async () => {
    const { run, result } = await checkWithCli('valid', valid().url('/ok'), [], TRUST_TEST_CA);
    // Protection: verification uses Node's trust store, extra CAs included (no CA list of our own).
    expect(run.code).toBe(0);
    expect(result).toMatchObject({ ok: true, status: 200, error: null });
  });

  it.each([
    ['an expired certificate', () => expired().url('/ok'), /expired/i],
    ['a certificate for another host', () => wrongHost().url('/ok'), /altnames.*127\.0\.0\.1/i],
    ['a self-signed certificate', () => selfSigned().url('/ok'), /self[- ]signed/i],
  ])('%s: TLS with a message saying why, exit 1', async (name, url, why) => {
    const { run, result } = await checkWithCli(name.replaceAll(' ', '-'), url(), [], TRUST_TEST_CA);
    // Protection: certificates are verified (rejectUnauthorized) unless --insecure.
    expect(run.code).toBe(1);
    expect(result).toMatchObject({ ok: false, status: null, error: { code: 'TLS' } });
    expect(result.error?.message).toMatch(why);
  });

  it('--insecure accepts the expired, wrong-host and self-signed certificates', async () => {
    const file = join(dir, 'insecure.txt');
    const urls = [expired().url('/ok'), wrongHost().url('/ok'), selfSigned().url('/ok')];
    await writeFile(file, `${urls.map((url) => url.replace('https://', `https://tester:${SECRET}@`)).join('\n')}\n`);
    const run = await runCli([file, '-f', 'ndjson', '--retries', '0', '--insecure'], { env: TRUST_TEST_CA });
    // Protection: --insecure reaches the TLS layer (rejectUnauthorized: false) for every connection.
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain(SECRET);
    const results = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as Result);
    expect(results).toHaveLength(3);
    expect(results.every((r) => r.ok && r.status === 200)).toBe(true);
  });

  it('without NODE_EXTRA_CA_CERTS the valid certificate is not trusted: TLS, exit 1', async () => {
    const { run, result } = await checkWithCli('untrusted', valid().url('/ok'), [], { NODE_EXTRA_CA_CERTS: undefined });
    // Protection: trust comes only from the system store and what the user adds, never by default.
    expect(run.code).toBe(1);
    expect(result).toMatchObject({ ok: false, error: { code: 'TLS' } });
  });
});

/** An HTTPS fixture server on ::1, or null when this machine has no IPv6 loopback. */
async function onIpv6Loopback(): Promise<FixtureServer | null> {
  try {
    return await startFixtureServer({ tls: CA_SIGNED.valid, host: '::1' });
  } catch {
    return null;
  }
}

const ipv6 = await onIpv6Loopback();
afterAll(async () => {
  await ipv6?.close();
});

describe.skipIf(ipv6 === null)('TLS on an IPv6 literal', () => {
  it('https://[::1]:port/ with the valid certificate (its IP SAN ::1): healthy, exit 0', async () => {
    const server = ipv6 as FixtureServer;
    const { run, result } = await checkWithCli('ipv6', `https://[::1]:${server.port}/ok`, [], TRUST_TEST_CA);
    // Protection: a bracketed IPv6 host is matched against the certificate's IP addresses.
    expect(run.code).toBe(0);
    expect(result).toMatchObject({ ok: true, status: 200 });
  });
});
