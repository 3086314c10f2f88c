import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, runCliProbed, writeFifoWhenRead, type CliRun, type RunCliOptions } from '../helpers/cli.js';
import { closedPort, useFixtureServer } from '../helpers/fixtures.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { seeded } from '../helpers/random.js';

// Hostile servers, bad input and interruptions, end to end through the built CLI. No test
// asserts elapsed time: every abort is exercised against URLs that would hang for 60 s, so a
// missing abort shows up as a test timeout.

const server = useFixtureServer();
const temp = useTempDir('urlcheck-robust-');
const { listFile } = temp;
const children = new Set<ChildProcess>();

/** Put in the userinfo of URLs throughout: it must never reach stdout or stderr. */
const SECRET = 'pa55-s3cr3t-e2e';
const withCredentials = (url: string) => url.replace('://', `://tester:${SECRET}@`);

/** Peak RSS allowed for a whole run, in KiB: memory must not grow with the list. */
const MAX_PEAK_RSS_KIB = 200 * 1024;
/** The per-test limit for runs that must end by themselves within a second or two. */
const INTERRUPT_TEST_MS = 15_000;

afterEach(() => {
  // A test that failed by timing out leaves its child behind: end it (only ours, by handle).
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
});
function tracked(options: RunCliOptions): RunCliOptions {
  return {
    ...options,
    onSpawn: (child) => {
      children.add(child);
      options.onSpawn?.(child);
    },
  };
}

function expectNoCredentials(run: CliRun): void {
  expect(run.stderr).not.toContain(SECRET);
  expect(run.stdout).not.toContain(SECRET);
}

/** Runs the built CLI; every run is also checked for leaked credentials. */
async function cli(args: string[], options: RunCliOptions = {}): Promise<CliRun> {
  const run = await runCli(args, tracked(options));
  expectNoCredentials(run);
  return run;
}

/** Sends `signal` to the child as soon as `ready()` holds (polled), unless it exited first. */
function signalWhen(child: ChildProcess, ready: () => boolean, signal: NodeJS.Signals): void {
  const poll = setInterval(() => {
    if (!ready()) return;
    clearInterval(poll);
    child.kill(signal);
  }, 10);
  child.once('exit', () => clearInterval(poll));
}

/** The child's stdout so far, alongside runCli's own collection. */
function watchStdout(child: ChildProcess): () => string {
  let seen = '';
  child.stdout?.on('data', (chunk: string | Buffer) => (seen += String(chunk)));
  return () => seen;
}

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

const okUrls = (n: number, tag: string) => Array.from({ length: n }, (_, i) => server().url(`/ok/${tag}/${i}`));
const hangUrls = (n: number, tag: string) => Array.from({ length: n }, (_, i) => withCredentials(server().url(`/hang/${tag}/${i}`)));

