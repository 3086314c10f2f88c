import { lookup as dnsLookup } from 'node:dns';
import { createRequire } from 'node:module';
import { isIP, type LookupFunction } from 'node:net';
import type { IPv4, IPv6 } from 'ipaddr.js';
import { UrlcheckError } from '../model/errors.js';

type IpAddrLibrary = typeof import('ipaddr.js');

// ipaddr.js is needed only with --public-only: loaded on first use, so other runs do not pay for it.
const requireCjs = createRequire(import.meta.url);
let ipaddrLibrary: IpAddrLibrary | undefined;
const ipaddr = (): IpAddrLibrary => (ipaddrLibrary ??= requireCjs('ipaddr.js') as IpAddrLibrary);

/**
 * Whether an address is public is ipaddr.js's `range()` classification, which follows IANA's IPv4
 * and IPv6 Special-Purpose Address Registries: `unicast` is the only public class, so every range
 * those registries list (loopback, private, link-local, carrier-grade NAT, documentation,
 * benchmarking, Teredo, ORCHID, AS112, …) is refused. On top of it:
 * - an IPv6 address that carries an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`, IPv4-translated
 *   `::ffff:0:a.b.c.d`, IPv4-compatible `::a.b.c.d`, NAT64 `64:ff9b::a.b.c.d` and 6to4
 *   `2002:aabb:ccdd::`) is judged by that IPv4 address, which is where the packets end up;
 * - any other IPv6 address must lie in 2000::/3, the only space IANA allocates as global
 *   unicast, so a range added to the registries after this ipaddr.js release (outside it) is
 *   still refused.
 */
function isPublic(address: IPv4 | IPv6): boolean {
  if (address.kind() === 'ipv4') return address.range() === 'unicast';
  const v6 = address as IPv6;
  const embedded = embeddedIPv4(v6);
  if (embedded !== null) return embedded.range() === 'unicast';
  return v6.range() === 'unicast' && (v6.parts[0] as number) >>> 13 === 0b001;
}

/** The IPv4 address an IPv6 address stands for, or null when it carries none that decodes. */
function embeddedIPv4(address: IPv6): IPv4 | null {
  const { IPv4 } = ipaddr();
  const bytes = address.toByteArray();
  const range = address.range();
  // 64:ff9b:1::/48 (local-use translation) places the IPv4 address where its operator chooses:
  // it is not decoded, and stays refused as a special-purpose range.
  const nat64 = range === 'rfc6052' && address.parts[2] === 0 && address.parts[3] === 0 && address.parts[4] === 0 && address.parts[5] === 0;
  const compatible = address.parts.slice(0, 6).every((part) => part === 0);
  if (range === 'ipv4Mapped' || range === 'rfc6145' || nat64 || compatible) return new IPv4(bytes.slice(12));
  if (range === '6to4') return new IPv4(bytes.slice(2, 6));
  return null;
}

/**
 * True when `address` (an IPv4 or IPv6 literal, optionally in brackets) is not a public internet
 * address: anything in IANA's special-purpose registries, or an IPv6 form of such an IPv4
 * address. Host names are not addresses: false (they are judged once resolved).
 */
export function isNonPublicAddress(address: string): boolean {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (isIP(bare) === 0) return false;
  return !isPublic(ipaddr().parse(bare));
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
