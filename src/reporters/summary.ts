import { summaryLines } from './format.js';
import type { Reporter, ReporterContext } from '../model/reporter.js';

/**
 * The human summary on stderr, for machine formats whose stdout must stay parseable (and for any
 * report written to a file): wrapped to the terminal's width, in ASCII when `ascii` says so.
 */
export function createStderrSummaryReporter({ err, errColor, ascii }: ReporterContext): Reporter {
  return {
    onRunEnd: ({ summary, comparison, diff }) =>
      err.write(`${summaryLines(summary, comparison, errColor, diff, { ascii: ascii === true, columns: err.columns }).join('\n')}\n`),
  };
}
