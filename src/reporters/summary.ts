import { summaryLines } from './format.js';
import type { Reporter, ReporterContext } from '../model/reporter.js';

/** The human summary on stderr, for machine formats whose stdout must stay parseable. */
export function createStderrSummaryReporter({ err, errColor }: ReporterContext): Reporter {
  return {
    onRunEnd: ({ summary, comparison, diff }) => err.write(`${summaryLines(summary, comparison, errColor, diff).join('\n')}\n`),
  };
}
