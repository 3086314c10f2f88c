import type { Format } from '../cli/options.js';
import type { ReporterFactory } from '../model/reporter.js';

/**
 * The factory for one format, loading only that reporter's code (the table's cli-table3 is not
 * loaded for an NDJSON run): the CLI's start-up path.
 */
export async function loadReporter(format: Format): Promise<ReporterFactory> {
  switch (format) {
    case 'table':
      {
      const { createTableReporter } = await import('./table.js');
      return (ctx) => createTableReporter(ctx);
    }
    case 'json':
      return (await import('./json.js')).createJsonReporter;
    case 'ndjson':
      return (await import('./ndjson.js')).createNdjsonReporter;
    case 'csv':
      return (await import('./csv.js')).createCsvReporter;
    case 'junit':
      return (await import('./junit.js')).createJunitReporter;
    case 'markdown':
      return (await import('./markdown.js')).createMarkdownReporter;
  }
}
