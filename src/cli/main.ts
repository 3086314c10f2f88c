import { open, rename, rm, stat } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { Command, CommanderError, Option } from 'commander';
import {
  DEFAULT_ACCEPT,
  DEFAULT_CERT_MIN_DAYS,
  DEFAULT_COMPARE_FULL_LIMIT,
  DEFAULT_CONCURRENCY,
  DEFAULT_FAIL_ON,
  DEFAULT_FORMAT,
  DEFAULT_SLOW_MS,
  DEFAULT_MAX_REDIRECTS,
  DEFAULT_METHOD,
  DEFAULT_RETRIES,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_USER_AGENT,
  FORMATS,
} from '../model/defaults.js';
import { UsageError } from '../model/errors.js';
import type { ProxySettings } from '../net/proxy.js';
import type { LoadedConfig } from './config.js';
import type { InputSource } from '../input/targets.js';
import type { CliOptions, ReportOptions } from './options.js';
import type { Reporter } from '../model/reporter.js';
import type { LineCounts, RunOutcome } from '../pipeline/run.js';
import type { Target } from '../model/types.js';
import { VERSION } from '../model/version.js';
import { describeFsError } from '../util/fs-errors.js';

/** Exit codes, defined once: CI scripts depend on them. */
export const EXIT = {
  /** Every URL is healthy. */
  OK: 0,
  /** At least one URL is unhealthy. */
  UNHEALTHY: 1,
  /** Usage or input error: bad flag or value, unreadable input, no URLs. */
  USAGE: 2,
  /** The reader of stdout went away (`urlcheck … | head`). */
  BROKEN_PIPE: 141,
  /** Interrupted by SIGINT (Ctrl-C), after writing every finished result. */
  SIGINT: 130,
  /** Stopped by SIGTERM, after writing every finished result. */
  SIGTERM: 143,
} as const;

type OutStream = Writable & { isTTY?: boolean; columns?: number };

/** The process surface `main` works through, so tests can run the CLI in-process. */
export interface CliIo {
  stdin: Readable & { isTTY?: boolean };
  stdout: OutStream;
  stderr: OutStream;
  env: Record<string, string | undefined>;
  /** Where a urlcheck.config.{json,yaml,yml} is looked for; the process's cwd by default. */
  cwd?: string;
  /** Aborted with an {@link Interrupt} when the user interrupts the run. */
  signal?: AbortSignal;
}

/** The reason a run was aborted by a signal. */
export class Interrupt extends Error {
  constructor(readonly signalName: 'SIGINT' | 'SIGTERM') {
    super(`interrupted by ${signalName}`);
  }
}

/** A failure that stops the tool before or while reading input: one line on stderr, exit 2. */
class InputError extends Error {}

const EXAMPLES = `
Examples:
  $ urlcheck urls.txt                        check every URL in urls.txt, print a table
  $ cat urls.txt | urlcheck                  read URLs from stdin
  $ urlcheck a.txt b.txt -f json -o out.json a JSON report of both lists
  $ urlcheck urls.txt -f ndjson | jq .       one JSON object per line, as results arrive
  $ urlcheck urls.txt -c 100 --per-host 4    100 at once, at most 4 per host
  $ urlcheck urls.txt --compare              also time the sequential baseline: the speed-up
  $ urlcheck urls.txt -H "Authorization: Bearer $TOKEN" --accept 200-299,401
  $ urlcheck urls.txt --report junit:results.xml --report ndjson:results.ndjson
  $ urlcheck urls.txt --diff last.json --fail-on new --quiet    for cron: only what changed
  $ urlcheck --config probes.yaml            targets with expectations (body, JSON, headers, ...)
  $ urlcheck merge shard-*.ndjson -f json    combine shard reports (see urlcheck merge --help)
  $ urlcheck README.md 'docs/**/*.md' --base https://example.com/   the links in documents
  $ urlcheck https://example.com/sitemap.xml all the URLs of a sitemap (indexes followed)

Input: one URL per line; blank lines and lines starting with # are skipped. Markdown,
HTML and sitemap files or URLs give the links in them, with their lines. A
urlcheck.config.json/.yaml in the working directory is read for defaults and targets.
Verdicts: healthy, warning, broken, transient, blocked (see --fail-on).
Exit codes: 0 nothing in --fail-on, 1 something in --fail-on, 2 usage or input error,
            130 interrupted (SIGINT), 143 terminated (SIGTERM), 141 stdout closed.`;

