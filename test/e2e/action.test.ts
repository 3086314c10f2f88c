// The GitHub Action (action.yml), run exactly as the runner runs it: `node <runs.main>` of the
// committed bundle, in the workspace, with the inputs as INPUT_* variables, GITHUB_OUTPUT,
// GITHUB_STEP_SUMMARY, GITHUB_WORKSPACE and GITHUB_ACTIONS=true, no terminal. And action.yml
// itself: its shape, and that it declares exactly the inputs and outputs the entry uses.
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ACTION_INPUTS, ACTION_OUTPUTS, inputVariable, planAction, splitWords, type ActionInputName } from '../../src/cli/action.js';
import type { CheckResult } from '../../src/model/types.js';
import { annotation } from '../../src/reporters/github.js';
import { useFixtureServer } from '../helpers/fixtures.js';
import { useTempDir } from '../helpers/temp-dir.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface ActionMetadata {
  name?: unknown;
  description?: unknown;
  author?: unknown;
  branding?: { icon?: unknown; color?: unknown };
  inputs?: Record<string, { description?: unknown; required?: unknown; default?: unknown }>;
  outputs?: Record<string, { description?: unknown }>;
  runs?: { using?: unknown; main?: unknown };
}

const METADATA = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionMetadata;
const ENTRY = join(ROOT, String(METADATA.runs?.main));

const server = useFixtureServer({ record: true });
const temp = useTempDir('urlcheck-action-');

/** What one run of the action left: its exit code, streams, step outputs and job summary. */
interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

let runs = 0;

/**
 * Runs the action's entry as the runner does: `node <main>` in the workspace, each input as its
 * INPUT_* variable, fresh GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, stdin and stdout pipes.
 */
async function runAction(inputs: Partial<Record<string, string>>, options: { workspace?: string; entry?: string; env?: Record<string, string | undefined> } = {}): Promise<ActionRun> {
  const workspace = options.workspace ?? temp.path();
  const files = join(temp.path(), `run-${runs++}`);
  mkdirSync(files);
  const outputFile = join(files, 'output');
  const summaryFile = join(files, 'summary.md');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: Record<string, string | undefined> = {};
  // Nothing of this machine's own that changes a run: no proxy, no colour switches, no other INPUT_*.
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(INPUT_|GITHUB_|RUNNER_)|^(https?_proxy|no_proxy|NO_COLOR|FORCE_COLOR)$/i.test(key)) env[key] = value;
  }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  Object.assign(env, { GITHUB_ACTIONS: 'true', CI: 'true', GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile, GITHUB_WORKSPACE: workspace }, options.env);
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [options.entry ?? ENTRY], { cwd: workspace, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('close', (exit) => resolve({ code: exit, stdout: out, stderr: err }));
    child.stdin.end();
  });
  return { code, stdout, stderr, outputs: parseOutputs(readFileSync(outputFile, 'utf8')), summary: readFileSync(summaryFile, 'utf8') };
}

/** Reads $GITHUB_OUTPUT as the runner does: `name=value` lines and `name<<delimiter` blocks. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] as string;
    if (line === '') continue;
    const block = /^([^=<]+)<<(.+)$/.exec(line);
    if (block === null) {
      const eq = line.indexOf('=');
      if (eq < 0) throw new Error(`not an output line: ${line}`);
      outputs[line.slice(0, eq)] = line.slice(eq + 1);
      continue;
    }
    const [, name, delimiter] = block as unknown as [string, string, string];
    const end = lines.indexOf(delimiter, i + 1);
    if (end < 0) throw new Error(`output "${name}" is not closed by its delimiter`);
    outputs[name] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return outputs;
}

/** The workflow commands the runner would run from `text` (lines starting with "::"), outside ::stop-commands:: blocks. */
function commands(text: string): string[] {
  const run: string[] = [];
  let token: string | null = null;
  for (const line of text.split(/\r?\n/).map((each) => each.trimStart())) {
    if (token !== null) {
      if (line === `::${token}::`) token = null;
      continue;
    }
    if (!line.startsWith('::')) continue;
    run.push(line);
    token = /^::stop-commands::(.+)$/.exec(line)?.[1] ?? null;
  }
  return run;
}

