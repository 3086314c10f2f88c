import { stripVTControlCharacters } from 'node:util';
import type { ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import { printable } from '../util/redact.js';
import type { CheckResult } from '../model/types.js';
import { formatCount, plural } from '../util/text.js';
import { diffLine, formatMs, interruptedLine, summaryLines, verdictLabel } from './format.js';
import { KeepSmallest } from './rank.js';
import type { Reporter, ReporterContext } from '../model/reporter.js';

/** Healthy rows listed at most (the slowest ones); the summary counts the rest. */
export const DEFAULT_TABLE_HEALTHY_ROWS = 25;
/**
 * Rows needing attention (not healthy: warnings count) listed at most, and changed rows
 * (newly failing, recovered) at most as many again; the rest are counted (use --format csv for all).
 */
export const DEFAULT_TABLE_ATTENTION_ROWS = 1000;

/** How many rows of each kind the table keeps; its memory is bounded by these, whatever the list length. */
export interface TableLimits {
  /** The slowest healthy rows kept. */
  healthy: number;
  /** Rows needing attention kept, and changed rows kept (each). */
  attention: number;
}

// Narrower than this, a URL column wraps into more lines than it is worth.
const MIN_URL_WIDTH = 20;

/**
 * The human report: a table of the slowest healthy URLs, then every URL that needs attention
 * (not healthy: broken, transient, blocked, or a warning), then the URLs that changed since a
 * --diff report (NEW, RECOVERED), each group in input order, then the summary: failures and
 * changes end up next to the summary, where the eye lands. Each group is bounded, so a list of
 * millions costs no more memory than a list of a thousand.
 *
 * With --quiet: with a diff, only the changed rows and the diff line, and nothing at all when
 * nothing changed; without one, only the rows needing attention and the summary, and nothing at
 * all when every URL is healthy.
 */
export function createTableReporter(
  { out, color: c, quiet }: ReporterContext,
  limits: TableLimits = { healthy: DEFAULT_TABLE_HEALTHY_ROWS, attention: DEFAULT_TABLE_ATTENTION_ROWS },
): Reporter {
  // Whether a diff is on is known only at the end, so changed rows are kept apart from the start:
  // thousands of still-failing rows must not crowd out the few that are new.
  const attention = new BoundedRows(limits.attention);
  const changed = new BoundedRows(limits.attention);
  // Slower first, so the slowest are the ones kept.
  const slowestHealthy = new KeepSmallest<CheckResult>(quiet ? 0 : limits.healthy, (a, b) => b.durationMs - a.durationMs);
  let healthy = 0;

  return {
    onResult: (result) => {
      if (result.change === 'newly-failing' || result.change === 'recovered') {
        changed.add(result);
        return;
      }
      if (!result.ok || result.verdict !== 'healthy') {
        attention.add(result);
        return;
      }
      healthy += 1;
      slowestHealthy.offer(result);
    },
    onRunEnd: ({ summary, comparison, diff }) => {
      const parts: string[] = [];
      const notes: string[] = [];
      // `!= null`: library callers that predate --diff leave `diff` out altogether.
      if (quiet && diff != null) {
        if (diff.newlyFailing + diff.recovered === 0) return undefined;
        if (changed.rows.length > 0) parts.push(renderTable(changed.sorted(), c, out.columns));
        if (changed.omitted > 0) notes.push(`${plural(changed.omitted, 'more changed URL')} not listed`);
        if (notes.length > 0) parts.push(c.dim(`${notes.join('; ')}; use --format csv or ndjson for every row`));
        parts.push(diffLine(diff, c));
        if (summary.interrupted) parts.push(interruptedLine(summary, c));
        return out.write(`${parts.join('\n')}\n`);
      }
      if (quiet && summary.byVerdict.healthy === summary.total) return undefined;
      const rows = [...slowestHealthy.sorted().sort(inputOrder), ...attention.sorted(), ...changed.sorted()];
      if (rows.length > 0) parts.push(renderTable(rows, c, out.columns));
      if (attention.omitted > 0) notes.push(`${plural(attention.omitted, 'more URL')} needing attention not listed`);
      if (changed.omitted > 0) notes.push(`${plural(changed.omitted, 'more changed URL')} not listed`);
      const omittedHealthy = healthy - slowestHealthy.size;
      if (omittedHealthy > 0 && !quiet) {
        notes.push(`${plural(omittedHealthy, 'healthy URL')} not listed (the ${formatCount(slowestHealthy.size)} slowest are)`);
      }
      if (notes.length > 0) parts.push(c.dim(`${notes.join('; ')}; use --format csv or ndjson for every row`));
      parts.push(summaryLines(summary, comparison, c, diff ?? null).join('\n'));
      return out.write(`${parts.join('\n')}\n`);
    },
  };
}

/** Up to `limit` rows, and a count of those that did not fit. */
class BoundedRows {
  readonly rows: CheckResult[] = [];
  omitted = 0;
  constructor(private readonly limit: number) {}

  add(result: CheckResult): void {
    if (this.rows.length < this.limit) this.rows.push(result);
    else this.omitted += 1;
  }

  sorted(): CheckResult[] {
    return this.rows.sort(inputOrder);
  }
}

const HEAD = ['Verdict', 'Status', 'Code', 'Time', 'URL'];

function renderTable(rows: CheckResult[], c: ChalkInstance, columns: number | undefined): string {
  const cells = rows.map((r) => [verdictCell(r, c), statusCell(r.status, c), codeCell(r, c), formatMs(r.durationMs)]);
  // Wrap the URL column ourselves, before colouring: cli-table3 would cut escape codes apart.
  // The other columns take what their widest cell needs (plus padding and a border each).
  let urlWidth = Number.POSITIVE_INFINITY;
  if (columns !== undefined) {
    let fixed = 1 + 2 + 1; // the left border, the URL column's padding and the right border
    for (let column = 0; column < HEAD.length - 1; column += 1) {
      fixed += 3 + Math.max(width(HEAD[column] ?? ''), ...cells.map((row) => width(row[column] ?? '')));
    }
    urlWidth = Math.max(MIN_URL_WIDTH, columns - fixed);
  }
  const table = new Table({
    head: HEAD.map((title) => c.bold(title)),
    style: { head: [], border: [], compact: true },
  });
  rows.forEach((r, i) => {
    const [verdict, status, code, time] = cells[i] ?? [];
    table.push([verdict ?? '', status ?? '', code ?? '', { content: time ?? '', hAlign: 'right' }, urlCell(r, c, urlWidth)]);
  });
  return table.toString();
}

/** Terminal columns of a cell's widest line: every glyph this table draws is one column wide. */
function width(cell: string): number {
  let widest = 0;
  for (const line of stripVTControlCharacters(cell).split('\n')) widest = Math.max(widest, [...line].length);
  return widest;
}

function verdictCell(r: CheckResult, c: ChalkInstance): string {
  const label = verdictLabel(r.verdict, c);
  if (r.change === 'newly-failing') return `${label}\n${c.red.bold('NEW')}`;
  if (r.change === 'recovered') return `${label}\n${c.green.bold('RECOVERED')}`;
  return label;
}

function codeCell(r: CheckResult, c: ChalkInstance): string {
  if (!r.ok) return c.red(r.error?.code ?? 'UNKNOWN');
  if (r.warnings.length === 0) return c.green('OK');
  return [...new Set(r.warnings.map((warning) => warning.code))].map((code) => c.yellow(code)).join('\n');
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
  if (!r.ok && r.error !== null) lines.push(...wrap(r.error.message, width).map((line) => c.red(line)));
  // A warning's message says what to do (where a permanent redirect now points): show it whole.
  // It comes from a server nobody controls, so control characters are escaped here too.
  for (const warning of r.warnings) lines.push(...wrap(printable(warning.message), width).map((line) => c.yellow(line)));
  if (!r.ok || r.verdict !== 'healthy') lines.push(...wrap(`${r.source}:${r.line}`, width).map((line) => c.dim(line)));
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
