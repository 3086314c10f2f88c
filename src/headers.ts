/** A request header given with `-H name:value`. */
export interface HeaderPair {
  /** Lower-cased header name. */
  name: string;
  value: string;
}

// RFC 9110 token characters.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Headers that carry credentials: never sent to another origin after a redirect. */
export const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'cookie',
  'proxy-authorization',
]);

/**
 * Parses `Name: value`. Throws a RangeError naming the problem; the message never contains
 * the value, which may be a secret.
 */
export function parseHeader(text: string): HeaderPair {
  const colon = text.indexOf(':');
  if (colon === -1) throw new RangeError('expected "Name: value" (no ":" found)');
  const name = text.slice(0, colon).trim();
  const value = text.slice(colon + 1).trim();
  if (!HEADER_NAME.test(name)) throw new RangeError(`"${name.slice(0, 60)}" is not a valid header name`);
  if (/[\r\n\0]/.test(value)) throw new RangeError(`the value of header "${name}" contains a line break or NUL`);
  return { name: name.toLowerCase(), value };
}
