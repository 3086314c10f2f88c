import { pathToFileURL } from 'node:url';
import { statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { useFixtureServer } from '../helpers/fixtures.js';

const server = useFixtureServer();
const temp = useTempDir('urlcheck-e2e-');
const { listFile } = temp;

/** No stack trace: no "    at fn (file:line)" frames and no Node error banners. */
function expectNoStackTrace(text: string): void {
  expect(text).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);
  expect(text).not.toMatch(/node:internal|Error \[ERR_/);
}

describe('exit codes', () => {
  it('exits 0 when every URL is healthy, with a table and a summary', async () => {
    const file = await listFile('healthy.txt', ['# comment', '', server().url('/ok'), server().url('/redirect/1')]);
    const run = await runCli([file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Status');
    expect(run.stdout).toContain('✔ 2 healthy');
    expect(run.stdout).toContain('of 2 URLs');
    expect(run.stdout).not.toMatch(/\u001b\[/);
  });

  it('exits 1 when at least one URL is unhealthy', async () => {
    const file = await listFile('mixed.txt', [server().url('/ok'), server().url('/status/404')]);
    const run = await runCli([file, '--retries', '0']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('HTTP_STATUS');
    expect(run.stdout).toContain('✖ 1 broken');
  });

  it.each([
    [['--bogus'], /^urlcheck: unknown option '--bogus'/],
    [['--concurrency', '0', 'x.txt'], /^urlcheck: --concurrency: must be at least 1 \(got "0"\)$/],
    [['--timeout', 'abc', 'x.txt'], /^urlcheck: --timeout: must be a duration/],
    [['--accept', '999-1', 'x.txt'], /^urlcheck: --accept: 999 is not an HTTP status/],
    [['does-not-exist.txt'], /^urlcheck: cannot read input "does-not-exist.txt": no such file or directory$/],
    [['--sequential', '--compare', 'x.txt'], /^urlcheck: --sequential cannot be combined with --compare/],
  ])('exits 2 with one clear line for %j', async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr.trimEnd()).toMatch(message);
    expectNoStackTrace(run.stderr);
  });

  it('exits 2 for a directory given as input', async () => {
    const run = await runCli([temp.path()]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/it is a directory/);
  });

  it('exits 2 when the inputs hold no URLs at all', async () => {
    const file = await listFile('empty.txt', ['# nothing here', '', '   ']);
    const run = await runCli([file]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(`urlcheck: no URLs found in "${file}"`);
  });

  it('prints the version and the help with examples, exit 0', async () => {
    const version = await runCli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Examples:');
    expect(help.stdout).toContain('--concurrency <n>');
    expect(help.stdout).toContain('urlcheck merge [options] <reports...>');
    expect(help.stdout.split('\n').filter((line) => line.length > 80)).toEqual([]);
  });
});

describe('input', () => {
  it('reads piped stdin when no input is given, and "-" explicitly', async () => {
    const input = `${server().url('/ok')}\r\n\ufeff${server().url('/status/204')}\n`;
    const implicit = await runCli(['-f', 'ndjson'], { input });
    expect(implicit.code).toBe(0);
    const results = implicit.stdout.trim().split('\n').map((line) => JSON.parse(line) as { source: string; line: number });
    expect(results.map((r) => r.source)).toEqual(['stdin', 'stdin']);
    expect(results.map((r) => r.line).sort()).toEqual([1, 2]);
    const explicit = await runCli(['-', '-f', 'ndjson'], { input });
    expect(explicit.code).toBe(0);
    expect(explicit.stdout.trim().split('\n')).toHaveLength(2);
  });

  it('turns bad lines into results with their line numbers, never aborting the run', async () => {
    const file = await listFile('bad-lines.txt', ['not a url', server().url('/ok'), 'ftp://example.invalid/x', 'example.com/page']);
    const run = await runCli([file, '-f', 'ndjson']);
    expect(run.code).toBe(1);
    const results = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { line: number; error: { code: string } | null });
    const byLine = new Map(results.map((r) => [r.line, r.error?.code ?? 'OK']));
    expect(byLine).toEqual(
      new Map([
        [1, 'INVALID_URL'],
        [2, 'OK'],
        [3, 'UNSUPPORTED_PROTOCOL'],
        [4, 'INVALID_URL'],
      ]),
    );
  });
});

describe('output', () => {
  it('writes a valid JSON document to --output and nothing to stdout', async () => {
    const file = await listFile('out.txt', [server().url('/ok'), server().url('/status/500')]);
    const out = join(temp.path(), 'report.json');
    const run = await runCli([file, '-f', 'json', '-o', out, '--retries', '0']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const report = JSON.parse(await readFile(out, 'utf8')) as {
      results: unknown[];
      summary: { total: number; unhealthy: number };
      comparison: unknown;
    };
    expect(report.results).toHaveLength(2);
    expect(report.summary).toMatchObject({ total: 2, unhealthy: 1 });
    expect(report.comparison).toBeNull();
    expect((await readdir(temp.path())).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('writes straight into a device such as /dev/null instead of renaming over it', async () => {
    const file = await listFile('devnull.txt', [server().url('/ok')]);
    const run = await runCli([file, '-f', 'json', '-o', '/dev/null']);
    expect(run.code).toBe(0);
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('exits 2 when --output cannot be written', async () => {
    const file = await listFile('out2.txt', [server().url('/ok')]);
    const run = await runCli([file, '-o', join(temp.path(), 'no-such-dir', 'report.json')]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toMatch(/^urlcheck: cannot write --output ".*report\.json": no such file or directory$/);
  });

  it('writes CSV with a header row', async () => {
    const file = await listFile('csv.txt', [server().url('/ok')]);
    const run = await runCli([file, '-f', 'csv']);
    expect(run.code).toBe(0);
    const [header, row] = run.stdout.split('\r\n');
    expect(header).toBe('url,ok,status,error_code,error_message,duration_ms,attempts,redirects,final_url,method,source,line,verdict,warnings,first_byte_ms,cert_days_left,change,start_ms');
    expect(row).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ok,true,200,,,[\d.]+,1,0,http:\/\/127\.0\.0\.1:\d+\/ok,HEAD,.*csv\.txt,1,healthy,,[\d.]+,,,[\d.]+$/);
  });

  it('colours the table only when asked (FORCE_COLOR) and never with --no-color', async () => {
    const file = await listFile('colour.txt', [server().url('/ok')]);
    const forced = await runCli([file], { env: { FORCE_COLOR: '1' } });
    expect(forced.stdout).toMatch(/\u001b\[/);
    const off = await runCli([file, '--no-color'], { env: { FORCE_COLOR: '1' } });
    expect(off.stdout).not.toMatch(/\u001b\[/);
    const noColor = await runCli([file], { env: { NO_COLOR: '1' } });
    expect(noColor.stdout).not.toMatch(/\u001b\[/);
  });

  it('keeps credentials out of every format, stdout and stderr alike', async () => {
    const authed = server().url('/auth').replace('http://', 'http://alice:hunter2@');
    const file = await listFile('secrets.txt', [authed, server().url('/status/404').replace('http://', 'http://tok3n-abc@')]);
    for (const format of ['table', 'json', 'ndjson', 'csv']) {
      const run = await runCli([file, '-f', format, '-H', 'X-Api-Key: s3cr3t-value', '--retries', '0']);
      expect(run.code).toBe(1);
      const everything = run.stdout + run.stderr;
      expect(everything).not.toContain('hunter2');
      expect(everything).not.toContain('alice');
      expect(everything).not.toContain('tok3n-abc');
      expect(everything).not.toContain('s3cr3t-value');
      expect(everything).toContain('***@127.0.0.1');
    }
  });
});

describe('the summary on stderr', () => {
  it('is printed whenever the report goes to a file (-o), in every format', async () => {
    const file = await listFile('summary.txt', [server().url('/ok'), server().url('/status/404')]);
    for (const format of ['table', 'json', 'ndjson', 'csv', 'junit', 'markdown']) {
      const out = join(temp.path(), `report.${format}`);
      const run = await runCli([file, '-f', format, '-o', out, '--retries', '0']);
      expect({ format, code: run.code, stdout: run.stdout }).toEqual({ format, code: 1, stdout: '' });
      expect(run.stderr, format).toMatch(/^✔ 1 healthy {2}✖ 1 broken {2}of 2 URLs in /);
      expect(await readFile(out, 'utf8'), format).not.toBe('');
    }
  });

  it('is not repeated on stderr when the table on stdout shows it', async () => {
    const file = await listFile('summary-stdout.txt', [server().url('/ok')]);
    const run = await runCli([file]);
    expect(run.stdout).toContain('✔ 1 healthy  of 1 URL in ');
    expect(run.stderr).toBe('');
  });

  it('is left out with --quiet, as for every other report', async () => {
    const file = await listFile('summary-quiet.txt', [server().url('/ok')]);
    const run = await runCli([file, '-o', join(temp.path(), 'quiet.txt'), '--quiet']);
    expect(run).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });
});

describe('--ascii and the locale', () => {
  const NO_LOCALE = { LANG: undefined, LC_ALL: undefined, LC_CTYPE: undefined };
  const ASCII = /^[\t\n\r\x20-\x7e]*$/;

  it('draws with ASCII only when no locale is set (cron), on stdout and stderr', async () => {
    const file = await listFile('ascii.txt', [server().url('/ok'), server().url('/status/404')]);
    const table = await runCli([file, '--retries', '0'], { env: NO_LOCALE });
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(ASCII);
    expect(table.stdout).toContain('1 healthy');
    const json = await runCli([file, '-f', 'json', '-o', join(temp.path(), 'ascii.json'), '--retries', '0'], { env: NO_LOCALE });
    expect(json.stderr).toMatch(ASCII);
    expect(json.stderr).toContain('1 broken');
  });

  it('--ascii forces ASCII under a UTF-8 locale; --no-ascii forces Unicode without one', async () => {
    const file = await listFile('ascii-flags.txt', [server().url('/status/404')]);
    const ascii = await runCli([file, '--retries', '0', '--ascii'], { env: { LANG: 'en_US.UTF-8' } });
    expect(ascii.stdout).toMatch(ASCII);
    const unicode = await runCli([file, '--retries', '0', '--no-ascii'], { env: NO_LOCALE });
    expect(unicode.stdout).toContain('✖ 1 broken');
    const latin1 = await runCli([file, '--retries', '0'], { env: { LANG: 'de_DE.ISO-8859-1' } });
    expect(latin1.stdout).toMatch(ASCII);
  });
});

describe('--public-only', () => {
  it('refuses a loopback URL without contacting it', async () => {
    const file = await listFile('public-only.txt', [server().url('/ok')]);
    const run = await runCli([file, '--public-only', '-f', 'ndjson']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, error: { code: 'BLOCKED_ADDRESS' } });
    expect(server().stats.total).toBe(0);
  });
});

describe('modes', () => {
  it('--sequential checks one URL at a time', async () => {
    const file = await listFile('seq.txt', Array.from({ length: 8 }, (_, i) => server().url(`/delay/20/${i}`)));
    const run = await runCli([file, '--sequential', '-f', 'ndjson']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(8);
    expect(server().stats.peak).toBe(1);
  });

  it('--compare reports a measured comparison in JSON', async () => {
    const file = await listFile('compare.txt', Array.from({ length: 10 }, (_, i) => server().url(`/delay/30/${i}`)));
    const run = await runCli([file, '--compare', '-f', 'json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { comparison: Record<string, unknown> };
    expect(report.comparison).toMatchObject({ targets: 10, sampleSize: 10, estimated: false, concurrency: 50 });
    expect(run.stderr).toContain('speed-up:');
  });

  it('--compare-sample times a sample and labels the result an estimate', async () => {
    const file = await listFile('sample.txt', Array.from({ length: 12 }, (_, i) => server().url(`/delay/10/${i}`)));
    const run = await runCli([file, '--compare-sample', '4']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/speed-up: ~[\d.]+×/);
    expect(run.stdout).toContain('estimated from 4 of 12 URLs');
  });
});

describe('interruptions', () => {
  it('SIGINT stops the run, keeps finished results and exits 130', async () => {
    const file = await listFile('slow.txt', [
      server().url('/ok'),
      ...Array.from({ length: 20 }, (_, i) => server().url(`/hang/${i}`)),
    ]);
    const run = await runCli([file, '-f', 'ndjson', '--timeout', '60000'], {
      onSpawn: (child) => {
        const poll = setInterval(() => {
          if (server().stats.byPath.size >= 2 && server().stats.inFlight > 0) {
            clearInterval(poll);
            child.kill('SIGINT');
          }
        }, 20);
      },
    });
    expect(run.code).toBe(130);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ ok: true, status: 200 });
    expect(run.stderr).toContain('interrupted');
    expectNoStackTrace(run.stderr);
  });

  it('ends quietly when the reader of stdout goes away', async () => {
    const file = await listFile('pipe.txt', Array.from({ length: 3000 }, (_, i) => server().url(`/delay/0/${i}`)));
    const run = await runCli([file, '-f', 'ndjson'], {
      onSpawn: (child) => {
        child.stdout?.once('data', () => child.stdout?.destroy());
      },
    });
    expect(run.code).toBe(141);
    expect(run.stderr).toBe('');
  });

  it('--dump lists the links in a Markdown file and says which it skipped', async () => {
    const readme = new URL('../../fixtures/documents/readme.md', import.meta.url).pathname;
    const run = await runCli([readme, '--dump']);
    expect(run.code).toBe(0);
    expect(run.stdout.trimEnd().split('\n')).toContain('https://cdn.example.com/logo.png');
    // Its relative links are files, listed as file: URLs (checked on disk in a run).
    expect(run.stdout).toContain(`${pathToFileURL(readme).href.replace(/readme\.md$/, '')}docs/guide.md`);
    expect(run.stderr).toMatch(/^urlcheck: \d+ targets listed; skipped 2 mailto:\/tel: links/);
  });

  it('ends quietly when stdout is gone before --help is written (urlcheck --help | head)', async () => {
    const run = await runCli(['--help'], { onSpawn: (child) => child.stdout?.destroy() });
    expect(run.stderr).toBe('');
    expect([0, 141]).toContain(run.code);
  });
});