describe('interruptions', () => {
  it(
    'SIGTERM with -f json: exit 143, one valid document with the finished results, interrupted: true',
    async () => {
      const file = await listFile('term.txt', [...okUrls(5, 'term'), ...hangUrls(5, 'term')]);
      const run = await cli([file, '-f', 'json', '--timeout', '60000', '--retries', '0'], {
        onSpawn: (child) => {
          const stdout = watchStdout(child);
          signalWhen(child, () => count(stdout(), '"ok":true') === 5 && server().stats.inFlight === 5, 'SIGTERM');
        },
      });
      // Protection: SIGTERM aborts requests in flight and still closes the JSON document.
      expect(run.code).toBe(143);
      const report = JSON.parse(run.stdout) as { results: Array<{ ok: boolean; url: string }>; summary: Record<string, unknown> };
      expect(report.results).toHaveLength(5);
      expect(report.results.every((r) => r.ok && r.url.includes('/ok/term/'))).toBe(true);
      expect(report.summary).toMatchObject({ total: 5, healthy: 5, interrupted: true });
    },
    INTERRUPT_TEST_MS,
  );

  it(
    'SIGINT with -f csv: exit 130, the header and only complete CRLF-terminated rows of finished checks',
    async () => {
      const file = await listFile('int-csv.txt', [...hangUrls(3, 'csv'), ...okUrls(5, 'csv')]);
      const run = await cli([file, '-f', 'csv', '--timeout', '60000', '--retries', '0'], {
        onSpawn: (child) => {
          const stdout = watchStdout(child);
          signalWhen(child, () => count(stdout(), ',true,200,') === 5 && server().stats.inFlight === 3, 'SIGINT');
        },
      });
      // Protection: checks cut short by the interrupt yield no row (no bogus TIMEOUT row, no half row).
      expect(run.code).toBe(130);
      expect(run.stdout.endsWith('\r\n')).toBe(true);
      const rows = run.stdout.slice(0, -2).split('\r\n');
      expect(rows[0]).toBe('url,ok,status,error_code,error_message,duration_ms,attempts,redirects,final_url,method,source,line,verdict,warnings,first_byte_ms,cert_days_left,change,start_ms');
      expect(rows).toHaveLength(6);
      for (const row of rows.slice(1)) {
        const fields = row.split(',');
        expect(fields).toHaveLength(18);
        expect(fields[1]).toBe('true');
      }
      expect(run.stderr).toContain('interrupted');
    },
    INTERRUPT_TEST_MS,
  );

  it(
    'SIGINT with the default table: exit 130, the summary says interrupted, no row for unfinished checks',
    async () => {
      const file = await listFile('int-table.txt', [...okUrls(4, 'table'), ...hangUrls(4, 'table')]);
      const run = await cli([file, '--timeout', '60000', '--retries', '0'], {
        onSpawn: (child) => signalWhen(child, () => server().stats.total === 8 && server().stats.inFlight === 4, 'SIGINT'),
      });
      // Protection: SIGINT aborts the hanging requests and the table still prints with its summary.
      expect(run.code).toBe(130);
      expect(run.stdout).toMatch(/interrupted: only the \d+ URLs? above (was|were) checked/);
      expect(run.stdout).not.toContain('/hang/');
      expect(run.stderr).toBe('');
    },
    INTERRUPT_TEST_MS,
  );

  it(
    'a second SIGINT exits at once (130) while the first is still stopping the run',
    async () => {
      // Long lines: the finished results at the first SIGINT far exceed what a pipe nobody reads can hold.
      const long = 'x'.repeat(1500);
      const file = await listFile('double.txt', Array.from({ length: 1000 }, (_, i) => server().url(`/ok/${long}/${i}`)));
      const run = await cli([file, '-f', 'ndjson', '-c', '10', '--retries', '0'], {
        onSpawn: (child) => {
          // Nobody reads stdout, so the orderly stop started by the first SIGINT waits for it forever.
          child.stdout?.pause();
          child.once('exit', () => child.stdout?.resume());
          const poll = setInterval(() => {
            if (server().stats.total < 150) return;
            clearInterval(poll);
            child.kill('SIGINT');
            // Apart, so the kernel cannot merge the two into one pending signal.
            setTimeout(() => child.kill('SIGINT'), 100);
          }, 10);
          child.once('exit', () => clearInterval(poll));
        },
      });
      // Protection: the second Ctrl-C exits immediately instead of waiting for the first to finish.
      expect(run.code).toBe(130);
      expect(run.signal).toBeNull();
    },
    INTERRUPT_TEST_MS,
  );
});

