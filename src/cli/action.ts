// The GitHub Action's entry (action.yml at the repository root; bundled with every dependency into
// action/index.mjs by scripts/bundle-action.mjs). The runner starts it as `node <bundle>` with
// the step's inputs as INPUT_* variables: it turns them into a urlcheck command line, runs it in
// this process exactly as the CLI runs (annotations and the job summary are the CLI's own), and
// writes the step's outputs to $GITHUB_OUTPUT. It is an adapter like the CLI, so it lives in cli/.
import { randomUUID } from 'node:crypto';
import { appendFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { UsageError } from '../model/errors.js';
import type { RunEnd } from '../model/reporter.js';
import { VERDICTS } from '../model/types.js';
import { escapeData } from '../reporters/github.js';
import { describeFsError } from '../util/fs-errors.js';
import { printable } from '../util/redact.js';
import { EXIT } from './io.js';
import { runInProcess } from './main.js';

/**
 * The action's inputs and their defaults, exactly as action.yml declares them (a test compares
 * the two). The runner sets every declared input, its default when the workflow gives none; a
 * variable that is missing (the entry run by hand) means the default too. An empty value leaves
 * the option to urlcheck: its own default, or the config file's.
 */
export const ACTION_INPUTS = {
  inputs: '',
  args: '',
  format: '',
  'fail-on': '',
  config: '',
  reports: '',
  diff: '',
  'job-summary': 'true',
  fail: 'true',
  'working-directory': '.',
} as const;

/** The name of one of {@link ACTION_INPUTS}. */
export type ActionInputName = keyof typeof ACTION_INPUTS;

/** The action's outputs, as action.yml declares them (a test compares the two). */
export const ACTION_OUTPUTS = ['exit-code', ...VERDICTS, 'total', 'newly-failing', 'report-paths'] as const;

/** The name of one of {@link ACTION_OUTPUTS}. */
export type ActionOutputName = (typeof ACTION_OUTPUTS)[number];

/**
 * The variable the runner passes an input in: `INPUT_` and the name upper-cased, spaces as
 * underscores, hyphens kept (`fail-on` → `INPUT_FAIL-ON`), as @actions/core reads it.
 */
export function inputVariable(name: ActionInputName): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** What the step runs: the command line and how its outcome becomes the step's. */
export interface ActionPlan {
  /** urlcheck's arguments (no program name). */
  args: string[];
  /** The `inputs` input's words (also at the end of {@link args}). */
  inputs: string[];
  /** The folder it runs in (absolute): `working-directory`, resolved against the step's. */
  cwd: string;
  /** Write the job summary: false takes GITHUB_STEP_SUMMARY away from the run. */
  jobSummary: boolean;
  /** Whether exit code 1 (failures, as --fail-on says) fails the step. */
  fail: boolean;
}

/**
 * Reads the inputs from `env` (only the variables of {@link ACTION_INPUTS}) into the command line
 * to run. Throws a {@link UsageError} naming the input for a value that cannot be used; the
 * message never repeats `args` or `inputs`, which may hold a header value or credentials.
 */
export function planAction(env: Readonly<Record<string, string | undefined>>, cwd: string): ActionPlan {
  const read = (name: ActionInputName): string => (env[inputVariable(name)] ?? ACTION_INPUTS[name]).trim();
  const args: string[] = [];
  const flag = (name: ActionInputName, cliFlag: string) => {
    const value = read(name);
    if (value !== '') args.push(cliFlag, value);
  };
  flag('format', '--format');
  flag('fail-on', '--fail-on');
  flag('config', '--config');
  flag('diff', '--diff');
  for (const line of read('reports').split(/\r?\n/)) {
    if (line.trim() !== '') args.push('--report', line.trim());
  }
  const extra = splitWords(read('args'), 'args');
  args.push(...extra);
  const inputs = splitWords(read('inputs'), 'inputs');
  // After "--", an input is never read as a flag, whatever it starts with (`args` may have ended the flags already).
  if (inputs.length > 0) args.push(...(extra.includes('--') ? [] : ['--']), ...inputs);
  return {
    args,
    inputs,
    cwd: workingDirectory(read('working-directory'), cwd),
    jobSummary: booleanInput('job-summary', read('job-summary')),
    fail: booleanInput('fail', read('fail')),
  };
}

/**
 * Splits `text` into words as a POSIX shell would, without running one: blanks and newlines
 * separate words, 'single quotes' keep everything, "double quotes" keep everything but `\"`,
 * `\\`, `\$` and `` \` ``, a backslash outside quotes keeps the next character (and joins a line to
 * the next), and `#` at the start of a word comments out the rest of its line. Nothing is
 * expanded: no variables, no `~`, no globs (urlcheck expands globs in inputs itself).
 */
export function splitWords(text: string, input: ActionInputName): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let i = 0;
  const append = (chars: string) => {
    word = (word ?? '') + chars;
  };
  while (i < text.length) {
    const char = text[i] as string;
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r') {
      if (word !== null) words.push(word);
      word = null;
      i += 1;
    } else if (char === '#' && word === null) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (char === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new UsageError(`input "${input}": a ' quote is not closed`);
      append(text.slice(i + 1, end));
      i = end + 1;
    } else if (char === '"') {
      i += 1;
      let closed = false;
      let quoted = '';
      while (i < text.length) {
        const inner = text[i] as string;
        if (inner === '"') {
          closed = true;
          i += 1;
          break;
        }
        const next = text[i + 1];
        if (inner === '\\' && next !== undefined && '"\\$`\n'.includes(next)) {
          if (next !== '\n') quoted += next;
          i += 2;
        } else {
          quoted += inner;
          i += 1;
        }
      }
      if (!closed) throw new UsageError(`input "${input}": a " quote is not closed`);
      append(quoted);
    } else if (char === '\\') {
      const next = text[i + 1];
      if (next === undefined) throw new UsageError(`input "${input}": ends with a lone backslash`);
      if (next === '\r' && text[i + 2] === '\n') i += 3;
      else if (next === '\n') i += 2;
      else {
        append(next);
        i += 2;
      }
    } else {
      append(char);
      i += 1;
    }
  }
  if (word !== null) words.push(word);
  return words;
}

