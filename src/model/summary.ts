import type { CheckResult, Verdict } from './types.js';

/** Latency percentiles over the checks that made at least one request, in milliseconds. */
export interface LatencySummary {
  p50: number;
  p95: number;
  max: number;
}

/**
 * Counts and timings for a whole run. Part of the JSON report's public shape. Its counts use
 * the verdicts' words, as every report does: `healthy` + `warning` = `ok`; `broken` +
 * `transient` + `blocked` = `unhealthy`; `ok` + `unhealthy` = `total`.
 */
export interface Summary {
  /** Results reported (one per URL line checked). */
  total: number;
  /**
   * Results whose verdict is `healthy`: ok with nothing to flag (`byVerdict.healthy`). urlcheck
   * 1.0.0 counted every ok result here, warnings included: that count is now {@link ok}.
   */
  healthy: number;
  /** Results that are ok (the result's `ok`): verdict `healthy` or `warning`. */
  ok: number;
  /** Results that are not ok: verdict `broken`, `transient` or `blocked`. */
  unhealthy: number;
  /** Unhealthy results by error code, e.g. `{ "HTTP_STATUS": 3, "TIMEOUT": 1 }`. */
  byCode: Record<string, number>;
  /** Final statuses by class: `2xx`, `3xx`, `4xx`, `5xx`, and `none` (no response). */
  byStatusClass: Record<string, number>;
  /** Results by verdict: every verdict is present, zero or not. */
  byVerdict: Record<Verdict, number>;
  /** Warnings by code, e.g. `{ "PERMANENT_REDIRECT": 2 }`, over every result. */
  byWarning: Record<string, number>;
  /** Results whose check needed more than one attempt. */
  retried: number;
  /** Results that followed at least one redirect. */
  redirected: number;
  /** Null when no result made a request (e.g. every line was invalid). */
  latencyMs: LatencySummary | null;
  /** Wall time of the run, in milliseconds. */
  wallMs: number;
  /** Results per second of wall time. */
  urlsPerSecond: number;
  /** True when the run was stopped (SIGINT/SIGTERM) before every line was checked. */
  interrupted: boolean;
}

// Log-scale buckets 1% wide: percentiles within 1% using constant memory whatever the count.
const BUCKET_GROWTH = 1.01;
const LOG_GROWTH = Math.log(BUCKET_GROWTH);
const MAX_BUCKET = 4095;

/** A constant-memory latency histogram with about 1% relative precision. */
export class LatencyHistogram {
  // Counts by bucket index (bucket i holds durations whose log1p is in [i, i + 1) × LOG_GROWTH):
  // an array indexed directly, grown by doubling, instead of a Map probed per result. A day is
  // bucket 1,839, so it stays a few kilobytes.
  private counts = new Float64Array(1024);
  private highest = -1;
  private count = 0;
  private maxMs = 0;

  /** Records one duration, in milliseconds. */
  add(ms: number): void {
    // Past the last bucket (about 10^17 ms; or a duration read from a damaged report) counts in it.
    const bucket = Math.min(MAX_BUCKET, Math.floor(Math.log1p(ms > 0 ? ms : 0) / LOG_GROWTH));
    if (bucket >= this.counts.length) {
      const grown = new Float64Array(Math.max(this.counts.length * 2, bucket + 1));
      grown.set(this.counts);
      this.counts = grown;
    }
    this.counts[bucket] = (this.counts[bucket] as number) + 1;
    if (bucket > this.highest) this.highest = bucket;
    this.count += 1;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  /** The duration at or below which `fraction` (0..1) of recorded durations fall, in milliseconds. */
  percentile(fraction: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(fraction * this.count));
    let seen = 0;
    for (let bucket = 0; bucket <= this.highest; bucket += 1) {
      seen += this.counts[bucket] as number;
      if (seen >= rank) {
        const middle = Math.expm1((bucket + 0.5) * LOG_GROWTH);
        return Math.min(this.maxMs, Math.round(middle * 10) / 10);
      }
    }
    return this.maxMs;
  }

  get size(): number {
    return this.count;
  }

  get max(): number {
    return this.maxMs;
  }
}

// "1xx" … "9xx" made once, not a template string per result.
const STATUS_CLASSES = Array.from({ length: 10 }, (_, i) => `${i}xx`);

/** Folds results into a {@link Summary} as they stream past, holding no result. */
export class SummaryBuilder {
  private total = 0;
  private ok = 0;
  private retried = 0;
  private redirected = 0;
  private readonly byCode: Record<string, number> = {};
  private readonly byStatusClass: Record<string, number> = {};
  private readonly byVerdict: Record<Verdict, number> = { healthy: 0, warning: 0, broken: 0, transient: 0, blocked: 0 };
  private readonly byWarning: Record<string, number> = {};
  private readonly latency = new LatencyHistogram();

  /** Adds one result. */
  add(result: CheckResult): void {
    this.total += 1;
    if (result.ok) this.ok += 1;
    else if (result.error !== null) this.byCode[result.error.code] = (this.byCode[result.error.code] ?? 0) + 1;
    const statusClass = result.status === null ? 'none' : (STATUS_CLASSES[Math.floor(result.status / 100)] ?? `${Math.floor(result.status / 100)}xx`);
    this.byStatusClass[statusClass] = (this.byStatusClass[statusClass] ?? 0) + 1;
    this.byVerdict[result.verdict] += 1;
    for (const warning of result.warnings) this.byWarning[warning.code] = (this.byWarning[warning.code] ?? 0) + 1;
    if (result.attempts > 1) this.retried += 1;
    if (result.redirects.length > 0) this.redirected += 1;
    if (result.attempts > 0) this.latency.add(result.durationMs);
  }

  /** Results added so far. */
  get count(): number {
    return this.total;
  }

  /** Results added so far with this verdict. */
  verdictCount(verdict: Verdict): number {
    return this.byVerdict[verdict];
  }

  /** Unhealthy results added so far. */
  get unhealthyCount(): number {
    return this.total - this.ok;
  }

  /** The longest check added so far (lines never requested excluded), in milliseconds. */
  get maxLatencyMs(): number {
    return this.latency.max;
  }

  /** The summary of everything added, for a run that took `wallMs` milliseconds. */
  finish(wallMs: number, interrupted: boolean): Summary {
    return {
      total: this.total,
      healthy: this.byVerdict.healthy,
      ok: this.ok,
      unhealthy: this.total - this.ok,
      byCode: sortedByCount(this.byCode),
      byStatusClass: { ...this.byStatusClass },
      byVerdict: { ...this.byVerdict },
      byWarning: sortedByCount(this.byWarning),
      retried: this.retried,
      redirected: this.redirected,
      latencyMs:
        this.latency.size === 0
          ? null
          : { p50: this.latency.percentile(0.5), p95: this.latency.percentile(0.95), max: this.latency.max },
      wallMs: Math.round(wallMs * 10) / 10,
      urlsPerSecond: wallMs > 0 ? Math.round((this.total / wallMs) * 1000 * 10) / 10 : 0,
      interrupted,
    };
  }
}

function sortedByCount(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}
