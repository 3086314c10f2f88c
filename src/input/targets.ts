import { printable, redactText } from '../util/redact.js';
import type { Target } from '../model/types.js';
import { readLineBatches } from './lines.js';
import { replay } from './replay.js';
import { InputReadError } from '../model/errors.js';

/** Longest invalid line shown in a report, in characters; the rest is elided. */
export const MAX_DISPLAYED_INVALID_LINE = 1000;

/**
 * What an input holds, which decides how URLs are found in it: `list` is one URL per line (the
 * fast path); `markdown`, `html` and `sitemap` are documents whose links are extracted.
 */
export type InputKind = 'list' | 'markdown' | 'html' | 'sitemap';

/** Every {@link InputKind}, for help text and validation. */
export const INPUT_KINDS: readonly InputKind[] = ['list', 'markdown', 'html', 'sitemap'];

/**
 * A document fetched over HTTP: where it ended up after redirects, what the server said it is,
 * and its decoded body (gunzipped when it was gzip), read lazily.
 */
export interface FetchedDocument {
  /** The URL that answered, after redirects: relative links resolve against it. Holds credentials: never print it. */
  url: URL;
  /** The Content-Type's media type, lower-case, without parameters; null when absent. */
  contentType: string | null;
  /** The decoded body; reading past the size cap throws. Breaking out of it closes the connection. */
  body: AsyncIterable<Buffer>;
  /**
   * Stops the fetch's hard deadline, for a body read at the pace its URLs are checked (a
   * sitemap); undici's idle timer still guards a server that stalls. Without this call the
   * deadline covers the whole body.
   */
  releaseDeadline(): void;
}

/** Fetches one document by URL; rejects with an Error whose message is credential-free. */
export type DocumentFetcher = (url: URL) => Promise<FetchedDocument>;

/**
 * A named source of URLs: a file, stdin, or a document URL, and a way to read its bytes.
 * Only `name` and `open` are required: a source without `kind` is a plain list unless its first
 * bytes say it is HTML or a sitemap.
 */
export interface InputSource {
  /** What results report as `source`: the path as given, `stdin`, or the URL (credentials redacted). */
  name: string;
  /** Opens the byte stream; called once, when the source's turn comes. */
  open(): AsyncIterable<Buffer | string>;
  /** What the source holds; undefined: sniffed from its first bytes (and its Content-Type, for a URL). */
  kind?: InputKind;
  /** The document's URL, against which relative links resolve; null or absent: relative links are skipped (and counted). */
  baseUrl?: string | null;
  /** Set for a URL input: the document is fetched from it, and its kind and base come from the answer. Holds credentials. */
  url?: URL;
  /** Fetches URL inputs and a sitemap index's child sitemaps; absent: a default fetcher (see `sources.ts`). */
  fetch?: DocumentFetcher;
}

/**
 * What extraction from documents left out, so the CLI can say so: nothing is dropped silently.
 * Counts only grow; one object is shared by every source of a run.
 */
export interface ExtractionStats {
  /** Relative links not checked: the document has no URL and no `base` was given. */
  skippedRelative: number;
  /** Links with a scheme other than http: and https: (mailto:, tel:, javascript:, data:, ...). */
  skippedScheme: number;
  /** {@link skippedScheme} by scheme, e.g. `{ 'mailto:': 2, 'tel:': 1 }`. */
  skippedSchemes: Record<string, number>;
  /** Same-page links: a pure `#fragment`, or an empty href. */
  skippedFragment: number;
  /** Documents read (Markdown, HTML, sitemaps, child sitemaps included). */
  documents: number;
  /** Child sitemaps that could not be read; each still became a result. */
  failedSitemaps: number;
}

/** A fresh, all-zero {@link ExtractionStats}. */
export { InputReadError };

export function createExtractionStats(): ExtractionStats {
  return { skippedRelative: 0, skippedScheme: 0, skippedSchemes: {}, skippedFragment: 0, documents: 0, failedSitemaps: 0 };
}


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
 * Reads every source in turn, lazily, and yields one target per URL line (or per link of a
 * document). Nothing is read ahead of what the consumer pulls beyond the current chunk, so a
 * list of millions of lines costs one 64 KiB chunk of memory.
 */
export async function* readTargets(sources: Iterable<InputSource>, stats?: ExtractionStats): AsyncGenerator<Target> {
  for await (const batch of readTargetBatches(sources, stats)) yield* batch;
}

/**
 * {@link readTargets}, a batch per chunk of input: one async step per 64 KiB read instead of per
 * line (the CLI's hot path). Batches are never empty; memory is bounded by the chunk size for
 * lists and sitemaps, and by one document (at most 32 MiB) for Markdown and HTML.
 *
 * Documents are extracted by `documents.ts`, loaded only when one is met, so a run over plain
 * lists never loads a parser. What extraction skips is added to `stats`. Rejects with an
 * {@link InputReadError} when a URL input or a document cannot be read.
 */
export async function* readTargetBatches(sources: Iterable<InputSource>, stats?: ExtractionStats): AsyncGenerator<Target[]> {
  for (const source of sources) {
    if (source.kind === 'list' && source.url === undefined) {
      yield* readListBatches(source.name, source.open());
      continue;
    }
    if (source.kind === undefined && source.url === undefined) {
      // Only a first character of "<" (markup) or 0x1f (gzip) can make an unnamed input a
      // document; anything else stays on the list path without loading the parsers.
      const iterator = source.open()[Symbol.asyncIterator]();
      const head: Array<Buffer | string> = [];
      let first: number | null = null;
      let done = false;
      let looked = 0;
      // A stream of nothing but whitespace is a list: stop looking after SNIFF_LIMIT characters.
      while (first === null && looked < SNIFF_LIMIT) {
        const next = await iterator.next();
        if (next.done === true) {
          done = true;
          break;
        }
        head.push(next.value);
        looked += next.value.length;
        first = firstSignificantCode(next.value, head.length === 1);
      }
      const chunks = replay(head, done ? null : iterator);
      if (first !== 0x3c && first !== 0x1f) {
        yield* readListBatches(source.name, chunks);
        continue;
      }
      const { readDocumentBatches } = await import('./documents.js');
      yield* readDocumentBatches({ ...source, open: () => chunks }, stats ?? createExtractionStats());
      continue;
    }
    const { readDocumentBatches } = await import('./documents.js');
    yield* readDocumentBatches(source, stats ?? createExtractionStats());
  }
}

/**
 * The plain-list path: one target per line that is neither blank nor a `#` comment.
 * @internal Shared with `documents.ts`, for a URL input that turns out to be a list.
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

const SNIFF_LIMIT = 64 * 1024;

// The first character that is not whitespace or a BOM (as a char code), or null when the chunk
// has none. A Buffer is looked at byte by byte: only ASCII matters here.
function firstSignificantCode(chunk: Buffer | string, atStart: boolean): number | null {
  for (let index = 0; index < chunk.length; index += 1) {
    const code = typeof chunk === 'string' ? chunk.charCodeAt(index) : (chunk[index] as number);
    if (atStart && code === 0x1f && index === 0) return code;
    if (code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d || code === 0xfeff) continue;
    // The UTF-8 BOM, byte by byte.
    if (typeof chunk !== 'string' && index < 3 && (code === 0xef || code === 0xbb || code === 0xbf)) continue;
    return code;
  }
  return null;
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
