import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod/mini';
import { parseJsonPath } from '../check/expect.js';
import { UsageError } from '../model/errors.js';
import { parseTarget } from '../input/targets.js';
import { compilePattern, type LinearPattern } from '../util/pattern.js';
import { printable, redactText } from '../util/redact.js';
import { parseStatusRanges } from '../model/status-ranges.js';
import type { Expectations, HeaderExpectation, JsonExpectation, Target, TextPattern } from '../model/types.js';
import { HEADER_NAME } from '../net/headers.js';
import { durationMs, parsedBy } from './option-parsers.js';

export { CONFIG_FILE_NAMES, findConfig } from './config-find.js';

/**
 * Largest config file read, in bytes (4 MiB). A config is parsed whole (its line numbers need the
 * whole document), so it is meant for options and health-probe targets; long URL lists belong in
 * text files, which are streamed.
 */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** Most problems listed in one config error; the rest are counted. */
const MAX_LISTED_PROBLEMS = 20;

/** A validated config file. */
export interface LoadedConfig {
  /** The file, as given to {@link loadConfig}; also the `source` of its targets. */
  path: string;
  /**
   * Flag defaults, keyed and typed as commander's `program.opts()` gives them: camelCase keys,
   * strings for valued flags (numbers and durations turned into strings: 5000 → "5000", "5s"
   * kept), true/false for boolean flags, string[] for repeatable ones (`header`, `report`);
   * `failOn` and `accept` are comma-joined strings. Only keys present in the file appear.
   * Relative paths (`output`, `diff`, the path of each `report`) are resolved against the config
   * file's directory, as ESLint and tsconfig do, so a config works from any working directory.
   */
  options: Record<string, unknown>;
  /** The `targets` list, in file order (empty when the file has none). */
  targets: ConfigTarget[];
}

/** One entry of a config file's `targets`. */
export interface ConfigTarget {
  /** The URL as written (it may hold credentials: never print it unredacted). */
  url: string;
  /** The 1-based line of the URL in the config file. */
  line: number;
  /** What the answer must satisfy beyond --accept, or null for none. */
  expect: Expectations | null;
}

/**
 * Reads, parses (JSON or YAML: YAML 1.2 reads JSON too) and validates a config file. Throws a
 * {@link UsageError} for a missing, unreadable, empty or malformed file; for invalid content its
 * message has one line per problem (up to 20), each `file:line: key.path: what is wrong`.
 * `header` and `proxy` values never appear in a message: they may hold secrets.
 *
 * A config `found` in the working directory, rather than named with --config, is as trusted as
 * the checkout it sits in (a pull request's, in CI): it may not set {@link TRUST_OPTIONS}, the
 * options that redirect traffic, send headers, weaken TLS or address checks, or name files to
 * read or write. Setting one is a {@link UsageError} naming the keys.
 */
export async function loadConfig(path: string, { found = false }: { found?: boolean } = {}): Promise<LoadedConfig> {
  const text = await readConfigText(path);
  const kind = path.toLowerCase().endsWith('.json') ? 'JSON' : 'YAML';
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntaxError = doc.errors[0];
  const syntaxLine = syntaxError === undefined ? null : lineCounter.linePos(syntaxError.pos[0]).line;
  // A .json file must be JSON: YAML would also take trailing commas, comments and bare words,
  // and read {a:1} as the key "a:1". yaml still parses it, for the line of every key.
  const json = kind === 'JSON' ? jsonSyntaxError(text) : null;
  if (json !== null) {
    const line = json.line ?? syntaxLine;
    throw new UsageError(`${path}${line === null ? '' : `:${line}`}: JSON syntax error: ${json.message}`);
  }
  if (syntaxError !== undefined) throw new UsageError(`${path}:${syntaxLine}: ${kind} syntax error: ${safeYamlMessage(syntaxError.message)}`);
  if (doc.contents === null) throw emptyFile(path);
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (error) {
    // Aliases are resolved here: an undefined anchor, or an alias bomb beyond yaml's limit.
    throw new UsageError(`${path}: ${kind} error: ${safeYamlMessage((error as Error).message)}`);
  }
  const parsed = configSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) throw new UsageError(describeProblems(path, doc, lineCounter, parsed.error.issues));

  if (found) refuseUntrusted(path, doc, lineCounter, data as Record<string, unknown>);

  const { targets = [], ...options } = parsed.data;
  for (const key of PATH_OPTIONS) {
    const value = options[key];
    if (typeof value === 'string') options[key] = rebase(path, value);
  }
  if (options.report !== undefined) options.report = options.report.map((spec) => rebaseReport(path, spec));
  return {
    path,
    options,
    targets: targets.map((target, index) => ({
      url: target.url,
      line: lineOf(doc, lineCounter, isStringTarget(data, index) ? ['targets', index] : ['targets', index, 'url']) ?? 1,
      expect: target.expect,
    })),
  };
}

