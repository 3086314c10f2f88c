import { describe, expect, it } from 'vitest';
import type { Reporter } from '../../src/model/reporter.js';
import type { CheckResult, Verdict } from '../../src/model/types.js';
import { createOpenMetricsReporter, createPrometheusReporter, type PrometheusReporterOptions } from '../../src/reporters/prometheus.js';
import { escapeHelp, escapeLabelValue, exposition, formatLabels, formatValue } from '../../src/reporters/prometheus/exposition.js';
import { labelValue, MAX_LABEL_VALUE_CHARS, UrlSeriesStore } from '../../src/reporters/prometheus/series.js';
import { expectValidExposition, SKIP_METRICS_PARSERS, valueOf, samplesOf, type ParsedFamily } from '../helpers/metrics.js';
import { reporters } from '../../src/reporters/index.js';
import { FORMATS as ALL_FORMATS, hasUntrustedLines, isDocumentFormat, loadReporter } from '../../src/reporters/registry.js';
import { captureContext, driveReporter, everyVerdictResults, resultWith, SAMPLE_RUN_META } from '../helpers/samples.js';

/** The run's end, fixed: 2024-05-01T12:00:02.5Z. */
const END_MS = Date.UTC(2024, 4, 1, 12, 0, 2, 500);
const FORMATS = ['prometheus', 'openmetrics'] as const;
type Format = (typeof FORMATS)[number];

/** Runs `results` through a reporter of `format`; returns the document and what went to stderr. */
async function report(
  format: Format,
  results: readonly CheckResult[],
  options: PrometheusReporterOptions & { failOn?: ReadonlySet<Verdict> } = {},
): Promise<{ text: string; err: string; reporter: Reporter }> {
  const { ctx, out, err } = captureContext();
  const create = format === 'prometheus' ? createPrometheusReporter : createOpenMetricsReporter;
  const reporter = create({ ...ctx, ...(options.failOn === undefined ? {} : { failOn: options.failOn }) }, { now: () => END_MS, ...options });
  await driveReporter(reporter, results);
  return { text: await out(), err: await err(), reporter };
}

/** The per-URL `url_up` values by URL label. */
function upByUrl(families: readonly ParsedFamily[]): Record<string, number> {
  return Object.fromEntries(samplesOf(families, 'urlcheck_url_up').map((sample) => [sample.labels['url'], sample.value]));
}

describe('the registry', () => {
  it('registers prometheus and openmetrics as whole documents, loaded only when asked for; no line starts with input text', async () => {
    for (const [format, factory] of [
      ['prometheus', createPrometheusReporter],
      ['openmetrics', createOpenMetricsReporter],
    ] as const) {
      expect(ALL_FORMATS).toContain(format);
      // A document: with -o, written to a temporary file and renamed into place when the run ends.
      expect(isDocumentFormat(format)).toBe(true);
      expect(hasUntrustedLines(format)).toBe(false);
      expect(await loadReporter(format)).toBe(factory);
      expect(reporters[format]).toBe(factory);
    }
  });

  it('writes nothing before the run ends', async () => {
    const { ctx, out } = captureContext();
    const reporter = createPrometheusReporter(ctx);
    await reporter.onRunStart?.(SAMPLE_RUN_META);
    await reporter.onResult?.(resultWith({ url: 'https://a.test/', line: 1 }));
    expect(await out()).toBe('');
  });
});

