// What checking and `urlcheck merge` share: the reporters a run's results go to, the --diff
// report they are compared with, and the exit code --fail-on makes of them.
import { stat } from 'node:fs/promises';
import { UsageError } from '../model/errors.js';
import type { RunEnd, Reporter } from '../model/reporter.js';
import type { DiffTracker } from '../reports/diff.js';
import { hasUntrustedLines, isDocumentFormat, loadReporter, type Format } from '../reporters/registry.js';
import { printable } from '../util/redact.js';
import { describeFileKind } from '../util/fs-errors.js';
import { asciiOnly, colorLevel, EXIT, type CliIo } from './io.js';
import type { ReportOptions } from './options.js';
import type { OutputFile } from './output-paths.js';
import { runWithOutputs } from './outputs.js';

/** A file a run's report goes to besides the main output: each --report, and GitHub's job summary. */
export interface ReportFile extends OutputFile {
  format: Format;
  /** Appended to (the job summary), not replaced. */
  append: boolean;
}

/** Each --report, and the job summary when GITHUB_STEP_SUMMARY is set (appended as Markdown). */
export function reportFiles(options: Pick<ReportOptions, 'reports'>, env: CliIo['env']): ReportFile[] {
  const files: ReportFile[] = options.reports.map((report) => ({ ...report, flag: '--report', append: false }));
  const stepSummary = env['GITHUB_STEP_SUMMARY'];
  if (stepSummary !== undefined && stepSummary !== '') files.push({ format: 'markdown', path: stepSummary, flag: 'GITHUB_STEP_SUMMARY', append: true });
  return files;
}

/** Every file {@link runReported} writes: --output, then {@link reportFiles}. */
export function outputFiles(options: Pick<ReportOptions, 'output' | 'reports'>, env: CliIo['env']): OutputFile[] {
  return [...(options.output === null ? [] : [{ flag: '--output', path: options.output }]), ...reportFiles(options, env)];
}

/** What {@link runReported} needs to know about the run's input. */
export interface RunInput {
  /** stdin is an input: an interrupt must stop reading it. */
  usesStdin: boolean;
  /** Counts the targets ahead (for the progress bar's total), or null when they cannot be counted. */
  countAhead: ((signal: AbortSignal) => Promise<number | null>) | null;
  /** A note for stderr once the run is over (e.g. links skipped in documents), or null. */
  note?: () => string | null;
}

/**
 * Opens the report outputs (--format to stdout or --output, every --report, GitHub's job
 * summary and annotations, the progress bar and the stderr summary), runs `run` with them
 * combined into one reporter, and turns the outcome into the exit code (see `runWithOutputs`
 * for files, interrupts and a closed stdout).
 */
