import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants as fsConstants, existsSync, openSync, realpathSync, statSync, writeSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built entry point, as users run it. */
export const BIN = fileURLToPath(new URL('../../bin/urlcheck.js', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/bundle/cli.js', import.meta.url));

/** What a finished CLI process left behind. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options for {@link runCli}. */
export interface RunCliOptions {
  /** Written to stdin, which is then closed; without it stdin is closed empty (never a TTY). */
  input?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Called once the process has started, e.g. to send it a signal later. */
  onSpawn?: (child: ChildProcess) => void;
  /** Arguments for node itself, before the script, e.g. `['--require', PROBE_PRELOAD]`. */
  nodeArgs?: string[];
  /** Run as this user and group (root only), e.g. 65534 for nobody. */
  uid?: number;
}

/** Spawns `node bin/urlcheck.js ...args` and collects its output and exit code. */
export function runCli(args: string[], options: RunCliOptions = {}): Promise<CliRun> {
  if (!existsSync(BUILT)) throw new Error('dist/ is missing: run `npm run build` (npm test does) before the e2e tests');
  // A UTF-8 locale whatever the machine's (the output draws Unicode only under one); a test of
  // another locale sets LANG, LC_CTYPE or LC_ALL itself.
  const locale = { LC_ALL: undefined, LC_CTYPE: undefined, LANG: 'C.UTF-8' };
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...locale, ...options.env };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return new Promise((resolve, reject) => {
    const ids = options.uid === undefined ? {} : { uid: options.uid, gid: options.uid };
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), BIN, ...args], { env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'], ...ids });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
    options.onSpawn?.(child);
  });
}

/**
 * Whether another user (`uid` in {@link RunCliOptions}) can run the node running the tests: the
 * binary and every folder above it are executable by others. A node from scripts/node-line.sh
 * under root's home (mode 700) is not.
 */
export function nodeRunnableByOthers(): boolean {
  for (let path = realpathSync(process.execPath); ; path = dirname(path)) {
    if ((statSync(path).mode & 0o001) === 0) return false;
    if (dirname(path) === path) return true;
  }
}

/** How a child process ended, with everything it wrote. */
export interface ProcessExit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Collects a spawned child's stdout and stderr (spawned with both piped) until it closes. */
export function collectExit(child: ChildProcess): Promise<ProcessExit> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A preload for `node --require` that records peak RSS and can fake a terminal on stderr (see probe.cjs). */
export const PROBE_PRELOAD = fileURLToPath(new URL('./probe.cjs', import.meta.url));

/** What {@link runCliProbed} adds to a run. */
export interface ProbedRun extends CliRun {
  /** The process's peak resident set size, in KiB (`process.resourceUsage().maxRSS` at exit). */
  peakRssKiB: number;
}

/**
 * Like {@link runCli}, under {@link PROBE_PRELOAD}: also measures the child's peak RSS, and with
 * `stderrTty` makes its stderr claim to be a terminal (progress lines are drawn). The child must
 * exit by itself (or by a catchable signal) for the measurement to exist.
 */
export async function runCliProbed(
  args: string[],
  options: RunCliOptions & { stderrTty?: boolean } = {},
): Promise<ProbedRun> {
  const dir = await mkdtemp(join(tmpdir(), 'urlcheck-probe-'));
  const file = join(dir, 'maxrss');
  try {
    const run = await runCli(args, {
      ...options,
      nodeArgs: [...(options.nodeArgs ?? []), '--require', PROBE_PRELOAD],
      env: {
        ...options.env,
        URLCHECK_PROBE_MAXRSS_FILE: file,
        URLCHECK_PROBE_STDERR_TTY: options.stderrTty === true ? '1' : undefined,
      },
    });
    const peakRssKiB = Number((await readFile(file, 'utf8')).trim());
    return { ...run, peakRssKiB };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * For `onSpawn`: writes `text` into the FIFO at `path` once the child has opened its reading end,
 * then closes it (end of input). The writing end is opened without blocking: ENXIO until the
 * reader is there, so it is polled.
 */
export function writeFifoWhenRead(path: string, text: string): (child: ChildProcess) => void {
  return (child) => {
    const poll = setInterval(() => {
      let fd: number;
      try {
        fd = openSync(path, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK);
      } catch {
        return; // ENXIO: the CLI has not opened the reading end yet
      }
      clearInterval(poll);
      writeSync(fd, text);
      closeSync(fd);
    }, 10);
    child.once('exit', () => clearInterval(poll));
  };
}
