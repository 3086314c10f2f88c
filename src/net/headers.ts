import type { Dispatcher } from 'undici';
import { safeDecodeURIComponent } from '../util/text.js';

/** A request header given with `-H name:value`. */
export interface HeaderPair {
  /** Lower-cased header name. */
  name: string;
  value: string;
}

/** A valid header name: RFC 9110 token characters. */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// RFC 9110 field-value characters (obs-text included), exactly what undici agrees to send.
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * The only `-H` headers still sent after a redirect leaves the origin. Every other `-H` header
 * may carry a credential (Authorization, Cookie, X-Api-Key, …), so it stays with the origin the
 * user named, as the URL's own credentials do.
 */
export const CROSS_ORIGIN_SAFE_HEADERS: ReadonlySet<string> = new Set(['user-agent', 'accept', 'accept-language']);

/**
 * Parses `Name: value`. Throws a RangeError naming the problem; the message never contains
 * the value, which may be a secret.
 */
export function parseHeader(text: string): HeaderPair {
  const colon = text.indexOf(':');
  if (colon === -1) throw new RangeError('expected "Name: value" (no ":" found)');
  const name = text.slice(0, colon).trim();
  const value = text.slice(colon + 1).trim();
  // The name is not echoed either: "Authorization Bearer TOKEN: x" would print the token.
  if (!HEADER_NAME.test(name)) throw new RangeError("the header name before ':' is not valid (letters, digits and !#$%&'*+.^_`|~- only)");
  if (/[\r\n\0]/.test(value)) throw new RangeError(`the value of header "${name}" contains a line break or NUL`);
  // undici would refuse it on every request, failing each URL instead of the flag.
  if (!HEADER_VALUE.test(value)) {
    throw new RangeError(`the value of header "${name}" contains a control character or a character beyond Latin-1, which HTTP cannot carry`);
  }
  return { name: name.toLowerCase(), value };
}

/**
 * The `Basic …` credentials of a URL's userinfo (percent-decoded, as a browser sends them), for
 * an Authorization or Proxy-Authorization header; null when the URL has none. A part with a
 * malformed percent sequence (`%zz`) is sent as written, as curl does: a hostile list line must
 * give a result, never throw in the middle of a run.
 */
export function basicAuthorization(url: URL): string | null {
  if (url.username === '' && url.password === '') return null;
  const credentials = `${safeDecodeURIComponent(url.username)}:${safeDecodeURIComponent(url.password)}`;
  return `Basic ${Buffer.from(credentials).toString('base64')}`;
}

/** True when the flat `[name, value, …]` list has a header called `name` (lower-case), in any case. */
export function hasHeader(headers: readonly string[], name: string): boolean {
  for (let i = 0; i < headers.length; i += 2) if (headers[i]?.toLowerCase() === name) return true;
  return false;
}

/** A request's headers as a fresh flat `[name, value, …]` list, whatever shape they came in. */
export function headerList(headers: Dispatcher.DispatchOptions['headers']): string[] {
  if (headers === null || headers === undefined) return [];
  if (Array.isArray(headers)) return [...(headers as string[])];
  const list: string[] = [];
  const entries = Symbol.iterator in headers ? (headers as Iterable<[string, string | string[] | undefined]>) : Object.entries(headers);
  for (const [name, value] of entries) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) list.push(name, String(one));
  }
  return list;
}
