import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Option } from 'commander';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { buildMergeProgram, buildRunProgram, HELP_GROUPS, wrapHelpText } from '../../src/cli/program.js';
import { useTempDir } from '../helpers/temp-dir.js';

const temp = useTempDir('urlcheck-program-');

/** A stream that keeps what is written to it, claiming to be a terminal of `columns` when given. */
function sink(columns?: number): Writable & { text: () => string; isTTY?: boolean; columns?: number } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      text += String(chunk);
      callback();
    },
  });
  return Object.assign(stream, { text: () => text }, columns === undefined ? {} : { isTTY: true, columns });
}

/** Runs the CLI in-process, in an empty folder (no config file), with nothing on stdin. */
async function cli(args: string[], columns?: number): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = sink(columns);
  const stderr = sink();
  const io: CliIo = { stdin: Readable.from([]), stdout, stderr, env: {}, cwd: temp.path() };
  const code = await main(args, io);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** The help's sections: heading → its lines (a heading is a line such as "Input:"). */
function sections(help: string): Map<string, string[]> {
  const result = new Map<string, string[]>();
  let current = '';
  for (const line of help.split('\n')) {
    if (/^[A-Z][\w -]*:$/.test(line)) {
      current = line;
      result.set(current, []);
    } else if (current !== '') result.get(current)?.push(line);
  }
  return result;
}

const DUMMY_IO: CliIo = { stdin: Readable.from([]), stdout: sink(), stderr: sink(), env: {} };

/** Every option --help lists for a command: its own and the help option. */
function listedOptions(program: ReturnType<typeof buildRunProgram>): Option[] {
  return [...program.options, program.createHelp().visibleOptions(program).at(-1) as Option];
}

describe('--help', () => {
  for (const [name, args, build] of [
    ['urlcheck --help', ['--help'], buildRunProgram],
    ['urlcheck merge --help', ['merge', '--help'], buildMergeProgram],
  ] as const) {
    describe(name, () => {
      it('fits 80 columns, whatever the width of the terminal', async () => {
        for (const columns of [undefined, 80, 120, 200]) {
          const { code, stdout } = await cli([...args], columns);
          expect(code).toBe(0);
          const wide = stdout.split('\n').filter((line) => line.length > 80);
          expect(wide).toEqual([]);
        }
      });

      it('never breaks a "(default: …)" across lines', async () => {
        const { stdout } = await cli([...args]);
        for (const line of stdout.split('\n')) {
          const opened = line.indexOf('(default:');
          if (opened >= 0) expect(line.indexOf(')', opened), line).toBeGreaterThan(opened);
          expect(line).not.toMatch(/^\s+\w*\)\s*$/);
        }
      });

      it('lists every option in exactly one of its groups, none under a bare "Options:"', async () => {
        const { stdout } = await cli([...args]);
        const groups = sections(stdout);
        expect(groups.has('Options:')).toBe(false);
        const headings = new Set<string>(Object.values(HELP_GROUPS));
        for (const option of listedOptions(build(DUMMY_IO))) {
          const where = [...groups].filter(([, lines]) => lines.some((line) => line.startsWith(`  ${option.flags} `) || line === `  ${option.flags}`));
          expect(where.map(([heading]) => heading), option.flags).toHaveLength(1);
          expect(headings.has(where[0]?.[0] ?? ''), `${option.flags} is under ${where[0]?.[0]}`).toBe(true);
        }
      });
    });
  }

  it('shows the groups in order: input, requests, verdicts, output, CI, scale-out, speed-up, other', async () => {
    const { stdout } = await cli(['--help']);
    const headings = [...sections(stdout).keys()].filter((heading) => (Object.values(HELP_GROUPS) as string[]).includes(heading));
    expect(headings).toEqual(Object.values(HELP_GROUPS));
  });

  it('lists merge in the usage and among the commands', async () => {
    const { stdout } = await cli(['--help']);
    const lines = stdout.split('\n');
    expect(lines.slice(0, 2)).toEqual(['Usage: urlcheck [options] [inputs...]', '       urlcheck merge [options] <reports...>']);
    expect(sections(stdout).get('Commands:')?.[0]).toMatch(/^ {2}merge <reports\.\.\.> +combine JSON\/NDJSON reports/);
    const merge = await cli(['merge', '--help']);
    expect(merge.stdout.split('\n')[0]).toBe('Usage: urlcheck merge [options] <reports...>');
  });

  it('keeps the output options of both commands in step', () => {
    const output = (program: ReturnType<typeof buildRunProgram>) =>
      program.options.filter((option) => option.helpGroupHeading === HELP_GROUPS.output).map((option) => `${option.flags} ${option.description}`);
    expect(output(buildMergeProgram(DUMMY_IO))).toEqual(output(buildRunProgram(DUMMY_IO)));
  });
});

describe('wrapHelpText', () => {
  it('wraps at spaces but keeps a "(default: …)" phrase whole', () => {
    expect(wrapHelpText('requests in flight at once per host (default: 10)', 40)).toBe('requests in flight at once per host\n(default: 10)');
    expect(wrapHelpText('a b (default: the --timeout) c', 12)).toBe('a b\n(default: the --timeout)\nc');
    expect(wrapHelpText('short', 40)).toBe('short');
    expect(wrapHelpText('one\n\ntwo', 40)).toBe('one\n\ntwo');
  });
});

