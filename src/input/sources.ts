import { constants as fsConstants, createReadStream } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { LookupFunction } from 'node:net';
import { extname, isAbsolute, resolve as resolvePath } from 'node:path';
import type { Agent as UndiciAgent, Dispatcher } from 'undici';
import { DEFAULT_TIMEOUT_MS, DEFAULT_USER_AGENT } from '../model/defaults.js';
import { isNonPublicAddress } from '../net/address-policy.js';
import type { ProxySettings } from '../net/proxy.js';
import { UsageError } from '../model/errors.js';
import { printable, redactText, redactUrl } from '../util/redact.js';
import {
  InputReadError,
  type DocumentFetcher,
  type ExtractionStats,
  type FetchedDocument,
  type InputKind,
  type InputSource,
} from './targets.js';
import { replay } from './replay.js';
import { describeFsError } from '../util/fs-errors.js';
import { formatBytes, plural, safeDecodeURIComponent } from '../util/text.js';

export { InputReadError, type DocumentFetcher, type ExtractionStats, type FetchedDocument, type InputKind, type InputSource };

/** Largest document fetched from a URL (after decompression), in bytes: 64 MiB, above the sitemap protocol's 50 MB. */
export const DEFAULT_DOCUMENT_MAX_BYTES = 64 * 1024 * 1024;
/** Redirects followed when fetching a URL input or a child sitemap. */
export const DOCUMENT_MAX_REDIRECTS = 5;

/** How {@link fetchDocument} fetches. */
export interface FetchDocumentOptions {
  /** Hard deadline for the answer's headers (and, unless released, its whole body), in milliseconds; also undici's idle timers. */
  timeoutMs: number;
  /** Largest body, after decompression, in bytes; default {@link DEFAULT_DOCUMENT_MAX_BYTES}. */
  maxBytes?: number;
  /** A custom DNS lookup (as for `net.connect`), e.g. the --public-only policy or a test's. */
  lookup?: LookupFunction | undefined;
  /** The User-Agent header; default urlcheck's. */
  userAgent?: string;
  /** Accept any TLS certificate (--insecure). */
  insecure?: boolean;
  /** Route through these proxies (--proxy, HTTP_PROXY, HTTPS_PROXY, NO_PROXY), as the checks do; null or absent: direct. */
  proxy?: ProxySettings | null;
  /**
   * --public-only: refuse address literals that are not public, at every redirect (names are
   * refused by `lookup` once resolved). A sitemap index is untrusted input: without this, one
   * could point the fetcher at the local network or a cloud metadata address.
   */
  publicOnly?: boolean;
}

/** How {@link resolveInputs} finds and opens inputs. */
export interface ResolveInputsOptions extends Omit<FetchDocumentOptions, 'maxBytes'> {
  /** Relative paths and globs are taken from here. */
  cwd: string;
  /** Absolute http(s) URL against which relative links in local documents resolve (--base); null: they are skipped and counted. */
  base: string | null;
  /** What `-` reads. */
  stdin: AsyncIterable<Buffer | string>;
}

/**
 * The kind an extension names: `.md`/`.markdown`/`.mdx` Markdown, `.html`/`.htm`/`.xhtml` HTML,
 * `.xml` a sitemap (and the same with `.gz`), `.txt` a list. Anything else: undefined, the
 * content decides.
 */
export function kindFromPath(path: string): InputKind | undefined {
  const lower = path.toLowerCase();
  const extension = extname(lower.endsWith('.gz') ? lower.slice(0, -3) : lower);
  return EXTENSION_KINDS[extension];
}

const EXTENSION_KINDS: Record<string, InputKind | undefined> = {
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.mdx': 'markdown',
  '.html': 'html',
  '.htm': 'html',
  '.xhtml': 'html',
  '.xml': 'sitemap',
  '.txt': 'list',
};

