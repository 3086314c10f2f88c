import { constants, writeSync, type BigIntStats } from 'node:fs';
import { lstat, open, realpath, stat, unlink, type FileHandle } from 'node:fs/promises';
import { UsageError } from '../model/errors.js';
import type { CheckResult, Target } from '../model/types.js';
import { VERSION } from '../model/version.js';
import { describeFileKind, describeFsError, type FileKindInfo } from '../util/fs-errors.js';
import { isCheckedFragment } from '../util/fragments.js';
import { Hash64, UrlHashIndex } from '../util/hash.js';
import { printable } from '../util/redact.js';
import { emptyReportSource, isTornLine, MAX_REPORT_LINE_LENGTH, readReportHead, readReportResults, type ReportSource, type ReportUse } from './reader.js';

/** `--resume`'s wording of the reader's refusals. */
const JOURNAL_USE: ReportUse = {
  cannotRead: (name, reason) => `cannot read --resume journal "${name}": ${reason}`,
  notAReport: (name) => `--resume journal "${name}" is not a urlcheck journal (its lines are not results); give a new file name, or delete the file`,
};

/** The journal format this version writes and reads (the header's `journal` field). */
const JOURNAL_FORMAT = 1;

/**
 * What a journal belongs to, as its header line records it: a journal is resumed only by the run
 * that wrote it, since its results are replayed into that run's report and count in its exit code.
 */
export interface JournalRun {
  /** The inputs as given, in order: files and globs as named, URLs (credentials redacted), `-` for stdin. */
  inputs: string[];
  /** The config file whose targets the run checks, as its targets name it; null when none does. */
  config: string | null;
  /** The working directory, when an input or the config file is a relative path (results name them so); else null. */
  cwd: string | null;
  /**
   * The options that change results, by flag: its value as text, `''` for a flag that is on, null
   * for one not given (or off), a list for a repeatable one. Never a secret: `--header` lists names.
   */
  options: Record<string, string | string[] | null>;
}