describe('the exposition formats', () => {
  it('escapes exactly backslash, double quote and line feed in label values, nothing else', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    expect(escapeLabelValue('\\n')).toBe('\\\\n');
    // Carriage return, tab, other controls and non-ASCII are valid as they are in both formats.
    expect(escapeLabelValue('\r\t\u0001é🙂')).toBe('\r\t\u0001é🙂');
    expect(formatLabels([['url', 'x"y'], ['source', 'a\\b']])).toBe('url="x\\"y",source="a\\\\b"');
  });

  it('escapes a HELP text as each format requires: the quote only in OpenMetrics', () => {
    expect(escapeHelp('say "hi" \\ now\nthen', 'prometheus')).toBe('say "hi" \\\\ now\\nthen');
    expect(escapeHelp('say "hi" \\ now\nthen', 'openmetrics')).toBe('say \\"hi\\" \\\\ now\\nthen');
  });

  it('writes values as the shortest decimal, and NaN and infinities by their names', () => {
    expect([0, 1, 0.0123, 1e21, 1796642027.593, Number.NaN, Infinity, -Infinity].map(formatValue)).toEqual([
      '0',
      '1',
      '0.0123',
      '1e+21',
      '1796642027.593',
      'NaN',
      '+Inf',
      '-Inf',
    ]);
  });

  it('writes info families as OpenMetrics info and as a text-format gauge of the same sample name; leaves out families without samples', () => {
    const families = [
      { family: { name: 'x_build', type: 'info', help: 'b' } as const, samples: [{ labels: 'version="1"', value: 1 }] },
      { family: { name: 'x_empty', type: 'gauge', help: 'e' } as const, samples: [] },
      { family: { name: 'x_wall_seconds', type: 'gauge', unit: 'seconds', help: 'w' } as const, samples: [{ labels: '', value: 0.5 }] },
    ];
    expect([...exposition('prometheus', families)].join('')).toBe(
      '# HELP x_build_info b\n# TYPE x_build_info gauge\nx_build_info{version="1"} 1\n# HELP x_wall_seconds w\n# TYPE x_wall_seconds gauge\nx_wall_seconds 0.5\n',
    );
    expect([...exposition('openmetrics', families)].join('')).toBe(
      '# HELP x_build b\n# TYPE x_build info\nx_build_info{version="1"} 1\n# HELP x_wall_seconds w\n# TYPE x_wall_seconds gauge\n# UNIT x_wall_seconds seconds\nx_wall_seconds 0.5\n# EOF\n',
    );
  });
});

describe('label values', () => {
  it('shows control characters as \\uXXXX, as every report does, and makes lone surrogates U+FFFD', () => {
    expect(labelValue('https://a.test/\u0001\u001b[31m\r\n\u202e')).toBe('https://a.test/\\u0001\\u001b[31m\\u000d\\u000a\\u202e');
    expect(labelValue('x\ud800y\udc00z\ud83d\ude42')).toBe('x\ufffdy\ufffdz\ud83d\ude42');
    expect(labelValue('https://a.test/é?q="x"\\')).toBe('https://a.test/é?q="x"\\');
  });

  it(`cuts a value past ${MAX_LABEL_VALUE_CHARS} characters with a marker whose hash keeps two long URLs apart`, () => {
    const prefix = `https://a.test/${'p'.repeat(3000)}`;
    const one = labelValue(`${prefix}/one`);
    const two = labelValue(`${prefix}/two`);
    expect(one).toMatch(new RegExp(`^https://a\\.test/p{${MAX_LABEL_VALUE_CHARS - 15}}…\\[truncated [0-9a-f]{8}\\]$`));
    expect(two).not.toBe(one);
    expect(labelValue(`${prefix}/one`)).toBe(one);
    // At the limit, nothing is cut.
    const exact = 'h'.repeat(MAX_LABEL_VALUE_CHARS);
    expect(labelValue(exact)).toBe(exact);
    // A surrogate pair across the cut is not split (no U+FFFD from cutting it).
    const pairAtCut = `${'h'.repeat(MAX_LABEL_VALUE_CHARS - 1)}🙂tail`;
    expect(labelValue(pairAtCut)).toBe(`${'h'.repeat(MAX_LABEL_VALUE_CHARS - 1)}…[truncated ${labelValue(pairAtCut).slice(-9, -1)}]`);
    // Control characters that printing makes longer are counted after they are made visible.
    expect(labelValue('\u0001'.repeat(MAX_LABEL_VALUE_CHARS)).startsWith('\\u0001'.repeat(Math.floor(MAX_LABEL_VALUE_CHARS / 6)))).toBe(true);
    expect(labelValue('\u0001'.repeat(MAX_LABEL_VALUE_CHARS)).length).toBeLessThan(MAX_LABEL_VALUE_CHARS + 25);
  });
});

