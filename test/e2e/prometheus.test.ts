import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult, Summary } from '../../src/index.js';
import { labelValue } from '../../src/reporters/prometheus/series.js';
import { BIN, runCli, type CliRun, type RunCliOptions, collectExit } from '../helpers/cli.js';
import { CA_SIGNED, closedPort, TEST_CA_FILE, useFixtureServer } from '../helpers/fixtures.js';
import {
  expectValidExposition,
  parseWithPythonClient,
  PROMTOOL,
  promtoolCheckMetrics,
  samplesOf,
  SKIP_METRICS_PARSERS,
  valueOf,
  type ParsedFamily,
} from '../helpers/metrics.js';
import { waitFor } from '../helpers/servers.js';
import { useTempDir } from '../helpers/temp-dir.js';

// `-f prometheus` and `-f openmetrics` through the built CLI against local servers: every file
// read by the real parsers (promtool, the Python client), then by the real consumers the README
// names (node_exporter's textfile collector, the Pushgateway), with the README's own lines.

const server = useFixtureServer();
const secure = useFixtureServer({ tls: CA_SIGNED.valid });
const temp = useTempDir('urlcheck-prometheus-e2e-');
const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';
const PUSHGATEWAY = '/usr/bin/prometheus-pushgateway';
/** The test CA's valid certificate expires 2125-01-01T00:00:00Z. */
const VALID_CERT_EXPIRY_SECONDS = Date.UTC(2125, 0, 1) / 1000;
/** Put in the userinfo of URLs: it must never reach any output. */
const SECRET = 'prom-pa55-s3cr3t';
const ENV = {
  NODE_EXTRA_CA_CERTS: TEST_CA_FILE,
  GITHUB_ACTIONS: undefined,
  GITHUB_STEP_SUMMARY: undefined,
  HTTP_PROXY: undefined,
  http_proxy: undefined,
  HTTPS_PROXY: undefined,
  https_proxy: undefined,
};
const children = new Set<ChildProcess>();

afterEach(() => {
  // A test that failed by timing out leaves its child behind: end it (only ours, by handle).
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
});

async function cli(args: string[], options: RunCliOptions = {}): Promise<CliRun> {
  const run = await runCli([...args, '--no-config'], {
    cwd: temp.path(),
    ...options,
    env: { ...ENV, ...options.env },
    onSpawn: (child) => {
      children.add(child);
      options.onSpawn?.(child);
    },
  });
  expect(run.stdout).not.toContain(SECRET);
  expect(run.stderr).not.toContain(SECRET);
  return run;
}

interface JsonReport {
  results: CheckResult[];
  summary: Summary;
}

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as JsonReport;
const path = (name: string) => join(temp.path(), name);
/** The per-URL `urlcheck_url_up` values, by URL label. */
const upByUrl = (families: readonly ParsedFamily[]) => Object.fromEntries(samplesOf(families, 'urlcheck_url_up').map((sample) => [sample.labels['url'], sample.value]));

