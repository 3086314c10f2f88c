import { printable, redactText } from '../util/redact.js';
import type { Target } from '../model/types.js';
import { readLineBatches } from './lines.js';

/** Longest invalid line shown in a report, in characters; the rest is elided. */
export const MAX_DISPLAYED_INVALID_LINE = 1000;

/**
 * Turns one input line into a target, or null for a blank line or a `#` comment.
 * A line that is not a checkable URL is still a target (with `invalid` set): it becomes a
 * result, never an exception and never a silent drop.
 */
export function parseTarget(text: string, source: string, line: number, truncated = false): Target | null {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return null;
  const display = printable(redactText(redactLineUserinfo(trimmed)));
  if (truncated) {
    return invalid(display, source, line, 'INVALID_URL', 'line is longer than 1 MiB; not a URL');
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return invalid(display, source, line, 'INVALID_URL', invalidUrlMessage(trimmed, display));
  }
  if (!trimmed.includes('//') && /^[^\s/:@]+:\d+(?:[/?#]|$)/.test(trimmed)) {
    // "example.com:8080/x" parses as the scheme "example.com:"; it is a host:port without a scheme.
    return invalid(display, source, line, 'INVALID_URL', `not a valid URL: no scheme (did you mean "http://${display.slice(0, 200)}"?)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return invalid(
      display,
      source,
      line,
      'UNSUPPORTED_PROTOCOL',
      `unsupported protocol "${url.protocol}"; only http: and https: URLs are checked`,
    );
  }
  return { display, url, invalid: null, source, line };
}

/**
 * The plain-list path: one target per line that is neither blank nor a `#` comment. Also the
 * path of a URL input that turns out to be a list (`documents.ts`).
 */
export async function* readListBatches(name: string, chunks: AsyncIterable<Buffer | string>): AsyncGenerator<Target[]> {
  for await (const lines of readLineBatches(chunks)) {
    const batch: Target[] = [];
    for (const { line, text, truncated } of lines) {
      const target = parseTarget(text, name, line, truncated);
      if (target !== null) batch.push(target);
    }
    if (batch.length > 0) yield batch;
  }
}

function invalid(
  display: string,
  source: string,
  line: number,
  code: 'INVALID_URL' | 'UNSUPPORTED_PROTOCOL',
  message: string,
): Target {
  return { display: elide(display), url: null, invalid: { code, message }, source, line };
}

function elide(display: string): string {
  if (display.length <= MAX_DISPLAYED_INVALID_LINE) return display;
  return `${display.slice(0, MAX_DISPLAYED_INVALID_LINE)}… (${display.length} characters)`;
}

function invalidUrlMessage(trimmed: string, display: string): string {
  if (!/^[a-z][a-z0-9+.-]*:/i.test(trimmed) && /^[^\s/]+\.[^\s/]+/.test(trimmed)) {
    return `not a valid URL: no scheme (did you mean "https://${display.slice(0, 200)}"?)`;
  }
  return 'not a valid URL';
}

// A line is meant to be one URL, so whatever precedes the last "@" of its authority is userinfo,
// even without "://": the URL parser accepts "https:user:pass@host" and "https:\\user:pass@host"
// (and sends the credentials), and a line missing its scheme ("user:pass@host") still holds them.
// Any scheme, not only http(s): "ws:\\user:pass@host" is shown (as UNSUPPORTED_PROTOCOL) too.
const LINE_USERINFO = /^((?:[a-z][a-z0-9+.-]*:)?[/\\]*)[^/\\?#]*@/i;

function redactLineUserinfo(line: string): string {
  return line.includes('@') ? line.replace(LINE_USERINFO, '$1***@') : line;
}