describe('the per-URL series store', () => {
  const at = (line: number, fields: Partial<CheckResult> = {}) => resultWith({ url: `https://h${line}.test/`, line, ...fields });

  it('keeps the first URLs in input order, whatever order the checks finish in, and counts the rest', () => {
    const store = new UrlSeriesStore(3);
    for (const line of [9, 4, 7, 1, 8, 2, 6]) {
      store.add(at(line), false);
      expect(store.size).toBeLessThanOrEqual(3);
    }
    expect(store.sorted().map((series) => series.line)).toEqual([1, 2, 4]);
    expect(store.notExported).toBe(4);
  });

  it('orders inputs by name, then line; two links on one line by URL', () => {
    const store = new UrlSeriesStore(10);
    store.add(resultWith({ url: 'https://b.test/', line: 3, source: 'b.md' }), false);
    store.add(resultWith({ url: 'https://z.test/', line: 3, source: 'a.md' }), false);
    store.add(resultWith({ url: 'https://y.test/', line: 3, source: 'a.md' }), false);
    store.add(resultWith({ url: 'https://x.test/', line: 9, source: 'a.md' }), false);
    expect(store.sorted().map((series) => `${series.source}:${series.line} ${series.labels}`)).toEqual([
      'a.md:3 url="https://y.test/",source="a.md"',
      'a.md:3 url="https://z.test/",source="a.md"',
      'a.md:9 url="https://x.test/",source="a.md"',
      'b.md:3 url="https://b.test/",source="b.md"',
    ]);
  });

  it('makes lines with the same url and source one series: down over up, then the worse verdict, then the earlier line', () => {
    const store = new UrlSeriesStore(10);
    const same = (line: number, verdict: Verdict, down: boolean) => store.add(resultWith({ url: 'https://same.test/', line, verdict, status: line }), down);
    same(5, 'healthy', false);
    same(3, 'warning', false);
    same(9, 'transient', true);
    same(7, 'broken', true);
    same(2, 'broken', true);
    const [series, ...others] = store.sorted();
    expect(others).toEqual([]);
    expect(series).toMatchObject({ verdict: 'broken', down: true, line: 2, status: 2, firstLine: 2 });
  });

  it('a URL that returns at an earlier line is kept over later ones once the cap is reached', () => {
    const store = new UrlSeriesStore(2);
    store.add(at(5), false);
    store.add(at(6), false);
    // Line 5's URL again at line 1 (--no-dedupe): now the series of the first line; then line 3 pushes out line 6.
    store.add(resultWith({ url: 'https://h5.test/', line: 1 }), false);
    store.add(at(3), false);
    expect(store.sorted().map((series) => series.labels)).toEqual(['url="https://h5.test/",source="list.txt"', 'url="https://h3.test/",source="list.txt"']);
    expect(store.notExported).toBe(1);
  });
});

