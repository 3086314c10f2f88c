import { readFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { displayWidth } from '../../src/reporters/format.js';
import { createTableReporter, type TableLimits } from '../../src/reporters/table.js';
import type { DiffSummary } from '../../src/model/run.js';
import type { ReporterContext, RunEnd } from '../../src/model/reporter.js';
import type { CheckResult } from '../../src/model/types.js';
import { captureWriter, driveReporter, resultWith, summaryOf } from '../helpers/samples.js';

const NO_COLOR = new Chalk({ level: 0 });

/** A run like the demo's, with fixed durations: every verdict, redirects, long URLs and messages, a duplicate line. */
function demoResults(): CheckResult[] {
  const server = 'http://127.0.0.1:18080';
  // resultWith leaves `duplicateOf` out: added back here.
  const r = (fields: Partial<CheckResult> & Pick<CheckResult, 'url' | 'line'>) => ({
    ...resultWith({ source: 'urls.txt', ...fields }),
    ...(fields.duplicateOf === undefined ? {} : { duplicateOf: fields.duplicateOf }),
  });
  const broken = (url: string, line: number, status: number | null, code: NonNullable<CheckResult['error']>['code'], message: string, more: Partial<CheckResult> = {}) =>
    r({ url, line, ok: false, status, error: { code, message }, finalUrl: status === null ? null : url, method: status === null ? null : 'HEAD', ...more });
  return [
    r({ url: `${server}/delay/100/page-1`, line: 1, durationMs: 104.2 }),
    r({ url: `${server}/delay/100/page-2`, line: 2, durationMs: 131.9 }),
    r({ url: `${server}/delay/100/page-3`, line: 3, durationMs: 101.5 }),
    r({ url: `${server}/delay/400/report`, line: 4, durationMs: 407.3 }),
    r({
      url: `${server}/delay/700/search`,
      line: 5,
      durationMs: 708.4,
      verdict: 'warning',
      warnings: [{ code: 'SLOW', message: 'took 708 ms, more than --slow 600 ms' }],
    }),
    r({
      url: `${server}/redirect/2`,
      line: 6,
      durationMs: 12.6,
      redirects: [
        { status: 302, location: `${server}/redirect/1` },
        { status: 302, location: `${server}/ok` },
      ],
      finalUrl: `${server}/ok`,
    }),
    r({
      url: `${server}/moved/301`,
      line: 7,
      durationMs: 21.2,
      verdict: 'warning',
      redirects: [{ status: 301, location: `${server}/ok` }],
      finalUrl: `${server}/ok`,
      warnings: [{ code: 'PERMANENT_REDIRECT', message: `permanent redirect (301); update the list to ${server}/ok` }],
    }),
    broken(`${server}/challenge`, 8, 403, 'HTTP_STATUS', 'status 403 is not in --accept 200-299', { verdict: 'blocked', durationMs: 19.4 }),
    broken(`${server}/status/404`, 9, 404, 'HTTP_STATUS', 'status 404 is not in --accept 200-299', { durationMs: 18.7 }),
    broken(`${server}/status/500`, 10, 500, 'HTTP_STATUS', 'status 500 is not in --accept 200-299', { verdict: 'transient', durationMs: 1230.5, attempts: 2 }),
    broken(`${server}/loop`, 11, 302, 'TOO_MANY_REDIRECTS', `redirect loop: ${server}/loop was already visited`, {
      durationMs: 6.6,
      redirects: [{ status: 302, location: `${server}/loop` }],
    }),
    broken(`${server}/slow?ms=6000`, 12, null, 'TIMEOUT', 'no complete answer within the 1000 ms deadline', { verdict: 'transient', durationMs: 2240.1, attempts: 2 }),
    broken('http://127.0.0.1:36949/nothing-listens-here', 13, null, 'CONNECTION_REFUSED', 'connection refused (ECONNREFUSED)', {
      verdict: 'transient',
      durationMs: 214.3,
      attempts: 2,
    }),
    broken('not a url', 14, null, 'INVALID_URL', 'not a valid URL', { durationMs: 0, attempts: 0 }),
    broken('ftp://files.example/archive.zip', 15, null, 'UNSUPPORTED_PROTOCOL', 'unsupported protocol "ftp:"; only http: and https: URLs are checked', {
      durationMs: 0,
      attempts: 0,
    }),
    // The same URL as line 9: checked once, reported for both lines.
    broken(`${server}/status/404`, 16, 404, 'HTTP_STATUS', 'status 404 is not in --accept 200-299', {
      durationMs: 18.7,
      duplicateOf: { source: 'urls.txt', line: 9 },
    }),
    // A healthy duplicate: counted, not listed again among the slowest.
    r({ url: `${server}/delay/400/report`, line: 17, durationMs: 407.3, duplicateOf: { source: 'urls.txt', line: 4 } }),
  ];
}

/** The table reporter's whole output for `results`, as on a terminal `columns` wide (undefined: not a terminal). */
async function render(
  results: CheckResult[],
  options: { columns?: number; ascii?: boolean; quiet?: boolean; limits?: TableLimits; diff?: DiffSummary; color?: InstanceType<typeof Chalk> } = {},
): Promise<string> {
  const stream = Object.assign(new PassThrough(), options.columns === undefined ? {} : { isTTY: true, columns: options.columns });
  const out = captureWriter(stream);
  const err = captureWriter();
  const color = options.color ?? NO_COLOR;
  const ctx: ReporterContext = { out: out.writer, err: err.writer, color, errColor: color, quiet: options.quiet ?? false, ...(options.ascii === undefined ? {} : { ascii: options.ascii }) };
  const reporter = options.limits === undefined ? createTableReporter(ctx) : createTableReporter(ctx, options.limits);
  const end = (summary: RunEnd['summary']): RunEnd => ({ summary, comparison: null, diff: options.diff ?? null });
  // Results arrive in completion order, not input order: reversed here.
  await driveReporter(reporter, [...results].reverse(), end);
  return out.text();
}

describe('table reporter goldens', () => {
  for (const columns of [60, 80, 120, 200]) {
    it(`at ${columns} columns`, async () => {
      const text = await render(demoResults(), { columns });
      await expect(text).toMatchFileSnapshot(`../golden/table-${columns}.txt`);
    });
  }
  for (const columns of [60, 120]) {
    it(`in ASCII at ${columns} columns`, async () => {
      const text = await render(demoResults(), { columns, ascii: true });
      await expect(text).toMatchFileSnapshot(`../golden/table-ascii-${columns}.txt`);
    });
  }
  it('with a diff, at 60 and 120 columns', async () => {
    const results = demoResults().map((result) => (result.line === 9 ? { ...result, change: 'newly-failing' as const } : result));
    results.push(resultWith({ url: 'http://127.0.0.1:18080/delay/100/page-9', line: 18, source: 'urls.txt', durationMs: 101.1, change: 'recovered' }));
    const diff: DiffSummary = { previous: 'last.json', newlyFailing: 1, recovered: 1, stillFailing: 9, gone: 0 };
    for (const columns of [60, 120]) {
      await expect(await render(results, { columns, diff })).toMatchFileSnapshot(`../golden/table-diff-${columns}.txt`);
    }
  });
});

describe('table reporter layout', () => {
  const visible = (text: string) => text.replace(/\u001b\[\d+(;\d+)*m/g, '');
  const lines = (text: string) => visible(text).split('\n');

  it.each([60, 80, 120, 200])('fits every line in %i columns, in colour, and keeps every URL whole on one line', async (columns) => {
    const results = demoResults();
    const text = await render(results, { columns, color: new Chalk({ level: 1 }) });
    for (const line of lines(text)) {
      expect(line).not.toContain('\u001b');
      expect(displayWidth(line), line).toBeLessThanOrEqual(columns);
    }
    for (const { url } of results) expect(lines(text).some((line) => line.includes(url)), url).toBe(true);
  });

  it('draws a table while a row can hold its URL whole, and blocks from one column less', async () => {
    const results = [resultWith({ url: `https://example.test/${'a'.repeat(40)}`, line: 1 })];
    const natural = (await render(results)).split('\n')[1] ?? '';
    expect(natural).toMatch(/^┌─+┬/);
    const width = displayWidth(natural);
    expect(lines(await render(results, { columns: width }))[1]).toBe(natural);
    // A result with nothing but its URL to show is one line, URL last.
    expect(lines(await render(results, { columns: width - 1 })).slice(0, 4)).toEqual([
      'Healthy URLs, slowest first:',
      `✔ healthy  200  10 ms  OK  https://example.test/${'a'.repeat(40)}`,
      '',
      '✔ 1 healthy  of 1 URL in 2.00 s (1 URLs/s)',
    ]);
    // Narrower still, the URL goes on a line of its own.
    expect(lines(await render(results, { columns: 70 })).slice(1, 3)).toEqual(['✔ healthy  200  10 ms  OK', `  https://example.test/${'a'.repeat(40)}`]);
  });

  it('wraps a message at spaces inside the URL column, never inside a word', async () => {
    const message = 'the response was not what --expect asked for: a header named x-request-identifier was missing entirely';
    const results = [
      resultWith({ url: 'https://a.test/x', line: 3, ok: false, status: 200, error: { code: 'HEADER_MISMATCH', message } }),
      resultWith({ url: 'https://a.test/', line: 1 }),
    ];
    const text = await render(results, { columns: 90 });
    const cells = lines(text)
      .filter((line) => line.startsWith('│'))
      .map((line) => (line.split('│')[5] ?? '').trim());
    const wrapped = cells.slice(cells.indexOf('https://a.test/x') + 1, cells.indexOf('list.txt:3'));
    expect(wrapped.length).toBeGreaterThan(1);
    expect(wrapped.join(' ')).toBe(message);
  });

  it('marks a duplicate line, in the table and in blocks, and never lists a healthy duplicate', async () => {
    for (const columns of [undefined, 60]) {
      const text = await render(demoResults(), columns === undefined ? {} : { columns });
      expect(text, String(columns)).toContain('duplicate of line 9: the same URL, checked once for both');
      expect(text.match(/\/delay\/400\/report/g), String(columns)).toHaveLength(1);
      expect(text, String(columns)).not.toContain('healthy URL not listed');
    }
    const elsewhere = { ...resultWith({ url: 'https://a.test/gone', line: 2, ok: false, status: 404, error: { code: 'HTTP_STATUS', message: 'status 404' } }), duplicateOf: { source: 'other.txt', line: 7 } };
    expect(await render([elsewhere])).toContain('duplicate of other.txt:7: the same URL, checked once for both');
  });

  it('draws only ASCII with `ascii`: borders, symbols, marks, separators and the speed-up', async () => {
    const results = [...demoResults(), resultWith({ url: 'https://back.test/', line: 30, change: 'recovered' })];
    results[8] = { ...(results[8] as CheckResult), change: 'newly-failing' };
    const diff: DiffSummary = { previous: 'last.json', newlyFailing: 1, recovered: 1, stillFailing: 3, gone: 2 };
    for (const columns of [undefined, 60, 200]) {
      for (const quiet of [false, true]) {
        const text = await render(results, { ascii: true, diff, quiet, ...(columns === undefined ? {} : { columns }) });
        expect(text, `${columns} ${quiet}`).toMatch(/^[\x20-\x7e\n]*$/);
        expect(text).toContain('NEW');
      }
    }
    expect(await render(results, { ascii: true, columns: 200 })).toContain('| x broken    | 404    |');
  });
});

describe('the README', () => {
  it('shows what the table prints at 120 and 60 columns', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const example = demoResults().filter((r) => [4, 6, 9, 13, 15, 16].includes(r.line));
    for (const columns of [120, 60]) {
      const text = await render(example, { columns });
      const indented = text.trimEnd().split('\n').map((line) => (line === '' ? '' : `  ${line}`)).join('\n');
      expect(readme, `${columns} columns`).toContain(`  \`\`\`text\n${indented}\n  \`\`\``);
    }
  });
});
