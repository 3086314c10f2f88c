import { DEFAULT_FAIL_ON } from '../model/defaults.js';
import type { Reporter, ReporterContext } from '../model/reporter.js';
import type { Summary } from '../model/summary.js';
import { ERROR_CODES, VERDICTS, type Verdict } from '../model/types.js';
import { formatCount, plural } from '../util/text.js';
import { exposition, formatLabels, writeLines, type ExpositionFormat, type FamilyWithSamples, type MetricFamily, type Sample } from './prometheus/exposition.js';
import { UrlSeriesStore, type UrlSeries } from './prometheus/series.js';

export { EXPOSITION_CONTENT_TYPES, escapeLabelValue, type ExpositionFormat } from './prometheus/exposition.js';
export { MAX_LABEL_VALUE_CHARS, labelValue } from './prometheus/series.js';

/**
 * URLs (distinct `url`+`source` label pairs) a Prometheus or OpenMetrics report gives per-URL
 * series to; past it, the rest are counted in `urlcheck_urls_not_exported` and one warning goes
 * to stderr. A Prometheus server should not ingest a million series from one file: 10,000 URLs
 * are at most about 110,000 series, some 14 MB of text.
 */
export const DEFAULT_PROMETHEUS_MAX_URLS = 10_000;

/** How a Prometheus or OpenMetrics reporter bounds itself, and its clock. */
export interface PrometheusReporterOptions {
  /** URLs given per-URL series, the first in input order; default {@link DEFAULT_PROMETHEUS_MAX_URLS}. */
  maxUrls?: number;
  /** The time the run ends, in milliseconds since the Unix epoch (`urlcheck_run_end_timestamp_seconds`); default `Date.now`. */
  now?: () => number;
}

/** The verdicts that count as down when --fail-on names none (`none`, `new`): the default's. */
const DEFAULT_DOWN: ReadonlySet<Verdict> = new Set(DEFAULT_FAIL_ON.split(',') as Verdict[]);

/** The request phases `urlcheck_url_phase_duration_seconds` has: the `phase` label pair (after the URL's), and the field. */
const PHASES = (
  [
    ['dns', 'dnsMs'],
    ['connect', 'connectMs'],
    ['tls', 'tlsMs'],
    ['first_byte', 'firstByteMs'],
  ] as const
).map(([phase, field]) => [`,${formatLabels([['phase', phase]])}`, field] as const);

/** The `verdict` label pair of each verdict, after the URL's. */
const VERDICT_LABELS = Object.fromEntries(VERDICTS.map((verdict) => [verdict, `,${formatLabels([['verdict', verdict]])}`])) as Record<Verdict, string>;

// Every metric the report has, by its name in PromQL. All are gauges: each value describes the
// last run, and the file (or the Pushgateway's group) is replaced whole by the next; a count that
// starts over every run is not a Prometheus counter (rate() would read each run as a reset), so
// no name ends in `_total`.
const FAMILIES = {
  build: { name: 'urlcheck_build', type: 'info', help: 'The urlcheck that wrote this report: 1, its version in the label.' },
  results: { name: 'urlcheck_results', type: 'gauge', help: 'Results of the last run by verdict (healthy, warning, broken, transient, blocked): one per URL line checked.' },
  unhealthy: {
    name: 'urlcheck_unhealthy_results',
    type: 'gauge',
    help: 'Results of the last run that are not ok (verdict broken, transient or blocked), by error code.',
  },
  wall: { name: 'urlcheck_run_duration_seconds', type: 'gauge', unit: 'seconds', help: 'Wall time of the last run, in seconds.' },
  rate: { name: 'urlcheck_run_urls_per_second', type: 'gauge', help: 'Results per second of wall time in the last run.' },
  latency: {
    name: 'urlcheck_check_duration_seconds',
    type: 'summary',
    unit: 'seconds',
    help: 'Time of the checks of the last run that made a request, retries included, in seconds: p50 and p95 within 1%, the maximum as quantile 1.',
  },
  end: { name: 'urlcheck_run_end_timestamp_seconds', type: 'gauge', unit: 'seconds', help: 'When the last run ended, as a Unix time in seconds.' },
  interrupted: { name: 'urlcheck_run_interrupted', type: 'gauge', help: '1 when the last run was stopped (SIGINT, SIGTERM) before every line was checked, else 0.' },
  notExported: {
    name: 'urlcheck_urls_not_exported',
    type: 'gauge',
    help: 'URL lines of the last run left without per-URL series by the cap on URLs (0 when every URL has its series).',
  },
  up: { name: 'urlcheck_url_up', type: 'gauge', help: '1 when the URL passed, 0 when its verdict is one --fail-on names (by default broken, transient or blocked).' },
  verdict: { name: 'urlcheck_url_verdict', type: 'info', help: "The URL's verdict (healthy, warning, broken, transient, blocked) in the verdict label: 1." },
  status: { name: 'urlcheck_url_status_code', type: 'gauge', help: 'The final HTTP status after redirects; 0 when no response arrived.' },
  duration: { name: 'urlcheck_url_duration_seconds', type: 'gauge', unit: 'seconds', help: "The URL's check, every attempt and back-off included, in seconds." },
  attempts: { name: 'urlcheck_url_attempts', type: 'gauge', help: 'Attempts made for the URL: 1 plus the retries used; 0 when it was never requested.' },
  redirects: { name: 'urlcheck_url_redirects', type: 'gauge', help: 'Redirects the URL went through.' },
  phases: {
    name: 'urlcheck_url_phase_duration_seconds',
    type: 'gauge',
    unit: 'seconds',
    help: 'Where the final request of the URL spent its time, in seconds, by phase (dns, connect, tls, first_byte), for the phases that happened.',
  },
  certExpiry: {
    name: 'urlcheck_url_cert_expiry_timestamp_seconds',
    type: 'gauge',
    unit: 'seconds',
    help: "When the URL's TLS certificate expires, as a Unix time in seconds (https: URLs that answered).",
  },
} as const satisfies Record<string, MetricFamily>;

