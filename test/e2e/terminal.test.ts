// What a person sees in a real terminal: the CLI runs in a pseudo-terminal (stdin, stdout and
// stderr all the terminal, as in a shell), and the tests replay what the terminal received.
import { describe, expect, it } from 'vitest';
import { closedPort, useFixtureServer } from '../helpers/fixtures.js';
import { HAS_PTY, replay, runInPty } from '../helpers/pty.js';
import { useTempDir } from '../helpers/temp-dir.js';

const ERASE = '\r\u001b[2K';

describe.skipIf(!HAS_PTY)('urlcheck in a terminal', () => {
  const server = useFixtureServer();
  const temp = useTempDir('urlcheck-terminal-');

  /** A list of every kind of result, and the URLs a person must be able to copy from the screen. */
  async function kindsList(): Promise<{ path: string; urls: string[] }> {
    const url = server().url;
    const urls = [
      ...[1, 2, 3, 4, 5, 6].map((i) => url(`/delay/20/page-${i}`)),
      url('/moved/301'),
      url('/status/404'),
      url('/challenge'),
      `http://127.0.0.1:${await closedPort()}/nothing-listens-here`,
    ];
    // The 404 twice (line 8, then 11: a duplicate line), and a line that is no URL.
    const path = await temp.listFile('kinds.txt', [...urls, url('/status/404'), 'not a url']);
    return { path, urls };
  }

  /** The environment of an interactive shell in a UTF-8 locale, and nothing of the test runner's. */
  const shell = (more: Record<string, string> = {}) => ({ PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: temp.path(), TERM: 'xterm-256color', LANG: 'C.UTF-8', ...more });
  // No --slow: a check's time must not decide what the screen shows on a busy machine.
  const ARGS = ['--retries', '0', '--timeout', '5000'];

  it.each([60, 80, 120, 200])('at %i columns: erases the progress line before the report, and no line is wider than the terminal', async (columns) => {
    const { path, urls } = await kindsList();
    const { code, output } = await runInPty([path, ...ARGS], { columns, env: shell() });
    expect(code).toBe(1);
    // The progress line was drawn, and erased before the report's first line arrived.
    const reportStart = output.indexOf('Healthy URLs, slowest first:');
    expect(reportStart).toBeGreaterThan(0);
    const progress = output.slice(0, reportStart);
    expect(progress).toContain('checked');
    expect(progress.endsWith(`${ERASE}\u001b[1m`)).toBe(true);
    expect(output.indexOf(ERASE, reportStart)).toBe(-1);

    const screen = replay(output, columns);
    expect(screen.overflowing).toEqual([]);
    expect(screen.lines.filter((line) => line.includes('checked ·'))).toEqual([]);
    // The report starts on a line of its own, and every URL is whole on one line.
    expect(screen.lines.map((line) => line.trim())).toContain('Healthy URLs, slowest first:');
    for (const url of urls) expect(screen.lines.some((line) => line.includes(url)), url).toBe(true);
    // A table where a row can hold each URL whole; one block per result where it cannot.
    const table = screen.lines.some((line) => line.startsWith('┌'));
    expect(table).toBe(columns >= 120);
    expect(screen.lines.some((line) => line.includes('duplicate of line 8: the same URL, checked once for both'))).toBe(true);
  });

  it('with TERM=dumb: no bar, no cursor movement, no escape code at all', async () => {
    const { path } = await kindsList();
    const { code, output } = await runInPty([path, ...ARGS], { columns: 80, env: shell({ TERM: 'dumb' }) });
    expect(code).toBe(1);
    expect(output).not.toContain('\u001b');
    expect(output).not.toMatch(/\r(?!\n)/);
    expect(output).not.toContain('█');
    expect(output).toContain('Needing attention, in list order:');
  });

  it('in a locale that is not UTF-8: ASCII only, the progress line included', async () => {
    const { path } = await kindsList();
    const { code, output } = await runInPty([path, ...ARGS], { columns: 120, env: shell({ LANG: 'C' }) });
    expect(code).toBe(1);
    expect(output).toMatch(/^[\x00-\x7f]*$/);
    expect(output).toContain('checked - ');
    expect(replay(output, 120).lines).toContain('Needing attention, in list order:');
  });
});
