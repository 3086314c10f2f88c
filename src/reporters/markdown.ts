import { printable } from '../util/redact.js';
import type { CheckResult, Verdict } from '../model/types.js';
import { formatCount, plural } from '../util/text.js';
import { formatMs } from './format.js';
import { ATTENTION_RANK, compareAttention, KeepSmallest, type AttentionPlace } from './rank.js';
import type { Reporter, ReporterContext, RunEnd } from '../model/reporter.js';

/** Rows the Markdown table lists at most; the rest are counted. Keeps a report under GitHub's 1 MiB job-summary limit. */
export const DEFAULT_MARKDOWN_ROWS = 1000;

/** Characters of a URL or message shown in one cell; longer text is cut with "…". */
export const MARKDOWN_CELL_CHARS = 300;

/** How each verdict is shown. */
export const VERDICT_EMOJI: Readonly<Record<Verdict, string>> = {
  healthy: '✅',
  warning: '⚠️',
  broken: '❌',
  transient: '⏳',
  blocked: '🛡️',
};

const VERDICT_LABEL: Readonly<Record<Verdict, string>> = {
  healthy: 'healthy',
  warning: 'with warnings',
  broken: 'broken',
  transient: 'transient',
  blocked: 'blocked',
};

/** A Markdown reporter, and how many table rows it holds right now (for tests). */
export interface MarkdownReporter extends Reporter {
  /** Rendered rows held for the table: never more than the row limit. */
  readonly heldRows: number;
}

interface Row extends AttentionPlace {
  markdown: string;
}

/**
 * A GitHub-flavoured Markdown report for pull-request comments and job summaries
 * (`$GITHUB_STEP_SUMMARY`): a heading, counts by verdict, the comparison with a previous run when
 * there is one, then a table of the URLs that need attention (broken, transient and blocked
 * first, then warnings; each group in input order) with verdict, URL, status, problem and
 * `source:line`. Healthy URLs are counted, never listed. The table keeps at most `maxRows`
 * rendered rows (the best-ranked ones) and says how many it left out, so memory is bounded by
 * the table, not by the list. Everything is written when the run ends. With --quiet, a run
 * where nothing needs attention writes nothing.
 */
export function createMarkdownReporter(
  { out, quiet }: ReporterContext,
  maxRows: number = DEFAULT_MARKDOWN_ROWS,
): MarkdownReporter {
  const rows = new KeepSmallest<Row>(maxRows, compareAttention);
  let attention = 0;

  return {
    get heldRows() {
      return rows.size;
    },
    onResult: (result) => {
      if (result.verdict === 'healthy') return;
      attention += 1;
      const rank = ATTENTION_RANK[result.verdict];
      // Cheap rejection first: most of a long list of failures never reaches the table.
      if (rows.wouldKeep({ rank, source: result.source, line: result.line, markdown: '' })) {
        rows.offer({ rank, source: result.source, line: result.line, markdown: markdownRow(result) });
      }
    },
    onRunEnd: (end) => {
      if (quiet && attention === 0) return undefined;
      return out.write(renderReport(end, rows.sorted(), attention));
    },
  };
}

