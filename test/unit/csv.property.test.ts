import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyText } from '../helpers/arbitraries.js';
import { CSV_COLUMNS, csvField, csvRow } from '../../src/reporters/csv.js';
import { ERROR_CODES, VERDICTS, WARNING_CODES, type CheckResult } from '../../src/model/types.js';

/** A strict RFC 4180 reader: CRLF-terminated records, quoted fields with "" for a quote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i += 1;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        field += text[i];
        i += 1;
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') throw new Error(`bare quote at ${i}`);
        field += text[i];
        i += 1;
      }
    }
    row.push(field);
    if (text[i] === ',') {
      i += 1;
    } else if (text.startsWith('\r\n', i)) {
      rows.push(row);
      row = [];
      i += 2;
    } else {
      throw new Error(`expected "," or CRLF at ${i}`);
    }
  }
  if (row.length > 0) throw new Error('last record has no CRLF');
  return rows;
}

/** Strings heavy in the characters CSV cares about. */
const csvText = fc.oneof(
  anyText(30),
  fc.string({ unit: fc.constantFrom('"', ',', '\r', '\n', 'a', ' ', '""', '\r\n', ';', '\t', '=', '+', '-', '@'), maxLength: 20 }),
);

/** What a spreadsheet would run as a formula when a cell starts with it (OWASP's CSV injection list). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** The text a field reads back as: the value's text, with a leading ' when it is text a spreadsheet would run. */
function shown(value: string | number | boolean | null): string {
  if (value === null) return '';
  return typeof value === 'string' && FORMULA_START.test(value) ? `'${value}` : String(value);
}

const checkResult: fc.Arbitrary<CheckResult> = fc.record({
  url: csvText,
  ok: fc.boolean(),
  status: fc.option(fc.integer({ min: 100, max: 599 }), { nil: null }),
  error: fc.option(fc.record({ code: fc.constantFrom(...ERROR_CODES), message: csvText }), { nil: null }),
  startMs: fc.option(fc.double({ min: 0, max: 1e7, noNaN: true }), { nil: null }),
  durationMs: fc.double({ min: 0, max: 1e7, noNaN: true }),
  attempts: fc.nat(10),
  redirects: fc.array(fc.record({ status: fc.integer({ min: 300, max: 399 }), location: csvText }), { maxLength: 3 }),
  finalUrl: fc.option(csvText, { nil: null }),
  method: fc.constantFrom('HEAD' as const, 'GET' as const, null),
  source: csvText,
  line: fc.integer({ min: 1, max: 10_000_000 }),
  verdict: fc.constantFrom(...VERDICTS),
  warnings: fc.array(fc.record({ code: fc.constantFrom(...WARNING_CODES), message: csvText }), { maxLength: 2 }),
  timings: fc.option(
    fc.record({
      dnsMs: fc.constant(null),
      connectMs: fc.constant(null),
      tlsMs: fc.constant(null),
      firstByteMs: fc.option(fc.double({ min: 0, max: 1e6, noNaN: true }), { nil: null }),
      totalMs: fc.double({ min: 0, max: 1e6, noNaN: true }),
      reusedConnection: fc.boolean(),
    }),
    { nil: null },
  ),
  tls: fc.option(
    fc.record({ protocol: fc.constant('TLSv1.3'), issuer: fc.constant(null), subject: fc.constant(null), validTo: fc.constant(null), daysLeft: fc.integer({ min: -100, max: 1000 }) }),
    { nil: null },
  ),
  change: fc.constantFrom('newly-failing' as const, 'recovered' as const, 'still-failing' as const, null, undefined),
});

describe('csvField / csvRow (properties)', () => {
  it('any string, number, boolean or null reads back as its text from its field (a formula-like string behind a \')', () => {
    fc.assert(
      fc.property(fc.oneof(csvText, fc.double(), fc.integer(), fc.boolean(), fc.constant(null)), (value) => {
        const [[field]] = parseCsv(`${csvField(value)}\r\n`) as [[string]];
        expect(field).toBe(shown(value));
        if (typeof value === 'string') expect(field).not.toMatch(FORMULA_START);
      }),
      { numRuns: 300 },
    );
  });

  it('every row reads back as exactly one record of 18 fields holding the result', () => {
    fc.assert(
      fc.property(fc.array(checkResult, { minLength: 1, maxLength: 5 }), (results) => {
        const rows = parseCsv(`${CSV_COLUMNS.join(',')}\r\n${results.map(csvRow).join('')}`);
        expect(rows).toHaveLength(results.length + 1);
        for (const row of rows) expect(row).toHaveLength(18);
        results.forEach((r, i) => {
          expect(rows[i + 1]).toEqual(
            [
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
              r.warnings.length === 0 ? null : r.warnings.map((w) => w.code).join(';'),
              r.timings?.firstByteMs ?? null,
              r.tls?.daysLeft ?? null,
              r.change ?? null,
              r.startMs,
            ].map(shown),
          );
        });
      }),
      { numRuns: 200 },
    );
  });
});