describe('the report', () => {
  it.each(FORMATS)('%s: the golden document for one result of every verdict', async (format) => {
    const { text, err } = await report(format, everyVerdictResults());
    expect(err).toBe('');
    await expect(text).toMatchFileSnapshot(`../golden/${format === 'prometheus' ? 'prometheus.prom' : 'openmetrics.txt'}`);
  });

  describe.skipIf(SKIP_METRICS_PARSERS)('read by the real parsers', () => {
    it.each(FORMATS)('%s: every verdict, hostile URLs and names, and every per-URL metric, valid and read back as written', async (format) => {
      const hostile = [
        'https://q.test/"quoted"\\back\\slash',
        'https://q.test/a\nb\r\tc\u0000\u0007\u001b[31m\u007f\u0085\u202e',
        'https://q.test/%0A%22%5C',
        'https://q.test/é/日本/🙂/\ud800/\udfff/\uffff',
        `https://q.test/${'x'.repeat(4000)}`,
        `https://q.test/${'x'.repeat(4000)}/other`,
      ];
      const results = [
        ...everyVerdictResults(),
        ...hostile.map((url, index) =>
          resultWith({
            url,
            line: 100 + index,
            source: 'odd\n"list"\\name.txt',
            redirects: [{ status: 302, location: '/x' }],
            timings: { dnsMs: 1.5, connectMs: 0.3, tlsMs: null, firstByteMs: 12.1, totalMs: 14, reusedConnection: false },
            tls: { protocol: 'TLSv1.3', issuer: 'CA', subject: 'q.test', validTo: '2027-03-01T12:00:00.000Z', daysLeft: 300 },
          }),
        ),
      ];
      const { text } = await report(format, results);
      const families = expectValidExposition(text, format);
      const urls = samplesOf(families, 'urlcheck_url_up').map((sample) => sample.labels['url']);
      expect(urls.sort()).toEqual(results.map((result) => labelValue(result.url)).sort());
      expect(new Set(samplesOf(families, 'urlcheck_url_up').map((sample) => sample.labels['source']))).toEqual(
        new Set(['list.txt', 'stdin', 'odd, "lists":v2.txt', 'odd\\u000a"list"\\name.txt']),
      );
      const one = { url: labelValue(hostile[0] as string) };
      expect(valueOf(families, 'urlcheck_url_redirects', one)).toBe(1);
      expect(valueOf(families, 'urlcheck_url_phase_duration_seconds', { ...one, phase: 'dns' })).toBe(0.0015);
      expect(valueOf(families, 'urlcheck_url_phase_duration_seconds', { ...one, phase: 'first_byte' })).toBe(0.0121);
      expect(samplesOf(families, 'urlcheck_url_phase_duration_seconds').filter((sample) => sample.labels['phase'] === 'tls')).toEqual([]);
      expect(valueOf(families, 'urlcheck_url_cert_expiry_timestamp_seconds', one)).toBe(Date.UTC(2027, 2, 1, 12) / 1000);
      expect(valueOf(families, 'urlcheck_run_end_timestamp_seconds')).toBe(END_MS / 1000);
      const verdicts = Object.fromEntries(
        families
          .flatMap((family) => family.samples)
          .filter((sample) => sample.name === 'urlcheck_url_verdict_info' && sample.labels['source'] === 'list.txt')
          .map((sample) => [sample.labels['url'], sample.labels['verdict']]),
      );
      expect(verdicts).toEqual({
        'https://a.test/': 'healthy',
        'http://c.test/old': 'warning',
        'https://a.test/missing': 'broken',
        'https://down.test/': 'transient',
        'https://shop.test/': 'blocked',
      });
    });

    it.each(FORMATS)('%s: per-run counts, times and the summary agree with the run summary', async (format) => {
      const results = everyVerdictResults();
      const { text } = await report(format, results);
      const families = expectValidExposition(text, format);
      const byVerdict = Object.fromEntries(samplesOf(families, 'urlcheck_results').map((sample) => [sample.labels['verdict'], sample.value]));
      expect(byVerdict).toEqual({ healthy: 1, warning: 1, broken: 3, transient: 1, blocked: 1 });
      const byCode = samplesOf(families, 'urlcheck_unhealthy_results').filter((sample) => sample.value > 0);
      expect(Object.fromEntries(byCode.map((sample) => [sample.labels['code'], sample.value]))).toEqual({ HTTP_STATUS: 3, CONNECTION_REFUSED: 1, INVALID_URL: 1 });
      // driveReporter ends the run at 2 s of wall time.
      expect(valueOf(families, 'urlcheck_run_duration_seconds')).toBe(2);
      expect(valueOf(families, 'urlcheck_run_urls_per_second')).toBe(3.5);
      // Six results made a request (the invalid line did not): 12.3 + 1500 + 8 + 30.5 + 40 + 2 ms.
      expect(valueOf(families, 'urlcheck_check_duration_seconds_count')).toBe(6);
      expect(valueOf(families, 'urlcheck_check_duration_seconds_sum')).toBe(1.5928);
      expect(valueOf(families, 'urlcheck_check_duration_seconds', { quantile: '1' })).toBe(1.5);
      expect(valueOf(families, 'urlcheck_run_interrupted')).toBe(0);
      expect(valueOf(families, 'urlcheck_urls_not_exported')).toBe(0);
      expect(valueOf(families, 'urlcheck_build_info', { version: '1.2.3' })).toBe(1);
      const type = (name: string) => families.find((family) => family.name === name)?.type;
      expect(type('urlcheck_check_duration_seconds')).toBe('summary');
      if (format === 'openmetrics') {
        expect(type('urlcheck_url_verdict')).toBe('info');
        expect(families.find((family) => family.name === 'urlcheck_url_duration_seconds')?.unit).toBe('seconds');
      }
    });

    it('a run where nothing made a request: a summary with count 0 and no quantiles', async () => {
      const invalid = resultWith({ url: 'nope', line: 1, ok: false, status: null, attempts: 0, durationMs: 0, verdict: 'broken', error: { code: 'INVALID_URL', message: 'x' } });
      for (const format of FORMATS) {
        const families = expectValidExposition((await report(format, [invalid])).text, format);
        expect(samplesOf(families, 'urlcheck_check_duration_seconds').map((sample) => [sample.name, sample.value])).toEqual([
          ['urlcheck_check_duration_seconds_sum', 0],
          ['urlcheck_check_duration_seconds_count', 0],
        ]);
        expect(valueOf(families, 'urlcheck_url_status_code', { url: 'nope' })).toBe(0);
        expect(valueOf(families, 'urlcheck_url_attempts', { url: 'nope' })).toBe(0);
      }
    });

    it('up follows --fail-on; when it names no verdict (none, new), the default verdicts count as down', async () => {
      const results = everyVerdictResults().filter((result) => result.source === 'list.txt');
      const up = async (failOn?: ReadonlySet<Verdict>) =>
        upByUrl(expectValidExposition((await report('prometheus', results, failOn === undefined ? {} : { failOn })).text, 'prometheus'));
      const byDefault = { 'https://a.test/': 1, 'http://c.test/old': 1, 'https://a.test/missing': 0, 'https://down.test/': 0, 'https://shop.test/': 0 };
      expect(await up()).toEqual(byDefault);
      expect(await up(new Set())).toEqual(byDefault);
      expect(await up(new Set<Verdict>(['broken']))).toEqual({ ...byDefault, 'https://down.test/': 1, 'https://shop.test/': 1 });
      expect(await up(new Set<Verdict>(['broken', 'transient', 'blocked', 'warning']))).toEqual({ ...byDefault, 'http://c.test/old': 0 });
    });

    it('duplicate lines add no series; the same url and source twice is one series, the worse', async () => {
      const first = resultWith({ url: 'https://dup.test/', line: 1, durationMs: 5 });
      const duplicate = { ...first, line: 4, source: 'other.txt', duplicateOf: { source: 'list.txt', line: 1 } };
      const again = resultWith({ url: 'https://dup.test/', line: 7, ok: false, status: 503, verdict: 'transient', error: { code: 'HTTP_STATUS', message: '503' } });
      const { text } = await report('prometheus', [first, duplicate, again]);
      const families = expectValidExposition(text, 'prometheus');
      expect(samplesOf(families, 'urlcheck_url_up').map((sample) => [sample.labels, sample.value])).toEqual([[{ url: 'https://dup.test/', source: 'list.txt' }, 0]]);
      expect(valueOf(families, 'urlcheck_url_status_code')).toBe(503);
      // The run's counts still count every line.
      expect(valueOf(families, 'urlcheck_results', { verdict: 'healthy' })).toBe(2);
      expect(valueOf(families, 'urlcheck_check_duration_seconds_count')).toBe(3);
    });

    it.each(FORMATS)('%s: past the cap, the first URLs in input order keep their series, one warning says how many did not', async (format) => {
      const results = Array.from({ length: 25 }, (_, index) => resultWith({ url: `https://h${index}.test/`, line: 25 - index }));
      const { text, err } = await report(format, results, { maxUrls: 10 });
      expect(err).toBe(`urlcheck: warning: ${format} report: 15 URL lines past the first 10 URLs have no per-URL series (urlcheck_urls_not_exported)\n`);
      const families = expectValidExposition(text, format);
      expect(valueOf(families, 'urlcheck_urls_not_exported')).toBe(15);
      expect(samplesOf(families, 'urlcheck_url_up').map((sample) => sample.labels['url'])).toEqual(
        Array.from({ length: 10 }, (_, index) => `https://h${24 - index}.test/`),
      );
      expect(valueOf(families, 'urlcheck_results', { verdict: 'healthy' })).toBe(25);
    });
  });
});
