import { readFile } from 'node:fs/promises';
import { PassThrough, Writable } from 'node:stream';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { TextWriter } from '../../src/util/text-writer.js';
import { createProgressReporter, formatEta, progressLine, type ProgressOptions } from '../../src/reporters/progress.js';
import { combineReporters } from '../../src/reporters/combine.js';
import { ASCII_GLYPHS } from '../../src/reporters/format.js';
import type { Reporter, ReporterContext } from '../../src/model/reporter.js';
import { SAMPLE_RUN_META, sampleResult, sampleTarget } from '../helpers/samples.js';

const NO_COLOR = new Chalk({ level: 0 });
const ERASE = '\r\u001b[2K';

const META = SAMPLE_RUN_META;

/**
 * A progress reporter on a fake terminal, driven through its hooks on a clock the test moves.
 * `frames()` is every line drawn, in order, without the erase sequence ('' for an erase alone).
 */
function harness(options: Omit<ProgressOptions, 'now'> & { tty?: boolean; ascii?: boolean } = {}) {
  const stream = Object.assign(new PassThrough(), { isTTY: options.tty ?? true, columns: 80 });
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(String(chunk)));
  const err = new TextWriter(stream);
  const ctx: ReporterContext = { out: new TextWriter(new PassThrough()), err, color: NO_COLOR, errColor: NO_COLOR, quiet: false, ascii: options.ascii ?? false };
  let clock = 0;
  const reporter = createProgressReporter(ctx, { ...options, now: () => clock });
  let line = 0;
  return {
    reporter,
    stream,
    /** Moves the clock to `ms` and reports `count` results (healthy unless `ok` is false). */
    async results(ms: number, count = 1, ok = true) {
      clock = ms;
      for (let i = 0; i < count; i += 1) {
        line += 1;
        await reporter.onResult?.(sampleResult(sampleTarget(line), ok));
      }
    },
    setClock(ms: number) {
      clock = ms;
    },
    /** Everything written, as it was written. */
    async raw(): Promise<string> {
      await err.flush();
      await new Promise((resolve) => setImmediate(resolve));
      return chunks.join('');
    },
    async frames(): Promise<string[]> {
      await err.flush();
      await new Promise((resolve) => setImmediate(resolve));
      const text = chunks.join('');
      if (text === '') return [];
      expect(text.startsWith(ERASE)).toBe(true);
      return text.slice(ERASE.length).split(ERASE);
    },
  };
}

const END = { summary: {} as never, comparison: null, diff: null };

