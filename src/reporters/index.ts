// The library's door to the reporters. It loads every reporter module at once, so the CLI never
// imports it: the CLI goes through the lazy registry (registry.ts) instead.
import { createCsvReporter } from './csv.js';
import { createHtmlReporter } from './html.js';
import { createJsonReporter } from './json.js';
import { createJunitReporter } from './junit.js';
import { createMarkdownReporter } from './markdown.js';
import { createNdjsonReporter } from './ndjson.js';
import { createOpenMetricsReporter, createPrometheusReporter } from './prometheus.js';
import type { Format } from './registry.js';
import { createTableReporter } from './table.js';
import type { ReporterFactory } from '../model/reporter.js';

export { combineReporters } from './combine.js';
export { createGithubAnnotationsReporter } from './github.js';
export { createHtmlReporter, type HtmlReporterOptions } from './html.js';
export {
  createOpenMetricsReporter,
  createPrometheusReporter,
  DEFAULT_PROMETHEUS_MAX_URLS,
  EXPOSITION_CONTENT_TYPES,
  MAX_LABEL_VALUE_CHARS,
  type ExpositionFormat,
  type PrometheusReporterOptions,
} from './prometheus.js';
export { FORMATS, loadReporter, type Format } from './registry.js';
export type { Reporter, ReporterContext, ReporterFactory, RunEnd, RunMeta } from '../model/reporter.js';

/**
 * Every report format's factory, loaded up front, by `--format` name. Its keys are the
 * registry's: typed `Record<Format, ReporterFactory>`, it does not compile while it misses a
 * format of the registry or has one the registry lacks.
 */
export const reporters: Record<Format, ReporterFactory> = {
  table: createTableReporter,
  json: createJsonReporter,
  ndjson: createNdjsonReporter,
  csv: createCsvReporter,
  junit: createJunitReporter,
  markdown: createMarkdownReporter,
  html: createHtmlReporter,
  prometheus: createPrometheusReporter,
  openmetrics: createOpenMetricsReporter,
};
