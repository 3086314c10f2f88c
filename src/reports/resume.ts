import { writeSync } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { UsageError } from '../model/errors.js';
import type { CheckResult, Target } from '../model/types.js';
import { describeFsError } from '../util/fs-errors.js';
import { Hash64, UrlHashIndex } from '../util/hash.js';
import { printable } from '../util/redact.js';
import { emptyReportSource, isTornLine, MAX_REPORT_LINE_LENGTH, readReportHead, readReportResults, type ReportSource, type ReportUse } from './reader.js';

/** `--resume`'s wording of the reader's refusals. */
const JOURNAL_USE: ReportUse = {
  cannotRead: (name, reason) => `cannot read --resume journal "${name}": ${reason}`,
  notAReport: (name) => `--resume journal "${name}" is not a urlcheck journal (its lines are not results); give a new file name, or delete the file`,
};

/**
 * The `--resume` journal: an append-only NDJSON file, one result per line (the `-f ndjson` shape,
 * so it is also a report), appended as results complete and written to the file once per batch,
 * so a run killed at any point, SIGKILL included, loses at most the batch it was writing.
 *
 * It is read by the one report reader (`readReport` in reports/reader.ts) and its rule for
 * torn and damaged lines. Opening one reads nothing but its first and last lines: a file whose
 * first line is not a result (a JSON report included) is refused untouched; a torn last line is
 * cut off, so the next result starts on a line of its own, and a complete one missing only its
 * newline gets it.
 * {@link replay} then streams its results, skipping and counting damaged lines.
 */
export class ResumeJournal {
  private readonly replayed: ReportSource;
  private pending: string[] = [];
  private closed = false;

  private constructor(
    /** The path, made printable, as messages name it. */
    readonly name: string,
    private readonly path: string,
    private readonly handle: FileHandle,
    /** Bytes of complete lines when the journal was opened: what {@link replay} reads. */
    readonly replayBytes: number,
  ) {
    this.replayed = emptyReportSource(name);
  }

  /** Damaged journal lines (not results) that {@link replay} skipped so far. */
  get skippedLines(): number {
    return this.replayed.skippedLines;
  }

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
        // The first line is checked before anything is changed: a file that is not a journal stays as it was.
        const head = await readReportHead(path, emptyReportSource(name), JOURNAL_USE);
        if (head.format === 'json') throw new UsageError(JOURNAL_USE.notAReport(name, 1));
        replayBytes = await endOnWholeLine(handle, size);
      }
      return new ResumeJournal(name, path, handle, replayBytes);
    } catch (error) {
      await handle.close();
      if (error instanceof UsageError) throw error;
      throw new UsageError(JOURNAL_USE.cannotRead(name, describeFsError(error)), { cause: error });
    }
  }

  /**
   * The results the journal held when it was opened, in the order they were written, a batch per
   * chunk read. A damaged line is skipped and counted in {@link skippedLines}.
   */
  async *replay(): AsyncGenerator<CheckResult[]> {
    if (this.replayBytes === 0) return;
    yield* readReportResults(this.path, this.replayed, JOURNAL_USE, this.replayBytes);
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

const TAIL_CHUNK = 64 * 1024;

/**
 * Makes the journal end on a whole line, by the reader's rule for its last line: a torn one (a
 * kill cut it short) is cut off, a complete one missing only its newline gets it. Returns the
 * length of the journal's lines then, in bytes: what {@link ResumeJournal.replay} reads.
 */
async function endOnWholeLine(handle: FileHandle, size: number): Promise<number> {
  const tailStart = (await lastIndexOfNewline(handle, size)) + 1;
  if (tailStart === size) return size;
  const tailLength = size - tailStart;
  // UTF-8 takes at most 3 bytes per UTF-16 code unit: past that, the line is too long to be whole.
  let torn = tailLength > 3 * MAX_REPORT_LINE_LENGTH;
  if (!torn) {
    const tail = Buffer.alloc(tailLength);
    await handle.read(tail, 0, tailLength, tailStart);
    torn = isTornLine(tail.toString('utf8'));
  }
  if (torn) {
    await handle.truncate(tailStart);
    return tailStart;
  }
  await handle.write('\n');
  return size + 1;
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
