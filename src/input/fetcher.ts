import { DEFAULT_TIMEOUT_MS } from '../model/defaults.js';
import type { FetchDocumentOptions } from './fetch-document.js';
import type { DocumentFetcher } from './types.js';

/**
 * A {@link DocumentFetcher} bound to `options` (each fetch has its own connection, closed when its
 * body is done). The fetching code (net/'s dispatcher, decompression) loads on the first fetch:
 * most runs read local lists only, and start-up is paid by every run.
 */
export function createDocumentFetcher(options: FetchDocumentOptions): DocumentFetcher {
  return async (url) => (await import('./fetch-document.js')).fetchDocument(url, options);
}

/** The fetcher a source without one uses: urlcheck's default deadline, the system's DNS. */
export const DEFAULT_DOCUMENT_FETCHER: DocumentFetcher = createDocumentFetcher({ timeoutMs: DEFAULT_TIMEOUT_MS });
