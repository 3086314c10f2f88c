// The command lines: urlcheck's and `urlcheck merge`'s, with their help. On the start-up path
// of every run and of --help, so it loads commander and the defaults, never zod or a reporter.
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
} from '../model/defaults.js';
import { VERSION } from '../model/version.js';
import { FORMATS } from '../reporters/registry.js';
import { EXIT, exitOnError, interruptedExit, usageError, type CliIo } from './io.js';

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
            3 a report could not be written, 130 interrupted (SIGINT),
            143 terminated (SIGTERM), 141 stdout closed.`;

const MERGE_EXAMPLES = `
Examples:
  $ urlcheck merge shard-*.ndjson                         one table for every shard
  $ urlcheck merge shard-*.ndjson -f json -o all.json     one JSON report
  $ urlcheck merge a.json b.ndjson --report junit:all.xml --fail-on broken`;

/** Commander's parser for a repeatable flag: every value, in order. */
const collect = (value: string, previous: string[] = []) => [...previous, value];

/** An option whose default --help shows as a plain value (commander would quote a string). */
function option(flags: string, description: string, fallback?: string | number): Option {
  const built = new Option(flags, description);
  return fallback === undefined ? built : built.default(String(fallback), String(fallback));
}

/** `-f, --format`: one of the reporter registry's formats. */
const formatOption = () => new Option('-f, --format <format>', 'report format').choices(FORMATS).default(DEFAULT_FORMAT, DEFAULT_FORMAT);

/** The command line of a run: `urlcheck [options] [inputs...]`. */
export function buildRunProgram(io: CliIo): Command {
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
    .addOption(formatOption())
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--report <format:path>', `also write a report to a file, repeatable (formats: ${FORMATS.join(', ')})`, collect)
    .addOption(option('--fail-on <verdicts>', 'verdicts that make the exit code 1: healthy, warning, broken, transient, blocked, new (with --diff), none', DEFAULT_FAIL_ON))
    .addOption(option('--slow <ms>', 'flag checks slower than this with a SLOW warning (ms, or 5s; "off")', DEFAULT_SLOW_MS))
    .addOption(option('--cert-min-days <n>', 'flag TLS certificates expiring in fewer days with a warning', DEFAULT_CERT_MIN_DAYS))
    .option('--diff <report>', 'compare with a previous JSON or NDJSON report: newly failing, recovered, still failing')
    .option('--config <file>', 'read defaults and targets from this file (default: ./urlcheck.config.{json,yaml,yml})')
    .option('--no-config', 'do not read a urlcheck.config file from the working directory')
    .option('--proxy <url>', 'send requests through this proxy (default: HTTPS_PROXY / HTTP_PROXY, honouring NO_PROXY)')
    .option('--base <url>', 'resolve relative links in local Markdown/HTML files against this URL (instead of checking them on disk)')
    .option('--root-dir <dir>', 'check root-relative /links of local Markdown/HTML files on disk under this folder; local links may not leave it (default: the working directory)')
    .option('--check-fragments', 'also check the #fragment of http(s) links against the page\'s ids (one GET per page); local #fragments are always checked')
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

/** The command line of `urlcheck merge <reports...>`. */
export function buildMergeProgram(io: CliIo): Command {
  const program = new Command('urlcheck merge')
    .description('Combine JSON/NDJSON reports (e.g. one per --shard) into one report, with the summary and exit code of all of them.')
    .argument('<reports...>', 'reports written with -f json or -f ndjson')
    .addOption(formatOption())
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--report <format:path>', 'also write a report to a file, repeatable', collect)
    .addOption(new Option('--fail-on <verdicts>', 'verdicts that make the exit code 1 (see urlcheck --help)').default(DEFAULT_FAIL_ON, DEFAULT_FAIL_ON))
    .option('--diff <report>', 'compare with a previous JSON or NDJSON report')
    .option('-q, --quiet', 'print only what needs attention; nothing otherwise')
    .option('--no-color', 'no colours');
  return withCliBehaviour(program, io, MERGE_EXAMPLES);
}

/**
 * What both commands share: help and examples, suggestions for typos, and errors handed back
 * to {@link runProgram} instead of commander printing them and exiting the process.
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
 * Parses `args` into `program`, then runs `command` with the option values and operands and
 * resolves to its exit code. --help and --version exit 0; a usage error, or an error from
 * `command`, is one line on stderr (see `exitOnError`).
 */
export async function runProgram(
  program: Command,
  args: readonly string[],
  io: CliIo,
  helpCommand: string,
  command: (raw: Record<string, unknown>, operands: string[]) => Promise<number>,
): Promise<number> {
  try {
    program.parse([...args], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.OK;
    return usageError(io, `${error.message.replace(/^error: /, '').trim()} (see ${helpCommand})`);
  }
  try {
    return await command(program.opts<Record<string, unknown>>(), program.args);
  } catch (error) {
    // Interrupted before the run began (while an input was still opening): 130/143, not an error.
    return interruptedExit(io) ?? exitOnError(io, error);
  }
}

/** The command line's values, with the config file's in place of every flag not given on it. */
export function withConfigDefaults(program: Command, raw: Record<string, unknown>, fromConfig: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...raw };
  for (const [key, value] of Object.entries(fromConfig)) {
    if (program.getOptionValueSource(key) !== 'cli') merged[key] = value;
  }
  return merged;
}
