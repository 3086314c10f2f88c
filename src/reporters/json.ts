import type { Reporter, ReporterContext } from '../model/reporter.js';

/**
 * One JSON document: `{ tool, version, startedAt, results: [...], summary, comparison, diff }`.
 * Results are streamed into the array as they complete (one per line); nothing is held back,
 * and the summary follows them.
 */
export function createJsonReporter({ out }: ReporterContext): Reporter {
  let first = true;
  return {
    onRunStart: (meta) =>
      out.write(
        `{"tool":"urlcheck","version":${JSON.stringify(meta.version)},"startedAt":${JSON.stringify(meta.startedAt.toISOString())},"results":[`,
      ),
    onResult: (result) => {
      const separator = first ? '\n' : ',\n';
      first = false;
      return out.write(separator + JSON.stringify(result));
    },
    onRunEnd: ({ summary, comparison, diff }) =>
      out.write(
        `${first ? '' : '\n'}],\n"summary":${JSON.stringify(summary)},\n"comparison":${JSON.stringify(comparison)},\n"diff":${JSON.stringify(diff ?? null)}}\n`,
      ),
  };
}
