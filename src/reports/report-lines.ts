// What the json and ndjson reporters write, line by line, as their readers (--diff's previous
// report, `urlcheck merge`) see it: one definition of the format for both.

/** The first line of `-f json`: `{"tool":"urlcheck",…,"results":[`, or `…"results":[],` when the run had no results. */
export const JSON_REPORT_START = /^\{"tool":"urlcheck",.*"results":\[(\],)?$/;

/**
 * The JSON object on one report line: an NDJSON result, or an element of a JSON report's results
 * array (where every element but the last ends with a comma). Null when the line holds none:
 * cut off at the line-length limit, not JSON, or not an object.
 */
export function parseReportLine(text: string, truncated: boolean, format: 'json' | 'ndjson' | null): Record<string, unknown> | null {
  if (truncated || !text.startsWith('{')) return null;
  let value: unknown;
  try {
    value = JSON.parse(format === 'json' && text.endsWith(',') ? text.slice(0, -1) : text);
  } catch {
    return null;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}