function buildProgram(io: CliIo): Command {
  const collect = (value: string, previous: string[] = []) => [...previous, value];
  // Defaults shown in --help as plain values (commander would quote the strings).
  const option = (flags: string, description: string, fallback?: string | number) => {
    const built = new Option(flags, description);
    return fallback === undefined ? built : built.default(String(fallback), String(fallback));
  };
  const program = new Command('urlcheck')
    .description('Check lists of URLs, fast: which are healthy and which are not.')
    .argument('[inputs...]', 'URL lists, Markdown/HTML/sitemap files, globs or URLs of documents; "-" reads stdin (the default when stdin is piped)')
    .addOption(option('-c, --concurrency <n>', 'requests in flight at once', DEFAULT_CONCURRENCY))
    .option('--per-host <n>', 'requests in flight at once per host:port (default: no separate limit)')
    .addOption(option('-t, --timeout <ms>', 'hard deadline per attempt, redirects included (ms, or 5s / 1m)', DEFAULT_TIMEOUT_MS))
    .option('--connect-timeout <ms>', 'deadline for TCP+TLS connection setup (default: the --timeout)')
    .addOption(option('-r, --retries <n>', 'retries for timeouts, resets, refused connections, 429/502/503/504', DEFAULT_RETRIES))
    .addOption(option('-m, --method <method>', 'head or get; HEAD falls back to GET when a server mishandles HEAD', DEFAULT_METHOD))
    .addOption(option('--accept <ranges>', 'healthy final statuses, e.g. 200-299,401', DEFAULT_ACCEPT))
    .addOption(option('--max-redirects <n>', 'redirects to follow; 0 = do not follow', DEFAULT_MAX_REDIRECTS))
    .option('-H, --header <name:value>', 'extra request header, repeatable (values are never printed)', collect)
    .addOption(option('--user-agent <text>', 'User-Agent header', DEFAULT_USER_AGENT))
    .option('--insecure', 'accept invalid TLS certificates')
    .option('--public-only', 'refuse loopback, private and link-local addresses, also after DNS and redirects')
    .addOption(new Option('-f, --format <format>', 'report format').choices(FORMATS).default(DEFAULT_FORMAT, DEFAULT_FORMAT))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--report <format:path>', `also write a report to a file, repeatable (formats: ${FORMATS.join(', ')})`, collect)
    .addOption(option('--fail-on <verdicts>', 'verdicts that make the exit code 1: healthy, warning, broken, transient, blocked, new (with --diff), none', DEFAULT_FAIL_ON))
    .addOption(option('--slow <ms>', 'flag checks slower than this with a SLOW warning (ms, or 5s; "off")', DEFAULT_SLOW_MS))
    .addOption(option('--cert-min-days <n>', 'flag TLS certificates expiring in fewer days with a warning', DEFAULT_CERT_MIN_DAYS))
    .option('--diff <report>', 'compare with a previous JSON or NDJSON report: newly failing, recovered, still failing')
    .option('--config <file>', 'read defaults and targets from this file (default: ./urlcheck.config.{json,yaml,yml})')
    .option('--no-config', 'do not read a urlcheck.config file from the working directory')
    .option('--proxy <url>', 'send requests through this proxy (default: HTTPS_PROXY / HTTP_PROXY, honouring NO_PROXY)')
    .option('--base <url>', 'resolve relative links in local Markdown/HTML files against this URL')
    .option('--include <regex>', 'check only URLs matching this regular expression, repeatable (any may match); a leading (?i) ignores case', collect)
    .option('--exclude <regex>', 'do not check URLs matching this regular expression, repeatable', collect)
    .option('--shard <i/n>', 'check only shard i of n (e.g. 2/4): URLs are split by host, the same way on every machine')
    .option('--no-dedupe', 'check every line, even when an earlier line has the same URL')
    .option('--resume <journal>', 'continue an interrupted run from this NDJSON journal (created if missing, deleted once the run completes)')
    .option('--dump', 'list the URLs that would be checked (after --include/--exclude, --shard and dedupe) and exit')
    .option('--sequential', 'check one URL at a time (the baseline; same code path, concurrency 1)')
    .option('--compare', `after the run, time the sequential baseline on the same URLs (a random sample of ${DEFAULT_COMPARE_FULL_LIMIT} for longer lists)`)
    .option('--compare-sample <n>', 'time the baseline on a random sample of n URLs and extrapolate (implies --compare)')
    .option('-q, --quiet', 'no progress; print only what needs attention (warnings included), with --diff only what changed; nothing otherwise')
    .option('--no-color', 'no colours (also: NO_COLOR=1; FORCE_COLOR=1 forces them)')
    .version(VERSION, '-V, --version', 'print the version');
  return withCliBehaviour(program, io, EXAMPLES);
}

