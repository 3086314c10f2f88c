import { lookup as dnsLookup } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { UrlcheckError } from '../model/errors.js';

/**
 * Address ranges that are not the public internet: loopback, private networks (RFC 1918, IPv6
 * unique-local), link-local (which holds cloud metadata endpoints such as 169.254.169.254),
 * carrier-grade NAT, "this network", multicast and reserved space, and IPv4-mapped forms of them.
 */
const NON_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

/** True when `address` (an IPv4 or IPv6 literal) is not a public internet address. */
export function isNonPublicAddress(address: string): boolean {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const family = isIP(bare);
  if (family === 0) return false;
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
    if (mapped) return NON_PUBLIC.check(mapped[1] as string, 'ipv4');
    return NON_PUBLIC.check(bare, 'ipv6');
  }
  return NON_PUBLIC.check(bare, 'ipv4');
}

/**
 * The error a blocked request fails with, before any byte is sent; classified as BLOCKED_ADDRESS.
 * `address` is what `hostname` resolved to, or `hostname` itself when it is an address literal.
 */
export class BlockedAddressError extends UrlcheckError {
  declare readonly code: 'ERR_URLCHECK_BLOCKED_ADDRESS';

  constructor(
    readonly hostname: string,
    readonly address: string = hostname,
  ) {
    super(
      'ERR_URLCHECK_BLOCKED_ADDRESS',
      address === hostname
        ? `${hostname} is a non-public address (--public-only)`
        : `${hostname} resolves to ${address}, a non-public address (--public-only)`,
    );
  }
}

/**
 * Wraps a DNS lookup so that connections to non-public addresses fail before any byte is sent.
 * Checking the resolved address (not the name) is what stops a public name, or a redirect, from
 * leading the checker into the local network.
 */
export function publicOnlyLookup(inner: LookupFunction = dnsLookup as LookupFunction): LookupFunction {
  return (hostname, options, callback) => {
    inner(hostname, options, (error: NodeJS.ErrnoException | null, address: unknown, family?: number) => {
      if (error) return void (callback as (e: NodeJS.ErrnoException) => void)(error);
      const addresses = Array.isArray(address) ? (address as Array<{ address: string }>) : [{ address: String(address) }];
      const blocked = addresses.find((entry) => isNonPublicAddress(entry.address));
      if (blocked !== undefined) return void (callback as (e: Error) => void)(new BlockedAddressError(hostname, blocked.address));
      (callback as (e: null, a: unknown, f?: number) => void)(null, address, family);
    });
  };
}
