import { execFileSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nodeRunnableByOthers, runCli, runCliProbed, writeFifoWhenRead, type RunCliOptions } from '../helpers/cli.js';
import { startHttpServer, waitFor, type LocalServer } from '../helpers/servers.js';
import { useTempDir } from '../helpers/temp-dir.js';

// Documents as inputs, end to end through the built CLI: a document that fails is a result and the
// reports are completed; a document, or a FIFO without a writer, never holds up Ctrl-C; a hostile
// compressed sitemap costs bounded memory. No test asserts elapsed time: the servers record what
// they saw (a request aborted before its answer was written), and a missing abort shows up as a
// test timeout against a server that would answer far later.

const temp = useTempDir('urlcheck-e2e-documents-');
const children = new Set<ChildProcess>();
let server: LocalServer;
/** Requests seen, by path. */
const seen = new Map<string, number>();
/** /slow: whether the request was closed by the client, and whether the server ever answered it. */
let slow = { closed: false, answered: false };
/** Drops the connection of /drop-sitemap.xml, once /ok was requested. */
let dropSitemap: (() => void) | null = null;

afterEach(() => {
  // A test that failed by timing out leaves its child behind: end it (only ours, by handle).
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
});

function tracked(options: RunCliOptions = {}): RunCliOptions {
  return {
    ...options,
    onSpawn: (child) => {
      children.add(child);
      options.onSpawn?.(child);
    },
  };
}

beforeAll(async () => {
  const send = (response: ServerResponse, status: number, type: string, body: string) => {
    response.writeHead(status, { 'content-type': type });
    response.end(body);
  };
  server = await startHttpServer((request, response) => {
    const path = request.url ?? '/';
    seen.set(path, (seen.get(path) ?? 0) + 1);
    switch (path.split('?')[0]) {
      case '/ok':
        send(response, 200, 'text/plain', 'ok');
        // The sitemap's first URLs are being checked: now its connection drops.
        dropSitemap?.();
        dropSitemap = null;
        return;
      case '/drop-sitemap.xml':
        // Two URLs, then the connection drops part-way.
        response.writeHead(200, { 'content-type': 'application/xml' });
        response.write(`<urlset>\n<url><loc>${server.url('/ok')}</loc></url>\n<url><loc>${server.url('/ok?2')}</loc></url>\n<url><loc>http://exa`);
        dropSitemap = () => response.socket?.destroy();
        return;
      case '/loop-index.xml':
        return send(response, 200, 'application/xml', `<sitemapindex>\n<sitemap><loc>${server.url('/loop-index.xml')}</loc></sitemap>\n</sitemapindex>\n`);
      case '/slow': {
        // Answers after 9 s, unless the client gives up first.
        slow = { closed: false, answered: false };
        const state = slow;
        const timer = setTimeout(() => {
          state.answered = true;
          send(response, 200, 'text/plain', `${server.url('/ok')}\n`);
        }, 9_000);
        response.on('close', () => {
          state.closed = true;
          clearTimeout(timer);
        });
        return;
      }
      default:
        return send(response, 404, 'text/plain', 'not found');
    }
  });
});

afterAll(async () => {
  await server.close();
});

interface JsonReport {
  results: Array<{ url: string; source: string; line: number; ok: boolean; status: number | null; verdict: string; error: { code: string; message: string } | null }>;
}

