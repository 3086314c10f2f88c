// Where a command's output goes and how it ends, written once for a run, `urlcheck merge` and
// --dump: files opened safely, stdout's reader going away (`| head`), a write that fails,
// interrupts, GitHub Actions' workflow commands, and the exit code those leave.
import { randomUUID } from 'node:crypto';
import { fstatSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { wrapWords } from '../reporters/format.js';
import { describeFsError } from '../util/fs-errors.js';
import { printable } from '../util/redact.js';
import { TextWriter } from '../util/text-writer.js';
import { asInputError, CliError, EXIT, interruptedExit, type CliIo } from './io.js';

interface OpenedOutput {
  /** How messages name it: `--output "r.json"`. */
  name: string;
  stream: Writable;
  /**
   * Finishes the file: a whole document is renamed into place only now, unless its writer
   * failed (then the temporary file is removed and the writer's error thrown). Throws the
   * error of a rename that fails.
   */
  commit(writer: Pick<TextWriter, 'end' | 'broken'>): Promise<void>;
  /** Removes a half-written temporary file after a failure. */
  discard(): Promise<void>;
}

/**
 * Opens an output file. A `whole` document (JSON, a table) is written to a temporary file beside
 * it and renamed into place at the end, so a crash never replaces a good report with half of
 * one; lines (NDJSON, CSV) stream straight into the file, one complete line at a time, as does
 * anything opened to `append`. Throws a {@link CliError} naming `flag` and the path.
 */
async function openOutput(path: string, flag: string, whole: boolean, append = false): Promise<OpenedOutput> {
  // Only a regular file (or a new one) is replaced by rename: renaming over /dev/null, a FIFO
  // or a terminal would replace the device itself, so those are written to directly.
  const existing = await stat(path).catch(() => null);
  const atomic = !append && whole && (existing === null || existing.isFile());
  const target = atomic ? `${path}.urlcheck-${process.pid}.tmp` : path;
  let handle;
  try {
    handle = await open(target, append ? 'a' : 'w');
  } catch (error) {
    throw new CliError('OUTPUT', `cannot write ${flag} "${path}": ${describeFsError(error)}`, { cause: error });
  }
  const stream = handle.createWriteStream();
  const discard = async () => {
    stream.destroy();
    if (atomic) await rm(target, { force: true });
  };
  return {
    name: `${flag} "${printable(path)}"`,
    stream,
    commit: async (writer) => {
      await writer.end();
      if (writer.broken !== null) {
        // Half a document must not replace the previous report.
        await discard();
        throw writer.broken;
      }
      if (!atomic) return;
      try {
        await rename(target, path);
      } catch (error) {
        await rm(target, { force: true });
        throw error;
      }
    },
    discard,
  };
}

/** What {@link runWithOutputs} opens. */
export interface OutputRequest {
  /** --output's path; null = stdout. */
  output: string | null;
  /** The main output is one document, written whole or not at all (see `isDocumentFormat`). */
  whole: boolean;
  /** stdin is an input: an interrupt must stop reading it. */
  usesStdin: boolean;
  /** --quiet: no closing note on stderr. */
  quiet: boolean;
  /**
   * The main output may start a line with text from the input (a list line in CSV, a table or
   * a --dump): under GitHub Actions, stdout is then wrapped in a `::stop-commands::` block, so
   * the runner never takes that text for a workflow command (see {@link Outputs.endUntrusted}).
   */
  untrustedLines: boolean;
}

/** The outputs a command's work writes to. */
export interface Outputs {
  /** The main output: --output's file, or stdout. */
  readonly out: TextWriter;
  /** stderr. */
  readonly err: TextWriter;
  /** True when `out` is stdout (its colour follows the terminal), false for --output's file. */
  readonly toStdout: boolean;
  /** Aborted when the user interrupts or an output fails: the work stops, keeping what it wrote. */
  readonly signal: AbortSignal;
  /** True once the reader of stdout has gone away. */
  readonly brokenPipe: boolean;
  /**
   * True when stdout is wrapped in a `::stop-commands::` block (GitHub Actions, untrusted lines,
   * stdout not a file): urlcheck's own workflow commands then go to `out` after
   * {@link endUntrusted}, never to stderr, whose lines the runner may read before stdout's.
   */
  readonly commandsGuarded: boolean;
  /** Ends the `::stop-commands::` block, if one is open; the outputs' end does it in any case. */
  endUntrusted(): void;
  /** Opens one more file (a --report, the job summary): committed, or discarded, with `out`. */
  openFile(path: string, flag: string, whole: boolean, append?: boolean): Promise<TextWriter>;
}

/** How a command's work ended. */
export interface WorkDone {
  /** The exit code, unless stdout's reader went away or the user interrupted. */
  code: number;
  /** One line for stderr once the outputs are done (what was left out, and why), or null. */
  note: string | null;
}

/**
 * Opens --output (or stdout), runs `work` on the outputs, and ends them: after a success every
 * file is committed (whole documents renamed into place); after a failure half-written files
 * are removed and the error is rethrown (see `asInputError`). An interrupt, stdout's reader going
 * away, or a write that fails aborts `outputs.signal`; the exit code is then 130 or 143, 141, or
 * {@link EXIT.OUTPUT_FAILED} (whatever `work` decided: a report is missing), with one line on
 * stderr naming the file and the system's error.
 */
export async function runWithOutputs(io: CliIo, request: OutputRequest, work: (outputs: Outputs) => Promise<WorkDone>): Promise<number> {
  const main = request.output === null ? null : await openOutput(request.output, '--output', request.whole);
  const files: Array<{ opened: OpenedOutput; writer: TextWriter }> = [];
  const stop = new AbortController();
  const onInterrupt = () => {
    stop.abort(io.signal?.reason);
    if (request.usesStdin) io.stdin.destroy();
  };
  if (io.signal?.aborted) onInterrupt();
  io.signal?.addEventListener('abort', onInterrupt, { once: true });
  let brokenPipe = false;
  // The first write that failed: the run stops, and ends with its message and exit code 3.
  const state: { failed: { name: string; error: unknown } | null } = { failed: null };
  const fail = (name: string, error: unknown) => {
    state.failed ??= { name, error };
    stop.abort(error);
  };
  const out = new TextWriter(main?.stream ?? io.stdout, (error) => {
    if ((error as NodeJS.ErrnoException).code === 'EPIPE' && main === null) {
      brokenPipe = true;
      stop.abort(error);
    } else fail(main?.name ?? 'to stdout', error);
  });
  const err = new TextWriter(io.stderr);
  const guard = main === null && request.untrustedLines && io.env['GITHUB_ACTIONS'] === 'true' && !isRegularFile(io.stdout) ? randomUUID() : null;
  // GitHub's documented way to print untrusted text: nothing between the two lines is a command.
  if (guard !== null) out.write(`::stop-commands::${guard}\n`);
  let guardOpen = guard !== null;
  const endUntrusted = () => {
    if (!guardOpen) return;
    guardOpen = false;
    out.write(`::${guard}::\n`);
  };
  const outputs: Outputs = {
    out,
    err,
    toStdout: main === null,
    signal: stop.signal,
    get brokenPipe() {
      return brokenPipe;
    },
    commandsGuarded: guard !== null,
    endUntrusted,
    openFile: async (path, flag, whole, append = false) => {
      const opened = await openOutput(path, flag, whole, append);
      const writer = new TextWriter(opened.stream, (error) => fail(opened.name, error));
      files.push({ opened, writer });
      return writer;
    },
  };

  let done: WorkDone;
  try {
    done = await work(outputs);
  } catch (error) {
    endUntrusted();
    if (main === null) await out.flush();
    await Promise.all([main, ...files.map((file) => file.opened)].map((opened) => opened?.discard()));
    if (state.failed !== null) return reportFailure(err, state.failed);
    if (stop.signal.aborted && brokenPipe) return EXIT.BROKEN_PIPE;
    throw asInputError(error);
  } finally {
    io.signal?.removeEventListener('abort', onInterrupt);
  }
  endUntrusted();
  // When the reader of stdout has gone (`| head`), end quietly: no note about a cut-short run.
  // Wrapped at spaces to the terminal's width (no wider than it, and never inside a word).
  if (done.note !== null && !request.quiet && !brokenPipe) err.write(`${wrapWords(`urlcheck: ${done.note}`, err.columns ?? Number.POSITIVE_INFINITY, '  ').join('\n')}\n`);
  const toCommit = [...(main === null ? [] : [{ opened: main, writer: out }]), ...files];
  if (main === null) await out.flush();
  for (const { opened, writer } of toCommit) await opened.commit(writer).catch((error: unknown) => fail(opened.name, error));
  if (state.failed !== null) return reportFailure(err, state.failed);
  await err.flush();

  if (brokenPipe) return EXIT.BROKEN_PIPE;
  return interruptedExit(io) ?? done.code;
}

/** Says which output could not be written and why, and gives the exit code for it. */
async function reportFailure(err: TextWriter, failed: { name: string; error: unknown }): Promise<number> {
  err.write(`urlcheck: cannot write ${failed.name}: ${describeFsError(failed.error)}\n`);
  await err.flush();
  return EXIT.OUTPUT_FAILED;
}

/** True when `stream` writes to a regular file (`> out.csv`), which no one reads as workflow commands. */
function isRegularFile(stream: object): boolean {
  const fd = (stream as { fd?: unknown }).fd;
  if (typeof fd !== 'number') return false;
  try {
    return fstatSync(fd).isFile();
  } catch {
    return false;
  }
}