/**
 * The config's targets as {@link Target}s (source: the config path; line: the URL's line), with
 * their expectations attached. A URL that does not parse becomes an invalid target, which the
 * check turns into an INVALID_URL result, as for a URL list.
 */
export function configTargetsToTargets(config: LoadedConfig): Target[] {
  return config.targets.map((entry) => {
    const target: Target = parseTarget(entry.url, config.path, entry.line) ?? {
      display: printable(redactText(entry.url.trim())),
      url: null,
      invalid: { code: 'INVALID_URL', message: 'not a valid URL' },
      source: config.path,
      line: entry.line,
    };
    return { ...target, expect: entry.expect };
  });
}

async function readConfigText(path: string): Promise<string> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new UsageError(`config file ${path} is not a file`);
    size = info.size;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw unreadable(path, error);
  }
  if (size > MAX_CONFIG_BYTES) {
    throw new UsageError(`config file ${path} is larger than 4 MiB; put long URL lists in a text file (one URL per line) instead`);
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw unreadable(path, error);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw emptyFile(path);
  return text;
}

function unreadable(path: string, error: unknown): UsageError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new UsageError(`config file ${path} not found`);
  if (code === 'EACCES' || code === 'EPERM') return new UsageError(`cannot read config file ${path}: permission denied`);
  return new UsageError(`cannot read config file ${path}: ${code ?? (error as Error).message}`);
}

function emptyFile(path: string): UsageError {
  return new UsageError(`config file ${path} is empty: expected options and targets, such as "targets: [https://example.com/]"`);
}

// For a .json file, JSON.parse says what is wrong in JSON's terms ("Expected ',' or '}' after
// property value") where yaml speaks YAML ("Implicit keys need to be on a single line"). Its
// message may quote the source, which may hold a header value: only the reason is kept.
function jsonSyntaxError(text: string): { line: number | null; message: string } | null {
  try {
    JSON.parse(text);
    return null;
  } catch (error) {
    const message = (error as Error).message;
    const position = / in JSON at position (\d+)/.exec(message)?.[1];
    const token = /^Unexpected token '(.)'/su.exec(message)?.[1];
    const offset = position !== undefined ? Number(position) : token !== undefined ? offsetOfToken(text, token) : null;
    const line = offset === null ? null : text.slice(0, offset).split('\n').length;
    let reason = message.replace(/ in JSON at position \d+.*$/s, '');
    if (token !== undefined) reason = `Unexpected token '${token}'`;
    else if (reason.includes('"')) reason = 'not valid JSON';
    return { line, message: printable(reason) };
  }
}

const BARE_WORD = /[\w+.-]+/y;
const JSON_WORD = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)$/;

// V8 gives no position for "Unexpected token 'x'", only a quote of the source. The token is the
// first occurrence, outside strings, that is not part of a number, true, false or null: the bare
// word, comment or quote JSON stopped at.
function offsetOfToken(text: string, token: string): number | null {
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i += 1;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') {
      inString = true;
      continue;
    }
    BARE_WORD.lastIndex = i;
    const word = BARE_WORD.exec(text)?.[0];
    if (word !== undefined) {
      if (!JSON_WORD.test(word) && word.includes(token)) return i + word.indexOf(token);
      i += word.length - 1;
    } else if (char === token) {
      return i;
    }
  }
  return null;
}