describe('a document input that fails is a result', () => {
  it('a sitemap whose connection drops part-way with -f json -o: the report is written, the URLs read and the document each a result', async () => {
    const out = join(temp.path(), 'out.json');
    const input = server.url('/drop-sitemap.xml');
    const run = await runCli([input, '-f', 'json', '-o', out, '--retries', '0'], tracked());
    expect(run.stderr).not.toContain('cannot read input');
    expect(run.code).toBe(1);
    const report = JSON.parse(await readFile(out, 'utf8')) as JsonReport;
    // Results come as checks complete: in input order, by line.
    report.results.sort((a, b) => a.line - b.line);
    expect(report.results.map((result) => [result.url, result.source, result.line, result.error?.code ?? null, result.verdict])).toEqual([
      [server.url('/ok'), input, 2, null, 'healthy'],
      [server.url('/ok?2'), input, 3, null, 'healthy'],
      [input, input, 0, 'CONNECTION_RESET', 'transient'],
    ].sort((a, b) => (a[2] as number) - (b[2] as number)));
  });

  it('a URL input that answers 404 is a result (exit 1), and the other inputs are checked', async () => {
    const list = await temp.listFile('list.txt', [server.url('/ok')]);
    const input = server.url('/gone.xml');
    const run = await runCli([input, list, '-f', 'ndjson', '--retries', '0'], tracked());
    expect(run.code).toBe(1);
    const results = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as JsonReport['results'][number]);
    results.sort((a, b) => a.line - b.line);
    expect(results.map((result) => [result.url, result.source, result.line, result.status, result.error?.code ?? null])).toEqual([
      [input, input, 0, 404, 'HTTP_STATUS'],
      [server.url('/ok'), list, 1, 200, null],
    ]);
  });

  it('a sitemap index that loops is broken: --fail-on broken fails the run', async () => {
    const input = server.url('/loop-index.xml');
    const run = await runCli([input, '-f', 'ndjson', '--fail-on', 'broken'], tracked());
    expect(run.code).toBe(1);
    const [result] = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as JsonReport['results'][number]);
    expect(result).toMatchObject({ url: input, source: input, line: 2, verdict: 'broken', error: { code: 'DOCUMENT_INVALID' } });
  });

  it('a Markdown file nested 10,000 deep among the docs is one DOCUMENT_INVALID result (broken), and the other file is checked', async () => {
    const docs = join(temp.path(), 'docs');
    await mkdir(docs);
    const hostile = join(docs, 'deep.md');
    const normal = join(docs, 'guide.md');
    await writeFile(hostile, `${'>'.repeat(10_000)} [deep](${server.url('/ok?deep')})\n`);
    await writeFile(normal, `[one](${server.url('/ok?1')})\n\n[two](${server.url('/ok?2')})\n`);
    const run = await runCli([join(docs, '*.md'), '-f', 'ndjson', '--fail-on', 'broken', '--retries', '0'], tracked());
    expect(run.code).toBe(1);
    const results = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as JsonReport['results'][number]);
    results.sort((a, b) => a.source.localeCompare(b.source) || a.line - b.line);
    expect(results.map((result) => [result.source, result.line, result.url, result.verdict, result.error?.code ?? null])).toEqual([
      [hostile, 0, hostile, 'broken', 'DOCUMENT_INVALID'],
      [normal, 1, server.url('/ok?1'), 'healthy', null],
      [normal, 3, server.url('/ok?2'), 'healthy', null],
    ]);
    expect(results[0]?.error?.message).toBe('document could not be read: cannot be parsed: nesting too deep');
  });
});

describe('Ctrl-C while an input is still opening', () => {
  it(
    'a document input answering after 9 s: SIGINT exits 130 at once, the server saw the request aborted and never answered',
    async () => {
      const run = await runCli([server.url('/slow'), '-f', 'ndjson'], tracked({
        onSpawn: (child) => {
          const poll = setInterval(() => {
            if ((seen.get('/slow') ?? 0) === 0 || slow.closed) return;
            clearInterval(poll);
            child.kill('SIGINT');
          }, 10);
          child.once('exit', () => clearInterval(poll));
        },
      }));
      expect(run.code).toBe(130);
      expect(slow.closed).toBe(true);
      // The process ended before the server would have answered: the fetch listened to the interrupt.
      expect(slow.answered).toBe(false);
    },
    8_000,
  );

  it(
    'a FIFO with no writer: SIGINT exits 130, no SIGKILL needed',
    async () => {
      const fifo = join(temp.path(), 'no-writer.fifo');
      execFileSync('mkfifo', [fifo]);
      const run = await runCli([fifo], tracked({
        onSpawn: (child) => {
          // Once the CLI waits in open() for a writer, interrupt it.
          const poll = setInterval(() => {
            if (child.pid === undefined || !waitsForWriter(child.pid)) return;
            clearInterval(poll);
            child.kill('SIGINT');
          }, 20);
          child.once('exit', () => clearInterval(poll));
        },
      }));
      expect(run.signal).toBeNull();
      expect(run.code).toBe(130);
    },
    8_000,
  );

  it(
    'a FIFO a writer fills is read like a file',
    async () => {
      const fifo = join(temp.path(), 'filled.fifo');
      execFileSync('mkfifo', [fifo]);
      const run = await runCli([fifo, '-f', 'ndjson'], tracked({ onSpawn: writeFifoWhenRead(fifo, `${server.url('/ok')}\n# a comment\n${server.url('/ok?fifo')}\n`) }));
      expect(run.code).toBe(0);
      const results = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as JsonReport['results'][number]);
      results.sort((a, b) => a.line - b.line);
      expect(results.map((result) => [result.url, result.line, result.ok])).toEqual([
        [server.url('/ok'), 1, true],
        [server.url('/ok?fifo'), 3, true],
      ]);
    },
    8_000,
  );
});

// True once a thread of process `pid` waits in the kernel for a FIFO's other end (Linux: the
// wchan of a thread blocked in open() on a FIFO is wait_for_partner). Looks without touching the FIFO.
function waitsForWriter(pid: number): boolean {
  try {
    return readdirSync(`/proc/${pid}/task`).some((task) => readFileSync(`/proc/${pid}/task/${task}/wchan`, 'utf8').includes('wait_for_partner'));
  } catch {
    return false;
  }
}

