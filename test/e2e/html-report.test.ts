/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '../../src/model/summary.js';
import type { CheckResult } from '../../src/model/types.js';
import { ARTIFACTS_DIR, SKIP_BROWSER, openReport, saveScreenshot, useBrowser, type OpenedReport } from '../helpers/browser.js';
import { runCli } from '../helpers/cli.js';
import { closedPort, useFixtureServer } from '../helpers/fixtures.js';
import { useTempDir } from '../helpers/temp-dir.js';

// The HTML report (`-f html`, `--report html:<path>`) opened in a real headless Chromium, as a
// person opens a CI artifact: reports of real CLI runs against the local fixture server, checked
// against the JSON report of the same run. The DOM contract these tests read is documented in
// src/reporters/html.ts.

/** The JSON report written alongside (`--report json:…`): what the HTML must agree with. */
interface JsonReport {
  results: CheckResult[];
  summary: Summary;
}

/** One waterfall bar as the page draws it, in the SVG's user units. */
interface DrawnBar {
  url: string;
  verdict: string;
  startMs: number;
  durationMs: number;
  baseline: boolean;
  ariaLabel: string;
  tabIndex: string | null;
  x: number;
  width: number;
  /** On-screen box (CSS px), to compare bars drawn in different SVGs. */
  screenLeft: number;
  screenRight: number;
}

/** Lines whose text would run as script, or end the report's data early, if the report pasted it raw. */
const HOSTILE_LINES = [
  'not a url </script><script>window.__pwned = "script"</script>',
  'not a url "><img src=x onerror="window.__pwned = \'attribute\'">',
  "not a url '</a><!--<script>\u2028\u2029 window.__pwned = 'comment' // ${window.__pwned = 'template'}",
];

const server = useFixtureServer();
const temp = useTempDir('urlcheck-html-report-');
const browser = useBrowser();

/** Verdict → count in the page's `[data-count]` elements; and each element's visible text. */
async function shownCounts(page: Page): Promise<Record<string, { value: number; text: string }>> {
  return page.evaluate(() => {
    const counts: Record<string, { value: number; text: string }> = {};
    for (const element of document.querySelectorAll<HTMLElement>('[data-count]')) {
      counts[element.dataset.count ?? ''] = { value: Number(element.dataset.value), text: element.textContent ?? '' };
    }
    return counts;
  });
}

/** The numbers a piece of text shows, thousands separators removed ("1,234 healthy" → [1234]). */
function numbersIn(text: string): number[] {
  return [...text.matchAll(/\d[\d,\u00a0\u202f ]*/g)].map(([number]) => Number(number.replace(/[^\d]/g, '')));
}

/** The URLs of the table rows a person sees (not hidden, not display:none), in order. */
function visibleRowUrls(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLTableRowElement>('#results tr[data-url]')]
      .filter((row) => !row.hidden && row.checkVisibility())
      .map((row) => row.dataset.url ?? ''),
  );
}

function resultsCount(page: Page): Promise<number> {
  return page.evaluate(() => Number(document.querySelector<HTMLElement>('#results-count')?.dataset.value));
}

function sampling(page: Page): Promise<{ shown: number; total: number }> {
  return page.evaluate(() => {
    const element = document.querySelector<HTMLElement>('#sampling');
    return { shown: Number(element?.dataset.shown), total: Number(element?.dataset.total) };
  });
}

/** Every bar of a result (`[data-bar]`) and of the sequential baseline (`[data-baseline]`), with where it is drawn. */
function drawnBars(page: Page): Promise<DrawnBar[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<SVGGraphicsElement>('[data-bar], [data-baseline]')].map((bar) => {
      // The bar's box: its data-x/data-width when given, else its own (or its first rect's) box.
      const shape = bar.tagName.toLowerCase() === 'g' ? (bar.querySelector<SVGGraphicsElement>('rect') ?? bar) : bar;
      const box = shape.getBBox();
      const screen = shape.getBoundingClientRect();
      const number = (name: string, fallback: number) => (bar.hasAttribute(name) ? Number(bar.getAttribute(name)) : fallback);
      return {
        url: bar.dataset.url ?? '',
        verdict: bar.dataset.verdict ?? '',
        startMs: Number(bar.dataset.startMs),
        durationMs: Number(bar.dataset.durationMs),
        baseline: bar.hasAttribute('data-baseline'),
        ariaLabel: bar.getAttribute('aria-label') ?? '',
        tabIndex: bar.getAttribute('tabindex'),
        x: number('data-x', box.x),
        width: number('data-width', box.width),
        screenLeft: screen.left,
        screenRight: screen.right,
      };
    }),
  );
}