/**
 * The kind a Content-Type names when it is decisive (HTML, Markdown, XML); null for anything
 * vaguer (`text/plain`, `application/octet-stream`, gzip), where the URL's extension and then the
 * first bytes decide.
 */
export function kindFromContentType(contentType: string | null): InputKind | null {
  switch (contentType) {
    case 'text/html':
    case 'application/xhtml+xml':
      return 'html';
    case 'text/markdown':
    case 'text/x-markdown':
      return 'markdown';
    case 'application/xml':
    case 'text/xml':
      return 'sitemap';
    default:
      return null;
  }
}

/**
 * Turns the command line's inputs into sources, in order, before anything is read, so a typo
 * fails at once:
 * - `-` is stdin (a list, unless its first bytes are HTML or a sitemap);
 * - an `http://` or `https://` argument is a document fetched when its turn comes (its kind from
 *   its Content-Type, extension or first bytes; relative links resolve against it);
 * - an existing path is a file (its kind from its extension, else its first bytes);
 * - anything else with glob characters (`*`, `?`, `[`, `{`) is expanded with tinyglobby: files
 *   only, sorted by code point so runs are reproducible, dot-files and `node_modules` left out
 *   unless the pattern names them; a match that an earlier argument already listed is not listed
 *   again (a path given by name always is, as before).
 *
 * Rejects with an {@link InputReadError} naming the input (`cannot read input "<pattern>": no files
 * match`, a missing or unreadable file, a directory) and with a {@link UsageError} for a `base` that
 * is not an absolute http(s) URL.
 */
export async function resolveInputs(args: readonly string[], options: ResolveInputsOptions): Promise<InputSource[]> {
  const base = options.base === null ? null : checkBase(options.base);
  const fetch = createDocumentFetcher(options);
  const sources: InputSource[] = [];
  const seen = new Set<string>();
  for (const arg of args) {
    if (arg === '-') {
      sources.push({ name: 'stdin', open: () => options.stdin, baseUrl: base, fetch });
      continue;
    }
    if (/^https?:\/\//i.test(arg)) {
      sources.push(urlSource(arg, fetch));
      continue;
    }
    const path = isAbsolute(arg) ? arg : resolvePath(options.cwd, arg);
    const info = await stat(path).catch((error: unknown) => error as NodeJS.ErrnoException);
    if (info instanceof Error && info.code === 'ENOENT' && /[*?[\]{}]/.test(arg)) {
      const matches = await expandGlob(arg, options.cwd);
      const fresh = matches.filter((match) => !seen.has(resolvePath(options.cwd, match)));
      for (const match of fresh) {
        const matchPath = resolvePath(options.cwd, match);
        seen.add(matchPath);
        await checkReadable(match, matchPath);
        sources.push(fileSource(match, matchPath, base, fetch));
      }
      continue;
    }
    if (info instanceof Error) throw new InputReadError(printable(arg), describeFsError(info));
    if (info.isDirectory()) {
      throw new InputReadError(printable(arg), `it is a directory (for the documents in it, quote a glob: "${arg.replace(/\/+$/, '')}/**/*.md")`);
    }
    await checkReadable(arg, path);
    seen.add(path);
    sources.push(fileSource(arg, path, base, fetch));
  }
  return sources;
}

/**
 * The one line the CLI prints on stderr about links it did not check, e.g.
 * `skipped 3 relative links (use --base <url> to check them), 2 mailto:/tel: links and 1 same-page #fragment link`;
 * null when nothing was skipped.
 */
