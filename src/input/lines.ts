import { StringDecoder } from 'node:string_decoder';

/** Longest line kept, in UTF-16 code units; the rest of a longer line is skipped, not buffered. */
export const MAX_LINE_LENGTH = 1024 * 1024;

/** One line of an input, without its line terminator. */
export interface InputLine {
  /** 1-based line number in its source. */
  line: number;
  text: string;
  /** True when the line was longer than {@link MAX_LINE_LENGTH} and `text` is its start. */
  truncated: boolean;
}

/**
 * Splits a byte stream into lines lazily, holding at most one line (capped) in memory.
 * Accepts LF and CRLF endings, strips a leading UTF-8 BOM, and decodes invalid UTF-8 as U+FFFD
 * rather than failing, so a line of binary junk still becomes a line (and then a result).
 */
export async function* readLines(
  chunks: AsyncIterable<Buffer | string>,
  maxLineLength: number = MAX_LINE_LENGTH,
): AsyncGenerator<InputLine> {
  for await (const batch of readLineBatches(chunks, maxLineLength)) yield* batch;
}

/**
 * {@link readLines}, a batch per chunk read: the lines that chunk completed. One async step per
 * chunk (64 KiB) instead of per line, for the hot path; memory is bounded by the chunk size.
 */
export async function* readLineBatches(
  chunks: AsyncIterable<Buffer | string>,
  maxLineLength: number = MAX_LINE_LENGTH,
): AsyncGenerator<InputLine[]> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  // True once characters beyond maxLineLength + 1 were dropped from the current line.
  let overflowed = false;
  let lineNumber = 0;
  let first = true;

  const take = (text: string): InputLine => {
    lineNumber += 1;
    // A final "\r" is the CR of a CRLF only if nothing was dropped after it.
    const body = !overflowed && text.endsWith('\r') ? text.slice(0, -1) : text;
    const truncated = overflowed || body.length > maxLineLength;
    overflowed = false;
    return { line: lineNumber, text: truncated ? body.slice(0, maxLineLength) : body, truncated };
  };

  for await (const chunk of chunks) {
    let text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    let start = 0;
    const batch: InputLine[] = [];
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
      const piece = text.slice(start, newline);
      // append() also caps a long line that arrived whole inside one chunk.
      batch.push(take(append(pending, piece)));
      pending = '';
      start = newline + 1;
    }
    if (start < text.length) pending = append(pending, text.slice(start));
    if (batch.length > 0) yield batch;
  }
  pending = append(pending, decoder.end());
  if (pending !== '') yield [take(pending)];

  // Keeps one character more than maxLineLength: it may be the CR of a CRLF, which is not
  // part of the line, so a line of exactly maxLineLength ending in CRLF is not truncated.
  function append(head: string, tail: string): string {
    const room = maxLineLength + 1;
    if (head.length + tail.length <= room) return head + tail;
    overflowed = true;
    return head + tail.slice(0, Math.max(0, room - head.length));
  }
}
