import { formatCount } from './format.js';
import type { Reporter, ReporterContext } from './types.js';

/** The progress line is redrawn at most this often, in milliseconds. */
export const PROGRESS_INTERVAL_MS = 100;

/**
 * A live one-line progress indicator on stderr (only where stderr is a terminal): results so
 * far, unhealthy so far, and the rate. It erases itself before the report's end.
 */
export function createProgressReporter({ err, errColor: c }: ReporterContext): Reporter {
  let started = 0;
  let lastDraw = 0;
  let done = 0;
  let unhealthy = 0;
  let shown = false;
  const draw = (text: string) => {
    shown = true;
    return err.write(`\r\u001b[2K${text}`);
  };
  const clear = () => {
    if (!shown) return undefined;
    shown = false;
    return err.write('\r\u001b[2K');
  };
  return {
    onRunStart: () => {
      started = performance.now();
    },
    onResult: (result) => {
      done += 1;
      if (!result.ok) unhealthy += 1;
      const now = performance.now();
      if (now - lastDraw < PROGRESS_INTERVAL_MS) return undefined;
      lastDraw = now;
      const rate = done / Math.max((now - started) / 1000, 0.001);
      const bad = unhealthy > 0 ? c.red(`${formatCount(unhealthy)} unhealthy`) : '0 unhealthy';
      return draw(`${c.cyan('urlcheck')} ${formatCount(done)} checked · ${bad} · ${formatCount(rate)}/s`);
    },
    onBaselineStart: ({ sampleSize, estimated }) =>
      draw(
        `${c.cyan('urlcheck')} timing the sequential baseline on ${formatCount(sampleSize)} URLs${estimated ? ' (a sample)' : ''}, one at a time…`,
      ),
    onRunEnd: () => clear(),
  };
}
