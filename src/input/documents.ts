import { StringDecoder } from 'node:string_decoder';
import { InputReadError } from '../model/errors.js';
import type { Target } from '../model/types.js';
import { printable, redactText } from '../util/redact.js';
import { gunzipIfGzipped } from './decompress.js';
import type { ExtractedLink } from './extract-html.js';
import type { SitemapEntry } from './extract-sitemap.js';
import { kindFromContentType, kindFromPath } from './kinds.js';
import { DEFAULT_DOCUMENT_FETCHER } from './fetcher.js';
import { parseTarget, readListBatches } from './list.js';
import { peek } from './replay.js';
import type { DocumentFetcher, ExtractionStats, FetchedDocument, InputKind, InputSource } from './types.js';

/** Largest Markdown or HTML document, in characters (about bytes): they are parsed whole. */
export const MAX_WHOLE_DOCUMENT_CHARS = 32 * 1024 * 1024;
/** How deep sitemap indexes are followed: an index's children are at depth 1, theirs at 2, and so on. */
export const MAX_SITEMAP_DEPTH = 3;
/** Most child sitemaps one index may list (the sitemaps protocol's limit); an index is read whole before its children. */
export const MAX_SITEMAP_INDEX_ENTRIES = 50_000;
/** Targets per batch from a Markdown or HTML document. */
const DOCUMENT_BATCH = 512;
/** Characters looked at to tell HTML or a sitemap from a plain list. */
const SNIFF_CHARS = 1024;

interface Context {
  fetch: DocumentFetcher;
  stats: ExtractionStats;
}

/**
 * The targets of one source that is (or may be) a document: fetches a URL input, decompresses
 * gzip, works out the kind (the source's own, else — for a URL — a decisive Content-Type, else the
 * extension, else the first bytes), and extracts its links as targets, each with its source and
 * 1-based line. Markdown and HTML are read whole (at most {@link MAX_WHOLE_DOCUMENT_CHARS});
 * sitemaps are streamed at the pace the targets are pulled, and a sitemap index's children are
 * fetched one after the other (see {@link MAX_SITEMAP_DEPTH}).
 *
 * Links that cannot be checked are counted in `stats`, not returned: other schemes (`mailto:`,
 * `tel:`, `javascript:`, `data:`, ...), same-page `#fragments`, and relative links when there is
 * no base URL. A link that is not a valid URL is a target with `invalid` set, like a bad line.
 *
 * Rejects with an {@link InputReadError} when the source itself cannot be read; a child sitemap
 * that cannot be read becomes a target instead (see `readChildSitemap`).
 */
export async function* readDocumentBatches(source: InputSource, stats: ExtractionStats): AsyncGenerator<Target[]> {
  const ctx: Context = { fetch: source.fetch ?? DEFAULT_DOCUMENT_FETCHER, stats };
  const { name } = source;
  let kind: InputKind | undefined = source.kind;
  let baseUrl = source.baseUrl ?? null;
  let fetched: FetchedDocument | null = null;
  let chunks: AsyncIterable<Buffer | string>;
  if (source.url !== undefined) {
    try {
      fetched = await ctx.fetch(source.url);
    } catch (error) {
      throw new InputReadError(name, (error as Error).message, { cause: error });
    }
    kind ??= kindFromContentType(fetched.contentType) ?? kindFromPath(fetched.url.pathname) ?? kindFromPath(source.url.pathname);
    baseUrl = fetched.url.href;
    chunks = fetched.body;
  } else {
    chunks = source.open();
  }
  try {
    let texts: AsyncIterable<string> = decodeText(gunzipIfGzipped(chunks));
    if (kind === undefined || (source.url !== undefined && kind !== 'sitemap')) {
      // A sitemap served as text/html or text/plain is common enough: its root element wins.
      const [start, replayed] = await peekStart(texts);
      texts = replayed;
      if (kind === undefined || isSitemapStart(start)) kind = kindOfStart(start);
    }
    // Only Markdown and HTML are read whole under the fetch's deadline; a sitemap or a list is
    // read as its URLs are checked, which may take far longer than any one request.
    if (kind !== 'markdown' && kind !== 'html') fetched?.releaseDeadline();
    switch (kind) {
      case 'list':
        yield* readListBatches(name, texts);
        return;
      case 'sitemap':
        yield* readSitemap(name, texts, baseUrl, 0, source.url === undefined ? [] : [source.url.href], ctx);
        return;
      case 'markdown':
      case 'html': {
        const text = await readWhole(texts);
        stats.documents += 1;
        yield* documentBatches(kind, text, name, baseUrl, stats);
        return;
      }
    }
  } catch (error) {
    if (error instanceof InputReadError) throw error;
    throw new InputReadError(name, reasonOf(error), { cause: error });
  }
}