const errorsOf = (run: ActionRun) => [...commands(run.stdout), ...commands(run.stderr)].filter((command) => command.startsWith('::error'));

/** The counts of a run with these verdicts, as outputs. */
const counts = (byVerdict: Partial<Record<'healthy' | 'warning' | 'broken' | 'transient' | 'blocked', number>>) => {
  const all = { healthy: 0, warning: 0, broken: 0, transient: 0, blocked: 0, ...byVerdict };
  return { ...Object.fromEntries(Object.entries(all).map(([verdict, n]) => [verdict, String(n)])), total: String(Object.values(all).reduce((a, b) => a + b, 0)) };
};

describe('the action, run as the runner runs it', () => {
  beforeAll(() => {
    if (!existsSync(ENTRY)) throw new Error(`${relative(ROOT, ENTRY)} is missing: run \`npm run build:action\``);
    mkdirSync(join(temp.path(), 'links'));
    // urlcheck writes a report into a folder that exists, as the CLI does.
    mkdirSync(join(temp.path(), 'out'));
    writeFileSync(join(temp.path(), 'links', 'passing.txt'), `${server().url('/ok')}\n${server().url('/status/204')}\n`);
    writeFileSync(join(temp.path(), 'links', 'failing.txt'), `${server().url('/ok')}\n${server().url('/status/404')}\n`);
  });

  it('a passing list: exit 0, the counts, the report path and the job summary; no annotation', async () => {
    const run = await runAction({ inputs: 'links/passing.txt', reports: 'junit:out/passing.xml', args: '--retries 0' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.outputs).toEqual({ 'exit-code': '0', ...counts({ healthy: 2 }), 'newly-failing': '', 'report-paths': join(temp.path(), 'out', 'passing.xml') });
    expect(readFileSync(join(temp.path(), 'out', 'passing.xml'), 'utf8')).toContain('<testsuite');
    expect(run.summary).toContain('## urlcheck report');
    expect(run.summary).toContain('**2 URLs** checked');
    expect(errorsOf(run)).toEqual([]);
    expect(run.stdout).toContain('2 healthy');
  });

  it('a failing list: exit 1, an annotation at the line in the repository, the summary lists the URL', async () => {
    const run = await runAction({ inputs: 'links/failing.txt', args: '--retries 0' });
    expect(run.code, run.stderr).toBe(1);
    expect(run.outputs).toMatchObject({ 'exit-code': '1', ...counts({ healthy: 1, broken: 1 }), 'report-paths': '' });
    expect(errorsOf(run)).toEqual([`::error file=links/failing.txt,line=2,title=urlcheck HTTP_STATUS::${server().url('/status/404')} — status 404 is not in --accept 200-299`]);
    expect(run.summary).toContain(`<${server().url('/status/404')}>`);
    expect(run.summary).toContain('links/failing.txt:2');
  });

  it('fail: false passes the step and still says exit code 1', async () => {
    const run = await runAction({ inputs: 'links/failing.txt', args: '--retries 0', fail: 'false' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.outputs['exit-code']).toBe('1');
    expect(run.outputs['broken']).toBe('1');
    expect(errorsOf(run)).toHaveLength(1);
  });

  it('job-summary: false leaves the job summary alone; annotations stay', async () => {
    const run = await runAction({ inputs: 'links/failing.txt', args: '--retries 0', 'job-summary': 'false' });
    expect(run.code).toBe(1);
    expect(run.summary).toBe('');
    expect(errorsOf(run)).toHaveLength(1);
  });

  it('format, fail-on and a diff: newly-failing counts against the previous report', async () => {
    const first = await runAction({ inputs: 'links/passing.txt', reports: 'json:previous.json', format: 'ndjson' });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.split('\n').filter((line) => line.startsWith('{"')).length).toBe(2);
    const second = await runAction({ inputs: 'links/failing.txt', diff: 'previous.json', 'fail-on': 'new', args: '--retries 0' });
    expect(second.code, second.stderr).toBe(1);
    expect(second.outputs['newly-failing']).toBe('1');
    expect(second.summary).toMatch(/newly failing/i);
  });

  it('working-directory: inputs and reports are taken from it, annotations still name the repository path', async () => {
    const run = await runAction({ inputs: 'failing.txt', 'working-directory': 'links', reports: 'json:here.json', args: '--retries 0' });
    expect(run.code, run.stderr).toBe(1);
    expect(run.outputs['report-paths']).toBe(join(temp.path(), 'links', 'here.json'));
    expect(existsSync(join(temp.path(), 'links', 'here.json'))).toBe(true);
    expect(errorsOf(run)).toEqual([expect.stringMatching(/^::error file=links\/failing\.txt,line=2,/)]);
  });

  it('working-directory: a document fetched by URL keeps its URL, a file outside the checkout its path, in annotations', () => {
    const result = (source: string) => ({ url: 'http://x.test/', source, line: 3, verdict: 'broken', error: { code: 'HTTP_STATUS', message: 'gone' }, warnings: [] }) as unknown as CheckResult;
    const workspace = temp.path();
    const cwd = join(workspace, 'links');
    expect(annotation(result('list.txt'), workspace, cwd)).toMatch(/^::error file=links\/list\.txt,line=3,/);
    expect(annotation(result('https://example.test/sitemap.xml'), workspace, cwd)).toMatch(/^::error file=https%3A\/\/example\.test\/sitemap\.xml,line=3,/);
    expect(annotation(result('../../elsewhere.txt'), workspace, cwd)).toMatch(/^::error file=\.\.\/\.\.\/elsewhere\.txt,line=3,/);
    expect(annotation(result('list.txt'), workspace)).toMatch(/^::error file=list\.txt,line=3,/);
  });

  it('args split as a shell would (quotes kept together); a header value and URL credentials are never printed', async () => {
    const secret = 's3cret-header-value';
    const password = 'p4ss-in-url';
    writeFileSync(join(temp.path(), 'links', 'credentials.txt'), `${server().url('/ok').replace('http://', `http://user:${password}@`)}\n${server().url('/status/404')}\n`);
    const run = await runAction({
      inputs: '"links/credentials.txt"',
      args: `--retries 0 -H 'X-Token: ${secret} with spaces'\n--report "json:out/with space.json"  # a comment`,
      reports: 'csv:out/r.csv\nmarkdown:out/r.md',
    });
    expect(run.code, run.stderr).toBe(1);
    expect(server().requests.map((request) => request.headers['x-token'])).toContain(`${secret} with spaces`);
    expect(run.outputs['report-paths']?.split('\n')).toEqual(['out/r.csv', 'out/r.md', 'out/with space.json'].map((path) => join(temp.path(), path)));
    const printed = [run.stdout, run.stderr, run.summary, JSON.stringify(run.outputs), readFileSync(join(temp.path(), 'out', 'r.md'), 'utf8')].join('\n');
    expect(printed).not.toContain(secret);
    expect(printed).not.toContain(password);

    const bad = await runAction({ inputs: 'links/passing.txt', args: `-H 'X-Token ${secret}'` });
    expect(bad.code).toBe(2);
    expect(errorsOf(bad)).toEqual(['::error title=urlcheck::--header: expected "Name: value" (no ":" found)']);
    expect(bad.stdout + bad.stderr).not.toContain(secret);
  });

  it.each([
    ['a bad --fail-on', { 'fail-on': 'sometimes' }, /^::error title=urlcheck::--fail-on: .*unknown verdict "sometimes"/],
    ['a missing input file', { inputs: 'links/nope.txt' }, /^::error title=urlcheck::cannot read input "links\/nope.txt": no such file/],
    ['an unknown flag in args', { args: '--colour never' }, /^::error title=urlcheck::unknown option '--colour'/],
    ['a quote left open in args', { args: '-H "X-Token: secret' }, /^::error title=urlcheck::input "args": a " quote is not closed$/],
    ['a boolean that is not one', { fail: 'maybe' }, /^::error title=urlcheck::input "fail" must be true or false \(got "maybe"\)$/],
    ['a working-directory that does not exist', { 'working-directory': 'elsewhere' }, /^::error title=urlcheck::input "working-directory": "elsewhere" is not a folder/],
    ['no inputs at all', { inputs: '' }, /^::error title=urlcheck::no URLs found in stdin \(the "inputs" input is empty/],
  ])('%s: exit 2, one ::error:: line saying what is wrong', async (_name, inputs, message) => {
    const run = await runAction({ inputs: 'links/passing.txt', ...inputs });
    expect(run.code).toBe(2);
    const errors = errorsOf(run);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
    expect(run.outputs).toMatchObject({ 'exit-code': '2', healthy: '', total: '', 'report-paths': '' });
    expect(run.stdout + run.stderr).not.toContain('secret');
  });

  it('runs from a folder with no node_modules and no package.json: every dependency is in the bundle', async () => {
    const alone = join(temp.path(), 'alone');
    mkdirSync(join(alone, 'docs'), { recursive: true });
    copyFileSync(ENTRY, join(alone, 'index.mjs'));
    writeFileSync(join(alone, 'docs', 'guide.md'), `# Guide\n\nSee [the page](${server().url('/ok')}).\n`);
    writeFileSync(join(alone, 'list.txt'), `${server().url('/status/404')}\n${server().url('/ok?skip=1')}\n`);
    writeFileSync(join(alone, 'urlcheck.config.yaml'), 'retries: 0\ntimeout: 5s\n');
    // A glob, Markdown, a YAML config, RE2 patterns, a JUnit report: each loads a dependency of its own.
    const run = await runAction(
      { inputs: "'docs/*.md' list.txt", args: '--exclude skip= --include "(?i)127\\.0\\.0\\.1"', reports: 'junit:report.xml' },
      { workspace: alone, entry: join(alone, 'index.mjs') },
    );
    expect(run.code, run.stderr).toBe(1);
    expect(run.outputs).toMatchObject(counts({ healthy: 1, broken: 1 }));
    expect(errorsOf(run)).toEqual([expect.stringMatching(/^::error file=list\.txt,line=1,title=urlcheck HTTP_STATUS::/)]);
    expect(readFileSync(join(alone, 'report.xml'), 'utf8')).toContain('<testsuite');
    // --public-only loads ipaddr.js; undici's connector and request modules are used by every check.
    const blocked = await runAction({ inputs: 'list.txt', args: '--public-only' }, { workspace: alone, entry: join(alone, 'index.mjs') });
    expect(blocked.code, blocked.stderr).toBe(1);
    expect(errorsOf(blocked)[0]).toContain('BLOCKED_ADDRESS');
  });
});

describe('action.yml', () => {
  it('has the shape of a JavaScript action on node24 whose entry is committed', () => {
    // No maintained copy of the action metadata JSON Schema is on the npm registry
    // (@schemastore/github-action has TypeScript types only), so its shape is checked here.
    expect(METADATA.name).toEqual(expect.any(String));
    expect(METADATA.description).toEqual(expect.any(String));
    expect(String(METADATA.description).length).toBeLessThanOrEqual(125 * 4);
    expect(METADATA.branding).toEqual({ icon: expect.any(String), color: expect.stringMatching(/^(white|black|yellow|blue|green|orange|red|purple|gray-dark)$/) });
    expect(METADATA.runs).toEqual({ using: 'node24', main: 'action/index.mjs' });
    expect(existsSync(ENTRY)).toBe(true);
    for (const [name, input] of Object.entries(METADATA.inputs ?? {})) {
      expect(name, 'an input name').toMatch(/^[a-z][a-z0-9-]*$/);
      expect(input, `input ${name}`).toEqual({ description: expect.any(String), required: false, default: expect.any(String) });
    }
    for (const [name, output] of Object.entries(METADATA.outputs ?? {})) {
      expect(name, 'an output name').toMatch(/^[a-z][a-z0-9-]*$/);
      expect(output, `output ${name}`).toEqual({ description: expect.any(String) });
    }
  });

  it('declares exactly the inputs the entry reads, with the same defaults, and exactly its outputs', () => {
    expect(Object.fromEntries(Object.entries(METADATA.inputs ?? {}).map(([name, input]) => [name, input.default]))).toEqual(ACTION_INPUTS);
    expect(Object.keys(METADATA.outputs ?? {})).toEqual([...ACTION_OUTPUTS]);
  });

  it('every input the entry reads is declared: the INPUT_* variables it looks up', () => {
    const looked: string[] = [];
    const env = new Proxy({} as Record<string, string | undefined>, {
      get: (_target, key) => {
        if (typeof key === 'string') looked.push(key);
        return undefined;
      },
    });
    planAction(env, temp.path());
    const declared = Object.keys(METADATA.inputs ?? {}).map((name) => inputVariable(name as ActionInputName));
    expect(looked.filter((key) => key.startsWith('INPUT_')).sort()).toEqual([...declared].sort());
    // …and no other way in: outside its comments, the entry's source spells INPUT_ once, in inputVariable().
    const code = readFileSync(join(ROOT, 'src', 'cli', 'action.ts'), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    expect(code.match(/INPUT_\S*/g)).toEqual(['INPUT_${name.replace(/']);
  });

  it('every declared input changes what runs', () => {
    mkdirSync(join(temp.path(), 'sub'), { recursive: true });
    const changed: Record<ActionInputName, string> = {
      inputs: 'urls.txt',
      args: '--quiet',
      format: 'json',
      'fail-on': 'broken',
      config: 'my.yaml',
      reports: 'junit:r.xml',
      diff: 'last.json',
      'job-summary': 'false',
      fail: 'false',
      'working-directory': 'sub',
    };
    const base = planAction({}, temp.path());
    for (const name of Object.keys(ACTION_INPUTS) as ActionInputName[]) {
      expect(planAction({ [inputVariable(name)]: changed[name] }, temp.path()), name).not.toEqual(base);
    }
    expect(planAction({ [inputVariable('fail-on')]: 'new' }, temp.path()).args).toEqual(['--fail-on', 'new']);
    expect(inputVariable('fail-on')).toBe('INPUT_FAIL-ON');
    // Inputs are never flags: after "--", once.
    expect(planAction({ INPUT_INPUTS: '-odd.txt b.txt' }, temp.path()).args).toEqual(['--', '-odd.txt', 'b.txt']);
    expect(planAction({ INPUT_ARGS: '-q -- -odd.txt', INPUT_INPUTS: 'b.txt' }, temp.path()).args).toEqual(['-q', '--', '-odd.txt', 'b.txt']);
  });
});

describe('splitting inputs and args as a shell would, without one', () => {
  it.each([
    ['a b\tc\nd', ['a', 'b', 'c', 'd']],
    ["'a b' \"c d\" e\\ f", ['a b', 'c d', 'e f']],
    ['"say \\"hi\\" \\$HOME \\n"', ['say "hi" $HOME \\n']],
    ["'$HOME' $HOME ~ *.md", ['$HOME', '$HOME', '~', '*.md']],
    ['--exclude "^https://example\\.com/" x#y # comment\nz', ['--exclude', '^https://example\\.com/', 'x#y', 'z']],
    ["a''b \"\" ''", ['ab', '', '']],
    ['line \\\nnext', ['line', 'next']],
    ['', []],
  ])('%j', (text, words) => {
    expect(splitWords(text, 'args')).toEqual(words);
  });

  it('refuses a quote left open or a trailing backslash, without quoting the value', () => {
    expect(() => splitWords("-H 'X: secret", 'args')).toThrow(/^input "args": a ' quote is not closed$/);
    expect(() => splitWords('a\\', 'inputs')).toThrow(/^input "inputs": ends with a lone backslash$/);
  });
});

describe('the committed bundle', () => {
  it('is what the sources and the lockfile build (`node scripts/bundle-action.mjs --check`)', async () => {
    const run = await promisify(execFile)(process.execPath, [join(ROOT, 'scripts', 'bundle-action.mjs'), '--check'], { cwd: ROOT }).catch((error: { stderr: string; code: number }) => error);
    expect('code' in run ? run.stderr : '').toBe('');
  }, 120_000);
});