export function describeSkipped(stats: ExtractionStats): string | null {
  const parts: string[] = [];
  if (stats.skippedRelative > 0) {
    parts.push(`${plural(stats.skippedRelative, 'relative link')} (use --base <url> to check them)`);
  }
  if (stats.skippedScheme > 0) {
    const schemes = Object.entries(stats.skippedSchemes)
      .sort(([a, countA], [b, countB]) => countB - countA || (a < b ? -1 : 1))
      .map(([scheme]) => scheme);
    const shown = schemes.length > 4 ? `${schemes.slice(0, 4).join('/')}/…` : schemes.join('/');
    parts.push(plural(stats.skippedScheme, `${shown} link`));
  }
  if (stats.skippedFragment > 0) parts.push(plural(stats.skippedFragment, 'same-page #fragment link'));
  if (parts.length === 0) return null;
  const last = parts.pop() as string;
  return `skipped ${parts.length > 0 ? `${parts.join(', ')} and ${last}` : last}`;
}

function checkBase(base: string): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new UsageError(`--base must be an absolute http(s) URL, e.g. https://example.com/docs/; got "${printable(redactText(base))}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--base must be an http: or https: URL; got "${printable(redactText(base))}"`);
  }
  return url.href;
}

function fileSource(name: string, path: string, base: string | null, fetch: DocumentFetcher): InputSource {
  const source: InputSource = { name, open: () => createReadStream(path), baseUrl: base, fetch };
  const kind = kindFromPath(path);
  if (kind !== undefined) source.kind = kind;
  return source;
}

function urlSource(arg: string, fetch: DocumentFetcher): InputSource {
  let url: URL;
  try {
    url = new URL(arg);
  } catch {
    throw new InputReadError(printable(redactText(arg)), 'not a valid URL');
  }
  const name = printable(redactUrl(url));
  return {
    name,
    url,
    fetch,
    // For a caller that only knows open(): the raw body; the kind is then sniffed from it.
    open: () => fetchBody(fetch, url, name),
  };
}

async function* fetchBody(fetch: DocumentFetcher, url: URL, name: string): AsyncGenerator<Buffer> {
  let document: FetchedDocument;
  try {
    document = await fetch(url);
  } catch (error) {
    throw new InputReadError(name, (error as Error).message, { cause: error });
  }
  document.releaseDeadline();
  try {
    yield* document.body;
  } catch (error) {
    throw new InputReadError(name, (error as Error).message, { cause: error });
  }
}