/**
 * A bad value for every option that takes one, by its long flag. A new option must be added
 * here, so that its message is looked at: the test below fails for an option missing from it.
 */
const BAD_VALUES: Readonly<Record<string, string>> = {
  '--config': '',
  '--base': '',
  '--root-dir': '',
  '--include': '(',
  '--exclude': '',
  '--concurrency': 'many',
  '--per-host': '0',
  '--timeout': 'soon',
  '--connect-timeout': '-1',
  '--retries': 'twice',
  '--method': 'put',
  '--max-redirects': '-1',
  '--header': 'no colon here',
  '--user-agent': '',
  '--proxy': 'ftp://proxy.test',
  '--accept': '700',
  '--slow': 'fast',
  '--cert-min-days': 'two weeks',
  '--format': 'xml',
  '--output': '',
  '--report': 'xml:out.xml',
  '--fail-on': 'sometimes',
  '--diff': '',
  '--shard': '5/4',
  '--resume': '',
  '--compare-sample': '0',
};

/** zod's and commander's generic wording, which says nothing of what the flag takes. */
const GENERIC = /invalid input|invalid value|expected string|expected number|received|\bundefined\b|\bNaN\b|\[object|Allowed choices|is invalid/i;

describe('a bad value for any option', () => {
  const valueOptions = (program: ReturnType<typeof buildRunProgram>) => program.options.filter((option) => option.required || option.optional);

  it('has a bad value to try for every option that takes a value', () => {
    for (const program of [buildRunProgram(DUMMY_IO), buildMergeProgram(DUMMY_IO)]) {
      for (const option of valueOptions(program)) expect(Object.keys(BAD_VALUES), option.long).toContain(option.long);
    }
  });

  for (const [command, build, operand] of [
    ['urlcheck', buildRunProgram, 'list.txt'],
    ['urlcheck merge', buildMergeProgram, 'report.json'],
  ] as const) {
    it(`${command}: says what is accepted, in one line naming the flag, never in generic words`, async () => {
      for (const option of valueOptions(build(DUMMY_IO))) {
        const flag = option.long ?? '';
        const args = [...(command === 'urlcheck' ? [] : ['merge']), `${flag}=${BAD_VALUES[flag]}`, operand];
        const { code, stdout, stderr } = await cli(args);
        expect({ flag, code, stdout }).toEqual({ flag, code: 2, stdout: '' });
        const message = stderr.trimEnd();
        expect(message.split('\n'), flag).toHaveLength(1);
        expect(message.startsWith(`urlcheck: ${flag}`), message).toBe(true);
        expect(message, flag).not.toMatch(GENERIC);
      }
    });
  }

  it('suggests the nearest value of an enumerated option, for both commands', async () => {
    expect((await cli(['-f', 'jsn', 'list.txt'])).stderr).toBe(
      'urlcheck: --format: must be one of table, json, ndjson, csv, junit, markdown, html, prometheus, openmetrics (got "jsn"); did you mean json?\n',
    );
    expect((await cli(['merge', '-f', 'jsn', 'r.json'])).stderr).toMatch(/; did you mean json\?\n$/);
    expect((await cli(['--fail-on', 'broken,transent', 'list.txt'])).stderr).toMatch(/; did you mean transient\?\n$/);
    expect((await cli(['merge', '--report', 'junt:x.xml', 'r.json'])).stderr).toMatch(/; did you mean junit\?\n$/);
    expect((await cli(['-m', 'gte', 'list.txt'])).stderr).toMatch(/; did you mean get\?\n$/);
  });

  it('puts commander\'s "did you mean" for an unknown option on the same line', async () => {
    const { code, stderr } = await cli(['--concurency', '4', 'list.txt']);
    expect(code).toBe(2);
    expect(stderr).toBe("urlcheck: unknown option '--concurency'; did you mean --concurrency? (see urlcheck --help)\n");
  });
});

describe("the README's options table", () => {
  /** The README's options, by group: `**Input**` rows start a group; an option is known by its long flag. */
  async function readmeGroups(): Promise<Map<string, string[]>> {
    const { readFile } = await import('node:fs/promises');
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const start = readme.indexOf('| Option | Default | Meaning |');
    const rows = readme.slice(start).split('\n\n')[0]?.split('\n').slice(2) ?? [];
    const groups = new Map<string, string[]>();
    let current = '';
    for (const row of rows) {
      const first = row.split(' | ')[0]?.replace(/^\| /, '') ?? '';
      const group = /^\*\*(.+)\*\*$/.exec(first)?.[1];
      if (group !== undefined) groups.set((current = `${group}:`), []);
      else groups.get(current)?.push(/--[\w-]+/.exec(first)?.[0] ?? first);
    }
    return groups;
  }

  it('lists every option of --help, in the same groups and order', async () => {
    const program = buildRunProgram(DUMMY_IO);
    const expected = new Map<string, string[]>();
    for (const option of listedOptions(program)) {
      const group = option.helpGroupHeading ?? '';
      expected.set(group, [...(expected.get(group) ?? []), option.long ?? '']);
    }
    expect(await readmeGroups()).toEqual(expected);
  });
});