/** A boolean input as YAML 1.2 spells it (as @actions/core's getBooleanInput reads it). */
function booleanInput(name: ActionInputName, value: string): boolean {
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new UsageError(`input "${name}" must be true or false (got "${printable(value.slice(0, 40))}")`);
}

function workingDirectory(value: string, cwd: string): string {
  const path = resolve(cwd, value === '' ? '.' : value);
  const info = statSync(path, { throwIfNoEntry: false });
  if (info === undefined || !info.isDirectory()) {
    throw new UsageError(`input "working-directory": "${printable(value)}" is not a folder${info === undefined ? ' (it does not exist)' : ''}`);
  }
  return path;
}

/** The step's outputs for a run that ended with `code`, and its outcome when it got that far. */
export function actionOutputs(code: number, ended: RunEnded | null, cwd: string): Record<ActionOutputName, string> {
  const outputs: Record<ActionOutputName, string> = {
    'exit-code': String(code),
    healthy: '',
    warning: '',
    broken: '',
    transient: '',
    blocked: '',
    total: '',
    'newly-failing': '',
    'report-paths': '',
  };
  if (ended === null) return outputs;
  const { summary, diff } = ended.end;
  for (const verdict of VERDICTS) outputs[verdict] = String(summary.byVerdict[verdict]);
  outputs.total = String(summary.total);
  outputs['newly-failing'] = diff === null ? '' : String(diff.newlyFailing);
  outputs['report-paths'] = ended.reports.map((path) => resolve(cwd, path)).join('\n');
  return outputs;
}

