// The command lines: urlcheck's and `urlcheck merge`'s, with their help. On the start-up path
// of every run and of --help, so it loads commander and the defaults, never zod or a reporter.
import { Command, CommanderError, Help, Option } from 'commander';
import {
  DEFAULT_ACCEPT,
  DEFAULT_CERT_MIN_DAYS,
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

/** The widest --help is drawn, in columns: wider lines are hard to read, narrower terminals get narrower help. */
const HELP_MAX_COLUMNS = 80;

// Written by hand to fit HELP_MAX_COLUMNS (a test checks every line of --help).
const EXAMPLES = `
Examples:
  $ urlcheck urls.txt                        a table: what needs attention
  $ cat urls.txt | urlcheck                  read URLs from stdin
  $ urlcheck urls.txt -f json -o out.json    a JSON report; summary on stderr
  $ urlcheck urls.txt -f ndjson | jq .       one JSON object per result
  $ urlcheck urls.txt -c 100 --per-host 4    100 at once, at most 4 per host
  $ urlcheck urls.txt --compare              also time the sequential baseline
  $ urlcheck urls.txt --report junit:results.xml     and a JUnit file for CI
  $ urlcheck urls.txt --diff last.json --fail-on new -q    cron: what changed
  $ urlcheck urls.txt -H "Authorization: Bearer $TOKEN" --accept 200-299,401
  $ urlcheck --config probes.yaml            targets with expectations
  $ urlcheck README.md 'docs/**/*.md'        the links in documents
  $ urlcheck https://example.com/sitemap.xml every URL of a sitemap
  $ urlcheck merge shard-*.ndjson -f json    combine the reports of shards

Verdicts: healthy, warning, broken, transient, blocked (see --fail-on).
Exit codes: 0 nothing in --fail-on, 1 something in --fail-on, 2 usage or
  input error, 3 a report could not be written, 130 interrupted (SIGINT),
  143 terminated (SIGTERM), 141 stdout closed.`;

const MERGE_EXAMPLES = `
Examples:
  $ urlcheck merge shard-*.ndjson                       one table for all
  $ urlcheck merge shard-*.ndjson -f json -o all.json   one JSON report
  $ urlcheck merge a.json b.ndjson --report junit:all.xml --fail-on broken`;

/**
 * The headings of --help's option groups, in the order they are shown. Every option is in one
 * (a test checks): a new option must choose where it belongs.
 */
export const HELP_GROUPS = {
  input: 'Input:',
  requests: 'Requests:',
  verdicts: 'Verdicts:',
  output: 'Output:',
  ci: 'CI and cron:',
  scaleOut: 'Scale-out:',
  speed: 'Measuring the speed-up:',
  other: 'Other:',
} as const;

/** Commander's parser for a repeatable flag: every value, in order. */
const collect = (value: string, previous: string[] = []) => [...previous, value];

/** An option whose default --help shows as a plain value (commander would quote a string). */
function option(flags: string, description: string, fallback?: string | number): Option {
  const built = new Option(flags, description);
  return fallback === undefined ? built : built.default(String(fallback), String(fallback));
}

/**
 * `-f, --format`: one of the reporter registry's formats. Checked by options.ts, not by
 * commander's choices, so a typo gets a "did you mean" and a config file's value the same check.
 */
const formatOption = () => option('-f, --format <format>', `${FORMATS.slice(0, -1).join(', ')} or ${FORMATS.at(-1)}`, DEFAULT_FORMAT);

/** --no-color, --ascii and --no-ascii: how the terminal output is drawn. */
function addDrawingOptions(program: Command): Command {
  return program
    .option('--no-color', 'no colours (also NO_COLOR=1; FORCE_COLOR=1 forces)')
    .option('--ascii', 'ASCII only (default: when the locale is not UTF-8)')
    .option('--no-ascii', 'Unicode even when the locale is not UTF-8');
}

// Descriptions are kept to one line at 80 columns where they can be; the README says the rest.

/** The command line of a run: `urlcheck [options] [inputs...]`. */
export function buildRunProgram(io: CliIo): Command {
  const program = new Command('urlcheck')
    .description('Check lists of URLs, fast: which are healthy and which are not.')
    .argument('[inputs...]', 'URL lists (one URL per line), Markdown, HTML or sitemap files or URLs, globs; "-" is stdin (the default when piped)')
    .optionsGroup(HELP_GROUPS.input)
    .option('--config <file>', 'defaults and targets (default: ./urlcheck.config.*)')
    .option('--no-config', 'do not read ./urlcheck.config.*')
    .option('--base <url>', 'resolve relative links in local files against it')
    .option('--root-dir <dir>', 'the folder local links may not leave (default: .)')
    .option('--include <regex>', 'check only URLs matching this RE2 regex; repeatable', collect)
    .option('--exclude <regex>', 'skip URLs matching this RE2 regex; repeatable', collect)
    .option('--no-dedupe', 'check every line, even when its URL repeats')
    .option('--dump', 'list the URLs that would be checked, and exit')
    .optionsGroup(HELP_GROUPS.requests)
    .addOption(option('-c, --concurrency <n>', 'requests in flight at once', DEFAULT_CONCURRENCY))
    .option('--per-host <n>', 'in flight per host:port (default: only -c)')
    .addOption(option('-t, --timeout <ms>', 'deadline per attempt, ms or 5s/1m', DEFAULT_TIMEOUT_MS))
    .option('--connect-timeout <ms>', 'deadline to connect (default: the --timeout)')
    .addOption(option('-r, --retries <n>', 'retries for transient failures', DEFAULT_RETRIES))
    .addOption(option('-m, --method <method>', 'head or get; HEAD falls back to GET', DEFAULT_METHOD))
    .addOption(option('--max-redirects <n>', 'redirects to follow, 0 for none', DEFAULT_MAX_REDIRECTS))
    .option('-H, --header <name:value>', 'extra request header, repeatable; never printed', collect)
    .addOption(option('--user-agent <text>', 'the User-Agent header', DEFAULT_USER_AGENT))
    .option('--proxy <url>', 'proxy URL, "" for none (default: HTTP(S)_PROXY)')
    .option('--insecure', 'accept invalid TLS certificates')
    .option('--public-only', 'refuse loopback, private and link-local addresses')
    .optionsGroup(HELP_GROUPS.verdicts)
    .addOption(option('--accept <ranges>', 'healthy final statuses', DEFAULT_ACCEPT))
    .addOption(option('--slow <ms>', 'warn (SLOW) when slower; or off', DEFAULT_SLOW_MS))
    .addOption(option('--cert-min-days <n>', 'warn on certificates expiring sooner', DEFAULT_CERT_MIN_DAYS))
    .option('--check-fragments', 'also check #fragments of http(s) links (a GET each)')
    .optionsGroup(HELP_GROUPS.output)
    .addOption(formatOption())
    .option('-o, --output <file>', 'write the report to this file; summary on stderr')
    .option('--report <format:path>', 'another report, e.g. junit:out.xml; repeatable', collect);
  addDrawingOptions(program)
    .optionsGroup(HELP_GROUPS.ci)
    .addOption(option('--fail-on <verdicts>', 'verdicts that make the exit code 1, or new, none', DEFAULT_FAIL_ON))
    .option('--diff <report>', 'compare with a previous JSON/NDJSON report')
    .option('-q, --quiet', 'no progress; only what needs attention or changed')
    .optionsGroup(HELP_GROUPS.scaleOut)
    .option('--shard <i/n>', 'check only shard i of n, split by host (e.g. 2/4)')
    .option('--resume <journal>', 'continue an interrupted run from this journal')
    .optionsGroup(HELP_GROUPS.speed)
    .option('--sequential', 'one URL at a time (the baseline)')
    .option('--compare', 'also time the sequential baseline: the speed-up')
    .option('--compare-sample <n>', 'time the baseline on n random URLs, extrapolated')
    .optionsGroup(HELP_GROUPS.other)
    .version(VERSION, '-V, --version', 'print the version');
  return withCliBehaviour(program, io, EXAMPLES, [MERGE_COMMAND]);
}

/** `urlcheck merge`, as --help lists it among the commands (main.ts runs it; commander does not). */
const MERGE_COMMAND = new Command('merge')
  .argument('<reports...>')
  .description('combine JSON/NDJSON reports into one (merge --help)');

/** The command line of `urlcheck merge <reports...>`. */
export function buildMergeProgram(io: CliIo): Command {
  const program = new Command('urlcheck merge')
    .description('Combine JSON/NDJSON reports (e.g. one per --shard) into one report, with the summary and exit code of all of them.')
    .argument('<reports...>', 'reports written with -f json or -f ndjson')
    .optionsGroup(HELP_GROUPS.output)
    .addOption(formatOption())
    .option('-o, --output <file>', 'write the report to this file; summary on stderr')
    .option('--report <format:path>', 'another report, e.g. junit:out.xml; repeatable', collect);
  addDrawingOptions(program)
    .optionsGroup(HELP_GROUPS.ci)
    .addOption(option('--fail-on <verdicts>', 'verdicts that make the exit code 1, or new, none', DEFAULT_FAIL_ON))
    .option('--diff <report>', 'compare with a previous JSON/NDJSON report')
    .option('-q, --quiet', 'only what needs attention or changed');
  return withCliBehaviour(program, io, MERGE_EXAMPLES, []);
}

/**
 * Wraps `text` at spaces to lines of at most `width` columns, as commander does, except that a
 * "(default: …)" phrase is never split: "(default:" / "10)" on two lines reads badly.
 */
export function wrapHelpText(text: string, width: number): string {
  return text
    .split(/\r?\n/)
    .map((line) => {
      const chunks = line.match(/\s*(?:\(default: [^)]*\)\S*|\S+)/g);
      if (chunks === null) return '';
      const lines: string[] = [];
      let current = chunks[0]?.trimStart() ?? '';
      for (const chunk of chunks.slice(1)) {
        if (current.length + chunk.length <= width) current += chunk;
        else {
          lines.push(current);
          current = chunk.trimStart();
        }
      }
      lines.push(current);
      return lines.join('\n');
    })
    .join('\n');
}

