import fc from 'fast-check';

/** One UTF-16 code unit of any value, lone surrogates included. */
export const codeUnit: fc.Arbitrary<string> = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));

/** Characters that exercise the corners of line splitting and decoding. */
const awkwardChar = fc.constantFrom('\r', '\0', '\uFEFF', '\uD800', '\uDC00', 'é', '€', '𝄞', ' ', '\t', '#', 'a', '\u2028', '\uFFFD');

/** Any text at all (lone surrogates, controls, astral characters), mostly short. */
export function anyText(maxLength = 40): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: codeUnit, maxLength }),
    fc.string({ unit: awkwardChar, maxLength }),
  );
}

/** Any text without "\n": the content of one line. */
export function anyLine(maxLength = 40): fc.Arbitrary<string> {
  return anyText(maxLength).map((text) => text.replaceAll('\n', ''));
}

/** Fragments that make strings look like URLs, so parsers see their interesting corners. */
const urlPiece = fc.constantFrom(
  'http', 'https', 'HTTPS', 'ftp', 'mailto', 'javascript', ':', '//', '/', '\\', '@', '?', '#', '%', '%40', '%2F', '.',
  'a', 'x.test', 'localhost', '8080', '[::1]', '127.0.0.1', 'user', 'pass', ' ', '\t', '\0', '\x01', '-', '_', '9',
  '\uFFFD', 'é', '\uD83D', '#', '=', '&',
);

/** Strings assembled from URL fragments: mostly near-URLs and broken URLs. */
export function urlish(maxLength = 20): fc.Arbitrary<string> {
  return fc.array(urlPiece, { maxLength }).map((pieces) => pieces.join(''));
}

/** A distinctive credential: at least 6 characters no generated host, path or prose contains. */
export const credential: fc.Arbitrary<string> = fc.string({
  unit: fc.constantFrom('Q', 'Z', 'X', 'J', 'K', 'V', '7', '3'),
  minLength: 6,
  maxLength: 16,
});

/** Splits `bytes` at arbitrary offsets (inside multi-byte sequences too); chunks may be empty. */
export function splitBytes(bytes: Uint8Array, offsets: readonly number[]): Buffer[] {
  const cuts = offsets.map((offset) => offset % (bytes.length + 1)).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const cut of cuts) {
    chunks.push(Buffer.from(bytes.subarray(start, cut)));
    start = cut;
  }
  chunks.push(Buffer.from(bytes.subarray(start)));
  return chunks;
}

/** Splits a string at arbitrary UTF-16 offsets (between the halves of a surrogate pair too). */
export function splitString(text: string, offsets: readonly number[]): string[] {
  const cuts = offsets.map((offset) => offset % (text.length + 1)).sort((a, b) => a - b);
  const chunks: string[] = [];
  let start = 0;
  for (const cut of cuts) {
    chunks.push(text.slice(start, cut));
    start = cut;
  }
  chunks.push(text.slice(start));
  return chunks;
}

/** Chunk offsets for {@link splitBytes} and {@link splitString}. */
export const cutOffsets: fc.Arbitrary<number[]> = fc.array(fc.nat(), { maxLength: 8 });

/** Yields the given chunks as an async stream. */
export async function* streamOf<T>(chunks: readonly T[]): AsyncGenerator<T> {
  for (const chunk of chunks) yield chunk;
}

/** What a UTF-8 round trip makes of a string: lone surrogates become U+FFFD. */
export function wellFormed(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}
