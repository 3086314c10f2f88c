// What a --resume journal belongs to, from a run's inputs and the options that change its results.
import { isAbsolute, resolve } from 'node:path';
import type { CheckOptions } from '../check/options.js';
import { openJournal, type JournalRun, type ResumeJournal } from '../reports/resume.js';
import type { TextPattern } from '../model/types.js';
import { redactText } from '../util/redact.js';
import type { TargetSelection } from './select.js';

/** A run as the command line resolved it: what {@link journalRunOf} reads. */
export interface RunDescription {
  /** The inputs as given: paths, globs, URLs, `-` for stdin. */
  inputs: readonly string[];
  /** The working directory relative inputs are read from. */
  cwd: string;
  /** The config file whose targets the run checks (their `source`); null when none does. */
  config: string | null;
  check: CheckOptions;
  selection: TargetSelection | null;
  dedupe: boolean;
  /** --base; null when not given. */
  base: string | null;
}

const IS_URL = /^https?:\/\//i;

/**
 * The {@link JournalRun} of a run: its inputs (URLs with credentials redacted) and the options that
 * change its results, each by its flag. Options that only change how fast or where results are
 * reported (concurrency, formats, outputs, --fail-on, --diff) are left out, and so are header values
 * and proxies, which may hold secrets.
 */
export function journalRunOf(run: RunDescription): JournalRun {
  const { check, selection } = run;
  // No inputs and no config targets: stdin is read, as if "-" were given.
  const inputs = run.inputs.length === 0 && run.config === null ? ['-'] : run.inputs;
  const files = [...inputs.filter((input) => input !== '-' && !IS_URL.test(input)), ...(run.config === null ? [] : [run.config])];
  const on = (flag: boolean) => (flag ? '' : null);
  const patterns = (list: readonly TextPattern[] | undefined) =>
    (list ?? []).map((pattern) => (pattern instanceof RegExp && pattern.flags.includes('i') ? `(?i)${pattern.source}` : pattern.source));
  return {
    inputs: inputs.map((input) => (IS_URL.test(input) ? redactText(input) : input)),
    config: run.config,
    cwd: files.some((file) => !isAbsolute(file)) ? resolve(run.cwd) : null,
    options: {
      '--method': check.method,
      '--accept': check.accept.text,
      '--max-redirects': String(check.maxRedirects),
      '--header': [...new Set(check.headers.map((header) => `${header.name}: …`))].sort(),
      '--user-agent': check.userAgent,
      '--insecure': on(check.insecure),
      '--public-only': on(check.publicOnly),
      '--check-fragments': on(check.checkFragments),
      '--root-dir': check.rootDir === null || check.rootDir === resolve(run.cwd) ? null : check.rootDir,
      '--timeout': String(check.timeoutMs),
      '--connect-timeout': check.connectTimeoutMs === null ? null : String(check.connectTimeoutMs),
      '--retries': String(check.retries),
      '--slow': check.slowMs === null ? 'off' : String(check.slowMs),
      '--cert-min-days': String(check.certMinDays),
      '--include': patterns(selection?.include),
      '--exclude': patterns(selection?.exclude),
      '--shard': selection?.shard == null ? null : `${selection.shard.index}/${selection.shard.count}`,
      '--no-dedupe': on(!run.dedupe),
      '--base': run.base === null ? null : redactText(run.base),
    },
  };
}

/** Opens the `--resume` journal at `path` for `run`: see `ResumeJournal.open`, which refuses another run's journal. */
export function openRunJournal(path: string, run: RunDescription): Promise<ResumeJournal> {
  return openJournal(path, journalRunOf(run));
}
