import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { DomUtils, parseDocument, Parser } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import {
  createHtmlReporter,
  DEFAULT_HTML_ATTENTION_CAP,
  DEFAULT_HTML_HEALTHY_SAMPLE,
  DEFAULT_HTML_SLOWEST,
  type HtmlReporterOptions,
} from '../../src/reporters/html.js';
import { htmlText, scriptJson } from '../../src/reporters/html/escape.js';
import { InFlightHistogram, LATENCY_BUCKETS, LogLatencyHistogram } from '../../src/reporters/html/histograms.js';
import { Reservoir } from '../../src/reporters/html/sample.js';
import { REPORT_SCRIPT } from '../../src/reporters/html/script.js';
import { REPORT_STYLE } from '../../src/reporters/html/style.js';
import { BaselineBars } from '../../src/pipeline/compare.js';
import type { Comparison } from '../../src/model/run.js';
import type { RunEnd } from '../../src/model/reporter.js';
import type { Summary } from '../../src/model/summary.js';
import { VERDICTS, type CheckResult, type Verdict } from '../../src/model/types.js';
import { printable } from '../../src/util/redact.js';
import { seeded } from '../helpers/random.js';
import { captureContext, driveReporter, everyVerdictResults, resultWith } from '../helpers/samples.js';

/** The page's data, as its script reads it. */
interface PageData {
  summary: Summary;
  comparison: Comparison | null;
  sampling: { shown: number; total: number; attention: { kept: number; total: number; cap: number }; healthy: { kept: number; total: number } };
  axisMs: number;
  inflight: { bucketMs: number; values: number[] };
  latency: { perDecade: number; counts: number[] };
  sources: string[];
  results: Array<{ u: string; s: number; l: number; v: Verdict; t: number | null; d: number; c?: string; m?: string; k: number; dup?: [number, number] }>;
}

async function report(
  results: Iterable<CheckResult>,
  options: HtmlReporterOptions & { end?: (summary: Summary) => RunEnd } = {},
): Promise<{ html: string; err: string; held: { attention: number; slowest: number; healthy: number } }> {
  const { ctx, out, err } = captureContext();
  const reporter = createHtmlReporter(ctx, options);
  await driveReporter(reporter, results, options.end);
  return { html: await out(), err: await err(), held: reporter.held };
}

const VOID_ELEMENTS = new Set(['meta', 'link', 'br', 'hr', 'img', 'input', 'area', 'base', 'col', 'embed', 'source', 'track', 'wbr']);

/** Parses the page with a real HTML parser and lists every element closed only by implication (a missing end tag). */
function unclosedElements(html: string): string[] {
  const implied: string[] = [];
  const parser = new Parser(
    {
      onclosetag(name, isImplied) {
        if (isImplied && !VOID_ELEMENTS.has(name)) implied.push(name);
      },
    },
    { decodeEntities: true, recognizeSelfClosing: true },
  );
  parser.write(html);
  parser.end();
  return implied;
}

function elementById(html: string, id: string) {
  const found = DomUtils.findOne((element) => element.attribs['id'] === id, parseDocument(html).children, true);
  if (found === null) throw new Error(`no #${id}`);
  return found;
}

function pageData(html: string): PageData {
  return JSON.parse(DomUtils.textContent(elementById(html, 'urlcheck-data'))) as PageData;
}

/** A healthy or failing result at line `i` of a long list, started and ended on a made-up 50-slot timeline. */
function syntheticResult(i: number, verdict: Verdict = 'healthy'): CheckResult {
  const durationMs = 20 + ((i * 7919) % 400);
  const ok = verdict === 'healthy' || verdict === 'warning';
  return resultWith({
    url: `https://host${i % 97}.example.test/docs/section-${i % 13}/page-${i}.html`,
    line: i + 1,
    source: 'urls.txt',
    ok,
    status: ok ? 200 : 404,
    verdict,
    error: ok ? null : { code: 'HTTP_STATUS', message: 'status 404 is not in --accept 200-299' },
    warnings: verdict === 'warning' ? [{ code: 'SLOW', message: 'took 900 ms, more than --slow 800 ms' }] : [],
    startMs: Math.floor(i / 50) * 200 + (i % 50) * 0.5,
    durationMs,
    timings: { dnsMs: null, connectMs: null, tlsMs: null, firstByteMs: durationMs * 0.8, totalMs: durationMs, reusedConnection: true },
  });
}

/** The verdict of line `i` in a list where about 3% fail and 2% warn. */
function mixedVerdict(i: number): Verdict {
  const roll = (i * 2654435761) % 100;
  return roll < 3 ? 'broken' : roll < 5 ? 'warning' : 'healthy';
}

