import type { ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import { printable } from '../util/redact.js';
import type { CheckResult } from '../model/types.js';
import { formatCount, plural } from '../util/text.js';
import { diffLine, displayWidth, formatMs, glyphsFor, interruptedLine, summaryLines, verdictLabel, wrapWords, type Glyphs } from './format.js';
import { KeepSmallest } from './rank.js';
import type { Reporter, ReporterContext } from '../model/reporter.js';

/** Healthy rows listed at most (the slowest ones); the summary counts the rest. */
export const DEFAULT_TABLE_HEALTHY_ROWS = 25;
/**
 * Rows needing attention (not healthy: warnings count) listed at most, and changed rows
 * (newly failing, recovered) at most as many again; the rest are counted (use --format csv for all).
 */
export const DEFAULT_TABLE_ATTENTION_ROWS = 1000;

/**
 * The narrowest URL column the table is drawn with, in terminal columns: a terminal that leaves
 * less (or less than a row's longest URL) gets one block per result instead (see {@link renderBlocks}).
 */
export const MIN_URL_COLUMN = 20;

/** How many rows of each kind the table keeps; its memory is bounded by these, whatever the list length. */
export interface TableLimits {
  /** The slowest healthy rows kept. */
  healthy: number;
  /** Rows needing attention kept, and changed rows kept (each). */
  attention: number;
}

/**
 * The human report: the slowest healthy URLs (slowest first), then every URL that needs attention
 * (not healthy: broken, transient, blocked, or a warning) in input order, then the URLs that
 * changed since a --diff report (NEW, RECOVERED), each group under a heading, then the summary:
 * failures and changes end up next to the summary, where the eye lands. Each group is bounded,
 * so a list of millions costs no more memory than a list of a thousand.
 *
 * On a terminal too narrow for a row to hold its URL whole, each result is a block of lines
 * instead of a table row, so no URL is ever cut in two (see {@link renderBlocks}); every line
 * then fits the terminal, except a URL longer than the terminal is wide, kept whole on its own.
 * With `ascii`, only ASCII is drawn. Lines read from a duplicate are marked as such.
 *
 * With --quiet: with a diff, only the changed rows and the diff line, and nothing at all when
 * nothing changed; without one, only the rows needing attention and the summary, and nothing at
 * all when every URL is healthy.
 */
export function createTableReporter(
  { out, color: c, quiet, ascii }: ReporterContext,
  limits: TableLimits = { healthy: DEFAULT_TABLE_HEALTHY_ROWS, attention: DEFAULT_TABLE_ATTENTION_ROWS },
): Reporter {
  const glyphs = glyphsFor(ascii);
  // Whether a diff is on is known only at the end, so changed rows are kept apart from the start:
  // thousands of still-failing rows must not crowd out the few that are new.
  const attention = new BoundedRows(limits.attention);
  const changed = new BoundedRows(limits.attention);
  // Slower first, so the slowest are the ones kept; equal times in input order, the same every run.
  const slowestHealthy = new KeepSmallest<CheckResult>(quiet ? 0 : limits.healthy, (a, b) => b.durationMs - a.durationMs || inputOrder(a, b));
  let healthy = 0;
  // Healthy duplicates are never listed: they are not "left out" of the slowest either.
  let healthyDuplicates = 0;

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
      // A healthy duplicate would repeat the row of the line that was checked: counted, not listed.
      if (result.duplicateOf === undefined) slowestHealthy.offer(result);
      else healthyDuplicates += 1;
    },
    onRunEnd: ({ summary, comparison, diff }) => {
      const columns = out.columns;
      const draw = { c, glyphs, columns };
      const changedHeading = `Changed since ${diff?.previous ?? 'the previous report'}:`;
      const notes: string[] = [];
      // `closing` is already fitted to the terminal; the notes about rows left out go above it.
      const finish = (groups: Group[], closing: string[]) => {
        if (notes.length > 0) closing.unshift(...fitLines([c.dim(`${notes.join('; ')}; use --format csv or ndjson for every row`)], columns));
        const parts = [...renderGroups(groups.filter((group) => group.rows.length > 0), draw), closing.join('\n')];
        return out.write(`${parts.join('\n\n')}\n`);
      };
      // `!= null`: library callers that predate --diff leave `diff` out altogether.
      if (quiet && diff != null) {
        if (diff.newlyFailing + diff.recovered === 0) return undefined;
        if (changed.omitted > 0) notes.push(`${plural(changed.omitted, 'more changed URL')} not listed`);
        const closing = [diffLine(diff, c, glyphs, columns)];
        if (summary.interrupted) closing.push(interruptedLine(summary, c));
        return finish([{ heading: changedHeading, rows: changed.sorted() }], closing);
      }
      if (quiet && summary.byVerdict.healthy === summary.total) return undefined;
      if (attention.omitted > 0) notes.push(`${plural(attention.omitted, 'more URL')} needing attention not listed`);
      if (changed.omitted > 0) notes.push(`${plural(changed.omitted, 'more changed URL')} not listed`);
      const omittedHealthy = healthy - healthyDuplicates - slowestHealthy.size;
      if (omittedHealthy > 0 && !quiet) {
        notes.push(`${plural(omittedHealthy, 'healthy URL')} not listed (the ${formatCount(slowestHealthy.size)} slowest are)`);
      }
      const groups: Group[] = [
        {
          heading: omittedHealthy > 0 ? `The ${formatCount(slowestHealthy.size)} slowest healthy URLs, slowest first:` : 'Healthy URLs, slowest first:',
          rows: slowestHealthy.sorted(),
        },
        { heading: 'Needing attention, in list order:', rows: attention.sorted() },
        { heading: changedHeading, rows: changed.sorted() },
      ];
      return finish(groups, summaryLines(summary, comparison, c, diff ?? null, { ascii: ascii === true, columns }));
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

/** Rows under a heading. */
interface Group {
  heading: string;
  rows: CheckResult[];
}

/** What drawing needs: colours, glyphs, and the terminal's width (undefined: not a terminal, no wrapping). */
interface Drawing {
  c: ChalkInstance;
  glyphs: Glyphs;
  columns: number | undefined;
}

/**
 * One line under a result's URL: words that may wrap at spaces (a message), or one piece that
 * never does (a URL, `file:line`), and how to colour each line it becomes.
 */
interface Detail {
  text: string;
  /** True when the text is a whole that must never be broken (a URL with its arrow, `file:line`). */
  whole: boolean;
  style: (text: string) => string;
  /** Shares a line with the next detail when both fit (a redirect's target and its count). */
  joinNext?: boolean;
}

/** A result, laid out once for either drawing: its short cells and the lines under its URL. */
interface Row {
  verdict: string;
  /** NEW or RECOVERED, coloured, or null. */
  mark: string | null;
  status: string;
  code: string[];
  time: string;
  /** The URL first, then redirect, messages, duplicate note and `file:line`. */
  details: Detail[];
}

const HEAD = ['Verdict', 'Status', 'Code', 'Time', 'URL'] as const;

/** The groups, each a heading and then a table, or blocks when a table row cannot hold a URL whole. */
function renderGroups(groups: Group[], draw: Drawing): string[] {
  const { c, columns } = draw;
  const laidOut = groups.map((group) => ({ heading: group.heading, rows: group.rows.map((r) => layOut(r, draw)) }));
  const all = laidOut.flatMap((group) => group.rows);
  if (all.length === 0) return [];
  // The short columns are as wide as their widest cell in any group, so the tables line up.
  const widths = {
    verdict: Math.max(HEAD[0].length, ...all.map((row) => Math.max(displayWidth(row.verdict), displayWidth(row.mark ?? '')))),
    status: Math.max(HEAD[1].length, ...all.map((row) => displayWidth(row.status))),
    code: Math.max(HEAD[2].length, ...all.map((row) => Math.max(...row.code.map(displayWidth)))),
    time: Math.max(HEAD[3].length, ...all.map((row) => displayWidth(row.time))),
  };
  // Each short column takes its width plus a space each side and a border; the URL column its
  // padding, and the borders either side of the row.
  const fixed = 1 + (widths.verdict + 3) + (widths.status + 3) + (widths.code + 3) + (widths.time + 3) + 2 + 1;
  const natural = Math.max(HEAD[4].length, ...all.flatMap((row) => row.details.map((detail) => displayWidth(detail.text))));
  let urlColumn = natural;
  if (columns !== undefined) {
    const room = columns - fixed;
    const needed = Math.max(...all.flatMap((row) => row.details.map(unbreakableWidth)));
    if (room < MIN_URL_COLUMN || needed > room) {
      return laidOut.map((group) => [...fitLines([c.bold(group.heading)], columns), renderBlocks(group.rows, all, draw)].join('\n'));
    }
    urlColumn = Math.min(natural, room);
  }
  return laidOut.map((group) => [...fitLines([c.bold(group.heading)], columns), renderTable(group.rows, widths, urlColumn, draw)].join('\n'));
}

/** The columns the widest piece of a detail takes that may not be broken: all of it, or its longest word. */
function unbreakableWidth(detail: Detail): number {
  if (detail.whole) return displayWidth(detail.text);
  return Math.max(0, ...detail.text.split(' ').map(displayWidth));
}

function layOut(r: CheckResult, { c, glyphs }: Drawing): Row {
  const details: Detail[] = [{ text: r.url, whole: true, style: r.ok ? plain : (text) => c.bold(text) }];
  if (r.redirects.length > 0 && r.finalUrl !== null) {
    details.push({ text: `${glyphs.arrow} ${r.finalUrl}`, whole: true, style: (text) => c.dim(text), joinNext: true });
    details.push({ text: `(${plural(r.redirects.length, 'redirect')})`, whole: false, style: (text) => c.dim(text) });
  }
  if (!r.ok && r.error !== null) details.push({ text: printable(r.error.message), whole: false, style: (text) => c.red(text) });
  // A warning's message says what to do (where a permanent redirect now points): show it whole.
  // It comes from a server nobody controls, so control characters are escaped here too.
  for (const warning of r.warnings) details.push({ text: printable(warning.message), whole: false, style: (text) => c.yellow(text) });
  if (r.duplicateOf !== undefined) {
    const origin = r.duplicateOf.source === r.source ? `line ${r.duplicateOf.line}` : `${r.duplicateOf.source}:${r.duplicateOf.line}`;
    details.push({ text: `duplicate of ${origin}: the same URL, checked once for both`, whole: false, style: (text) => c.dim(text) });
  }
  if (!r.ok || r.verdict !== 'healthy' || r.duplicateOf !== undefined) {
    details.push({ text: `${r.source}:${r.line}`, whole: true, style: (text) => c.dim(text) });
  }
  return {
    verdict: verdictLabel(r.verdict, c, glyphs),
    mark: r.change === 'newly-failing' ? c.red.bold('NEW') : r.change === 'recovered' ? c.green.bold('RECOVERED') : null,
    status: statusCell(r.status, c, glyphs),
    code: codeCell(r, c),
    time: formatMs(r.durationMs),
    details,
  };
}

function plain(text: string): string {
  return text;
}

/** A detail's lines at `width` columns: wrapped at spaces unless it is a whole, then coloured line by line. */
function detailLines(detail: Detail, width: number): string[] {
  const lines = detail.whole ? [detail.text] : wrapWords(detail.text, width);
  return lines.map(detail.style);
}

/** Details joined with the next one where {@link Detail.joinNext} asks and both fit in `width` columns. */
function joinWhereRoom(details: Detail[], width: number): Detail[] {
  const joined: Detail[] = [];
  for (let i = 0; i < details.length; i += 1) {
    const detail = details[i] as Detail;
    const next = details[i + 1];
    if (detail.joinNext === true && next !== undefined && displayWidth(`${detail.text} ${next.text}`) <= width) {
      joined.push({ text: `${detail.text} ${next.text}`, whole: true, style: detail.style });
      i += 1;
    } else joined.push(detail);
  }
  return joined;
}

interface ShortWidths {
  verdict: number;
  status: number;
  code: number;
  time: number;
}

function renderTable(rows: Row[], widths: ShortWidths, urlColumn: number, { c, glyphs }: Drawing): string {
  const table = new Table({
    // Headings padded to the widest cell of every group, so the tables of all groups line up.
    head: [
      c.bold(HEAD[0].padEnd(widths.verdict)),
      c.bold(HEAD[1].padEnd(widths.status)),
      c.bold(HEAD[2].padEnd(widths.code)),
      c.bold(HEAD[3].padEnd(widths.time)),
      c.bold(HEAD[4].padEnd(urlColumn)),
    ],
    style: { head: [], border: [], compact: true },
    ...(glyphs.border === null ? {} : { chars: glyphs.border }),
  });
  for (const row of rows) {
    const verdict = row.mark === null ? row.verdict : `${row.verdict}\n${row.mark}`;
    table.push([verdict, row.status, row.code.join('\n'), { content: row.time, hAlign: 'right' }, joinWhereRoom(row.details, urlColumn).flatMap((detail) => detailLines(detail, urlColumn)).join('\n')]);
  }
  return table.toString();
}

/**
 * The narrow layout: per result, its verdict, status, time and code on one line, then its URL
 * whole on a line of its own, then its messages (wrapped at spaces) and `file:line`, indented;
 * results apart by a blank line. A result with nothing to say but its URL (most healthy ones)
 * is one line, URL last, when that fits. The short fields line up across results.
 */
function renderBlocks(rows: Row[], all: Row[], { columns }: Drawing): string {
  const width = columns ?? Number.POSITIVE_INFINITY;
  const indent = '  ';
  const widest = (list: Row[], cell: (row: Row) => string) => Math.max(0, ...list.map((row) => displayWidth(cell(row))));
  const widths = { verdict: widest(all, (row) => row.verdict), status: widest(all, (row) => row.status), time: widest(all, (row) => row.time) };
  const head = (row: Row, codeWidth = 0) => {
    const fields = [row.verdict, row.status, row.time, row.code.join(','), ...(row.mark === null ? [] : [row.mark])];
    const aligned = [padEnd(row.verdict, widths.verdict), padEnd(row.status, widths.status), padStart(row.time, widths.time), padEnd(fields[3] as string, codeWidth), ...fields.slice(4)];
    return { aligned: aligned.join('  '), plain: fields.join(' ') };
  };
  const alone = rows.filter((row) => row.details.length === 1);
  const codeWidth = widest(alone, (row) => row.code.join(','));
  const entries = rows.map((row) => {
    const url = row.details[0] as Detail;
    if (row.details.length === 1) {
      const line = `${head(row, codeWidth).aligned}  ${url.style(url.text)}`;
      if (displayWidth(line) <= width) return { text: line, lines: 1 };
    }
    const { aligned, plain } = head(row);
    const lines = [displayWidth(aligned) <= width ? aligned : plain];
    for (const detail of joinWhereRoom(row.details, width - indent.length)) {
      if (detail.whole) {
        // A URL longer than the line is not indented, and is never cut: the terminal may fold it.
        lines.push(displayWidth(indent + detail.text) <= width ? indent + detail.style(detail.text) : detail.style(detail.text));
      } else {
        lines.push(...wrapWords(detail.text, width - indent.length).map((line) => indent + detail.style(line)));
      }
    }
    return { text: lines.join('\n'), lines: lines.length };
  });
  // One-line results follow each other directly; a blank line sets a block of several apart.
  return entries.map((entry, i) => (i > 0 && (entry.lines > 1 || (entries[i - 1]?.lines ?? 1) > 1) ? `\n${entry.text}` : entry.text)).join('\n');
}

function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

function padStart(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(text))) + text;
}

/** Lines wrapped at spaces to the terminal's width (no wrapping off a terminal). */
function fitLines(lines: string[], columns: number | undefined): string[] {
  if (columns === undefined) return lines;
  return lines.flatMap((line) => wrapWords(line, columns, line.startsWith('  ') ? '    ' : '  '));
}

function codeCell(r: CheckResult, c: ChalkInstance): string[] {
  if (!r.ok) return [c.red(r.error?.code ?? 'UNKNOWN')];
  if (r.warnings.length === 0) return [c.green('OK')];
  return [...new Set(r.warnings.map((warning) => warning.code))].map((code) => c.yellow(code));
}

function statusCell(status: number | null, c: ChalkInstance, glyphs: Glyphs): string {
  if (status === null) return c.dim(glyphs.none);
  if (status < 300) return c.green(String(status));
  if (status < 400) return c.cyan(String(status));
  if (status < 500) return c.yellow(String(status));
  return c.red(String(status));
}

function inputOrder(a: CheckResult, b: CheckResult): number {
  if (a.source !== b.source) return a.source < b.source ? -1 : 1;
  return a.line - b.line;
}
