import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_WHOLE_DOCUMENT_CHARS } from '../../src/input/documents.js';
import { fetchDocument } from '../../src/input/fetch-document.js';
import { describeSkipped, resolveInputs, type ResolveInputsOptions } from '../../src/input/sources.js';
import { createExtractionStats, InputReadError, readTargetBatches, type ExtractionStats, type InputSource } from '../../src/input/targets.js';
import type { Target } from '../../src/model/types.js';
import { startProxy } from '../helpers/proxy.js';
import { startHttpServer, waitFor, type LocalServer } from '../helpers/servers.js';
import { useTempDir } from '../helpers/temp-dir.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/documents/', import.meta.url));
const fixture = (name: string) => join(FIXTURES, name);

/** What a report shows of a target: its URL (or the invalid line), its source and line, and its error code. */
interface Row {
  url: string;
  source: string;
  line: number;
  invalid?: string;
}

function rows(targets: Target[]): Row[] {
  return targets.map((target) => ({
    url: target.display,
    source: target.source,
    line: target.line,
    ...(target.invalid === null ? {} : { invalid: target.invalid.code }),
  }));
}

async function extract(sources: InputSource[], stats: ExtractionStats = createExtractionStats()): Promise<{ rows: Row[]; batches: number; stats: ExtractionStats }> {
  const targets: Target[] = [];
  let batches = 0;
  for await (const batch of readTargetBatches(sources, stats)) {
    batches += 1;
    targets.push(...batch);
  }
  return { rows: rows(targets), batches, stats };
}