describe('output safety', () => {
  const tmpFiles = (prefix: string) => readdirSync(temp.path()).filter((name) => name.startsWith(`${prefix}.`) && name.endsWith('.tmp'));

  it(
    'SIGKILL mid-run never touches an existing --output report; a normal run then replaces it whole',
    async () => {
      const report = join(temp.path(), 'report.json');
      const healthy = await listFile('kill-ok.txt', okUrls(3, 'kill-ok'));
      expect((await cli([healthy, '-f', 'json', '-o', report])).code).toBe(0);
      const before = await readFile(report);
      server().resetStats();

      const hanging = await listFile('kill.txt', [...okUrls(5, 'kill'), ...hangUrls(3, 'kill')]);
      const killed = await cli([hanging, '-f', 'json', '-o', report, '--timeout', '60000'], {
        onSpawn: (child) => signalWhen(child, () => server().stats.total === 8 && server().stats.inFlight === 3, 'SIGKILL'),
      });
      expect(killed.signal).toBe('SIGKILL');
      // Protection: json/table reports are written to a temporary file and renamed into place.
      expect((await readFile(report)).equals(before)).toBe(true);
      const leftovers = tmpFiles('report.json');

      const next = await cli([healthy, '-f', 'json', '-o', report, '--retries', '0']);
      expect(next.code).toBe(0);
      const after = await readFile(report, 'utf8');
      expect(after).not.toBe(before.toString('utf8'));
      expect(JSON.parse(after)).toMatchObject({ tool: 'urlcheck', summary: { total: 3, healthy: 3, interrupted: false } });
      // The normal run left no temporary file of its own (the killed run's may remain).
      expect(tmpFiles('report.json')).toEqual(leftovers);
    },
    INTERRUPT_TEST_MS,
  );

  it(
    'SIGINT with --output json commits a valid report holding the finished results',
    async () => {
      const report = join(temp.path(), 'interrupted.json');
      const file = await listFile('int-out.txt', [...okUrls(4, 'int-out'), ...hangUrls(3, 'int-out')]);
      const run = await cli([file, '-f', 'json', '-o', report, '--timeout', '60000', '--retries', '0'], {
        onSpawn: (child) =>
          signalWhen(
            child,
            () =>
              server().stats.inFlight === 3 &&
              tmpFiles('interrupted.json').some((name) => count(readFileSync(join(temp.path(), name), 'utf8'), '"ok":true') === 4),
            'SIGINT',
          ),
      });
      // Protection: an interrupted run still finishes and renames its report: nothing finished is lost.
      expect(run.code).toBe(130);
      expect(run.stdout).toBe('');
      const parsed = JSON.parse(await readFile(report, 'utf8')) as { results: unknown[]; summary: Record<string, unknown> };
      expect(parsed.results).toHaveLength(4);
      expect(parsed.summary).toMatchObject({ total: 4, interrupted: true });
      expect(tmpFiles('interrupted.json')).toEqual([]);
    },
    INTERRUPT_TEST_MS,
  );

  it(
    'SIGINT with --output x.ndjson mid-stream: only complete lines, exactly as many as the summary counted',
    async () => {
      const out = join(temp.path(), 'x.ndjson');
      const file = await listFile('int-ndjson.txt', [
        ...hangUrls(3, 'nd'),
        ...Array.from({ length: 5000 }, (_, i) => server().url(`/delay/0/nd/${i}`)),
      ]);
      const run = await cli([file, '-f', 'ndjson', '-o', out, '--timeout', '60000', '--retries', '0'], {
        onSpawn: (child) =>
          signalWhen(child, () => server().stats.inFlight >= 3 && existsSync(out) && readFileSync(out).length > 0, 'SIGINT'),
      });
      // Protection: line formats stream whole lines and flush every finished result before exiting.
      expect(run.code).toBe(130);
      const text = await readFile(out, 'utf8');
      expect(text.endsWith('\n')).toBe(true);
      const lines = text.slice(0, -1).split('\n');
      for (const line of lines) expect((JSON.parse(line) as { ok: boolean }).ok).toBe(true);
      const counted = /of ([\d,]+) URLs? in/.exec(run.stderr)?.[1];
      expect(Number(counted?.replaceAll(',', ''))).toBe(lines.length);
      expect(run.stderr).toContain('interrupted');
    },
    INTERRUPT_TEST_MS,
  );
});

describe('closed stdout', () => {
  it.each([
    ['csv', () => Array.from({ length: 3000 }, (_, i) => server().url(`/delay/0/csv/${i}`))],
    // The table is written at the end in one go: 1,000 unhealthy rows make it far larger than a pipe.
    ['table', () => Array.from({ length: 1000 }, (_, i) => server().url(`/status/404/${i}`))],
  ] as const)('-f %s: exit 141 and nothing on stderr when the reader goes away', async (format, urls) => {
    const file = await listFile(`pipe-${format}.txt`, urls());
    const run = await cli([file, '-f', format, '--retries', '0'], {
      onSpawn: (child) => {
        child.stdout?.once('data', () => child.stdout?.destroy());
      },
    });
    // Protection: EPIPE on stdout ends the run quietly with 141 (no crash, no stack, no summary).
    expect(run.code).toBe(141);
    expect(run.stderr).toBe('');
  });
});

