// The HTML report: one self-contained page (see createHtmlReporter). Its DOM is a contract the
// browser tests (test/e2e/html-report.test.ts) and the bench read; change it only with them:
// - `<html data-urlcheck-report="1">`; after the first render the script sets `data-rendered="1"`
//   on it and `window.__urlcheckRenderMs` (performance.now() then, ms since navigation start;
//   `window.__urlcheckRenderTimings` splits it by part).
// - `[data-count="healthy|warning|broken|transient|blocked|total"]`: the summary's count in
//   `data-value` (an integer), formatted in the text. `[data-stat="wallMs|urlsPerSecond|p50|p95|
//   max|retried|redirected"]` and, with --diff, `[data-diff="newly-failing|recovered|
//   still-failing|gone"]` likewise.
// - `#sampling[data-shown][data-total]`: results in the page and in the run; its text says what
//   was sampled ("Nothing sampled: all results shown (N)." when nothing was).
// - `svg#waterfall[data-ms-per-px][data-axis-ms][data-origin-x="0"][data-unplaced]`: one
//   `g[data-bar]` per shown result with a start time (`startMs` a number, duplicates included),
//   with `data-start-ms`, `data-duration-ms`, `data-verdict`, `data-url`, `data-x` = startMs /
//   ms-per-px and `data-width` = durationMs / ms-per-px (exact; its first rect is the same box,
//   drawn at least 1 px wide), `tabindex="0"`, `role="img"`, an `aria-label` naming the URL. With
//   --compare, `g[data-baseline]` bars on the same scale below (data-start-ms, data-duration-ms,
//   data-checks, data-x, data-width) and a dashed `rect[data-baseline-estimate]` for the
//   extrapolated rest. `[data-scale="both|run"]` buttons switch the axis between both runs (the
//   default) and this run only. `svg#inflight[data-bucket-ms][data-peak]` is the in-flight chart.
// - `#failures`: every failure and warning in the page as an `li[data-failure][data-code]
//   [data-url][data-verdict][tabindex="0"]` (code: the error code, else the first warning's),
//   grouped by code or host (`[data-group-by="code|host"]` buttons).
// - `table#results`: rows `tr[data-url][data-verdict][data-code][data-codes]` (data-code as
//   above, "" when healthy; data-codes every code, space-separated), rendered 200 at a time
//   (`button#more` adds the next ones); `select#filter-verdict` ("" or a verdict),
//   `select#filter-code` ("" or a code: a row matches when any of its codes is it),
//   `input#search` (case-insensitive substring of the URL); rows that do not match are not in the
//   table; `#results-count[data-value]` counts every match.
// - `svg#histogram` (rects `[data-bucket][data-checks]`), `ol#slowest` (items `[data-url]`).
import { createHash } from 'node:crypto';
import type { Comparison, DiffSummary } from '../model/run.js';
import type { Reporter, ReporterContext, RunEnd, RunMeta } from '../model/reporter.js';
import type { Summary } from '../model/summary.js';
import { VERDICTS, type CheckResult, type Verdict } from '../model/types.js';
import { printable } from '../util/redact.js';
import { formatCount, plural } from '../util/text.js';
import { formatMs, VERDICT_SYMBOLS } from './format.js';
import { htmlText, scriptJson } from './html/escape.js';
import { InFlightHistogram, LATENCY_BUCKETS_PER_DECADE, LogLatencyHistogram } from './html/histograms.js';
import { Reservoir } from './html/sample.js';
import { REPORT_SCRIPT } from './html/script.js';
import { REPORT_STYLE } from './html/style.js';
import { ATTENTION_RANK, compareAttention, KeepSmallest, type AttentionPlace } from './rank.js';

/** Failures and warnings the HTML report lists at most (failures first, then warnings; each in input order). */
export const DEFAULT_HTML_ATTENTION_CAP = 5_000;

