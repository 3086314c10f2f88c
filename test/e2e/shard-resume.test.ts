import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, lstatSync, statSync } from 'node:fs';
import { appendFile, readFile, symlink } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/demo/fixture-server.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { startHttpServer, waitFor, type LocalServer } from '../helpers/servers.js';
import { useTempDir } from '../helpers/temp-dir.js';

// Dedupe, --include/--exclude, --shard, --dump and --resume, through the built CLI.
const temp = useTempDir('urlcheck-shard-resume-');
const env = { GITHUB_ACTIONS: undefined, GITHUB_STEP_SUMMARY: undefined, HTTP_PROXY: undefined, HTTPS_PROXY: undefined };
const run = (args: string[], options: Parameters<typeof runCli>[1] = {}) => runCli(args, { cwd: temp.path(), env, ...options });

interface Row {
  url: string;
  source: string;
  line: number;
  ok: boolean;
  status: number | null;
  duplicateOf?: { source: string; line: number };
}

const rows = (text: string): Row[] =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Row);

const linesOf = (list: readonly Row[]) => list.map((row) => row.line).sort((a, b) => a - b);
const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** Counts, per path, requests that arrived and responses that were sent in full. */
interface CountingServer extends LocalServer {
  arrived: Map<string, number>;
  answered: Map<string, number>;
  /** From now on /held/* answers at once (and what was held is dropped). */
  open(): void;
}

/** A server whose /held/* requests wait until `open()`; everything else answers 200 at once. */
async function startCountingServer(): Promise<CountingServer> {
  const arrived = new Map<string, number>();
  const answered = new Map<string, number>();
  const held: ServerResponse[] = [];
  let opened = false;
  const server = await startHttpServer((req, res) => {
    const path = req.url ?? '/';
    arrived.set(path, (arrived.get(path) ?? 0) + 1);
    res.on('finish', () => answered.set(path, (answered.get(path) ?? 0) + 1));
    if (opened || !path.startsWith('/held/')) res.writeHead(200, { 'content-length': 0 }).end();
    else held.push(res);
  });
  return Object.assign(server, {
    arrived,
    answered,
    open: () => {
      opened = true;
      for (const res of held.splice(0)) res.destroy();
    },
  });
}

/** The results among the complete lines of a journal a run may be writing to right now (not its header). */
async function journalRows(path: string): Promise<Row[]> {
  if (!existsSync(path)) return [];
  const text = await readFile(path, 'utf8');
  return rows(text.slice(0, text.lastIndexOf('\n') + 1)).filter((row) => 'url' in row);
}