async function* documentBatches(
  kind: 'markdown' | 'html',
  text: string,
  name: string,
  documentBase: string | null,
  stats: ExtractionStats,
): AsyncGenerator<Target[]> {
  let links: ExtractedLink[];
  let base = documentBase;
  if (kind === 'markdown') {
    const { extractMarkdownLinks } = await import('./extract-markdown.js');
    links = extractMarkdownLinks(text);
  } else {
    const { extractHtmlLinks } = await import('./extract-html.js');
    const extracted = extractHtmlLinks(text);
    links = extracted.links;
    if (extracted.baseHref !== null) base = resolveBaseHref(extracted.baseHref, documentBase);
  }
  let batch: Target[] = [];
  for (const link of links) {
    const target = linkTarget(link.href, link.line, name, base, stats);
    if (target === null) continue;
    batch.push(target);
    if (batch.length >= DOCUMENT_BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

// <base href> applies to the whole document; a relative one resolves against the document's URL,
// and without one it cannot be used.
function resolveBaseHref(baseHref: string, documentBase: string | null): string | null {
  try {
    const url = documentBase === null ? new URL(baseHref.trim()) : new URL(baseHref.trim(), documentBase);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : documentBase;
  } catch {
    return documentBase;
  }
}

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;
// "localhost:3000/x" looks like a scheme but is a host and port without one: parseTarget says so.
const HOST_AND_PORT = /^[^\s/:@]+:\d+(?:[/?#]|$)/;

/**
 * The target for one link of a document, or null when it is skipped (and counted in `stats`):
 * another scheme than http(s), a same-page link, or a relative link with no base to resolve it.
 * @internal Exported for tests.
 */
export function linkTarget(href: string, line: number, source: string, base: string | null, stats: ExtractionStats): Target | null {
  const trimmed = href.trim();
  if (trimmed === '' || trimmed.startsWith('#')) {
    stats.skippedFragment += 1;
    return null;
  }
  const scheme = SCHEME.exec(trimmed);
  if (scheme !== null && !HOST_AND_PORT.test(trimmed)) {
    const name = `${(scheme[1] as string).toLowerCase()}:`;
    if (name === 'http:' || name === 'https:') return parseTarget(trimmed, source, line);
    stats.skippedScheme += 1;
    stats.skippedSchemes[name] = (stats.skippedSchemes[name] ?? 0) + 1;
    return null;
  }
  if (scheme !== null) return parseTarget(trimmed, source, line);
  if (base === null) {
    stats.skippedRelative += 1;
    return null;
  }
  let resolved: string;
  try {
    resolved = new URL(trimmed, base).href;
  } catch {
    return parseTarget(trimmed, source, line);
  }
  return parseTarget(resolved, source, line);
}

async function* readSitemap(
  name: string,
  texts: AsyncIterable<string>,
  baseUrl: string | null,
  depth: number,
  ancestors: readonly string[],
  ctx: Context,
): AsyncGenerator<Target[]> {
  const { SitemapReader } = await import('./extract-sitemap.js');
  const reader = new SitemapReader();
  ctx.stats.documents += 1;
  // An index is read to its end before its children are fetched: a child can take as long as
  // checking 50,000 URLs, and a server would drop a connection left unread that long.
  let children: SitemapEntry[] | null = null;
  const accept = (entries: SitemapEntry[]): Target[] => {
    if (reader.foreignRoot !== null) {
      throw new Error(`not a sitemap: its root element is <${printable(reader.foreignRoot)}>, not <urlset> or <sitemapindex>`);
    }
    if (reader.root === 'sitemapindex') {
      children ??= [];
      for (const entry of entries) children.push(entry);
      if (children.length > MAX_SITEMAP_INDEX_ENTRIES) {
        throw new Error(`the sitemap index lists more than ${MAX_SITEMAP_INDEX_ENTRIES} sitemaps, the protocol's limit`);
      }
      return [];
    }
    const batch: Target[] = [];
    for (const entry of entries) {
      const target = linkTarget(entry.loc, entry.line, name, baseUrl, ctx.stats);
      if (target !== null) batch.push(target);
    }
    return batch;
  };
  for await (const text of texts) {
    const batch = accept(reader.write(text));
    if (batch.length > 0) yield batch;
  }
  const batch = accept(reader.end());
  if (batch.length > 0) yield batch;
  if (reader.root === null) throw new Error('not a sitemap: no <urlset> or <sitemapindex> element');
  for (const child of children ?? []) yield* readChildSitemap(child, name, baseUrl, depth + 1, ancestors, ctx);
}

/**
 * One child of a sitemap index, whose URLs come with the child's URL as their source. A child
 * that cannot be read is never dropped and never stops the run; it becomes one target at the
 * index's `<loc>` line:
 * - when it cannot be fetched (an error status, a refused connection, a timeout), the child's
 *   URL itself, so the check requests it again and reports the real error with its stable code
 *   (HTTP_STATUS 404, DNS, TIMEOUT, ...), retries included;
 * - when it answers but cannot be used (not a sitemap, corrupt gzip, over the size cap, cut off,
 *   a loop, nested too deep), an invalid target (code UNKNOWN) whose message says why: checking
 *   its URL would pass and hide the problem.
 */
async function* readChildSitemap(
  entry: SitemapEntry,
  parentName: string,
  parentBase: string | null,
  depth: number,
  ancestors: readonly string[],
  ctx: Context,
): AsyncGenerator<Target[]> {
  const target = linkTarget(entry.loc, entry.line, parentName, parentBase, ctx.stats);
  if (target === null) return;
  if (target.url === null) {
    yield [target];
    return;
  }
  const failed = (message: string): Target[] => {
    ctx.stats.failedSitemaps += 1;
    return [{ display: target.display, url: null, invalid: { code: 'UNKNOWN', message }, source: target.source, line: target.line }];
  };
  const href = target.url.href;
  if (ancestors.includes(href)) {
    yield failed('sitemap index loop: this sitemap lists itself or an index above it; not followed');
    return;
  }
  if (depth > MAX_SITEMAP_DEPTH) {
    yield failed(`sitemap indexes nested more than ${MAX_SITEMAP_DEPTH} deep; not followed`);
    return;
  }
  let document: FetchedDocument;
  try {
    document = await ctx.fetch(target.url);
  } catch {
    ctx.stats.failedSitemaps += 1;
    yield [target];
    return;
  }
  document.releaseDeadline();
  let read = 0;
  try {
    for await (const batch of readSitemap(target.display, decodeText(document.body), document.url.href, depth, [...ancestors, href], ctx)) {
      read += batch.length;
      yield batch;
    }
  } catch (error) {
    yield failed(`sitemap could not be read${read > 0 ? ` past its first ${read} URLs` : ''}: ${reasonOf(error)}`);
  }
}

async function* decodeText(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    if (text.length > 0) yield text;
  }
  const rest = decoder.end();
  if (rest.length > 0) yield rest;
}

// The first characters of a text stream (whitespace and BOM dropped, lower-cased), and the
// stream again from its beginning.
async function peekStart(texts: AsyncIterable<string>): Promise<[string, AsyncIterable<string>]> {
  let length = 0;
  const { head, stream } = await peek(texts, (text) => (length += text.length) >= SNIFF_CHARS);
  const start = head.join('').slice(0, SNIFF_CHARS).replace(/^[\s\ufeff]+/, '').toLowerCase();
  return [start, stream];
}

function isSitemapStart(start: string): boolean {
  return (start.startsWith('<?xml') || start.startsWith('<urlset') || start.startsWith('<sitemapindex')) && /<(?:urlset|sitemapindex)[\s>]/.test(start);
}

// The kind of an input from its first characters: a sitemap, HTML, or (anything else, markup
// included) a list as before. An XML document that is not a sitemap is read as one, so that the
// error names its root element.
function kindOfStart(start: string): InputKind {
  if (isSitemapStart(start)) return 'sitemap';
  if (start.startsWith('<!doctype html') || start.startsWith('<html')) return 'html';
  if (start.startsWith('<?xml')) return start.includes('<html') ? 'html' : 'sitemap';
  return 'list';
}

async function readWhole(texts: AsyncIterable<string>): Promise<string> {
  const parts: string[] = [];
  let length = 0;
  for await (const text of texts) {
    length += text.length;
    if (length > MAX_WHOLE_DOCUMENT_CHARS) {
      throw new Error(`larger than ${MAX_WHOLE_DOCUMENT_CHARS / 1024 / 1024} MiB; Markdown and HTML documents are read whole`);
    }
    parts.push(text);
  }
  const whole = parts.join('');
  return whole.charCodeAt(0) === 0xfeff ? whole.slice(1) : whole;
}

function reasonOf(error: unknown): string {
  if (error instanceof InputReadError) return error.reason;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR') return 'the compressed data is corrupt';
  return printable(redactText(error instanceof Error ? error.message : String(error)));
}