describe('memory stays flat', () => {
  it(
    '100,000 URLs at -c 100: every line answered exactly once, peak RSS under 200 MB',
    async () => {
      const total = 100_000;
      const path = join(temp.path(), '100k.txt');
      const lines: string[] = [];
      for (let i = 1; i <= total; i += 1) lines.push(server().url(`/delay/0/${i}`));
      await writeFile(path, `${lines.join('\n')}\n`);
      lines.length = 0;

      const run = await runCliProbed([path, '-f', 'ndjson', '-c', '100', '--retries', '0'], tracked({}));
      expectNoCredentials(run);
      expect(run.code).toBe(0);
      const seen = new Uint8Array(total + 1);
      let results = 0;
      let healthy = 0;
      for (let start = 0; start < run.stdout.length; ) {
        const end = run.stdout.indexOf('\n', start);
        expect(end).toBeGreaterThan(start);
        const result = JSON.parse(run.stdout.slice(start, end)) as { line: number; ok: boolean };
        results += 1;
        if (result.ok) healthy += 1;
        if (result.line >= 1 && result.line <= total) seen[result.line] = (seen[result.line] ?? 0) + 1;
        start = end + 1;
      }
      expect(results).toBe(total);
      expect(healthy).toBe(total);
      expect(seen.subarray(1).every((times) => times === 1)).toBe(true);
      // Protection: a streaming pipeline (lazy input, bounded pool, no per-URL state kept), and
      // V8's young generation capped by the CLI (runInProcess), which Node 24 grows to 128 MiB.
      console.info(`[measure] 100k URLs, node ${process.version}: peak RSS ${(run.peakRssKiB / 1024).toFixed(1)} MiB`);
      expect(run.peakRssKiB).toBeLessThan(MAX_PEAK_RSS_KIB);
    },
    120_000,
  );

  it(
    'a hostile list ends by itself with one result per line, each with its code, in bounded memory',
    async () => {
      const refused = await closedPort();
      const expected: Array<[string | Buffer, string, number?]> = [
        [withCredentials(server().url('/hang')), 'TIMEOUT', 2],
        // GET of an unsized, endless body: judged on its status, the body is cancelled, not read.
        [server().url('/trickle'), 'OK'],
        [withCredentials(server().url('/reset')), 'CONNECTION_RESET', 2],
        [server().url('/garbage'), 'PROTOCOL_ERROR'],
        [withCredentials(server().url('/loop')), 'TOO_MANY_REDIRECTS'],
        [withCredentials(`http://127.0.0.1:${refused}/`), 'CONNECTION_REFUSED', 2],
        [server().url('/status/404'), 'HTTP_STATUS'],
        ['not a url at all', 'INVALID_URL', 0],
        ['javascript:alert(1)', 'UNSUPPORTED_PROTOCOL', 0],
        [Buffer.from([0x00, 0x01, 0x7f, 0xff, 0xfe, 0x80, 0xc3, 0x28, 0x1b, 0x5b, 0x32, 0x4a, 0x08]), 'INVALID_URL', 0],
      ];
      const path = join(temp.path(), 'hostile.txt');
      await writeFile(path, Buffer.concat(expected.flatMap(([line]) => [Buffer.from(line), Buffer.from('\n')])));

      const run = await runCliProbed([path, '--timeout', '1000', '--retries', '1', '-m', 'get', '-f', 'ndjson'], {
        ...tracked({}),
        stderrTty: true,
        env: { FORCE_COLOR: '0' },
      });
      expectNoCredentials(run);
      // Protection: hard per-attempt deadlines and cancelled bodies: hostile servers cannot hold the run.
      expect(run.code).toBe(1);
      const results = run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { line: number; attempts: number; error: { code: string } | null });
      expect(results).toHaveLength(expected.length);
      const byLine = new Map(results.map((r) => [r.line, r]));
      expected.forEach(([, code, attempts], index) => {
        const result = byLine.get(index + 1);
        expect({ line: index + 1, code: result?.error?.code ?? 'OK' }).toEqual({ line: index + 1, code });
        if (attempts !== undefined) expect({ line: index + 1, attempts: result?.attempts }).toEqual({ line: index + 1, attempts });
      });
      expect(run.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
      // The progress line was drawn on the (fake) terminal, and it too holds no credential.
      expect(run.stderr).toMatch(/urlcheck (.* )?\d+(\/\d+)? checked ·/);
      console.info(`[measure] hostile list: peak RSS ${(run.peakRssKiB / 1024).toFixed(1)} MiB`);
      expect(run.peakRssKiB).toBeLessThan(MAX_PEAK_RSS_KIB);
    },
    INTERRUPT_TEST_MS,
  );
});

