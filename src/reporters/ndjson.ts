import type { Reporter, ReporterContext } from '../model/reporter.js';

/** One JSON object per result, one per line, written as each check completes. */
export function createNdjsonReporter({ out }: ReporterContext): Reporter {
  return {
    onResult: (result) => out.write(`${JSON.stringify(result)}\n`),
  };
}
