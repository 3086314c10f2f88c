import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMarkdownReporter, markdownCell, markdownRow } from '../../src/reporters/markdown.js';
import { KeepSmallest } from '../../src/reporters/rank.js';
import type { RunEnd } from '../../src/model/reporter.js';
import type { Summary } from '../../src/model/summary.js';
import type { CheckResult } from '../../src/model/types.js';
import { captureContext, driveReporter, everyVerdictResults, resultWith } from '../helpers/samples.js';

async function report(
  results: Iterable<CheckResult>,
  options: { quiet?: boolean; maxRows?: number; end?: (summary: Summary) => RunEnd } = {},
) {
  const { ctx, out, err } = captureContext({ quiet: options.quiet ?? false });
  const reporter = createMarkdownReporter(ctx, options.maxRows);
  await driveReporter(reporter, results, options.end);
  return { md: await out(), err: await err(), reporter };
}

const TABLE_HEAD = '| Verdict | URL | Status | Problem | Source |\n| --- | --- | --- | --- | --- |\n';

describe('markdown reporter', () => {
  it('counts by verdict, then lists what needs attention, worst first and in input order', async () => {
    const { md, err } = await report(everyVerdictResults(), {
      end: (summary) => ({
        summary,
        comparison: null,
        diff: { previous: 'reports/last|run.json', newlyFailing: 1, recovered: 2, stillFailing: 3, gone: 0 },
      }),
    });
    expect(md).toBe(
      '## urlcheck report\n\n' +
        '**7 URLs** checked in 2.00 s: ✅ 1 healthy · ⚠️ 1 with warnings · ❌ 3 broken · ⏳ 1 transient · 🛡️ 1 blocked\n\n' +
        'Compared with the previous run (reports/last\\|run.json): 1 newly failing · 2 recovered · 3 still failing · 0 gone\n\n' +
        '### 6 URLs need attention\n\n' +
        TABLE_HEAD +
        '| ❌ broken | <https://a.test/missing> | 404 | `HTTP_STATUS` HTTP 404 | list.txt:6 |\n' +
        '| ❌ broken | https://odd.test/\\<a>\\&"\'\\|\\`x\\`\\|\\*\\_\\[y\\](z)\\_🙂 | 500 | ' +
        '`HTTP_STATUS` 100% \\<b>bold\\</b> \\& "q" \'a\'\\\\u000d\\\\u000anext\\\\u0007bell\\\\u001b\\[31m\ufffd\uffff 🙂 \\| \\`c\\`' +
        '<br>`SLOW` slow: 2 ms, over 1 ms | odd, "lists":v2.txt:2 |\n' +
        '| ❌ broken | example.com | — | `INVALID_URL` not a valid URL: no scheme | stdin:4 |\n' +
        '| ⏳ transient | <https://down.test/> | — | `CONNECTION_REFUSED` connection refused (ECONNREFUSED) | list.txt:5 |\n' +
        '| 🛡️ blocked | <https://shop.test/> | 403 | `HTTP_STATUS` HTTP 403: a bot challenge answered | list.txt:7 |\n' +
        '| ⚠️ warning | <http://c.test/old><br>→ <https://c.test/new> (1 redirect) | 200 | ' +
        '`PERMANENT_REDIRECT` moved permanently to https://c.test/new | list.txt:3 |\n',
    );
    expect(err).toBe('');
  });

  it('counts healthy URLs without listing them', async () => {
    const healthy = Array.from({ length: 3 }, (_, index) => resultWith({ url: `https://h${index}.test/`, line: index + 1 }));
    const { md, reporter } = await report(healthy);
    expect(md).toBe('## urlcheck report\n\n**3 URLs** checked in 2.00 s: ✅ 3 healthy\n\nEvery URL is healthy.\n');
    expect(reporter.heldRows).toBe(0);
  });

  it('says so when there was nothing to check, or the run was interrupted', async () => {
    expect((await report([])).md).toBe('## urlcheck report\n\n**0 URLs** checked in 2.00 s: ✅ 0 healthy\n\nNo URLs were checked.\n');
    const [healthy] = everyVerdictResults() as [CheckResult];
    const { md } = await report([healthy], { end: (summary) => ({ summary: { ...summary, interrupted: true }, comparison: null, diff: null }) });
    expect(md).toBe(
      '## urlcheck report\n\n**1 URL** checked in 2.00 s: ✅ 1 healthy\n\n' +
        '> [!WARNING]\n> The run was interrupted: only 1 URL was checked.\n\nEvery URL is healthy.\n',
    );
  });

  it('writes nothing with --quiet when nothing needs attention, and the report when something does', async () => {
    const [healthy, , broken] = everyVerdictResults() as [CheckResult, CheckResult, CheckResult];
    expect((await report([healthy], { quiet: true })).md).toBe('');
    expect((await report([healthy, broken], { quiet: true })).md).toContain('| ❌ broken | <https://a.test/missing> |');
  });

  it('keeps only the best-ranked rows of 100,000 and says how many it left out', async () => {
    const { ctx, out } = captureContext();
    const reporter = createMarkdownReporter(ctx, 1000);
    let maxHeld = 0;
    // Completion order is not input order: lines arrive shuffled, warnings before failures.
    const results = (function* () {
      for (let i = 0; i < 100_000; i += 1) {
        const line = ((i * 7919) % 100_000) + 1;
        const verdict = line % 3 === 0 ? 'warning' : line % 3 === 1 ? 'broken' : 'healthy';
        yield resultWith({ url: `https://h${line}.test/`, line, verdict, ok: verdict !== 'broken', status: verdict === 'broken' ? 404 : 200 });
        maxHeld = Math.max(maxHeld, reporter.heldRows);
      }
    })();
    await driveReporter(reporter, results);
    expect(maxHeld).toBe(1000);
    const md = await out();
    const rows = md.split('\n').filter((row) => row.startsWith('| ❌') || row.startsWith('| ⚠️'));
    expect(rows).toHaveLength(1000);
    // The 1000 first broken lines (1, 4, 7, …): every warning and later failure is left out.
    expect(rows[0]).toBe('| ❌ broken | <https://h1.test/> | 404 |  | list.txt:1 |');
    expect(rows[999]).toBe('| ❌ broken | <https://h2998.test/> | 404 |  | list.txt:2998 |');
    expect(md).toContain('### 66,667 URLs need attention\n');
    expect(md).toContain(
      '_65,667 more URLs need attention but are not listed (the table stops at 1,000 rows); use `--format csv` or `--format ndjson` for every row._\n',
    );
  });

  it('cuts long cells and links only URLs that are safe as autolinks', () => {
    const long = `https://long.test/${'a'.repeat(400)}`;
    const row = markdownRow(
      resultWith({ url: long, line: 1, verdict: 'broken', ok: false, status: 500, error: { code: 'HTTP_STATUS', message: 'x'.repeat(500) } }),
    );
    expect(row).toBe(`| ❌ broken | https://long.test/${'a'.repeat(281)}… | 500 | \`HTTP_STATUS\` ${'x'.repeat(299)}… | list.txt:1 |`);
    const piped = markdownRow(resultWith({ url: 'https://p.test/a|b', line: 2, verdict: 'warning' }));
    expect(piped).toBe('| ⚠️ warning | https://p.test/a\\|b | 200 |  | list.txt:2 |');
  });
});

