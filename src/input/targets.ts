import { InputReadError } from '../model/errors.js';
import type { Target } from '../model/types.js';
import { readListBatches } from './list.js';
import { peek } from './replay.js';
import { createExtractionStats, type ExtractionStats, type InputSource } from './types.js';

// The input layer's front door: its types and the list path are re-exported from here.
export { InputReadError };
export { MAX_DISPLAYED_INVALID_LINE, parseTarget } from './list.js';
export { createExtractionStats, INPUT_KINDS, type DocumentFetcher, type ExtractionStats, type FetchedDocument, type InputKind, type InputSource } from './types.js';

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
 * lists never loads a parser. What extraction skips is added to `stats`. A document (a URL input,
 * a sitemap, Markdown, HTML) that cannot be read, or breaks off part-way, becomes a target of its
 * own with a stable error code, after the targets already read from it, and the next source
 * follows (see `readDocumentBatches`); only a plain list's read error propagates.
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
      let first = null as number | null;
      let looked = 0;
      // A stream of nothing but whitespace is a list: stop looking after SNIFF_LIMIT characters.
      const { stream: chunks } = await peek(source.open(), (chunk, index) => {
        looked += chunk.length;
        first = firstSignificantCode(chunk, index === 0);
        return first !== null || looked >= SNIFF_LIMIT;
      });
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
