import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built entry point, as users run it. */
export const BIN = fileURLToPath(new URL('../../bin/urlcheck.js', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

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
}

/** Spawns `node bin/urlcheck.js ...args` and collects its output and exit code. */
export function runCli(args: string[], options: RunCliOptions = {}): Promise<CliRun> {
  if (!existsSync(BUILT)) throw new Error('dist/ is missing: run `npm run build` (npm test does) before the e2e tests');
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...options.env };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
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