// yaml's messages sometimes end with a piece of the source after ": " (a tag, a token, extra
// characters after a block scalar header). The source may be a header value, so that part goes.
function safeYamlMessage(message: string): string {
  const first = message.split('\n', 1)[0] ?? '';
  const colon = first.indexOf(': ');
  return printable(colon === -1 ? first : first.slice(0, colon));
}

// ---------------------------------------------------------------------------------------------
// The schema. Option values are only type-checked and put into commander's shape here; their
// ranges and syntax are checked once, for flags and config alike, by options.ts.

const text = (what = 'a string') => z.string({ error: `must be ${what}` });
const flag = z.boolean({ error: 'must be true or false' });
const numberText = (what: string) => z.pipe(z.union([z.number(), z.string()], { error: `must be ${what}` }), z.transform(String));
const count = numberText('a number');
const durationText = numberText('a number of milliseconds or a duration such as "5s"');
const oneOrMany = <T extends z.core.$ZodType>(item: T, what: string) =>
  z.pipe(
    z.union([item, z.array(item)], { error: `must be ${what} or a list of them` }),
    z.transform((value) => (Array.isArray(value) ? value : [value]) as Array<z.output<T>>),
  );
const stringList = oneOrMany(text(), 'a string');
const statusText = z.pipe(
  z.union([z.string(), z.number(), z.array(z.union([z.number(), z.string()]))], {
    error: 'must be statuses such as "200-299,401", a status such as 200, or a list of statuses',
  }),
  z.transform((value: string | number | Array<string | number>) => (Array.isArray(value) ? value.join(',') : String(value))),
);

/** How each option key is typed in the file, and the shape commander gives it. */
const optionSchemas = {
  concurrency: count,
  perHost: count,
  timeout: durationText,
  connectTimeout: durationText,
  retries: count,
  method: text(),
  accept: statusText,
  maxRedirects: count,
  header: stringList,
  userAgent: text(),
  insecure: flag,
  publicOnly: flag,
  format: text(),
  output: text('a file path'),
  quiet: flag,
  // A comma-separated list, as in --fail-on broken,transient.
  failOn: z.pipe(stringList, z.transform((list: string[]) => list.join(','))),
  slow: durationText,
  certMinDays: count,
  report: stringList,
  proxy: text('a URL'),
  diff: text('a file path'),
  rootDir: text('a folder path'),
  checkFragments: flag,
};

/** Options whose values may hold credentials (as in options.ts): never echoed in a message. */
const SECRET_OPTIONS = new Set(['header', 'proxy']);

/**
 * Options a config file found in the working directory may not set, and the values refused (any,
 * or only the one that weakens a check): a checked-out pull request could otherwise route the
 * job's requests (and its -H secrets) through a proxy of its choosing with TLS checks off, or
 * make urlcheck read or write files outside the list.
 */
export const TRUST_OPTIONS: Readonly<Record<string, { flag: string; refused: (value: unknown) => boolean }>> = {
  proxy: { flag: '--proxy', refused: () => true },
  header: { flag: '--header', refused: () => true },
  insecure: { flag: '--insecure', refused: (value) => value === true },
  publicOnly: { flag: '--public-only', refused: (value) => value === false },
  output: { flag: '--output', refused: () => true },
  report: { flag: '--report', refused: () => true },
  diff: { flag: '--diff', refused: () => true },
  // Inside the config's own folder it only narrows what local links may reach.
  rootDir: { flag: '--root-dir', refused: (value) => typeof value !== 'string' || isAbsolute(value) || value.split(/[\\/]/).includes('..') },
};