/**
 * Checks that the bars sit on one linear time axis: x = origin + startMs × scale for every bar,
 * and width = durationMs × scale (a bar too short to see may be drawn wider, up to 4 units).
 * Returns the scale (units per ms).
 */
function expectOnOneTimeAxis(bars: DrawnBar[], msPerPx: number | null): number {
  expect(bars.length).toBeGreaterThan(1);
  const n = bars.length;
  const meanStart = bars.reduce((sum, bar) => sum + bar.startMs, 0) / n;
  const meanX = bars.reduce((sum, bar) => sum + bar.x, 0) / n;
  const spread = bars.reduce((sum, bar) => sum + (bar.startMs - meanStart) ** 2, 0);
  expect(spread, 'bars start at different times').toBeGreaterThan(0);
  const scale = bars.reduce((sum, bar) => sum + (bar.startMs - meanStart) * (bar.x - meanX), 0) / spread;
  const origin = meanX - scale * meanStart;
  expect(scale).toBeGreaterThan(0);
  if (msPerPx !== null) expect(Math.abs(scale * msPerPx - 1), `scale ${scale} units/ms against data-ms-per-px ${msPerPx}`).toBeLessThan(0.01);
  // Within a pixel (a user unit): the report may round positions, never misplace them.
  const tolerance = 1;
  for (const bar of bars) {
    expect(Math.abs(bar.x - (origin + scale * bar.startMs)), `x of ${bar.url} (start ${bar.startMs} ms)`).toBeLessThanOrEqual(tolerance);
    const width = scale * bar.durationMs;
    expect(bar.width, `width of ${bar.url} (${bar.durationMs} ms)`).toBeGreaterThanOrEqual(width - tolerance);
    expect(bar.width, `width of ${bar.url} (${bar.durationMs} ms)`).toBeLessThanOrEqual(Math.max(width + tolerance, 4));
  }
  return scale;
}

function msPerPxOf(page: Page): Promise<number | null> {
  return page.evaluate(() => {
    const value = document.querySelector<SVGElement>('#waterfall')?.dataset.msPerPx;
    return value === undefined ? null : Number(value);
  });
}

