import { sep } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { pathToFileURL } from 'node:url';
import type { CheckError, Target } from '../model/types.js';
import { describeFsError } from '../util/fs-errors.js';
import { checkableFragment } from '../util/fragments.js';
import { printable } from '../util/redact.js';
import { plural } from '../util/text.js';
import { DEFAULT_DOCUMENT_MAX_BYTES, gunzipIfGzipped } from './decompress.js';
import type { ExtractedLink } from './extract-html.js';
import type { SitemapEntry } from './extract-sitemap.js';
import { IgnoreComments } from './ignore-comments.js';
import { kindFromContentType, kindFromPath } from './kinds.js';
import { DEFAULT_DOCUMENT_FETCHER } from './fetcher.js';
import { parseTarget, readListBatches } from './list.js';
import { peek } from './replay.js';

export { MAX_WHOLE_DOCUMENT_CHARS } from './types.js';
import { DocumentError, MAX_WHOLE_DOCUMENT_CHARS, type DocumentFetcher, type ExtractionStats, type FetchedDocument, type InputKind, type InputSource } from './types.js';

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
  /** The run's interrupt: once aborted, a document that fails ends quietly (the run is stopping). */
  signal: AbortSignal | undefined;
  /** The child sitemaps this run has read (their href without the fragment): each is read once. */
  seen: Set<string>;
}

// One set per run: the stats object is the one thing every source of a run shares.
const SEEN_BY_RUN = new WeakMap<ExtractionStats, Set<string>>();

/**
 * The targets of one source that is (or may be) a document: fetches a URL input, decompresses
 * gzip (inflating at most {@link DEFAULT_DOCUMENT_MAX_BYTES}), works out the kind (the source's
 * own, else — for a URL — a decisive Content-Type, else the extension, else the first bytes), and
 * extracts its links as targets, each with its source and 1-based line. Markdown and HTML are read
 * whole (at most {@link MAX_WHOLE_DOCUMENT_CHARS}); sitemaps are streamed at the pace the targets
 * are pulled, and a sitemap index's children are fetched one after the other (see
 * {@link MAX_SITEMAP_DEPTH}), each once per run: a child an index of the run listed already is
 * skipped and counted (`stats.repeatedSitemaps`).
 *
 * Links that cannot be checked are counted in `stats`, not returned: other schemes (`mailto:`,
 * `tel:`, `javascript:`, `data:`, ...), same-page `#fragments`, relative links when there is
 * no base URL, and links that ignore comments switch off (see `ignore-comments.ts`). A link that is not a valid URL is a target with `invalid` set, like a bad line.
 *
 * Never rejects for what the document holds or how its server behaves: a document that cannot be
 * read becomes a target (see {@link documentFailure}), after the targets already read from it, and
 * the next source follows. Only once `source.signal` is aborted does a failing document end
 * quietly, with no target.
 */
export async function* readDocumentBatches(source: InputSource, stats: ExtractionStats): AsyncGenerator<Target[]> {
  let seen = SEEN_BY_RUN.get(stats);
  if (seen === undefined) SEEN_BY_RUN.set(stats, (seen = new Set()));
  const ctx: Context = { fetch: source.fetch ?? DEFAULT_DOCUMENT_FETCHER, stats, signal: source.signal, seen };
  let read = 0;
  try {
    for await (const batch of readSource(source, ctx)) {
      read += batch.length;
      yield batch;
    }
  } catch (error) {
    if (ctx.signal?.aborted === true) return;
    stats.failedSitemaps += 1;
    yield [documentFailure(source.name, source.name, 0, error, 'document', read)];
  }
}

/**
 * The target that stands for a document that could not be read, or not to its end: its own name
 * (a URL credentials redacted, or the path as given) at `source`:`line` (line 0 for an input of the
 * command line; the `<loc>`'s line for a child sitemap), with the error's stable code —
 * `DOCUMENT_INVALID`, `DOCUMENT_TOO_LARGE`, or the network's (`TIMEOUT`, `CONNECTION_RESET`, ...).
 * @internal Exported for tests.
 */
export function documentFailure(display: string, source: string, line: number, error: unknown, what: 'document' | 'sitemap', read: number): Target {
  const { code, message } = errorOf(error);
  const past = read > 0 ? ` past its first ${plural(read, 'URL')}` : '';
  return { display, url: null, invalid: { code, message: `${what} could not be read${past}: ${message}` }, source, line };
}