function refuseUntrusted(path: string, doc: Document, lineCounter: LineCounter, data: Record<string, unknown>): void {
  const keys = Object.keys(data)
    .filter((key) => Object.hasOwn(TRUST_OPTIONS, key) && TRUST_OPTIONS[key]?.refused(data[key]) === true)
    .sort((a, b) => (lineOf(doc, lineCounter, [a]) ?? 0) - (lineOf(doc, lineCounter, [b]) ?? 0));
  const first = keys[0];
  if (first === undefined) return;
  const line = lineOf(doc, lineCounter, [first]);
  const flags = keys.map((key) => TRUST_OPTIONS[key]?.flag).join(', ');
  throw new UsageError(
    `${path}${line === null ? '' : `:${line}`}: ${keys.join(', ')}: not allowed in a config file found in the working directory ` +
      `(it could redirect traffic, weaken security or name files to read or write); pass the file with --config <file> to allow ` +
      `${keys.length === 1 ? 'it' : 'them'}, or give ${flags} on the command line`,
  );
}

/** Options whose value is a file path, resolved against the config file's directory. */
const PATH_OPTIONS = ['output', 'diff', 'rootDir'] as const;

const regex = parsedBy((source) => {
  try {
    return compilePattern(source);
  } catch (error) {
    throw new Error(`${(error as Error).message} (got ${showValue(source)})`);
  }
}, 'a regular expression');

const milliseconds = z.pipe(
  z.union([z.number(), z.string()], { error: 'must be a number of milliseconds or a duration such as "500ms" or "2s"' }),
  z.transform((value: number | string, ctx) => {
    const ms = typeof value === 'number' ? value : durationMs(value.trim());
    if (Number.isFinite(ms) && ms > 0) return Math.round(ms);
    ctx.issues.push({ code: 'custom', message: `must be a positive number of milliseconds or a duration such as "500ms" or "2s" (got ${showValue(value)})`, input: value });
    return z.NEVER;
  }),
);

const jsonPath = parsedBy((path) => {
  parseJsonPath(path);
  return path;
}, 'a JSON path such as data.items[0].id');

const jsonItem = z.pipe(
  z.strictObject({ path: jsonPath, equals: z.optional(z.unknown()), matches: z.optional(regex) }, { error: 'must be a mapping with path and equals (or matches)' }),
  z.transform((item: { path: string; equals?: unknown; matches?: LinearPattern | undefined }, ctx): JsonExpectation => {
    const hasEquals = Object.hasOwn(item, 'equals');
    if (hasEquals === (item.matches !== undefined)) {
      ctx.issues.push({ code: 'custom', message: 'must have exactly one of equals or matches', input: item });
      return z.NEVER;
    }
    return hasEquals ? { path: item.path, equals: item.equals } : { path: item.path, matches: item.matches as TextPattern };
  }),
);

const jsonExpectations = z.union(
  [
    z.pipe(
      z.record(z.string(), z.unknown()),
      z.transform((record: Record<string, unknown>, ctx) => {
        const list: JsonExpectation[] = [];
        for (const [path, equals] of Object.entries(record)) {
          try {
            parseJsonPath(path);
            list.push({ path, equals });
          } catch (error) {
            ctx.issues.push({ code: 'custom', message: (error as Error).message, path: [path], input: path });
          }
        }
        return list;
      }),
    ),
    z.array(jsonItem),
  ],
  { error: 'must be a mapping of JSON path to expected value, or a list of { path, equals } or { path, matches }' },
);

const headerExpectations = z.pipe(
  z.record(
    z.string().check(z.regex(HEADER_NAME, { error: 'is not a valid header name' })),
    z.union([z.literal(true), regex], { error: 'must be true (present) or a regular expression its value must match' }),
    { error: 'must be a mapping of header name to true (present) or a regular expression' },
  ),
  z.transform((record: Record<string, true | LinearPattern>) =>
    Object.entries(record).map(([name, rule]): HeaderExpectation => (rule === true ? { name: name.toLowerCase() } : { name: name.toLowerCase(), matches: rule })),
  ),
);