describe('markdownCell', () => {
  /** What GitHub's table parser does before inline parsing: split rows at pipes that are not escaped. */
  function cellBoundaries(text: string): number {
    return [...text.matchAll(/(?<!\\)(?:\\\\)*\|/g)].length;
  }

  /** CommonMark's backslash escapes undone: what a reader sees. */
  function rendered(text: string): string {
    return text.replace(/\\([!-/:-@[-`{-~])/g, '$1');
  }

  it('never ends a cell, breaks a line, opens code or HTML, and shows the text as given', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        const cell = markdownCell(text);
        expect(cellBoundaries(cell)).toBe(0);
        expect(cell).not.toMatch(/[\r\n\u2028\u2029]/);
        expect(cell).not.toMatch(/(?<!\\)(?:\\\\)*[`<]/);
        expect(rendered(cell)).toBe(text.replace(/\r\n|[\r\n\u2028\u2029]/g, ' '));
      }),
    );
  });

  it('escapes the characters Markdown would read', () => {
    expect(markdownCell('a|b `c` <d> *e* _f_ ~g~ [h](i) & \\ \r\nj')).toBe(
      'a\\|b \\`c\\` \\<d> \\*e\\* \\_f\\_ \\~g\\~ \\[h\\](i) \\& \\\\  j',
    );
  });
});

describe('KeepSmallest', () => {
  it('keeps exactly the n smallest of any sequence', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.nat({ max: 20 }), (values, limit) => {
        const kept = new KeepSmallest<number>(limit, (a, b) => a - b);
        for (const value of values) kept.offer(value);
        expect(kept.sorted()).toEqual([...values].sort((a, b) => a - b).slice(0, limit));
        expect(kept.size).toBe(Math.min(limit, values.length));
      }),
    );
  });
});