/**
 * Metrics for a monitoring system in the Prometheus text exposition format 0.0.4: what
 * node_exporter's textfile collector and the Pushgateway read. See
 * {@link createExpositionReporter} for what it holds; the README's "Into monitoring" lists the
 * metrics.
 */
export function createPrometheusReporter(ctx: ReporterContext, options: PrometheusReporterOptions = {}): Reporter {
  return createExpositionReporter('prometheus', ctx, options);
}

/** The same metrics as {@link createPrometheusReporter} in OpenMetrics 1.0.0: `# UNIT`, info types, `# EOF`. */
export function createOpenMetricsReporter(ctx: ReporterContext, options: PrometheusReporterOptions = {}): Reporter {
  return createExpositionReporter('openmetrics', ctx, options);
}

/**
 * A report of one run as metrics: per run, results by verdict and by error code, wall time,
 * URLs per second, check time quantiles and the end time; per URL (labels `url`, credentials
 * already redacted, and `source`, the input), whether it is up by --fail-on (`ctx.failOn`; when
 * it names no verdict, the default's), its verdict, final status, duration, attempts, redirects,
 * request phases and certificate expiry.
 *
 * Written whole when the run ends (the CLI renames a file into place). A duplicate line
 * (`duplicateOf`) adds no series: its URL's first line has one. Lines with the same labels
 * otherwise (--no-dedupe) are one series, the worst of them (see `UrlSeriesStore`). At most
 * `maxUrls` URLs get series, the first in input order; memory is bounded by that number.
 */
export function createExpositionReporter(format: ExpositionFormat, { out, err, failOn }: ReporterContext, options: PrometheusReporterOptions = {}): Reporter {
  const store = new UrlSeriesStore(options.maxUrls ?? DEFAULT_PROMETHEUS_MAX_URLS);
  const down = failOn === undefined || failOn.size === 0 ? DEFAULT_DOWN : failOn;
  const now = options.now ?? Date.now;
  let version: string | null = null;
  // The summary's `_sum` and `_count`, over the population of the run's latency percentiles:
  // every result that made a request.
  let checkedMs = 0;
  let checked = 0;

  return {
    onRunStart: (meta) => {
      version = meta.version;
    },
    onResult: (result) => {
      if (result.attempts > 0) {
        checkedMs += result.durationMs;
        checked += 1;
      }
      if (result.duplicateOf === undefined) store.add(result, down.has(result.verdict));
    },
    onRunEnd: async ({ summary }) => {
      const endMs = now();
      const left = store.notExported;
      if (left > 0) {
        err.write(
          `urlcheck: warning: ${format} report: ${plural(left, 'URL line')} past the first ${formatCount(store.cap)} URLs ${left === 1 ? 'has' : 'have'} no per-URL series (urlcheck_urls_not_exported)\n`,
        );
      }
      const latency = { sumMs: checkedMs, count: checked };
      await writeLines(out, exposition(format, families({ summary, endMs, version, latency, store })));
    },
  };
}