describe('createProgressReporter', () => {
  it('without a total: results, unhealthy and the rate, as one line', async () => {
    const run = harness();
    await run.reporter.onRunStart?.(META);
    await run.results(500, 5);
    await run.results(1_000, 4, false);
    await run.reporter.onRunEnd?.(END);
    // A redraw shows the state at the result that triggered it: the first at each new time.
    expect(await run.frames()).toEqual(['urlcheck 1 checked · 0 unhealthy · 2.0/s', 'urlcheck 6 checked · 1 unhealthy · 6.0/s', '']);
  });

  it('with a total: a bar, done/total, the percentage, failures, the rate and the ETA, in 79 columns', async () => {
    const run = harness({ total: 200 });
    await run.reporter.onRunStart?.(META);
    await run.results(1_000, 50);
    await run.results(2_000, 49, false);
    const frames = await run.frames();
    expect(frames).toEqual([
      'urlcheck ░░░░░░░░░░░░░░░░ 0% · 1/200 checked · 0 unhealthy · 1.0/s · ETA 3m 19s',
      // Two redraws are too few for a recent rate: the average since the start (51 in 2 s).
      'urlcheck ████░░░░░░░░░░░░░░░ 25% · 51/200 checked · 1 unhealthy · 26/s · ETA 6s',
    ]);
    for (const frame of frames) expect(frame).toHaveLength(79);
  });

  it('gains the bar when the total arrives during the run', async () => {
    let deliver: (total: number | null) => void = () => {};
    const run = harness({ total: new Promise((resolve) => (deliver = resolve)) });
    await run.reporter.onRunStart?.(META);
    await run.results(1_000, 10);
    deliver(40);
    run.setClock(1_500);
    await new Promise((resolve) => setImmediate(resolve));
    await run.results(2_000, 10);
    expect(await run.frames()).toEqual([
      'urlcheck 1 checked · 0 unhealthy · 1.0/s',
      // Drawn as the count arrives, not only at the next result.
      'urlcheck ████░░░░░░░░░░░░░░░ 25% · 10/40 checked · 0 unhealthy · 6.7/s · ETA 5s',
      'urlcheck █████░░░░░░░░░░░░░░░ 27% · 11/40 checked · 0 unhealthy · 10/s · ETA 3s',
    ]);
  });

  it('keeps the plain line when the count says the total is unknown or fails', async () => {
    for (const total of [() => Promise.resolve(null), () => Promise.reject(new Error('unreadable'))]) {
      const run = harness({ total: total() });
      await run.results(1_000);
      await new Promise((resolve) => setImmediate(resolve));
      await run.results(2_000);
      expect(await run.frames()).toEqual(['urlcheck 1 checked · 0 unhealthy · 1.0/s', 'urlcheck 2 checked · 0 unhealthy · 1.0/s']);
    }
  });

  it('redraws at most every 100 ms', async () => {
    const run = harness({ total: 1_000 });
    await run.results(0);
    await run.results(50, 20);
    await run.results(99, 20);
    await run.results(100);
    await run.results(150, 5);
    await run.results(200);
    expect((await run.frames()).map((frame) => /\d+\/1,000/.exec(frame)?.[0])).toEqual(['1/1,000', '42/1,000', '48/1,000']);
  });

  it('measures the rate over the last few seconds, so the ETA follows a slowdown', async () => {
    const run = harness({ total: 10_000 });
    await run.reporter.onRunStart?.(META);
    for (let second = 1; second <= 10; second += 1) await run.results(second * 1_000, 100);
    for (let second = 11; second <= 20; second += 1) await run.results(second * 1_000, 10);
    const last = (await run.frames()).at(-1) ?? '';
    // 10/s lately (55/s on average since the start): 8,900 left take about 15 minutes, not 3.
    expect(last).toContain('1,091/10,000 checked');
    expect(last).toContain('· 10/s · ETA 14m 51s');
  });

  it('never shows more than 100%, even when the count fell short', async () => {
    const run = harness({ total: 3 });
    await run.results(1_000, 1);
    await run.results(2_000, 3);
    await run.results(3_000, 1);
    const last = (await run.frames()).at(-1) ?? '';
    // The last frame's rate is the whole run's: 5 in 3 s.
    expect(last).toMatch(/^urlcheck █+ 100% · 5\/5 checked · 0 unhealthy · 1\.7\/s$/);
  });

  it('fits narrow terminals: the bar goes first, then the rate, the ETA and the percentage', async () => {
    const state = { done: 1_234, unhealthy: 56, total: 10_000, ratePerSecond: 120 };
    const at = (columns: number) => progressLine({ ...state, columns }, NO_COLOR);
    expect(at(90)).toBe('urlcheck ██░░░░░░░░░░░░░░░ 12% · 1,234/10,000 checked · 56 unhealthy · 120/s · ETA 1m 13s');
    expect(at(72)).toBe('urlcheck 12% · 1,234/10,000 checked · 56 unhealthy · 120/s · ETA 1m 13s');
    expect(at(66)).toBe('urlcheck 12% · 1,234/10,000 checked · 56 unhealthy · ETA 1m 13s');
    expect(at(55)).toBe('urlcheck 12% · 1,234/10,000 checked · 56 unhealthy');
    expect(at(50)).toBe('urlcheck 1,234/10,000 checked · 56 unhealthy');
    expect(at(30)).toBe('urlcheck 1,234/10,000 checked');
    for (let columns = 1; columns <= 120; columns += 1) expect(at(columns).length).toBeLessThan(Math.max(columns, 2));
  });

  it('reads the width from the terminal at each redraw, so it follows a resize', async () => {
    const run = harness({ total: 100 });
    await run.results(1_000, 1);
    run.stream.columns = 50;
    await run.results(2_000, 1);
    const frames = await run.frames();
    expect(frames[0]?.length).toBe(79);
    // At 49 columns not even the ETA ("· ETA 1m 38s") fits.
    expect(frames[1]).toBe('urlcheck 2% · 2/100 checked · 0 unhealthy');
  });

  it('draws the line the README shows at 100 columns', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const line = progressLine({ done: 4_500, unhealthy: 12, total: 10_000, ratePerSecond: 850, columns: 100 }, NO_COLOR);
    expect(readme).toContain(`\n\`\`\`text\n${line}\n\`\`\`\n`);
  });

  it('colours the head, the bar and the failures when colour is on', () => {
    const color = new Chalk({ level: 1 });
    const line = progressLine({ done: 5, unhealthy: 2, total: 10, ratePerSecond: 5, columns: 80 }, color);
    expect(line).toContain(color.cyan('urlcheck'));
    expect(line).toContain(color.red('2 unhealthy'));
    expect(line).toContain(`${color.cyan('█'.repeat(10))}${color.dim('░'.repeat(10))}`);
    expect(line.replace(/\u001b\[\d+m/g, '')).toHaveLength(79);
  });

  it('erases itself at the end, and draws nothing after it', async () => {
    let deliver: (total: number | null) => void = () => {};
    const run = harness({ total: new Promise((resolve) => (deliver = resolve)) });
    await run.results(1_000);
    await run.reporter.onRunEnd?.(END);
    run.setClock(5_000);
    deliver(10);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await run.frames()).toEqual(['urlcheck 1 checked · 0 unhealthy · 1.0/s', '']);
  });

  it('shows the baseline line, and a late total does not draw over it', async () => {
    let deliver: (total: number | null) => void = () => {};
    const run = harness({ total: new Promise((resolve) => (deliver = resolve)) });
    await run.results(1_000);
    await run.reporter.onBaselineStart?.({ sampleSize: 40, estimated: true });
    run.setClock(5_000);
    deliver(10);
    await new Promise((resolve) => setImmediate(resolve));
    expect((await run.frames()).at(-1)).toBe('urlcheck timing the sequential baseline on 40 URLs (a sample), one at a time…');
  });

  it('shows the whole run\'s rate on the last frame, however long its last URL took', async () => {
    // 13 URLs in 0.2 s, then one that took 6 s: the recent rate would be 1 in 5.8 s, "0.2/s".
    const run = harness({ total: 14 });
    await run.reporter.onRunStart?.(META);
    await run.results(100, 1);
    await run.results(200, 12, false);
    await run.results(6_000, 1);
    expect((await run.frames()).at(-1)).toMatch(/ 100% · 14\/14 checked · 12 unhealthy · 2\.3\/s$/);
  });

  it('uses the average since the start while results arrive too seldom for a recent rate', async () => {
    const run = harness({ total: 100 });
    await run.reporter.onRunStart?.(META);
    await run.results(100, 10);
    await run.results(200, 10);
    await run.results(8_000, 1);
    // Two redraws in the last 5 s: 21 in 8 s on average, not 1 in 7.8 s.
    expect((await run.frames()).at(-1)).toContain('21/100 checked · 0 unhealthy · 2.6/s · ETA 30s');
  });

  it('erases itself at once when the run ends, before a report written to stdout in the same turn', async () => {
    // Both streams write into one log, as on a terminal, synchronously: the order is the screen's.
    const screen: string[] = [];
    const terminal = (isTTY: boolean) =>
      Object.assign(
        new Writable({
          write(chunk: Buffer, _encoding, callback) {
            screen.push(String(chunk));
            callback();
          },
        }),
        { isTTY, columns: 80 },
      );
    const err = new TextWriter(terminal(true));
    const out = new TextWriter(terminal(true));
    let clock = 0;
    const ctx: ReporterContext = { out, err, color: NO_COLOR, errColor: NO_COLOR, quiet: false };
    const progress = createProgressReporter(ctx, { total: 1, now: () => clock });
    const report: Reporter = { onRunEnd: () => out.write('┌───┐\n') };
    const both = combineReporters([progress, report]);
    await both.onResult(sampleResult(sampleTarget(1), true));
    clock = 1_000;
    const ending = both.onRunEnd(END);
    // As runWithOutputs does: stdout is flushed first, the moment the run is over.
    await out.flush();
    await ending;
    await err.flush();
    expect(screen.join('')).toMatch(/^\r\u001b\[2Kurlcheck .* 100% · 1\/1 checked · 0 unhealthy · \S+\r\u001b\[2K┌───┐\n$/);
  });

  it('draws the bar and separators in ASCII when asked to', async () => {
    const run = harness({ total: 200, ascii: true });
    await run.reporter.onRunStart?.(META);
    await run.results(1_000, 50);
    await run.reporter.onBaselineStart?.({ sampleSize: 40, estimated: false });
    const frames = await run.frames();
    expect(frames).toEqual([
      'urlcheck ---------------- 0% - 1/200 checked - 0 unhealthy - 1.0/s - ETA 3m 19s',
      'urlcheck timing the sequential baseline on 40 URLs, one at a time...',
    ]);
    expect(progressLine({ done: 5, unhealthy: 0, total: 10, ratePerSecond: 5, columns: 80 }, NO_COLOR, ASCII_GLYPHS)).toBe(
      'urlcheck ##########---------- 50% - 5/10 checked - 0 unhealthy - 5.0/s - ETA 1s',
    );
    for (const frame of frames) expect(frame).toMatch(/^[\x20-\x7e]*$/);
  });

  it('on a dumb terminal, draws no bar and no escape codes: only a plain line when the baseline starts', async () => {
    const run = harness({ total: 10, dumbTerminal: true });
    await run.reporter.onRunStart?.(META);
    await run.results(1_000, 5, false);
    await run.results(2_000, 5);
    await run.reporter.onBaselineStart?.({ sampleSize: 10, estimated: false });
    await run.reporter.onRunEnd?.(END);
    expect(await run.raw()).toBe('urlcheck: timing the sequential baseline on 10 URLs, one at a time…\n');
  });

  it('writes nothing at all when stderr is not a terminal', async () => {
    const run = harness({ total: 10, tty: false });
    await run.reporter.onRunStart?.(META);
    await run.results(1_000, 5, false);
    await run.reporter.onRunEnd?.(END);
    expect(await run.frames()).toEqual([]);
  });
});

describe('formatEta', () => {
  it('rounds to the second, in s, m and h', () => {
    expect([0, 400, 1_400, 59_400, 60_000, 185_000, 3_599_000, 3_600_000, 3_725_000, 100 * 3_600_000].map(formatEta)).toEqual([
      '1s',
      '1s',
      '1s',
      '59s',
      '1m 00s',
      '3m 05s',
      '59m 59s',
      '1h 00m',
      '1h 02m',
      '100h 00m',
    ]);
  });
});
