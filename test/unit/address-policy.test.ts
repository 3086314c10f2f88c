import type { LookupFunction } from 'node:net';
import { describe, expect, it } from 'vitest';
import { BlockedAddressError, isNonPublicAddress, publicOnlyLookup } from '../../src/net/address-policy.js';

describe('isNonPublicAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '[::1]',
    '::',
    'fd00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
  ])('%s is not public', (address) => {
    expect(isNonPublicAddress(address)).toBe(true);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '192.169.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])(
    '%s is public',
    (address) => {
      expect(isNonPublicAddress(address)).toBe(false);
    },
  );

  it('says nothing about host names (they are checked once resolved)', () => {
    expect(isNonPublicAddress('localhost')).toBe(false);
    expect(isNonPublicAddress('example.test')).toBe(false);
  });
});

describe('publicOnlyLookup', () => {
  // A resolver that never leaves the process: each name maps to fixed addresses.
  const table: Record<string, string[]> = {
    'public.test': ['203.0.113.7'],
    'internal.test': ['10.0.0.5'],
    'mixed.test': ['203.0.113.7', '127.0.0.1'],
  };
  const fake: LookupFunction = (hostname, options, callback) => {
    const addresses = table[hostname] ?? [];
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all === true;
    if (all) (callback as (e: null, a: Array<{ address: string; family: number }>) => void)(null, addresses.map((address) => ({ address, family: 4 })));
    else callback(null, addresses[0] ?? '', 4);
  };
  const resolve = (hostname: string, all: boolean) =>
    new Promise<{ error: Error | null; address: unknown }>((done) => {
      publicOnlyLookup(fake)(hostname, { all }, (error, address) => done({ error, address }));
    });

  it('passes public answers through unchanged', async () => {
    expect(await resolve('public.test', false)).toEqual({ error: null, address: '203.0.113.7' });
    expect((await resolve('public.test', true)).address).toEqual([{ address: '203.0.113.7', family: 4 }]);
  });

  it('fails a name that resolves to a non-public address, naming it', async () => {
    const { error } = await resolve('internal.test', false);
    expect(error).toBeInstanceOf(BlockedAddressError);
    expect(error?.message).toBe('internal.test resolves to 10.0.0.5, a non-public address (--public-only)');
  });

  it('fails a name when any of its addresses is non-public (no rebinding through a second record)', async () => {
    expect((await resolve('mixed.test', true)).error).toBeInstanceOf(BlockedAddressError);
  });
});
