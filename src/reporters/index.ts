import type { Format } from '../cli/options.js';
import { createCsvReporter } from './csv.js';
import { createGithubAnnotationsReporter } from './github.js';
import { createJsonReporter } from './json.js';
import { createJunitReporter } from './junit.js';
import { createMarkdownReporter } from './markdown.js';
import { createNdjsonReporter } from './ndjson.js';
import { createTableReporter } from './table.js';
import type { ReporterFactory } from '../model/reporter.js';

export { combineReporters } from './combine.js';
export { loadReporter } from './load.js';

/** The report formats by `--format` name. */
export const reporters: Record<Format, ReporterFactory> = {
  table: (ctx) => createTableReporter(ctx),
  json: createJsonReporter,
  ndjson: createNdjsonReporter,
  csv: createCsvReporter,
  junit: createJunitReporter,
  markdown: createMarkdownReporter,
};

export { createGithubAnnotationsReporter };

export type { Reporter, ReporterContext, ReporterFactory, RunEnd, RunMeta } from '../model/reporter.js';

