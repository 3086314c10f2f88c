// zod/mini, not zod: the same checks and messages from a tree-shakable API, a fraction of the
// code to load and of the work to build the schema, on the start-up path of every run.
import { z } from 'zod/mini';
import { resolveCheckOptions, type CheckOptions } from '../check/options.js';
import { DEFAULT_CERT_MIN_DAYS, DEFAULT_FAIL_ON, DEFAULT_SLOW_MS } from '../model/defaults.js';
import { UsageError } from '../model/errors.js';
import { parseStatusRanges } from '../model/status-ranges.js';
import { VERDICTS, type Verdict } from '../model/types.js';
import { parseHeader } from '../net/headers.js';
import { parsePattern, parseShard, type TargetSelection } from '../pipeline/select.js';
import { FORMATS, type Format } from '../reporters/registry.js';
import { closestChoice } from '../util/suggest.js';
import { ChoiceError, DURATION, durationMs, oneOf, parsedBy } from './option-parsers.js';

export * from '../model/defaults.js';
export { resolveCheckOptions, type CheckOptions } from '../check/options.js';
export { UsageError } from '../model/errors.js';

/** Everything the command line decides: how to check, and how to report. */
export interface CliOptions {
  check: CheckOptions;
  format: Format;
  /** Where the report goes; null = stdout. */
  output: string | null;
  sequential: boolean;
  /** Run the sequential baseline after the concurrent run and report the speed-up. */
  compare: boolean;
  /** Time the baseline on a random sample of this many targets and extrapolate; null = all (up to {@link DEFAULT_COMPARE_FULL_LIMIT}). */
  compareSample: number | null;
  quiet: boolean;
  /** --ascii (true) or --no-ascii (false); null = ASCII when the locale is not UTF-8 (see `asciiOnly`). */
  ascii: boolean | null;
  /** What makes the exit code 1. */
  failOn: FailPolicy;
  /** Extra reports written to files, besides the main one. */
  reports: ReportTarget[];
  /** A previous JSON/NDJSON report to compare with; null = no diff. */
  diff: string | null;
  /** The --proxy flag's value (the environment is read by the CLI); null = none given. */
  proxyFlag: string | null;
  /** Check each distinct URL once (the default); false with --no-dedupe. */
  dedupe: boolean;
  /** --include, --exclude and --shard; null when none was given. */
  selection: TargetSelection | null;
  /** The --resume journal's path; null = none. */
  resume: string | null;
  /** --dump: list the targets that would be checked instead of checking them. */
  dump: boolean;
  /** Resolve relative links in local documents against this URL; null = check them on disk. */
  base: string | null;
  /** --root-dir as given: root-relative links of local documents resolve against it; null = they are skipped. */
  rootDir: string | null;
}

/** How a run's results are reported and judged: what checking and `urlcheck merge` share. */
export type ReportOptions = Pick<CliOptions, 'format' | 'output' | 'quiet' | 'ascii' | 'failOn' | 'reports'>;

/** What makes the exit code 1: results with these verdicts, and (with --diff) new failures. */
export interface FailPolicy {
  verdicts: ReadonlySet<Verdict>;
  /** Fail when a URL is newly failing since the --diff report. */
  onNew: boolean;
  /** The canonical text, e.g. `broken,transient,blocked`. */
  text: string;
}

/** One `--report format:path`. */
export interface ReportTarget {
  format: Format;
  path: string;
}

/** The words --fail-on takes besides the verdicts. */
const FAIL_ON_WORDS = [...VERDICTS, 'new', 'none'] as const;

/**
 * Parses `--fail-on`: comma-separated verdicts, `new` (regressions since --diff), or `none`.
 * Throws a {@link ChoiceError} (with the nearest word) for a word that is none of them.
 */
export function parseFailOn(text: string): FailPolicy {
  const parts = text
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .filter((part) => part !== '');
  if (parts.length === 0) throw new RangeError(`must list verdicts, comma-separated: ${FAIL_ON_WORDS.join(', ')}`);
  const verdicts = new Set<Verdict>();
  let onNew = false;
  for (const part of parts) {
    if (part === 'new') onNew = true;
    else if (part === 'none') continue;
    else if ((VERDICTS as readonly string[]).includes(part)) verdicts.add(part as Verdict);
    else {
      throw new ChoiceError(
        `unknown verdict "${part.slice(0, 40)}"; choose from ${FAIL_ON_WORDS.join(', ')}`,
        closestChoice(part, FAIL_ON_WORDS),
      );
    }
  }
  return { verdicts, onNew, text: parts.join(',') };
}

/**
 * Parses one `--report format:path`. Throws a {@link ChoiceError} (with the nearest format) for
 * an unknown format, a RangeError for text that is not format:path.
 */
export function parseReportTarget(text: string): ReportTarget {
  const colon = text.indexOf(':');
  const format = (colon < 0 ? '' : text.slice(0, colon)).trim().toLowerCase();
  const path = colon < 0 ? '' : text.slice(colon + 1);
  const shape = `must be format:path with a format of ${FORMATS.join(', ')}, e.g. junit:results.xml`;
  if (colon < 0 || path === '') throw new RangeError(shape);
  if (!(FORMATS as readonly string[]).includes(format)) throw new ChoiceError(shape, closestChoice(format, FORMATS));
  return { format: format as Format, path };
}