/** The slowest checks the HTML report always shows. */
export const DEFAULT_HTML_SLOWEST = 100;

/** Healthy results the HTML report shows at most: a uniform random sample of them. */
export const DEFAULT_HTML_HEALTHY_SAMPLE = 2_000;

/** How much of a run the HTML report keeps (each a cap on what it holds while results stream). */
export interface HtmlReporterOptions {
  /** Failures and warnings listed at most. Default {@link DEFAULT_HTML_ATTENTION_CAP}. */
  attentionCap?: number;
  /** Slowest checks kept. Default {@link DEFAULT_HTML_SLOWEST}. */
  slowest?: number;
  /** Healthy results sampled at most. Default {@link DEFAULT_HTML_HEALTHY_SAMPLE}. */
  healthySample?: number;
  /** The sample's random numbers in [0, 1). Default `Math.random`. */
  random?: () => number;
}

/** What an HTML reporter holds right now: never more than its caps (for tests). */
export interface HtmlHeldCounts {
  /** Failures and warnings held: at most the attention cap. */
  attention: number;
  /** Slowest checks held: at most the slowest cap. */
  slowest: number;
  /** Healthy results in the sample: at most the sample size. */
  healthy: number;
}

/** An HTML reporter, and what it holds (for tests). */
export interface HtmlReporter extends Reporter {
  readonly held: HtmlHeldCounts;
}

interface Candidate extends AttentionPlace {
  result: CheckResult;
}

interface Timed {
  durationMs: number;
  source: string;
  line: number;
  result: CheckResult;
}

/** Slowest first; among equals, input order (the same ones every run). */
function compareSlowest(a: Timed, b: Timed): number {
  if (a.durationMs !== b.durationMs) return b.durationMs - a.durationMs;
  if (a.source !== b.source) return a.source < b.source ? -1 : 1;
  return a.line - b.line;
}

/** Bits of a shown result's `k`: why it is in the report. */
const KEPT_ATTENTION = 1;
const KEPT_SLOWEST = 2;
const KEPT_SAMPLE = 4;

/**
 * One self-contained HTML page (inline CSS and JS, nothing loaded from anywhere; a
 * Content-Security-Policy that lets the page fetch nothing): the counts by verdict, the run's
 * timings and options, the failures grouped by error code or host, a waterfall of the checks on
 * the run's time axis with the number in flight above it (and the sequential baseline below it,
 * with --compare), a log-scale latency histogram, the slowest URLs, and a table of results to
 * filter and search.
 *
 * Bounded whatever the length of the list: while results stream, it keeps the first
 * `attentionCap` failures and warnings by rank and input order, the `slowest` slowest checks and
 * a uniform random sample of `healthySample` healthy results (O(1) or O(log cap) per result), and
 * counts every result in constant-memory histograms (in flight over time, latency). Counts and
 * percentiles come from the run's summary, so they are exact; the page says what it sampled. The
 * page is written when the run ends.
 */