/** The expectations a target may have, each optional. */
const expectFields = z.strictObject(
  {
    status: z.optional(z.pipe(statusText, parsedBy(parseStatusRanges, 'statuses such as "200-299,401"'))),
    bodyContains: z.optional(oneOrMany(text().check(z.minLength(1, { error: 'must not be empty (every body contains "")' })), 'a string')),
    bodyMatches: z.optional(oneOrMany(regex, 'a regular expression')),
    json: z.optional(jsonExpectations),
    headers: z.optional(headerExpectations),
    maxResponseMs: z.optional(milliseconds),
    certMinDays: z.optional(z.number({ error: 'must be a whole number of days' }).check(z.int({ error: 'must be a whole number of days' }), z.minimum(0, { error: 'must be 0 or more' }))),
    finalUrl: z.optional(
      parsedBy((value) => {
        let url: URL | null = null;
        try {
          url = new URL(value);
        } catch {
          // reported below
        }
        if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
          throw new Error(`must be an absolute http(s) URL such as "https://example.com/" (got ${showValue(value)})`);
        }
        return url.href;
      }, 'an absolute http(s) URL'),
    ),
  },
  { error: 'must be a mapping of expectations' },
);

const expectSchema = z.pipe(
  z.nullable(expectFields),
  z.transform((expect: z.output<typeof expectFields> | null): Expectations | null => {
    if (expect === null) return null;
    const defined = Object.entries(expect).filter(([, value]) => value !== undefined);
    return defined.length === 0 ? null : (Object.fromEntries(defined) as Expectations);
  }),
);

const url = text('a URL').check(
  z.refine((value: string) => value.trim() !== '', { error: 'must be a URL, not an empty string' }),
  z.refine((value: string) => !value.trim().startsWith('#'), { error: 'must be a URL (a leading # makes it a comment)' }),
);

const targetSchema = z.union(
  [
    z.pipe(url, z.transform((value: string) => ({ url: value, expect: null }))),
    z.pipe(
      z.strictObject({ url, expect: z.optional(expectSchema) }),
      z.transform((target: { url: string; expect?: Expectations | null | undefined }) => ({ url: target.url, expect: target.expect ?? null })),
    ),
  ],
  { error: 'must be a URL, or a mapping with url and expect' },
);

const configSchema = z.strictObject(
  {
    ...(Object.fromEntries(Object.entries(optionSchemas).map(([key, schema]) => [key, z.optional(schema)])) as {
      [K in keyof typeof optionSchemas]: z.ZodMiniOptional<(typeof optionSchemas)[K]>;
    }),
    targets: z.optional(z.array(targetSchema, { error: 'must be a list of URLs or { url, expect } mappings' })) },
  { error: 'must be a mapping of options and targets' },
);

/** The keys each kind of mapping accepts, for "did you mean" suggestions. */
const KNOWN_KEYS = {
  top: Object.keys(configSchema.shape),
  target: ['url', 'expect'],
  expect: Object.keys(expectFields.shape),
  json: ['path', 'equals', 'matches'],
};

// ---------------------------------------------------------------------------------------------
// Problems: one line per issue, located in the file.

type Issue = z.core.$ZodIssue;
type IssuePath = readonly PropertyKey[];

interface Problem {
  path: IssuePath;
  line: number | null;
  message: string;
}

function describeProblems(file: string, doc: Document, lineCounter: LineCounter, issues: readonly Issue[]): string {
  const problems = flattenUnions(issues, [])
    .flatMap(({ path, issue }) => toProblems(path, issue))
    .map((problem) => ({ ...problem, line: lineOf(doc, lineCounter, problem.path) }))
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  const lines = problems.slice(0, MAX_LISTED_PROBLEMS).map((problem) => {
    const where = problem.line === null ? file : `${file}:${problem.line}`;
    const key = formatPath(problem.path);
    return `${where}: ${key === '' ? '' : `${key}: `}${problem.message}`;
  });
  const more = problems.length - MAX_LISTED_PROBLEMS;
  if (more > 0) lines.push(`…and ${more} more ${more === 1 ? 'problem' : 'problems'} in ${file}`);
  return lines.join('\n');
}

