import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTempDir } from '../helpers/temp-dir.js';

// --include/--exclude through the built CLI, with --dump: nothing is contacted, the hosts are
// never resolved.
const temp = useTempDir('urlcheck-patterns-');
const env = { GITHUB_ACTIONS: undefined, GITHUB_STEP_SUMMARY: undefined };
const run = (args: string[]) => runCli(args, { cwd: temp.path(), env });

describe('--include/--exclude patterns run in linear time', () => {
  // A backtracking engine needs about 2^40 steps for (a+)+$ against 40 a and a ! (days; each
  // extra "a" doubles it), and Ctrl-C would wait for it: the run finishing at all is the check.
  it('--include (a+)+$ against a URL of 40 a and a ! selects what it should', async () => {
    const evil = `https://a.test/${'a'.repeat(40)}!`;
    const list = await temp.listFile('evil.txt', [evil, 'https://a.test/aaa', 'https://b.test/x']);
    const result = await run([list, '--dump', '--include', '(a+)+$', '--exclude', '(x+x+)+y']);
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 0, stdout: 'https://a.test/aaa\n' });
    expect(result.stderr).toBe('urlcheck: 1 target listed; 2 lines left out by --include/--exclude\n');
  });

  it('takes RE2 syntax: (?i) as before, and anywhere in the pattern', async () => {
    const list = await temp.listFile('case.txt', ['https://a.test/Report.PDF', 'https://a.test/DOCS/x.pdf', 'https://a.test/docs/y.PDF']);
    const result = await run([list, '--dump', '--include', '(?i)\\.pdf$', '--exclude', 'DOCS(?i)/X']);
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 0, stdout: 'https://a.test/Report.PDF\nhttps://a.test/docs/y.PDF\n' });
  });

  it('refuses a pattern that needs backtracking with one line naming the flag, and exit code 2', async () => {
    const list = await temp.listFile('one.txt', ['https://a.test/']);
    const why = 'must be a regular expression that runs in linear time';
    const cases: Array<[string[], string]> = [
      [['--include', '(\\w)\\1'], `urlcheck: --include: ${why}: a backreference (\\1, \\k<name>) needs backtracking, which urlcheck does not do (RE2 syntax) (got "(\\w)\\1")\n`],
      [['--exclude', '^(?!https)'], `urlcheck: --exclude: ${why}: lookahead or lookbehind ((?=, (?!, (?<=, (?<!) needs backtracking, which urlcheck does not do (RE2 syntax) (got "^(?!https)")\n`],
      [['--include', '(?<=//)a\\.test'], `urlcheck: --include: ${why}: lookahead or lookbehind ((?=, (?!, (?<=, (?<!) needs backtracking, which urlcheck does not do (RE2 syntax) (got "(?<=//)a\\.test")\n`],
    ];
    for (const [args, stderr] of cases) {
      const result = await run([list, '--dump', ...args]);
      expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({ code: 2, stdout: '', stderr });
    }
  });
});
