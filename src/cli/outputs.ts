// Where a command's output goes and how it ends, written once for a run, `urlcheck merge` and
// --dump: files opened safely, stdout's reader going away (`| head`), interrupts, and the exit
// code those leave.
import { open, rename, rm, stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { describeFsError } from '../util/fs-errors.js';
import { TextWriter } from '../util/text-writer.js';
import { asInputError, CliError, EXIT, interruptedExit, type CliIo } from './io.js';

interface OpenedOutput {
  stream: Writable;
  /** Finishes the file: a whole document is renamed into place only now. */
  commit(writer: { end(): Promise<void> }): Promise<void>;
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
  return {
    stream,
    commit: async (writer) => {
      await writer.end();
      if (atomic) await rename(target, path);
    },
    discard: async () => {
      stream.destroy();
      if (atomic) await rm(target, { force: true });
    },
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
 * are removed and the error is rethrown as one of urlcheck's own (see `asInputError`). An
 * interrupt, or stdout's reader going away, aborts `outputs.signal`; the exit code is then 130
 * or 143, or 141, instead of `work`'s.
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
  const out = new TextWriter(main?.stream ?? io.stdout, (error) => {
    if ((error as NodeJS.ErrnoException).code === 'EPIPE' && main === null) brokenPipe = true;
    stop.abort(error);
  });
  const err = new TextWriter(io.stderr);
  const outputs: Outputs = {
    out,
    err,
    toStdout: main === null,
    signal: stop.signal,
    get brokenPipe() {
      return brokenPipe;
    },
    openFile: async (path, flag, whole, append = false) => {
      const opened = await openOutput(path, flag, whole, append);
      const writer = new TextWriter(opened.stream, (error) => stop.abort(error));
      files.push({ opened, writer });
      return writer;
    },
  };

  let done: WorkDone;
  try {
    done = await work(outputs);
  } catch (error) {
    await Promise.all([main, ...files.map((file) => file.opened)].map((opened) => opened?.discard()));
    if (stop.signal.aborted && brokenPipe) return EXIT.BROKEN_PIPE;
    throw asInputError(error);
  } finally {
    io.signal?.removeEventListener('abort', onInterrupt);
  }
  // When the reader of stdout has gone (`| head`), end quietly: no note about a cut-short run.
  if (done.note !== null && !request.quiet && !brokenPipe) err.write(`urlcheck: ${done.note}\n`);
  if (main !== null) await main.commit(out);
  else await out.flush();
  for (const { opened, writer } of files) await opened.commit(writer);
  await err.flush();

  if (brokenPipe) return EXIT.BROKEN_PIPE;
  return interruptedExit(io) ?? done.code;
}