function options(overrides: Partial<ResolveInputsOptions> = {}): ResolveInputsOptions {
  return { cwd: FIXTURES, timeoutMs: 2_000, base: null, stdin: Readable.from([]), ...overrides };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

const README_LINKS: Row[] = [
  { url: 'https://github.com/acme/demo/actions/workflows/ci.yml', source: 'readme.md', line: 3 },
  { url: 'https://github.com/acme/demo/actions/workflows/ci.yml/badge.svg', source: 'readme.md', line: 3 },
  { url: 'https://img.shields.io/npm/v/demo.svg', source: 'readme.md', line: 4 },
  { url: 'https://forum.example.com/c/demo', source: 'readme.md', line: 7 },
  { url: 'https://www.example.com/autolink-literal', source: 'readme.md', line: 22 },
  { url: 'http://www.example.org', source: 'readme.md', line: 22 },
  { url: 'https://cdn.example.com/logo.png', source: 'readme.md', line: 25 },
  { url: 'https://example.com/sponsor', source: 'readme.md', line: 28 },
  { url: 'https://status.example.com/api', source: 'readme.md', line: 33 },
  { url: 'https://www.npmjs.com/package/demo', source: 'readme.md', line: 37 },
  { url: 'https://api.example.com/reference', source: 'readme.md', line: 39 },
];

describe('Markdown', () => {
  it('extracts every link of a README at its line, none from code, and counts what it skips', async () => {
    const { rows: found, stats } = await extract(await resolveInputs(['readme.md'], options()));
    // Relative links and same-page #fragments of a local document are files, checked on disk.
    const local = (path: string, line: number): Row => ({ url: new URL(path, pathToFileURL(join(FIXTURES, 'readme.md'))).href, source: 'readme.md', line });
    expect(found.filter((row) => !row.url.startsWith('file:'))).toEqual(README_LINKS);
    expect(found.filter((row) => row.url.startsWith('file:'))).toEqual([local('docs/guide.md', 6), local('CHANGELOG.md#unreleased', 7), local('#install', 8)]);
    expect(stats).toMatchObject({
      skippedRelative: 0,
      skippedScheme: 2,
      skippedSchemes: { 'mailto:': 1, 'tel:': 1 },
      skippedFragment: 0,
      documents: 1,
    });
  });

  it('resolves relative links against --base', async () => {
    const { rows: found, stats } = await extract(await resolveInputs(['readme.md'], options({ base: 'https://example.com/docs/' })));
    expect(found.filter((row) => row.url.startsWith('https://example.com/docs/'))).toEqual([
      { url: 'https://example.com/docs/docs/guide.md', source: 'readme.md', line: 6 },
      { url: 'https://example.com/docs/CHANGELOG.md#unreleased', source: 'readme.md', line: 7 },
    ]);
    // The same-page #install is still the document itself.
    expect(found).toHaveLength(README_LINKS.length + 3);
    expect(stats.skippedRelative).toBe(0);
  });
});

describe('Markdown flavours, schemes and ignore comments', () => {
  const temp = useTempDir('urlcheck-flavours-');
  const body = [
    '# Analysis', // 1
    '[call](tel:1234567890) [text](sms:5551234) [site](https://site.example.com/)', // 2
    '<!-- urlcheck-disable-next-line -->', // 3
    '[draft](https://draft.example.com/)', // 4
    '$$', // 5
    '[\\psi](\\mathbf{L})', // 6
    '$$', // 7
    '<!-- urlcheck-disable -->', // 8
    '[a](https://off.example.com/a) [b](https://off.example.com/b)', // 9
  ].join('\n');

  beforeAll(async () => {
    for (const name of ['report.qmd', 'notes.Rmd', 'guide.mdown', 'page.MKD']) await writeFile(join(temp.path(), name), body);
    await writeFile(join(temp.path(), 'sitemap.xml'), '<urlset>\n<url><loc>localhost:3000/x</loc></url>\n</urlset>\n');
  });

  it('reads .qmd, .Rmd, .mdown and .mkd as Markdown: tel:/sms: skipped, math and ignored regions not links', async () => {
    const names = ['report.qmd', 'notes.Rmd', 'guide.mdown', 'page.MKD'];
    const sources = await resolveInputs(names, options({ cwd: temp.path(), base: 'https://example.com/' }));
    expect(sources.map((source) => source.kind)).toEqual(['markdown', 'markdown', 'markdown', 'markdown']);
    const { rows: found, stats } = await extract(sources);
    expect(found).toEqual(names.map((source) => ({ url: 'https://site.example.com/', source, line: 2 })));
    expect(stats).toMatchObject({ skippedScheme: 8, skippedSchemes: { 'tel:': 4, 'sms:': 4 }, skippedIgnored: 12, skippedRelative: 0 });
    expect(describeSkipped(stats)).toBe('skipped 8 sms:/tel: links and 12 links in urlcheck-disable regions');
  });

  it('keeps the host:port guess for a sitemap <loc>, which is meant as one URL like a list line', async () => {
    const { rows: found } = await extract(await resolveInputs(['sitemap.xml'], options({ cwd: temp.path() })));
    expect(found).toEqual([{ url: 'localhost:3000/x', source: 'sitemap.xml', line: 2, invalid: 'INVALID_URL' }]);
  });

  it('reads a Markdown file whole only up to MAX_WHOLE_DOCUMENT_CHARS: beyond, one DOCUMENT_TOO_LARGE result', async () => {
    await writeFile(join(temp.path(), 'huge.md'), `[a](https://example.com/a)\n${'x'.repeat(MAX_WHOLE_DOCUMENT_CHARS)}\n`);
    const { rows: found } = await extract(await resolveInputs(['huge.md'], options({ cwd: temp.path() })));
    expect(found).toEqual([{ url: 'huge.md', source: 'huge.md', line: 0, invalid: 'DOCUMENT_TOO_LARGE' }]);
  });
});

describe('HTML', () => {
  it('extracts links, srcset candidates and resources, resolved against <base href>', async () => {
    const { rows: found, stats } = await extract(await resolveInputs(['page.html'], options()));
    const at = (url: string, line: number): Row => ({ url, source: 'page.html', line });
    expect(found).toEqual([
      at('https://docs.example.com/v2/css/site.css', 7),
      at('https://cdn.example.com/app.js?v=1&x=2', 9),
      at('https://docs.example.com/pricing', 13),
      at('https://docs.example.com/v2/guide/start.html#step-2', 14),
      at('https://docs.example.com/v2/img/hero.png', 18),
      at('https://docs.example.com/v2/img/hero-1x.png', 19),
      at('https://docs.example.com/v2/img/hero-2x.png', 20),
      at('https://cdn.example.com/hero.webp', 23),
      at('https://cdn.example.com/hero-large.webp', 23),
      at('https://www.youtube.com/embed/xyz', 25),
    ]);
    expect(stats).toMatchObject({ skippedRelative: 0, skippedSchemes: { 'mailto:': 1, 'javascript:': 1 }, skippedFragment: 1 });
  });
});

describe('sitemap files', () => {
  it('reads each <loc> at the line of its URL', async () => {
    const { rows: found } = await extract(await resolveInputs(['sitemap.xml'], options()));
    expect(found).toEqual([
      { url: 'https://example.com/', source: 'sitemap.xml', line: 5 },
      { url: 'https://example.com/search?q=a&page=2', source: 'sitemap.xml', line: 9 },
      { url: 'https://example.com/about', source: 'sitemap.xml', line: 16 },
      { url: 'https://example.com/cdata?x=1&y=2', source: 'sitemap.xml', line: 19 },
    ]);
  });

  it('is recognised on stdin by its first bytes, while a plain list on stdin stays a list', async () => {
    const sitemap = await readFile(fixture('sitemap.xml'));
    const fromStdin = await extract(await resolveInputs(['-'], options({ stdin: Readable.from([sitemap.subarray(0, 3), sitemap.subarray(3)]) })));
    expect(fromStdin.rows.map((row) => [row.url, row.source, row.line])).toEqual([
      ['https://example.com/', 'stdin', 5],
      ['https://example.com/search?q=a&page=2', 'stdin', 9],
      ['https://example.com/about', 'stdin', 16],
      ['https://example.com/cdata?x=1&y=2', 'stdin', 19],
    ]);
    const list = await extract(await resolveInputs(['-'], options({ stdin: Readable.from(['\n# urls\nhttps://a.example.com/\n<not a url>\n']) })));
    expect(list.rows).toEqual([
      { url: 'https://a.example.com/', source: 'stdin', line: 3 },
      { url: '<not a url>', source: 'stdin', line: 4, invalid: 'INVALID_URL' },
    ]);
    expect(list.stats.documents).toBe(0);
  });

  describe('a large sitemap', () => {
    const temp = useTempDir('urlcheck-documents-');

    it('reads a gzipped sitemap file (.xml.gz)', async () => {
      const path = join(temp.path(), 'sitemap.xml.gz');
      await writeFile(path, gzipSync(await readFile(fixture('sitemap.xml'))));
      const { rows: found } = await extract(await resolveInputs([path], options()));
      expect(found.map((row) => [row.url, row.source, row.line])).toEqual([
        ['https://example.com/', path, 5],
        ['https://example.com/search?q=a&page=2', path, 9],
        ['https://example.com/about', path, 16],
        ['https://example.com/cdata?x=1&y=2', path, 19],
      ]);
    });
    const ENTRIES = 50_000;

    it('streams 50,000 entries in many small batches, every one at its line', async () => {
      const path = join(temp.path(), 'big-sitemap.xml');
      const lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'];
      for (let index = 0; index < ENTRIES; index += 1) lines.push(`<url><loc>https://example.com/page/${index}</loc><lastmod>2024-01-01</lastmod></url>`);
      lines.push('</urlset>');
      await writeFile(path, lines.join('\n'));

      let count = 0;
      let batches = 0;
      let largestBatch = 0;
      let linesRight = true;
      for await (const batch of readTargetBatches(await resolveInputs([path], options()))) {
        batches += 1;
        largestBatch = Math.max(largestBatch, batch.length);
        for (const target of batch) {
          if (target.display !== `https://example.com/page/${count}` || target.line !== count + 3) linesRight = false;
          count += 1;
        }
      }
      expect(count).toBe(ENTRIES);
      expect(linesRight).toBe(true);
      // One batch per chunk read: the document is never gathered whole.
      expect(batches).toBeGreaterThan(50);
      expect(largestBatch).toBeLessThan(2_000);
    });
  });
});

describe('globs', () => {
  const temp = useTempDir('urlcheck-globs-');

  beforeAll(async () => {
    const dir = temp.path();
    await mkdir(join(dir, 'docs/guide'), { recursive: true });
    await mkdir(join(dir, 'node_modules/dep'), { recursive: true });
    for (const [name, body] of [
      ['docs/b.md', '[b](https://b.example.com/)\n'],
      ['docs/a.md', '[a](https://a.example.com/)\n'],
      ['docs/guide/c.md', '\n[c](https://c.example.com/)\n'],
      ['docs/urls.txt', 'https://list.example.com/\n'],
      ['node_modules/dep/README.md', '[dep](https://dep.example.com/)\n'],
    ]) {
      await writeFile(join(dir, name as string), body as string);
    }
  });

  it('expands in sorted order, leaves node_modules out, and lists a file only once', async () => {
    const sources = await resolveInputs(['docs/**/*.md', 'docs/a.md', '**/*.md', 'docs/urls.txt'], options({ cwd: temp.path() }));
    expect(sources.map((source) => [source.name, source.kind])).toEqual([
      ['docs/a.md', 'markdown'],
      ['docs/b.md', 'markdown'],
      ['docs/guide/c.md', 'markdown'],
      ['docs/a.md', 'markdown'],
      ['docs/urls.txt', 'list'],
    ]);
    const { rows: found } = await extract(sources.slice(0, 3));
    expect(found).toEqual([
      { url: 'https://a.example.com/', source: 'docs/a.md', line: 1 },
      { url: 'https://b.example.com/', source: 'docs/b.md', line: 1 },
      { url: 'https://c.example.com/', source: 'docs/guide/c.md', line: 2 },
    ]);
  });

  it('rejects a glob that matches nothing, a missing file and a directory, naming each', async () => {
    const cwd = temp.path();
    expect((await rejection(resolveInputs(['docs/**/*.html'], options({ cwd })))).message).toBe('cannot read input "docs/**/*.html": no files match');
    const missing = await rejection(resolveInputs(['nope.md'], options({ cwd })));
    expect(missing).toBeInstanceOf(InputReadError);
    expect(missing.message).toBe('cannot read input "nope.md": no such file or directory');
    expect((await rejection(resolveInputs(['docs'], options({ cwd })))).message).toBe(
      'cannot read input "docs": it is a directory (for the documents in it, quote a glob: "docs/**/*.md")',
    );
  });

  it('rejects a --base that is not an absolute http(s) URL', async () => {
    expect((await rejection(resolveInputs(['readme.md'], options({ base: 'docs/' })))).message).toMatch(/^--base must be an absolute http\(s\) URL/);
  });
});

describe('documents from URLs', () => {
  let server: LocalServer;
  const origin = () => `http://127.0.0.1:${server.port}`;
  const requests: string[] = [];
  let hangClosed = false;
  let trickle = { closed: false, finished: false };

  beforeAll(async () => {
    const text = async (name: string) => (await readFile(fixture(name), 'utf8')).replaceAll('{{origin}}', origin());
    const send = (response: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': type, ...headers });
      response.end(body);
    };
    server = await startHttpServer((request, response) => {
      void (async () => {
        const path = request.url ?? '/';
        requests.push(`${path}${request.headers.authorization === undefined ? '' : ' (auth)'}`);
        switch (path) {
          case '/sitemap.xml':
            return send(response, 200, 'application/xml', await text('sitemap.xml'));
          case '/misserved-sitemap':
            return send(response, 200, 'text/html', await text('sitemap.xml'));
          case '/old-sitemap':
            return send(response, 301, 'text/plain', '', { location: '/sitemap.xml' });
          case '/sitemap_index.xml':
            return send(response, 200, 'application/xml; charset=utf-8', await text('sitemap-index.xml'));
          case '/sitemaps/pages.xml':
            return send(response, 200, 'application/xml', await text('sitemap-pages.xml'));
          case '/sitemaps/posts.xml.gz':
            // A gzip file, served as such (no Content-Encoding): it is unzipped by its magic bytes.
            return send(response, 200, 'application/x-gzip', gzipSync(await text('sitemap-posts.xml')));
          case '/broken-index.xml':
            return send(
              response,
              200,
              'text/xml',
              [
                '<sitemapindex>',
                `<sitemap><loc>${origin()}/sitemaps/pages.xml</loc></sitemap>`,
                `<sitemap><loc>${origin()}/sitemaps/missing.xml</loc></sitemap>`,
                `<sitemap><loc>${origin()}/docs/</loc></sitemap>`,
                `<sitemap><loc>${origin()}/broken-index.xml</loc></sitemap>`,
                '<sitemap><loc>mailto:webmaster@example.com</loc></sitemap>',
                '</sitemapindex>',
              ].join('\n'),
            );
          case '/docs/':
            return send(response, 200, 'text/html; charset=utf-8', '<!doctype html><html>\n<a href="guide.html">Guide</a>\n<a href="/">Home</a>\n</html>\n');
          case '/docs/README':
            // Markdown served with content-encoding gzip, no extension: its Content-Type decides.
            return send(response, 200, 'text/markdown', gzipSync('# Docs\n\n[next](next.md)\n'), { 'content-encoding': 'gzip' });
          case '/list':
            return send(response, 200, 'text/plain', 'https://a.example.com/\n\nhttps://b.example.com/\n');
          case '/big-sitemap.xml': {
            // Far more than the socket buffers hold: the server is still writing when the reader stops.
            const entries = Array.from({ length: 20_000 }, (_, index) => `<url><loc>https://example.com/${index}</loc></url>`);
            return send(response, 200, 'application/xml', `<urlset>\n${entries.join('\n')}\n</urlset>\n`);
          }
          case '/hang':
            hangClosed = false;
            response.on('close', () => (hangClosed = true));
            return; // never answers
          case '/drop-sitemap.xml':
            // A valid start, then the connection drops part-way.
            response.writeHead(200, { 'content-type': 'application/xml' });
            response.write('<urlset>\n<url><loc>https://example.com/a</loc></url>\n<url><loc>https://example.com/b</loc></url>\n<url><loc>https://exa');
            setTimeout(() => response.socket?.destroy(), 50);
            return;
          case '/trickle-sitemap.xml': {
            // A valid start, then one byte every 50 ms for as long as the client listens.
            response.writeHead(200, { 'content-type': 'application/xml' });
            response.write('<urlset>\n<url><loc>https://example.com/first</loc></url>\n');
            trickle = { closed: false, finished: false };
            const state = trickle;
            const timer = setInterval(() => response.write(' '), 50);
            const stop = setTimeout(() => {
              clearInterval(timer);
              state.finished = true;
              response.end('</urlset>\n');
            }, 20_000);
            response.on('close', () => {
              state.closed = true;
              clearInterval(timer);
              clearTimeout(stop);
            });
            return;
          }
          case '/repeat-index.xml': {
            const child = `<sitemap><loc>${origin()}/sitemaps/pages.xml</loc></sitemap>`;
            return send(response, 200, 'application/xml', `<sitemapindex>\n${Array.from({ length: 200 }, () => child).join('\n')}\n</sitemapindex>\n`);
          }
          case '/deep/0.xml':
          case '/deep/1.xml':
          case '/deep/2.xml':
          case '/deep/3.xml':
          case '/deep/4.xml': {
            const next = Number(path.slice('/deep/'.length, -'.xml'.length)) + 1;
            return send(response, 200, 'application/xml', `<sitemapindex>\n<sitemap><loc>${origin()}/deep/${next}.xml</loc></sitemap>\n</sitemapindex>\n`);
          }
          default:
            return send(response, 404, 'text/plain', 'not found');
        }
      })();
    });
  });

  afterAll(async () => {
    await server.close();
  });

  it('reads a sitemap from a URL, after a redirect, with the URL as the source', async () => {
    const { rows: found } = await extract(await resolveInputs([`${origin()}/old-sitemap`], options()));
    const source = `${origin()}/old-sitemap`;
    expect(found).toEqual([
      { url: 'https://example.com/', source, line: 5 },
      { url: 'https://example.com/search?q=a&page=2', source, line: 9 },
      { url: 'https://example.com/about', source, line: 16 },
      { url: 'https://example.com/cdata?x=1&y=2', source, line: 19 },
    ]);
  });

  it('knows a sitemap by its root element when the server calls it text/html', async () => {
    const { rows: found } = await extract(await resolveInputs([`${origin()}/misserved-sitemap`], options()));
    expect(found.map((row) => [row.url, row.line])).toEqual([
      ['https://example.com/', 5],
      ['https://example.com/search?q=a&page=2', 9],
      ['https://example.com/about', 16],
      ['https://example.com/cdata?x=1&y=2', 19],
    ]);
  });

  it("follows a sitemap index to both children (one gzipped), each child's URLs with the child as source", async () => {
    const index = `${origin()}/sitemap_index.xml`;
    const { rows: found, stats } = await extract(await resolveInputs([index], options()));
    expect(found).toEqual([
      { url: `${origin()}/`, source: `${origin()}/sitemaps/pages.xml`, line: 3 },
      { url: `${origin()}/about`, source: `${origin()}/sitemaps/pages.xml`, line: 4 },
      { url: `${origin()}/posts/hello-world`, source: `${origin()}/sitemaps/posts.xml.gz`, line: 4 },
      { url: `${origin()}/posts/second`, source: `${origin()}/sitemaps/posts.xml.gz`, line: 7 },
    ]);
    expect(stats).toMatchObject({ documents: 3, failedSitemaps: 0 });
  });

  it('turns each child that cannot be used into a result at its <loc>, and goes on', async () => {
    const index = `${origin()}/broken-index.xml`;
    const { rows: found, stats } = await extract(await resolveInputs([index], options()));
    expect(found).toEqual([
      { url: `${origin()}/`, source: `${origin()}/sitemaps/pages.xml`, line: 3 },
      { url: `${origin()}/about`, source: `${origin()}/sitemaps/pages.xml`, line: 4 },
      // Not fetched (404): its own URL, so the check reports HTTP_STATUS 404.
      { url: `${origin()}/sitemaps/missing.xml`, source: index, line: 3 },
      // Fetched but HTML: checking it would pass, so the problem is the result.
      { url: `${origin()}/docs/`, source: index, line: 4, invalid: 'DOCUMENT_INVALID' },
      { url: index, source: index, line: 5, invalid: 'DOCUMENT_INVALID' },
    ]);
    expect(stats).toMatchObject({ failedSitemaps: 3, skippedSchemes: { 'mailto:': 1 } });
  });

  it('says why an unusable child sitemap was not read', async () => {
    const index = `${origin()}/broken-index.xml`;
    const targets: Target[] = [];
    for await (const batch of readTargetBatches(await resolveInputs([index], options()))) targets.push(...batch);
    expect(targets.filter((target) => target.invalid !== null).map((target) => target.invalid?.message)).toEqual([
      'sitemap could not be read: not a sitemap: its root element is <html>, not <urlset> or <sitemapindex>',
      'sitemap index loop: this sitemap lists itself or an index above it; not followed',
    ]);
  });

  it('resolves relative links against the page URL; HTML and Markdown known by Content-Type', async () => {
    const { rows: found } = await extract(await resolveInputs([`${origin()}/docs/`, `${origin()}/docs/README`], options()));
    expect(found).toEqual([
      { url: `${origin()}/docs/guide.html`, source: `${origin()}/docs/`, line: 2 },
      { url: `${origin()}/`, source: `${origin()}/docs/`, line: 3 },
      { url: `${origin()}/docs/next.md`, source: `${origin()}/docs/README`, line: 3 },
    ]);
  });

  it('reads a plain list from a URL', async () => {
    const { rows: found } = await extract(await resolveInputs([`${origin()}/list`], options()));
    expect(found).toEqual([
      { url: 'https://a.example.com/', source: `${origin()}/list`, line: 1 },
      { url: 'https://b.example.com/', source: `${origin()}/list`, line: 3 },
    ]);
  });

  it('turns a URL input that answers 404 into its own URL to check (line 0), never its credentials', async () => {
    const { rows: found, stats } = await extract(await resolveInputs([`http://user:hunter22@127.0.0.1:${server.port}/missing.xml`, `${origin()}/list`], options()));
    const name = `http://***@127.0.0.1:${server.port}/missing.xml`;
    // Checked like any line, it reports HTTP_STATUS 404; the next input is still read.
    expect(found).toEqual([
      { url: name, source: name, line: 0 },
      { url: 'https://a.example.com/', source: `${origin()}/list`, line: 1 },
      { url: 'https://b.example.com/', source: `${origin()}/list`, line: 3 },
    ]);
    expect(stats.failedSitemaps).toBe(1);
    expect(requests).toContain('/missing.xml (auth)');
  });

  it('a URL input that never answers within the deadline becomes its own URL to check', async () => {
    const { rows: found } = await extract(await resolveInputs([`${origin()}/hang`], options({ timeoutMs: 300 })));
    expect(found).toEqual([{ url: `${origin()}/hang`, source: `${origin()}/hang`, line: 0 }]);
  });

  it('a document input whose connection drops part-way: the URLs read, then a result for the document, then the next input', async () => {
    const input = `${origin()}/drop-sitemap.xml`;
    const targets: Target[] = [];
    for await (const batch of readTargetBatches(await resolveInputs([input, `${origin()}/list`], options()))) targets.push(...batch);
    expect(rows(targets)).toEqual([
      { url: 'https://example.com/a', source: input, line: 2 },
      { url: 'https://example.com/b', source: input, line: 3 },
      { url: input, source: input, line: 0, invalid: 'CONNECTION_RESET' },
      { url: 'https://a.example.com/', source: `${origin()}/list`, line: 1 },
      { url: 'https://b.example.com/', source: `${origin()}/list`, line: 3 },
    ]);
    expect(targets[2]?.invalid?.message).toBe('document could not be read past its first 2 URLs: the server closed the connection');
  });

  it('gives a document that trickles a total deadline: TIMEOUT, the connection closed while the server still sends', async () => {
    const input = `${origin()}/trickle-sitemap.xml`;
    // 3 × 300 ms of network time; the server sends a byte every 50 ms, so no idle timer fires.
    const { rows: found } = await extract(await resolveInputs([input], options({ timeoutMs: 300 })));
    expect(found).toEqual([
      { url: 'https://example.com/first', source: input, line: 2 },
      { url: input, source: input, line: 0, invalid: 'TIMEOUT' },
    ]);
    await waitFor(() => trickle.closed, 5_000, 'the server to see the client close');
    expect(trickle.finished).toBe(false);
  });

  it('stops fetching a document at once when the run is interrupted, with no result', async () => {
    const controller = new AbortController();
    const sources = await resolveInputs([`${origin()}/hang`], options({ timeoutMs: 60_000, signal: controller.signal }));
    const reading = extract(sources);
    await waitFor(() => requests.includes('/hang') && hangClosed === false, 5_000, 'the request to arrive');
    controller.abort(new Error('interrupted'));
    const { rows: found } = await reading;
    expect(found).toEqual([]);
    await waitFor(() => hangClosed, 5_000, 'the server to see the request aborted');
  });

  it('fetches a child sitemap once however often an index lists it, and counts the repeats', async () => {
    const before = requests.filter((request) => request === '/sitemaps/pages.xml').length;
    const { rows: found, stats } = await extract(await resolveInputs([`${origin()}/repeat-index.xml`], options()));
    expect(requests.filter((request) => request === '/sitemaps/pages.xml').length - before).toBe(1);
    expect(found).toEqual([
      { url: `${origin()}/`, source: `${origin()}/sitemaps/pages.xml`, line: 3 },
      { url: `${origin()}/about`, source: `${origin()}/sitemaps/pages.xml`, line: 4 },
    ]);
    expect(stats.repeatedSitemaps).toBe(199);
    expect(describeSkipped(stats)).toBe('skipped 199 repeated sitemap listings (each sitemap is read once)');
  });

  it('gives a loop and indexes nested too deep the code DOCUMENT_INVALID', async () => {
    const { rows: found } = await extract(await resolveInputs([`${origin()}/deep/0.xml`], options()));
    expect(found).toEqual([{ url: `${origin()}/deep/4.xml`, source: `${origin()}/deep/3.xml`, line: 2, invalid: 'DOCUMENT_INVALID' }]);
  });

  it('reads a sitemap from a URL as it is consumed, and closes the connection when the reader stops', async () => {
    const sources = await resolveInputs([`${origin()}/big-sitemap.xml`], options());
    for await (const batch of readTargetBatches(sources)) {
      expect(batch[0]).toMatchObject({ display: 'https://example.com/0', line: 2 });
      break;
    }
    await waitFor(() => server.openSockets === 0, 5_000, 'the sitemap connection to close');
  });

  it('fetches through the proxy the checks use', async () => {
    const proxy = await startProxy();
    try {
      const sources = await resolveInputs([`${origin()}/sitemap_index.xml`], options({ proxy: { httpProxy: proxy.origin, httpsProxy: null, noProxy: null } }));
      const { rows: found } = await extract(sources);
      expect(found).toHaveLength(4);
      expect(proxy.requests.get(origin())).toBe(3);
    } finally {
      await proxy.close();
    }
  });

  it('caps the size of a fetched document', async () => {
    const document = await fetchDocument(new URL(`${origin()}/sitemap.xml`), { timeoutMs: 2_000, maxBytes: 100 });
    await expect(async () => {
      for await (const chunk of document.body) void chunk;
    }).rejects.toMatchObject({ code: 'DOCUMENT_TOO_LARGE', message: 'larger than 100 B' });
  });
});
