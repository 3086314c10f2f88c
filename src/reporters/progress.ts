import { formatCount } from '../util/text.js';
import { glyphsFor, UNICODE_GLYPHS, type Glyphs } from './format.js';
import type { Reporter, ReporterContext } from '../model/reporter.js';

/** The progress line is redrawn at most this often, in milliseconds. */
export const PROGRESS_INTERVAL_MS = 100;

/** The rate (and so the ETA) is measured over about this much of the recent past, in milliseconds. */
export const RATE_WINDOW_MS = 5_000;

/**
 * The recent rate needs at least this many redraws in its window; with fewer (results arriving
 * seconds apart), one slow URL would swing it wildly, so the average since the start is shown.
 */
export const MIN_RATE_SAMPLES = 3;

/** A bar narrower than this many columns is left out rather than drawn uselessly thin. */
export const MIN_BAR_COLUMNS = 10;

/** The width assumed when the terminal does not say, in columns. */
const DEFAULT_COLUMNS = 80;

const ERASE_LINE = '\r\u001b[2K';

/** Options for {@link createProgressReporter}. */
export interface ProgressOptions {
  /**
   * How many results the run will have, when known: a number, or a promise of one that settles
   * while the run goes on (e.g. `countTargets`). Null or absent: no bar, only counts and the rate.
   * A rejected promise counts as unknown.
   */
  total?: number | null | Promise<number | null>;
  /** The terminal's width in columns; by default read from `err` at every redraw, so it follows resizes. */
  columns?: number;
  /** The clock, in milliseconds (`performance.now` by default); tests inject their own. */
  now?: () => number;
  /**
   * The terminal cannot move the cursor or draw colours (`TERM=dumb`: Emacs' shell, some CI
   * consoles): no line is redrawn, so nothing is shown while the run goes on, only a plain line
   * when the sequential baseline starts. The CLI sets it from the environment.
   */
  dumbTerminal?: boolean;
}

/**
 * A live progress line on stderr, redrawn at most every {@link PROGRESS_INTERVAL_MS}: with a known
 * total, a bar with done/total, the percentage, failures so far, the rate and an ETA; without one,
 * results so far, failures and the rate. It fits the terminal's width (dropping the bar, then the
 * rate, the ETA and the percentage as it narrows) and erases itself when the run ends, before any
 * report is written (its `onRunEnd` must come first). On a stream that is not a terminal it writes
 * nothing at all; on a dumb terminal, see {@link ProgressOptions.dumbTerminal}. With `ascii`, the
 * bar and separators are ASCII.
 */
export function createProgressReporter({ err, errColor: c, ascii }: ReporterContext, options: ProgressOptions = {}): Reporter {
  if (!err.isTTY) return {};
  const glyphs = glyphsFor(ascii);
  if (options.dumbTerminal === true) {
    return {
      onBaselineStart: ({ sampleSize, estimated }) => err.write(`urlcheck: ${baselineText(sampleSize, estimated, glyphs)}\n`),
    };
  }
  const now = options.now ?? (() => performance.now());
  let total: number | null = typeof options.total === 'number' ? options.total : null;
  let started = now();
  let lastDraw = Number.NEGATIVE_INFINITY;
  let done = 0;
  let unhealthy = 0;
  let shown = false;
  let ended = false;
  // The baseline's own line replaces the bar; a late total must not draw over it.
  let inBaseline = false;
  // (time, done) at recent redraws, oldest first, spanning about RATE_WINDOW_MS.
  const samples: Array<{ at: number; done: number }> = [];

  const draw = (text: string) => {
    shown = true;
    return err.write(ERASE_LINE + text);
  };
  // The erase is handed to the terminal at once, not batched: the report that follows goes to
  // another stream (stdout), whose text must not land on the progress line.
  const clear = () => {
    if (!shown) return undefined;
    shown = false;
    void err.write(ERASE_LINE);
    return err.flush?.();
  };
  const redraw = (at: number) => {
    lastDraw = at;
    samples.push({ at, done });
    while (samples.length > 2 && at - (samples[1] as { at: number }).at >= RATE_WINDOW_MS) samples.shift();
    const columns = options.columns ?? err.columns ?? DEFAULT_COLUMNS;
    return draw(progressLine({ done, unhealthy, total, ratePerSecond: rate(at), columns }, c, glyphs));
  };
  const rate = (at: number): number => {
    const average = done / Math.max((at - started) / 1_000, 0.001);
    // The last frame says how the whole run went: its last URL may have taken seconds alone.
    if (total !== null && done >= total) return average;
    const oldest = samples[0] as { at: number; done: number };
    // Until the window holds a second of history and a few redraws, the average since the start is steadier.
    if (at - oldest.at < 1_000 || samples.length < MIN_RATE_SAMPLES) return average;
    return (done - oldest.done) / ((at - oldest.at) / 1_000);
  };

  if (options.total !== undefined && options.total !== null && typeof options.total !== 'number') {
    options.total.then(
      (value) => {
        total = value;
        const at = now();
        if (!ended && !inBaseline && done > 0 && at - lastDraw >= PROGRESS_INTERVAL_MS) void redraw(at);
      },
      () => {},
    );
  }

  return {
    onRunStart: () => {
      started = now();
    },
    onResult: (result) => {
      done += 1;
      if (!result.ok) unhealthy += 1;
      const at = now();
      if (at - lastDraw < PROGRESS_INTERVAL_MS) return undefined;
      return redraw(at);
    },
    onBaselineStart: ({ sampleSize, estimated }) => {
      inBaseline = true;
      const text = ` ${baselineText(sampleSize, estimated, glyphs)}`;
      return draw(fit([{ text: 'urlcheck', style: c.cyan }, { text }], Math.max((options.columns ?? err.columns ?? DEFAULT_COLUMNS) - 1, 1)));
    },
    onRunEnd: () => {
      ended = true;
      return clear();
    },
  };
}

