import type { IncomingHttpHeaders } from 'node:http';
import { printable, redactText, redactUrl } from '../util/redact.js';
import type { CheckError, Expectations, TextPattern, TlsInfo } from '../model/types.js';
import { formatBytes, plural, safeDecodeURIComponent } from '../util/text.js';

/**
 * The most body a check reads when an expectation needs it, in bytes (1 MiB). Enough for any
 * health endpoint or page a `bodyContains` looks into; a bigger body is cut there, and the
 * failure message says only the first 1 MiB was searched.
 */
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/** Longest piece of server-sent text (a header value, a JSON value) quoted in a message, in characters. */
const MAX_QUOTED_CHARS = 80;

/** What {@link evaluateExpectations} looks at: the final answer of one check. */
export interface ExpectInput {
  /** The final HTTP status. */
  status: number;
  /** The final response's headers, with lower-case names, as undici gives them. */
  headers: IncomingHttpHeaders;
  /** The first bytes of the body (at most the body limit), or null when no body was read. */
  body: Buffer | null;
  /** True when the body was longer than what was read. */
  bodyTruncated: boolean;
  /** The URL that gave the final answer. It may hold credentials: messages show it redacted. */
  finalUrl: URL;
  /** The attempt so far (its redirects included; earlier attempts and back-offs not), in milliseconds. */
  durationMs: number;
  /** The final answer's TLS certificate, or null for http:. */
  tls: TlsInfo | null;
  /**
   * Values that must never appear in a message, such as `-H` header values: a server that echoes
   * request headers (`/headers` endpoints do) would otherwise put them into a JSON "got" value.
   * The final URL's username and password are always treated as secrets too.
   */
  secrets?: readonly string[];
}

/**
 * True when the expectations look into the body (`bodyContains`, `bodyMatches` or `json`), so
 * the check must GET the URL and read up to {@link DEFAULT_BODY_LIMIT_BYTES} of its body.
 */
export function needsBody(expect: Expectations | null | undefined): boolean {
  if (expect === null || expect === undefined) return false;
  return (expect.bodyContains?.length ?? 0) > 0 || (expect.bodyMatches?.length ?? 0) > 0 || (expect.json?.length ?? 0) > 0;
}

/**
 * Checks a final answer against a target's expectations (all but `status`, which decides
 * `ok` before this runs) and returns the first that fails, or null when all hold. They are
 * tried in this order, root causes first: `finalUrl` (a redirect to a login page explains every
 * later mismatch), `headers` (a wrong content type explains a body that is not JSON),
 * `bodyContains`, `bodyMatches`, `json`, then the "works but degraded" ones, `maxResponseMs` and
 * `certMinDays`. Messages quote server-sent text printable, credential-free and cut to 80 characters.
 */
export function evaluateExpectations(expect: Expectations, input: ExpectInput): CheckError | null {
  const secrets = secretsOf(input);
  return (
    checkFinalUrl(expect, input) ??
    checkHeaders(expect, input, secrets) ??
    checkBody(expect, input) ??
    checkJson(expect, input, secrets) ??
    checkDuration(expect, input) ??
    checkCertificate(expect, input)
  );
}

function secretsOf(input: ExpectInput): string[] {
  const secrets = [...(input.secrets ?? [])];
  for (const part of [input.finalUrl.username, input.finalUrl.password]) {
    if (part === '') continue;
    secrets.push(part);
    const decoded = safeDecodeURIComponent(part);
    if (decoded !== part) secrets.push(decoded);
  }
  return secrets;
}

// Where the answer came from is compared without credentials and fragment (neither reaches the
// server), and a difference of only a trailing slash is accepted: servers routinely canonicalise
// /docs to /docs/ (or back), and the expectation is about where the chain ends, not about that.
function checkFinalUrl(expect: Expectations, input: ExpectInput): CheckError | null {
  if (expect.finalUrl === undefined) return null;
  let expected: URL;
  try {
    expected = new URL(expect.finalUrl);
  } catch {
    return { code: 'FINAL_URL_MISMATCH', message: `expected final URL ${quote(redactText(expect.finalUrl))} is not a valid URL` };
  }
  if (comparableUrl(expected) === comparableUrl(input.finalUrl)) return null;
  return {
    code: 'FINAL_URL_MISMATCH',
    message: `final URL ${printable(redactUrl(input.finalUrl))}, expected ${printable(redactUrl(expected))}`,
  };
}

