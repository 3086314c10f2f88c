import { afterAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/demo/fixture-server.js';
import { checkOne } from '../helpers/checks.js';
import { SELF_SIGNED } from '../helpers/fixtures.js';

/** Starts a fixture server on ::1, or returns null when this machine has no IPv6 loopback. */
async function onIpv6Loopback(options: Parameters<typeof startFixtureServer>[0] = {}): Promise<FixtureServer | null> {
  try {
    return await startFixtureServer({ ...options, host: '::1' });
  } catch {
    return null;
  }
}

const plain = await onIpv6Loopback({ record: true });
const secure = plain === null ? null : await onIpv6Loopback({ tls: SELF_SIGNED });

describe.skipIf(plain === null)('IPv6 literal URLs (::1)', () => {
  afterAll(async () => {
    await plain?.close();
    await secure?.close();
  });

  it('checks http://[::1]:port/ok', async () => {
    const server = plain as FixtureServer;
    const url = `http://[::1]:${server.port}/ok`;
    const result = await checkOne(url);
    expect(result).toMatchObject({ ok: true, status: 200, finalUrl: url });
    expect(server.requests[0]?.headers.host).toBe(`[::1]:${server.port}`);
  });

  it('follows a relative redirect on an IPv6 origin', async () => {
    const server = plain as FixtureServer;
    const result = await checkOne(`http://[::1]:${server.port}/redirect/1`);
    expect(result).toMatchObject({ ok: true, finalUrl: `http://[::1]:${server.port}/redirect/0` });
  });

  it.skipIf(secure === null)('checks https://[::1] against the self-signed certificate: TLS, then ok with insecure', async () => {
    const server = secure as FixtureServer;
    const url = `https://[::1]:${server.port}/ok`;
    expect((await checkOne(url, { retries: 0 })).error?.code).toBe('TLS');
    expect(await checkOne(url, { insecure: true })).toMatchObject({ ok: true, status: 200 });
  });
});
