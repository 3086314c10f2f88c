import { isAbsolute, relative, resolve, sep } from 'node:path';
import { printable } from '../util/redact.js';
import type { CheckResult } from '../model/types.js';
import { formatCount, plural } from '../util/text.js';
import { ATTENTION_RANK, compareAttention, KeepSmallest, type AttentionPlace } from './rank.js';
import type { Reporter, ReporterContext } from '../model/reporter.js';

/**
 * Annotations written per kind (errors, warnings). GitHub shows at most 10 error and 10 warning
 * annotations per step (50 per job) and silently drops the rest, so more would only be noise in
 * the log; the run's other reports list every URL.
 */
export const DEFAULT_GITHUB_ANNOTATIONS_PER_KIND = 10;

/** The `source` of targets read from standard input: no file to point an annotation at. */
const STDIN_SOURCE = 'stdin';

/** Options for {@link createGithubAnnotationsReporter}. */
export interface GithubAnnotationsOptions {
  /** Annotations per kind (errors, warnings). Default {@link DEFAULT_GITHUB_ANNOTATIONS_PER_KIND}. */
  perKind?: number;
  /**
   * The checkout (`GITHUB_WORKSPACE`): absolute input paths inside it are made relative to it,
   * because GitHub links an annotation to a file only by its path in the repository.
   */
  workspace?: string | null;
  /**
   * The working directory relative input paths were read from (a step's `working-directory` may
   * differ from the checkout), so that they too are made relative to `workspace`. Default: none,
   * relative paths are taken as relative to `workspace`.
   */
  cwd?: string | null;
}

/** A GitHub annotations reporter, and how many results it holds right now (for tests). */
export interface GithubAnnotationsReporter extends Reporter {
  /** Results held for annotations: never more than twice the per-kind limit. */
  readonly heldResults: number;
}

interface Candidate extends AttentionPlace {
  result: CheckResult;
}

/**
 * GitHub Actions annotations: an `::error` workflow command for each broken, transient or blocked
 * URL and a `::warning` for each URL with warnings, pointing at the input file and line (no
 * location for stdin), titled `urlcheck CODE`. Written to `err` (the runner reads workflow
 * commands on both streams, and `out` may hold a JSON report; the CLI gives stdout instead when
 * stdout holds a `::stop-commands::` block, after closing it). GitHub shows only
 * {@link DEFAULT_GITHUB_ANNOTATIONS_PER_KIND} of each kind per step, so the reporter keeps the
 * first `perKind` of each by rank and input order (the same ones every run, whatever order checks
 * finish in), writes them when the run ends, and adds one `::notice` counting the rest.
 */
export function createGithubAnnotationsReporter(
  { err }: ReporterContext,
  { perKind = DEFAULT_GITHUB_ANNOTATIONS_PER_KIND, workspace = null, cwd = null }: GithubAnnotationsOptions = {},
): GithubAnnotationsReporter {
  const errors = new KeepSmallest<Candidate>(perKind, compareAttention);
  const warnings = new KeepSmallest<Candidate>(perKind, compareAttention);
  let errorCount = 0;
  let warningCount = 0;

  return {
    get heldResults() {
      return errors.size + warnings.size;
    },
    onResult: (result) => {
      if (result.verdict === 'healthy') return;
      const candidate = { rank: ATTENTION_RANK[result.verdict], source: result.source, line: result.line, result };
      if (result.verdict === 'warning') {
        warningCount += 1;
        warnings.offer(candidate);
      } else {
        errorCount += 1;
        errors.offer(candidate);
      }
    },
    onRunEnd: () => {
      const lines = [...errors.sorted(), ...warnings.sorted()].map(({ result }) => annotation(result, workspace, cwd));
      const left = errorCount - errors.size + (warningCount - warnings.size);
      if (left > 0) {
        const shown = errors.size + warnings.size;
        lines.push(
          `::notice title=urlcheck::${escapeData(
            `${plural(left, 'more URL')} ${left === 1 ? 'needs' : 'need'} attention (${formatCount(shown)} annotated: GitHub shows ` +
              `${perKind} errors and ${perKind} warnings per step); see the report or the log for every URL`,
          )}`,
        );
      }
      return lines.length === 0 ? undefined : err.write(`${lines.join('\n')}\n`);
    },
  };
}

/**
 * The workflow command (without its newline) annotating one result that is not healthy; its
 * `file` is relative to `workspace` when the input lies inside it (a relative input path is
 * taken from `cwd`, when given).
 */
export function annotation(r: CheckResult, workspace: string | null = null, cwd: string | null = null): string {
  const isWarning = r.verdict === 'warning';
  const code = isWarning ? (r.warnings[0]?.code ?? 'WARNING') : (r.error?.code ?? 'UNKNOWN');
  const messages = isWarning ? r.warnings.map((warning) => warning.message) : [r.error?.message ?? r.verdict];
  const properties: string[] = [];
  if (r.source !== STDIN_SOURCE) {
    properties.push(`file=${escapeProperty(printable(repositoryPath(r.source, workspace, cwd)))}`, `line=${r.line}`);
  }
  properties.push(`title=${escapeProperty(`urlcheck ${code}`)}`);
  const message = `${r.url} — ${messages.map((text) => printable(text)).join('; ')}`;
  return `::${isWarning ? 'warning' : 'error'} ${properties.join(',')}::${escapeData(printable(message))}`;
}

/**
 * Workflow-command data (the message after `::`) escaped as the runner expects: `%`, CR and LF
 * percent-encoded, so the message stays on one line and reads back unchanged.
 */
export function escapeData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

/** A workflow-command property value (`file=`, `title=`): as {@link escapeData}, plus `:` and `,`. */
export function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}

function repositoryPath(source: string, workspace: string | null, cwd: string | null): string {
  if (workspace === null || workspace === '') return source;
  // A document fetched over http(s) is named by its URL: no file in the repository.
  if (!isAbsolute(source) && (cwd === null || cwd === '' || /^[a-z][a-z\d+.-]*:\/\//i.test(source))) return source;
  const inside = relative(workspace, resolve(cwd ?? workspace, source));
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return source;
  return inside.split(sep).join('/');
}
