import type { Format } from '../options.js';
import { createCsvReporter } from './csv.js';
import { createJsonReporter } from './json.js';
import { createNdjsonReporter } from './ndjson.js';
import { createTableReporter } from './table.js';
import type { Awaitable, Reporter, ReporterFactory } from './types.js';

/** The report formats by `--format` name. */
export const reporters: Record<Format, ReporterFactory> = {
  table: (ctx) => createTableReporter(ctx),
  json: createJsonReporter,
  ndjson: createNdjsonReporter,
  csv: createCsvReporter,
};

/** One reporter that calls each of `list` in order, waiting only where a hook asks to. */
export function combineReporters(list: readonly Reporter[]): Required<Reporter> {
  const each =
    <K extends keyof Reporter>(hook: K) =>
    (arg: Parameters<NonNullable<Reporter[K]>>[0]): Awaitable<void> => {
      let waiting: Promise<void>[] | undefined;
      for (const reporter of list) {
        const fn = reporter[hook] as ((value: typeof arg) => Awaitable<void>) | undefined;
        const pending = fn?.call(reporter, arg);
        if (pending !== undefined) (waiting ??= []).push(pending);
      }
      return waiting === undefined ? undefined : Promise.all(waiting).then(() => undefined);
    };
  return {
    onRunStart: each('onRunStart'),
    onResult: each('onResult'),
    onBaselineStart: each('onBaselineStart'),
    onRunEnd: each('onRunEnd'),
  };
}

export type { Reporter, ReporterContext, ReporterFactory, RunEnd, RunMeta } from './types.js';