/** The flag each option key came from, for error messages. */
const FLAG_NAMES: Record<string, string> = {
  concurrency: '--concurrency',
  perHost: '--per-host',
  timeout: '--timeout',
  connectTimeout: '--connect-timeout',
  retries: '--retries',
  method: '--method',
  accept: '--accept',
  maxRedirects: '--max-redirects',
  header: '--header',
  userAgent: '--user-agent',
  format: '--format',
  output: '--output',
  compareSample: '--compare-sample',
  slow: '--slow',
  certMinDays: '--cert-min-days',
  failOn: '--fail-on',
  report: '--report',
  diff: '--diff',
  proxy: '--proxy',
  include: '--include',
  exclude: '--exclude',
  shard: '--shard',
  resume: '--resume',
  base: '--base',
  rootDir: '--root-dir',
};

/** Flags whose values may be secrets and are never echoed in an error. */
const SECRET_FLAGS = new Set(['header', 'proxy']);

const wholeNumber = (min: number, max: number) =>
  z.pipe(
    z.pipe(z.string().check(z.trim(), z.regex(/^\d+$/, { error: `must be a whole number from ${min} to ${max}` })), z.transform(Number)),
    z.number().check(z.minimum(min, { error: `must be at least ${min}` }), z.maximum(max, { error: `must be at most ${max}` })),
  );

/** What a duration flag accepts, for its messages. */
const DURATION_TEXT = 'a duration such as 500 (milliseconds), 500ms, 2s or 1m';

const duration = (min: number, max: number) =>
  z.pipe(
    z.pipe(
      z.string().check(z.trim(), z.toLowerCase(), z.regex(DURATION, { error: `must be ${DURATION_TEXT}` })),
      z.transform((text: string) => Math.round(durationMs(text))),
    ),
    z.number().check(z.minimum(min, { error: `must be at least ${min} ms` }), z.maximum(max, { error: `must be at most ${max} ms` })),
  );

const DAY_MS = 24 * 60 * 60 * 1000;

/** A duration as {@link duration} reads it, or the word `off`. */
const durationOrOff = (min: number, max: number) => {
  const inner = duration(min, max);
  return z.pipe(
    z.string(),
    z.transform((text: string, ctx): number | 'off' => {
      if (text.trim().toLowerCase() === 'off') return 'off';
      const parsed = inner.safeParse(text);
      if (parsed.success) return parsed.data;
      for (const issue of parsed.error.issues) {
        const message = issue.message === `must be ${DURATION_TEXT}` ? `must be ${DURATION_TEXT}, or off` : issue.message;
        ctx.issues.push({ code: 'custom', message, input: text });
      }
      return z.NEVER;
    }),
  );
};

/** The command line's raw option values (strings, as commander collects them). */
export const cliOptionsSchema = z.object({
  concurrency: wholeNumber(1, 10_000),
  perHost: z.optional(wholeNumber(1, 10_000)),
  timeout: duration(1, DAY_MS),
  connectTimeout: z.optional(duration(1, DAY_MS)),
  retries: wholeNumber(0, 20),
  method: oneOf(['head', 'get'], 'head or get'),
  accept: parsedBy(parseStatusRanges),
  maxRedirects: wholeNumber(0, 100),
  header: z._default(z.array(parsedBy(parseHeader)), []),
  userAgent: z.string().check(z.minLength(1, { error: 'must not be empty' })),
  insecure: z._default(z.boolean(), false),
  publicOnly: z._default(z.boolean(), false),
  format: oneOf(FORMATS, `one of ${FORMATS.join(', ')}`),
  output: z.optional(z.string().check(z.minLength(1, { error: 'must be a file path' }))),
  sequential: z._default(z.boolean(), false),
  compare: z._default(z.boolean(), false),
  compareSample: z.optional(wholeNumber(1, 1_000_000)),
  quiet: z._default(z.boolean(), false),
  slow: z.prefault(durationOrOff(1, DAY_MS), String(DEFAULT_SLOW_MS)),
  certMinDays: z.prefault(wholeNumber(0, 3650), String(DEFAULT_CERT_MIN_DAYS)),
  failOn: z.prefault(parsedBy(parseFailOn), DEFAULT_FAIL_ON),
  report: z._default(z.array(parsedBy(parseReportTarget)), []),
  diff: z.optional(z.string().check(z.minLength(1, { error: 'must be a file path' }))),
  // An empty --proxy "" turns proxies from the environment off.
  proxy: z.optional(z.string()),
  include: z._default(z.array(parsedBy(parsePattern)), []),
  exclude: z._default(z.array(parsedBy(parsePattern)), []),
  shard: z.optional(parsedBy(parseShard)),
  dedupe: z._default(z.boolean(), true),
  resume: z.optional(z.string().check(z.minLength(1, { error: 'must be a file path' }))),
  dump: z._default(z.boolean(), false),
  base: z.optional(z.string().check(z.minLength(1, { error: 'must be an http(s) URL' }))),
  rootDir: z.optional(z.string().check(z.minLength(1, { error: 'must be a folder path' }))),
  checkFragments: z._default(z.boolean(), false),
  // --ascii / --no-ascii; absent: the locale decides (see `asciiOnly`).
  ascii: z.optional(z.boolean()),
});