/** What the document is made of, once the run is over. */
interface RunMetrics {
  summary: Summary;
  /** When the run ended, in milliseconds since the Unix epoch. */
  endMs: number;
  version: string | null;
  /** The sum of the durations of the checks that made a request, in milliseconds, and their count. */
  latency: { sumMs: number; count: number };
  store: UrlSeriesStore;
}

/** The families of the document, per run first, then per URL, each URL's series in input order. */
function* families({ summary, endMs, version, latency, store }: RunMetrics): Generator<FamilyWithSamples> {
  const one = (value: number): Sample[] => [{ labels: '', value }];
  if (version !== null) yield { family: FAMILIES.build, samples: [{ labels: formatLabels([['version', version]]), value: 1 }] };
  yield { family: FAMILIES.results, samples: VERDICTS.map((verdict) => ({ labels: formatLabels([['verdict', verdict]]), value: summary.byVerdict[verdict] })) };
  // Every code, zeros included, so a query never meets an absent series; then any code a merged
  // report from a newer urlcheck carries.
  const codes = [...ERROR_CODES, ...Object.keys(summary.byCode).filter((code) => !(ERROR_CODES as readonly string[]).includes(code))];
  yield { family: FAMILIES.unhealthy, samples: codes.map((code) => ({ labels: formatLabels([['code', code]]), value: summary.byCode[code] ?? 0 })) };
  yield { family: FAMILIES.wall, samples: one(seconds(summary.wallMs)) };
  yield { family: FAMILIES.rate, samples: one(summary.urlsPerSecond) };
  // The quantiles are the run summary's, the numbers every report shows.
  const quantiles: Sample[] =
    summary.latencyMs === null
      ? []
      : [
          { labels: 'quantile="0.5"', value: seconds(summary.latencyMs.p50) },
          { labels: 'quantile="0.95"', value: seconds(summary.latencyMs.p95) },
          { labels: 'quantile="1"', value: seconds(summary.latencyMs.max) },
        ];
  yield {
    family: FAMILIES.latency,
    samples: [...quantiles, { suffix: '_sum', labels: '', value: seconds(latency.sumMs) }, { suffix: '_count', labels: '', value: latency.count }],
  };
  yield { family: FAMILIES.end, samples: one(endMs / 1000) };
  yield { family: FAMILIES.interrupted, samples: one(summary.interrupted ? 1 : 0) };
  yield { family: FAMILIES.notExported, samples: one(store.notExported) };

  const urls = store.sorted();
  const perUrl = (family: MetricFamily, value: (series: UrlSeries) => number | null): FamilyWithSamples => ({ family, samples: samplesOf(urls, value) });
  yield perUrl(FAMILIES.up, (series) => (series.down ? 0 : 1));
  yield {
    family: FAMILIES.verdict,
    samples: (function* () {
      for (const series of urls) yield { labels: series.labels + VERDICT_LABELS[series.verdict], value: 1 };
    })(),
  };
  yield perUrl(FAMILIES.status, (series) => series.status ?? 0);
  yield perUrl(FAMILIES.duration, (series) => seconds(series.durationMs));
  yield perUrl(FAMILIES.attempts, (series) => series.attempts);
  yield perUrl(FAMILIES.redirects, (series) => series.redirects);
  yield {
    family: FAMILIES.phases,
    samples: (function* () {
      for (const series of urls) {
        for (const [phase, field] of PHASES) {
          const ms = series[field];
          if (ms !== null) yield { labels: series.labels + phase, value: seconds(ms) };
        }
      }
    })(),
  };
  yield perUrl(FAMILIES.certExpiry, (series) => (series.certExpiresMs === null ? null : series.certExpiresMs / 1000));
}

function* samplesOf(urls: readonly UrlSeries[], value: (series: UrlSeries) => number | null): Generator<Sample> {
  for (const series of urls) {
    const sample = value(series);
    if (sample !== null) yield { labels: series.labels, value: sample };
  }
}

/** Milliseconds (to 0.1 ms, as results carry them) as seconds, without binary noise: 12.3 → 0.0123. */
function seconds(ms: number): number {
  return Math.round(ms * 10) / 10_000;
}
