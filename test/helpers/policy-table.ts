import { readFileSync } from 'node:fs';
import { ERROR_CODES, type ErrorCode, type Verdict } from '../../src/model/types.js';

/** One row of the README's "Verdicts and retries" table, as the tests read it. */
export interface PolicyRow {
  /** The first cell, as written. */
  text: string;
  /** Error codes the row names (HTTP_STATUS excepted: status rows are told by their statuses). */
  codes: ErrorCode[];
  /** Statuses the row names exactly (`404`, and each of `520`–`530`). */
  statuses: number[];
  /** Status classes the row names (`4xx` is 4, `6xx`–`9xx` is 6, 7, 8, 9). */
  classes: number[];
  /** The row is about refusals that carry bot-protection markers. */
  challenged: boolean;
  retried: boolean;
  verdict: Verdict;
}

const README = new URL('../../README.md', import.meta.url);
const STATUS = /`(\d{3}|\dxx)`(?:–`(\d{3}|\dxx)`)?/g;

/** Reads the policy table from the README's "### Verdicts and retries" section. */
export function readPolicyTable(): PolicyRow[] {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf('\n### Verdicts and retries\n');
  if (start < 0) throw new Error('README has no "### Verdicts and retries" section');
  const end = text.indexOf('\n#', start + 1);
  const section = text.slice(start, end < 0 ? undefined : end);
  const lines = section.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| ---') && !line.startsWith('| Failure |'));
  return lines.map((line) => {
    const cells = line.split(' | ').map((cell) => cell.replace(/^\| |\s*\|$/g, '').trim());
    const [first = '', retried = '', verdict = ''] = cells;
    // Other upper-case names in the cell are errno names (`EAI_AGAIN`), not urlcheck's codes.
    const codes = [...first.matchAll(/`([A-Z_]{3,})`/g)]
      .map((m) => m[1] as string)
      .filter((code) => code !== 'HTTP_STATUS' && (ERROR_CODES as readonly string[]).includes(code));
    const statuses: number[] = [];
    const classes: number[] = [];
    for (const [, from = '', to] of first.matchAll(STATUS)) {
      if (from.endsWith('xx')) {
        const last = to === undefined ? Number(from[0]) : Number(to[0]);
        for (let c = Number(from[0]); c <= last; c += 1) classes.push(c);
      } else {
        const last = to === undefined ? Number(from) : Number(to);
        for (let s = Number(from); s <= last; s += 1) statuses.push(s);
      }
    }
    const verdictWord = /`(\w+)`/.exec(verdict)?.[1];
    if (verdictWord === undefined) throw new Error(`no verdict in row: ${line}`);
    return {
      text: first,
      codes: codes as ErrorCode[],
      statuses,
      classes,
      challenged: first.includes('bot-protection markers'),
      retried: retried.startsWith('yes'),
      verdict: verdictWord as Verdict,
    };
  });
}

/** The row of the table that decides a final status outside --accept (no bot markers), or throws. */
export function rowForStatus(rows: readonly PolicyRow[], status: number): PolicyRow {
  const plain = rows.filter((row) => !row.challenged);
  const exact = plain.filter((row) => row.statuses.includes(status));
  if (exact.length > 1) throw new Error(`status ${status} is in ${exact.length} rows`);
  if (exact[0] !== undefined) return exact[0];
  const byClass = plain.filter((row) => row.classes.includes(Math.floor(status / 100)));
  if (byClass.length !== 1) throw new Error(`status ${status} falls in ${byClass.length} rows by its class`);
  return byClass[0] as PolicyRow;
}

/** The row that names `code`, or throws. */
export function rowForCode(rows: readonly PolicyRow[], code: ErrorCode): PolicyRow {
  const named = rows.filter((row) => row.codes.includes(code));
  if (named.length !== 1) throw new Error(`${code} is in ${named.length} rows of the README's table`);
  return named[0] as PolicyRow;
}
