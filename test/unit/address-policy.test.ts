import type { LookupFunction } from 'node:net';
import { describe, expect, it } from 'vitest';
import { BlockedAddressError, isNonPublicAddress, publicOnlyLookup } from '../../src/net/address-policy.js';

// Classification only: nothing here sends a packet anywhere.
describe('isNonPublicAddress', () => {
  // One address inside every entry of IANA's IPv4 Special-Purpose Address Registry
  // (https://www.iana.org/assignments/iana-ipv4-special-registry), globally reachable ones
  // (AS112, AMT, the anycast services) included: nobody checks links on them, and refusing the
  // whole registry is what "reserved ranges are refused" promises.
  it.each([
    ['0.0.0.0/8 this network', '0.1.2.3'],
    ['0.0.0.0/32 this host', '0.0.0.0'],
    ['10.0.0.0/8 private-use', '10.1.2.3'],
    ['100.64.0.0/10 shared address space', '100.64.0.1'],
    ['127.0.0.0/8 loopback', '127.0.0.1'],
    ['169.254.0.0/16 link-local (cloud metadata)', '169.254.169.254'],
    ['172.16.0.0/12 private-use', '172.16.0.1'],
    ['192.0.0.0/24 IETF protocol assignments', '192.0.0.100'],
    ['192.0.0.0/29 IPv4 service continuity', '192.0.0.1'],
    ['192.0.0.8/32 IPv4 dummy address', '192.0.0.8'],
    ['192.0.0.9/32 port control protocol anycast', '192.0.0.9'],
    ['192.0.0.10/32 TURN anycast', '192.0.0.10'],
    ['192.0.0.170/32 NAT64/DNS64 discovery', '192.0.0.170'],
    ['192.0.0.171/32 NAT64/DNS64 discovery', '192.0.0.171'],
    ['192.0.2.0/24 documentation (TEST-NET-1)', '192.0.2.1'],
    ['192.31.196.0/24 AS112-v4', '192.31.196.1'],
    ['192.52.193.0/24 AMT', '192.52.193.1'],
    ['192.88.99.0/24 deprecated 6to4 relay anycast', '192.88.99.1'],
    ['192.88.99.2/32 6a44 relay anycast', '192.88.99.2'],
    ['192.168.0.0/16 private-use', '192.168.1.1'],
    ['192.175.48.0/24 direct delegation AS112', '192.175.48.1'],
    ['198.18.0.0/15 benchmarking', '198.19.0.1'],
    ['198.51.100.0/24 documentation (TEST-NET-2)', '198.51.100.7'],
    ['203.0.113.0/24 documentation (TEST-NET-3)', '203.0.113.7'],
    ['240.0.0.0/4 reserved', '240.0.0.1'],
    ['255.255.255.255/32 limited broadcast', '255.255.255.255'],
    ['224.0.0.0/4 multicast', '224.0.0.1'],
  ])('IANA IPv4 %s: %s is not public', (_range, address) => {
    expect(isNonPublicAddress(address)).toBe(true);
  });

  // The same for IANA's IPv6 Special-Purpose Address Registry
  // (https://www.iana.org/assignments/iana-ipv6-special-registry). The forms that embed an IPv4
  // address (IPv4-mapped, NAT64's 64:ff9b::/96, 6to4) are judged by that address below.
  it.each([
    ['::1/128 loopback', '::1'],
    ['::/128 unspecified', '::'],
    ['::ffff:0:0/96 IPv4-mapped (of a private address)', '::ffff:10.0.0.1'],
    ['64:ff9b::/96 NAT64 (of a private address)', '64:ff9b::10.0.0.1'],
    ['64:ff9b:1::/48 local-use translation', '64:ff9b:1::8.8.8.8'],
    ['100::/64 discard-only', '100::1'],
    ['100:0:0:1::/64 dummy prefix', '100:0:0:1::1'],
    ['2001::/23 IETF protocol assignments', '2001:100::1'],
    ['2001::/32 Teredo', '2001:0:4136:e378:8000:63bf:3fff:fdd2'],
    ['2001:1::1/128 port control protocol anycast', '2001:1::1'],
    ['2001:1::2/128 TURN anycast', '2001:1::2'],
    ['2001:1::3/128 DNS-SD service registration anycast', '2001:1::3'],
    ['2001:2::/48 benchmarking', '2001:2::1'],
    ['2001:3::/32 AMT', '2001:3::1'],
    ['2001:4:112::/48 AS112-v6', '2001:4:112::1'],
    ['2001:10::/28 deprecated ORCHID', '2001:10::1'],
    ['2001:20::/28 ORCHIDv2', '2001:20::1'],
    ['2001:30::/28 drone remote ID entity tags', '2001:30::1'],
    ['2001:db8::/32 documentation', '2001:db8::1'],
    ['2002::/16 6to4 (of a private address)', '2002:a00:1::1'],
    ['2620:4f:8000::/48 direct delegation AS112', '2620:4f:8000::1'],
    ['3fff::/20 documentation', '3fff::1'],
    ['5f00::/16 segment routing SIDs', '5f00::1'],
    ['fc00::/7 unique-local', 'fd00::1'],
    ['fe80::/10 link-local', 'fe80::1'],
    ['fec0::/10 deprecated site-local', 'fec0::1'],
    ['ff00::/8 multicast', 'ff02::1'],
  ])('IANA IPv6 %s: %s is not public', (_range, address) => {
    expect(isNonPublicAddress(address)).toBe(true);
  });

  it.each([
    // Edges: the first and last address of a range, and the neighbours just outside it.
    ['172.15.255.255', false],
    ['172.16.0.0', true],
    ['172.31.255.255', true],
    ['172.32.0.0', false],
    ['100.63.255.255', false],
    ['100.127.255.255', true],
    ['100.128.0.0', false],
    ['192.0.1.255', false],
    ['192.0.2.0', true],
    ['192.0.2.255', true],
    ['192.0.3.0', false],
    ['198.17.255.255', false],
    ['198.18.0.0', true],
    ['198.20.0.0', false],
    ['223.255.255.255', false],
    ['224.0.0.0', true],
    ['2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff', true],
    ['2001:200::1', false],
    ['2001:db7:ffff:ffff:ffff:ffff:ffff:ffff', false],
    ['2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', true],
    ['2001:db9::', false],
    // Outside 2000::/3, IANA's global unicast space, nothing is public.
    ['1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', true],
    ['4000::1', true],
  ])('at the edge of a range: %s non-public = %s', (address, blocked) => {
    expect(isNonPublicAddress(address)).toBe(blocked);
  });

  it.each([
    ['IPv4-mapped', '::ffff:127.0.0.1'],
    ['IPv4-mapped, hex', '::ffff:a9fe:a9fe'],
    ['IPv4-translated (RFC 6145)', '::ffff:0:192.168.0.1'],
    ['IPv4-compatible (deprecated)', '::10.0.0.1'],
    ['IPv4-compatible, hex', '::a9fe:a9fe'],
    ['NAT64 well-known prefix', '64:ff9b::7f00:1'],
    ['NAT64 of a documentation address', '64:ff9b::192.0.2.1'],
    ['6to4 of loopback', '2002:7f00:1::'],
    ['6to4 of cloud metadata', '2002:a9fe:a9fe:1::1'],
  ])('decodes the IPv4 address inside an IPv6 one: %s %s is not public', (_form, address) => {
    expect(isNonPublicAddress(address)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '192.169.0.1',
    '100.128.0.1',
    '93.184.215.14',
    '2606:4700::1111',
    '2a00:1450:4001:80b::200e',
    '[2606:4700::1111]',
    // An IPv6 form of a public IPv4 address reaches that address (NAT64 is how IPv6-only networks
    // reach IPv4 sites; 6to4 tunnels to the site at that address).
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
    '2002:808:808::1',
  ])('%s is public', (address) => {
    expect(isNonPublicAddress(address)).toBe(false);
  });

  it.each(['[::1]', '[fe80::1]', 'fe80::1%eth0'])('%s, bracketed or with a zone, is not public', (address) => {
    expect(isNonPublicAddress(address)).toBe(true);
  });

  it('says nothing about host names (they are checked once resolved)', () => {
    expect(isNonPublicAddress('localhost')).toBe(false);
    expect(isNonPublicAddress('example.test')).toBe(false);
  });
});

describe('publicOnlyLookup', () => {
  // A resolver that never leaves the process: each name maps to fixed addresses.
  const table: Record<string, string[]> = {
    'public.test': ['93.184.215.14'],
    'internal.test': ['10.0.0.5'],
    'mixed.test': ['93.184.215.14', '127.0.0.1'],
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
    expect(await resolve('public.test', false)).toEqual({ error: null, address: '93.184.215.14' });
    expect((await resolve('public.test', true)).address).toEqual([{ address: '93.184.215.14', family: 4 }]);
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
