import type { Dispatcher } from 'undici';
import { DEFAULT_USER_AGENT } from '../model/defaults.js';
import type { NetOptions } from '../net/dispatcher.js';
import { openResponse } from '../net/exchange.js';
import { basicAuthorization } from '../net/headers.js';
import type { ProxySettings } from '../net/proxy.js';
import { printable, redactText } from '../util/redact.js';
import { formatBytes, safeDecodeURIComponent } from '../util/text.js';
import { decompress, gunzipIfGzipped } from './decompress.js';
import type { DocumentFetcher, FetchedDocument } from './types.js';

/** Largest document fetched from a URL (after decompression), in bytes: 64 MiB, above the sitemap protocol's 50 MB. */
export const DEFAULT_DOCUMENT_MAX_BYTES = 64 * 1024 * 1024;
/** Redirects followed when fetching a URL input or a child sitemap. */
export const DOCUMENT_MAX_REDIRECTS = 5;

/**
 * How {@link fetchDocument} fetches: through a dispatcher made by net/'s `createDispatcher`, as
 * the checks are, so TLS, proxies, the DNS lookup and --public-only apply to documents the same way.
 */
export interface FetchDocumentOptions extends Pick<NetOptions, 'timeoutMs' | 'lookup'> {
  /** Hard deadline for the answer's headers (and, unless released, its whole body), in milliseconds; also undici's idle timers and the connect timeout. */
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
}


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
  const { timeoutMs } = options;
  const maxBytes = options.maxBytes ?? DEFAULT_DOCUMENT_MAX_BYTES;
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
  const timer = setTimeout(() => controller.abort(new DeadlineExceeded()), timeoutMs);
  timer.unref();
  const releaseDeadline = () => clearTimeout(timer);
  const authorization = basicAuthorization(url);
  const describe = (error: unknown) => describeFetchError(error, timeoutMs, [url.username, url.password]);
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
