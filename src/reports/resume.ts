import { createReadStream, writeSync } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { Hash64, UrlHashIndex } from '../pipeline/dedupe.js';
import { UsageError } from '../model/errors.js';
import { readLineBatches } from '../input/lines.js';
import { printable } from '../util/redact.js';
import { VERDICTS, type CheckResult, type Target } from '../model/types.js';
import { describeFsError } from '../util/fs-errors.js';

/** Longest journal line read, in characters: a result can quote a URL line of up to 1 MiB. */
const MAX_JOURNAL_LINE = 16 * 1024 * 1024;

// Every result urlcheck writes starts so (`url` is its first key); a torn last line starts as a piece of it.
const RESULT_START = '{"url":';

/**
 * The `--resume` journal: an append-only NDJSON file, one result per line (the `-f ndjson` shape,
 * so it is also a report), appended as results complete and written to the file once per batch,
 * so a run killed at any point, SIGKILL included, loses at most the batch it was writing.
 *
 * Opening one reads nothing but its first and last lines: a last line cut short by a kill is cut
 * off (a complete one missing only its newline gets it), and a file that is not a journal is
 * refused untouched. {@link replay} then streams its results.
 */
export class ResumeJournal {
  /** Journal lines that were not results (damaged) and were skipped by {@link replay}. */
  skippedLines = 0;
  private pending: string[] = [];
  private closed = false;

  private constructor(
    /** The path, made printable, as messages name it. */
    readonly name: string,
    private readonly path: string,
    private readonly handle: FileHandle,
    /** Bytes of complete lines when the journal was opened: what {@link replay} reads. */
    readonly replayBytes: number,
  ) {}

  /**
   * Opens (or creates) the journal at `path` for a resumed run. Throws a {@link UsageError} (one
   * line) when it cannot be read or written, or is not a urlcheck journal.
   */
  static async open(path: string): Promise<ResumeJournal> {
    const name = printable(path);
    let handle: FileHandle;
    try {
      handle = await open(path, 'a+');
    } catch (error) {
      throw new UsageError(`cannot open --resume journal "${name}": ${describeFsError(error)}`);
    }
    try {
      const { size } = await handle.stat();
      let replayBytes = 0;
      if (size > 0) {
        const tail = await inspectTail(handle, size, name);
        // The first line is checked before anything is changed: a file that is not a journal stays as it was.
        if (tail.completeBytes > 0) await checkFirstLine(path, tail.completeBytes, name);
        replayBytes = await tail.repair();
      }
      return new ResumeJournal(name, path, handle, replayBytes);
    } catch (error) {
      await handle.close();
      if (error instanceof UsageError) throw error;
      throw new UsageError(`cannot read --resume journal "${name}": ${describeFsError(error)}`);
    }
  }

  /**
   * The results the journal held when it was opened, in the order they were written, a batch per
   * chunk read. A damaged line is skipped and counted in {@link skippedLines}.
   */
  async *replay(): AsyncGenerator<CheckResult[]> {
    if (this.replayBytes === 0) return;
    const stream = createReadStream(this.path, { start: 0, end: this.replayBytes - 1 });
    for await (const lines of readLineBatches(stream, MAX_JOURNAL_LINE)) {
      const batch: CheckResult[] = [];
      for (const { text, truncated } of lines) {
        if (text.trim() === '') continue;
        const result = truncated ? null : parseResult(text);
        if (result === null) this.skippedLines += 1;
        else batch.push(result);
      }
      if (batch.length > 0) yield batch;
    }
  }

  /** Queues a result for the journal; {@link flush} writes the queue. */
  append(result: CheckResult): void {
    this.pending.push(`${JSON.stringify(result)}\n`);
  }

  /**
   * Writes what {@link append} queued, synchronously: once this returns the lines are the
   * operating system's, and survive the process being killed. Throws a {@link UsageError} when
   * the file cannot be written (a full disk).
   */
  flush(): void {
    if (this.pending.length === 0 || this.closed) return;
    const text = this.pending.length === 1 ? (this.pending[0] as string) : this.pending.join('');
    this.pending = [];
    try {
      writeSync(this.handle.fd, text);
    } catch (error) {
      throw new UsageError(`cannot write --resume journal "${this.name}": ${describeFsError(error)}`);
    }
  }

  /** Flushes and closes the file; the journal stays for the next run to resume from. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    await this.handle.close();
  }

  /**
   * Closes and deletes the journal: for a run that finished, once its reports are written, so the
   * same command line next time starts afresh instead of replaying a finished run.
   */
  async remove(): Promise<void> {
    await this.close();
    await rm(this.path, { force: true });
  }
}

/** Opens the `--resume` journal at `path`; see {@link ResumeJournal.open}. */
export function openJournal(path: string): Promise<ResumeJournal> {
  return ResumeJournal.open(path);
}

/**
 * The key a journal result is remembered by, to skip re-checking its URL: the href without the
 * fragment, as {@link dedupeKeyOf} gives for a target. Null when the journal cannot tell it: a
 * line that is not an http(s) URL, or a URL whose credentials the journal shows redacted (lines
 * of such a URL not reported yet are checked again; their own reported lines still are not).
 */
