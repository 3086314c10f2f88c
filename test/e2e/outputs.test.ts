import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { link, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli, type CliRun } from '../helpers/cli.js';
import { useFixtureServer } from '../helpers/fixtures.js';
import { startHttpServer, type LocalServer } from '../helpers/servers.js';
import { useTempDir } from '../helpers/temp-dir.js';

// What urlcheck writes, and what it never writes over: an output that is also an input (the
// list, a glob's match, the config file, the --resume journal), two outputs on one file, a
// journal that is an output; and a write that fails (a full disk) is a failure of the run.
const server = useFixtureServer();
const temp = useTempDir('urlcheck-outputs-');
const file = (name: string) => join(temp.path(), name);
// No config file from the project directory, and no GitHub environment from the machine running the tests.
const clean = { GITHUB_ACTIONS: undefined, GITHUB_STEP_SUMMARY: undefined, HTTP_PROXY: undefined, HTTPS_PROXY: undefined, http_proxy: undefined, https_proxy: undefined };
const run = (args: string[], env: Record<string, string | undefined> = {}) => runCli(args, { cwd: temp.path(), env: { ...clean, ...env } });

/** A usage error: exit 2, one line on stderr matching `message`, nothing on stdout. */
function expectUsageError(result: CliRun, message: RegExp): void {
  expect(result.stderr.trimEnd()).toMatch(message);
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
}

describe('an output that is also an input is refused before anything is read or written', () => {
  it('-o naming the list itself, by any name: the list is left as it was', async () => {
    const list = await temp.listFile('self.txt', [server().url('/ok'), server().url('/status/404')]);
    const before = await readFile(list, 'utf8');
    await symlink(list, file('self-symlink.txt'));
    await link(list, file('self-hardlink.txt'));
    const outputs = ['self.txt', './self.txt', list, 'self-symlink.txt', 'self-hardlink.txt'];
    for (const result of await Promise.all(outputs.map((output) => run(['self.txt', '-f', 'ndjson', '-o', output])))) {
      expectUsageError(result, /^urlcheck: --output ".*" is the same file as the input "self\.txt": write the report to another file$/);
    }
    expect(await readFile(list, 'utf8')).toBe(before);
  });

  it('every --report, a glob match, the config file and a --dump -o too', async () => {
    await mkdir(file('globbed'));
    const matched = join(file('globbed'), 'b.txt');
    await writeFile(matched, `${server().url('/ok')}\n`);
    const config = file('outputs.config.json');
    await writeFile(config, JSON.stringify({ targets: [server().url('/ok')] }));
    const list = await temp.listFile('report-self.txt', [server().url('/ok')]);
    const cases: Array<[string[], RegExp]> = [
      [[list, '--report', `csv:${list}`], /^urlcheck: --report ".*report-self\.txt" is the same file as the input ".*report-self\.txt"/],
      [['globbed/*.txt', '--report', 'json:globbed/b.txt'], /^urlcheck: --report "globbed\/b\.txt" is the same file as the input "globbed\/b\.txt"/],
      [['--config', config, '-f', 'json', '-o', config], /^urlcheck: --output ".*outputs\.config\.json" is the same file as the config file ".*outputs\.config\.json"/],
      [['--dump', list, '-o', list], /^urlcheck: --output ".*report-self\.txt" is the same file as the input/],
    ];
    const results = await Promise.all(cases.map(([args]) => run(args)));
    for (const [index, [, message]] of cases.entries()) expectUsageError(results[index] as CliRun, message);
    expect(await readFile(matched, 'utf8')).toBe(`${server().url('/ok')}\n`);
    expect(JSON.parse(await readFile(config, 'utf8'))).toEqual({ targets: [server().url('/ok')] });
    expect(await readFile(list, 'utf8')).toBe(`${server().url('/ok')}\n`);
  });
});

describe('--resume: the journal is never an output', () => {
  it('refuses a journal that is -o or a --report, existing or not, and keeps it', async () => {
    const list = await temp.listFile('journal-list.txt', [server().url('/ok')]);
    const journal = file('journal.ndjson');
    await writeFile(journal, '');
    const outputs = [['-o', journal, '-f', 'ndjson'], ['--report', `ndjson:${journal}`], ['-o', 'journal.ndjson']];
    for (const result of await Promise.all(outputs.map((output) => run([list, '--resume', journal, ...output])))) {
      expectUsageError(result, /^urlcheck: --resume ".*journal\.ndjson" is the same file as --(output|report) ".*journal\.ndjson": the journal must be a file of its own$/);
    }
    expect(existsSync(journal)).toBe(true);
    // Not there yet: the same path is the same file.
    expectUsageError(await run([list, '--resume', 'fresh.ndjson', '--report', 'ndjson:./fresh.ndjson']), /^urlcheck: --resume "fresh\.ndjson" is the same file as --report "\.\/fresh\.ndjson"/);
    expect(existsSync(file('fresh.ndjson'))).toBe(false);
  });
});