function comparableUrl(url: URL): string {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  copy.hash = '';
  if (copy.pathname.length > 1 && copy.pathname.endsWith('/')) copy.pathname = copy.pathname.slice(0, -1);
  return copy.href;
}

function checkHeaders(expect: Expectations, input: ExpectInput, secrets: string[]): CheckError | null {
  for (const header of expect.headers ?? []) {
    const raw = input.headers[header.name];
    if (raw === undefined) return { code: 'HEADER_MISMATCH', message: `header ${printable(header.name)} is missing` };
    if (header.matches === undefined) continue;
    // A repeated header (Set-Cookie, Vary) is one value per RFC 9110's comma-joining rule.
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    if (!testRegex(header.matches, value)) {
      return {
        code: 'HEADER_MISMATCH',
        message: `header ${printable(header.name)}: expected to match ${showRegex(header.matches)}, got ${quote(redactText(value, secrets))}`,
      };
    }
  }
  return null;
}

function checkBody(expect: Expectations, input: ExpectInput): CheckError | null {
  const contains = expect.bodyContains ?? [];
  const matches = expect.bodyMatches ?? [];
  if (contains.length === 0 && matches.length === 0) return null;
  const text = bodyText(input.body);
  const read = readNote(input);
  for (const wanted of contains) {
    if (!text.includes(wanted)) return { code: 'BODY_MISMATCH', message: `body does not contain ${quote(wanted)}${read}` };
  }
  for (const pattern of matches) {
    if (!testRegex(pattern, text)) return { code: 'BODY_MISMATCH', message: `body does not match ${showRegex(pattern)}${read}` };
  }
  return null;
}

/** How much of the body was searched, for a message: " (read 1.2 KiB)" or " in the first 1 MiB". */
function readNote(input: ExpectInput): string {
  if (input.body === null) return ' (no body was read)';
  if (input.bodyTruncated) return ` in the first ${formatBytes(input.body.length)}`;
  if (input.body.length === 0) return ' (the body is empty)';
  return ` (read ${formatBytes(input.body.length)})`;
}

function bodyText(body: Buffer | null): string {
  if (body === null) return '';
  const text = body.toString('utf8');
  // A UTF-8 byte order mark is not content: JSON.parse rejects it, and nobody searches for it.
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

type JsonBody = { ok: true; value: unknown } | { ok: false; message: string };

function checkJson(expect: Expectations, input: ExpectInput, secrets: string[]): CheckError | null {
  const expectations = expect.json ?? [];
  if (expectations.length === 0) return null;
  const body = parseJsonBody(input);
  if (!body.ok) return { code: 'JSON_MISMATCH', message: body.message };
  for (const expectation of expectations) {
    const at = `JSON at ${printable(expectation.path)}`;
    let segments: Array<string | number>;
    try {
      segments = parseJsonPath(expectation.path);
    } catch (error) {
      return { code: 'JSON_MISMATCH', message: `${at}: ${(error as Error).message}` };
    }
    const found = lookupJson(body.value, segments);
    if (!found.found) return { code: 'JSON_MISMATCH', message: `${at} is missing` };
    const got = quoteJson(found.value, secrets);
    if ('equals' in expectation && !jsonEqual(found.value, expectation.equals)) {
      return { code: 'JSON_MISMATCH', message: `${at}: expected ${quoteJson(expectation.equals, [])}, got ${got}` };
    }
    if (expectation.matches !== undefined) {
      const text = typeof found.value === 'string' ? found.value : JSON.stringify(found.value);
      if (!testRegex(expectation.matches, text)) {
        return { code: 'JSON_MISMATCH', message: `${at}: expected to match ${showRegex(expectation.matches)}, got ${got}` };
      }
    }
  }
  return null;
}

function parseJsonBody(input: ExpectInput): JsonBody {
  if (input.body === null) return { ok: false, message: 'expected a JSON body, but no body was read' };
  if (input.body.length === 0) return { ok: false, message: 'expected a JSON body, got an empty body' };
  // A cut-off document cannot parse, and saying so beats a confusing "Unexpected end of JSON input".
  if (input.bodyTruncated) {
    return { ok: false, message: `expected a JSON body, got one longer than the ${formatBytes(input.body.length)} read` };
  }
  const text = bodyText(input.body);
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    // JSON.parse's own message quotes the body unredacted and uncut; this quotes a short, safe start.
    return { ok: false, message: `expected a JSON body, got one that is not JSON (starts ${quote(text.trimStart())})` };
  }
}