describe.skipIf(SKIP_METRICS_PARSERS)('-f prometheus and -f openmetrics, end to end', () => {
  it('a real run: both files valid for the real parsers, one series per URL, values as the JSON report has them', async () => {
    const refused = await closedPort();
    const withCredentials = secure().url('/ok').replace('https://', `https://tester:${SECRET}@`);
    const lines = [
      server().url('/ok'),
      server().url('/status/404'),
      server().url('/redirect/2'),
      server().url('/moved/301'),
      server().url('/delay/30/slow'),
      `http://127.0.0.1:${refused}/nothing`,
      withCredentials,
      'not a url',
      server().url('/ok'),
    ];
    const list = await temp.listFile('real.txt', lines);
    const run = await cli([list, '-f', 'prometheus', '--report', `openmetrics:${path('real.om')}`, '--report', `json:${path('real.json')}`, '--retries', '0']);
    expect(run.code).toBe(1);
    const text = expectValidExposition(run.stdout, 'prometheus');
    const open = expectValidExposition(await readFile(path('real.om')), 'openmetrics');
    const { results, summary } = await readJson(path('real.json'));
    const checked = results.filter((result) => result.duplicateOf === undefined);
    expect(checked).toHaveLength(lines.length - 1);

    for (const families of [text, open]) {
      // One series per URL line checked: the duplicate of line 1 adds none.
      expect(samplesOf(families, 'urlcheck_url_up')).toHaveLength(checked.length);
      for (const result of checked) {
        const labels = { url: labelValue(result.url), source: list };
        expect(valueOf(families, 'urlcheck_url_up', labels), result.url).toBe(['broken', 'transient', 'blocked'].includes(result.verdict) ? 0 : 1);
        expect(valueOf(families, 'urlcheck_url_verdict_info', { ...labels, verdict: result.verdict })).toBe(1);
        expect(valueOf(families, 'urlcheck_url_status_code', labels)).toBe(result.status ?? 0);
        expect(valueOf(families, 'urlcheck_url_duration_seconds', labels)).toBeCloseTo(result.durationMs / 1000, 4);
        expect(valueOf(families, 'urlcheck_url_attempts', labels)).toBe(result.attempts);
        expect(valueOf(families, 'urlcheck_url_redirects', labels)).toBe(result.redirects.length);
        const phases = samplesOf(families, 'urlcheck_url_phase_duration_seconds').filter((sample) => sample.labels['url'] === labels.url);
        const known = result.timings === null ? [] : ([['dns', result.timings.dnsMs], ['connect', result.timings.connectMs], ['tls', result.timings.tlsMs], ['first_byte', result.timings.firstByteMs]] as const).filter(([, ms]) => ms !== null);
        expect(phases.map((sample) => sample.labels['phase']).sort()).toEqual(known.map(([phase]) => phase).sort());
      }
      // The https: URL: credentials redacted in its label, its certificate's expiry as a Unix time.
      expect(valueOf(families, 'urlcheck_url_cert_expiry_timestamp_seconds', { url: secure().url('/ok').replace('https://', 'https://***@') })).toBe(VALID_CERT_EXPIRY_SECONDS);
      expect(samplesOf(families, 'urlcheck_url_cert_expiry_timestamp_seconds')).toHaveLength(1);
      // The run's numbers are the JSON summary's.
      for (const [verdict, count] of Object.entries(summary.byVerdict)) expect(valueOf(families, 'urlcheck_results', { verdict })).toBe(count);
      for (const [code, count] of Object.entries(summary.byCode)) expect(valueOf(families, 'urlcheck_unhealthy_results', { code })).toBe(count);
      expect(valueOf(families, 'urlcheck_check_duration_seconds', { quantile: '0.5' })).toBeCloseTo((summary.latencyMs?.p50 ?? NaN) / 1000, 6);
      expect(valueOf(families, 'urlcheck_check_duration_seconds', { quantile: '0.95' })).toBeCloseTo((summary.latencyMs?.p95 ?? NaN) / 1000, 6);
      expect(valueOf(families, 'urlcheck_check_duration_seconds', { quantile: '1' })).toBeCloseTo((summary.latencyMs?.max ?? NaN) / 1000, 6);
      const requested = results.filter((result) => result.attempts > 0);
      expect(valueOf(families, 'urlcheck_check_duration_seconds_count')).toBe(requested.length);
      expect(valueOf(families, 'urlcheck_check_duration_seconds_sum')).toBeCloseTo(requested.reduce((sum, result) => sum + result.durationMs, 0) / 1000, 3);
      expect(valueOf(families, 'urlcheck_run_duration_seconds')).toBeCloseTo(summary.wallMs / 1000, 4);
      expect(valueOf(families, 'urlcheck_run_urls_per_second')).toBe(summary.urlsPerSecond);
      expect(valueOf(families, 'urlcheck_run_interrupted')).toBe(0);
      expect(valueOf(families, 'urlcheck_urls_not_exported')).toBe(0);
      expect(Math.abs(valueOf(families, 'urlcheck_run_end_timestamp_seconds') - Date.now() / 1000)).toBeLessThan(600);
    }
    // The summary goes to stderr, as for every format but the table on stdout.
    expect(run.stderr).toContain('of 9 URLs');
  });

  it('hostile lines (quotes, backslashes, control characters, %0A, invalid UTF-8, non-ASCII, 4,000-character URLs): valid, and read back as the JSON report has them', async () => {
    const base = server().url('/status/404');
    const long = `${server().url('/ok/')}${'x'.repeat(4000)}`;
    const bytes = Buffer.concat([
      Buffer.from(
        [
          `${base}/"quoted"\\back\\slash\\"`,
          `${base}/%0A%0D%22%5C/line%0Abreak`,
          `${base}/ctl\u0001\u0007\u001b[31m\u007f\u0085\u202e\r/mid`,
          `${base}/é/日本/🙂/\u2028`,
          long,
          `${long}/other`,
          `"quoted" \\ not a URL \u0001`,
        ].join('\n'),
      ),
      // Bytes that are not UTF-8: a lone 0xFF, a UTF-8-encoded surrogate, a cut sequence.
      Buffer.from('\n'),
      Buffer.from(`${base}/`),
      Buffer.from([0xff, 0xed, 0xa0, 0x80, 0x2f, 0xe6, 0x97]),
      Buffer.from('\n'),
    ]);
    await writeFile(path('hostile "list"\\.txt'), bytes);
    // A document whose link holds a line break and a tab, as HTML allows.
    await writeFile(path('page.html'), `<a href="${base}/a\nb\tc">x</a>\n`);
    const run = await cli([
      'hostile "list"\\.txt',
      'page.html',
      '-f',
      'openmetrics',
      '-o',
      path('hostile.om'),
      '--report',
      `prometheus:${path('hostile.prom')}`,
      '--report',
      `json:${path('hostile.json')}`,
      '--retries',
      '0',
    ]);
    expect(run.code).toBe(1);
    const { results } = await readJson(path('hostile.json'));
    expect(results).toHaveLength(9);
    const expected = results.map((result) => `${labelValue(result.source)} ${labelValue(result.url)}`).sort();
    // Two 4,000-character URLs that begin alike: cut, and still two series.
    expect(expected.filter((label) => label.includes('…[truncated '))).toHaveLength(2);
    for (const [file, format] of [
      ['hostile.prom', 'prometheus'],
      ['hostile.om', 'openmetrics'],
    ] as const) {
      const families = expectValidExposition(await readFile(path(file)), format);
      const got = samplesOf(families, 'urlcheck_url_up').map((sample) => `${sample.labels['source']} ${sample.labels['url']}`);
      expect(got.sort()).toEqual(expected);
      expect(Math.max(...samplesOf(families, 'urlcheck_url_up').map((sample) => (sample.labels['url'] ?? '').length))).toBeLessThan(2100);
    }
  });

  it('urlcheck_url_up follows --fail-on; --fail-on none exits 0 and counts the default verdicts as down', async () => {
    const ok = server().url('/ok');
    const missing = server().url('/status/404');
    const unavailable = server().url('/status/503');
    const moved = server().url('/moved/301');
    const list = await temp.listFile('fail-on.txt', [ok, missing, unavailable, moved]);
    const up = async (args: string[], code: number) => {
      const run = await cli([list, '-f', 'prometheus', '--retries', '0', ...args]);
      expect(run.code).toBe(code);
      return upByUrl(expectValidExposition(run.stdout, 'prometheus'));
    };
    const byDefault = { [ok]: 1, [missing]: 0, [unavailable]: 0, [moved]: 1 };
    expect(await up([], 1)).toEqual(byDefault);
    expect(await up(['--fail-on', 'none'], 0)).toEqual(byDefault);
    expect(await up(['--fail-on', 'broken'], 1)).toEqual({ ...byDefault, [unavailable]: 1 });
    expect(await up(['--fail-on', 'warning,broken,transient'], 1)).toEqual({ ...byDefault, [moved]: 0 });
  });

  it('duplicates: one series per URL with dedupe on; with --no-dedupe the same url and source is one series, the worse line', async () => {
    const flaky = server().url(`/flaky/1/no-dedupe-${Date.now()}`);
    const ok = server().url('/ok/shared');
    const first = await temp.listFile('dup-a.txt', [flaky, ok, flaky]);
    const second = await temp.listFile('dup-b.txt', [ok]);

    const deduped = await cli([first, second, '-f', 'prometheus', '--retries', '0']);
    const once = expectValidExposition(deduped.stdout, 'prometheus');
    // The flaky URL was requested once (its 503), the shared one once, for the file that named it first.
    expect(samplesOf(once, 'urlcheck_url_up').map((sample) => [sample.labels['source'], sample.labels['url'], sample.value])).toEqual([
      [first, flaky, 0],
      [first, ok, 1],
    ]);
    expect(valueOf(once, 'urlcheck_results', { verdict: 'transient' })).toBe(2);

    const flakyAgain = server().url(`/flaky/1/no-dedupe-again-${Date.now()}`);
    const again = await temp.listFile('dup-c.txt', [flakyAgain, ok, flakyAgain]);
    const every = await cli([again, second, '-f', 'prometheus', '--retries', '0', '--no-dedupe']);
    // One of the two requests got the 503, the other a 200: the series is the failing line's, as the exit code is.
    expect(every.code).toBe(1);
    const twice = expectValidExposition(every.stdout, 'prometheus');
    // In input order: by input name, then line.
    expect(samplesOf(twice, 'urlcheck_url_up').map((sample) => [sample.labels['source'], sample.labels['url'], sample.value])).toEqual([
      [second, ok, 1],
      [again, flakyAgain, 0],
      [again, ok, 1],
    ]);
    expect(valueOf(twice, 'urlcheck_url_verdict_info', { url: flakyAgain })).toBe(1);
    expect(samplesOf(twice, 'urlcheck_url_verdict_info').find((sample) => sample.labels['url'] === flakyAgain)?.labels['verdict']).toBe('transient');
    expect(valueOf(twice, 'urlcheck_results', { verdict: 'healthy' })).toBe(3);
  });

  it('past 10,000 URLs: the first 10,000 lines keep their series, one warning line, urlcheck_urls_not_exported', async () => {
    // Lines checked without a request (an unsupported scheme), so 10,040 of them take no time.
    const lines = [server().url('/ok'), ...Array.from({ length: 10_040 }, (_, index) => `ftp://files.test/${index}`)];
    const list = await temp.listFile('long.txt', lines);
    const run = await cli([list, '-f', 'prometheus', '-o', path('long.prom'), '--report', `openmetrics:${path('long.om')}`]);
    expect(run.code).toBe(1);
    const warnings = run.stderr.split('\n').filter((line) => line.startsWith('urlcheck: warning:'));
    expect(warnings).toEqual([
      'urlcheck: warning: prometheus report: 41 URL lines past the first 10,000 URLs have no per-URL series (urlcheck_urls_not_exported)',
      'urlcheck: warning: openmetrics report: 41 URL lines past the first 10,000 URLs have no per-URL series (urlcheck_urls_not_exported)',
    ]);
    // promtool reads 60,000 samples in a second, the Python parsers take 5 to 10 s: here the text
    // file goes through promtool, and the lines are counted; the unit tests put the same cap
    // through both parsers with a cap of 10.
    const text = await readFile(path('long.prom'), 'utf8');
    expect(promtoolCheckMetrics(text)).toEqual({ code: 0, output: '' });
    const open = await readFile(path('long.om'), 'utf8');
    expect(open.endsWith('\n# EOF\n')).toBe(true);
    for (const document of [text, open]) {
      expect(document).toContain('\nurlcheck_urls_not_exported 41\n');
      expect(document).toContain('\nurlcheck_results{verdict="broken"} 10040\n');
      const urls = [...document.matchAll(/^urlcheck_url_up\{url="([^"]*)",source="[^"]*"\} [01]$/gm)].map((match) => match[1]);
      expect(urls).toEqual(lines.slice(0, 10_000));
    }
    }, 60_000);

  describe('written whole', () => {
    const tmpFiles = (name: string) => readdirSync(temp.path()).filter((file) => file.startsWith(`${name}.urlcheck-`) && file.endsWith('.tmp'));

    it('a run killed mid-way leaves the previous file as it was; a run that is not leaves no temporary file', async () => {
      const target = path('kill.prom');
      const healthy = await temp.listFile('kill-ok.txt', [server().url('/ok/kill')]);
      expect((await cli([healthy, '-f', 'prometheus', '-o', target])).code).toBe(0);
      const before = await readFile(target);
      expect(tmpFiles('kill.prom')).toEqual([]);

      const hanging = await temp.listFile('kill-hang.txt', [server().url('/ok/kill'), server().url('/hang/kill-1'), server().url('/hang/kill-2')]);
      server().resetStats();
      const killed = await cli([hanging, '-f', 'prometheus', '-o', target, '--timeout', '60000'], {
        onSpawn: (child) =>
          void waitFor(() => server().stats.total === 3 && server().stats.inFlight === 2, 10_000, 'the hanging requests')
            .then(() => {
              // The document is only ever written to the temporary file, never to the target.
              expect(readFileSync(target).equals(before)).toBe(true);
              child.kill('SIGKILL');
            })
            .catch(() => child.kill('SIGKILL')),
      });
      expect(killed.signal).toBe('SIGKILL');
      expect((await readFile(target)).equals(before)).toBe(true);
      // node_exporter reads `*.prom` only: a temporary file left by a killed run is never read.
      for (const leftover of tmpFiles('kill.prom')) expect(leftover.endsWith('.prom')).toBe(false);
    });

    it('SIGTERM: exit 143, the file holds the finished results and urlcheck_run_interrupted 1', async () => {
      const target = path('term.prom');
      const stream = path('term.ndjson');
      const ok = [server().url('/ok/term-1'), server().url('/ok/term-2')];
      const list = await temp.listFile('term.txt', [...ok, server().url('/hang/term-1'), server().url('/hang/term-2')]);
      let sawTmp = false;
      const run = await cli([list, '-f', 'prometheus', '-o', target, '--report', `ndjson:${stream}`, '--timeout', '60000', '--retries', '0'], {
        onSpawn: (child) =>
          void waitFor(() => existsSync(stream) && readFileSync(stream, 'utf8').split('\n').length === 3 && server().stats.inFlight === 2, 10_000, 'two results')
            .then(() => {
              // Mid-run the target does not exist yet; the temporary file beside it does.
              sawTmp = !existsSync(target) && tmpFiles('term.prom').length === 1;
              child.kill('SIGTERM');
            })
            .catch(() => child.kill('SIGKILL')),
      });
      expect(run.code).toBe(143);
      expect(sawTmp).toBe(true);
      expect(tmpFiles('term.prom')).toEqual([]);
      const families = expectValidExposition(await readFile(target), 'prometheus');
      expect(valueOf(families, 'urlcheck_run_interrupted')).toBe(1);
      expect(Object.keys(upByUrl(families)).sort()).toEqual([...ok].sort());
    });
  });
});