/**
 * `name<<delimiter`, the value, the delimiter: the $GITHUB_OUTPUT form that holds any value, on
 * one line or several. The delimiter is random and checked not to be a line of the value.
 */
export function formatOutputs(outputs: Readonly<Record<string, string>>, delimiter = `ghadelimiter_${randomUUID()}`): string {
  return Object.entries(outputs)
    .map(([name, value]) => {
      if (value.split(/\r?\n/).includes(delimiter)) throw new Error(`output "${name}" holds its delimiter`);
      return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
    })
    .join('');
}

/**
 * stderr, passed through as it is, remembering the last line urlcheck wrote about why it stopped
 * (`urlcheck: <message>`, not a warning): the step then shows it as one error annotation.
 */
class StderrWatch extends Writable {
  lastError: string | null = null;
  #partial = '';

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const text = this.#partial + chunk.toString();
    const lines = text.split('\n');
    this.#partial = (lines.pop() as string).slice(-4096);
    for (const line of lines) {
      if (line.startsWith('urlcheck: ') && !line.startsWith('urlcheck: warning: ')) this.lastError = line.slice('urlcheck: '.length);
    }
    process.stderr.write(chunk, (error) => callback(error));
  }
}

/**
 * Runs the action in this process: reads the inputs, runs urlcheck, writes the outputs to
 * $GITHUB_OUTPUT (when set) and sets the process's exit code (0 for failures when `fail` is
 * false; a usage error, 2, or a report not written, 3, always fails the step).
 */
export async function runAction(): Promise<void> {
  const env = process.env;
  let plan: ActionPlan;
  try {
    plan = planAction(env, process.cwd());
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stdout.write(`::error title=urlcheck::${escapeData(error.message)}\n`);
    finish(env, EXIT.USAGE, null, process.cwd(), false);
    return;
  }
  const runEnv = { ...env };
  if (!plan.jobSummary) delete runEnv['GITHUB_STEP_SUMMARY'];
  // Relative paths (inputs, --report, --output, --config) are the working directory's, as in a `run:` step.
  process.chdir(plan.cwd);
  const stderr = new StderrWatch();
  let ended: RunEnded | null = null;
  const code = await runInProcess(plan.args, {
    // The step has nothing to pipe in: with no inputs, urlcheck finds no URLs in stdin and says so.
    stdin: Readable.from([]),
    stderr,
    env: runEnv,
    cwd: plan.cwd,
    onRunEnd: (end, reports) => {
      ended = { end, reports };
    },
  });
  await new Promise<void>((done) => stderr.end(done));
  if (code === EXIT.USAGE || code === EXIT.OUTPUT_FAILED) {
    let message = stderr.lastError ?? `urlcheck stopped with exit code ${code}`;
    if (plan.inputs.length === 0 && message.startsWith('no URLs found in stdin')) message += ' (the "inputs" input is empty: name the files, globs or URLs to check)';
    process.stdout.write(`::error title=urlcheck::${escapeData(message)}\n`);
  }
  finish(env, code, ended, plan.cwd, plan.fail);
}

/** What a run that got as far as reporting tells the action. */
interface RunEnded {
  end: RunEnd;
  reports: readonly string[];
}

function finish(env: Readonly<Record<string, string | undefined>>, code: number, ended: RunEnded | null, cwd: string, fail: boolean): void {
  const outputFile = env['GITHUB_OUTPUT'];
  if (outputFile !== undefined && outputFile !== '') {
    try {
      appendFileSync(outputFile, formatOutputs(actionOutputs(code, ended, cwd)));
    } catch (error) {
      process.stdout.write(`::error title=urlcheck::${escapeData(`cannot write the step's outputs to GITHUB_OUTPUT: ${describeFsError(error)}`)}\n`);
      process.exitCode = EXIT.OUTPUT_FAILED;
      return;
    }
  }
  process.exitCode = code === EXIT.UNHEALTHY && !fail ? EXIT.OK : code;
}