describe('a hostile compressed sitemap', () => {
  /** Writes a gzip of `<urlset>`, one `<loc>` of `size` bytes of "a", then a valid URL. */
  async function hugeLocGzip(name: string, size: number): Promise<string> {
    const path = join(temp.path(), name);
    const block = Buffer.alloc(1024 * 1024, 'a');
    async function* xml(): AsyncGenerator<Buffer | string> {
      yield '<?xml version="1.0"?>\n<urlset>\n<url><loc>http://';
      for (let written = 0; written < size; written += block.length) yield block;
      yield `</loc></url>\n<url><loc>https://example.com/after</loc></url>\n</urlset>\n`;
    }
    await pipeline(xml(), createGzip({ level: 1 }), createWriteStream(path));
    return path;
  }

  it(
    'a 48 MB <loc> in a .xml.gz: cut at 1 MiB and reported INVALID_URL, the next URL read, memory bounded',
    async () => {
      const path = await hugeLocGzip('long-loc.xml.gz', 48 * 1024 * 1024);
      const run = await runCliProbed([path, '--dump', '-f', 'ndjson'], tracked());
      expect(run.code).toBe(0);
      const listed = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { url: string; line: number });
      // --dump lists what would be checked: the invalid <loc> (elided) and the URL after it.
      expect(listed).toHaveLength(2);
      expect(listed[0]?.line).toBe(3);
      expect(listed[0]?.url.length).toBeLessThan(2_000);
      expect(listed[1]).toMatchObject({ url: 'https://example.com/after', line: 4 });
      // Never accumulated: far below the 48 MB (96 MB as a JS string) it would cost.
      expect(run.peakRssKiB).toBeLessThan(150 * 1024);
    },
    20_000,
  );

  it(
    'a .xml.gz inflating past 64 MiB: a DOCUMENT_TOO_LARGE result for the file, memory bounded',
    async () => {
      const path = await hugeLocGzip('bomb.xml.gz', 200 * 1024 * 1024);
      const run = await runCliProbed([path, '-f', 'ndjson', '--fail-on', 'broken'], tracked());
      expect(run.code).toBe(1);
      const results = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as JsonReport['results'][number]);
      expect(results.map((result) => [result.url, result.source, result.line, result.error?.code, result.verdict])).toEqual([
        [path, path, 0, 'DOCUMENT_TOO_LARGE', 'broken'],
      ]);
      expect(run.peakRssKiB).toBeLessThan(150 * 1024);
    },
    20_000,
  );
});

describe('Markdown flavours', () => {
  it('an R Markdown file: tel: skipped, display math and urlcheck-disable regions not links, exit 0', async () => {
    const file = join(temp.path(), 'analysis.Rmd');
    await writeFile(
      file,
      [
        `[home](${server.url('/ok')}) [call](tel:1234567890)`,
        '$$',
        '[\\psi](\\mathbf{L})',
        '$$',
        '<!-- urlcheck-disable -->',
        `[gone](${server.url('/gone')})`,
        '<!-- urlcheck-enable -->',
        '<!-- urlcheck-disable-next-line -->',
        `[gone again](${server.url('/gone-again')})`,
        '',
      ].join('\n'),
    );
    const run = await runCli([file, '--base', server.url('/'), '-f', 'ndjson'], tracked());
    expect(run.code).toBe(0);
    const results = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as JsonReport['results'][number]);
    expect(results.map((result) => [result.url, result.line, result.verdict])).toEqual([[server.url('/ok'), 1, 'healthy']]);
    expect(run.stderr).toContain('urlcheck: skipped 1 tel: link and 2 links in urlcheck-disable regions\n');
  });
});

describe('unreadable inputs exit 2, also as root', () => {
  it('a directory given as a list: exit 2 with one clear line', async () => {
    const dir = join(temp.path(), 'a-directory');
    await mkdir(dir);
    const run = await runCli([dir], tracked());
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`urlcheck: cannot read input "${dir}": it is a directory (for the documents in it, quote a glob: "${dir}/**/*.md")\n`);
  });

  it('a file in a directory its user cannot search (as root: the CLI runs as nobody): exit 2, permission denied', async (ctx) => {
    ctx.skip(process.getuid?.() !== 0, 'needs root, to run the CLI as another user (without root, robustness.test.ts covers chmod 000)');
    ctx.skip(!nodeRunnableByOthers(), `nobody cannot run ${process.execPath} (a folder above it is private); the machine's own node runs this test`);
    const dir = join(temp.path(), 'private');
    await mkdir(dir);
    const file = join(dir, 'list.txt');
    await writeFile(file, `${server.url('/ok')}\n`);
    await chmod(dir, 0o700);
    // nobody must reach the CLI itself: the temp dir's parents are searchable, only `private` is not.
    await chmod(temp.path(), 0o755);
    const run = await runCli([file], tracked({ uid: 65534, cwd: '/' }));
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`urlcheck: cannot read input "${file}": permission denied\n`);
  });
});