async function* readSource(source: InputSource, ctx: Context): AsyncGenerator<Target[]> {
  const { name, url } = source;
  let kind: InputKind | undefined = source.kind;
  let baseUrl = source.baseUrl ?? null;
  let chunks: AsyncIterable<Buffer | string>;
  if (url !== undefined) {
    // The input itself counts as read: an index that lists it again does not read it twice.
    ctx.seen.add(documentKey(url));
    let fetched: FetchedDocument;
    try {
      fetched = await ctx.fetch(url);
    } catch (error) {
      if (ctx.signal?.aborted === true) return;
      // Not fetched at all: its own URL, checked like any line, reports the real error.
      ctx.stats.failedSitemaps += 1;
      const target = parseTarget(url.href, name, 0);
      if (target !== null) yield [{ ...target, display: name }];
      return;
    }
    kind ??= kindFromContentType(fetched.contentType) ?? kindFromPath(fetched.url.pathname) ?? kindFromPath(url.pathname);
    baseUrl = fetched.url.href;
    chunks = fetched.body;
  } else {
    chunks = source.open();
  }
  let texts: AsyncIterable<string> = decodeText(gunzipIfGzipped(chunks, DEFAULT_DOCUMENT_MAX_BYTES));
  if (kind === undefined || (url !== undefined && kind !== 'sitemap')) {
    // A sitemap served as text/html or text/plain is common enough: its root element wins.
    const [start, replayed] = await peekStart(texts);
    texts = replayed;
    if (kind === undefined || isSitemapStart(start)) kind = kindOfStart(start);
  }
  switch (kind) {
    case 'list':
      yield* readListBatches(name, texts);
      return;
    case 'sitemap':
      yield* readSitemap(name, texts, baseUrl, 0, url === undefined ? [] : [url.href], ctx);
      return;
    case 'markdown':
    case 'html': {
      const text = await readWhole(texts);
      ctx.stats.documents += 1;
      const local = url === undefined && source.localPath !== undefined ? localLinksOf(source.localPath, source.rootDir ?? null) : null;
      yield* documentBatches(kind, text, name, baseUrl, ctx.stats, local);
      return;
    }
  }
}