/**
 * What both commands share: help (grouped, at most {@link HELP_MAX_COLUMNS} wide, `commands`
 * listed in the usage and under "Commands:") and examples, suggestions for typos, and errors
 * handed back to {@link runProgram} instead of commander printing them and exiting the process.
 */
function withCliBehaviour(program: Command, io: CliIo, examples: string, commands: readonly Command[]): Command {
  const helpWidth = () => Math.min(HELP_MAX_COLUMNS, io.stdout.isTTY === true && (io.stdout.columns ?? 0) > 0 ? (io.stdout.columns as number) : HELP_MAX_COLUMNS);
  return program
    .optionsGroup(HELP_GROUPS.other)
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', examples)
    .configureHelp({
      // Below commander's 40, so a 60-column terminal still gets wrapped descriptions.
      minWidthToWrap: 24,
      boxWrap: (text, width) => wrapHelpText(text, width),
      commandUsage(cmd) {
        const own = Help.prototype.commandUsage.call(this, cmd);
        const others = commands.map((sub) => `\n       ${cmd.name()} ${sub.name()} [options] ${sub.registeredArguments.map((argument) => `<${argument.name()}...>`).join(' ')}`);
        return own + others.join('');
      },
      visibleCommands: () => [...commands],
    })
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: () => {},
      getOutHelpWidth: helpWidth,
      getErrHelpWidth: helpWidth,
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
    return usageError(io, `${commanderMessage(error)} (see ${helpCommand})`);
  }
  try {
    return await command(program.opts<Record<string, unknown>>(), program.args);
  } catch (error) {
    // Interrupted before the run began (while an input was still opening): 130/143, not an error.
    return interruptedExit(io) ?? exitOnError(io, error);
  }
}

/**
 * Commander's error as one line: "unknown option '--concurency'; did you mean --concurrency?"
 * (commander puts the suggestion on a line of its own).
 */
function commanderMessage(error: CommanderError): string {
  return error.message
    .replace(/^error: /, '')
    .replace(/\s*\(Did you mean (.+?)\?\)\s*$/s, '; did you mean $1?')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The command line's values, with the config file's in place of every flag not given on it. */
export function withConfigDefaults(program: Command, raw: Record<string, unknown>, fromConfig: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...raw };
  for (const [key, value] of Object.entries(fromConfig)) {
    if (program.getOptionValueSource(key) !== 'cli') merged[key] = value;
  }
  return merged;
}
