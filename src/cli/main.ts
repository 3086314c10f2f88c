// The CLI's entry: which command runs, and the one place that touches the real process
// (argv, streams, environment, signals, the exit code). Each command loads its own code.
import { setFlagsFromString } from 'node:v8';
import { describeFsError } from '../util/fs-errors.js';
import { EXIT, Interrupt, type CliIo } from './io.js';

/**
 * Runs the command line against `io` and resolves to the exit code. Never throws and never
 * exits the process: usage and input errors become one line on stderr and exit code 2.
 */
export async function main(args: readonly string[], io: CliIo): Promise<number> {
  // A command of its own, so that the root's [inputs...] never reads "merge" as a list file
  // (a list called merge is still ./merge).
  if (args[0] === 'merge') return (await import('./commands/merge.js')).mergeCommand(args.slice(1), io);
  return (await import('./commands/run.js')).runCommand(args, io);
}

/** How far V8 lets the old generation grow past the live heap between full GCs, in percent. */
const HEAP_GROWING_PERCENT = 50;

/**
 * The process entry point used by bin/urlcheck.js: wires argv, the real streams, the
 * environment and SIGINT/SIGTERM into {@link main} and sets the exit code. A second Ctrl-C
 * exits at once.
 */
export async function runProcess(): Promise<void> {
  // V8 lets the old generation grow to up to 4× the live heap between full collections; a
  // check's garbage is short-lived and a run's live heap small (about 18 MB at any list length),
  // so that headroom is most of the peak RSS. 1.5× keeps memory flat and low (measured at 300k
  // URLs: 165 → 127 MB peak RSS, no slower). Only the CLI sets it: it is process-wide.
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  const controller = new AbortController();
  const onSignal = (name: 'SIGINT' | 'SIGTERM') => {
    if (controller.signal.aborted) process.exit(name === 'SIGTERM' ? EXIT.SIGTERM : EXIT.SIGINT);
    controller.abort(new Interrupt(name));
  };
  const onSigint = () => onSignal('SIGINT');
  const onSigterm = () => onSignal('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  // Reports handle stdout's errors themselves (TextWriter); this covers everything else written
  // there, such as `urlcheck --help | head`, which must end quietly, not with a stack trace.
  let stdoutError: NodeJS.ErrnoException | null = null;
  const onStdoutError = (error: NodeJS.ErrnoException) => {
    stdoutError ??= error;
  };
  process.stdout.on('error', onStdoutError);
  const code = await main(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
  });
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigterm);
  // Whatever went to stdout (--help, --version) is written, or has failed, before the exit code is set.
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  process.exitCode = stdoutExit(stdoutError, code);
}

/**
 * The exit code once stdout failed (or not): a closed pipe after a success is 141; any other
 * write error is a report lost (3), said once on stderr unless the command already did.
 */
function stdoutExit(error: NodeJS.ErrnoException | null, code: number): number {
  if (error === null || code === EXIT.BROKEN_PIPE || code === EXIT.OUTPUT_FAILED) return code;
  if (error.code === 'EPIPE') return code === EXIT.OK ? EXIT.BROKEN_PIPE : code;
  process.stderr.write(`urlcheck: cannot write to stdout: ${describeFsError(error)}\n`);
  return EXIT.OUTPUT_FAILED;
}
