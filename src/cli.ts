import { constants as fsConstants } from 'node:fs';
import { access, open, rename, rm, stat } from 'node:fs/promises';
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
} from './defaults.js';
import { UsageError } from './errors.js';
import type { ProxySettings } from './check/proxy.js';
import type { LoadedConfig } from './config.js';
import type { CliOptions, ReportOptions } from './options.js';
import type { Reporter } from './reporters/types.js';
import type { RunOutcome } from './run.js';
import type { Target } from './types.js';
import { VERSION } from './version.js';

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

Input: one URL per line; blank lines and lines starting with # are skipped. A
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
  return new Command('urlcheck')
    .description('Check lists of URLs, fast: which are healthy and which are not.')
    .argument('[inputs...]', 'files with one URL per line; "-" reads stdin (the default when stdin is piped)')
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
    .option('--sequential', 'check one URL at a time (the baseline; same code path, concurrency 1)')
    .option('--compare', `after the run, time the sequential baseline on the same URLs (a random sample of ${DEFAULT_COMPARE_FULL_LIMIT} for longer lists)`)
    .option('--compare-sample <n>', 'time the baseline on a random sample of n URLs and extrapolate (implies --compare)')
    .option('-q, --quiet', 'no progress; print only what needs attention (warnings included), with --diff only what changed; nothing otherwise')
    .option('--no-color', 'no colours (also: NO_COLOR=1; FORCE_COLOR=1 forces them)')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', EXAMPLES)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: () => {},
    });
}

/**
 * Runs the command line against `io` and resolves to the exit code. Never throws and never
 * exits the process: usage and input errors become one line on stderr and exit code 2.
 */
export async function main(args: readonly string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    program.parse([...args], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.OK;
      return usageError(io, `${error.message.replace(/^error: /, '').trim()} (see urlcheck --help)`);
    }
    throw error;
  }
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
  const [{ readTargetBatches }, { runChecks }] = await Promise.all([import('./input/targets.js'), import('./run.js')]);

  const proxy = await resolveProxy(options, io);
  if (proxy !== null) options.check.proxy = proxy;
  const configTargets = config === null ? [] : (await import('./config.js')).configTargetsToTargets(config);
  // A config file with targets is an input of its own: stdin is read only when asked for with "-".
  const sources = await openSources(inputs, io, configTargets.length > 0);
  const listBatches = sources.list.length === 0 ? null : readTargetBatches(sources.list)[Symbol.asyncIterator]();
  // The config's targets, then the lists' first batch (which proves there are URLs) again,
  // then the rest, without another generator layer on the hot path.
  const queue: Target[][] = [];
  if (configTargets.length > 0) queue.push(configTargets);
  else if (listBatches !== null) {
    const first = await listBatches.next().catch((error: unknown) => {
      throw new InputError(`cannot read input: ${(error as Error).message}`);
    });
    if (first.done === true) throw new InputError(`no URLs found in ${sources.names}`);
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
  const diff = options.diff === null ? null : await import('./diff.js').then(async ({ loadPreviousReport, DiffTracker }) => new DiffTracker(await loadPreviousReport(options.diff as string)));

  const countAhead =
    sources.usesStdin || sources.list.length === 0
      ? null
      : async (signal: AbortSignal) => {
          const { countTargets } = await import('./input/count.js');
          const count = await countTargets(sources.list.map((source) => source.name), signal);
          return count === null ? null : count + configTargets.length;
        };
  return runReported(options, io, colorFlag, { usesStdin: sources.usesStdin, countAhead }, (reporter, signal) =>
    runChecks({
      targets,
      options: options.check,
      reporter,
      compare: options.compare ? { sampleSize: options.compareSample ?? DEFAULT_COMPARE_FULL_LIMIT } : null,
      signal,
      diff,
    }),
  );
}

/** What {@link runReported} needs to know about the run's input. */
interface RunInput {
  /** stdin is an input: an interrupt must stop reading it. */
  usesStdin: boolean;
  /** Counts the targets ahead (for the progress bar's total), or null when they cannot be counted. */
  countAhead: ((signal: AbortSignal) => Promise<number | null>) | null;
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
    import('./reporters/load.js'),
    import('./reporters/combine.js'),
    import('./output.js'),
    import('./reporters/progress.js'),
    import('./reporters/summary.js'),
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
    const { createGithubAnnotationsReporter } = await import('./reporters/github.js');
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
    throw new InputError(`cannot read input: ${(error as Error).message}`);
  } finally {
    io.signal?.removeEventListener('abort', onInterrupt);
  }
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
  for (const verdict of verdicts) if (outcome.summary.byVerdict[verdict] > 0) return true;
  return onNew && (outcome.diff?.newlyFailing ?? 0) > 0;
}

/** The proxy from --proxy or the environment; --public-only cannot be kept behind one. */
async function resolveProxy(options: CliOptions, io: CliIo): Promise<ProxySettings | null> {
  const { resolveProxySettings } = await import('./check/proxy.js');
  const proxy = resolveProxySettings(options.proxyFlag, io.env);
  if (proxy !== null && options.check.publicOnly) {
    // The proxy resolves host names and connects, so urlcheck never sees the addresses it must refuse.
    throw new UsageError('--public-only cannot be combined with a proxy (--proxy, HTTP_PROXY or HTTPS_PROXY): the proxy resolves the addresses');
  }
  return proxy;
}

interface OpenedSources {
  list: Array<{ name: string; open(): AsyncIterable<Buffer | string> }>;
  names: string;
  usesStdin: boolean;
}

/**
 * Checks every input is a readable file before anything runs, so a typo fails fast with exit 2.
 * With no inputs, stdin is read, unless `haveTargets` (a config file's) already gives some.
 */
async function openSources(inputs: string[], io: CliIo, haveTargets: boolean): Promise<OpenedSources> {
  const { createReadStream } = await import('node:fs');
  if (inputs.length === 0 && haveTargets) return { list: [], names: 'the config file', usesStdin: false };
  const paths = inputs.length > 0 ? inputs : ['-'];
  if (inputs.length === 0 && io.stdin.isTTY === true) {
    throw new InputError('no input: pass a file of URLs, or pipe them on stdin (see urlcheck --help)');
  }
  const list: OpenedSources['list'] = [];
  for (const path of paths) {
    if (path === '-') {
      list.push({ name: 'stdin', open: () => io.stdin });
      continue;
    }
    try {
      const info = await stat(path);
      if (info.isDirectory()) throw new InputError(`cannot read input "${path}": it is a directory`);
      await access(path, fsConstants.R_OK);
    } catch (error) {
      if (error instanceof InputError) throw error;
      throw new InputError(`cannot read input "${path}": ${describeFsError(error)}`);
    }
    list.push({ name: path, open: () => createReadStream(path) });
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

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return (error as Error).message;
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
  const code = await main(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signal: controller.signal,
  });
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigterm);
  process.exitCode = code;
}