async function expandGlob(pattern: string, cwd: string): Promise<string[]> {
  const { glob } = await import('tinyglobby');
  const matches = await glob(pattern, {
    cwd,
    onlyFiles: true,
    expandDirectories: false,
    absolute: isAbsolute(pattern),
    // A dependency's README is not the project's documentation.
    ignore: pattern.includes('node_modules') ? [] : ['**/node_modules/**'],
  });
  if (matches.length === 0) throw new InputReadError(printable(pattern), 'no files match');
  return matches.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

async function checkReadable(name: string, path: string): Promise<void> {
  try {
    await access(path, fsConstants.R_OK);
  } catch (error) {
    throw new InputReadError(printable(name), describeFsError(error));
  }
}

// undici's index loads fetch, WebSocket, caches and more; the Agent and request() alone are
// what a document fetch needs (as in pool.ts). Fall back to the index if their paths move.
const requireCjs = createRequire(import.meta.url);
type RequestFunction = (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;
let undiciParts: { Agent: typeof UndiciAgent; request: RequestFunction } | null = null;
function loadUndici(): { Agent: typeof UndiciAgent; request: RequestFunction } {
  if (undiciParts !== null) return undiciParts;
  try {
    undiciParts = {
      Agent: requireCjs('undici/lib/dispatcher/agent.js') as typeof UndiciAgent,
      request: requireCjs('undici/lib/api/api-request.js') as RequestFunction,
    };
  } catch {
    const undici = requireCjs('undici') as { Agent: typeof UndiciAgent };
    undiciParts = { Agent: undici.Agent, request: undici.Agent.prototype.request as unknown as RequestFunction };
  }
  return undiciParts;
}

/** A {@link DocumentFetcher} bound to `options` (each fetch has its own connection, closed when its body is done). */
export function createDocumentFetcher(options: FetchDocumentOptions): DocumentFetcher {
  return (url) => fetchDocument(url, options);
}

/** The fetcher a source without one uses: urlcheck's default deadline, the system's DNS. */
export const defaultDocumentFetcher: DocumentFetcher = createDocumentFetcher({ timeoutMs: DEFAULT_TIMEOUT_MS });

class DeadlineExceeded extends Error {}

/**
 * GETs a document: follows up to {@link DOCUMENT_MAX_REDIRECTS} redirects (credentials in the URL
 * go as Basic auth, to its own origin only), fails on any final status outside 2xx, and hands
 * back the body decoded (Content-Encoding gzip, deflate or br, and a gzip file such as
 * `sitemap.xml.gz`), capped at `maxBytes`. A hard deadline of `timeoutMs` runs from the request
 * until the body is read or {@link FetchedDocument.releaseDeadline} is called; undici's idle timers
 * (`timeoutMs`) guard every wait for data, and do not run while the reader is busy elsewhere.
 *
 * Rejects (and the body throws) with an Error whose message is a short, credential-free reason
 * such as `HTTP 404`, `connection refused` or `no complete answer within 10000 ms`.
 */
export async function fetchDocument(url: URL, options: FetchDocumentOptions): Promise<FetchedDocument> {
  const { Agent, request } = loadUndici();
  const { timeoutMs } = options;
  const maxBytes = options.maxBytes ?? DEFAULT_DOCUMENT_MAX_BYTES;
  const agentOptions = {
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connect: {
      timeout: timeoutMs,
      rejectUnauthorized: options.insecure !== true,
      ...(options.lookup === undefined ? {} : { lookup: options.lookup }),
    },
  };
  const proxy = options.proxy ?? null;
  const agent: Dispatcher =
    proxy === null ? new Agent(agentOptions) : (await import('../net/proxy.js')).createProxyAgent(proxy, agentOptions);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DeadlineExceeded()), timeoutMs);
  timer.unref();
  const releaseDeadline = () => clearTimeout(timer);
  const authorization =
    url.username === '' && url.password === ''
      ? null
      : `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  const describe = (error: unknown) => describeFetchError(error, timeoutMs, [url.username, url.password]);
  let current = url;
  try {
    for (let redirects = 0; ; redirects += 1) {
      if (options.publicOnly === true && isNonPublicAddress(current.hostname)) {
        throw new Error(`${current.hostname} is a non-public address (--public-only)`);
      }
      const headers: Record<string, string> = {
        'user-agent': options.userAgent ?? DEFAULT_USER_AGENT,
        accept: 'text/html, application/xml, text/xml, text/markdown, text/plain;q=0.9, */*;q=0.8',
        'accept-encoding': 'gzip, deflate, br',
      };
      if (authorization !== null && current.origin === url.origin) headers['authorization'] = authorization;
      const response = await request.call(agent, {
        origin: current.origin,
        path: `${current.pathname}${current.search}`,
        method: 'GET',
        headers,
        signal: controller.signal,
      });
      const status = response.statusCode;
      const location = response.headers['location'];
      if (status >= 300 && status < 400 && typeof location === 'string') {
        discard(response.body);
        if (redirects >= DOCUMENT_MAX_REDIRECTS) throw new Error(`more than ${DOCUMENT_MAX_REDIRECTS} redirects`);
        let next: URL;
        try {
          next = new URL(location, current);
        } catch {
          throw new Error(`redirect (${status}) to an invalid URL`);
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new Error(`redirect (${status}) to an unsupported protocol "${next.protocol}"`);
        current = next;
        continue;
      }
      if (status < 200 || status >= 300) {
        discard(response.body);
        throw new Error(`HTTP ${status}`);
      }
      const contentType = String(response.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() || null;
      const encoding = String(response.headers['content-encoding'] ?? '').trim().toLowerCase();
      return {
        url: current,
        contentType,
        body: responseBody(response.body, encoding, maxBytes, agent, releaseDeadline, describe),
        releaseDeadline,
      };
    }
  } catch (error) {
    releaseDeadline();
    void agent.destroy().catch(() => {});
    throw new Error(describe(error), { cause: error });
  }
}

async function* responseBody(
  raw: Dispatcher.ResponseData['body'],
  encoding: string,
  maxBytes: number,
  agent: Dispatcher,
  releaseDeadline: () => void,
  describe: (error: unknown) => string,
): AsyncGenerator<Buffer> {
  let completed = false;
  try {
    let total = 0;
    for await (const chunk of decodeBody(raw as AsyncIterable<Buffer>, encoding)) {
      total += chunk.length;
      if (total > maxBytes) throw new Error(`larger than ${formatBytes(maxBytes)}`);
      yield chunk;
    }
    completed = true;
  } catch (error) {
    throw new Error(describe(error), { cause: error });
  } finally {
    releaseDeadline();
    if (completed) void agent.close().catch(() => {});
    else {
      discard(raw);
      void agent.destroy().catch(() => {});
    }
  }
}

// Destroying a body undici has not finished makes it emit an AbortError nobody waits for.
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => {});
  body.destroy();
}

async function* decodeBody(raw: AsyncIterable<Buffer>, encoding: string): AsyncGenerator<Buffer> {
  let stream = raw;
  if (encoding === 'gzip' || encoding === 'x-gzip' || encoding === 'deflate' || encoding === 'br') {
    stream = await decompress(stream, encoding);
  }
  yield* gunzipIfGzipped(stream);
}

/**
 * The bytes of `chunks`, gunzipped when they start with gzip's magic number (a `.gz` file, or a
 * server that sends `sitemap.xml.gz` without saying so), else unchanged.
 * @internal Shared with `documents.ts` for local files.
 */
export async function* gunzipIfGzipped(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  const iterator = chunks[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let length = 0;
  let done = false;
  // Two bytes decide, and a stream may hand them over one at a time.
  while (length < 2) {
    const next = await iterator.next();
    if (next.done === true) {
      done = true;
      break;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    head.push(chunk);
    length += chunk.length;
  }
  const rest = replayBuffers(head, done ? null : iterator);
  const start = Buffer.concat(head, Math.min(length, 2));
  if (start.length === 2 && start[0] === 0x1f && start[1] === 0x8b) yield* await decompress(rest, 'gzip');
  else yield* rest;
}

async function* replayBuffers(head: Buffer[], rest: AsyncIterator<Buffer | string> | null): AsyncGenerator<Buffer> {
  for await (const chunk of replay<Buffer | string>(head, rest)) yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}

async function decompress(chunks: AsyncIterable<Buffer>, encoding: string): Promise<AsyncIterable<Buffer>> {
  const [{ Readable, pipeline }, zlib] = await Promise.all([import('node:stream'), import('node:zlib')]);
  const decoder =
    encoding === 'br' ? zlib.createBrotliDecompress() : encoding === 'deflate' ? zlib.createInflate() : zlib.createGunzip();
  // pipeline destroys both ends when either fails or the reader stops early.
  return pipeline(Readable.from(chunks), decoder, () => {});
}

function describeFetchError(error: unknown, timeoutMs: number, secrets: string[]): string {
  if (error instanceof DeadlineExceeded) return `no complete answer within ${timeoutMs} ms`;
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `could not connect within ${timeoutMs} ms`;
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return `no data for ${timeoutMs} ms`;
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'the server closed the connection';
    case 'Z_DATA_ERROR':
    case 'Z_BUF_ERROR':
    case 'ERR_PADDING_1':
      return 'the compressed body is corrupt';
    default:
      break;
  }
  if ((error as Error).cause instanceof DeadlineExceeded) return `no complete answer within ${timeoutMs} ms`;
  const message = error instanceof Error ? error.message : String(error);
  return printable(redactText(message, secrets.filter((secret) => secret.length >= 4).map(safeDecodeURIComponent)));
}