// zod reports a union that failed as one issue holding every branch's issues. When only one
// branch had the right type (a target that is a mapping, not a string), its issues are the
// real ones: "targets[2].expect.json[0].path: …" rather than "targets[2]: must be a URL or …".
function flattenUnions(issues: readonly Issue[], prefix: IssuePath): Array<{ path: IssuePath; issue: Issue }> {
  const out: Array<{ path: IssuePath; issue: Issue }> = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union') {
      const typed = issue.errors.filter((branch) => !branch.every((inner) => inner.path.length === 0 && (inner.code === 'invalid_type' || inner.code === 'invalid_value')));
      if (typed.length === 1) {
        out.push(...flattenUnions(typed[0] ?? [], path));
        continue;
      }
    }
    out.push({ path, issue });
  }
  return out;
}

function toProblems(path: IssuePath, issue: Issue): Problem[] {
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(path);
    return issue.keys.map((key) => {
      const suggestion = closest(key, known);
      const hint = suggestion === null ? '' : ` (did you mean "${suggestion}"?)`;
      return { path: [...path, key], line: null, message: `unknown key${hint}` };
    });
  }
  if ((issue.code === 'invalid_type' || issue.code === 'invalid_union') && issue.input === undefined && path.length > 0) {
    const key = path[path.length - 1];
    return [{ path: path.slice(0, -1), line: null, message: `${String(key)} is required` }];
  }
  // A bad mapping key: the key is already in the path, so no "(got …)".
  if (issue.code === 'invalid_key') return [{ path, line: null, message: issue.issues[0]?.message ?? issue.message }];
  // Custom issues carry their own "(got …)"; `header` and `proxy` values may be secrets.
  const shown = issue.code === 'custom' || SECRET_OPTIONS.has(String(path[0])) ? '' : ` (got ${showValue(issue.input)})`;
  return [{ path, line: null, message: `${issue.message}${shown}` }];
}

function knownKeysAt(path: IssuePath): string[] {
  const last = path[path.length - 1];
  if (path.length === 0) return KNOWN_KEYS.top;
  if (last === 'expect') return KNOWN_KEYS.expect;
  if (path.length === 2 && path[0] === 'targets') return KNOWN_KEYS.target;
  if (path[path.length - 2] === 'json') return KNOWN_KEYS.json;
  return [];
}

/** The known key nearest to `key` (case, "-" and "_" ignored), if at most 2 edits away. */
function closest(key: string, known: readonly string[]): string | null {
  const squash = (text: string) => text.toLowerCase().replace(/[-_]/g, '');
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = editDistance(squash(key), squash(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** A value for a message: short, printable, URL credentials redacted. */
function showValue(value: unknown): string {
  if (typeof value === 'string') {
    const shown = printable(redactText(value));
    return JSON.stringify(shown.length > 80 ? `${shown.slice(0, 79)}…` : shown);
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/** `targets[2].expect.json[0].path`; names that are not plain words in ["brackets"], cut at 80 characters. */
function formatPath(path: IssuePath): string {
  let out = '';
  for (const segment of path) {
    const name = String(segment).length > 80 ? `${String(segment).slice(0, 79)}…` : String(segment);
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(name)) out += out === '' ? name : `.${name}`;
    else out += `[${printable(JSON.stringify(name))}]`;
  }
  return out;
}

/** The 1-based line of the key (or list item) at `path`, or of the nearest ancestor found. */
function lineOf(doc: Document, lineCounter: LineCounter, path: IssuePath): number | null {
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (pair === undefined) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item: unknown = node.items[segment];
      if (item === undefined) break;
      offset = rangeStart(item) ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return offset === undefined ? null : lineCounter.linePos(offset).line;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range?.[0];
}

function isStringTarget(data: unknown, index: number): boolean {
  const targets = (data as { targets?: unknown }).targets;
  return Array.isArray(targets) && typeof targets[index] === 'string';
}

function rebase(configPath: string, path: string): string {
  return path === '-' || isAbsolute(path) ? path : join(dirname(configPath), path);
}

// A report is "format:path"; only the path part is a file name.
function rebaseReport(configPath: string, spec: string): string {
  const colon = spec.indexOf(':');
  if (colon <= 0) return spec;
  return `${spec.slice(0, colon + 1)}${rebase(configPath, spec.slice(colon + 1))}`;
}
