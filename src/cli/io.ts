// The CLI's contract with its process: exit codes, the streams and environment it works
// through, and the errors that stop a command. Loaded on every start, --help included: no
// dependencies beyond model/ and util/fs-errors.
import type { Readable, Writable } from 'node:stream';
import { UrlcheckError } from '../model/errors.js';
import type { RunEnd } from '../model/reporter.js';
import { describeFsError } from '../util/fs-errors.js';

/** Exit codes, defined once: CI scripts depend on them. */
export const EXIT = {
  /** Nothing in --fail-on: by default, every URL is healthy or only warned about. */
  OK: 0,
  /** Something in --fail-on: by default, at least one URL is unhealthy (broken, transient or blocked). */
  UNHEALTHY: 1,
  /** Usage or input error: bad flag or value, unreadable input, no URLs. */
  USAGE: 2,
  /**
   * A report could not be written (a full disk, an I/O error) on stdout, --output, a --report or
   * the job summary: the run failed, whatever --fail-on says, and a --resume journal is kept.
   */
  OUTPUT_FAILED: 3,
  /** The reader of stdout went away (`urlcheck … | head`). */
  BROKEN_PIPE: 141,
  /** Interrupted by SIGINT (Ctrl-C), after writing every finished result. */
  SIGINT: 130,
  /** Stopped by SIGTERM, after writing every finished result. */
  SIGTERM: 143,
} as const;

/** stdout or stderr: a stream that may be a terminal. */
export type OutStream = Writable & { isTTY?: boolean; columns?: number };

/** The process surface `main` works through, so tests can run the CLI in-process. */
export interface CliIo {
  stdin: Readable & { isTTY?: boolean };
  stdout: OutStream;
  stderr: OutStream;
  env: Record<string, string | undefined>;
  /** Where a urlcheck.config.{json,yaml,yml} is looked for; the process's cwd by default. */
  cwd?: string;
  /** Aborted with an {@link Interrupt} when the user interrupts the run. */
  signal?: AbortSignal;
  /**
   * Told once a run's results are all reported (a check run or a merge, not --dump): its outcome,
   * and the report files written (--output, then each --report, as given; not the job summary).
   * The GitHub Action makes step outputs of them.
   */
  onRunEnd?: (end: RunEnd, reports: readonly string[]) => void;
}

/** The reason a run was aborted by a signal (the `reason` of {@link CliIo.signal}). */
export class Interrupt extends UrlcheckError {
  override readonly name = 'Interrupt';
  declare readonly code: 'INTERRUPTED';

  constructor(readonly signalName: 'SIGINT' | 'SIGTERM') {
    super('INTERRUPTED', `interrupted by ${signalName}`);
  }
}

/**
 * Stable `code`s of {@link CliError}: `NO_INPUT`, no input on a terminal or no URL in the
 * inputs; `INPUT`, an input failed in a way its reader did not describe; `OUTPUT`, an output
 * file (--output, --report, the job summary) cannot be written.
 */
export type CliErrorCode = 'NO_INPUT' | 'INPUT' | 'OUTPUT';

/** Why the CLI stopped before or while checking, in one line: exit 2, as for a usage error. */
export class CliError extends UrlcheckError {
  override readonly name = 'CliError';

  constructor(override readonly code: CliErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * An error met while reading input, as one of urlcheck's own: those already say which input
 * (`cannot read input "x": …`) and stay as they are; a system error (one with a `code`: the
 * file system, zlib, the network) is named as an input failure. Anything else is a bug and is
 * returned as it is, for {@link exitOnError} to call it an unexpected error.
 */
export function asInputError(error: unknown): unknown {
  if (error instanceof UrlcheckError) return error;
  if (!(error instanceof Error) || typeof (error as NodeJS.ErrnoException).code !== 'string') return error;
  return new CliError('INPUT', `cannot read input: ${describeFsError(error)}`, { cause: error });
}

/** Writes `urlcheck: <message>` on stderr and returns the usage exit code. */
export function usageError(io: CliIo, message: string): number {
  io.stderr.write(`urlcheck: ${message}\n`);
  return EXIT.USAGE;
}

/**
 * The exit code for an error that stopped a command: urlcheck's own errors are one line as they
 * are (exit 2); anything else is a bug, "unexpected error", also one line.
 */
export function exitOnError(io: CliIo, error: unknown): number {
  if (error instanceof UrlcheckError) return usageError(io, error.message);
  return usageError(io, `unexpected error: ${error instanceof Error ? error.message : String(error)}`);
}

/** 130 or 143 when the user interrupted the command, else null. */
export function interruptedExit(io: CliIo): number | null {
  const reason: unknown = io.signal?.aborted ? io.signal.reason : null;
  if (!(reason instanceof Interrupt)) return null;
  return reason.signalName === 'SIGTERM' ? EXIT.SIGTERM : EXIT.SIGINT;
}

/**
 * The chalk level for a stream: --no-color and NO_COLOR turn colour off, FORCE_COLOR (0-3)
 * forces it, otherwise colour only on a terminal that is not "dumb".
 */
export function colorLevel(
  stream: { isTTY?: boolean },
  env: Record<string, string | undefined>,
  colorFlag: boolean,
): 0 | 1 | 2 | 3 {
  if (!colorFlag) return 0;
  const force = env['FORCE_COLOR'];
  if (force !== undefined) {
    if (force === '' || force === 'true') return 1;
    if (force === 'false') return 0;
    const level = Number(force);
    return Number.isInteger(level) && level >= 0 ? (Math.min(level, 3) as 0 | 1 | 2 | 3) : 1;
  }
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return 0;
  if (stream.isTTY !== true || env['TERM'] === 'dumb') return 0;
  if (env['COLORTERM'] === 'truecolor' || env['COLORTERM'] === '24bit') return 3;
  if (/-256(color)?$/i.test(env['TERM'] ?? '')) return 2;
  return 1;
}

/**
 * True when output should be drawn with ASCII only (`+-|`, `x`, `.`) rather than Unicode box
 * drawing and symbols: `flag` when --ascii (true) or --no-ascii (false) was given; otherwise
 * when the locale does not name UTF-8. The locale is the first non-empty of LC_ALL, LC_CTYPE
 * and LANG, as the C library reads it; none at all (cron, `env -i`) is the "C" locale, ASCII.
 */
export function asciiOnly(flag: boolean | null | undefined, env: Record<string, string | undefined>): boolean {
  if (typeof flag === 'boolean') return flag;
  const locale = [env['LC_ALL'], env['LC_CTYPE'], env['LANG']].find((value) => value !== undefined && value !== '');
  return locale === undefined || !/utf-?8/i.test(locale);
}