async function* documentBatches(
  kind: 'markdown' | 'html',
  text: string,
  name: string,
  documentBase: string | null,
  stats: ExtractionStats,
  local: LocalLinks | null,
): AsyncGenerator<Target[]> {
  let links: ExtractedLink[];
  let base = documentBase;
  const ignores = new IgnoreComments();
  if (kind === 'markdown') {
    const { extractMarkdownLinks } = await import('./extract-markdown.js');
    links = parsed(() => extractMarkdownLinks(text, ignores));
  } else {
    const { extractHtmlLinks } = await import('./extract-html.js');
    const extracted = parsed(() => extractHtmlLinks(text, 1, { ignores }));
    links = extracted.links;
    if (extracted.baseHref !== null) base = resolveBaseHref(extracted.baseHref, documentBase);
  }
  stats.skippedIgnored += ignores.ignored;
  let batch: Target[] = [];
  for (const link of links) {
    const target = linkTarget(link.href, link.line, name, base, stats, local);
    if (target === null) continue;
    batch.push(target);
    if (batch.length >= DOCUMENT_BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

// What an extractor makes of a document, or the DOCUMENT_INVALID error that stands for the
// document when its parser gives up (a stack overflow on nesting thousands deep, or any other
// exception): one document that cannot be parsed is one result, and the other inputs are read.
function parsed<T>(extract: () => T): T {
  try {
    return extract();
  } catch (error) {
    const reason = error instanceof RangeError && /call stack/i.test(error.message) ? 'nesting too deep' : error instanceof Error ? error.message : String(error);
    throw new DocumentError('DOCUMENT_INVALID', `cannot be parsed: ${reason}`, { cause: error });
  }
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
// In a <loc>, meant as one URL like a list line, "localhost:3000/x" is a host and port without a
// scheme: parseTarget says so.
const HOST_AND_PORT = /^[^\s/:@]+:\d+(?:[/?#]|$)/;

/**
 * Where the local links of a local document lead: the document's own `file:` URL, against which
 * relative links resolve, and the root folder's (with its trailing slash), against which
 * root-relative links (`/docs/a.md`) resolve; null when there is no --root-dir.
 */
export interface LocalLinks {
  document: URL;
  root: URL | null;
}

/** The {@link LocalLinks} of the document at absolute `path`, with the optional absolute `rootDir`. */
export function localLinksOf(path: string, rootDir: string | null): LocalLinks {
  return { document: pathToFileURL(path), root: rootDir === null ? null : pathToFileURL(rootDir.endsWith(sep) ? rootDir : rootDir + sep) };
}

/**
 * The target for one link of a document, or null when it is skipped (and counted in `stats`):
 * another scheme than http(s), a same-page link of a remote document, or a relative link with no
 * base to resolve it. In a document `word:` is a scheme, digits after it or not (`tel:1234567890`,
 * `sms:`, `fax:`): the list's host:port guess does not apply.
 *
 * In a local document (`local` given), local links become `file:` targets, checked on disk: a
 * same-page `#fragment` always (the document is at hand), unless it names no anchor (`#top`,
 * `#:~:text=`, `#/route`: skipped and counted); a relative link (`guide.md`,
 * `../img/a.png`, `a%20b.md?raw=1#usage`, its query dropped) unless `base` (--base) maps it to a
 * URL, which wins; a root-relative link (`/docs/a.md`) when `local.root` is set (--root-dir), else
 * it is skipped and counted (`skippedRootRelative`). A protocol-relative `//host/x` names a host,
 * not a file: without a base it is skipped as relative.
 * @internal Exported for tests.
 */
export function linkTarget(href: string, line: number, source: string, base: string | null, stats: ExtractionStats, local: LocalLinks | null = null): Target | null {
  const trimmed = href.trim();
  if (trimmed === '' || trimmed === '#') {
    stats.skippedFragment += 1;
    return null;
  }
  if (trimmed.startsWith('#')) {
    // #top, text fragments and script routes name no anchor: nothing to check in the document.
    if (local !== null && checkableFragment(new URL(trimmed, local.document)) !== null) return fileTarget(trimmed, local.document, source, line);
    stats.skippedFragment += 1;
    return null;
  }
  const scheme = SCHEME.exec(trimmed);
  if (scheme !== null) {
    const name = `${(scheme[1] as string).toLowerCase()}:`;
    if (name === 'http:' || name === 'https:') return parseTarget(trimmed, source, line);
    stats.skippedScheme += 1;
    stats.skippedSchemes[name] = (stats.skippedSchemes[name] ?? 0) + 1;
    return null;
  }
  if (base === null) {
    if (local !== null && !trimmed.startsWith('//')) {
      if (!trimmed.startsWith('/')) return fileTarget(trimmed, local.document, source, line);
      if (local.root !== null) return fileTarget(`.${trimmed}`, local.root, source, line);
      stats.skippedRootRelative += 1;
      return null;
    }
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

// A local link as a file: target: resolved (".." and "." applied, percent-encoding kept in the
// URL, decoded when the path is read), its query dropped: a file has none.
function fileTarget(reference: string, against: URL, source: string, line: number): Target {
  let url: URL;
  try {
    url = new URL(reference, against);
  } catch {
    return { display: printable(reference), url: null, invalid: { code: 'INVALID_URL', message: 'not a valid local link' }, source, line };
  }
  url.search = '';
  return { display: url.href, url, invalid: null, source, line };
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
      throw new DocumentError('DOCUMENT_INVALID', `not a sitemap: its root element is <${printable(reader.foreignRoot)}>, not <urlset> or <sitemapindex>`);
    }
    if (reader.root === 'sitemapindex') {
      children ??= [];
      for (const entry of entries) children.push(entry);
      if (children.length > MAX_SITEMAP_INDEX_ENTRIES) {
        throw new DocumentError('DOCUMENT_INVALID', `the sitemap index lists more than ${MAX_SITEMAP_INDEX_ENTRIES} sitemaps, the protocol's limit`);
      }
      return [];
    }
    const batch: Target[] = [];
    for (const entry of entries) {
      const target = entryTarget(entry, name, baseUrl, ctx.stats);
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
  if (reader.root === null) throw new DocumentError('DOCUMENT_INVALID', 'not a sitemap: no <urlset> or <sitemapindex> element');
  for (const child of children ?? []) {
    if (ctx.signal?.aborted === true) return;
    yield* readChildSitemap(child, name, baseUrl, depth + 1, ancestors, ctx);
  }
}

// A <loc> cut at MAX_LOC_LENGTH is not a URL: an INVALID_URL target, as an over-long list line;
// so is a host:port without a scheme, as on a list line.
function entryTarget(entry: SitemapEntry, source: string, base: string | null, stats: ExtractionStats): Target | null {
  if (entry.truncated === true) return parseTarget(entry.loc, source, entry.line, true);
  if (HOST_AND_PORT.test(entry.loc.trim())) return parseTarget(entry.loc, source, entry.line);
  return linkTarget(entry.loc, entry.line, source, base, stats);
}

/**
 * One child of a sitemap index, whose URLs come with the child's URL as their source. A child
 * that cannot be read is never dropped and never stops the run; it becomes one target at the
 * index's `<loc>` line:
 * - when it cannot be fetched (an error status, a refused connection, a timeout), the child's
 *   URL itself, so the check requests it again and reports the real error with its stable code
 *   (HTTP_STATUS 404, DNS, TIMEOUT, ...), retries included;
 * - when it answers but cannot be used, or breaks off part-way, an invalid target whose message
 *   says why (see {@link documentFailure}): `DOCUMENT_INVALID` (not a sitemap, corrupt gzip, a
 *   loop, nested too deep), `DOCUMENT_TOO_LARGE`, or the network's code (`TIMEOUT`,
 *   `CONNECTION_RESET`): checking its URL would pass and hide the problem.
 * A child this run has read already (listed twice, or by two indexes) is skipped and counted.
 */
async function* readChildSitemap(
  entry: SitemapEntry,
  parentName: string,
  parentBase: string | null,
  depth: number,
  ancestors: readonly string[],
  ctx: Context,
): AsyncGenerator<Target[]> {
  const target = entryTarget(entry, parentName, parentBase, ctx.stats);
  if (target === null) return;
  if (target.url === null) {
    yield [target];
    return;
  }
  const failed = (error: unknown, read = 0): Target[] => {
    ctx.stats.failedSitemaps += 1;
    return [documentFailure(target.display, target.source, target.line, error, 'sitemap', read)];
  };
  const notFollowed = (message: string): Target[] => {
    ctx.stats.failedSitemaps += 1;
    return [{ display: target.display, url: null, invalid: { code: 'DOCUMENT_INVALID', message }, source: target.source, line: target.line }];
  };
  const href = target.url.href;
  if (ancestors.includes(href)) {
    yield notFollowed('sitemap index loop: this sitemap lists itself or an index above it; not followed');
    return;
  }
  const key = documentKey(target.url);
  if (ctx.seen.has(key)) {
    ctx.stats.repeatedSitemaps += 1;
    return;
  }
  ctx.seen.add(key);
  if (depth > MAX_SITEMAP_DEPTH) {
    yield notFollowed(`sitemap indexes nested more than ${MAX_SITEMAP_DEPTH} deep; not followed`);
    return;
  }
  let document: FetchedDocument;
  try {
    document = await ctx.fetch(target.url);
  } catch {
    if (ctx.signal?.aborted === true) return;
    ctx.stats.failedSitemaps += 1;
    yield [target];
    return;
  }
  let read = 0;
  try {
    const texts = decodeText(gunzipIfGzipped(document.body, DEFAULT_DOCUMENT_MAX_BYTES));
    for await (const batch of readSitemap(target.display, texts, document.url.href, depth, [...ancestors, href], ctx)) {
      read += batch.length;
      yield batch;
    }
  } catch (error) {
    if (ctx.signal?.aborted === true) return;
    yield failed(error, read);
  }
}

// What identifies a document within a run: its href without the fragment (credentials included).
function documentKey(url: URL): string {
  const hash = url.href.indexOf('#');
  return hash === -1 ? url.href : url.href.slice(0, hash);
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
      throw new DocumentError('DOCUMENT_TOO_LARGE', `larger than ${MAX_WHOLE_DOCUMENT_CHARS / 1024 / 1024} MiB; Markdown and HTML documents are read whole`);
    }
    parts.push(text);
  }
  const whole = parts.join('');
  return whole.charCodeAt(0) === 0xfeff ? whole.slice(1) : whole;
}

// The stable code and credential-free message of why a document could not be read.
function errorOf(error: unknown): CheckError {
  if (error instanceof DocumentError) return error.toCheckError();
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR') return { code: 'DOCUMENT_INVALID', message: 'the compressed data is corrupt' };
  return { code: 'UNKNOWN', message: describeFsError(error) };
}