export function createHtmlReporter({ out }: ReporterContext, options: HtmlReporterOptions = {}): HtmlReporter {
  const attention = new KeepSmallest<Candidate>(options.attentionCap ?? DEFAULT_HTML_ATTENTION_CAP, compareAttention);
  const slowest = new KeepSmallest<Timed>(options.slowest ?? DEFAULT_HTML_SLOWEST, compareSlowest);
  const healthy = new Reservoir<CheckResult>(options.healthySample ?? DEFAULT_HTML_HEALTHY_SAMPLE, options.random);
  const inFlight = new InFlightHistogram();
  const latency = new LogLatencyHistogram();
  let attentionTotal = 0;
  let maxEndMs = 0;
  let meta: RunMeta | null = null;

  return {
    get held() {
      return { attention: attention.size, slowest: slowest.size, healthy: healthy.size };
    },
    onRunStart: (runMeta) => {
      meta = runMeta;
    },
    onResult: (result) => {
      const start = result.startMs;
      if (typeof start === 'number' && Number.isFinite(start) && start >= 0) {
        const end = start + result.durationMs;
        if (end > maxEndMs) maxEndMs = end;
        // A duplicate line made no request: the line whose check answered it is counted.
        if (result.duplicateOf === undefined) inFlight.add(start, result.durationMs);
      }
      if (result.attempts > 0) {
        latency.add(result.durationMs);
        if (result.duplicateOf === undefined) {
          const timed = { durationMs: result.durationMs, source: result.source, line: result.line, result };
          if (slowest.wouldKeep(timed)) slowest.offer(timed);
        }
      }
      if (result.verdict === 'healthy') {
        healthy.offer(result);
        return;
      }
      attentionTotal += 1;
      const candidate = { rank: ATTENTION_RANK[result.verdict], source: result.source, line: result.line, result };
      if (attention.wouldKeep(candidate)) attention.offer(candidate);
    },
    onRunEnd: async (end) => {
      const kept = new Map<CheckResult, number>();
      const mark = (result: CheckResult, bit: number) => kept.set(result, (kept.get(result) ?? 0) | bit);
      for (const { result } of attention.sorted()) mark(result, KEPT_ATTENTION);
      for (const { result } of slowest.sorted()) mark(result, KEPT_SLOWEST);
      for (const result of healthy.items()) mark(result, KEPT_SAMPLE);
      const sampling: Sampling = {
        shown: kept.size,
        total: end.summary.total,
        attention: { kept: attention.size, total: attentionTotal, cap: options.attentionCap ?? DEFAULT_HTML_ATTENTION_CAP },
        slowest: { kept: slowest.size, cap: options.slowest ?? DEFAULT_HTML_SLOWEST },
        healthy: { kept: healthy.size, total: healthy.offered, cap: healthy.capacity },
      };
      const page = renderPage({
        meta,
        end,
        kept,
        sampling,
        axisMs: Math.max(end.summary.wallMs, maxEndMs),
        // Starts and durations are each rounded to 0.1 ms, so a slot's next check can seem to
        // start a hair before the last one ended: never show more in flight than the pool allows.
        inFlight: { bucketMs: inFlight.bucketWidthMs, values: capped(inFlight.averages(), meta?.concurrency ?? null) },
        latency: latency.values(),
      });
      for (let at = 0; at < page.length; at += WRITE_CHUNK_CHARS) {
        const waiting = out.write(page.slice(at, at + WRITE_CHUNK_CHARS));
        if (waiting !== undefined) await waiting;
      }
    },
  };
}

/** The page is handed to the writer this many characters at a time, so backpressure is honoured. */
const WRITE_CHUNK_CHARS = 256 * 1024;

/** What the report says it sampled (the `sampling` of its data, and `#sampling`). */
interface Sampling {
  /** Results in the report. */
  shown: number;
  /** Results in the run. */
  total: number;
  attention: { kept: number; total: number; cap: number };
  slowest: { kept: number; cap: number };
  healthy: { kept: number; total: number; cap: number };
}

interface PageInput {
  meta: RunMeta | null;
  end: RunEnd;
  kept: ReadonlyMap<CheckResult, number>;
  sampling: Sampling;
  axisMs: number;
  inFlight: { bucketMs: number; values: number[] };
  latency: number[];
}

/**
 * One shown result in the page's data, with short keys (the page holds thousands): `u` URL, `s`
 * index into `sources`, `l` line, `v` verdict, `st` status, `c`/`m` error code and message, `w`
 * warnings `[code, message]`, `r` redirects `[status, location]`, `f` final URL (when redirected
 * elsewhere), `me` method, `t` startMs (null when unknown), `d` durationMs, `a` attempts, `tm`
 * timings `[dns, connect, tls, firstByte, total]` and `re` reused connection, `ch` change,
 * `dup` `[source index, line]` of the line it duplicates, `k` why it is shown (1 listed as a
 * failure or warning, 2 among the slowest, 4 in the healthy sample).
 */
