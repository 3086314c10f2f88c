import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/model/types.js';
import { runCli } from '../helpers/cli.js';
import { startHttpServer, type LocalServer } from '../helpers/servers.js';

// A repository's docs folder checked as a CI step would check it, through the built CLI:
// fixtures/docs-tree holds nested folders, an image, a renamed file, headings with punctuation,
// emoji, non-Latin letters and duplicates, a reference link, raw HTML anchors, MDX, a file with
// spaces, a link and a symbolic link out of the root. Every result is written out below.

const TREE = fileURLToPath(new URL('../../fixtures/docs-tree/', import.meta.url));
const TREE_URL = pathToFileURL(TREE).href;
const GLOB = '**/*.{md,mdx,html}';

/** [source, line, the URL relative to the tree (or as reported when not a file), error code or null, duplicate]. */
type Row = [string, number, string, string | null, boolean?];

const EXPECTED: Row[] = [
  ['README.md', 22, 'README.md#installation', null],
  ['README.md', 23, 'README.md#instalation', 'FRAGMENT_NOT_FOUND'],
  ['README.md', 24, 'README.md#usage-the-cli-1', null],
  ['README.md', 25, 'README.md#-emoji-heading', null],
  ['README.md', 26, 'README.md#%C3%BCber-uns', null],
  ['README.md', 26, 'README.md#%C3%BCber-uns', null, true],
  ['README.md', 27, 'README.md#%E6%97%A5%E6%9C%AC%E8%AA%9E%E3%81%AE%E8%A6%8B%E5%87%BA%E3%81%97', null],
  ['README.md', 28, 'README.md#code-in-a-heading', null],
  ['README.md', 29, 'README.md#custom-anchor', null],
  ['README.md', 29, 'README.md#legacy-anchor', null],
  ['README.md', 31, 'docs/guide.md', null],
  ['README.md', 32, 'docs/guide.md#configuration', null],
  ['README.md', 33, 'docs/guide.md#removed-section', 'FRAGMENT_NOT_FOUND'],
  ['README.md', 34, 'docs/old-name.md', 'FILE_NOT_FOUND'],
  ['README.md', 35, 'docs/file%20with%20spaces.md', null],
  ['README.md', 35, 'docs/file%20with%20spaces.md', null, true],
  ['README.md', 36, 'docs/guide.md#L3', null],
  ['README.md', 37, 'docs/guide.md#L999', 'FRAGMENT_NOT_FOUND'],
  ['README.md', 38, 'docs/', null],
  ['README.md', 38, 'docs/api#endpoints', null],
  ['README.md', 39, 'img/logo.png', null],
  ['README.md', 39, 'img/missing.png', 'FILE_NOT_FOUND'],
  ['README.md', 40, 'docs/guide.md#usage', null],
  ['README.md', 42, '../urls.txt', 'FILE_OUTSIDE_ROOT'],
  ['README.md', 43, 'docs/escape.txt', 'FILE_OUTSIDE_ROOT'],
  ['README.md', 49, 'docs/guide.md#usage', null, true],
  ['docs/api/README.md', 5, 'docs/guide.md#usage', null, true],
  ['docs/api/README.md', 5, 'docs/reference.md', 'FILE_NOT_FOUND'],
  ['docs/component.mdx', 5, 'docs/guide.md#configuration', null, true],
  ['docs/component.mdx', 6, 'README.md#no-such-heading', 'FRAGMENT_NOT_FOUND'],
  ['docs/file with spaces.md', 3, 'docs/guide.md#usage', null, true],
  ['docs/guide.md', 7, 'README.md#installation', null, true],
  ['docs/guide.md', 8, 'site/index.html#features', null],
  ['docs/guide.md', 8, 'site/index.html#nope', 'FRAGMENT_NOT_FOUND'],
  ['docs/guide.md', 9, 'docs/guide.md#configure', 'FRAGMENT_NOT_FOUND'],
  ['site/index.html', 5, 'site/index.html#features', null, true],
  ['site/index.html', 6, 'site/index.html#gone', 'FRAGMENT_NOT_FOUND'],
  ['site/index.html', 7, 'docs/guide.md#usage', null, true],
  ['site/index.html', 8, 'site/missing.html', 'FILE_NOT_FOUND'],
];

function rowOf(result: CheckResult): Row {
  const url = result.url.startsWith(TREE_URL) ? result.url.slice(TREE_URL.length) : result.url.replace(pathToFileURL(`${TREE}..`).href, '..');
  const row: Row = [result.source, result.line, url, result.error?.code ?? null];
  if (result.duplicateOf !== undefined) row.push(true);
  return row;
}

