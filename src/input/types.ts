// The input layer's shared vocabulary, apart from the modules that use it, so that sources,
// document extraction and the list path can all import it without importing each other.
import type { CheckError, ErrorCode } from '../model/types.js';

/**
 * What an input holds, which decides how URLs are found in it: `list` is one URL per line (the
 * fast path); `markdown`, `html` and `sitemap` are documents whose links are extracted.
 */
export type InputKind = 'list' | 'markdown' | 'html' | 'sitemap';

/** Largest Markdown or HTML document, in characters (about bytes): they are parsed whole. */
export const MAX_WHOLE_DOCUMENT_CHARS = 32 * 1024 * 1024;

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
  /**
   * The decoded body; it throws a {@link DocumentError} past the size cap, past the total
   * deadline, or when the connection fails. Breaking out of it closes the connection.
   */
  body: AsyncIterable<Buffer>;
}

/** Fetches one document by URL; rejects with a {@link DocumentError}, whose message is credential-free. */
export type DocumentFetcher = (url: URL) => Promise<FetchedDocument>;

/**
 * Why a document could not be fetched or read: a stable {@link ErrorCode} (a network code such as
 * `TIMEOUT` or `CONNECTION_RESET`, `HTTP_STATUS`, `DOCUMENT_INVALID`, `DOCUMENT_TOO_LARGE`) and a
 * short, credential-free message. It becomes a result, never a stopped run.
 */
export class DocumentError extends Error {
  override readonly name = 'DocumentError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** As a result's error. */
  toCheckError(): CheckError {
    return { code: this.code, message: this.message };
  }
}

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
  /** The absolute path of a local file input: its Markdown/HTML's local links are checked on disk (see `linkTarget`). */
  localPath?: string;
  /** Absolute folder root-relative local links (`/docs/a.md`) resolve against (--root-dir); absent or null: they are skipped and counted. */
  rootDir?: string | null;
  /** Fetches URL inputs and a sitemap index's child sitemaps; absent: a default fetcher (see `fetch-document.ts`). */
  fetch?: DocumentFetcher;
  /**
   * The run's interrupt (the fetcher listens to it too): once it is aborted, a document that
   * fails, or a FIFO still waiting for a writer, ends quietly, without a target.
   */
  signal?: AbortSignal;
}

/**
 * What extraction from documents left out, so the CLI can say so: nothing is dropped silently.
 * Counts only grow; one object is shared by every source of a run.
 */
export interface ExtractionStats {
  /** Relative links not checked: the document has no URL or file path, and no `base` was given. */
  skippedRelative: number;
  /** Root-relative links (`/docs/a.md`) of local documents not checked: no --root-dir (nor `base`) was given. */
  skippedRootRelative: number;
  /** Links with a scheme other than http: and https: (mailto:, tel:, javascript:, data:, ...). */
  skippedScheme: number;
  /** {@link skippedScheme} by scheme, e.g. `{ 'mailto:': 2, 'tel:': 1 }`. */
  skippedSchemes: Record<string, number>;
  /** Same-page links: a pure `#fragment`, or an empty href. */
  skippedFragment: number;
  /** Links in `<!-- urlcheck-disable -->` regions or after `<!-- urlcheck-disable-next-line -->` (see `ignore-comments.ts`). */
  skippedIgnored: number;
  /** Documents read (Markdown, HTML, sitemaps, child sitemaps included). */
  documents: number;
  /** Documents (inputs and child sitemaps) that could not be read, or not to their end; each became a result. */
  failedSitemaps: number;
  /**
   * Listings of a child sitemap that a sitemap index of this run had listed already: each child is
   * fetched and reported once per run, and the repeats are only counted.
   */
  repeatedSitemaps: number;
}

/** A fresh, all-zero {@link ExtractionStats}. */
export function createExtractionStats(): ExtractionStats {
  return { skippedRelative: 0, skippedRootRelative: 0, skippedScheme: 0, skippedSchemes: {}, skippedFragment: 0, skippedIgnored: 0, documents: 0, failedSitemaps: 0, repeatedSitemaps: 0 };
}
