import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useFixtureServer } from '../helpers/fixtures.js';
import { useTempDir } from '../helpers/temp-dir.js';

// Under GitHub Actions the runner reads every line of a step's output that starts (after
// spaces) with "::" as a workflow command. A list is untrusted: its lines must never reach the
// start of an output line outside a ::stop-commands:: block, whatever the format, and
// urlcheck's own annotations must stay outside every block, so that they still work.
const server = useFixtureServer();
const temp = useTempDir('urlcheck-gha-');
const clean = { GITHUB_STEP_SUMMARY: undefined, HTTP_PROXY: undefined, HTTPS_PROXY: undefined, http_proxy: undefined, https_proxy: undefined };

/** Lines a hostile list holds: each is not a URL, so it becomes a result whose url is that text. */
const HOSTILE = ['::add-mask::secret', '::stop-commands::x', '::error file=evil.txt::owned', '  ::warning::indented'];

interface Commands {
  /** Commands the runner would run, in order, as written (trimmed). */
  run: string[];
  /** True when the output ended inside a stop-commands block. */
  leftOpen: boolean;
}

/** What GitHub's runner makes of `text`: lines starting with "::" after leading spaces, outside ::stop-commands:: blocks. */
function runnerCommands(text: string): Commands {
  const run: string[] = [];
  let token: string | null = null;
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trimStart();
    if (token !== null) {
      if (trimmed === `::${token}::`) token = null;
      continue;
    }
    if (!trimmed.startsWith('::')) continue;
    run.push(trimmed);
    const stop = /^::stop-commands::(.+)$/.exec(trimmed);
    if (stop !== null) token = stop[1] ?? null;
  }
  return { run, leftOpen: token !== null };
}

/** A command urlcheck itself writes: a stop-commands block with a random token, or an annotation titled urlcheck. */
function isOwnCommand(command: string): boolean {
  return /^::stop-commands::[0-9a-f-]{32,}$/.test(command) || /^::(error|warning|notice) .*title=urlcheck/.test(command);
}

describe('under GitHub Actions, list content never becomes a workflow command', () => {
  it.each([
    ['table', ['-f', 'table']],
    ['json', ['-f', 'json']],
    ['ndjson', ['-f', 'ndjson']],
    ['csv', ['-f', 'csv']],
    ['junit', ['-f', 'junit']],
    ['markdown', ['-f', 'markdown']],
    ['--dump', ['--dump']],
    ['--dump -f ndjson', ['--dump', '-f', 'ndjson']],
  ])('%s on stdout', async (name, args) => {
    const list = await temp.listFile(`hostile-${name.replace(/\W/g, '')}.txt`, [...HOSTILE, server().url('/status/404')]);
    const result = await runCli([list, '--retries', '0', ...args], { cwd: temp.path(), env: { ...clean, GITHUB_ACTIONS: 'true' } });
    expect(result.code, result.stderr).toBe(args.includes('--dump') ? 0 : 1);
    // Reported as they were read (a list line is trimmed): the test is not vacuous.
    for (const hostile of HOSTILE.map((line) => line.trim())) expect(result.stdout).toContain(name.includes('json') ? JSON.stringify(hostile).slice(1, -1) : hostile);

    const stdout = runnerCommands(result.stdout);
    expect(stdout.leftOpen).toBe(false);
    expect(stdout.run.filter((command) => !isOwnCommand(command))).toEqual([]);
    const stderr = runnerCommands(result.stderr);
    expect(stderr.run.filter((command) => !isOwnCommand(command))).toEqual([]);
    if (args.includes('--dump')) return;
    // urlcheck's own annotation of the broken URL is read by the runner: outside every block.
    const annotations = [...stdout.run, ...stderr.run].filter((command) => command.startsWith('::error '));
    expect(annotations.some((command) => command.includes('/status/404'))).toBe(true);
    expect(annotations.some((command) => command.includes('INVALID_URL') && command.includes('::add-mask::secret'))).toBe(true);
    // A block on stdout and annotations on stderr would race in the runner's log: when stdout is
    // wrapped, the annotations follow the block on stdout itself.
    if (stdout.run.some((command) => command.startsWith('::stop-commands::'))) expect(stderr.run).toEqual([]);
  });

  it('uses a fresh token each run, and no block at all outside GitHub Actions', async () => {
    const list = await temp.listFile('tokens.txt', ['::add-mask::secret']);
    const runs = await Promise.all([1, 2].map(() => runCli([list, '-f', 'csv', '--fail-on', 'none'], { cwd: temp.path(), env: { ...clean, GITHUB_ACTIONS: 'true' } })));
    const tokens = runs.map((run) => /^::stop-commands::(.+)$/m.exec(run.stdout)?.[1]);
    expect(tokens[0]).toMatch(/^[0-9a-f-]{32,}$/);
    expect(tokens[0]).not.toBe(tokens[1]);
    const local = await runCli([list, '-f', 'csv', '--fail-on', 'none'], { cwd: temp.path(), env: { ...clean, GITHUB_ACTIONS: undefined } });
    expect(local.stdout).not.toContain('::stop-commands::');
  });
});