export async function runReported(
  options: ReportOptions,
  io: CliIo,
  colorFlag: boolean,
  input: RunInput,
  run: (reporter: Reporter, signal: AbortSignal) => Promise<RunEnd>,
): Promise<number> {
  const [{ Chalk }, { combineReporters }, progress, stderrSummary] = await Promise.all([
    import('chalk'),
    import('../reporters/combine.js'),
    import('../reporters/progress.js'),
    import('../reporters/summary.js'),
  ]);
  const request = {
    output: options.output,
    whole: isDocumentFormat(options.format),
    usesStdin: input.usesStdin,
    quiet: options.quiet,
    // JSON/NDJSON lines all start with a bracket: left unwrapped, so `| jq` still reads them.
    untrustedLines: hasUntrustedLines(options.format),
  };
  return runWithOutputs(io, request, async (outputs) => {
    const { out, err } = outputs;
    const ascii = asciiOnly(options.ascii, io.env);
    const ctx = {
      out,
      err,
      color: new Chalk({ level: colorLevel(outputs.toStdout ? io.stdout : {}, io.env, colorFlag) }),
      errColor: new Chalk({ level: colorLevel(io.stderr, io.env, colorFlag) }),
      quiet: options.quiet,
      ascii,
      failOn: options.failOn.verdicts,
    };
    const list = [(await loadReporter(options.format))(ctx)];
    // Each --report, and the job summary under GitHub Actions: files, so no colour.
    for (const file of reportFiles(options, io.env)) {
      const writer = await outputs.openFile(file.path, file.flag, isDocumentFormat(file.format), file.append);
      const plain = new Chalk({ level: 0 });
      list.push((await loadReporter(file.format))({ out: writer, err, color: plain, errColor: plain, quiet: false, ascii, failOn: ctx.failOn }));
    }
    let annotations: Reporter | null = null;
    if (io.env['GITHUB_ACTIONS'] === 'true') {
      const { createGithubAnnotationsReporter } = await import('../reporters/github.js');
      // Annotations link to a file by its path in the repository, not by an absolute path. They
      // are written once every report is done: after stdout's ::stop-commands:: block, on stdout
      // itself when there is one (the runner could read stderr's lines before stdout's).
      const annotator = createGithubAnnotationsReporter(
        { ...ctx, err: outputs.commandsGuarded ? out : err },
        { workspace: io.env['GITHUB_WORKSPACE'] ?? null, cwd: io.cwd ?? process.cwd() },
      );
      annotations = annotator;
      list.push({ onResult: (result) => annotator.onResult?.(result) });
    }
    // The summary on stderr, unless the main report already shows it there: a table on stdout
    // does; every other format, and any report written to a file (-o), does not.
    if ((options.format !== 'table' || options.output !== null) && !options.quiet) {
      // When the reader of stdout has gone (`| head`), end quietly: no summary of a cut-short run.
      const summary = stderrSummary.createStderrSummaryReporter(ctx);
      list.push({ onRunEnd: (end) => (outputs.brokenPipe ? undefined : summary.onRunEnd?.(end)) });
    }
    if (io.stderr.isTTY === true && !options.quiet) {
      const total = input.countAhead === null ? Promise.resolve(null) : input.countAhead(outputs.signal).catch(() => null);
      list.unshift(progress.createProgressReporter(ctx, { total, dumbTerminal: io.env['TERM'] === 'dumb' }));
    }
    const outcome = await run(list.length === 1 ? (list[0] as Reporter) : combineReporters(list), outputs.signal);
    outputs.endUntrusted();
    await annotations?.onRunEnd?.(outcome);
    io.onRunEnd?.(outcome, [...(options.output === null ? [] : [options.output]), ...options.reports.map((report) => report.path)]);
    return { code: failed(options, outcome) ? EXIT.UNHEALTHY : EXIT.OK, note: input.note?.() ?? null };
  });
}

/** True when the run ends with something --fail-on names. */
function failed(options: ReportOptions, outcome: RunEnd): boolean {
  const { verdicts, onNew } = options.failOn;
  // Only a merge's verdict counts interrupted (a run stopped by a signal exits 130/143 instead): a report
  // cut short means URLs nobody can vouch for, so it fails unless nothing can fail.
  if (outcome.summary.interrupted && (verdicts.size > 0 || onNew)) return true;
  for (const verdict of verdicts) if (outcome.summary.byVerdict[verdict] > 0) return true;
  return onNew && (outcome.diff?.newlyFailing ?? 0) > 0;
}

/**
 * The --diff report to compare with, or null without --diff. Read before any output is opened,
 * so `--diff last.json -o last.json` compares with the old report and then replaces it. What
 * reading it skipped (a torn last line, damaged lines) is a warning on stderr. A report is a
 * regular file: a FIFO (whose open would wait for a writer, past any Ctrl-C), a device or a
 * socket (/dev/stdin on a pipe or a terminal) is a {@link UsageError}, without opening it.
 */
export async function loadDiff(path: string | null, io: CliIo): Promise<DiffTracker | null> {
  if (path === null) return null;
  // A missing or unreadable report, or a directory, is left to the reader, which says why.
  const info = await stat(path).catch(() => null);
  const kind = info === null || info.isDirectory() ? null : describeFileKind(info);
  if (kind !== null) throw new UsageError(`--diff report "${printable(path)}" is not a regular file (it is ${kind}); give a report written with -f json or -f ndjson`);
  const { DiffTracker, describePreviousReport, loadPreviousReport } = await import('../reports/diff.js');
  const previous = await loadPreviousReport(path);
  // A torn or damaged previous report is still compared with; say what was skipped.
  for (const line of describePreviousReport(previous)) io.stderr.write(`urlcheck: warning: ${line}\n`);
  return new DiffTracker(previous);
}
