import type { Dispatcher } from 'undici';
import { DEFAULT_USER_AGENT } from '../model/defaults.js';
import type { NetOptions } from '../net/dispatcher.js';
import { classifyError } from '../net/classify.js';
import { openResponse } from '../net/exchange.js';
import { basicAuthorization } from '../net/headers.js';
import type { ProxySettings } from '../net/proxy.js';
import { printable, redactText } from '../util/redact.js';
import { formatBytes, safeDecodeURIComponent } from '../util/text.js';
import { DEFAULT_DOCUMENT_MAX_BYTES, decompress, gunzipIfGzipped } from './decompress.js';
import { DocumentError, type FetchedDocument } from './types.js';

export { DEFAULT_DOCUMENT_MAX_BYTES };
/** Redirects followed when fetching a URL input or a child sitemap. */
export const DOCUMENT_MAX_REDIRECTS = 5;
/**
 * A fetched document's total deadline, as a multiple of `timeoutMs`: the time spent waiting on
 * the network for it (connecting, the answer's headers, every wait for more of its body) may not
 * add up to more than this many `timeoutMs` (30 s with the default 10 s --timeout). Time the
 * reader spends elsewhere, checking the URLs a sitemap already gave, does not count.
 */
export const DOCUMENT_DEADLINE_FACTOR = 3;

/**
 * How {@link fetchDocument} fetches: through a dispatcher made by net/'s `createDispatcher`, as
 * the checks are, so TLS, proxies, the DNS lookup and --public-only apply to documents the same way.
 */
export interface FetchDocumentOptions extends Pick<NetOptions, 'timeoutMs' | 'lookup'> {
  /** undici's idle timers and the connect timeout, in milliseconds; the total deadline is {@link DOCUMENT_DEADLINE_FACTOR} times it. */
  timeoutMs: number;
  /** Largest body, after decompression, in bytes; default {@link DEFAULT_DOCUMENT_MAX_BYTES}. */
  maxBytes?: number;
  /** The User-Agent header; default urlcheck's. */
  userAgent?: string;
  /** Accept any TLS certificate (--insecure). */
  insecure?: boolean;
  /** Route through these proxies (--proxy, HTTP_PROXY, HTTPS_PROXY, NO_PROXY), as the checks do; null or absent: direct. */
  proxy?: ProxySettings | null;
  /**
   * --public-only: refuse non-public addresses, names once resolved and address literals at every
   * redirect. A sitemap index is untrusted input: without this, one could point the fetcher at
   * the local network or a cloud metadata address.
   */
  publicOnly?: boolean;
  /** The run's interrupt: aborting it cancels the request and its body at once (the fetch rejects, the body throws). */
  signal?: AbortSignal;
}

class DeadlineExceeded extends Error {}
class Interrupted extends Error {}

/**
 * A document's network time: runs while urlcheck waits on the server, pauses while the reader
 * is busy elsewhere, and calls `expire` once `budgetMs` of running time is spent.
 */
class NetworkClock {
  private timer: NodeJS.Timeout | null = null;
  private since = 0;

  constructor(
    private remainingMs: number,
    private readonly expire: () => void,
  ) {}

  run(): void {
    if (this.timer !== null) return;
    this.since = performance.now();
    this.timer = setTimeout(this.expire, Math.max(0, this.remainingMs));
    this.timer.unref();
  }

  pause(): void {
    if (this.timer === null) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.remainingMs -= performance.now() - this.since;
  }
}

/**
 * GETs a document: follows up to {@link DOCUMENT_MAX_REDIRECTS} redirects (credentials in the URL
 * go as Basic auth, to its own origin only), fails on any final status outside 2xx, and hands
 * back the body decoded (Content-Encoding gzip, deflate or br, and a gzip file such as
 * `sitemap.xml.gz`), capped at `maxBytes`. The whole document has a total deadline of
 * {@link DOCUMENT_DEADLINE_FACTOR} × `timeoutMs` of network time (see there), so a server that
 * trickles bytes cannot hold a run; undici's idle timers (`timeoutMs`) guard every single wait.
 * Aborting `options.signal` cancels the request and its body at once.
 *
 * Rejects (and the body throws) with a {@link DocumentError}: a stable code (`HTTP_STATUS`,
 * `TIMEOUT`, `CONNECTION_REFUSED`, `CONNECTION_RESET`, `DNS`, `DOCUMENT_TOO_LARGE`,
 * `DOCUMENT_INVALID`, ...) and a short, credential-free reason such as `HTTP 404`,
 * `connection refused` or `no complete answer within 30000 ms`.
 */