describe('two outputs on one file are refused', () => {
  it('in a run: two --report, or -o and a --report, by path or by file', async () => {
    const list = await temp.listFile('twice.txt', [server().url('/ok')]);
    await writeFile(file('existing.json'), 'previous report\n');
    await symlink(file('existing.json'), file('existing-link.json'));
    const cases: string[][] = [
      ['--report', 'json:r.json', '--report', 'ndjson:r.json'],
      ['-o', 'r.json', '--report', 'ndjson:./r.json'],
      ['-f', 'json', '-o', 'existing.json', '--report', 'csv:existing-link.json'],
    ];
    for (const result of await Promise.all(cases.map((args) => run([list, ...args])))) {
      expectUsageError(result, /^urlcheck: --(output|report) ".*" and --report ".*" are the same file: give each report a file of its own$/);
    }
    expect(existsSync(file('r.json'))).toBe(false);
    expect(await readFile(file('existing.json'), 'utf8')).toBe('previous report\n');
  });

  it('in a merge, by the same check', async () => {
    const list = await temp.listFile('merge-src.txt', [server().url('/ok')]);
    expect((await run([list, '-f', 'ndjson', '-o', 'shard.ndjson'])).code).toBe(0);
    expectUsageError(await run(['merge', 'shard.ndjson', '-o', 'm.json', '--report', 'json:m.json']), /^urlcheck: --output "m\.json" and --report "m\.json" are the same file/);
    expect(existsSync(file('m.json'))).toBe(false);
  });

  it('still allows --diff to be the report being replaced (the rolling report)', async () => {
    const list = await temp.listFile('rolling-ok.txt', [server().url('/ok')]);
    expect((await run([list, '-f', 'ndjson', '-o', 'rolling-ok.ndjson'])).code).toBe(0);
    const again = await run([list, '-f', 'ndjson', '-o', 'rolling-ok.ndjson', '--diff', 'rolling-ok.ndjson']);
    expect(again).toMatchObject({ code: 0, stderr: expect.not.stringContaining('same file') as unknown });
  });
});

describe('a report that cannot be written fails the run (exit 3)', () => {
  const many = () => Array.from({ length: 300 }, (_, index) => server().url(`/ok?n=${index}`));

  it.each([
    ['-o', ['-f', 'json', '-o', '/dev/full'], /^urlcheck: cannot write --output "\/dev\/full": no space left on device \(ENOSPC\)$/m],
    ['--report', ['-f', 'ndjson', '--report', 'csv:/dev/full'], /^urlcheck: cannot write --report "\/dev\/full": no space left on device \(ENOSPC\)$/m],
  ])('%s /dev/full: names the file and the error, whatever --fail-on says, and keeps the journal', async (_name, args, message) => {
    const list = await temp.listFile(`full-${_name.replace(/-/g, '')}.txt`, many());
    const journal = file(`full-${_name.replace(/-/g, '')}.journal.ndjson`);
    const result = await run([list, ...args, '--fail-on', 'none', '--resume', journal]);
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(3);
    expect(existsSync(journal)).toBe(true);
  });

  it('the GitHub job summary too', async () => {
    const list = await temp.listFile('full-summary.txt', many());
    const result = await run([list, '-f', 'ndjson', '--fail-on', 'none'], { GITHUB_STEP_SUMMARY: '/dev/full' });
    expect(result.stderr).toMatch(/^urlcheck: cannot write GITHUB_STEP_SUMMARY "\/dev\/full": no space left on device \(ENOSPC\)$/m);
    expect(result.code).toBe(3);
  });

  it('stdout (a report, a --dump, even --help) and a --dump -o to a full disk', async () => {
    const list = await temp.listFile('full-stdout.txt', many());
    const full = openSync('/dev/full', 'w');
    try {
      for (const args of [[list, '-f', 'csv', '--fail-on', 'none'], ['--dump', list], ['--help']]) {
        const child = spawn(process.execPath, [BIN, ...args], { cwd: temp.path(), env: { ...process.env, ...clean } as NodeJS.ProcessEnv, stdio: ['ignore', full, 'pipe'] });
        let stderr = '';
        child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
        const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
        expect(stderr).toMatch(/^urlcheck: cannot write to stdout: no space left on device \(ENOSPC\)$/m);
        expect(stderr).not.toMatch(/unexpected error|cannot read input/);
        expect(code).toBe(3);
      }
    } finally {
      closeSync(full);
    }
    const dumped = await run(['--dump', list, '-o', '/dev/full']);
    expect(dumped.stderr).toMatch(/^urlcheck: cannot write --output "\/dev\/full": no space left on device \(ENOSPC\)$/m);
    expect(dumped.code).toBe(3);
  });
});

describe('--diff and --config that are not regular files', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    // A CLI stuck opening a FIFO ignores SIGTERM: never leave one behind.
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it.each([['--diff'], ['--config']])('%s naming a FIFO with no writer is a usage error, not a hang', async (flag) => {
    const fifo = file(`${flag.slice(2)}.fifo`);
    execFileSync('mkfifo', [fifo]);
    const list = await temp.listFile(`${flag.slice(2)}-fifo.txt`, [server().url('/ok')]);
    const result = await runCli([list, flag, fifo], { cwd: temp.path(), env: clean, onSpawn: (child) => children.push(child) });
    expect(result.stderr.trimEnd()).toMatch(new RegExp(`^urlcheck: ${flag === '--diff' ? '--diff' : 'config file'} .*\\.fifo.* is not a (regular )?file`));
    expect(result.code).toBe(2);
    expect((await stat(fifo)).isFIFO()).toBe(true);
  }, 20_000);
});

describe('every known failure has its own message', () => {
  let dropping: LocalServer;
  beforeAll(async () => {
    // A sitemap that starts well, then the connection drops.
    dropping = await startHttpServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.write(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>${server().url('/ok')}</loc></url>`);
      setTimeout(() => req.socket.destroy(), 50);
    });
  });
  afterAll(() => dropping.close());

  it('--dump of a sitemap whose connection drops: never "unexpected error"', async () => {
    const result = await run(['--dump', dropping.url('/sitemap.xml')]);
    expect(result.stderr).not.toContain('unexpected error');
    for (const line of result.stderr.trimEnd().split('\n')) expect(line).toMatch(/^urlcheck: /);
    expect([0, 1, 2]).toContain(result.code);
  });
});
