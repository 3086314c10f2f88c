import { summaryLines } from './format.js';
import type { Reporter, ReporterContext } from './types.js';

/** The human summary on stderr, for machine formats whose stdout must stay parseable. */
export function createStderrSummaryReporter({ err, errColor }: ReporterContext): Reporter {
  return {
    onRunEnd: ({ summary, comparison }) => err.write(`${summaryLines(summary, comparison, errColor).join('\n')}\n`),
  };
}