/** Runs the CLI and SIGKILLs it once `ready` holds. */
async function killedRun(args: string[], ready: () => Promise<boolean>): Promise<CliRun> {
  let child: ChildProcess | undefined;
  const running = run(args, { onSpawn: (spawned) => (child = spawned) });
  const deadline = Date.now() + 20_000;
  while (!(await ready())) {
    if (Date.now() > deadline) {
      child?.kill('SIGKILL');
      throw new Error(`the run never got part-way: ${JSON.stringify(await running)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child?.kill('SIGKILL');
  return running;
}

describe('dedupe, --include/--exclude and --dump', () => {
  let server: FixtureServer;
  beforeAll(async () => {
    server = await startFixtureServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('checks a URL listed twice once by default, and reports both lines; --no-dedupe checks both', async () => {
    const list = await temp.listFile('dupes.txt', [server.url('/delay/20/a'), server.url('/ok'), server.url('/delay/20/a#top'), server.url('/ok')]);
    server.resetStats();
    const deduped = await run([list, '-f', 'ndjson', '--retries', '0']);
    expect(deduped.code).toBe(0);
    expect(server.stats.byPath.get('/delay/20/a')).toBe(1);
    expect(server.stats.byPath.get('/ok')).toBe(1);
    const results = rows(deduped.stdout);
    expect(linesOf(results)).toEqual([1, 2, 3, 4]);
    expect(results.find((r) => r.line === 3)).toMatchObject({ url: server.url('/delay/20/a#top'), ok: true, duplicateOf: { source: list, line: 1 } });
    expect(results.find((r) => r.line === 4)).toMatchObject({ duplicateOf: { source: list, line: 2 } });
    expect(deduped.stderr).toContain('urlcheck: 2 lines repeat URLs listed earlier (each URL checked once, reported at every line that lists it)\n');

    server.resetStats();
    const every = await run([list, '-f', 'ndjson', '--retries', '0', '--no-dedupe']);
    expect(every.code).toBe(0);
    expect(server.stats.byPath.get('/ok')).toBe(2);
    expect(rows(every.stdout).some((r) => r.duplicateOf !== undefined)).toBe(false);
    expect(every.stderr).not.toContain('duplicate');
  });

  it('--include/--exclude: checks only what is selected, matching the URL as displayed, and says how many lines were left out', async () => {
    const list = await temp.listFile('filters.txt', [
      server.url('/ok'),
      server.url('/status/500'),
      server.url('/delay/1/report.pdf'),
      server.url('/redirect/1').replace('http://', 'http://user:hunter2@'),
      'not a url',
    ]);
    server.resetStats();
    const result = await run([list, '-f', 'ndjson', '--retries', '0', '--include', '127\\.0\\.0\\.1:\\d+/(ok|status|delay)', '--include', 'hunter2', '--exclude', 'status', '--exclude', '(?i)\\.PDF$']);
    expect(result.code).toBe(0);
    expect(rows(result.stdout).map((r) => r.line)).toEqual([1]);
    // The credential is redacted before matching: --include hunter2 selects nothing.
    expect([...server.stats.byPath.keys()]).toEqual(['/ok']);
    expect(result.stderr).toContain('urlcheck: 4 lines left out by --include/--exclude\n');
    expect(result.stdout + result.stderr).not.toContain('hunter2');
  });

  it('refuses a bad pattern or shard with one line and exit code 2', async () => {
    const list = await temp.listFile('one.txt', [server.url('/ok')]);
    const cases: Array<[string[], string]> = [
      [['--include', '('], 'urlcheck: --include: must be a regular expression: missing closing ) (got "(")\n'],
      [['--exclude', ''], 'urlcheck: --exclude: must be a non-empty regular expression (got "")\n'],
      [['--shard', '5/4'], 'urlcheck: --shard: the shard number must be from 1 to 4 (shards are counted from 1) (got "5/4")\n'],
      [['--shard', 'two'], 'urlcheck: --shard: must be <i>/<n>, shard i of n counted from 1, e.g. 2/4 (got "two")\n'],
      [['--dump', '--resume', 'j.ndjson'], 'urlcheck: --dump cannot be combined with --resume: a dump checks nothing, so there is nothing to resume\n'],
    ];
    for (const [args, stderr] of cases) {
      const result = await run([list, ...args]);
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 2, stderr });
    }
  });

  it('--dump lists what would be checked, requesting nothing: one URL per line, or NDJSON objects', async () => {
    const list = await temp.listFile('dump.txt', [server.url('/ok'), server.url('/ok#again'), server.url('/status/404'), 'https://user:pw@example.test/x', 'nope']);
    server.resetStats();
    // The path, not just "404": an ephemeral port such as 40483 contains it too.
    const text = await run([list, '--dump', '--exclude', '/status/404']);
    expect(text).toMatchObject({ code: 0, stdout: `${server.url('/ok')}\nhttps://***@example.test/x\nnope\n` });
    expect(text.stderr).toBe('urlcheck: 3 targets listed; 1 line left out by --include/--exclude; 1 line repeats a URL listed earlier and is not listed again\n');
    const ndjson = await run([list, '--dump', '-f', 'ndjson', '--no-dedupe']);
    expect(ndjson.code).toBe(0);
    expect(rows(ndjson.stdout).map((r) => [r.url, r.source, r.line])).toEqual([
      [server.url('/ok'), list, 1],
      [server.url('/ok#again'), list, 2],
      [server.url('/status/404'), list, 3],
      ['https://***@example.test/x', list, 4],
      ['nope', list, 5],
    ]);
    expect(server.stats.total).toBe(0);
  });
});