type Lookup = { found: true; value: unknown } | { found: false };

// Arrays are indexed by numbers (or a digit-only name, as data.items.0 reads naturally), objects
// by their own names only: "length", "constructor" or "__proto__" never resolve to JavaScript internals.
function lookupJson(root: unknown, segments: Array<string | number>): Lookup {
  let node = root;
  for (const segment of segments) {
    if (Array.isArray(node)) {
      const index = typeof segment === 'number' ? segment : /^(0|[1-9]\d*)$/.test(segment) ? Number(segment) : -1;
      if (index < 0 || index >= node.length) return { found: false };
      node = node[index];
    } else if (node !== null && typeof node === 'object' && typeof segment === 'string') {
      if (!Object.hasOwn(node, segment)) return { found: false };
      node = (node as Record<string, unknown>)[segment];
    } else {
      return { found: false };
    }
  }
  return { found: true, value: node };
}

/** Deep equality of JSON values: key order is irrelevant, and 0 equals -0 (JSON does not tell them apart). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, index) => jsonEqual(item, b[index]));
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  const aKeys = Object.keys(a);
  if (aKeys.length !== Object.keys(b).length) return false;
  return aKeys.every(
    (key) => Object.hasOwn(b, key) && jsonEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
  );
}

function checkDuration(expect: Expectations, input: ExpectInput): CheckError | null {
  if (expect.maxResponseMs === undefined || input.durationMs <= expect.maxResponseMs) return null;
  return { code: 'TOO_SLOW', message: `took ${Math.round(input.durationMs)} ms, more than maxResponseMs ${expect.maxResponseMs}` };
}

function checkCertificate(expect: Expectations, input: ExpectInput): CheckError | null {
  const minDays = expect.certMinDays;
  if (minDays === undefined) return null;
  // Expecting a certificate and getting none (the chain ended on http:) must not pass silently.
  if (input.tls === null) {
    return { code: 'CERT_EXPIRING', message: `no TLS certificate (the final answer came over ${input.finalUrl.protocol}), expected certMinDays ${minDays}` };
  }
  const { daysLeft, validTo } = input.tls;
  if (daysLeft === null) return { code: 'CERT_EXPIRING', message: `certificate expiry is unknown, expected certMinDays ${minDays}` };
  if (daysLeft >= minDays) return null;
  const date = validTo === null ? '' : ` (${printable(validTo.slice(0, 10))})`;
  const when = daysLeft < 0 ? `expired ${plural(-daysLeft, 'day')} ago` : `expires in ${plural(daysLeft, 'day')}`;
  return { code: 'CERT_EXPIRING', message: `certificate ${when}${date}, fewer than certMinDays ${minDays}` };
}

// The patterns urlcheck compiles (RE2) keep no state. A RegExp a library caller passes with the
// g or y flag keeps state in lastIndex between calls; a target checked twice (--compare, retries)
// must get the same answer both times.
function testRegex(pattern: TextPattern, text: string): boolean {
  if (pattern instanceof RegExp) pattern.lastIndex = 0;
  return pattern.test(text);
}

function showRegex(pattern: TextPattern): string {
  return cut(printable(String(pattern)));
}

/**
 * Server-sent (or user) text as a short, printable, double-quoted string. JSON string escaping
 * keeps it unambiguous (a quote inside shows as \", a tab as \t); printable() then escapes what
 * JSON leaves raw (C1 controls, bidirectional overrides).
 */
