import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BIN } from './cli.js';

const PTY_RUN = fileURLToPath(new URL('./pty-run.py', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/bundle/cli.js', import.meta.url));

/** True when python3 (whose `pty` module makes the terminal) can run here. */
export const HAS_PTY = spawnSync('python3', ['-c', 'import pty'], { stdio: 'ignore' }).status === 0;

/** What a run in a pseudo-terminal left on the screen. */
export interface PtyRun {
  code: number | null;
  /** Everything the terminal received, stdout and stderr interleaved as a person sees them. */
  output: string;
}

/**
 * Runs the built `bin/urlcheck.js ...args` in a pseudo-terminal `columns` wide (stdin, stdout and
 * stderr all the terminal, as in an interactive shell), with `env` as its whole environment.
 */
export function runInPty(args: string[], options: { columns: number; rows?: number; env: Record<string, string>; cwd?: string }): Promise<PtyRun> {
  if (!existsSync(BUILT)) throw new Error('dist/ is missing: run `npm run build` (npm test does) before the e2e tests');
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [PTY_RUN, String(options.columns), String(options.rows ?? 50), process.execPath, BIN, ...args], {
      // Python would otherwise set LC_CTYPE=C.UTF-8 for a C locale (PEP 538), and the CLI inherit it.
      env: { PYTHONCOERCECLOCALE: '0', ...options.env },
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output: Buffer.concat(chunks).toString('utf8') }));
  });
}

/** The lines a terminal `columns` wide shows for `output`, and the lines that did not fit. */
export interface Screen {
  lines: string[];
  /** Lines the terminal had to fold because they were wider than it. */
  overflowing: string[];
}

/**
 * Replays terminal output the way a terminal draws it, enough for urlcheck's: printable text,
 * `\r` (back to the line's start), `\n`, `ESC[2K` (erase the line), and colour codes (ignored);
 * any other escape sequence is kept as text, so a test sees it. Wide characters count as one
 * column, which is all urlcheck draws.
 */
export function replay(output: string, columns: number): Screen {
  const lines: string[] = [];
  const overflowing: string[] = [];
  let line: string[] = [];
  let column = 0;
  let overflowed = false;
  const endLine = () => {
    const text = line.join('').trimEnd();
    lines.push(text);
    if (overflowed) overflowing.push(text);
    line = [];
    column = 0;
    overflowed = false;
  };
  for (const piece of output.split(/(\u001b\[[0-9;]*m|\u001b\[2K|\r|\n)/)) {
    if (piece === '\n') endLine();
    else if (piece === '\r') column = 0;
    else if (piece === '\u001b[2K') line = Array.from({ length: line.length }, () => ' ');
    else if (/^\u001b\[[0-9;]*m$/.test(piece)) continue;
    else {
      for (const char of piece) {
        if (column >= columns) overflowed = true;
        line[column] = char;
        column += 1;
      }
    }
  }
  if (line.length > 0) endLine();
  return { lines, overflowing };
}