/**
 * What both commands share: help and examples, suggestions for typos, and errors handed back
 * to {@link parseOrExit} instead of commander printing them and exiting the process.
 */
function withCliBehaviour(program: Command, io: CliIo, examples: string): Command {
  return program
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', examples)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: () => {},
    });
}

/**
 * Parses `args` into `program`; null when that worked, else the exit code: 0 after --help or
 * --version, 2 with one line on stderr for a usage error.
 */
function parseOrExit(program: Command, args: readonly string[], io: CliIo, helpCommand: string): number | null {
  try {
    program.parse([...args], { from: 'user' });
    return null;
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.OK;
    return usageError(io, `${error.message.replace(/^error: /, '').trim()} (see ${helpCommand})`);
  }
}

/**
 * Runs the command line against `io` and resolves to the exit code. Never throws and never
 * exits the process: usage and input errors become one line on stderr and exit code 2.
 */
export async function main(args: readonly string[], io: CliIo): Promise<number> {
  // A command of its own, so that the root's [inputs...] never reads "merge" as a list file
  // (a list called merge is still ./merge).
  if (args[0] === 'merge') return mergeCommand(args.slice(1), io);
  const program = buildProgram(io);
  const parsed = parseOrExit(program, args, io, 'urlcheck --help');
  if (parsed !== null) return parsed;
  const raw = program.opts<Record<string, unknown>>();
  const inputs = program.args;
  try {
    const config = await readConfig(raw, io);
    const { resolveCliOptions } = await import('./options.js');
    const options = resolveCliOptions(config === null ? raw : withConfigDefaults(program, raw, config.options));
    return await execute(options, inputs, config, raw['color'] !== false, io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof InputError) return usageError(io, error.message);
    const message = error instanceof Error ? error.message : String(error);
    return usageError(io, `unexpected error: ${message}`);
  }
}

const MERGE_EXAMPLES = `
Examples:
  $ urlcheck merge shard-*.ndjson                         one table for every shard
  $ urlcheck merge shard-*.ndjson -f json -o all.json     one JSON report
  $ urlcheck merge a.json b.ndjson --report junit:all.xml --fail-on broken`;

function buildMergeProgram(io: CliIo): Command {
  const collect = (value: string, previous: string[] = []) => [...previous, value];
  const program = new Command('urlcheck merge')
    .description('Combine JSON/NDJSON reports (e.g. one per --shard) into one report, with the summary and exit code of all of them.')
    .argument('<reports...>', 'reports written with -f json or -f ndjson')
    .addOption(new Option('-f, --format <format>', 'report format').choices(FORMATS).default(DEFAULT_FORMAT, DEFAULT_FORMAT))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--report <format:path>', 'also write a report to a file, repeatable', collect)
    .addOption(new Option('--fail-on <verdicts>', 'verdicts that make the exit code 1 (see urlcheck --help)').default(DEFAULT_FAIL_ON, DEFAULT_FAIL_ON))
    .option('--diff <report>', 'compare with a previous JSON or NDJSON report')
    .option('-q, --quiet', 'print only what needs attention; nothing otherwise')
    .option('--no-color', 'no colours');
  return withCliBehaviour(program, io, MERGE_EXAMPLES);
}

