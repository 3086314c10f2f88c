import { describe, expect, it } from 'vitest';
import { checkOne } from '../helpers/checks.js';
import { useFixtureServer } from '../helpers/fixtures.js';

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

  it('is off by default', async () => {
    expect(await checkOne(server().url('/ok'))).toMatchObject({ ok: true, status: 200 });
  });
});