function quote(text: string): string {
  return `"${cut(printable(JSON.stringify(text).slice(1, -1)))}"`;
}

function quoteJson(value: unknown, secrets: readonly string[]): string {
  return cut(printable(redactText(JSON.stringify(value) ?? 'undefined', secrets)));
}

function cut(text: string): string {
  if (text.length <= MAX_QUOTED_CHARS) return text;
  let end = MAX_QUOTED_CHARS - 1;
  // Never split a surrogate pair into half a character.
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

const JSON_PATH_EXAMPLE = 'must be a JSON path such as data.items[0].id';

/**
 * Parses a JSON path into its names and array indexes: `status`, `data.items[0].id`, an
 * optional leading `$.` (`$` alone is the whole document), and `["odd key"]` or `['odd key']`
 * for names holding dots, brackets, spaces or quotes (JSON string escapes apply inside double
 * quotes). Dotted names may hold any other character, so `headers.content-type` works.
 * Throws a RangeError naming the problem and its position (1-based character).
 */
export function parseJsonPath(path: string): Array<string | number> {
  if (path === '') fail('it is empty');
  const segments: Array<string | number> = [];
  let i = 0;
  if (path[0] === '$' && (path.length === 1 || path[1] === '.' || path[1] === '[')) {
    i = 1;
    if (path[1] === '.') {
      i = 2;
      segments.push(readName());
    }
  } else if (path[0] !== '[') {
    segments.push(readName());
  }
  while (i < path.length) {
    const char = path[i];
    if (char === '.') {
      i += 1;
      segments.push(readName());
    } else if (char === '[') {
      segments.push(readBracket());
    } else {
      fail(`unexpected ${quote(char ?? '')} at character ${i + 1}`);
    }
  }
  return segments;

  function readName(): string {
    const start = i;
    while (i < path.length && !'.[]'.includes(path[i] ?? '')) {
      if (/\s/.test(path[i] ?? '')) fail(`a space at character ${i + 1} (write ["odd key"] for names with spaces)`);
      i += 1;
    }
    if (i === start) fail(`an empty name at character ${start + 1}`);
    return path.slice(start, i);
  }

  function readBracket(): string | number {
    const open = i;
    i += 1;
    const quoteChar = path[i];
    let segment: string | number;
    if (quoteChar === '"' || quoteChar === "'") {
      const start = i;
      i += 1;
      let name = '';
      while (i < path.length && path[i] !== quoteChar) {
        if (path[i] === '\\') i += 1;
        if (i < path.length) name += path[i];
        i += 1;
      }
      if (i >= path.length) fail(`the quoted name at character ${start + 1} is not closed`);
      i += 1;
      if (quoteChar === '"') {
        // Double quotes take JSON string escapes (\n, \u00e9, …), exactly as JSON.parse reads them.
        try {
          segment = JSON.parse(path.slice(start, i)) as string;
        } catch {
          fail(`the quoted name at character ${start + 1} is not a valid JSON string`);
        }
      } else {
        segment = name;
      }
    } else {
      const start = i;
      while (i < path.length && /\d/.test(path[i] ?? '')) i += 1;
      if (i === start) fail(`the bracket at character ${open + 1} must hold an index such as [0] or a quoted name such as ["odd key"]`);
      segment = Number(path.slice(start, i));
      if (!Number.isSafeInteger(segment)) fail(`the index at character ${start + 1} is too large`);
    }
    if (path[i] !== ']') fail(`the bracket at character ${open + 1} is not closed with ]`);
    i += 1;
    return segment;
  }

  function fail(detail: string): never {
    throw new RangeError(`${JSON_PATH_EXAMPLE} (got ${quote(path)}): ${detail}`);
  }
}
