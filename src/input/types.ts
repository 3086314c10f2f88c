// The input layer's shared vocabulary, apart from the modules that use it, so that sources,
// document extraction and the list path can all import it without importing each other.

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
  /** Fetches URL inputs and a sitemap index's child sitemaps; absent: a default fetcher (see `fetch-document.ts`). */
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
export function createExtractionStats(): ExtractionStats {
  return { skippedRelative: 0, skippedScheme: 0, skippedSchemes: {}, skippedFragment: 0, documents: 0, failedSitemaps: 0 };
}