export async function fetchDocument(url: URL, options: FetchDocumentOptions): Promise<FetchedDocument> {
  const { timeoutMs, signal } = options;
  const maxBytes = options.maxBytes ?? DEFAULT_DOCUMENT_MAX_BYTES;
  const deadlineMs = DOCUMENT_DEADLINE_FACTOR * timeoutMs;
  const describe = (error: unknown) => describeFetchError(error, timeoutMs, deadlineMs, [url.username, url.password]);
  if (signal?.aborted === true) throw describe(new Interrupted());
  // A dispatcher of its own, closed with the body, so no connection outlives the document. Loaded
  // on first use: a run over plain lists never loads undici's dispatchers for its inputs.
  const { createDispatcher } = await import('../net/dispatcher.js');
  const agent = createDispatcher({
    perHost: null,
    timeoutMs,
    connectTimeoutMs: null,
    insecure: options.insecure === true,
    publicOnly: options.publicOnly === true,
    lookup: options.lookup,
    proxy: options.proxy ?? null,
  });
  const controller = new AbortController();
  const clock = new NetworkClock(deadlineMs, () => controller.abort(new DeadlineExceeded()));
  const onAbort = () => controller.abort(new Interrupted());
  signal?.addEventListener('abort', onAbort, { once: true });
  const done = () => {
    clock.pause();
    signal?.removeEventListener('abort', onAbort);
  };
  clock.run();
  const authorization = basicAuthorization(url);
  let current = url;
  try {
    for (let redirects = 0; ; redirects += 1) {
      const headers: Record<string, string> = {
        'user-agent': options.userAgent ?? DEFAULT_USER_AGENT,
        accept: 'text/html, application/xml, text/xml, text/markdown, text/plain;q=0.9, */*;q=0.8',
        'accept-encoding': 'gzip, deflate, br',
      };
      if (authorization !== null && current.origin === url.origin) headers['authorization'] = authorization;
      const response = await openResponse(agent, {
        origin: current.origin,
        path: `${current.pathname}${current.search}`,
        headers,
        signal: controller.signal,
      });
      const status = response.statusCode;
      const location = response.headers['location'];
      if (status >= 300 && status < 400 && typeof location === 'string') {
        discard(response.body);
        if (redirects >= DOCUMENT_MAX_REDIRECTS) throw new DocumentError('TOO_MANY_REDIRECTS', `more than ${DOCUMENT_MAX_REDIRECTS} redirects`);
        let next: URL;
        try {
          next = new URL(location, current);
        } catch {
          throw new DocumentError('INVALID_URL', `redirect (${status}) to an invalid URL`);
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          throw new DocumentError('UNSUPPORTED_PROTOCOL', `redirect (${status}) to an unsupported protocol "${printable(next.protocol)}"`);
        }
        current = next;
        continue;
      }
      if (status < 200 || status >= 300) {
        discard(response.body);
        throw new DocumentError('HTTP_STATUS', `HTTP ${status}`);
      }
      const contentType = String(response.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() || null;
      const encoding = String(response.headers['content-encoding'] ?? '').trim().toLowerCase();
      clock.pause();
      return {
        url: current,
        contentType,
        body: responseBody(response.body, { encoding, maxBytes, agent, clock, done, describe }),
      };
    }
  } catch (error) {
    done();
    void agent.destroy().catch(() => {});
    throw describe(error);
  }
}

interface BodyContext {
  encoding: string;
  maxBytes: number;
  agent: Dispatcher;
  clock: NetworkClock;
  done: () => void;
  describe: (error: unknown) => DocumentError;
}

async function* responseBody(raw: Dispatcher.ResponseData['body'], ctx: BodyContext): AsyncGenerator<Buffer> {
  const { maxBytes, agent, clock } = ctx;
  let completed = false;
  try {
    let total = 0;
    clock.run();
    for await (const chunk of decodeBody(raw as AsyncIterable<Buffer>, ctx.encoding)) {
      clock.pause();
      total += chunk.length;
      if (total > maxBytes) throw new DocumentError('DOCUMENT_TOO_LARGE', `larger than ${formatBytes(maxBytes)}`);
      yield chunk;
      clock.run();
    }
    completed = true;
  } catch (error) {
    throw ctx.describe(error);
  } finally {
    ctx.done();
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

function describeFetchError(error: unknown, timeoutMs: number, deadlineMs: number, secrets: string[]): DocumentError {
  if (error instanceof DocumentError) return error;
  if (error instanceof Interrupted || (error as Error).cause instanceof Interrupted) return new DocumentError('UNKNOWN', 'interrupted');
  if (error instanceof DeadlineExceeded || (error as Error).cause instanceof DeadlineExceeded) {
    return new DocumentError('TIMEOUT', `no complete answer within ${deadlineMs} ms`);
  }
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new DocumentError('TIMEOUT', `could not connect within ${timeoutMs} ms`);
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return new DocumentError('TIMEOUT', `no data for ${timeoutMs} ms`);
    case 'ECONNREFUSED':
      return new DocumentError('CONNECTION_REFUSED', 'connection refused');
    case 'ENOTFOUND':
      return new DocumentError('DNS', 'host not found');
    case 'EAI_AGAIN':
      return new DocumentError('DNS_TEMPORARY', 'temporary DNS failure: the host could not be resolved for now');
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return new DocumentError('CONNECTION_RESET', 'the server closed the connection');
    case 'Z_DATA_ERROR':
    case 'Z_BUF_ERROR':
    case 'ERR_PADDING_1':
      return new DocumentError('DOCUMENT_INVALID', 'the compressed body is corrupt');
    default:
      break;
  }
  const message = error instanceof Error ? error.message : String(error);
  return new DocumentError(classifyError(error).code, printable(redactText(message, secrets.filter((secret) => secret.length >= 4).map(safeDecodeURIComponent))));
}