function baselineText(sampleSize: number, estimated: boolean, glyphs: Glyphs): string {
  return `timing the sequential baseline on ${formatCount(sampleSize)} URLs${estimated ? ' (a sample)' : ''}, one at a time${glyphs.ellipsis}`;
}

/** What one progress line shows. */
export interface ProgressState {
  done: number;
  unhealthy: number;
  /** Results the run will have, or null when unknown. */
  total: number | null;
  /** Results per second, recently. */
  ratePerSecond: number;
  /** The terminal's width; the line uses at most one column less, so it never wraps. */
  columns: number;
}

/** A piece of the line: its plain text (which sets its width) and how to colour it. */
interface Segment {
  text: string;
  style?: (text: string) => string;
}

/**
 * The progress line for `state`, without the leading erase: e.g.
 * `urlcheck ██████░░░░░░ 45% · 4,500/10,000 checked · 12 unhealthy · 850/s · ETA 6s`
 * (in ASCII: `urlcheck ######------ 45% - 4,500/10,000 checked - …`).
 */
export function progressLine(state: ProgressState, c: ReporterContext['errColor'], glyphs: Glyphs = UNICODE_GLYPHS): string {
  const sep = (text = ' '): Segment => ({ text });
  const joinSegments = (parts: Segment[]): Segment[] => parts.flatMap((part, index) => (index === 0 ? [part] : [sep(glyphs.separator), part]));
  const { done, unhealthy, ratePerSecond, columns } = state;
  const width = Math.max(columns - 1, 1);
  const bad: Segment = { text: `${formatCount(unhealthy)} unhealthy`, ...(unhealthy > 0 ? { style: c.red } : {}) };
  const rateText: Segment = { text: `${formatRate(ratePerSecond)}/s` };
  const head: Segment = { text: 'urlcheck', style: c.cyan };
  if (state.total === null) {
    return fit([head, sep(), ...joinSegments([{ text: `${formatCount(done)} checked` }, bad, rateText])], width);
  }
  // A count made before the run can fall short of it (the file grew): never show more than 100%.
  const total = Math.max(state.total, done);
  const fraction = total === 0 ? 1 : done / total;
  const percent: Segment = { text: `${Math.floor(fraction * 100)}%` };
  const count: Segment = { text: `${formatCount(done)}/${formatCount(total)} checked` };
  const remaining = total - done;
  const eta: Segment | null = remaining > 0 && ratePerSecond > 0 ? { text: `ETA ${formatEta((remaining / ratePerSecond) * 1_000)}` } : null;

  // Narrowing, the line gives up the least useful part first: the bar, the rate, the ETA, the percentage.
  const layouts: Array<{ bar: boolean; parts: Array<Segment | null> }> = [
    { bar: true, parts: [percent, count, bad, rateText, eta] },
    { bar: false, parts: [percent, count, bad, rateText, eta] },
    { bar: false, parts: [percent, count, bad, eta] },
    { bar: false, parts: [percent, count, bad] },
    { bar: false, parts: [count, bad] },
  ];
  for (const layout of layouts) {
    const parts = layout.parts.filter((part): part is Segment => part !== null);
    const body = joinSegments(parts);
    const fixed = head.text.length + 1 + visibleLength(body);
    if (!layout.bar) {
      if (fixed <= width) return render([head, sep(), ...body]);
      continue;
    }
    const barColumns = width - fixed - 1;
    if (barColumns < MIN_BAR_COLUMNS) continue;
    const filled = Math.floor(fraction * barColumns);
    const bar: Segment[] = [
      { text: glyphs.barDone.repeat(filled), style: c.cyan },
      { text: glyphs.barLeft.repeat(barColumns - filled), style: c.dim },
    ];
    return render([head, sep(), ...bar, sep(), ...body]);
  }
  return fit([head, sep(), ...joinSegments([count, bad])], width);
}

function visibleLength(segments: Segment[]): number {
  return segments.reduce((sum, segment) => sum + segment.text.length, 0);
}

function render(segments: Segment[]): string {
  return segments.map((segment) => (segment.style === undefined || segment.text === '' ? segment.text : segment.style(segment.text))).join('');
}

/** The segments, cut to `width` columns (a last resort on very narrow terminals). */
function fit(segments: Segment[], width: number): string {
  const kept: Segment[] = [];
  let room = width;
  for (const segment of segments) {
    if (room <= 0) break;
    const text = segment.text.length <= room ? segment.text : segment.text.slice(0, room);
    kept.push({ ...segment, text });
    room -= text.length;
  }
  return render(kept);
}

/** A rate for people: "850", "1,204", "2.5" (one decimal below 10 per second, so slow runs do not read 0). */
function formatRate(perSecond: number): string {
  return perSecond < 10 ? (Math.round(perSecond * 10) / 10).toFixed(1) : formatCount(perSecond);
}

/** A time left for people, to the second: "6s", "3m 05s", "1h 02m". Input in milliseconds. */
export function formatEta(ms: number): string {
  const seconds = Math.max(1, Math.round(ms / 1_000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3_600) return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}