interface ShownRecord {
  u: string;
  s: number;
  l: number;
  v: Verdict;
  st: number | null;
  c?: string;
  m?: string;
  w?: Array<[string, string]>;
  r?: Array<[number, string]>;
  f?: string;
  me?: string;
  t: number | null;
  d: number;
  a: number;
  tm?: [number | null, number | null, number | null, number | null, number];
  re?: boolean | null;
  ch?: string;
  dup?: [number, number];
  k: number;
}

function renderPage(input: PageInput): string {
  const { summary, comparison, diff } = input.end;
  const sourceIds = new Map<string, number>();
  const sourceId = (source: string) => {
    let id = sourceIds.get(source);
    if (id === undefined) {
      id = sourceIds.size;
      sourceIds.set(source, id);
    }
    return id;
  };
  const records: string[] = [];
  for (const [result, why] of input.kept) records.push(scriptJson(shownRecord(result, why, sourceId)));
  const data =
    `{"version":1,"meta":${scriptJson(input.meta === null ? null : metaData(input.meta))},` +
    `"summary":${scriptJson(summary)},"comparison":${scriptJson(comparison)},"diff":${scriptJson(diff)},` +
    `"sampling":${scriptJson(input.sampling)},"axisMs":${round(input.axisMs)},"inflight":${scriptJson(input.inFlight)},` +
    `"latency":${scriptJson({ perDecade: LATENCY_BUCKETS_PER_DECADE, counts: input.latency })},` +
    `"sources":${scriptJson([...sourceIds.keys()].map((source) => printable(source)))},` +
    `"results":[\n${records.join(',\n')}\n]}`;

  return (
    '<!DOCTYPE html>\n' +
    '<html lang="en" data-urlcheck-report="1">\n<head>\n<meta charset="utf-8">\n' +
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">\n` +
    '<meta name="referrer" content="no-referrer">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    '<meta name="color-scheme" content="light dark">\n' +
    `<title>${htmlText(pageTitle(summary))}</title>\n` +
    `<style>${REPORT_STYLE}</style>\n</head>\n<body>\n` +
    '<a class="skip" href="#failures">Skip to the failures</a>\n' +
    header(input.meta, summary, comparison, diff, input.sampling) +
    '<nav aria-label="Sections"><ul><li><a href="#failures">Failures</a></li><li><a href="#timeline">Waterfall</a></li>' +
    '<li><a href="#latency">Latency</a></li><li><a href="#all">All results</a></li></ul></nav>\n<main>\n' +
    failuresSection(summary) +
    timelineSection(comparison) +
    latencySection() +
    resultsSection() +
    '</main>\n<div id="tip" role="tooltip" hidden></div>\n<p id="status" class="sr-only" role="status" aria-live="polite"></p>\n' +
    '<noscript><p class="note">The charts and lists need JavaScript; the counts above are complete without it.</p></noscript>\n' +
    `<footer>Written by urlcheck ${htmlText(input.meta?.version ?? '')}. This page is one self-contained file: it loads nothing from anywhere ` +
    '(no fonts, scripts or images), and its Content-Security-Policy forbids it to. URLs are text, never links: select one to copy it, or focus a failure or a bar and press c.</footer>\n' +
    `<script type="application/json" id="urlcheck-data">${data}</script>\n` +
    `<script>${REPORT_SCRIPT}</script>\n</body>\n</html>\n`
  );
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * The page may load nothing: no default source, its one stylesheet and its one script by hash,
 * no images, no base URL, no form targets.
 */
const CONTENT_SECURITY_POLICY =
  `default-src 'none'; style-src ${sha256(REPORT_STYLE)}; script-src ${sha256(REPORT_SCRIPT)}; img-src 'none'; ` +
  "base-uri 'none'; form-action 'none'";

function metaData(meta: RunMeta) {
  return {
    version: meta.version,
    startedAt: meta.startedAt.toISOString(),
    concurrency: meta.concurrency,
    perHost: meta.perHost,
    timeoutMs: meta.timeoutMs,
    retries: meta.retries,
    method: meta.method,
    accept: meta.accept,
    maxRedirects: meta.maxRedirects,
  };
}

function shownRecord(r: CheckResult, why: number, sourceId: (source: string) => number): ShownRecord {
  const record: ShownRecord = {
    u: printable(r.url),
    s: sourceId(r.source),
    l: r.line,
    v: r.verdict,
    st: r.status,
    t: typeof r.startMs === 'number' && Number.isFinite(r.startMs) ? r.startMs : null,
    d: r.durationMs,
    a: r.attempts,
    k: why,
  };
  if (r.error !== null) {
    record.c = r.error.code;
    record.m = printable(r.error.message);
  }
  if (r.warnings.length > 0) record.w = r.warnings.map((warning) => [warning.code, printable(warning.message)]);
  if (r.redirects.length > 0) record.r = r.redirects.map((hop) => [hop.status, printable(hop.location)]);
  if (r.finalUrl !== null && r.finalUrl !== r.url) record.f = printable(r.finalUrl);
  if (r.method !== null) record.me = r.method;
  if (r.timings !== null) {
    const t = r.timings;
    record.tm = [t.dnsMs, t.connectMs, t.tlsMs, t.firstByteMs, t.totalMs];
    record.re = t.reusedConnection;
  }
  if (r.change !== undefined && r.change !== null) record.ch = r.change;
  if (r.duplicateOf !== undefined) record.dup = [sourceId(r.duplicateOf.source), r.duplicateOf.line];
  return record;
}

function pageTitle(summary: Summary): string {
  const attention = summary.unhealthy + summary.byVerdict.warning;
  return attention === 0
    ? `urlcheck: ${plural(summary.total, 'URL')}, all healthy`
    : `urlcheck: ${formatCount(summary.unhealthy)} failing, ${formatCount(summary.byVerdict.warning)} with warnings, of ${plural(summary.total, 'URL')}`;
}

function countItem(key: string, value: number, label: string, verdict: Verdict | null): string {
  const icon = verdict === null ? '' : `<span class="icon" aria-hidden="true">${VERDICT_SYMBOLS[verdict]}</span>`;
  return (
    `<li${verdict === null ? '' : ` class="v-${verdict}"`}>${icon}<span class="n" data-count="${key}" data-value="${value}">${formatCount(value)}</span>` +
    `${htmlText(label)}</li>`
  );
}

function stat(key: string, label: string, value: number | null, shown: string): string {
  const data = value === null ? '' : ` data-value="${value}"`;
  return `<div><dt>${htmlText(label)}</dt><dd data-stat="${key}"${data}>${htmlText(shown)}</dd></div>`;
}

function header(meta: RunMeta | null, summary: Summary, comparison: Comparison | null, diff: DiffSummary | null, sampling: Sampling): string {
  const parts: string[] = ['<header>\n<h1>urlcheck report</h1>\n'];
  if (meta !== null) {
    parts.push(
      `<p class="muted">Run started <time datetime="${meta.startedAt.toISOString()}">${htmlText(meta.startedAt.toISOString())}</time> · urlcheck ${htmlText(meta.version)}</p>\n`,
    );
  }
  if (summary.interrupted) {
    parts.push(`<p class="note alert" id="interrupted">The run was interrupted: only ${htmlText(plural(summary.total, 'URL'))} ${summary.total === 1 ? 'was' : 'were'} checked.</p>\n`);
  }
  parts.push('<ul class="counts" aria-label="Results by verdict">');
  const labels: Record<Verdict, string> = { healthy: 'healthy', warning: 'with warnings', broken: 'broken', transient: 'transient', blocked: 'blocked' };
  for (const verdict of VERDICTS) parts.push(countItem(verdict, summary.byVerdict[verdict], labels[verdict], verdict));
  parts.push(countItem('total', summary.total, summary.total === 1 ? 'URL in all' : 'URLs in all', null), '</ul>\n');
  const latency = summary.latencyMs;
  parts.push(
    '<dl class="stats">',
    stat('wallMs', 'wall time', summary.wallMs, formatMs(summary.wallMs)),
    stat('urlsPerSecond', 'URLs per second', summary.urlsPerSecond, formatCount(Math.round(summary.urlsPerSecond * 10) / 10)),
    stat('p50', 'latency p50', latency?.p50 ?? null, latency === null ? '—' : formatMs(latency.p50)),
    stat('p95', 'latency p95', latency?.p95 ?? null, latency === null ? '—' : formatMs(latency.p95)),
    stat('max', 'latency max', latency?.max ?? null, latency === null ? '—' : formatMs(latency.max)),
    stat('retried', 'retried', summary.retried, formatCount(summary.retried)),
    stat('redirected', 'redirected', summary.redirected, formatCount(summary.redirected)),
    '</dl>\n',
  );
  if (diff !== null) {
    const item = (key: string, value: number, label: string) =>
      `<span data-diff="${key}" data-value="${value}">${formatCount(value)}</span> ${label}`;
    parts.push(
      `<p id="diff">Compared with <code>${htmlText(diff.previous)}</code>: ${item('newly-failing', diff.newlyFailing, 'newly failing')} · ` +
        `${item('recovered', diff.recovered, 'recovered')} · ${item('still-failing', diff.stillFailing, 'still failing')} · ` +
        `${item('gone', diff.gone, 'gone (failing before, not checked now)')}</p>\n`,
    );
  }
  if (comparison !== null) parts.push(speedup(comparison));
  if (meta !== null) {
    const options: Array<[string, string]> = [
      ['concurrency', String(meta.concurrency)],
      ['per host', meta.perHost === null ? 'no limit' : String(meta.perHost)],
      ['timeout', formatMs(meta.timeoutMs)],
      ['retries', String(meta.retries)],
      ['method', meta.method.toUpperCase()],
      ['accept', meta.accept],
      ['max redirects', String(meta.maxRedirects)],
    ];
    parts.push(
      '<dl class="options" aria-label="Options of the run">',
      ...options.map(([name, value]) => `<div><dt>${htmlText(name)}</dt><dd>${htmlText(value)}</dd></div>`),
      '</dl>\n',
    );
  }
  parts.push(
    `<p id="sampling" class="note" data-shown="${sampling.shown}" data-total="${sampling.total}">${htmlText(samplingText(sampling))}</p>\n</header>\n`,
  );
  return parts.join('');
}

/** What the page shows of the run, in words (`#sampling`). */
function samplingText(s: Sampling): string {
  if (s.shown >= s.total) {
    return `Nothing sampled: all results shown (${formatCount(s.total)}).`;
  }
  const listed =
    s.attention.kept < s.attention.total
      ? `the first ${formatCount(s.attention.kept)} of ${formatCount(s.attention.total)} failures and warnings (failures first, in input order; the cap is ${formatCount(s.attention.cap)})`
      : `every failure and warning (${formatCount(s.attention.total)})`;
  const sample =
    s.healthy.kept < s.healthy.total
      ? `a uniform random sample of ${formatCount(s.healthy.kept)} of the ${formatCount(s.healthy.total)} healthy results`
      : `every healthy result (${formatCount(s.healthy.total)})`;
  return (
    `Showing ${formatCount(s.shown)} of ${plural(s.total, 'result')}: ${listed}, the ${formatCount(s.slowest.kept)} slowest checks, and ${sample}. ` +
    'The counts, percentiles, latency histogram and in-flight chart cover the whole run.'
  );
}

function speedup(c: Comparison): string {
  const approx = c.estimated ? '~' : '';
  const longest = Math.max(c.concurrentMs, c.sequentialMs, 1);
  const percent = (ms: number) => `${Math.max(0.2, Math.round((ms / longest) * 10000) / 100)}%`;
  const baseline = c.estimated
    ? `estimated from ${formatCount(c.sampleSize)} of ${plural(c.targets, 'URL')} timed one by one in ${formatMs(c.sequentialMeasuredMs)}`
    : `${plural(c.targets, 'URL')} one by one`;
  return (
    `<p id="comparison">Speed-up <strong data-value="${c.speedup}">${approx}${c.speedup.toFixed(1)}×</strong> at concurrency ${c.concurrency}: ` +
    `${htmlText(formatMs(c.concurrentMs))} against ${approx}${htmlText(formatMs(c.sequentialMs))} (${htmlText(baseline)}; ideal ` +
    `${c.idealSpeedup.toFixed(1)}×, efficiency ${Math.round(c.efficiency * 100)}%)` +
    (c.disagreements > 0 ? `; ${htmlText(plural(c.disagreements, 'URL'))} changed health between the runs` : '') +
    '</p>\n' +
    `<svg id="speedup" width="100%" height="64" role="img" aria-label="concurrent run ${htmlText(formatMs(c.concurrentMs))}, one by one ${approx}${htmlText(formatMs(c.sequentialMs))}">` +
    `<text x="0" y="11">this run, ${c.concurrency} at a time: ${htmlText(formatMs(c.concurrentMs))}</text>` +
    `<rect class="fill-healthy" x="0" y="15" height="12" width="${percent(c.concurrentMs)}"></rect>` +
    `<text x="0" y="43">one by one: ${approx}${htmlText(formatMs(c.sequentialMs))}${c.estimated ? ` (dashed: estimated past the ${htmlText(formatMs(c.sequentialMeasuredMs))} measured)` : ''}</text>` +
    `<rect class="fill-baseline" x="0" y="47" height="12" width="${percent(c.sequentialMeasuredMs)}"></rect>` +
    (c.estimated
      ? `<rect class="estimated" x="${percent(c.sequentialMeasuredMs)}" y="47.5" height="11" width="${percent(Math.max(0, c.sequentialMs - c.sequentialMeasuredMs))}"></rect>`
      : '') +
    '</svg>\n'
  );
}

function failuresSection(summary: Summary): string {
  const failing = summary.unhealthy;
  const warned = summary.byVerdict.warning;
  return (
    '<section id="failures" aria-labelledby="failures-heading">\n' +
    '<h2 id="failures-heading">Failures and warnings</h2>\n' +
    '<div class="toolbar" role="group" aria-label="Group failures and warnings by">Group by: ' +
    '<button type="button" data-group-by="code" aria-pressed="true">error code</button>' +
    '<button type="button" data-group-by="host" aria-pressed="false">host</button></div>\n' +
    `<h3 id="failing-heading">Failing <span class="muted">(${htmlText(plural(failing, 'URL'))}: broken, transient, blocked)</span></h3>\n` +
    '<div id="failure-groups"></div>\n' +
    `<h3 id="warnings-heading">Warnings <span class="muted">(${htmlText(plural(warned, 'URL'))}: slow, expiring certificates, permanent redirects)</span></h3>\n` +
    '<div id="warning-groups"></div>\n</section>\n'
  );
}

function legendSwatch(className: string, hatch: string | null = null): string {
  const fill = hatch === null ? `class="${className}"` : `fill="url(#hatch-${hatch})"`;
  return `<svg width="16" height="10" aria-hidden="true"><rect ${fill} x="0" y="0" width="16" height="10"></rect></svg>`;
}

function timelineSection(comparison: Comparison | null): string {
  const verdicts = VERDICTS.map(
    (verdict) =>
      `<li class="v-${verdict}">${legendSwatch(`fill-${verdict}`, verdict === 'healthy' ? null : verdict)}<span class="verdict"><span aria-hidden="true">${VERDICT_SYMBOLS[verdict]}</span> ${verdict}</span>` +
      '</li>',
  ).join('');
  const phases = [
    ['dns', 'DNS'],
    ['connect', 'connect'],
    ['tls', 'TLS'],
    ['firstbyte', 'first byte'],
  ]
    .map(([key, label]) => `<li><svg width="16" height="10" aria-hidden="true" class="phase-swatch"><rect class="fill-healthy" x="0" y="0" width="16" height="10"></rect><rect class="ph-${key as string}" x="0" y="2.5" width="16" height="5"></rect></svg>${label as string}</li>`)
    .join('');
  const scale =
    comparison === null
      ? ''
      : '<div class="toolbar" role="group" aria-label="Time scale">Scale: <button type="button" data-scale="both" aria-pressed="true">both runs</button>' +
        '<button type="button" data-scale="run" aria-pressed="false">this run only</button></div>\n';
  return (
    '<section id="timeline" aria-labelledby="timeline-heading">\n<h2 id="timeline-heading">Waterfall</h2>\n' +
    '<p class="muted">Each check is a bar from its start to its end on the run\'s time axis, packed into rows like the pool\'s slots; ' +
    'inside it, where known, the final request\'s DNS, connect, TLS and wait for the first byte. Hover or focus a bar for its URL and timings.' +
    (comparison === null ? '' : ' Below: the sequential baseline on the same scale.') +
    '</p>\n' +
    scale +
    `<ul class="legend" aria-label="Legend">${verdicts}${phases}</ul>\n` +
    '<a class="skip" href="#latency">Skip past the waterfall</a>\n' +
    '<div class="chart" id="timeline-chart"><svg id="inflight"></svg><svg id="waterfall" aria-label="Waterfall of the checks"></svg></div>\n</section>\n'
  );
}

function latencySection(): string {
  return (
    '<section id="latency" aria-labelledby="latency-heading">\n<h2 id="latency-heading">Latency</h2>\n' +
    '<div class="chart"><svg id="histogram"></svg></div>\n' +
    '<h3>Slowest URLs</h3>\n<ol id="slowest"></ol>\n</section>\n'
  );
}

function resultsSection(): string {
  const columns: Array<[string, string, string]> = [
    ['verdict', 'Verdict', ''],
    ['url', 'URL', ''],
    ['status', 'Status', 'num'],
    ['code', 'Code', ''],
    ['time', 'Time', 'num'],
    ['start', 'Start', 'num'],
    ['input', 'Source', ''],
  ];
  const head = columns
    .map(
      ([key, label, className]) =>
        `<th scope="col"${className === '' ? '' : ` class="${className}"`}${key === 'input' ? ' aria-sort="ascending"' : ''}><button type="button" data-sort="${key}">${label}</button></th>`,
    )
    .join('');
  return (
    '<section id="all" aria-labelledby="all-heading">\n<h2 id="all-heading">All results</h2>\n' +
    '<div class="toolbar">' +
    '<label>Verdict <select id="filter-verdict"><option value="">all</option></select></label>' +
    '<label>Code <select id="filter-code"><option value="">all</option></select></label>' +
    '<label>URL contains <input id="search" type="search" autocomplete="off" spellcheck="false"></label>' +
    '<span id="results-count" role="status" data-value="0"></span></div>\n' +
    `<table id="results"><thead><tr>${head}</tr></thead><tbody></tbody></table>\n` +
    '<button type="button" id="more" hidden>Show more</button>\n</section>\n'
  );
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/** `values` with none above `limit` (no limit when null or not positive). */
function capped(values: number[], limit: number | null): number[] {
  return limit === null || !(limit > 0) ? values : values.map((value) => Math.min(value, limit));
}
