import { stripVTControlCharacters } from 'node:util';
import type { ChalkInstance } from 'chalk';
import type { Comparison, DiffSummary } from '../model/run.js';
import type { Summary } from '../model/summary.js';
import { VERDICTS, type Verdict } from '../model/types.js';
import { formatCount, plural } from '../util/text.js';

/** A duration for people: "12 ms", "1.25 s", "3m 05s". Input in milliseconds. */
export function formatMs(ms: number): string {
  // Each branch checks the value as it will be rounded, so 999.6 ms reads "1.00 s", not "1000 ms".
  if (Math.round(ms * 10) / 10 < 10) return `${Math.round(ms * 10) / 10} ms`;
  if (Math.round(ms) < 1000) return `${Math.round(ms)} ms`;
  if (Math.round(ms / 10) < 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (Math.round(ms / 100) < 600) return `${(ms / 1000).toFixed(1)} s`;
  // Round to whole seconds before splitting, so 119.6 s is "2m 00s", not "1m 60s".
  const totalSeconds = Math.round(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
}

/**
 * The symbol for each verdict: each has its own shape, so the table and the summary read the
 * same with colour off. All are one terminal column wide (⛔ is drawn two wide by some
 * terminals and one by others, which breaks table borders; ⊘ is not).
 */
export const VERDICT_SYMBOLS: Readonly<Record<Verdict, string>> = {
  healthy: '✔',
  warning: '⚠',
  broken: '✖',
  transient: '↻',
  blocked: '⊘',
};

/** {@link VERDICT_SYMBOLS} in ASCII, each still its own shape: `+` healthy, `!` warning, `x` broken, `~` transient, `#` blocked. */
export const ASCII_VERDICT_SYMBOLS: Readonly<Record<Verdict, string>> = {
  healthy: '+',
  warning: '!',
  broken: 'x',
  transient: '~',
  blocked: '#',
};

/** cli-table3's names for the characters a table border is drawn with. */
export type BorderChar =
  | 'top' | 'top-mid' | 'top-left' | 'top-right'
  | 'bottom' | 'bottom-mid' | 'bottom-left' | 'bottom-right'
  | 'left' | 'left-mid' | 'mid' | 'mid-mid' | 'right' | 'right-mid' | 'middle';

/**
 * Every character the human reports (the table, its blocks, the summary, the progress line) draw
 * beyond plain text, in one place: {@link UNICODE_GLYPHS} by default, {@link ASCII_GLYPHS} with
 * --ascii or a locale that is not UTF-8, where box drawing and symbols turn into mojibake.
 */
export interface Glyphs {
  verdicts: Readonly<Record<Verdict, string>>;
  /** Between the items of a list on one line: `a · b`. */
  separator: string;
  /** A value that does not exist, such as the status of a request nobody answered. */
  none: string;
  /** Before the URL a redirect led to. */
  arrow: string;
  /** The multiplication sign of a speed-up: `12.3×`. */
  times: string;
  /** Text that goes on (the progress line's baseline note). */
  ellipsis: string;
  /** The progress bar's done and remaining parts. */
  barDone: string;
  barLeft: string;
  /** A table's borders; null for cli-table3's own (box drawing). */
  border: Readonly<Record<BorderChar, string>> | null;
}

/** The default glyphs: Unicode symbols and box drawing, each one terminal column wide. */
export const UNICODE_GLYPHS: Glyphs = {
  verdicts: VERDICT_SYMBOLS,
  separator: ' · ',
  none: '—',
  arrow: '→',
  times: '×',
  ellipsis: '…',
  barDone: '█',
  barLeft: '░',
  border: null,
};

/** Glyphs in 7-bit ASCII only, for terminals and mail that are not UTF-8 (cron's default locale). */
export const ASCII_GLYPHS: Glyphs = {
  verdicts: ASCII_VERDICT_SYMBOLS,
  separator: ' - ',
  none: '-',
  arrow: '->',
  times: 'x',
  ellipsis: '...',
  barDone: '#',
  barLeft: '-',
  border: {
    top: '-',
    'top-mid': '+',
    'top-left': '+',
    'top-right': '+',
    bottom: '-',
    'bottom-mid': '+',
    'bottom-left': '+',
    'bottom-right': '+',
    left: '|',
    'left-mid': '+',
    mid: '-',
    'mid-mid': '+',
    right: '|',
    'right-mid': '+',
    middle: '|',
  },
};

/** The glyphs for a reporter context's `ascii` flag. */
export function glyphsFor(ascii: boolean | undefined): Glyphs {
  return ascii === true ? ASCII_GLYPHS : UNICODE_GLYPHS;
}

/** The colour of each verdict, so `broken` reads red and `warning` yellow everywhere. */
export function verdictColor(verdict: Verdict, c: ChalkInstance): ChalkInstance {
  switch (verdict) {
    case 'healthy':
      return c.green;
    case 'warning':
      return c.yellow;
    case 'broken':
      return c.red;
    case 'transient':
      return c.magenta;
    case 'blocked':
      return c.blue;
  }
}

/** A verdict for people, symbol and word, coloured: "✖ broken" (or "x broken" in ASCII). */
export function verdictLabel(verdict: Verdict, c: ChalkInstance, glyphs: Glyphs = UNICODE_GLYPHS): string {
  return verdictColor(verdict, c)(`${glyphs.verdicts[verdict]} ${verdict}`);
}

// Characters a terminal draws two columns wide: emoji shown as pictures, and East Asian wide and
// fullwidth forms (the blocks string-width, and so cli-table3, counts as wide).
const WIDE = /[\p{Emoji_Presentation}\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]/u;
const ZERO_WIDTH = /[\p{Mn}\p{Me}\u200b-\u200d\ufe00-\ufe0f]/u;

/** The columns `text` takes in a terminal, escape codes left out: its widest line when it has several. */
export function displayWidth(text: string): number {
  let widest = 0;
  for (const line of stripVTControlCharacters(text).split('\n')) {
    let width = 0;
    for (const char of line) width += ZERO_WIDTH.test(char) ? 0 : WIDE.test(char) ? 2 : 1;
    widest = Math.max(widest, width);
  }
  return widest;
}

/**
 * Wraps one line of text (escape codes allowed) at spaces to at most `width` columns, the lines
 * after the first starting with `indent`. A word is never cut: one wider than the line stays
 * whole on a line of its own, so a URL can still be copied or clicked. Leading spaces are kept.
 */
export function wrapWords(text: string, width: number, indent = ''): string[] {
  if (displayWidth(text) <= width) return [text];
  const lead = /^ */.exec(text)?.[0] ?? '';
  // Words and the runs of spaces between them: [word, spaces, word, spaces, …, word].
  const pieces = text.slice(lead.length).split(/( +)/);
  const lines: string[] = [];
  let line = lead + (pieces[0] ?? '');
  let lineWidth = displayWidth(line);
  for (let i = 1; i + 1 < pieces.length; i += 2) {
    const spaces = pieces[i] as string;
    const word = pieces[i + 1] as string;
    const wordWidth = displayWidth(word);
    if (lineWidth + spaces.length + wordWidth <= width) {
      line += spaces + word;
      lineWidth += spaces.length + wordWidth;
    } else {
      lines.push(line);
      line = indent + word;
      lineWidth = indent.length + wordWidth;
    }
  }
  lines.push(line);
  return lines;
}

/** How {@link summaryLines} draws: with which glyphs, and within how many columns. */
export interface SummaryLayout {
  /** ASCII only (see {@link ASCII_GLYPHS}). */
  ascii?: boolean;
  /** The terminal's width: longer lines wrap at spaces, indented. Absent: no wrapping (a file, a pipe). */
  columns?: number | undefined;
}

// Joins the words of one item ("HTTP_STATUS 3", "p95 812 ms") so that wrapping never parts them;
// turned back into a plain space before the text leaves this module.
const KEEP = '\u00a0';

/**
 * `text` as lines of at most `columns` (wrapped at spaces, continuation lines starting with
 * `indent`, items joined with {@link KEEP} kept together), or as it is when `columns` is undefined.
 */
function fitText(text: string, columns: number | undefined, indent: string): string[] {
  const lines = columns === undefined ? [text] : wrapWords(text, columns, indent);
  return lines.map((line) => line.replaceAll(KEEP, ' '));
}

/**
 * The human summary of a run, as lines without trailing newlines: counts by verdict (zero
 * counts left out, except healthy), then the changes since `diff`'s previous report, error and
 * warning codes, latency, redirects and retries, the comparison, and whether the run was cut short.
 * With `layout.columns`, a line longer than the terminal wraps between items onto indented lines.
 */
export function summaryLines(
  summary: Summary,
  comparison: Comparison | null,
  c: ChalkInstance,
  diff: DiffSummary | null = null,
  layout: SummaryLayout = {},
): string[] {
  const glyphs = glyphsFor(layout.ascii);
  const sep = KEEP + glyphs.separator.trimStart();
  const item = (...words: string[]) => words.join(' ').replaceAll(' ', KEEP);
  const lines: string[] = [];
  const counts = VERDICTS.filter((verdict) => verdict === 'healthy' || summary.byVerdict[verdict] > 0).map((verdict) => {
    const text = item(glyphs.verdicts[verdict], formatCount(summary.byVerdict[verdict]), verdict);
    return verdict === 'broken' ? c.red.bold(text) : verdictColor(verdict, c)(text);
  });
  // "of N URLs in X" is parsed by bench/run.mjs: keep the phrase.
  lines.push(
    `${counts.join('  ')}  ${item('of', plural(summary.total, 'URL'))} ${item('in', formatMs(summary.wallMs))} ${item(`(${formatCount(summary.urlsPerSecond)}`, 'URLs/s)')}`,
  );
  if (diff !== null) lines.push(`  ${diffText(diff, c, glyphs)}`);
  const codes = Object.entries(summary.byCode);
  if (codes.length > 0) lines.push(`  unhealthy by code: ${codes.map(([code, n]) => item(c.red(code), formatCount(n))).join(sep)}`);
  const warnings = Object.entries(summary.byWarning);
  if (warnings.length > 0) lines.push(`  warnings: ${warnings.map(([code, n]) => item(c.yellow(code), formatCount(n))).join(sep)}`);
  if (summary.latencyMs !== null) {
    const { p50, p95, max } = summary.latencyMs;
    lines.push(`  latency: ${[item('p50', formatMs(p50)), item('p95', formatMs(p95)), item('max', formatMs(max))].join(sep)}`);
  }
  if (summary.redirected > 0 || summary.retried > 0) {
    lines.push(`  ${item('redirected', formatCount(summary.redirected))}${sep}${item('retried', formatCount(summary.retried))}`);
  }
  if (comparison !== null) lines.push(`  ${comparisonLine(comparison, c, glyphs)}`);
  if (summary.interrupted) lines.push(interruptedLine(summary, c));
  // The counts line's continuation lines are indented like the lines under it; theirs, deeper.
  return lines.flatMap((line) => fitText(line, layout.columns, line.startsWith('  ') ? '    ' : '  '));
}

/**
 * "since last.json: 2 newly failing · 1 recovered · 5 still failing", plus URLs no longer checked
 * when there are any; with `columns`, wrapped between items onto lines indented by two spaces.
 */
export function diffLine(diff: DiffSummary, c: ChalkInstance, glyphs: Glyphs = UNICODE_GLYPHS, columns?: number): string {
  return fitText(diffText(diff, c, glyphs), columns, '  ').join('\n');
}

function diffText(diff: DiffSummary, c: ChalkInstance, glyphs: Glyphs): string {
  const item = (count: number, words: string) => [formatCount(count), ...words.split(' ')].join(KEEP);
  const newly = item(diff.newlyFailing, 'newly failing');
  const recovered = item(diff.recovered, 'recovered');
  const parts = [
    diff.newlyFailing > 0 ? c.red.bold(newly) : newly,
    diff.recovered > 0 ? c.green(recovered) : recovered,
    item(diff.stillFailing, 'still failing'),
  ];
  if (diff.gone > 0) parts.push(c.dim(`${formatCount(diff.gone)} failing before, not checked now`));
  return `since ${diff.previous}: ${parts.join(KEEP + glyphs.separator.trimStart())}`;
}

/** The indented note that a run was stopped before every URL was checked. */
export function interruptedLine(summary: Summary, c: ChalkInstance): string {
  return c.yellow(`  interrupted: only the ${plural(summary.total, 'URL')} above ${summary.total === 1 ? 'was' : 'were'} checked`);
}

/** One line saying what concurrency bought, labelling an extrapolated baseline as an estimate. */
export function comparisonLine(comparison: Comparison, c: ChalkInstance, glyphs: Glyphs = UNICODE_GLYPHS): string {
  const approx = comparison.estimated ? '~' : '';
  const times = glyphs.times;
  const speedup = c.bold(`${approx}${comparison.speedup.toFixed(1)}${times}`);
  const baseline = comparison.estimated
    ? `estimated from ${formatCount(comparison.sampleSize)} of ${plural(comparison.targets, 'URL')} timed one by one in ${formatMs(comparison.sequentialMeasuredMs)}`
    : `${plural(comparison.targets, 'URL')} one by one took ${formatMs(comparison.sequentialMs)}`;
  const efficiency = `ideal ${comparison.idealSpeedup.toFixed(1)}${times}, efficiency ${Math.round(comparison.efficiency * 100)}%`;
  const flaky =
    comparison.disagreements > 0 ? `; ${plural(comparison.disagreements, 'URL')} changed health between the runs` : '';
  return `speed-up: ${speedup} at concurrency ${comparison.concurrency}: ${formatMs(comparison.concurrentMs)} vs ${approx}${formatMs(comparison.sequentialMs)} sequential (${baseline}; ${efficiency})${flaky}`;
}
