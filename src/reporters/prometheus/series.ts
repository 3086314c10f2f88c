// The per-URL series of a Prometheus/OpenMetrics report: label values that any input line can
// safely become, and a store that keeps at most a fixed number of URLs, the same ones every run.
import type { CheckResult, Verdict } from '../../model/types.js';
import { Hash64 } from '../../util/hash.js';
import { printable } from '../../util/redact.js';
import { ATTENTION_RANK } from '../rank.js';
import { formatLabels } from './exposition.js';

/** A label value longer than this many characters (UTF-16 code units) is cut, see {@link labelValue}. */
export const MAX_LABEL_VALUE_CHARS = 2048;

// A surrogate that is not half of a pair: UTF-8 cannot encode it, so it becomes U+FFFD.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const hash = new Hash64();

/**
 * Text (a URL as reported, an input's name) as a label value: control characters written as
 * visible `\uXXXX` (as every report shows them, see `printable`), a lone surrogate as U+FFFD,
 * and past {@link MAX_LABEL_VALUE_CHARS} characters cut, ending `…[truncated 1a2b3c4d]`: the
 * 8 hex digits hash the whole text, so two long URLs that begin alike stay two series. The
 * format's own escaping (backslash, quote, line feed) comes after, in `formatLabels`.
 */
export function labelValue(text: string): string {
  if (text.length <= MAX_LABEL_VALUE_CHARS) {
    const shown = printable(text);
    if (shown.length <= MAX_LABEL_VALUE_CHARS) return shown.replace(LONE_SURROGATE, '\uFFFD');
  }
  const digest = hash.of(text).hi.toString(16).padStart(8, '0');
  const head = cutAt(printable(cutAt(text, MAX_LABEL_VALUE_CHARS)), MAX_LABEL_VALUE_CHARS);
  return `${head.replace(LONE_SURROGATE, '\uFFFD')}…[truncated ${digest}]`;
}

/** The first `length` code units of `text`, one fewer when that would split a surrogate pair. */
function cutAt(text: string, length: number): string {
  if (text.length <= length) return text;
  const last = text.charCodeAt(length - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? length - 1 : length);
}

/** What a report keeps of one URL's result: its numbers, and its label pairs already written. */
export interface UrlSeries {
  /** `url="…",source="…"`, escaped: the series' identity. */
  readonly labels: string;
  /** The input the URL was read from. */
  readonly source: string;
  /** The first line with these labels so far: the series' place in input order. */
  firstLine: number;
  /** The line whose result the series shows (see {@link UrlSeriesStore}). */
  line: number;
  verdict: Verdict;
  /** The verdict is one --fail-on names. */
  down: boolean;
  status: number | null;
  durationMs: number;
  attempts: number;
  redirects: number;
  dnsMs: number | null;
  connectMs: number | null;
  tlsMs: number | null;
  firstByteMs: number | null;
  /** When the certificate expires, in milliseconds since the Unix epoch; null when unknown. */
  certExpiresMs: number | null;
  /** Where it sits in the store's heap. */
  heapIndex: number;
}

/** Where a series sits in input order. */
interface Place {
  source: string;
  firstLine: number;
  /** Breaks the tie between two links on one line of a document. */
  labels: string;
}

/** Before `b` in input order: by source name, then line, then labels. */
function precedes(a: Place, b: Place): boolean {
  if (a.source !== b.source) return a.source < b.source;
  if (a.firstLine !== b.firstLine) return a.firstLine < b.firstLine;
  return a.labels < b.labels;
}

/**
 * True when `result` should stand for its series instead of `kept`: a line that counts as down
 * wins over one that does not, then the worse verdict (broken, transient, blocked, warning,
 * healthy), then the earlier line. So the series agrees with the exit code (one failing line of a
 * URL fails the run), and does not depend on the order the checks finished in.
 */
function outranks(result: CheckResult, down: boolean, kept: UrlSeries): boolean {
  if (down !== kept.down) return down;
  const rank = ATTENTION_RANK[result.verdict];
  const keptRank = ATTENTION_RANK[kept.verdict];
  if (rank !== keptRank) return rank < keptRank;
  return result.line < kept.line;
}

