import type { ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import type { CheckResult } from '../types.js';
import { formatCount, formatMs, plural, summaryLines } from './format.js';
import type { Reporter, ReporterContext } from './types.js';

/** Healthy rows listed at most (the slowest ones); the summary counts the rest. */
export const DEFAULT_TABLE_HEALTHY_ROWS = 25;
/** Unhealthy rows listed at most; the summary counts the rest (use --format csv for all). */
export const DEFAULT_TABLE_UNHEALTHY_ROWS = 1000;

const FIXED_COLUMNS_WIDTH = 3 + 8 + 22 + 10 + 6 * 2 + 2; // icon, status, code, time, padding and borders

/**
 * The human report: a table of the slowest healthy URLs, then every unhealthy one (bounded, so
 * a list of millions costs no more memory than a list of a thousand), each group in input order,
 * then the summary: failures end up next to the summary, where the eye lands. With --quiet: only unhealthy rows and the summary, and nothing at all when every
 * URL is healthy.
 */
export function createTableReporter(
  { out, color: c, quiet }: ReporterContext,
  limits = { healthy: DEFAULT_TABLE_HEALTHY_ROWS, unhealthy: DEFAULT_TABLE_UNHEALTHY_ROWS },
): Reporter {
  const unhealthy: CheckResult[] = [];
  const slowestHealthy = new MinHeap<CheckResult>((a, b) => a.durationMs - b.durationMs);
  let omittedHealthy = 0;
  let omittedUnhealthy = 0;
  const healthyLimit = quiet ? 0 : limits.healthy;

  return {
    onResult: (result) => {
      if (!result.ok) {
        if (unhealthy.length < limits.unhealthy) unhealthy.push(result);
        else omittedUnhealthy += 1;
        return;
      }
      if (slowestHealthy.size < healthyLimit) {
        slowestHealthy.push(result);
      } else {
        omittedHealthy += 1;
        const fastest = slowestHealthy.peek();
        if (fastest !== undefined && result.durationMs > fastest.durationMs) slowestHealthy.replaceTop(result);
      }
    },
    onRunEnd: ({ summary, comparison }) => {
      if (quiet && summary.unhealthy === 0) return undefined;
      const rows = [...slowestHealthy.items().sort(inputOrder), ...unhealthy.sort(inputOrder)];
      const parts: string[] = [];
      if (rows.length > 0) parts.push(renderTable(rows, c, out.columns));
      const notes: string[] = [];
      if (omittedUnhealthy > 0) notes.push(`${plural(omittedUnhealthy, 'more unhealthy URL')} not listed`);
      if (omittedHealthy > 0 && !quiet) {
        notes.push(`${plural(omittedHealthy, 'healthy URL')} not listed (the ${formatCount(slowestHealthy.size)} slowest are)`);
      }
      if (notes.length > 0) parts.push(c.dim(`${notes.join('; ')}; use --format csv or ndjson for every row`));
      parts.push(summaryLines(summary, comparison, c).join('\n'));
      return out.write(`${parts.join('\n')}\n`);
    },
  };
}

function renderTable(rows: CheckResult[], c: ChalkInstance, columns: number | undefined): string {
  // Wrap the URL column ourselves, before colouring: cli-table3 would cut escape codes apart.
  const urlWidth = columns !== undefined ? Math.max(30, columns - FIXED_COLUMNS_WIDTH) : Number.POSITIVE_INFINITY;
  const table = new Table({
    head: ['', 'Status', 'Code', 'Time', 'URL'].map((title) => c.bold(title)),
    style: { head: [], border: [], compact: true },
  });
  for (const r of rows) {
    table.push([
      r.ok ? c.green('✔') : c.red('✖'),
      statusCell(r.status, c),
      r.ok ? c.green('OK') : c.red(r.error?.code ?? 'UNKNOWN'),
      { content: formatMs(r.durationMs), hAlign: 'right' },
      urlCell(r, c, urlWidth),
    ]);
  }
  return table.toString();
}

function statusCell(status: number | null, c: ChalkInstance): string {
  if (status === null) return c.dim('—');
  if (status < 300) return c.green(String(status));
  if (status < 400) return c.cyan(String(status));
  if (status < 500) return c.yellow(String(status));
  return c.red(String(status));
}

function urlCell(r: CheckResult, c: ChalkInstance, width: number): string {
  const lines = wrap(r.url, width).map((line) => (r.ok ? line : c.bold(line)));
  if (r.redirects.length > 0 && r.finalUrl !== null) {
    const hops = r.redirects.length === 1 ? '1 redirect' : `${r.redirects.length} redirects`;
    lines.push(...wrap(`→ ${r.finalUrl} (${hops})`, width).map((line) => c.dim(line)));
  }
  if (!r.ok && r.error !== null) {
    lines.push(...wrap(r.error.message, width).map((line) => c.red(line)));
    lines.push(...wrap(`${r.source}:${r.line}`, width).map((line) => c.dim(line)));
  }
  return lines.join('\n');
}

/** Hard-wraps plain text to `width` characters per line (URLs have no spaces to break at). */
function wrap(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  const lines: string[] = [];
  for (let start = 0; start < text.length; start += width) lines.push(text.slice(start, start + width));
  return lines;
}

function inputOrder(a: CheckResult, b: CheckResult): number {
  if (a.source !== b.source) return a.source < b.source ? -1 : 1;
  return a.line - b.line;
}

/** A binary min-heap: the table keeps the N slowest rows in O(log N) per result. */
class MinHeap<T> {
  private readonly heap: T[] = [];
  constructor(private readonly compare: (a: T, b: T) => number) {}

  get size(): number {
    return this.heap.length;
  }

  peek(): T | undefined {
    return this.heap[0];
  }

  items(): T[] {
    return [...this.heap];
  }

  push(item: T): void {
    const heap = this.heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.compare(heap[i] as T, heap[parent] as T) >= 0) break;
      [heap[i], heap[parent]] = [heap[parent] as T, heap[i] as T];
      i = parent;
    }
  }

  replaceTop(item: T): void {
    const heap = this.heap;
    heap[0] = item;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && this.compare(heap[left] as T, heap[smallest] as T) < 0) smallest = left;
      if (right < heap.length && this.compare(heap[right] as T, heap[smallest] as T) < 0) smallest = right;
      if (smallest === i) return;
      [heap[i], heap[smallest]] = [heap[smallest] as T, heap[i] as T];
      i = smallest;
    }
  }
}
