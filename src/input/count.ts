import { open, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

/** Bytes read at a time while counting; the only memory a count holds. */
export const COUNT_CHUNK_BYTES = 256 * 1024;

/**
 * Counts the lines of `paths` that will become targets: lines that are neither blank nor
 * (after leading whitespace) a `#` comment, exactly as `parseTarget` skips them (CRLF, a UTF-8
 * BOM, Unicode spaces and a last line without a newline included). Reads each file a chunk of
 * {@link COUNT_CHUNK_BYTES} at a time, so memory stays flat whatever the file size.
 *
 * The count only sizes a progress bar, so it never fails a run: it resolves to null when any input
 * is stdin (`-`) or not a regular file (a pipe, a device), or cannot be read. It rejects only when
 * `signal` aborts, with the signal's reason.
 */
export async function countTargets(paths: readonly string[], signal?: AbortSignal): Promise<number | null> {
  signal?.throwIfAborted();
  // Every input is vetted before any is read: one pipe among them makes the total unknowable.
  for (const path of paths) {
    if (path === '-') return null;
    const info = await stat(path).catch(() => null);
    if (info === null || !info.isFile()) return null;
  }
  let total = 0;
  for (const path of paths) {
    const count = await countFile(path, signal);
    if (count === null) return null;
    total += count;
  }
  return total;
}

async function countFile(path: string, signal: AbortSignal | undefined): Promise<number | null> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return null;
  }
  try {
    const buffer = Buffer.allocUnsafe(COUNT_CHUNK_BYTES);
    const decoder = new StringDecoder('utf8');
    let count = 0;
    // True while the current line has shown only whitespace: it may still be blank.
    let leading = true;
    const scan = (text: string) => {
      let index = 0;
      while (index < text.length) {
        if (leading) {
          const code = text.charCodeAt(index);
          if (code === 0x0a || isTrimmed(code)) {
            index += 1;
            continue;
          }
          if (code !== 0x23) count += 1;
          leading = false;
        }
        const newline = text.indexOf('\n', index);
        if (newline === -1) return;
        index = newline + 1;
        leading = true;
      }
    };
    for (;;) {
      signal?.throwIfAborted();
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, 0, buffer.length, null));
      } catch {
        return null;
      }
      if (bytesRead === 0) break;
      scan(decoder.write(buffer.subarray(0, bytesRead)));
    }
    scan(decoder.end());
    return count;
  } finally {
    await handle.close().catch(() => {});
  }
}

/** True for the characters String.prototype.trim removes (the line feed is handled apart). */
function isTrimmed(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}