/** Copies what the report shows of `result` into `series`. */
function assign(series: UrlSeries, result: CheckResult, down: boolean): void {
  series.line = result.line;
  series.verdict = result.verdict;
  series.down = down;
  series.status = result.status;
  series.durationMs = result.durationMs;
  series.attempts = result.attempts;
  series.redirects = result.redirects.length;
  const timings = result.timings;
  series.dnsMs = timings?.dnsMs ?? null;
  series.connectMs = timings?.connectMs ?? null;
  series.tlsMs = timings?.tlsMs ?? null;
  series.firstByteMs = timings?.firstByteMs ?? null;
  const validTo = result.tls?.validTo ?? null;
  const expires = validTo === null ? Number.NaN : Date.parse(validTo);
  series.certExpiresMs = Number.isFinite(expires) ? expires : null;
}

/**
 * The per-URL series of a run, one per `url`+`source` label pair, at most `cap` of them: the
 * first `cap` in input order (by source name, then line), whatever order the checks finish in,
 * so a long list exports the same URLs every run. A max-heap by input order finds the one to
 * drop; memory is O(cap), O(log cap) per result.
 *
 * Results that share labels (a URL on two lines of one input with --no-dedupe, a repeated line
 * that is not a URL) are one series: the one that {@link outranks} the others.
 */
export class UrlSeriesStore {
  private readonly byLabels = new Map<string, UrlSeries>();
  private readonly heap: UrlSeries[] = [];
  private dropped = 0;

  /** `cap`: the most URLs kept; 0 keeps none. */
  constructor(readonly cap: number) {}

  /** Series kept. */
  get size(): number {
    return this.heap.length;
  }

  /**
   * Results that got no series because of the cap: each line past it counts once (a URL that had
   * a series and lost it to an earlier line counts once too).
   */
  get notExported(): number {
    return this.dropped;
  }

  /** Adds a result (`down`: its verdict is one --fail-on names). */
  add(result: CheckResult, down: boolean): void {
    const labels = formatLabels([
      ['url', labelValue(result.url)],
      ['source', labelValue(result.source)],
    ]);
    const kept = this.byLabels.get(labels);
    if (kept !== undefined) {
      if (result.line < kept.firstLine) {
        kept.firstLine = result.line;
        // Earlier in the input: further from the heap's top, the next to be dropped.
        this.siftDown(kept.heapIndex);
      }
      if (outranks(result, down, kept)) assign(kept, result, down);
      return;
    }
    if (this.heap.length >= this.cap) {
      this.dropped += 1;
      const last = this.heap[0];
      if (last === undefined || !precedes({ source: result.source, firstLine: result.line, labels }, last)) return;
      this.byLabels.delete(last.labels);
      const series = this.create(labels, result, down, 0);
      this.heap[0] = series;
      this.siftDown(0);
      return;
    }
    const series = this.create(labels, result, down, this.heap.length);
    this.heap.push(series);
    this.siftUp(series.heapIndex);
  }

  /** The series kept, in input order. */
  sorted(): UrlSeries[] {
    return [...this.heap].sort((a, b) => (precedes(a, b) ? -1 : precedes(b, a) ? 1 : 0));
  }

  private create(labels: string, result: CheckResult, down: boolean, heapIndex: number): UrlSeries {
    // Every field at once, so every series has one shape.
    const series: UrlSeries = {
      labels,
      source: result.source,
      firstLine: result.line,
      line: result.line,
      verdict: result.verdict,
      down,
      status: null,
      durationMs: 0,
      attempts: 0,
      redirects: 0,
      dnsMs: null,
      connectMs: null,
      tlsMs: null,
      firstByteMs: null,
      certExpiresMs: null,
      heapIndex,
    };
    assign(series, result, down);
    this.byLabels.set(labels, series);
    return series;
  }

  private place(series: UrlSeries, index: number): void {
    this.heap[index] = series;
    series.heapIndex = index;
  }

  // The heap's top is the last in input order: the one a line before it would push out.
  private siftUp(start: number): void {
    const heap = this.heap;
    const series = heap[start] as UrlSeries;
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = heap[parent] as UrlSeries;
      if (!precedes(above, series)) break;
      this.place(above, i);
      i = parent;
    }
    this.place(series, i);
  }

  private siftDown(start: number): void {
    const heap = this.heap;
    const series = heap[start] as UrlSeries;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      let later = heap[left] as UrlSeries;
      let at = left;
      if (right < heap.length && precedes(later, heap[right] as UrlSeries)) {
        later = heap[right] as UrlSeries;
        at = right;
      }
      if (!precedes(series, later)) break;
      this.place(later, i);
      i = at;
    }
    this.place(series, i);
  }
}