/** The README's "Into monitoring" section: its crontab command, its Pushgateway line and its alert rules. */
async function monitoringRecipe(): Promise<{ cronCommand: string; pushLine: string; rules: string }> {
  const readme = await readFile(README, 'utf8');
  const start = readme.indexOf('\n## Into monitoring\n');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const entry = /```cron\n(?:#.*\n)*(.*)\n```/.exec(section)?.[1];
  const pushLine = /```sh\n(.*curl .*)\n```/.exec(section)?.[1];
  const rules = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  if (start < 0 || entry === undefined || pushLine === undefined || rules === undefined) throw new Error("README: no crontab entry, curl line or rules under '## Into monitoring'");
  // A crontab entry: five schedule fields, then the command cron hands to /bin/sh.
  return { cronCommand: entry.replace(/^(\S+\s+){5}/, ''), pushLine, rules };
}

/** Runs `command` as cron does: `env -i PATH=… HOME=/tmp sh -c command`, in `cwd`. */
function asCron(command: string, cwd: string, path = '/usr/bin:/bin'): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('/usr/bin/env', ['-i', `PATH=${path}`, 'HOME=/tmp', 'sh', '-c', command], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
  return collectExit(child);
}

/** Starts a daemon on a free loopback port and waits until it answers GET /metrics; returns its base URL. */
async function startDaemon(binary: string, args: (listen: string) => string[]): Promise<string> {
  const port = await closedPort();
  const listen = `127.0.0.1:${port}`;
  const child = spawn(binary, args(listen), { stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  let log = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  const base = `http://${listen}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${binary} exited: ${log}`);
    const answered = await fetch(`${base}/metrics`).then((response) => response.ok, () => false);
    if (answered) return base;
    if (Date.now() > deadline) throw new Error(`${binary} did not answer: ${log}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const scrape = async (base: string) => parseWithPythonClient(await (await fetch(`${base}/metrics`)).text(), 'prometheus');

const SKIP_CONSUMERS = SKIP_METRICS_PARSERS || ((!existsSync(NODE_EXPORTER) || !existsSync(PUSHGATEWAY)) && !process.env['CI']);

describe.skipIf(SKIP_CONSUMERS)("the README's monitoring recipe, with node_exporter and a Pushgateway", () => {
  const dirs = { site: '', textfiles: '', globalBin: '', work: '' };

  beforeAll(async () => {
    for (const name of ['site', 'textfiles', 'globalBin', 'work'] as const) {
      dirs[name] = join(temp.path(), `recipe-${name}`);
      await mkdir(dirs[name]);
    }
    await symlink(process.execPath, join(dirs.globalBin, 'node'));
    await symlink(BIN, join(dirs.globalBin, 'urlcheck'));
  });
  afterAll(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  const here = (command: string) =>
    command
      .replaceAll('/srv/site', dirs.site)
      .replaceAll('/usr/local/bin', dirs.globalBin)
      .replaceAll('/var/lib/prometheus/node-exporter', dirs.textfiles);

  it('the crontab line writes into the textfile folder under cron\'s environment, silently, and node_exporter serves it', async () => {
    const { cronCommand } = await monitoringRecipe();
    const ok = server().url('/ok/recipe');
    const missing = server().url('/status/404/recipe');
    await writeFile(join(dirs.site, 'urls.txt'), `# site\n${ok}\n${missing}\n`);
    const exporter = await startDaemon(NODE_EXPORTER, (listen) => [
      '--collector.disable-defaults',
      '--collector.textfile',
      `--collector.textfile.directory=${dirs.textfiles}`,
      `--web.listen-address=${listen}`,
    ]);

    const run = await asCron(here(cronCommand), dirs.work);
    // Nothing for cron to mail, though a URL is down: that is for the alert to say.
    expect(run).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(readdirSync(dirs.textfiles)).toEqual(['urlcheck.prom']);
    const families = await scrape(exporter);
    expect(valueOf(families, 'node_textfile_scrape_error')).toBe(0);
    expect(upByUrl(families)).toEqual({ [ok]: 1, [missing]: 0 });
    expect(valueOf(families, 'urlcheck_url_status_code', { url: missing })).toBe(404);
    expect(samplesOf(families, 'urlcheck_check_duration_seconds').map((sample) => sample.name).sort()).toEqual([
      'urlcheck_check_duration_seconds',
      'urlcheck_check_duration_seconds',
      'urlcheck_check_duration_seconds',
      'urlcheck_check_duration_seconds_count',
      'urlcheck_check_duration_seconds_sum',
    ]);
  });

  it('the curl line pushes to a real Pushgateway; PUT drops a URL taken off the list', async () => {
    const { pushLine } = await monitoringRecipe();
    const gateway = await startDaemon(PUSHGATEWAY, (listen) => [`--web.listen-address=${listen}`]);
    const line = here(pushLine).replace('http://pushgateway.example:9091', gateway);
    const kept = server().url('/ok/pushed');
    const dropped = server().url('/status/410/pushed');
    await writeFile(join(dirs.site, 'urls.txt'), `${kept}\n${dropped}\n`);
    const first = await asCron(line, dirs.work, `${dirs.globalBin}:/usr/bin:/bin`);
    expect(first).toEqual({ code: 0, stdout: '', stderr: '' });
    let families = await scrape(gateway);
    expect(samplesOf(families, 'urlcheck_url_up').map((sample) => [sample.labels['job'], sample.labels['url'], sample.value])).toEqual([
      ['urlcheck', kept, 1],
      ['urlcheck', dropped, 0],
    ]);
    expect(valueOf(families, 'push_failure_time_seconds', { job: 'urlcheck' })).toBe(0);

    await writeFile(join(dirs.site, 'urls.txt'), `${kept}\n`);
    expect((await asCron(line, dirs.work, `${dirs.globalBin}:/usr/bin:/bin`)).code).toBe(0);
    families = await scrape(gateway);
    expect(Object.keys(upByUrl(families))).toEqual([kept]);

    // The Pushgateway reads the text format only: an OpenMetrics document is refused whole.
    await cli([join(dirs.site, 'urls.txt'), '-f', 'openmetrics', '-o', path('pushed.om')]);
    const refused = await fetch(`${gateway}/metrics/job/urlcheck-openmetrics`, { method: 'PUT', body: await readFile(path('pushed.om')) });
    expect(refused.status).toBe(400);
  });

  it('the alert rules pass promtool check rules and fire as the README says', async () => {
    const { rules } = await monitoringRecipe();
    await writeFile(path('rules.yml'), rules);
    const check = spawnSync(PROMTOOL, ['check', 'rules', path('rules.yml')], { encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain('SUCCESS: 3 rules found');
    // Every metric the rules use is one urlcheck writes.
    const list = await temp.listFile('rules-urls.txt', [secure().url('/ok/rules')]);
    const run = await cli([list, '-f', 'prometheus']);
    const written = new Set(run.stdout.match(/^urlcheck_\w+/gm));
    for (const name of rules.match(/urlcheck_\w+/g) ?? []) expect(written, name).toContain(name);

    const day = 86_400;
    const unitTests = `rule_files: [rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'urlcheck_url_up{url="https://down.test/",source="urls.txt"}'
        values: '0x40'
      - series: 'urlcheck_url_up{url="https://up.test/",source="urls.txt"}'
        values: '1x40'
      - series: 'urlcheck_url_cert_expiry_timestamp_seconds{url="https://soon.test/",source="urls.txt"}'
        values: '${13 * day + 60}x40'
      - series: 'urlcheck_url_cert_expiry_timestamp_seconds{url="https://later.test/",source="urls.txt"}'
        values: '${15 * day}x40'
      - series: 'urlcheck_run_end_timestamp_seconds'
        values: '0x40'
    alert_rule_test:
      - eval_time: 9m
        alertname: UrlDown
        exp_alerts: []
      - eval_time: 10m
        alertname: UrlDown
        exp_alerts:
          - exp_labels: { url: 'https://down.test/', source: urls.txt }
            exp_annotations: { summary: 'https://down.test/ is down (listed in urls.txt)' }
      - eval_time: 1m
        alertname: UrlCertificateExpiring
        exp_alerts:
          - exp_labels: { url: 'https://soon.test/', source: urls.txt }
            exp_annotations: { summary: 'The certificate of https://soon.test/ expires in 13d 0h 0m 0s' }
      - eval_time: 29m
        alertname: UrlcheckNotRunning
        exp_alerts: []
      - eval_time: 31m
        alertname: UrlcheckNotRunning
        exp_alerts:
          - exp_annotations: { summary: 'urlcheck has not finished a run for 31m 0s' }
`;
    await writeFile(path('rules.test.yml'), unitTests);
    const test = spawnSync(PROMTOOL, ['test', 'rules', path('rules.test.yml')], { encoding: 'utf8', cwd: temp.path() });
    expect(test.status, test.stdout + test.stderr).toBe(0);
  });
});
