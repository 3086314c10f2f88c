import type { CheckResult } from '../model/types.js';
import type { Reporter, ReporterContext } from '../model/reporter.js';

/** The CSV columns, in order; new ones are only ever appended. */
export const CSV_COLUMNS = [
  'url',
  'ok',
  'status',
  'error_code',
  'error_message',
  'duration_ms',
  'attempts',
  'redirects',
  'final_url',
  'method',
  'source',
  'line',
  'verdict',
  'warnings',
  'first_byte_ms',
  'cert_days_left',
  'change',
  'start_ms',
] as const;

/**
 * Quotes a CSV field when it needs it (RFC 4180): commas, quotes, CR or LF. Text that starts with
 * `=`, `+`, `-`, `@`, a tab or a CR, which a spreadsheet would run as a formula (OWASP's CSV
 * injection rule), gets a leading `'` and is quoted: a list line such as `=HYPERLINK(…)` shows
 * as text. Numbers are never changed (a negative `cert_days_left` stays a number).
 */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) return '';
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(value)) return `"'${value.replaceAll('"', '""')}"`;
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV row (with its CRLF) for a result. */
export function csvRow(r: CheckResult): string {
  return `${[
    r.url,
    r.ok,
    r.status,
    r.error?.code ?? null,
    r.error?.message ?? null,
    r.durationMs,
    r.attempts,
    r.redirects.length,
    r.finalUrl,
    r.method,
    r.source,
    r.line,
    r.verdict,
    r.warnings.length === 0 ? null : r.warnings.map((warning) => warning.code).join(';'),
    r.timings?.firstByteMs ?? null,
    r.tls?.daysLeft ?? null,
    r.change ?? null,
    r.startMs,
  ]
    .map(csvField)
    .join(',')}\r\n`;
}

/** A header row, then one RFC 4180 row per result as each completes. */
export function createCsvReporter({ out }: ReporterContext): Reporter {
  return {
    onRunStart: () => out.write(`${CSV_COLUMNS.join(',')}\r\n`),
    onResult: (result) => out.write(csvRow(result)),
  };
}
