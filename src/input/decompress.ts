import { formatBytes } from '../util/text.js';
import { peek } from './replay.js';
import { DocumentError } from './types.js';

/** Largest document fetched from a URL, and largest gzip file once inflated, in bytes: 64 MiB, above the sitemap protocol's 50 MB. */
export const DEFAULT_DOCUMENT_MAX_BYTES = 64 * 1024 * 1024;

/**
 * The bytes of `chunks`, gunzipped when they start with gzip's magic number (a `.gz` file, or a
 * server that sends `sitemap.xml.gz` without saying so), else unchanged. Inflating more than
 * `maxBytes` throws a {@link DocumentError} `DOCUMENT_TOO_LARGE` (a small file can inflate to
 * gigabytes); absent: no cap (the caller caps).
 */
export async function* gunzipIfGzipped(chunks: AsyncIterable<Buffer | string>, maxBytes?: number): AsyncGenerator<Buffer> {
  let length = 0;
  // Two bytes decide, and a stream may hand them over one at a time.
  const { head, stream } = await peek(chunks, (chunk) => (length += Buffer.byteLength(chunk)) >= 2);
  const start = Buffer.concat(head.map(toBuffer), Math.min(length, 2));
  const rest = toBuffers(stream);
  if (!(start.length === 2 && start[0] === 0x1f && start[1] === 0x8b)) {
    yield* rest;
    return;
  }
  let inflated = 0;
  for await (const chunk of await decompress(rest, 'gzip')) {
    inflated += chunk.length;
    if (maxBytes !== undefined && inflated > maxBytes) {
      throw new DocumentError('DOCUMENT_TOO_LARGE', `larger than ${formatBytes(maxBytes)} once decompressed`);
    }
    yield chunk;
  }
}

/**
 * `chunks` decoded from a Content-Encoding: `gzip` (or `x-gzip`), `deflate` or `br`. The decoder
 * is destroyed with the source when either fails or the reader stops early.
 */
export async function decompress(chunks: AsyncIterable<Buffer>, encoding: string): Promise<AsyncIterable<Buffer>> {
  const [{ Readable, pipeline }, zlib] = await Promise.all([import('node:stream'), import('node:zlib')]);
  const decoder =
    encoding === 'br' ? zlib.createBrotliDecompress() : encoding === 'deflate' ? zlib.createInflate() : zlib.createGunzip();
  return pipeline(Readable.from(chunks), decoder, () => {});
}

function toBuffer(chunk: Buffer | string): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}

async function* toBuffers(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) yield toBuffer(chunk);
}
