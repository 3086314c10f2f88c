import type { ReporterFactory } from '../model/reporter.js';

/** What the registry knows of one report format. */
interface FormatEntry {
  /** Loads the reporter's module, and only it, and gives its factory. */
  load: () => Promise<ReporterFactory>;
  /**
   * True for a format that is one document (JSON, a table, XML, Markdown): a file of it is
   * written whole or not at all. False for a line per result (NDJSON, CSV), streamed as it comes.
   */
  document: boolean;
  /**
   * True when input text can start a line of the report (a list line in CSV, a table, XML,
   * Markdown); false when every line starts with a JSON bracket (JSON strings escape line
   * breaks) or with the reporter's own markup (HTML, whose text has its line breaks escaped).
   * Under GitHub Actions the CLI guards the first kind against workflow commands.
   */
  untrustedLines: boolean;
}

/**
 * The report formats by `--format` name: the one registry, as vitest's `ReportersMap`. Each entry
 * loads its reporter's code only when asked for (an NDJSON run never loads cli-table3), so the
 * CLI's start-up path stays short. A new format is one entry here plus its file: the `--format`
 * choices ({@link FORMATS}), {@link Format}, {@link loadReporter} and the library's `reporters`
 * map all follow from these keys.
 */
const REGISTRY = {
  table: { load: () => import('./table.js').then((module) => module.createTableReporter), document: true, untrustedLines: true },
  json: { load: () => import('./json.js').then((module) => module.createJsonReporter), document: true, untrustedLines: false },
  ndjson: { load: () => import('./ndjson.js').then((module) => module.createNdjsonReporter), document: false, untrustedLines: false },
  csv: { load: () => import('./csv.js').then((module) => module.createCsvReporter), document: false, untrustedLines: true },
  junit: { load: () => import('./junit.js').then((module) => module.createJunitReporter), document: true, untrustedLines: true },
  markdown: { load: () => import('./markdown.js').then((module) => module.createMarkdownReporter), document: true, untrustedLines: true },
  html: { load: () => import('./html.js').then((module) => module.createHtmlReporter), document: true, untrustedLines: false },
  // Every line starts with a metric name or `# `: input text sits only inside quoted, escaped label values.
  prometheus: { load: () => import('./prometheus.js').then((module) => module.createPrometheusReporter), document: true, untrustedLines: false },
  openmetrics: { load: () => import('./prometheus.js').then((module) => module.createOpenMetricsReporter), document: true, untrustedLines: false },
} satisfies Record<string, FormatEntry>;

/** A report format: a key of the registry. */
export type Format = keyof typeof REGISTRY;

/** The report formats, in the order `--help` lists them (the registry's): the `--format` choices. */
export const FORMATS = Object.keys(REGISTRY) as readonly Format[];

/** The factory for one format, loading only that reporter's module. */
export function loadReporter(format: Format): Promise<ReporterFactory> {
  return REGISTRY[format].load();
}

/** True when input text can start a line of a report in `format` (see {@link FormatEntry.untrustedLines}). */
export function hasUntrustedLines(format: Format): boolean {
  return REGISTRY[format].untrustedLines;
}

/** True when a report in `format` is one document, to be written whole or not at all (see {@link FormatEntry.document}). */
export function isDocumentFormat(format: Format): boolean {
  return REGISTRY[format].document;
}