describe('bad input', () => {
  it('an unreadable file: exit 2 with one clear line', async (ctx) => {
    ctx.skip(process.getuid?.() === 0, 'running as root, which can read any file: chmod 000 proves nothing');
    const file = await listFile('unreadable.txt', [server().url('/ok')]);
    await chmod(file, 0o000);
    const run = await cli([file]);
    // Protection: inputs are checked for readability before the run: exit 2, no stack trace.
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`urlcheck: cannot read input "${file}": permission denied\n`);
  });

  it('/dev/null as input: exit 2, no URLs found', async () => {
    const run = await cli(['/dev/null']);
    // Protection: an input without a single URL is a usage error, not an empty success.
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('urlcheck: no URLs found in "/dev/null"\n');
  });

  it(
    'a FIFO as input holding no URL: read to its end like a file, exit 2, no URLs found',
    async () => {
      const fifo = join(temp.path(), 'input.fifo');
      execFileSync('mkfifo', [fifo]);
      const run = await cli([fifo], { onSpawn: writeFifoWhenRead(fifo, '# only a comment\n') });
      // Protection: a non-regular input is streamed to its end like any other and judged the same.
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(`urlcheck: no URLs found in "${fifo}"\n`);
    },
    INTERRUPT_TEST_MS,
  );

  it('1 MB of random binary without a newline: one INVALID_URL result, exit 1, a bounded report', async () => {
    const random = seeded(20_240_101);
    const junk = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < junk.length; i += 1) junk[i] = Math.floor(random() * 256);
    junk[0] = 0x78; // "x ": no scheme can start here, and not a "#" comment
    junk[1] = 0x20;
    for (let i = 2; i < junk.length; i += 1) if (junk[i] === 0x0a) junk[i] = 0x41;
    const file = join(temp.path(), 'binary.bin');
    await writeFile(file, junk);
    const run = await cli([file, '-f', 'ndjson']);
    // Protection: a huge line is capped while read and elided in reports; it is a result, not a crash.
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0] as string) as { line: number; url: string; error: { code: string } };
    expect(result).toMatchObject({ line: 1, error: { code: 'INVALID_URL' } });
    expect(run.stdout.length).toBeLessThan(16 * 1024);
  });

  it(
    'a 1 MB line built to make credential redaction backtrack: one result, and the run ends by itself',
    async () => {
      const file = await listFile('backtrack.txt', [`@ ${'_a:\\'.repeat(250_000)}`, withCredentials(server().url('/ok'))]);
      const run = await cli([file, '-f', 'ndjson']);
      // Protection: redaction scans a line in linear time (this line once took minutes of CPU).
      expect(run.code).toBe(1);
      const results = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { line: number; error: { code: string } | null });
      expect(new Map(results.map((r) => [r.line, r.error?.code ?? 'OK']))).toEqual(
        new Map([
          [1, 'INVALID_URL'],
          [2, 'OK'],
        ]),
      );
    },
    INTERRUPT_TEST_MS,
  );

  it('a 100 KB junk line among URLs: a result with a shortened url, no 100 KB string in the table', async () => {
    const junk = 'junk'.repeat(25_600);
    const file = await listFile('junk-line.txt', [server().url('/ok'), junk, withCredentials(server().url('/ok/2'))]);
    const run = await cli([file]);
    // Protection: invalid lines are elided to 1,000 characters in every report.
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('INVALID_URL');
    expect(run.stdout).toContain('… (102400 characters)');
    expect(run.stdout).not.toContain(junk.slice(0, 2000));
    expect(run.stdout.length).toBeLessThan(16 * 1024);
    expect(run.stdout).toContain('✔ 2 healthy');
  });
});
