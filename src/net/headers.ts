/** A request header given with `-H name:value`. */
export interface HeaderPair {
  /** Lower-cased header name. */
  name: string;
  value: string;
}

// RFC 9110 token characters.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
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