/** The options `urlcheck merge` takes: how to report and judge, nothing about checking. */
const reportOptionsSchema = z.pick(cliOptionsSchema, { format: true, output: true, report: true, failOn: true, diff: true, quiet: true, ascii: true });

/** Validates `urlcheck merge`'s raw option values; throws a {@link UsageError} like {@link resolveCliOptions}. */
export function resolveReportOptions(raw: Record<string, unknown>): ReportOptions & { diff: string | null } {
  const parsed = reportOptionsSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(describeIssue(parsed.error.issues[0], raw));
  const o = parsed.data;
  if (o.failOn.onNew && o.diff === undefined) {
    throw new UsageError('--fail-on new needs --diff <previous report>: new failures are counted against it');
  }
  return { format: o.format, output: o.output ?? null, reports: o.report, failOn: o.failOn, quiet: o.quiet, ascii: o.ascii ?? null, diff: o.diff ?? null };
}

/**
 * Validates the command line's raw option values and resolves them into {@link CliOptions}.
 * Throws a {@link UsageError} with one line such as `--concurrency: must be at least 1 (got "0")`.
 */
export function resolveCliOptions(raw: Record<string, unknown>): CliOptions {
  const parsed = cliOptionsSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(describeIssue(parsed.error.issues[0], raw));
  const o = parsed.data;
  if (o.sequential && (o.compare || o.compareSample !== undefined)) {
    throw new UsageError('--sequential cannot be combined with --compare (which runs the sequential baseline itself)');
  }
  if (o.failOn.onNew && o.diff === undefined) {
    throw new UsageError('--fail-on new needs --diff <previous report>: new failures are counted against it');
  }
  if (o.dump && o.resume !== undefined) {
    throw new UsageError('--dump cannot be combined with --resume: a dump checks nothing, so there is nothing to resume');
  }
  return {
    check: resolveCheckOptions({
      concurrency: o.sequential ? 1 : o.concurrency,
      perHost: o.perHost ?? null,
      timeoutMs: o.timeout,
      connectTimeoutMs: o.connectTimeout ?? null,
      retries: o.retries,
      method: o.method,
      accept: o.accept,
      maxRedirects: o.maxRedirects,
      headers: o.header,
      userAgent: o.userAgent,
      insecure: o.insecure,
      publicOnly: o.publicOnly,
      slowMs: o.slow === 'off' ? null : o.slow,
      certMinDays: o.certMinDays,
      checkFragments: o.checkFragments,
      // Resolved against the run's working directory, which is also the default (see inputs.ts).
      rootDir: o.rootDir ?? null,
    }),
    format: o.format,
    output: o.output ?? null,
    sequential: o.sequential,
    compare: o.compare || o.compareSample !== undefined,
    compareSample: o.compareSample ?? null,
    quiet: o.quiet,
    ascii: o.ascii ?? null,
    failOn: o.failOn,
    reports: o.report,
    diff: o.diff ?? null,
    proxyFlag: o.proxy ?? null,
    dedupe: o.dedupe,
    selection:
      o.include.length > 0 || o.exclude.length > 0 || o.shard !== undefined
        ? { include: o.include, exclude: o.exclude, shard: o.shard ?? null }
        : null,
    resume: o.resume ?? null,
    dump: o.dump,
    base: o.base ?? null,
    rootDir: o.rootDir ?? null,
  };
}

/**
 * One line for the first problem: `--flag: what it must be (got "value"); did you mean x?`. The
 * value is left out when it may be a secret or when the message already says what it got.
 */
function describeIssue(issue: z.core.$ZodIssue | undefined, raw: Record<string, unknown>): string {
  if (issue === undefined) return 'invalid options';
  const key = String(issue.path[0] ?? '');
  const flag = FLAG_NAMES[key] ?? `--${key}`;
  let value = raw[key];
  if (Array.isArray(value) && typeof issue.path[1] === 'number') value = value[issue.path[1]];
  // zod's own wording ("Invalid input: expected string") would not say what the flag accepts.
  const message = /^invalid\b/i.test(issue.message) ? 'is not a value it accepts (see urlcheck --help)' : issue.message;
  const text = value === undefined ? null : String(value);
  const said = message.includes(`"${text}"`) || /\bgot\b/.test(message);
  const shown = text === null || SECRET_FLAGS.has(key) || said ? '' : ` (got "${text.slice(0, 80)}")`;
  const suggestion = issue.code === 'custom' ? (issue.params as { suggestion?: unknown } | undefined)?.suggestion : undefined;
  return `${flag}: ${message}${shown}${typeof suggestion === 'string' ? `; did you mean ${suggestion}?` : ''}`;
}
