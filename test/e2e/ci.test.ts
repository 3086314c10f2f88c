import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useFixtureServer } from '../helpers/fixtures.js';
import { useTempDir } from '../helpers/temp-dir.js';

// The CLI as a CI step and a cron job sees it: exit codes by verdict, several reports from one
// run, a config file with expectations, GitHub Actions' job summary and annotations, --diff.
const server = useFixtureServer();
const temp = useTempDir('urlcheck-ci-');
const file = (name: string) => join(temp.path(), name);
// No config file from the project directory, and no GitHub environment from the machine running the tests.
const clean = { GITHUB_ACTIONS: undefined, GITHUB_STEP_SUMMARY: undefined, HTTP_PROXY: undefined, HTTPS_PROXY: undefined, http_proxy: undefined, https_proxy: undefined };
const run = (args: string[], env: Record<string, string | undefined> = {}) => runCli(args, { cwd: temp.path(), env: { ...clean, ...env } });

describe('--fail-on', () => {
  it('fails on broken, transient and blocked by default, never on warnings', async () => {
    const warningOnly = await temp.listFile('warning.txt', [server().url('/ok'), server().url('/moved/301')]);
    expect((await run([warningOnly])).code).toBe(0);
    expect((await run([warningOnly, '--fail-on', 'warning'])).code).toBe(1);
    const broken = await temp.listFile('broken.txt', [server().url('/ok'), server().url('/status/404')]);
    expect((await run([broken, '--retries', '0'])).code).toBe(1);
    expect((await run([broken, '--retries', '0', '--fail-on', 'transient,blocked'])).code).toBe(0);
    expect((await run([broken, '--fail-on', 'none'])).code).toBe(0);
  });

  it('counts a bot-protection refusal as blocked', async () => {
    const list = await temp.listFile('blocked.txt', [server().url('/challenge')]);
    const result = await run([list, '-f', 'ndjson', '--retries', '0']);
    expect(JSON.parse(result.stdout)).toMatchObject({ verdict: 'blocked', status: 403 });
    expect(result.code).toBe(1);
    expect((await run([list, '--retries', '0', '--fail-on', 'broken'])).code).toBe(0);
  });

  it.each([
    [['--fail-on', 'brokn', 'x.txt'], /^urlcheck: --fail-on: unknown verdict "brokn"; choose from healthy, warning, broken, transient, blocked, new, none/],
    [['--fail-on', 'new', 'x.txt'], /^urlcheck: --fail-on new needs --diff <previous report>/],
    [['--report', 'xml:a.xml', 'x.txt'], /^urlcheck: --report: must be format:path/],
  ])('rejects %j with one line and exit 2', async (args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd()).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('several reports from one run', () => {
  it('writes the main report and every --report file, each complete', async () => {
    const list = await temp.listFile('reports.txt', [server().url('/ok'), server().url('/status/404'), server().url('/moved/308')]);
    const result = await run([list, '--retries', '0', '--report', `junit:${file('r.xml')}`, '--report', `ndjson:${file('r.ndjson')}`, '--report', `markdown:${file('r.md')}`]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('of 3 URLs');
    const ndjson = (await readFile(file('r.ndjson'), 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line) as { verdict: string });
    expect(ndjson.map((r) => r.verdict).sort()).toEqual(['broken', 'healthy', 'warning']);
    const junit = await readFile(file('r.xml'), 'utf8');
    expect(junit.match(/<testcase /g)).toHaveLength(3);
    expect(junit).toContain('HTTP_STATUS');
    const markdown = await readFile(file('r.md'), 'utf8');
    expect(markdown).toContain('/status/404');
    // Files get no colour codes, whatever the terminal does.
    expect(junit + markdown).not.toMatch(/\u001b\[/);
  });
});

describe('under GitHub Actions', () => {
  it('appends a Markdown summary to GITHUB_STEP_SUMMARY and annotates the input line on stderr', async () => {
    const summary = file('step-summary.md');
    await writeFile(summary, '# earlier step\n');
    const list = await temp.listFile('gha.txt', ['# header', server().url('/ok'), server().url('/status/404')]);
    const result = await run([list, '--retries', '0', '-f', 'json'], { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary });
    expect(result.code).toBe(1);
    expect(() => JSON.parse(result.stdout) as unknown).not.toThrow(); // annotations never go into the report
    expect(result.stderr).toMatch(new RegExp(`^::error file=${list.replaceAll('/', '\\/')},line=3,`, 'm'));
    const text = await readFile(summary, 'utf8');
    expect(text.startsWith('# earlier step\n')).toBe(true);
    expect(text).toContain('/status/404');
  });
});

describe('a config file', () => {
  it('is found in the working directory: defaults for flags and targets with expectations', async () => {
    const dir = temp.path();
    await writeFile(
      join(dir, 'urlcheck.config.yaml'),
      [
        'retries: 0',
        'format: ndjson',
        'targets:',
        `  - ${server().url('/ok')}`,
        `  - url: ${server().url('/health')}`,
        '    expect:',
        '      json: { status: up }',
        "      headers: { x-app-version: '^2\\.' }",
        `  - url: ${server().url('/health/down')}`,
        '    expect:',
        '      json: { status: up }',
        '',
      ].join('\n'),
    );
    try {
      const result = await run([]);
      expect(result.code).toBe(1);
      const results = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { url: string; ok: boolean; error: { code: string } | null; line: number; source: string });
      expect(results).toHaveLength(3);
      const down = results.find((r) => r.url.endsWith('/health/down'));
      expect(down).toMatchObject({ ok: false, error: { code: 'JSON_MISMATCH' }, line: 9 });
      expect(down?.source).toMatch(/urlcheck\.config\.yaml$/);
      // A flag on the command line wins over the file.
      const table = await run(['--format', 'table']);
      expect(table.stdout).toContain('of 3 URLs');
      // --no-config ignores it (and then there is nothing to check).
      const ignored = await run(['--no-config']);
      expect(ignored.code).toBe(2);
    } finally {
      await writeFile(join(dir, 'urlcheck.config.yaml'), '');
      const { rm } = await import('node:fs/promises');
      await rm(join(dir, 'urlcheck.config.yaml'));
    }
  });

  it('found in a checkout, may not route traffic or weaken TLS; named with --config, it may', async () => {
    // A pull request's checkout: its config must not send the job's requests through its proxy.
    const dir = join(temp.path(), 'checkout');
    await mkdir(dir);
    await writeFile(join(dir, 'urlcheck.config.yaml'), ['retries: 0', 'format: ndjson', 'insecure: true', "header: 'X-Probe: 1'", 'targets:', `  - ${server().url('/ok')}`, ''].join('\n'));
    const found = await runCli([], { cwd: dir, env: clean });
    expect(found.stderr.trimEnd()).toMatch(/^urlcheck: .*urlcheck\.config\.yaml:3: insecure, header: not allowed in a config file found in the working directory .*pass the file with --config <file> to allow them/);
    expect(found.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(found.code).toBe(2);
    const named = await runCli(['--config', 'urlcheck.config.yaml'], { cwd: dir, env: clean });
    expect(named.code).toBe(0);
    expect(JSON.parse(named.stdout)).toMatchObject({ ok: true });
  });

  it('reports every problem with the file, line and key path', async () => {
    const path = file('bad.yaml');
    await writeFile(path, ['concurency: 5', 'targets:', '  - url: http://a.test/', '    expect:', '      bodyMatches: "(("', ''].join('\n'));
    const result = await run(['--config', path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('bad.yaml:1');
    expect(result.stderr).toContain('concurrency');
    expect(result.stderr).toMatch(/bad\.yaml:5.*targets\[0\]\.expect\.bodyMatches/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('--diff and --quiet, for cron', () => {
  it('prints nothing when nothing changed, only the changes otherwise, and --fail-on new fails only on regressions', async () => {
    const previous = file('previous.json');
    const first = await temp.listFile('cron-1.txt', [server().url('/ok'), server().url('/status/404')]);
    await run([first, '--retries', '0', '-f', 'json', '-o', previous]);

    const same = await run([first, '--retries', '0', '--diff', previous, '--quiet', '--fail-on', 'new']);
    expect(same).toMatchObject({ code: 0, stdout: '', stderr: '' });

    const second = await temp.listFile('cron-2.txt', [server().url('/ok'), server().url('/status/404'), server().url('/status/410')]);
    const changed = await run([second, '--retries', '0', '--diff', previous, '--quiet', '--fail-on', 'new']);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toContain('/status/410');
    expect(changed.stdout).not.toContain('/status/404 ');
    expect(changed.stdout).toMatch(/1 newly failing/);
  });

  it('reads the previous report before writing the new one over it', async () => {
    const report = file('rolling.ndjson');
    const list = await temp.listFile('rolling.txt', [server().url('/status/404')]);
    await run([list, '--retries', '0', '-f', 'ndjson', '-o', report]);
    const again = await run([list, '--retries', '0', '-f', 'ndjson', '-o', report, '--diff', report]);
    expect(again.code).toBe(1);
    const [line] = (await readFile(report, 'utf8')).trimEnd().split('\n');
    expect(JSON.parse(line ?? '{}')).toMatchObject({ change: 'still-failing' });
  });

  it('compares with a torn previous report and says on stderr what it skipped', async () => {
    const report = file('torn.ndjson');
    const list = await temp.listFile('torn.txt', [server().url('/status/404')]);
    await run([list, '--retries', '0', '-f', 'ndjson', '-o', report]);
    // A run killed mid-write leaves half a line at the end: still a report to compare with.
    await writeFile(report, `${await readFile(report, 'utf8')}{"url":"http://127.0.0.1/cut`);
    const again = await run([list, '--retries', '0', '-f', 'ndjson', '--diff', report]);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout.trimEnd())).toMatchObject({ change: 'still-failing' });
    expect(again.stderr).toMatch(/^urlcheck: warning: .*torn\.ndjson/m);
  });
});
