// The two charts of the HTML report that count every result, kept in constant memory while the
// results stream past: the number of checks in flight over the run's time axis, and the latency
// distribution on a log scale.

/** Buckets of the in-flight chart: it ends up with between half this and this many. */
export const DEFAULT_IN_FLIGHT_BUCKETS = 512;

/** The first bucket width of the in-flight chart, in milliseconds; doubled as the run outgrows it. */
const INITIAL_BUCKET_MS = 1;

/**
 * How many checks were in flight over time, averaged over buckets of equal width: bucket `i`
 * covers [i × bucketMs, (i + 1) × bucketMs) of the run's time axis and holds the busy time of
 * every check inside it (so busy time / bucketMs is the average number in flight). A check that
 * ends past the last bucket doubles the bucket width (neighbours merge) until it fits. Adding a
 * check is O(1): buckets it covers whole are counted in a difference array, only the two at its
 * ends get a fraction. Memory is the fixed number of buckets, whatever the number of checks.
 */
export class InFlightHistogram {
  private bucketMs = INITIAL_BUCKET_MS;
  private readonly busyMs: Float64Array;
  // fullDiff[i] - fullDiff[i-1] summed up to b = checks covering bucket b whole.
  private readonly fullDiff: Float64Array;
  private endMs = 0;
  private checks = 0;

  constructor(private readonly buckets: number = DEFAULT_IN_FLIGHT_BUCKETS) {
    this.busyMs = new Float64Array(buckets);
    this.fullDiff = new Float64Array(buckets + 1);
  }

  /** Adds one check that ran from `startMs` for `durationMs` (milliseconds since the run's start); ignores a start that is not a finite number ≥ 0. */
  add(startMs: number, durationMs: number): void {
    if (!Number.isFinite(startMs) || startMs < 0 || !Number.isFinite(durationMs)) return;
    this.checks += 1;
    const end = startMs + Math.max(0, durationMs);
    if (end > this.endMs) this.endMs = end;
    if (end === startMs) return;
    while (end > this.bucketMs * this.buckets) this.doubleWidth();
    const width = this.bucketMs;
    const first = Math.floor(startMs / width);
    const last = Math.min(this.buckets - 1, Math.floor(end / width));
    if (first === last) {
      this.busyMs[first] = (this.busyMs[first] as number) + (end - startMs);
      return;
    }
    this.busyMs[first] = (this.busyMs[first] as number) + ((first + 1) * width - startMs);
    this.busyMs[last] = (this.busyMs[last] as number) + (end - last * width);
    if (last > first + 1) {
      this.fullDiff[first + 1] = (this.fullDiff[first + 1] as number) + 1;
      this.fullDiff[last] = (this.fullDiff[last] as number) - 1;
    }
  }

  /** The width of a bucket now, in milliseconds. */
  get bucketWidthMs(): number {
    return this.bucketMs;
  }

  /** Checks added (with a start time). */
  get size(): number {
    return this.checks;
  }

  /** The latest end of a check added, in milliseconds since the run's start. */
  get lastEndMs(): number {
    return this.endMs;
  }

  /**
   * The average number of checks in flight in each bucket, from the run's start to the bucket
   * holding the last end, rounded to 0.01.
   */
  averages(): number[] {
    const busy = this.materialised();
    const used = Math.min(this.buckets, Math.max(1, Math.ceil(this.endMs / this.bucketMs)));
    const values: number[] = [];
    for (let i = 0; i < used; i += 1) values.push(Math.round(((busy[i] as number) / this.bucketMs) * 100) / 100);
    return values;
  }

  /** Busy time per bucket with the whole-bucket counts folded in. */
  private materialised(): Float64Array {
    const busy = Float64Array.from(this.busyMs);
    let covering = 0;
    for (let i = 0; i < this.buckets; i += 1) {
      covering += this.fullDiff[i] as number;
      busy[i] = (busy[i] as number) + covering * this.bucketMs;
    }
    return busy;
  }

  private doubleWidth(): void {
    const busy = this.materialised();
    this.fullDiff.fill(0);
    this.busyMs.fill(0);
    for (let i = 0; i < this.buckets; i += 1) {
      const target = i >> 1;
      this.busyMs[target] = (this.busyMs[target] as number) + (busy[i] as number);
    }
    this.bucketMs *= 2;
  }
}

/** Latency buckets per tenfold: bucket edges at 10^(k/10) ms, each about 26% wider than the last. */
export const LATENCY_BUCKETS_PER_DECADE = 10;

/** Buckets of the latency histogram: under 1 ms, then 10 per decade from 1 ms up to 10^7 ms (the last one open-ended). */
export const LATENCY_BUCKETS = 1 + 7 * LATENCY_BUCKETS_PER_DECADE;

/**
 * Counts of check durations on a log scale: bucket 0 holds [0, 1) ms, bucket k ≥ 1 holds
 * [10^((k-1)/10), 10^(k/10)) ms, and the last bucket everything above. Constant memory.
 */
export class LogLatencyHistogram {
  private readonly counts = new Array<number>(LATENCY_BUCKETS).fill(0);

  /** Adds one duration, in milliseconds. */
  add(ms: number): void {
    if (!Number.isFinite(ms)) return;
    const bucket = ms < 1 ? 0 : Math.min(LATENCY_BUCKETS - 1, 1 + Math.floor(Math.log10(ms) * LATENCY_BUCKETS_PER_DECADE));
    this.counts[bucket] = (this.counts[bucket] as number) + 1;
  }

  /** The counts, bucket by bucket (see the class). */
  values(): number[] {
    return [...this.counts];
  }
}