/** `urlcheck merge <reports...>`: replays reports through the same outputs and exit codes as a run. */
async function mergeCommand(args: readonly string[], io: CliIo): Promise<number> {
  const program = buildMergeProgram(io);
  const parsed = parseOrExit(program, args, io, 'urlcheck merge --help');
  if (parsed !== null) return parsed;
  const raw = program.opts<Record<string, unknown>>();
  try {
    const [{ resolveReportOptions }, merge] = await Promise.all([import('./options.js'), import('../reports/merge.js')]);
    const options = resolveReportOptions(raw);
    const outputs = [
      ...(options.output === null ? [] : [{ flag: '--output', path: options.output }]),
      ...options.reports.map((report) => ({ flag: '--report', path: report.path })),
    ];
    // Every report (and --diff's) is read, or at least opened, before any output is: an output
    // that names one of the reports is refused rather than emptied.
    const plan = await merge.planMerge(program.args, outputs);
    const diff = options.diff === null ? null : await import('../reports/diff.js').then(async ({ loadPreviousReport, DiffTracker }) => new DiffTracker(await loadPreviousReport(options.diff as string)));
    let problems: string[] = [];
    const code = await runReported(options, io, raw['color'] !== false, { usesStdin: false, countAhead: null }, async (reporter, signal) => {
      const outcome = await merge.mergeReports({ paths: program.args, plan, reporter, signal, diff });
      problems = merge.describeMergeProblems(outcome);
      return outcome;
    });
    for (const problem of problems) io.stderr.write(`urlcheck: warning: ${problem}\n`);
    return code;
  } catch (error) {
    if (error instanceof UsageError || error instanceof InputError) return usageError(io, error.message);
    return usageError(io, `unexpected error: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The config file: --config, or one found in the working directory (unless --no-config). */
async function readConfig(raw: Record<string, unknown>, io: CliIo): Promise<LoadedConfig | null> {
  if (raw['config'] === false) return null;
  const given = typeof raw['config'] === 'string' ? raw['config'] : null;
  const path = given ?? (await (await import('./config-find.js')).findConfig(io.cwd ?? '.'));
  if (path === null) return null;
  const { loadConfig } = await import('./config.js');
  return loadConfig(path);
}

/** The command line's values, with the config file's in place of every flag not given on it. */
function withConfigDefaults(program: Command, raw: Record<string, unknown>, fromConfig: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...raw };
  for (const [key, value] of Object.entries(fromConfig)) {
    if (program.getOptionValueSource(key) !== 'cli') merged[key] = value;
  }
  return merged;
}

async function execute(options: CliOptions, inputs: string[], config: LoadedConfig | null, colorFlag: boolean, io: CliIo): Promise<number> {
  const [{ readTargetBatches, createExtractionStats, InputReadError }, { describeSkipped }, { runChecks, describeLineCounts }] = await Promise.all([
    import('../input/targets.js'),
    import('../input/sources.js'),
    import('../pipeline/run.js'),
  ]);
  const inputErrorMessage = (error: unknown) => (error instanceof InputReadError ? error.message : `cannot read input: ${(error as Error).message}`);

  const proxy = await resolveProxy(options, io);
  if (proxy !== null) options.check.proxy = proxy;
  const configTargets = config === null ? [] : (await import('./config.js')).configTargetsToTargets(config);
  // A config file with targets is an input of its own: stdin is read only when asked for with "-".
  const sources = await openSources(inputs, io, configTargets.length > 0, options);
  const stats = createExtractionStats();
  const listBatches = sources.list.length === 0 ? null : readTargetBatches(sources.list, stats)[Symbol.asyncIterator]();
  // The config's targets, then the lists' first batch (which proves there are URLs) again,
  // then the rest, without another generator layer on the hot path.
  const queue: Target[][] = [];
  if (configTargets.length > 0) queue.push(configTargets);
  else if (listBatches !== null) {
    const first = await listBatches.next().catch((error: unknown) => {
      throw new InputError(inputErrorMessage(error));
    });
    if (first.done === true) {
      const skipped = describeSkipped(stats);
      throw new InputError(`no URLs found in ${sources.names}${skipped === null ? '' : ` (${skipped})`}`);
    }
    queue.push(first.value);
  }
  const targets: AsyncIterable<Target[]> = {
    [Symbol.asyncIterator]: () => ({
      next: () => {
        const queued = queue.shift();
        if (queued !== undefined) return Promise.resolve({ done: false, value: queued });
        return listBatches?.next() ?? Promise.resolve({ done: true as const, value: undefined });
      },
      return: async () => (await listBatches?.return?.(undefined)) ?? { done: true, value: undefined },
    }),
  };

  // Read the previous report before any output is opened: `--diff last.ndjson -o last.ndjson` is safe.
  const diff = options.diff === null ? null : await import('../reports/diff.js').then(async ({ loadPreviousReport, DiffTracker }) => new DiffTracker(await loadPreviousReport(options.diff as string)));

  // Only local lists can be counted ahead; documents and URLs are read once, as they are checked.
  const countable = sources.list.length > 0 && sources.list.every((source) => source.url === undefined && source.name !== 'stdin' && (source.kind ?? 'list') === 'list');
  if (options.dump) return dumpList(options, targets, io, () => describeSkipped(stats));
  // Opened before any output, like --diff: a journal that is not one is refused before anything runs.
  const journal = options.resume === null ? null : await (await import('../reports/resume.js')).openJournal(options.resume);

  const countAhead =
    // Lines left out by --include/--exclude or --shard would make the count a wrong total.
    !countable || options.selection !== null
      ? null
      : async (signal: AbortSignal) => {
          const { countTargets } = await import('../input/count.js');
          const count = await countTargets(sources.list.map((source) => source.name), signal);
          return count === null ? null : count + configTargets.length;
        };
  let lines: LineCounts | null = null;
  const note = () => {
    const parts = [describeSkipped(stats), lines === null ? null : describeLineCounts(lines)].filter((part) => part !== null);
    return parts.length === 0 ? null : parts.join('; ');
  };
  try {
    const code = await runReported(options, io, colorFlag, { usesStdin: sources.usesStdin, countAhead, note }, async (reporter, signal) => {
      const outcome = await runChecks({
        targets,
        options: options.check,
        reporter,
        compare: options.compare ? { sampleSize: options.compareSample ?? DEFAULT_COMPARE_FULL_LIMIT } : null,
        signal,
        diff,
        dedupe: options.dedupe,
        selection: options.selection,
        journal,
      });
      lines = outcome.lines;
      return outcome;
    });
    // The run finished and its reports are written: the journal has served. An interrupted run keeps it.
    if (journal !== null && (code === EXIT.OK || code === EXIT.UNHEALTHY)) await journal.remove();
    return code;
  } finally {
    await journal?.close();
  }
}

/** --dump: the targets a run would check, one per line on stdout (or --output), none checked. */
async function dumpList(options: CliOptions, targets: AsyncIterable<Target[]>, io: CliIo, skipped: () => string | null): Promise<number> {
  const [{ dumpTargets, describeDump }, { TextWriter }] = await Promise.all([import('../pipeline/select.js'), import('../util/text-writer.js')]);
  const output = options.output === null ? null : await openOutput(options.output, 'ndjson', '--output');
  const stop = new AbortController();
  let brokenPipe = false;
  const out = new TextWriter(output?.stream ?? io.stdout, (error) => {
    if ((error as NodeJS.ErrnoException).code === 'EPIPE' && output === null) brokenPipe = true;
    stop.abort(error);
  });
  const onInterrupt = () => stop.abort(io.signal?.reason);
  if (io.signal?.aborted) onInterrupt();
  io.signal?.addEventListener('abort', onInterrupt, { once: true });
  try {
    const format = options.format === 'ndjson' ? 'ndjson' : 'text';
    const dumped = await dumpTargets({ targets, selection: options.selection, dedupe: options.dedupe, format, out, signal: stop.signal });
    if (output !== null) await output.commit(out);
    else await out.flush();
    if (brokenPipe) return EXIT.BROKEN_PIPE;
    if (!options.quiet) {
      const note = skipped();
      io.stderr.write(`urlcheck: ${describeDump(dumped)}${note === null ? '' : `; ${note}`}\n`);
    }
  } finally {
    io.signal?.removeEventListener('abort', onInterrupt);
  }
  const reason: unknown = io.signal?.aborted ? io.signal.reason : null;
  if (reason instanceof Interrupt) return reason.signalName === 'SIGTERM' ? EXIT.SIGTERM : EXIT.SIGINT;
  return EXIT.OK;
}

/** What {@link runReported} needs to know about the run's input. */
interface RunInput {
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
 * combined into one reporter, commits the files, and turns the outcome into the exit code.
 * Shared by checking and by `urlcheck merge`.
 */
async function runReported(
  options: ReportOptions,
  io: CliIo,
  colorFlag: boolean,
  input: RunInput,
  run: (reporter: Reporter, signal: AbortSignal) => Promise<RunOutcome>,
): Promise<number> {
  const [{ Chalk }, { loadReporter }, { combineReporters }, { TextWriter }, progress, stderrSummary] = await Promise.all([
    import('chalk'),
    import('../reporters/load.js'),
    import('../reporters/combine.js'),
    import('../util/text-writer.js'),
    import('../reporters/progress.js'),
    import('../reporters/summary.js'),
  ]);
  const output = options.output === null ? null : await openOutput(options.output, options.format, '--output');
  const extraOutputs: OpenedOutput[] = [];
  const stop = new AbortController();
  const onInterrupt = () => {
    stop.abort(io.signal?.reason);
    if (input.usesStdin) io.stdin.destroy();
  };
  if (io.signal?.aborted) onInterrupt();
  io.signal?.addEventListener('abort', onInterrupt, { once: true });
  let brokenPipe = false;
  const out = new TextWriter(output?.stream ?? io.stdout, (error) => {
    if ((error as NodeJS.ErrnoException).code === 'EPIPE' && output === null) brokenPipe = true;
    stop.abort(error);
  });
  const err = new TextWriter(io.stderr);

  const outLevel = colorLevel(output === null ? io.stdout : {}, io.env, colorFlag);
  const errLevel = colorLevel(io.stderr, io.env, colorFlag);
  const ctx = {
    out,
    err,
    color: new Chalk({ level: outLevel }),
    errColor: new Chalk({ level: errLevel }),
    quiet: options.quiet,
  };
  const list = [(await loadReporter(options.format))(ctx)];
  const extraWriters: Array<{ output: OpenedOutput; writer: InstanceType<typeof TextWriter> }> = [];
  try {
    // Each --report, and the job summary under GitHub Actions: files, so no colour.
    const files = options.reports.map((report) => ({ ...report, flag: '--report', append: false }));
    const stepSummary = io.env['GITHUB_STEP_SUMMARY'];
    if (stepSummary !== undefined && stepSummary !== '') files.push({ format: 'markdown', path: stepSummary, flag: 'GITHUB_STEP_SUMMARY', append: true });
    for (const file of files) {
      const opened = await openOutput(file.path, file.format, file.flag, file.append);
      extraOutputs.push(opened);
      const writer = new TextWriter(opened.stream, (error) => stop.abort(error));
      extraWriters.push({ output: opened, writer });
      const plain = new Chalk({ level: 0 });
      list.push((await loadReporter(file.format))({ out: writer, err, color: plain, errColor: plain, quiet: false }));
    }
  } catch (error) {
    await Promise.all([output, ...extraOutputs].map((opened) => opened?.discard()));
    throw error;
  }
  if (io.env['GITHUB_ACTIONS'] === 'true') {
    const { createGithubAnnotationsReporter } = await import('../reporters/github.js');
    // Annotations link to a file by its path in the repository, not by an absolute path.
    list.push(createGithubAnnotationsReporter(ctx, { workspace: io.env['GITHUB_WORKSPACE'] ?? null }));
  }
  if (options.format !== 'table' && !options.quiet) {
    // When the reader of stdout has gone (`| head`), end quietly: no summary of a cut-short run.
    const summary = stderrSummary.createStderrSummaryReporter(ctx);
    list.push({ onRunEnd: (end) => (brokenPipe ? undefined : summary.onRunEnd?.(end)) });
  }
  if (io.stderr.isTTY === true && !options.quiet) {
    const total = input.countAhead === null ? Promise.resolve(null) : input.countAhead(stop.signal).catch(() => null);
    list.unshift(progress.createProgressReporter(ctx, { total }));
  }

  let outcome;
  try {
    outcome = await run(list.length === 1 ? (list[0] as (typeof list)[number]) : combineReporters(list), stop.signal);
  } catch (error) {
    await Promise.all([output, ...extraOutputs].map((opened) => opened?.discard()));
    if (stop.signal.aborted && brokenPipe) return EXIT.BROKEN_PIPE;
    if (error instanceof UsageError) throw error;
    // An input error already says which input (InputReadError: `cannot read input "x": …`).
    const message = (error as Error).message;
    throw new InputError((error as { code?: unknown }).code === 'INPUT' ? message : `cannot read input: ${message}`);
  } finally {
    io.signal?.removeEventListener('abort', onInterrupt);
  }
  const note = input.note?.() ?? null;
  if (note !== null && !options.quiet && !brokenPipe) err.write(`urlcheck: ${note}\n`);
  if (output !== null) await output.commit(out);
  else await out.flush();
  for (const { output: opened, writer } of extraWriters) await opened.commit(writer);
  await err.flush();

  if (brokenPipe) return EXIT.BROKEN_PIPE;
  const reason: unknown = io.signal?.aborted ? io.signal.reason : null;
  if (reason instanceof Interrupt) return reason.signalName === 'SIGTERM' ? EXIT.SIGTERM : EXIT.SIGINT;
  return failed(options, outcome) ? EXIT.UNHEALTHY : EXIT.OK;
}

/** True when the run ends with something --fail-on names. */
function failed(options: ReportOptions, outcome: RunOutcome): boolean {
  const { verdicts, onNew } = options.failOn;
  // Only a merge gets here interrupted (a run stopped by a signal exits 130/143 before): a report
  // cut short means URLs nobody can vouch for, so it fails unless nothing can fail.
  if (outcome.summary.interrupted && (verdicts.size > 0 || onNew)) return true;
  for (const verdict of verdicts) if (outcome.summary.byVerdict[verdict] > 0) return true;
  return onNew && (outcome.diff?.newlyFailing ?? 0) > 0;
}

/** The proxy from --proxy or the environment; --public-only cannot be kept behind one. */
async function resolveProxy(options: CliOptions, io: CliIo): Promise<ProxySettings | null> {
  const { resolveProxySettings } = await import('../net/proxy.js');
  const proxy = resolveProxySettings(options.proxyFlag, io.env);
  if (proxy !== null && options.check.publicOnly) {
    // The proxy resolves host names and connects, so urlcheck never sees the addresses it must refuse.
    throw new UsageError('--public-only cannot be combined with a proxy (--proxy, HTTP_PROXY or HTTPS_PROXY): the proxy resolves the addresses');
  }
  return proxy;
}

interface OpenedSources {
  list: InputSource[];
  names: string;
  usesStdin: boolean;
}

/**
 * Resolves the inputs (files, globs, URLs of documents and sitemaps, `-`) and checks every file
 * is readable before anything runs, so a typo fails fast with exit 2. With no inputs, stdin is
 * read, unless `haveTargets` (a config file's) already gives some.
 */
async function openSources(inputs: string[], io: CliIo, haveTargets: boolean, options: CliOptions): Promise<OpenedSources> {
  if (inputs.length === 0 && haveTargets) return { list: [], names: 'the config file', usesStdin: false };
  const paths = inputs.length > 0 ? inputs : ['-'];
  if (inputs.length === 0 && io.stdin.isTTY === true) {
    throw new InputError('no input: pass a file of URLs, or pipe them on stdin (see urlcheck --help)');
  }
  const [{ resolveInputs }, { publicOnlyLookup }] = await Promise.all([import('../input/sources.js'), import('../net/address-policy.js')]);
  const check = options.check;
  let list: InputSource[];
  try {
    list = await resolveInputs(paths, {
      cwd: io.cwd ?? process.cwd(),
      timeoutMs: check.timeoutMs,
      base: options.base,
      stdin: io.stdin,
      // Documents fetched from URLs obey the same rules as the checks themselves.
      lookup: check.publicOnly ? publicOnlyLookup(check.lookup) : check.lookup,
      publicOnly: check.publicOnly,
      userAgent: check.userAgent,
      insecure: check.insecure,
      proxy: check.proxy,
    });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new InputError((error as Error).message);
  }
  return {
    list,
    names: paths.map((path) => (path === '-' ? 'stdin' : `"${path}"`)).join(', '),
    usesStdin: paths.includes('-'),
  };
}

/** Formats that are one document (not a line per result): written whole or not at all. */
const WHOLE_DOCUMENT_FORMATS = new Set(['json', 'table', 'junit', 'markdown']);

interface OpenedOutput {
  stream: Writable;
  /** Finishes the file: whole-document formats are renamed into place only now. */
  commit(writer: { end(): Promise<void> }): Promise<void>;
  /** Removes a half-written temporary file after a failure. */
  discard(): Promise<void>;
}

/**
 * Opens --output. Whole-document formats (json, table) are written to a temporary file beside
 * it and renamed into place at the end, so a crash never replaces a good report with half of
 * one; line formats (ndjson, csv) stream straight into the file, one complete line at a time.
 */
async function openOutput(path: string, format: string, flag: string, append = false): Promise<OpenedOutput> {
  // Only a regular file (or a new one) is replaced by rename: renaming over /dev/null, a FIFO
  // or a terminal would replace the device itself, so those are written to directly.
  const existing = await stat(path).catch(() => null);
  const atomic = !append && WHOLE_DOCUMENT_FORMATS.has(format) && (existing === null || existing.isFile());
  const target = atomic ? `${path}.urlcheck-${process.pid}.tmp` : path;
  let handle;
  try {
    handle = await open(target, append ? 'a' : 'w');
  } catch (error) {
    throw new InputError(`cannot write ${flag} "${path}": ${describeFsError(error)}`);
  }
  const stream = handle.createWriteStream();
  return {
    stream,
    commit: async (writer) => {
      await writer.end();
      if (atomic) await rename(target, path);
    },
    discard: async () => {
      stream.destroy();
      if (atomic) await rm(target, { force: true });
    },
  };
}

/**
 * The chalk level for a stream: --no-color and NO_COLOR turn colour off, FORCE_COLOR (0-3)
 * forces it, otherwise colour only on a terminal that is not "dumb".
 */
export function colorLevel(
  stream: { isTTY?: boolean },
  env: Record<string, string | undefined>,
  colorFlag: boolean,
): 0 | 1 | 2 | 3 {
  if (!colorFlag) return 0;
  const force = env['FORCE_COLOR'];
  if (force !== undefined) {
    if (force === '' || force === 'true') return 1;
    if (force === 'false') return 0;
    const level = Number(force);
    return Number.isInteger(level) && level >= 0 ? (Math.min(level, 3) as 0 | 1 | 2 | 3) : 1;
  }
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return 0;
  if (stream.isTTY !== true || env['TERM'] === 'dumb') return 0;
  if (env['COLORTERM'] === 'truecolor' || env['COLORTERM'] === '24bit') return 3;
  if (/-256(color)?$/i.test(env['TERM'] ?? '')) return 2;
  return 1;
}

function usageError(io: CliIo, message: string): number {
  io.stderr.write(`urlcheck: ${message}\n`);
  return EXIT.USAGE;
}

/** How far V8 lets the old generation grow past the live heap between full GCs, in percent. */
const HEAP_GROWING_PERCENT = 50;

/**
 * The process entry point used by bin/urlcheck.js: wires argv, the real streams, the
 * environment and SIGINT/SIGTERM into {@link main} and sets the exit code. A second Ctrl-C
 * exits at once.
 */
export async function runProcess(): Promise<void> {
  // V8 lets the old generation grow to up to 4× the live heap between full collections; a
  // check's garbage is short-lived and a run's live heap small (about 18 MB at any list length),
  // so that headroom is most of the peak RSS. 1.5× keeps memory flat and low (measured at 300k
  // URLs: 165 → 127 MB peak RSS, no slower). Only the CLI sets it: it is process-wide.
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  const controller = new AbortController();
  const onSignal = (name: 'SIGINT' | 'SIGTERM') => {
    if (controller.signal.aborted) process.exit(name === 'SIGTERM' ? EXIT.SIGTERM : EXIT.SIGINT);
    controller.abort(new Interrupt(name));
  };
  const onSigint = () => onSignal('SIGINT');
  const onSigterm = () => onSignal('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  // Reports handle a closed stdout themselves (TextWriter); this covers everything else written
  // there, such as `urlcheck --help | head`, which must end quietly, not with a stack trace.
  let stdoutClosed = false;
  const onStdoutError = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') stdoutClosed = true;
    else process.stderr.write(`urlcheck: cannot write to stdout: ${error.message}\n`);
  };
  process.stdout.on('error', onStdoutError);
  const code = await main(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
  });
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigterm);
  process.exitCode = stdoutClosed && code === EXIT.OK ? EXIT.BROKEN_PIPE : code;
}