const byPosition = (a: Row, b: Row) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : Number(a[4] ?? false) - Number(b[4] ?? false)));

function resultsOf(stdout: string): CheckResult[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as CheckResult | { type: string })
    .filter((item): item is CheckResult => !('type' in item));
}

describe('checking a docs folder on disk', () => {
  it('checks every local link and #fragment of the tree, with --root-dir for /links: each result as written out, exit 1', async () => {
    const run = await runCli([GLOB, '--root-dir', '.', '-f', 'ndjson'], { cwd: TREE });
    expect(run.stderr).not.toMatch(/Error|at .*\.js/);
    const rows = resultsOf(run.stdout).map(rowOf).sort(byPosition);
    expect(rows).toEqual([...EXPECTED].sort(byPosition));
    expect(run.code).toBe(1);
    // Every failure of a local link is broken: the docs need fixing.
    for (const result of resultsOf(run.stdout)) if (!result.ok) expect(result.verdict, result.url).toBe('broken');
    // The ignore comment and the mailto: link are counted, not checked.
    expect(run.stderr).toMatch(/1 mailto: link/);
    // #top names no anchor: counted as a same-page link.
    expect(run.stderr).toMatch(/2 same-page #fragment links/);
    expect(run.stderr).toMatch(/1 link in urlcheck-disable regions/);
  });

  it('without --root-dir a root-relative /link is skipped and counted, and the message says how to check it', async () => {
    const run = await runCli([GLOB, '-f', 'ndjson'], { cwd: TREE });
    const rows = resultsOf(run.stdout).map(rowOf);
    expect(rows.some(([source, line]) => source === 'README.md' && line === 40)).toBe(false);
    expect(run.stderr).toMatch(/1 root-relative \/link \(use --root-dir <dir>/);
  });

  it('the working directory is the root when none is given: a link out of it is reported, not read', async () => {
    const run = await runCli(['guide.md', '-f', 'ndjson'], { cwd: `${TREE}docs` });
    const rows = resultsOf(run.stdout).map(rowOf).sort(byPosition);
    expect(rows.filter((row) => row[3] === 'FILE_OUTSIDE_ROOT').map((row) => row[2])).toEqual(['README.md#installation', 'site/index.html#features', 'site/index.html#nope']);
  });

  it('a file named on the command line is relative to the working directory; results name it as given', async () => {
    const run = await runCli([`${TREE}docs/api/README.md`, '--root-dir', TREE, '-f', 'ndjson']);
    const rows = resultsOf(run.stdout).map(rowOf).sort(byPosition);
    expect(rows.map((row) => [row[2], row[3]])).toEqual([
      ['docs/guide.md#usage', null],
      ['docs/reference.md', 'FILE_NOT_FOUND'],
    ]);
  });

  it('--root-dir must be a folder: exit 2 with one line', async () => {
    const run = await runCli(['README.md', '--root-dir', 'nope'], { cwd: TREE });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/--root-dir: .*nope/);
  });
});

describe('--base wins over the disk', () => {
  let server: LocalServer;
  const seen: string[] = [];
  beforeAll(async () => {
    server = await startHttpServer((request, response) => {
      seen.push(request.url ?? '');
      response.writeHead(/^\/(docs|site)\//.test(request.url ?? '') ? 200 : 404, { 'content-type': 'text/html' });
      response.end('<h2 id="usage">Usage</h2>');
    });
  });
  afterAll(() => server.close());

  it('relative links go to the URL; same-page #fragments are still checked in the document itself', async () => {
    const run = await runCli(['docs/guide.md', '--base', server.url('/docs/guide.html'), '-f', 'ndjson'], { cwd: TREE });
    const results = resultsOf(run.stdout);
    const local = results.filter((result) => result.url.startsWith('file:')).map(rowOf);
    expect(local).toEqual([
          ['docs/guide.md', 9, 'docs/guide.md#configure', 'FRAGMENT_NOT_FOUND'],
    ]);
    expect(results.filter((result) => result.url.startsWith('http:')).map((result) => result.url).sort()).toEqual([
      server.url('/README.md#installation'),
      server.url('/site/index.html#features'),
      server.url('/site/index.html#nope'),
    ]);
    // Without --check-fragments a remote page is requested once, whatever its fragments.
    expect(seen.filter((path) => path === '/site/index.html')).toHaveLength(1);
  });
});