/**
 * The `--resume` journal: an append-only NDJSON file whose first line, its header
 * (`{"tool":"urlcheck","journal":1,"version":…,"run":{…}}`), says which run it belongs to (a
 * {@link JournalRun}), then one result per line (the `-f ndjson` shape, so it is also a report),
 * appended as results complete and written to the file once per batch, so a run killed at any
 * point, SIGKILL included, loses at most the batch it was writing. The header goes out with the
 * first batch: a run killed before any result leaves an empty journal.
 *
 * It is read by the one report reader (`readReport` in reports/reader.ts) and its rule for
 * torn and damaged lines. Opening one reads nothing but its first and last lines: a file whose
 * first line is not a result or a journal header (a JSON report included), or the journal of
 * another run, is refused untouched; a torn last line is cut off (a torn header alone leaves an
 * empty journal), so the next result starts on a line of its own, and a complete one missing only
 * its newline gets it.
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
    /** The file opened, by device and inode: the only file {@link remove} deletes. */
    private readonly file: Pick<BigIntStats, 'dev' | 'ino'>,
    /** Bytes of complete lines when the journal was opened: what {@link replay} reads. */
    readonly replayBytes: number,
    /** The header line still to write before the first result; null once the file has a first line. */
    private header: string | null,
    /**
     * True when the journal has results but no header (an older urlcheck wrote it): it cannot tell
     * which run it belongs to, and its results were taken as this run's.
     */
    readonly unverified: boolean,
  ) {
    this.replayed = emptyReportSource(name);
  }

  /** Damaged journal lines (not results) that {@link replay} skipped so far. */
  get skippedLines(): number {
    return this.replayed.skippedLines;
  }

  /**
   * Opens (or creates) the journal at `path` for a resumed run of `run`. Throws a
   * {@link UsageError} (one line) when it is not a regular file (a device, a FIFO: never opened),
   * cannot be read or written, is not a urlcheck journal, or belongs to another run (saying what
   * differs).
   */
  static async open(path: string, run: JournalRun): Promise<ResumeJournal> {
    const name = printable(path);
    // Looked at before it is opened: opening a FIFO would wait for a writer, and a device is no journal.
    const found = await stat(path).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new UsageError(`cannot open --resume journal "${name}": ${describeFsError(error)}`);
    });
    if (found !== null && !found.isFile()) throw notRegularFile(name, found);
    let handle: FileHandle;
    try {
      // O_NONBLOCK: should a FIFO take the file's place meanwhile, opening it does not wait (it is then refused).
      handle = await open(path, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK, 0o666);
    } catch (error) {
      throw new UsageError(`cannot open --resume journal "${name}": ${describeFsError(error)}`);
    }
    try {
      const opened = await handle.stat({ bigint: true });
      if (!opened.isFile()) throw notRegularFile(name, opened);
      const size = Number(opened.size);
      const header = `${JSON.stringify({ tool: 'urlcheck', journal: JOURNAL_FORMAT, version: VERSION, run })}\n`;
      if (size === 0) return new ResumeJournal(name, path, handle, opened, 0, header, false);
      // The first line is checked before anything is changed: a file that is not a journal, or another run's, stays as it was.
      const head = await readReportHead(handle, emptyReportSource(name), JOURNAL_USE);
      if (head.format === 'json') throw new UsageError(JOURNAL_USE.notAReport(name, 1));
      if (head.journal !== undefined) checkRun(name, head.journal, run);
      else if (head.results === 0) {
        // Blank lines, or a first line a kill cut short (the header, or a result): nothing to replay.
        if (head.torn) await handle.truncate(0);
        return new ResumeJournal(name, path, handle, opened, 0, header, false);
      }
      const replayBytes = await endOnWholeLine(handle, size);
      return new ResumeJournal(name, path, handle, opened, replayBytes, null, head.journal === undefined);
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
    yield* readReportResults(this.handle, this.replayed, JOURNAL_USE, this.replayBytes);
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
    if (this.header !== null) this.pending.unshift(this.header);
    const text = this.pending.length === 1 ? (this.pending[0] as string) : this.pending.join('');
    this.pending = [];
    this.header = null;
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
   * same command line next time starts afresh instead of replaying a finished run. Only the file
   * this run opened is deleted (through a symlink, the file it points to): when another file has
   * taken its place meanwhile, or it is gone, nothing is, and this resolves to false.
   */
  async remove(): Promise<boolean> {
    await this.close();
    try {
      const real = await realpath(this.path);
      const now = await lstat(real, { bigint: true });
      if (!now.isFile() || now.dev !== this.file.dev || now.ino !== this.file.ino) return false;
      await unlink(real);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }
}

/** Opens the `--resume` journal at `path` for a run of `run`; see {@link ResumeJournal.open}. */
export function openJournal(path: string, run: JournalRun): Promise<ResumeJournal> {
  return ResumeJournal.open(path, run);
}

/** The refusal of a journal path that is not a regular file, naming what it is. */
function notRegularFile(name: string, info: FileKindInfo): UsageError {
  const kind = describeFileKind(info) ?? 'not a file';
  return new UsageError(`--resume journal "${name}" is not a regular file (it is ${kind}); give the path of a journal file, or of a file to create`);
}

/** Refuses, in one line saying what differs, a journal whose header names another run than `run`. */
function checkRun(name: string, header: Record<string, unknown>, run: JournalRun): void {
  const refuse = (what: string) => new UsageError(`--resume "${name}": ${what}; remove it or use another journal`);
  if (header['journal'] !== JOURNAL_FORMAT) {
    const by = typeof header['version'] === 'string' ? ` by urlcheck ${printable(header['version'].slice(0, 40))}` : '';
    throw refuse(`the journal was written${by} in a format this urlcheck does not read`);
  }
  const difference = describeRunDifference(journalRunFrom(header['run']), run);
  if (difference !== null) throw refuse(`the journal belongs to ${difference}`);
}

/** The run a journal header records, read leniently: a field it lacks reads as empty, and so differs. */
function journalRunFrom(value: unknown): JournalRun {
  const record = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const text = (field: unknown) => (typeof field === 'string' ? field : null);
  const inputs = Array.isArray(record['inputs']) ? record['inputs'].filter((input): input is string => typeof input === 'string') : [];
  const options: JournalRun['options'] = {};
  const given = typeof record['options'] === 'object' && record['options'] !== null ? (record['options'] as Record<string, unknown>) : {};
  for (const [flag, option] of Object.entries(given)) {
    options[flag] = Array.isArray(option) ? option.filter((item): item is string => typeof item === 'string') : text(option);
  }
  return { inputs, config: text(record['config']), cwd: text(record['cwd']), options };
}

/**
 * How the run a journal belongs to differs from `now`, e.g. `a run of "a.txt", not "b.txt"` or
 * `a run with --method head, not --method get`; null when it is the same run.
 */
function describeRunDifference(was: JournalRun, now: JournalRun): string | null {
  const wasParts: string[] = [];
  const nowParts: string[] = [];
  if (JSON.stringify(was.inputs) !== JSON.stringify(now.inputs) || was.config !== now.config) {
    wasParts.push(`of ${inputsText(was)}`);
    nowParts.push(`of ${inputsText(now)}`);
  }
  if (was.cwd !== null && now.cwd !== null && was.cwd !== now.cwd) {
    wasParts.push(`in "${printable(was.cwd)}"`);
    nowParts.push(`in "${printable(now.cwd)}"`);
  }
  const flags = [...new Set([...Object.keys(now.options), ...Object.keys(was.options)])];
  const differ = flags.filter((flag) => JSON.stringify(was.options[flag] ?? null) !== JSON.stringify(now.options[flag] ?? null));
  if (differ.length > 0) {
    wasParts.push(optionsText(differ, was.options));
    nowParts.push(optionsText(differ, now.options));
  }
  if (wasParts.length === 0) return null;
  const wasText = wasParts.join(' ');
  const nowText = nowParts.join(' ');
  // "a run of "a.txt", not "b.txt"": the second side leaves out a first word the two share.
  const shared = wasText.slice(0, wasText.indexOf(' ') + 1);
  return `a run ${wasText}, not ${nowText.startsWith(shared) ? nowText.slice(shared.length) : nowText}`;
}

function inputsText(run: JournalRun): string {
  const inputs = run.inputs.map((input) => (input === '-' ? 'stdin' : `"${printable(input)}"`));
  if (run.config !== null) inputs.push(`the targets of "${printable(run.config)}"`);
  return inputs.length === 0 ? 'no inputs' : inputs.join(', ');
}

/** `with --method head --insecure without --base`: each flag as the run set it, runs of "with" and "without" joined. */
function optionsText(flags: readonly string[], options: JournalRun['options']): string {
  const words: string[] = [];
  let last: 'with' | 'without' | null = null;
  for (const flag of flags) {
    const value = options[flag] ?? null;
    const set = value !== null && !(Array.isArray(value) && value.length === 0);
    const preposition = set ? 'with' : 'without';
    if (preposition !== last) words.push(preposition);
    last = preposition;
    if (!set || value === '') words.push(flag);
    else for (const item of Array.isArray(value) ? value : [value]) words.push(`${flag} ${quoted(item)}`);
  }
  return words.join(' ');
}

function quoted(value: string): string {
  return /^[\w./:@%+,=~^-]+$/.test(value) ? value : `"${printable(value)}"`;
}

/**
 * The key a journal result is remembered by, to skip re-checking its URL: the href without the
 * fragment (with it under `checkFragments`, or for a local `file:` link), as `dedupeKeyOf` gives
 * for a target. Null when the journal cannot tell it: a line that is not an http(s) or file: URL,
 * or a URL whose credentials the journal shows redacted (lines of such a URL not reported yet are
 * checked again; their own reported lines still are not).
 */
export function journalKeyOf(result: Pick<CheckResult, 'url'>, checkFragments = false): string | null {
  let url: URL;
  try {
    url = new URL(result.url);
  } catch {
    return null;
  }
  if (url.protocol === 'file:') return url.href;
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '') return null;
  const href = url.href;
  const hash = href.indexOf('#');
  return hash < 0 || (checkFragments && isCheckedFragment(url)) ? href : href.slice(0, hash);
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