describe('html reporter: a self-contained page', () => {
  it('is well-formed HTML: every element closed, one style, one script and one data block', async () => {
    const { html, err } = await report(everyVerdictResults());
    expect(err).toBe('');
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en" data-urlcheck-report="1">')).toBe(true);
    expect(html.endsWith('</html>\n')).toBe(true);
    expect(unclosedElements(html)).toEqual([]);
    expect(html.match(/<script\b/g)).toHaveLength(2);
    expect(html.match(/<\/script/gi)).toHaveLength(2);
    expect(html.match(/<style\b/g)).toHaveLength(1);
    expect(html.match(/<\/style/gi)).toHaveLength(1);
  });

  it('loads nothing: no src or href but in-page anchors, no url() but in-page patterns, a CSP that forbids everything but its own style and script', async () => {
    const { html } = await report(everyVerdictResults());
    const document = parseDocument(html);
    for (const element of DomUtils.findAll(() => true, document.children)) {
      for (const [name, value] of Object.entries(element.attribs)) {
        if (['src', 'href', 'xlink:href', 'srcset', 'action', 'formaction', 'poster', 'data', 'background'].includes(name)) {
          expect(`${name}=${value}`).toMatch(/^(href|xlink:href)=#[a-z-]+$/);
        }
        if (name === 'fill' || name === 'style') expect(value).toMatch(/^url\(#hatch-[a-z]+\)$/);
      }
      expect(['img', 'link', 'iframe', 'object', 'embed', 'audio', 'video', 'source', 'base', 'form', 'a'].includes(element.name) && element.name !== 'a').toBe(false);
    }
    expect(html).not.toMatch(/@import|@font-face|http-equiv="refresh"/i);
    expect(REPORT_STYLE).not.toMatch(/url\(|@import/);
    // The script builds no URL but the SVG namespace and in-page pattern references, and never fetches.
    expect(REPORT_SCRIPT).not.toMatch(/fetch\(|XMLHttpRequest|import\(|\.src\b|\.href\b|sendBeacon|WebSocket|EventSource|innerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);

    const csp = DomUtils.findOne((element) => element.attribs['http-equiv'] === 'Content-Security-Policy', document.children, true);
    const policy = csp?.attribs['content'] ?? '';
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
    const scripts = DomUtils.getElementsByTagName('script', document.children, true);
    const inline = scripts.find((script) => script.attribs['type'] === undefined);
    const style = DomUtils.getElementsByTagName('style', document.children, true)[0];
    expect(inline === undefined || style === undefined).toBe(false);
    expect(policy).toBe(
      `default-src 'none'; style-src ${hash(DomUtils.textContent(style!))}; script-src ${hash(DomUtils.textContent(inline!))}; img-src 'none'; base-uri 'none'; form-action 'none'`,
    );
    // The policy is the first thing in <head>: nothing before it could load.
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<title>'));
  });

  it('keeps its own script and style free of anything that could end their element early', () => {
    for (const text of [REPORT_SCRIPT, REPORT_STYLE]) expect(text).not.toMatch(/<\/|<!--|<script|\$\{|`/i);
    // It compiles (the browser tests run it).
    expect(() => new Function(REPORT_SCRIPT)).not.toThrow();
  });

  it('escapes hostile URLs, messages and file names everywhere: they come back as text, never as markup', async () => {
    const hostileUrl = 'https://evil.test/?q=</script><script>alert(1)</script>&x="\'\u2028\u2029<!--';
    const hostileMessage = 'HTTP 500 <img src=x onerror=alert(2)> </SCRIPT> \u2028 \u0007 \u202e';
    const hostileSource = 'lists/<b>"odd"</b>\n::error::x.txt';
    const results = [
      resultWith({ url: hostileUrl, line: 1, source: hostileSource, ok: false, status: 500, verdict: 'broken', error: { code: 'HTTP_STATUS', message: hostileMessage } }),
      resultWith({ url: hostileUrl, line: 2, redirects: [{ status: 301, location: hostileUrl }], finalUrl: `${hostileUrl}/new`, verdict: 'warning', warnings: [{ code: 'PERMANENT_REDIRECT', message: hostileMessage }] }),
    ];
    const { html } = await report(results, {
      end: (summary) => ({ summary, comparison: null, diff: { previous: '</code><script>alert(3)</script>\n::warning::x', newlyFailing: 1, recovered: 0, stillFailing: 0, gone: 0 } }),
    });
    expect(html).not.toMatch(/<script>alert|<img|<b>|<\/SCRIPT>|<!--/);
    expect(html).not.toMatch(/[\u2028\u2029\u0007\u202e]/);
    // No text from the input starts a line (GitHub Actions reads `::` lines as commands).
    expect(html.split('\n').some((line) => line.startsWith('::'))).toBe(false);
    expect(html.match(/<script\b/g)).toHaveLength(2);
    const data = pageData(html);
    const broken = data.results.find((r) => r.v === 'broken');
    expect(broken?.u).toBe(hostileUrl);
    expect(broken?.m).toBe(printable(hostileMessage));
    expect(data.sources).toContain(printable(hostileSource));
    expect(DomUtils.textContent(elementById(html, 'diff'))).toContain('</code><script>alert(3)</script>\\u000a::warning::x');
  });

  it('shows the counts, timings and options of the run, with data-value integers', async () => {
    const { html } = await report(everyVerdictResults(), {
      end: (summary) => ({ summary, comparison: null, diff: { previous: 'last.json', newlyFailing: 2, recovered: 1, stillFailing: 3, gone: 0 } }),
    });
    const document = parseDocument(html);
    const value = (attribute: string, key: string) =>
      DomUtils.findOne((element) => element.attribs[attribute] === key, document.children, true)?.attribs['data-value'];
    expect(Object.fromEntries(VERDICTS.map((verdict) => [verdict, value('data-count', verdict)]))).toEqual({
      healthy: '1',
      warning: '1',
      broken: '3',
      transient: '1',
      blocked: '1',
    });
    expect(value('data-count', 'total')).toBe('7');
    expect(value('data-stat', 'wallMs')).toBe('2000');
    expect(value('data-stat', 'p95')).toBe('1500');
    expect(value('data-diff', 'newly-failing')).toBe('2');
    expect(value('data-diff', 'recovered')).toBe('1');
    const options = DomUtils.textContent(DomUtils.findOne((element) => element.attribs['class'] === 'options', document.children, true)!);
    expect(options).toBe('concurrency10per hostno limittimeout10.0 sretries2methodHEADaccept200-299max redirects10');
    expect(DomUtils.textContent(elementById(html, 'sampling'))).toBe('Nothing sampled: all results shown (7).');
    expect(elementById(html, 'sampling').attribs).toMatchObject({ 'data-shown': '7', 'data-total': '7' });
  });

  it('puts every result in its data when nothing is sampled, with its start, duration and why it is shown', async () => {
    const results: CheckResult[] = everyVerdictResults().map((result, index) => ({ ...result, startMs: index * 10 }));
    results.push(resultWith({ url: 'https://old.test/', line: 9, startMs: null }));
    const { html } = await report(results);
    const data = pageData(html);
    expect(data.results).toHaveLength(8);
    const byLine = (a: { l: number }, b: { l: number }) => a.l - b.l;
    expect([...data.results].sort(byLine).map((r) => r.t)).toEqual([...results].sort((a, b) => a.line - b.line).map((r) => r.startMs));
    expect(data.results.find((r) => r.u === 'https://old.test/')?.t).toBeNull();
    expect(data.results.filter((r) => r.v !== 'healthy').every((r) => (r.k & 1) === 1)).toBe(true);
    expect(data.axisMs).toBe(2000);
    expect(data.inflight.values.length).toBeGreaterThan(0);
  });

  it('draws the baseline with --compare: the comparison and its bars go into the page', async () => {
    const bars = new BaselineBars(4);
    for (let i = 0; i < 10; i += 1) bars.add(i * 100, 100, i !== 3);
    const comparison: Comparison = {
      concurrency: 10,
      targets: 20,
      sampleSize: 10,
      estimated: true,
      concurrentMs: 150,
      sequentialMs: 2000,
      sequentialMeasuredMs: 1000,
      speedup: 13.33,
      idealSpeedup: 20,
      efficiency: 0.667,
      disagreements: 0,
      baselineBars: bars.bars(),
    };
    const { html } = await report(everyVerdictResults(), { end: (summary) => ({ summary, comparison, diff: null }) });
    expect(pageData(html).comparison?.baselineBars).toEqual(comparison.baselineBars);
    expect(DomUtils.textContent(elementById(html, 'comparison'))).toBe(
      'Speed-up ~13.3× at concurrency 10: 150 ms against ~2.00 s (estimated from 10 of 20 URLs timed one by one in 1.00 s; ideal 20.0×, efficiency 67%)',
    );
    expect(elementById(html, 'speedup').name).toBe('svg');
  });
});

describe('html reporter: bounded at any list length', () => {
  it('holds no more than its caps over 200,000 results, and says what it sampled', async () => {
    const { ctx, out } = captureContext();
    const reporter = createHtmlReporter(ctx, { random: seeded(15) });
    let maxHeld = { attention: 0, slowest: 0, healthy: 0 };
    const results = (function* () {
      for (let i = 0; i < 200_000; i += 1) {
        // Failures arrive at random among healthy results, in no input order.
        const line = (i * 7919) % 200_000;
        yield syntheticResult(line, mixedVerdict(line));
        const held = reporter.held;
        maxHeld = {
          attention: Math.max(maxHeld.attention, held.attention),
          slowest: Math.max(maxHeld.slowest, held.slowest),
          healthy: Math.max(maxHeld.healthy, held.healthy),
        };
      }
    })();
    await driveReporter(reporter, results);
    expect(maxHeld).toEqual({ attention: DEFAULT_HTML_ATTENTION_CAP, slowest: DEFAULT_HTML_SLOWEST, healthy: DEFAULT_HTML_HEALTHY_SAMPLE });
    const html = await out();
    const data = pageData(html);
    const attentionTotal = data.summary.unhealthy + data.summary.byVerdict.warning;
    expect(attentionTotal).toBeGreaterThan(DEFAULT_HTML_ATTENTION_CAP);
    expect(data.sampling).toMatchObject({
      total: 200_000,
      attention: { kept: DEFAULT_HTML_ATTENTION_CAP, total: attentionTotal, cap: DEFAULT_HTML_ATTENTION_CAP },
      healthy: { kept: DEFAULT_HTML_HEALTHY_SAMPLE, total: data.summary.byVerdict.healthy },
    });
    expect(data.results.length).toBe(data.sampling.shown);
    expect(data.results.length).toBeLessThanOrEqual(DEFAULT_HTML_ATTENTION_CAP + DEFAULT_HTML_SLOWEST + DEFAULT_HTML_HEALTHY_SAMPLE);
    // The listed failures are the first by rank and input order: the broken ones, from line 1 on.
    const listed = data.results.filter((r) => (r.k & 1) === 1);
    expect(listed.every((r) => r.v === 'broken')).toBe(true);
    const brokenLines = Array.from({ length: 200_000 }, (_, line) => line).filter((line) => mixedVerdict(line) === 'broken');
    expect(listed.map((r) => r.l).sort((a, b) => a - b)).toEqual(brokenLines.slice(0, DEFAULT_HTML_ATTENTION_CAP).map((line) => line + 1));
    // The slowest are the slowest of all.
    const slowest = data.results.filter((r) => (r.k & 2) === 2).map((r) => r.d);
    expect(Math.min(...slowest)).toBe(419);
    expect(DomUtils.textContent(elementById(html, 'sampling'))).toBe(
      `Showing ${data.sampling.shown.toLocaleString('en-US')} of 200,000 results: the first 5,000 of ${attentionTotal.toLocaleString('en-US')} failures and warnings ` +
        '(failures first, in input order; the cap is 5,000), the 100 slowest checks, and a uniform random sample of 2,000 of the ' +
        `${data.summary.byVerdict.healthy.toLocaleString('en-US')} healthy results. The counts, percentiles, latency histogram and in-flight chart cover the whole run.`,
    );
    // Histograms count every result.
    expect(data.latency.counts.reduce((a, b) => a + b, 0)).toBe(200_000);
  });

  it('writes a 100,000-URL report well under 10 MB', async () => {
    for (const [label, verdictOf] of [
      ['3% failing, 2% warnings', mixedVerdict],
      ['every URL failing', () => 'broken' as Verdict],
    ] as const) {
      const results = (function* () {
        for (let i = 0; i < 100_000; i += 1) yield syntheticResult(i, verdictOf(i));
      })();
      const { html } = await report(results, { random: seeded(1) });
      const bytes = Buffer.byteLength(html);
      console.log(`html report for 100,000 URLs (${label}): ${(bytes / 1024 / 1024).toFixed(2)} MiB`);
      expect(bytes).toBeLessThan(10 * 1024 * 1024);
    }
  });
});

describe('html reporter: parts', () => {
  it('htmlText escapes markup and quotes and makes control characters visible', () => {
    expect(htmlText('<a href="x">&\'\n\u202e')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;\\u000a\\u202e');
  });

  it('scriptJson escapes what could close or confuse a script element, and reads back unchanged', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const json = scriptJson({ text });
        expect(json).not.toMatch(/[<>&\u2028\u2029\n\r]/);
        expect(JSON.parse(json)).toEqual({ text });
      }),
    );
  });

  it('InFlightHistogram: the average number in flight per bucket, exactly, as its buckets double', () => {
    const interval = fc.tuple(fc.double({ min: 0, max: 5_000, noNaN: true }), fc.double({ min: 0, max: 3_000, noNaN: true }));
    fc.assert(
      fc.property(fc.array(interval, { minLength: 1, maxLength: 60 }), fc.integer({ min: 4, max: 64 }), (intervals, buckets) => {
        const histogram = new InFlightHistogram(buckets);
        for (const [start, duration] of intervals) histogram.add(start, duration);
        const width = histogram.bucketWidthMs;
        const values = histogram.averages();
        const lastEnd = Math.max(...intervals.map(([start, duration]) => start + duration));
        expect(histogram.lastEndMs).toBe(lastEnd);
        const lastBusyEnd = Math.max(0, ...intervals.filter(([start, duration]) => start + duration > start).map(([start, duration]) => start + duration));
        expect(lastBusyEnd).toBeLessThanOrEqual(width * buckets);
        values.forEach((value, bucket) => {
          const from = bucket * width;
          const to = from + width;
          const busy = intervals.reduce((sum, [start, duration]) => sum + Math.max(0, Math.min(to, start + duration) - Math.max(from, start)), 0);
          expect(value).toBeCloseTo(busy / width, 1);
        });
      }),
    );
  });

  it('InFlightHistogram: two checks overlapping for half their time', () => {
    const histogram = new InFlightHistogram(4);
    histogram.add(0, 2);
    histogram.add(1, 2);
    expect(histogram.bucketWidthMs).toBe(1);
    expect(histogram.averages()).toEqual([1, 2, 1]);
    histogram.add(0, 6);
    expect(histogram.bucketWidthMs).toBe(2);
    expect(histogram.averages()).toEqual([2.5, 1.5, 1]);
    histogram.add(Number.NaN, 1);
    histogram.add(-1, 1);
    expect(histogram.size).toBe(3);
  });

  it('LogLatencyHistogram: ten buckets per tenfold from 1 ms', () => {
    const histogram = new LogLatencyHistogram();
    for (const ms of [0, 0.5, 1, 1.2, 9.99, 10, 100, 1e9, Number.NaN]) histogram.add(ms);
    const counts = histogram.values();
    expect(counts).toHaveLength(LATENCY_BUCKETS);
    expect(counts[0]).toBe(2);
    expect(counts[1]).toBe(2);
    expect(counts[10]).toBe(1);
    expect(counts[11]).toBe(1);
    expect(counts[21]).toBe(1);
    expect(counts.at(-1)).toBe(1);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(8);
  });

  it('Reservoir: a uniform sample, every item kept about as often', () => {
    const random = seeded(7);
    const n = 500;
    const capacity = 50;
    const trials = 4000;
    const kept = new Array<number>(n).fill(0);
    for (let trial = 0; trial < trials; trial += 1) {
      const reservoir = new Reservoir<number>(capacity, random);
      for (let i = 0; i < n; i += 1) reservoir.offer(i);
      expect(reservoir.size).toBe(capacity);
      for (const item of reservoir.items()) kept[item] = (kept[item] as number) + 1;
    }
    // Expected 400 each (capacity / n of the trials), standard deviation about 19.
    expect(Math.min(...kept)).toBeGreaterThan(300);
    expect(Math.max(...kept)).toBeLessThan(500);
  });

  it('BaselineBars: one bar per check up to the cap, then neighbours merged, every check and its time kept', () => {
    const bars = new BaselineBars(8);
    for (let i = 0; i < 5; i += 1) bars.add(i * 10, 10, true);
    expect(bars.bars()).toHaveLength(5);
    for (let i = 5; i < 37; i += 1) bars.add(i * 10, 10, i % 5 !== 0);
    const drawn = bars.bars();
    expect(drawn.length).toBeGreaterThan(4);
    expect(drawn.length).toBeLessThanOrEqual(8);
    expect(drawn.reduce((sum, bar) => sum + bar.checks, 0)).toBe(37);
    expect(drawn.reduce((sum, bar) => sum + bar.unhealthy, 0)).toBe(7);
    expect(drawn[0]?.startMs).toBe(0);
    const last = drawn.at(-1)!;
    expect(last.startMs + last.durationMs).toBe(370);
    for (let i = 1; i < drawn.length; i += 1) expect(drawn[i]!.startMs).toBe(drawn[i - 1]!.startMs + drawn[i - 1]!.durationMs);
  });
});