describe('--shard i/n', () => {
  const SERVERS = 5;
  let servers: FixtureServer[] = [];
  beforeAll(async () => {
    servers = await Promise.all(Array.from({ length: SERVERS }, () => startFixtureServer()));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  const listOfHosts = () =>
    temp.listFile('hosts.txt', [...servers.flatMap((s, i) => [s.url(`/ok?h=${i}`), s.url(`/status/404?h=${i}`), s.url(`/redirect/1?h=${i}`)]), 'not a url', 'mailto:x@example.test']);
  const originOf = (row: Row) => {
    try {
      return new URL(row.url).origin;
    } catch {
      return row.url;
    }
  };

  it.each([1, 2, 3, 5])('%i shards (--dump): disjoint, their union is the list, each host in one shard, the same every run', async (n) => {
    const list = await listOfHosts();
    const shards: Row[][] = [];
    for (let i = 1; i <= n; i += 1) {
      const result = await run([list, '--dump', '-f', 'ndjson', '--shard', `${i}/${n}`]);
      expect(result.code).toBe(0);
      shards.push(rows(result.stdout));
    }
    const all = shards.flat();
    expect(linesOf(all)).toEqual(oneTo(SERVERS * 3 + 2));
    const shardOfOrigin = new Map<string, number>();
    shards.forEach((shard, i) => {
      for (const row of shard) {
        expect(shardOfOrigin.get(originOf(row)) ?? i).toBe(i);
        shardOfOrigin.set(originOf(row), i);
      }
    });
    const again = await run([list, '--dump', '-f', 'ndjson', '--shard', `1/${n}`]);
    expect(rows(again.stdout)).toEqual(shards[0]);
  });

  it('a shard requests only its own hosts, and says how many lines it left to the others', async () => {
    const list = await listOfHosts();
    const dumped = rows((await run([list, '--dump', '-f', 'ndjson', '--shard', '2/3'])).stdout);
    for (const s of servers) s.resetStats();
    const result = await run([list, '-f', 'ndjson', '--retries', '0', '--shard', '2/3']);
    expect([0, 1]).toContain(result.code);
    expect(rows(result.stdout).map((r) => r.line).sort((a, b) => a - b)).toEqual(linesOf(dumped));
    const mine = new Set(dumped.map(originOf));
    for (const s of servers) expect(s.stats.total > 0).toBe(mine.has(s.origin));
    const others = SERVERS * 3 + 2 - dumped.length;
    if (others > 0) expect(result.stderr).toContain(`${others} ${others === 1 ? 'line' : 'lines'} left to other shards`);
  });
});

describe('--resume after SIGKILL', () => {
  let server: CountingServer;
  beforeAll(async () => {
    server = await startCountingServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('slow route: run 2 checks only the rest; every URL answered once; one result per input line; the journal is removed', async () => {
    const fast = (i: number) => server.url(`/f/${i}`);
    const lines = [
      ...oneTo(30).map(fast),
      ...oneTo(4).map((i) => server.url(`/held/${i}`)),
      ...oneTo(20).map((i) => fast(30 + i)),
      `${fast(1)}#again`,
      `${server.url('/held/1')}#again`,
      'not a url',
    ];
    const list = await temp.listFile('resume-slow.txt', lines);
    const journal = join(temp.path(), 'slow.journal.ndjson');
    const args = [list, '--resume', journal, '-f', 'ndjson', '-o', join(temp.path(), 'slow.out.ndjson'), '-c', '4', '--retries', '0', '-t', '60s'];

    // With 4 requests in flight at most, the 4 held URLs stall the run after the first 30.
    const heldArrived = () => oneTo(4).every((i) => server.arrived.get(`/held/${i}`) === 1);
    const first = await killedRun(args, async () => heldArrived() && (await journalRows(journal)).length >= 31);
    expect(first.signal).toBe('SIGKILL');
    const journaledBefore = await journalRows(journal);
    // The 30 fast URLs, and line 55 (which waited for line 1). The line that is not a URL is
    // queued behind the held ones, like every line after them.
    expect(linesOf(journaledBefore)).toEqual([...oneTo(30), 55]);
    // A kill can leave half a line: the next run tolerates it.
    await appendFile(journal, '{"url":"http://127.0.0.1:1/torn","ok":tr');

    server.open();
    const second = await run(args);
    expect(second.code).toBe(1); // "not a url" is broken
    const report = rows(await readFile(join(temp.path(), 'slow.out.ndjson'), 'utf8'));
    expect(linesOf(report)).toEqual(oneTo(lines.length));
    expect(report.find((r) => r.line === 56)).toMatchObject({ ok: true, duplicateOf: { source: list, line: 31 } });
    expect(second.stderr).toContain('31 results resumed from the journal');

    // Every URL answered exactly once across both runs; the only requests made twice are the 4
    // the kill cut off before their answer came.
    const paths = [...oneTo(50).map((i) => `/f/${i}`), ...oneTo(4).map((i) => `/held/${i}`)];
    expect(Object.fromEntries(server.answered)).toEqual(Object.fromEntries(paths.map((p) => [p, 1])));
    expect(Object.fromEntries(server.arrived)).toEqual(Object.fromEntries(paths.map((p) => [p, p.startsWith('/held/') ? 2 : 1])));
    // A run that finished removes its journal: the same command starts afresh next time.
    expect(existsSync(journal)).toBe(false);
  });

  it.skipIf(process.platform === 'win32')('input that stalls (a FIFO): killed with nothing in flight, every URL is requested exactly once', async () => {
    server.arrived.clear();
    server.answered.clear();
    const fifo = join(temp.path(), 'urls.fifo');
    execFileSync('mkfifo', [fifo]);
    const lines = [...oneTo(40).map((i) => server.url(`/s/${i}`)), `${server.url('/s/3')}#dup`, 'not a url', server.url('/s/41'), `${server.url('/s/40')}#dup`];
    const firstPart = lines.slice(0, 21);
    const journal = join(temp.path(), 'fifo.journal.ndjson');
    const output = join(temp.path(), 'fifo.out.ndjson');
    const args = [fifo, '--resume', journal, '-f', 'ndjson', '-o', output, '--retries', '0'];

    // Run 1 reads the first 21 lines, checks them, then waits for more input that never comes.
    const writer = createWriteStream(fifo);
    writer.on('error', () => {});
    writer.write(`${firstPart.join('\n')}\n`);
    const first = await killedRun(args, async () => (await journalRows(journal)).length >= 21);
    writer.destroy();
    expect(first.signal).toBe('SIGKILL');
    expect(linesOf(await journalRows(journal))).toEqual(oneTo(21));

    const secondRun = run(args);
    const feeder = createWriteStream(fifo);
    feeder.on('error', () => {});
    feeder.end(`${lines.join('\n')}\n`);
    const second = await secondRun;
    expect(second.code).toBe(1); // "not a url" is broken
    const report = rows(await readFile(output, 'utf8'));
    expect(linesOf(report)).toEqual(oneTo(lines.length));
    expect(report.find((r) => r.line === 41)).toMatchObject({ duplicateOf: { source: fifo, line: 3 } });
    expect(report.find((r) => r.line === 44)).toMatchObject({ duplicateOf: { source: fifo, line: 40 } });
    const paths = oneTo(41).map((i) => `/s/${i}`);
    expect(Object.fromEntries(server.arrived)).toEqual(Object.fromEntries(paths.map((p) => [p, 1])));
  });

  it('refuses a journal that is not one, before checking anything', async () => {
    const list = await temp.listFile('refuse.txt', [server.url('/never')]);
    const other = await temp.listFile('other-list.txt', [server.url('/never')]);
    const result = await run([list, '--resume', other]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`urlcheck: --resume journal "${other}" is not a urlcheck journal (its lines are not results); give a new file name, or delete the file\n`);
    expect(await readFile(other, 'utf8')).toBe(`${server.url('/never')}\n`);
    expect(server.arrived.get('/never')).toBeUndefined();
  });
});

describe('--resume: a journal is a regular file of this run', () => {
  let server: CountingServer;
  beforeAll(async () => {
    server = await startCountingServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it.skipIf(process.platform === 'win32')('refuses a character device (/dev/null through a symlink) or a FIFO, without blocking, checking or deleting anything', async () => {
    const list = await temp.listFile('special.txt', [server.url('/special/never')]);
    const toNull = join(temp.path(), 'null.journal.ndjson');
    await symlink('/dev/null', toNull);
    const fifo = join(temp.path(), 'fifo.journal.ndjson');
    execFileSync('mkfifo', [fifo]);
    const cases: Array<[string, string]> = [
      [toNull, 'a character device'],
      [fifo, 'a FIFO'],
    ];
    for (const [journal, kind] of cases) {
      const result = await run([list, '--resume', journal, '-f', 'ndjson', '--retries', '0']);
      expect({ code: result.code, stderr: result.stderr }).toEqual({
        code: 2,
        stderr: `urlcheck: --resume journal "${journal}" is not a regular file (it is ${kind}); give the path of a journal file, or of a file to create\n`,
      });
      expect(result.stdout).toBe('');
    }
    expect(lstatSync(toNull).isSymbolicLink()).toBe(true);
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(server.arrived.get('/special/never')).toBeUndefined();
  });

  it("refuses another run's journal (other inputs, other options), saying what differs and leaving it; the same run resumes it", async () => {
    const a = await temp.listFile('a.txt', [server.url('/j/a1'), server.url('/j/a2'), server.url('/held/j')]);
    const b = await temp.listFile('b.txt', [server.url('/j/b1'), server.url('/j/b2'), server.url('/j/b3')]);
    const journal = join(temp.path(), 'ab.journal.ndjson');
    const common = ['--resume', journal, '-f', 'ndjson', '--retries', '0', '-t', '60s'];
    const first = await killedRun([a, ...common], async () => (await journalRows(journal)).length >= 2);
    expect(first.signal).toBe('SIGKILL');
    const journaled = await readFile(journal, 'utf8');
    // The first line says which run the journal belongs to; header values (secrets) are never in it.
    expect(JSON.parse(journaled.slice(0, journaled.indexOf('\n')))).toMatchObject({ tool: 'urlcheck', journal: 1, run: { inputs: [a] } });
    server.open();

    const refusals: Array<[string[], string]> = [
      [[b, ...common], `the journal belongs to a run of "${a}", not "${b}"`],
      [[a, ...common, '--method', 'get'], 'the journal belongs to a run with --method head, not --method get'],
      [[a, ...common, '--insecure', '-H', 'X-Token: s3cret'], 'the journal belongs to a run without --header --insecure, not with --header "x-token: …" --insecure'],
      [[a, ...common, '--exclude', 'a2', '--no-dedupe'], 'the journal belongs to a run without --exclude --no-dedupe, not with --exclude a2 --no-dedupe'],
    ];
    for (const [args, what] of refusals) {
      const result = await run(args);
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 2, stderr: `urlcheck: --resume "${journal}": ${what}; remove it or use another journal\n` });
      expect(await readFile(journal, 'utf8')).toBe(journaled);
    }
    expect(server.arrived.get('/j/b1')).toBeUndefined();

    const resumed = await run([a, ...common]);
    expect(resumed.code).toBe(0);
    expect(linesOf(rows(resumed.stdout))).toEqual([1, 2, 3]);
    expect(resumed.stderr).toContain('2 results resumed from the journal');
    expect(existsSync(journal)).toBe(false);
  });
});