export function journalKeyOf(result: Pick<CheckResult, 'url'>): string | null {
  let url: URL;
  try {
    url = new URL(result.url);
  } catch {
    return null;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '') return null;
  const href = url.href;
  const hash = href.indexOf('#');
  return hash < 0 ? href : href.slice(0, hash);
}

/**
 * The input lines a journal reported already, each as a 64-bit hash of its source, line number
 * and displayed URL, so a resumed run reports no line twice (and a line whose text changed since
 * is not mistaken for it). Typed arrays: about 13 to 25 bytes per journal line.
 */
export class ReportedLines {
  private readonly index = new UrlHashIndex();
  private readonly hash = new Hash64();

  /** Lines remembered. */
  get size(): number {
    return this.index.size;
  }

  /** Remembers a reported line. */
  add(line: { source: string; line: number; url: string }): void {
    this.hash.of(lineKey(line.source, line.line, line.url));
    this.index.add(this.hash.hi, this.hash.lo);
  }

  /** True when the target's line was reported already. */
  has(target: Pick<Target, 'source' | 'line' | 'display'>): boolean {
    this.hash.of(lineKey(target.source, target.line, target.display));
    return this.index.find(this.hash.hi, this.hash.lo) >= 0;
  }
}

function lineKey(source: string, line: number, url: string): string {
  return `${source}\n${line}\n${url}`;
}

/** A journal line as a result, or null when it is not one. */
function parseResult(text: string): CheckResult | null {
  if (!text.startsWith(RESULT_START)) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return isResult(value) ? value : null;
}

// Only what the run, the summary and the reporters read is checked: the journal is urlcheck's own file.
function isResult(value: unknown): value is CheckResult {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  const error = r['error'] as Record<string, unknown> | null | undefined;
  return (
    typeof r['url'] === 'string' &&
    typeof r['ok'] === 'boolean' &&
    (r['status'] === null || typeof r['status'] === 'number') &&
    (error === null || (typeof error === 'object' && typeof error['code'] === 'string' && typeof error['message'] === 'string')) &&
    typeof r['durationMs'] === 'number' &&
    typeof r['attempts'] === 'number' &&
    Array.isArray(r['redirects']) &&
    Array.isArray(r['warnings']) &&
    (VERDICTS as readonly unknown[]).includes(r['verdict']) &&
    typeof r['source'] === 'string' &&
    typeof r['line'] === 'number'
  );
}

const TAIL_CHUNK = 64 * 1024;

/**
 * Looks at the last line: a line a kill cut short is to be truncated away; a complete one that
 * only lacks its newline is to get one. `repair()` does that and returns the length of the
 * complete lines, in bytes. A last line that is no piece of a result means the file is not a
 * journal: refused before anything is changed.
 */
async function inspectTail(
  handle: FileHandle,
  size: number,
  name: string,
): Promise<{ completeBytes: number; repair: () => Promise<number> }> {
  const tailStart = (await lastIndexOfNewline(handle, size)) + 1;
  if (tailStart === size) return { completeBytes: size, repair: async () => size };
  const tailLength = size - tailStart;
  if (tailLength > MAX_JOURNAL_LINE) throw notAJournal(name);
  const tail = Buffer.alloc(tailLength);
  await handle.read(tail, 0, tailLength, tailStart);
  const text = tail.toString('utf8');
  if (parseResult(text) !== null) {
    return {
      completeBytes: size,
      repair: async () => {
        await handle.write('\n');
        return size + 1;
      },
    };
  }
  if (!text.startsWith(RESULT_START) && !RESULT_START.startsWith(text)) throw notAJournal(name);
  return {
    completeBytes: tailStart,
    repair: async () => {
      await handle.truncate(tailStart);
      return tailStart;
    },
  };
}

async function lastIndexOfNewline(handle: FileHandle, size: number): Promise<number> {
  const chunk = Buffer.alloc(Math.min(TAIL_CHUNK, size));
  for (let end = size; end > 0; ) {
    const start = Math.max(0, end - chunk.length);
    const { bytesRead } = await handle.read(chunk, 0, end - start, start);
    const at = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (at >= 0) return start + at;
    end = start;
  }
  return -1;
}

/** Refuses a file whose first line is not a result: it is not a journal, and must not be appended to. */
async function checkFirstLine(path: string, bytes: number, name: string): Promise<void> {
  const stream = createReadStream(path, { start: 0, end: bytes - 1, highWaterMark: TAIL_CHUNK });
  try {
    for await (const lines of readLineBatches(stream, MAX_JOURNAL_LINE)) {
      const first = lines[0];
      if (first === undefined) continue;
      if (first.truncated || parseResult(first.text) === null) throw notAJournal(name);
      return;
    }
  } finally {
    stream.destroy();
  }
}

function notAJournal(name: string): UsageError {
  return new UsageError(
    `--resume journal "${name}" is not a urlcheck journal (its lines are not results); give a new file name, or delete the file`,
  );
}

