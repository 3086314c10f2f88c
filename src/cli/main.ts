// The CLI's entry: which command runs, and the one place that touches the real process
// (argv, streams, environment, signals, the exit code). Each command loads its own code.
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
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
 * How much WebAssembly a function runs (V8's rough count of bytes executed) before V8 compiles it
 * again with its optimising compiler: the default of V8 12 and later (Node 22+). V8 11 (Node 20)
 * uses 1,800,000, which undici's HTTP parser (llhttp, WebAssembly) spends on the first response,
 * so every run, even of one URL, paid a TurboFan compile of the parser (measured: 1,490 → 1,040
 * million instructions for one URL). With this budget, as on later lines, runs of a few hundred
 * URLs never need it and longer ones still get it early.
 */
const WASM_TIERING_BUDGET = 13_000_000;

/**
 * The young generation's size past which V8 may not grow it, in bytes (new_space's `space_size`
 * in `getHeapSpaceStatistics`). 8 MiB rather than 16 (issue 17): M1's peak on Node 24 at 1,000,000
 * URLs 152 → 144 MB (300,000 URLs: 127 → 118 MiB), for W3 1.01× the time on Node 20 and 1.04×
 * on Node 24 (7 interleaved runs each): the run's garbage dies young either way.
 */
const NEW_SPACE_CAP_BYTES = 8 * 1024 * 1024;
/** V8's own `--semi-space-growth-factor`, the same on every supported line. */
const SEMI_SPACE_GROWTH_FACTOR = 2;

/**
 * Holds V8's young generation at about {@link NEW_SPACE_CAP_BYTES} for as long as the returned
 * function is not called. V8 grows the young generation while objects keep surviving scavenges,
 * as a run's in-flight checks do: up to 32 MiB on Node 20, 128 MiB on Node 24 (the cause of
 * 250 MB peaks where Node 20 stays at 130). `--max-semi-space-size` would cap it, but V8 reads it
 * only at start-up, where a CLI cannot set it for its users; the growth factor is read at each
 * growth, so after each GC it is set to 1 (no growth) at the cap and back to V8's own below it.
 * Measured with 100,000 URLs at -c 100 (with a 16 MiB cap): peak RSS 130 → 119 MB on Node 20,
 * 250 → 140 MB on Node 24; W3 (20,000 URLs at -c 64) no slower on either.
 */
function capNewSpace(): () => void {
  let capped = false;
  // Called with the GCs since the last call (scavenges, and full GCs that may shrink it).
  const observer = new PerformanceObserver(() => {
    const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    if (newSpace === undefined || newSpace.space_size >= NEW_SPACE_CAP_BYTES === capped) return;
    capped = !capped;
    setFlagsFromString(`--semi-space-growth-factor=${capped ? 1 : SEMI_SPACE_GROWTH_FACTOR}`);
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}

/**
 * The process entry point used by bin/urlcheck.js: wires argv, the real streams, the
 * environment and SIGINT/SIGTERM into {@link main} and sets the exit code. A second Ctrl-C
 * exits at once.
 */
export async function runProcess(): Promise<void> {
  process.exitCode = await runInProcess(process.argv.slice(2));
}

/** What a caller of {@link runInProcess} gives {@link main} instead of the real process's own. */
export type ProcessIoOverrides = Partial<Pick<CliIo, 'stdin' | 'stderr' | 'env' | 'cwd' | 'onRunEnd'>>;

/**
 * Runs {@link main} with `args` against the real process (stdout, SIGINT/SIGTERM, the heap
 * setting below), with `overrides` for the rest, and resolves to the exit code without setting
 * it: the CLI's entry and the GitHub Action's share it.
 */
export async function runInProcess(args: readonly string[], overrides: ProcessIoOverrides = {}): Promise<number> {
  // V8 lets the old generation grow to up to 4× the live heap between full collections; a
  // check's garbage is short-lived and a run's live heap small (about 18 MB at any list length),
  // so that headroom is most of the peak RSS. 1.5× keeps memory flat and low (measured at 300k
  // URLs: 165 → 127 MB peak RSS, no slower). Only the CLI sets it: it is process-wide.
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  // Node 20 only: later lines have this budget already, and a flag a future V8 drops would be an
  // "unrecognized flag" line on stderr.
  if (Number(process.versions.node.split('.')[0]) < 22) setFlagsFromString(`--wasm-tiering-budget=${WASM_TIERING_BUDGET}`);
  const uncapNewSpace = capNewSpace();
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
  const code = await main(args, {
    // process.stdin is created on first access: not at all when a caller gives its own.
    stdin: overrides.stdin ?? process.stdin,
    stdout: process.stdout,
    stderr: overrides.stderr ?? process.stderr,
    env: overrides.env ?? process.env,
    cwd: overrides.cwd ?? process.cwd(),
    ...(overrides.onRunEnd === undefined ? {} : { onRunEnd: overrides.onRunEnd }),
    signal: controller.signal,
  });
  uncapNewSpace();
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigterm);
  // Whatever went to stdout (--help, --version) is written, or has failed, before the exit code is set.
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  return stdoutExit(stdoutError, code);
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