/** Opens the report, runs `body`, then fails on anything the page complained about. */
async function withReport(path: string, body: (report: OpenedReport) => Promise<void>, options: { colorScheme?: 'light' | 'dark' } = {}): Promise<void> {
  const report = await openReport(browser(), path, options);
  try {
    await body(report);
    // Protection: the report is self-contained (no request but the file itself) and error-free.
    expect(report.complaints()).toEqual([]);
    expect(await report.page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
  } finally {
    await report.close();
  }
}

describe.skipIf(SKIP_BROWSER)('the HTML report of a mixed run, in Chromium', () => {
  let html = '';
  let json: JsonReport;
  /** Results by URL (every URL in the list is distinct). */
  const byUrl = new Map<string, CheckResult>();

  beforeAll(async () => {
    const refused = await closedPort();
    const lines = [
      ...Array.from({ length: 14 }, (_, i) => server().url(`/delay/${20 + ((i * 37) % 150)}/page-${i + 1}`)),
      server().url('/delay/450/slow-page'),
      server().url('/moved/301'),
      server().url('/redirect/2'),
      server().url('/status/404/missing-a'),
      server().url('/status/404/missing-b'),
      server().url('/status/500'),
      server().url('/challenge'),
      server().url('/hang'),
      `http://127.0.0.1:${refused}/refused`,
      server().url(`/status/410/q?x=</script><script>window.__pwned="query"</script>&y="'`),
      ...HOSTILE_LINES,
    ];
    const list = await temp.listFile('mixed.txt', lines);
    html = join(temp.path(), 'mixed.html');
    const jsonPath = join(temp.path(), 'mixed.json');
    const run = await runCli([list, '-f', 'html', '-o', html, '--report', `json:${jsonPath}`, '-c', '6', '--timeout', '700', '--retries', '1', '--slow', '300']);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(run.code).toBe(1);
    json = JSON.parse(await readFile(jsonPath, 'utf8')) as JsonReport;
    expect(json.results).toHaveLength(lines.length);
    for (const result of json.results) byUrl.set(result.url, result);
    expect(byUrl.size).toBe(lines.length);
  }, 60_000);

  it('opens offline with no console error and no request but the file; the counts shown are the summary', async () => {
    await withReport(html, async ({ page }) => {
      expect(await page.evaluate(() => document.documentElement.dataset.urlcheckReport)).toBe('1');
      const counts = await shownCounts(page);
      const expected: Record<string, number> = { ...json.summary.byVerdict, total: json.summary.total };
      for (const [name, value] of Object.entries(expected)) {
        expect(counts[name]?.value, `[data-count="${name}"]`).toBe(value);
        expect(numbersIn(counts[name]?.text ?? ''), `the text of [data-count="${name}"]`).toContain(value);
      }
      expect(await sampling(page)).toEqual({ shown: json.summary.total, total: json.summary.total });
      expect(await resultsCount(page)).toBe(json.summary.total);
      expect((await visibleRowUrls(page)).sort()).toEqual([...byUrl.keys()].sort());
      await page.waitForSelector('#histogram', { state: 'attached' });
      await page.waitForSelector('#slowest', { state: 'attached' });
      await page.waitForSelector('#inflight', { state: 'attached' });
    });
  });

  it('filters by verdict and by code, and searches by URL, showing exactly the matching rows', async () => {
    await withReport(html, async ({ page }) => {
      const expectRows = async (what: string, expected: string[]) => {
        await expect.poll(() => resultsCount(page), { message: `#results-count for ${what}`, timeout: 5_000 }).toBe(expected.length);
        await expect.poll(async () => (await visibleRowUrls(page)).sort(), { message: `rows for ${what}`, timeout: 5_000 }).toEqual([...expected].sort());
      };
      const urlsWhere = (keep: (result: CheckResult) => boolean) => json.results.filter(keep).map((result) => result.url);

      for (const verdict of ['broken', 'transient', 'blocked', 'warning', 'healthy'] as const) {
        await page.selectOption('#filter-verdict', verdict);
        const expected = urlsWhere((result) => result.verdict === verdict);
        expect(expected.length, `the run has ${verdict} results`).toBeGreaterThan(0);
        await expectRows(`verdict ${verdict}`, expected);
      }
      await page.selectOption('#filter-verdict', '');
      await expectRows('every verdict', [...byUrl.keys()]);

      await page.selectOption('#filter-code', 'HTTP_STATUS');
      await expectRows('code HTTP_STATUS', urlsWhere((result) => result.error?.code === 'HTTP_STATUS'));
      await page.selectOption('#filter-code', '');

      await page.fill('#search', 'page-1');
      await expectRows('search "page-1"', urlsWhere((result) => result.url.includes('page-1')));
      await page.fill('#search', '</script>');
      await expectRows('search "</script>"', urlsWhere((result) => result.url.includes('</script>')));
      // Both at once: a search within a verdict.
      await page.selectOption('#filter-verdict', 'broken');
      await expectRows('broken and "</script>"', urlsWhere((result) => result.verdict === 'broken' && result.url.includes('</script>')));
      await page.selectOption('#filter-verdict', '');
      await page.fill('#search', '');
      await expectRows('no filter', [...byUrl.keys()]);
    });
  });

  it('draws one waterfall bar per result, placed by startMs and sized by duration on one axis', async () => {
    await withReport(html, async ({ page }) => {
      const bars = (await drawnBars(page)).filter((bar) => !bar.baseline);
      expect(bars.map((bar) => bar.url).sort()).toEqual([...byUrl.keys()].sort());
      for (const bar of bars) {
        const result = byUrl.get(bar.url) as CheckResult;
        expect(bar.verdict, bar.url).toBe(result.verdict);
        expect(Math.abs(bar.startMs - (result.startMs ?? Number.NaN)), `startMs of ${bar.url}`).toBeLessThanOrEqual(0.5);
        expect(Math.abs(bar.durationMs - result.durationMs), `durationMs of ${bar.url}`).toBeLessThanOrEqual(0.5);
        expect(bar.tabIndex, bar.url).toBe('0');
        expect(bar.ariaLabel, bar.url).toContain(bar.url);
      }
      expectOnOneTimeAxis(bars, await msPerPxOf(page));
      // /hang took two 700 ms deadlines: the longest bar, far wider than a page's.
      const widest = bars.reduce((a, b) => (b.width > a.width ? b : a));
      expect(widest.url).toBe(server().url('/hang'));
    });
  });

  it('lists every failure and warning, and Tab reaches each of them', async () => {
    await withReport(html, async ({ page }) => {
      const unhealthy = json.results.filter((result) => result.verdict !== 'healthy');
      const listed = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('#failures [data-failure]')].map((item) => ({ url: item.dataset.url ?? '', code: item.dataset.code ?? '' })),
      );
      expect([...new Set(listed.map((item) => item.url))].sort()).toEqual(unhealthy.map((result) => result.url).sort());
      for (const item of listed) {
        const result = byUrl.get(item.url) as CheckResult;
        expect([result.error?.code, ...result.warnings.map((warning) => warning.code)], item.url).toContain(item.code);
      }

      await page.evaluate(() => {
        const reached = new Set<string>();
        (window as { __reached?: Set<string> }).__reached = reached;
        document.addEventListener('focusin', (event) => {
          const element = event.target as HTMLElement;
          if (element.dataset?.failure !== undefined) reached.add(element.dataset.url ?? '');
        });
      });
      const reachedCount = () => page.evaluate(() => (window as { __reached?: Set<string> }).__reached?.size ?? 0);
      const limit = 20 * json.results.length + 50;
      let presses = 0;
      while (presses < limit && (await reachedCount()) < unhealthy.length) {
        await page.keyboard.press('Tab');
        presses += 1;
      }
      const reached = await page.evaluate(() => [...((window as { __reached?: Set<string> }).__reached ?? [])]);
      expect(reached.sort()).toEqual(unhealthy.map((result) => result.url).sort());
      console.info(`[measure] keyboard: every failure reached in ${presses} Tab presses`);
    });
  });

  it('shows hostile URLs as text: nothing runs, nothing breaks', async () => {
    await withReport(html, async ({ page }) => {
      const hostile = json.results.filter((result) => /<\/script>|["']|\u2028/.test(result.url));
      expect(hostile.length).toBe(HOSTILE_LINES.length + 1);
      const rows = await page.evaluate(() =>
        Object.fromEntries(
          [...document.querySelectorAll<HTMLTableRowElement>('#results tr[data-url]')].map((row) => [row.dataset.url ?? '', row.textContent ?? '']),
        ),
      );
      for (const result of hostile) {
        expect(rows[result.url], `row of ${JSON.stringify(result.url)}`).toBeDefined();
        expect(rows[result.url]).toContain(result.url);
      }
      // Nothing was injected: no element carries an event-handler attribute from the data.
      expect(await page.locator('[onerror], [onload], [onclick]').count()).toBe(0);
    });
  });

  it('honours prefers-color-scheme; screenshots in light and dark', async () => {
    const backgrounds: Record<string, string> = {};
    for (const colorScheme of ['light', 'dark'] as const) {
      await withReport(
        html,
        async ({ page }) => {
          backgrounds[colorScheme] = await page.evaluate(() =>
            [document.body, document.documentElement].map((element) => getComputedStyle(element).backgroundColor).join(' / '),
          );
          const path = await saveScreenshot(page, join(ARTIFACTS_DIR, `html-report-${colorScheme}.png`));
          expect((await stat(path)).size).toBeGreaterThan(10_000);
        },
        { colorScheme },
      );
    }
    expect(backgrounds.dark).not.toBe(backgrounds.light);
  });
});

describe.skipIf(SKIP_BROWSER)('the HTML report with --compare, in Chromium', () => {
  it('draws the sequential baseline on the same time scale, below, longer', async () => {
    const pages = 10;
    const list = await temp.listFile(
      'compare.txt',
      Array.from({ length: pages }, (_, i) => server().url(`/delay/80/compare-${i + 1}`)),
    );
    const html = join(temp.path(), 'compare.html');
    const run = await runCli([list, '--compare', '-c', String(pages), '-f', 'html', '-o', html]);
    expect(run.code).toBe(0);
    await withReport(html, async ({ page }) => {
      const bars = await drawnBars(page);
      const concurrent = bars.filter((bar) => !bar.baseline);
      const baseline = bars.filter((bar) => bar.baseline);
      expect(concurrent).toHaveLength(pages);
      expect(baseline).toHaveLength(pages);
      const scale = expectOnOneTimeAxis(concurrent, await msPerPxOf(page));
      expect(expectOnOneTimeAxis(baseline, null) / scale).toBeCloseTo(1, 2);
      // Seen, not computed: one at a time (10 × 80 ms) spans several times the width of all at once.
      const span = (drawn: DrawnBar[]) => Math.max(...drawn.map((bar) => bar.screenRight)) - Math.min(...drawn.map((bar) => bar.screenLeft));
      expect(span(baseline)).toBeGreaterThan(2 * span(concurrent));
    });
  });
});

describe.skipIf(SKIP_BROWSER)('the HTML report of 100,000 URLs, in Chromium', () => {
  it(
    'stays small, samples what it shows and says so, keeps every failure, and renders',
    async () => {
      const total = 100_000;
      const broken = 100;
      const lines: string[] = [];
      for (let i = 1; i <= total; i += 1) {
        lines.push(i % (total / broken) === 0 ? server().url(`/status/404/n${i}`) : server().url(`/delay/0/n${i}`));
      }
      const list = join(temp.path(), '100k.txt');
      await writeFile(list, `${lines.join('\n')}\n`);
      lines.length = 0;
      const html = join(temp.path(), '100k.html');
      const run = await runCli([list, '-c', '100', '--retries', '0', '-f', 'html', '-o', html]);
      expect(run.code).toBe(1);
      const size = (await stat(html)).size;

      await withReport(html, async ({ page, renderMs }) => {
        console.info(
          `[measure] 100k-URL HTML report, node ${process.version}: ${(size / 1e6).toFixed(2)} MB, first render ${renderMs.toFixed(0)} ms after navigation start (target ≤ 2000 ms, checked by bench H1)`,
        );
        const counts = await shownCounts(page);
        expect(counts.total?.value).toBe(total);
        expect(counts.healthy?.value).toBe(total - broken);
        expect(counts.broken?.value).toBe(broken);
        const { shown, total: sampledFrom } = await sampling(page);
        expect(sampledFrom).toBe(total);
        expect(shown).toBeGreaterThanOrEqual(broken);
        expect(shown).toBeLessThan(total);
        expect(await resultsCount(page)).toBe(shown);
        const bars = (await drawnBars(page)).filter((bar) => !bar.baseline);
        expect(bars).toHaveLength(shown);
        expectOnOneTimeAxis(bars, await msPerPxOf(page));
        const failures = await page.evaluate(() => new Set([...document.querySelectorAll<HTMLElement>('#failures [data-failure]')].map((item) => item.dataset.url)).size);
        expect(failures).toBe(broken);
        // The verdict filter finds every broken row among the sample (failures are all kept).
        await page.selectOption('#filter-verdict', 'broken');
        await expect.poll(() => resultsCount(page), { timeout: 10_000 }).toBe(broken);
      });
    },
    240_000,
  );
});