function renderReport(end: RunEnd, rows: readonly Row[], attention: number): string {
  const { summary } = end;
  const parts = ['## urlcheck report'];
  const counts = (Object.keys(VERDICT_EMOJI) as Verdict[])
    .filter((verdict) => verdict === 'healthy' || summary.byVerdict[verdict] > 0)
    .map((verdict) => `${VERDICT_EMOJI[verdict]} ${formatCount(summary.byVerdict[verdict])} ${VERDICT_LABEL[verdict]}`);
  parts.push(`**${plural(summary.total, 'URL')}** checked in ${formatMs(summary.wallMs)}: ${counts.join(' · ')}`);
  const { diff } = end;
  if (diff !== null) {
    parts.push(
      `Compared with the previous run (${markdownCell(diff.previous)}): ${formatCount(diff.newlyFailing)} newly failing · ` +
        `${formatCount(diff.recovered)} recovered · ${formatCount(diff.stillFailing)} still failing · ${formatCount(diff.gone)} gone`,
    );
  }
  if (summary.interrupted) {
    parts.push(`> [!WARNING]\n> The run was interrupted: only ${plural(summary.total, 'URL')} ${summary.total === 1 ? 'was' : 'were'} checked.`);
  }
  if (attention === 0) {
    parts.push(summary.total === 0 ? 'No URLs were checked.' : 'Every URL is healthy.');
  } else {
    parts.push(
      `### ${plural(attention, 'URL')} ${attention === 1 ? 'needs' : 'need'} attention\n\n` +
        '| Verdict | URL | Status | Problem | Source |\n| --- | --- | --- | --- | --- |\n' +
        rows.map((row) => row.markdown).join('\n'),
    );
    const left = attention - rows.length;
    if (left > 0) {
      parts.push(
        `_${plural(left, 'more URL')} ${left === 1 ? 'needs' : 'need'} attention but ${left === 1 ? 'is' : 'are'} not listed ` +
          `(the table stops at ${formatCount(rows.length)} rows); use \`--format csv\` or \`--format ndjson\` for every row._`,
      );
    }
  }
  return `${parts.join('\n\n')}\n`;
}

/** One table row (without its newline) for a result that needs attention. */
export function markdownRow(r: CheckResult): string {
  const url = [urlCell(r.url)];
  if (r.redirects.length > 0 && r.finalUrl !== null && r.finalUrl !== r.url) {
    url.push(`→ ${urlCell(r.finalUrl)} (${plural(r.redirects.length, 'redirect')})`);
  }
  const problems: string[] = [];
  if (r.error !== null) problems.push(`\`${r.error.code}\` ${markdownCell(cut(printable(r.error.message)))}`);
  for (const warning of r.warnings) problems.push(`\`${warning.code}\` ${markdownCell(cut(printable(warning.message)))}`);
  const cells = [
    `${VERDICT_EMOJI[r.verdict]} ${r.verdict}`,
    url.join('<br>'),
    r.status === null ? '—' : String(r.status),
    problems.join('<br>'),
    markdownCell(`${printable(r.source)}:${r.line}`),
  ];
  return `| ${cells.join(' | ')} |`;
}

// A URL the WHATWG parser could have written (printable ASCII, no space) that holds nothing the
// table or an angle-bracket autolink would misread: such a URL becomes a link whose target is
// exactly the URL, with no Markdown inside it interpreted.
const LINKABLE_URL = /^https?:\/\/[!-~]+$/;
const NOT_IN_AUTOLINK = /[<>`\\|]/;

function urlCell(url: string): string {
  const shown = printable(url);
  if (shown.length <= MARKDOWN_CELL_CHARS && LINKABLE_URL.test(shown) && !NOT_IN_AUTOLINK.test(shown)) return `<${shown}>`;
  return markdownCell(cut(shown));
}

function cut(text: string): string {
  return text.length <= MARKDOWN_CELL_CHARS ? text : `${text.slice(0, MARKDOWN_CELL_CHARS - 1)}…`;
}

// The characters that could end a cell (|), open code, emphasis, strikethrough, links or HTML
// (` * _ ~ [ ] < &), or escape one of those (\). Each is backslash-escaped: CommonMark shows any
// escaped ASCII punctuation as itself, and GitHub's table parser honours \| even inside code.
const MARKDOWN_SPECIAL = /[\\`*_~[\]<&|]/g;
const LINE_BREAK = /\r\n|[\r\n\u2028\u2029]/g;

/**
 * Text that stays one literal table cell in GitHub-flavoured Markdown: Markdown and HTML
 * syntax characters escaped, line breaks turned into spaces.
 */
export function markdownCell(text: string): string {
  return text.replace(LINE_BREAK, ' ').replace(MARKDOWN_SPECIAL, (char) => `\\${char}`);
}
