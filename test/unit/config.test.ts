import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_FILE_NAMES,
  configTargetsToTargets,
  findConfig,
  loadConfig,
  MAX_CONFIG_BYTES,
  type LoadedConfig,
} from '../../src/cli/config.js';
import { evaluateExpectations } from '../../src/check/expect.js';
import { UsageError } from '../../src/model/errors.js';
import type { Expectations } from '../../src/model/types.js';
import { compilePattern } from '../../src/util/pattern.js';
import { useTempDir } from '../helpers/temp-dir.js';

/** A pattern as the config compiles it (RE2): equal to what loadConfig gives for that source. */
const re = compilePattern;

const FIXTURES = join(import.meta.dirname, '../../fixtures/config');
const temp = useTempDir('urlcheck-config-');
let fileCounter = 0;

/** Writes `text` to a fresh file (its own directory, so names can repeat) and returns its path. */
async function configFile(text: string, name = 'urlcheck.config.yaml'): Promise<string> {
  fileCounter += 1;
  const dir = join(temp.path(), `case-${fileCounter}`);
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function load(text: string, name?: string): Promise<LoadedConfig> {
  return loadConfig(await configFile(text, name));
}

/** The UsageError's message for a config, with the temporary directory cut from its paths. */
async function problems(text: string, name = 'urlcheck.config.yaml'): Promise<string> {
  const path = await configFile(text, name);
  const error = await loadConfig(path).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(UsageError);
  return (error as Error).message.replaceAll(`${join(path, '..')}/`, '');
}

/** The expectations of the first target of `targets: [{ url, expect }]`. */
async function expectationsOf(expectYaml: string): Promise<Expectations | null> {
  const config = await load(`targets:\n  - url: https://a.test/\n    expect:\n${expectYaml.replace(/^/gm, '      ')}\n`);
  return config.targets[0]?.expect ?? null;
}

describe('loadConfig: the README examples', () => {
  it('reads the YAML and the JSON example to the same options and targets', async () => {
    const yaml = await loadConfig(join(FIXTURES, 'urlcheck.config.yaml'));
    const json = await loadConfig(join(FIXTURES, 'urlcheck.config.json'));
    const options = { concurrency: '20', perHost: '4', timeout: '5s', retries: '1', accept: '200-299', header: ['Accept-Language: en'] };
    expect(yaml.options).toEqual(options);
    expect(json.options).toEqual(options);
    expect(yaml.targets.map((target) => target.line)).toEqual([12, 14, 24, 29, 33]);
    expect(json.targets.map((target) => target.line)).toEqual([9, 11, 20, 24, 28]);
    // StatusRanges holds a function: compare its text.
    const withoutLines = (config: LoadedConfig) =>
      config.targets.map(({ url, expect }) => ({ url, expect: expect === null ? null : { ...expect, status: expect.status?.text } }));
    expect(withoutLines(json)).toEqual(withoutLines(yaml));
  });

  it('turns every expectation into its typed form', async () => {
    const { targets } = await loadConfig(join(FIXTURES, 'urlcheck.config.yaml'));
    expect(targets[0]?.expect).toBeNull();
    const health = targets[1]?.expect;
    expect(health?.status?.text).toBe('200');
    expect(health?.json).toEqual([
      { path: 'status', equals: 'up' },
      { path: 'checks[0].ok', equals: true },
    ]);
    expect(health?.headers).toEqual([{ name: 'content-type', matches: re('json') }]);
    expect(health?.maxResponseMs).toBe(800);
    expect(targets[2]?.expect).toEqual({ bodyContains: ['Example Domain'], certMinDays: 14 });
    expect(targets[3]?.expect).toEqual({ finalUrl: 'https://example.com/new-page' });
    expect(targets[4]?.expect).toEqual({ headers: [{ name: 'x-version' }], json: [{ path: 'data.version', matches: re('^2\\.') }] });
  });
});

describe('loadConfig: options in the shape commander gives them', () => {
  it('turns numbers into strings, keeps durations and booleans, and collects repeatable flags', async () => {
    const config = await load(
      [
        'concurrency: 100',
        'perHost: "8"',
        'timeout: 5000',
        'connectTimeout: 1.5s',
        'retries: 0',
        'method: GET',
        'accept: [200, "300-399", 401]',
        'maxRedirects: 3',
        'header: "X-Team: web"',
        'userAgent: probe/1.0',
        'insecure: true',
        'publicOnly: false',
        'format: json',
        'quiet: true',
        'failOn: [broken, transient]',
        'slow: 1500',
        'certMinDays: 30',
        'report: csv:/var/reports/urlcheck.csv',
        'proxy: http://proxy.test:3128',
      ].join('\n'),
    );
    expect(config.options).toEqual({
      concurrency: '100',
      perHost: '8',
      timeout: '5000',
      connectTimeout: '1.5s',
      retries: '0',
      method: 'GET',
      accept: '200,300-399,401',
      maxRedirects: '3',
      header: ['X-Team: web'],
      userAgent: 'probe/1.0',
      insecure: true,
      publicOnly: false,
      format: 'json',
      quiet: true,
      failOn: 'broken,transient',
      slow: '1500',
      certMinDays: '30',
      report: ['csv:/var/reports/urlcheck.csv'],
      proxy: 'http://proxy.test:3128',
    });
    expect(config.targets).toEqual([]);
  });

  it('keeps only the keys the file sets', async () => {
    expect((await load('retries: 3\n')).options).toEqual({ retries: '3' });
  });

  it('resolves relative output, diff and report paths against the config file directory', async () => {
    const path = await configFile('output: out/report.json\ndiff: ./previous.json\nreport: [json:r.json, "csv:/abs/r.csv", "ndjson:-"]\n');
    const dir = join(path, '..');
    expect((await loadConfig(path)).options).toEqual({
      output: join(dir, 'out/report.json'),
      diff: join(dir, 'previous.json'),
      report: [`json:${join(dir, 'r.json')}`, 'csv:/abs/r.csv', 'ndjson:-'],
    });
  });

  it('keeps a relative config path relative', async () => {
    const path = relative(process.cwd(), await configFile('output: out.json\nreport: json:r.json\n'));
    const config = await loadConfig(path);
    expect(config.path).toBe(path);
    expect(config.options).toEqual({ output: join(dirname(path), 'out.json'), report: [`json:${join(dirname(path), 'r.json')}`] });
  });
});

describe('loadConfig: expectations', () => {
  it('reads status as ranges text, a number or a list', async () => {
    expect((await expectationsOf('status: 200-299,401'))?.status?.text).toBe('200-299,401');
    expect((await expectationsOf('status: 204'))?.status?.text).toBe('204');
    const list = (await expectationsOf('status: [200, 204, "300-302"]'))?.status;
    expect(list?.text).toBe('200,204,300-302');
    expect([200, 204, 301, 205].map((status) => list?.has(status))).toEqual([true, true, true, false]);
  });

  it('reads one string or a list of them for bodyContains and bodyMatches', async () => {
    expect(await expectationsOf('bodyContains: ok\nbodyMatches: "v\\\\d+"')).toEqual({ bodyContains: ['ok'], bodyMatches: [re('v\\d+')] });
    expect(await expectationsOf('bodyContains: [a, b]\nbodyMatches: [x, "^y$"]')).toEqual({ bodyContains: ['a', 'b'], bodyMatches: [re('x'), re('^y$')] });
  });

  it('reads json as a mapping of path to value, or a list of { path, equals | matches }', async () => {
    expect((await expectationsOf('json:\n  $.a["b c"]: {x: [1, null]}\n  n: 2'))?.json).toEqual([
      { path: '$.a["b c"]', equals: { x: [1, null] } },
      { path: 'n', equals: 2 },
    ]);
    expect((await expectationsOf('json:\n  - path: a\n    equals: null\n  - path: b[0]\n    matches: ^v'))?.json).toEqual([
      { path: 'a', equals: null },
      { path: 'b[0]', matches: re('^v') },
    ]);
  });

  it('lower-cases header names; true means present, a string is a pattern', async () => {
    expect((await expectationsOf('headers:\n  Content-Type: ^application/json\n  X-Request-Id: true'))?.headers).toEqual([
      { name: 'content-type', matches: re('^application/json') },
      { name: 'x-request-id' },
    ]);
  });

  it('reads maxResponseMs as milliseconds or a duration', async () => {
    const ms = async (value: string) => (await expectationsOf(`maxResponseMs: ${value}`))?.maxResponseMs;
    expect([await ms('500'), await ms('"500"'), await ms('500ms'), await ms('2s'), await ms('1.5s'), await ms('1m'), await ms('0.5')]).toEqual([
      500, 500, 500, 2000, 1500, 60_000, 1,
    ]);
  });

  it('normalises finalUrl and keeps certMinDays', async () => {
    expect(await expectationsOf('finalUrl: HTTPS://Example.COM:443\ncertMinDays: 0')).toEqual({ finalUrl: 'https://example.com/', certMinDays: 0 });
  });

  it('treats an empty expect as none', async () => {
    expect(await expectationsOf('{}')).toBeNull();
    const config = await load('targets:\n  - url: https://a.test/\n    expect:\n');
    expect(config.targets[0]?.expect).toBeNull();
  });
});

describe('loadConfig: problems, one line each, with file, line and key', () => {
  it('points at the line of the bad key', async () => {
    const yaml = [
      '# line 1',
      'concurrency: 10',
      'targets:',
      '  - https://a.test/',
      '  - url: https://b.test/',
      '    expect:',
      '      status: 200',
      '  - url: https://c.test/',
      '    expect:',
      '      headers:',
      '        content-type: json',
      '      bodyContains: ok',
      '      json:',
      '        - path: data..x',
      '          equals: 1',
    ].join('\n');
    expect(await problems(yaml)).toBe(
      'urlcheck.config.yaml:14: targets[2].expect.json[0].path: must be a JSON path such as data.items[0].id (got "data..x"): an empty name at character 6',
    );
  });

  it('points at lines in JSON files too', async () => {
    const json = ['{', '  "concurrency": 10,', '  "targets": [', '    { "url": "https://a.test/",', '      "expect": { "certMinDays": -1 } }', '  ],', '  "quiet": "yes"', '}'].join('\n');
    expect(await problems(json, 'urlcheck.config.json')).toBe(
      [
        'urlcheck.config.json:5: targets[0].expect.certMinDays: must be 0 or more (got -1)',
        'urlcheck.config.json:7: quiet: must be true or false (got "yes")',
      ].join('\n'),
    );
  });

  it('lists every problem in file order', async () => {
    const yaml = ['targets:', '  - url: https://a.test/', '    expect:', '      maxResponseMs: soon', 'retries: [1]', 'insecure: 1'].join('\n');
    expect(await problems(yaml)).toBe(
      [
        'urlcheck.config.yaml:4: targets[0].expect.maxResponseMs: must be a positive number of milliseconds or a duration such as "500ms" or "2s" (got "soon")',
        'urlcheck.config.yaml:5: retries: must be a number (got a list)',
        'urlcheck.config.yaml:6: insecure: must be true or false (got 1)',
      ].join('\n'),
    );
  });

  it('names unknown keys and suggests the nearest known one', async () => {
    const yaml = [
      'concurency: 10',
      'max-redirects: 3',
      'Timeout: 5s',
      'colour: false',
      'targets:',
      '  - uri: https://a.test/',
      '  - url: https://b.test/',
      '    expects: {}',
      '  - url: https://c.test/',
      '    expect:',
      '      bodyContain: ok',
      '      maxResponseMS: 5',
      '      json:',
      '        - path: a',
      '          equal: 1',
    ].join('\n');
    expect(await problems(yaml)).toBe(
      [
        'urlcheck.config.yaml:1: concurency: unknown key (did you mean "concurrency"?)',
        'urlcheck.config.yaml:2: max-redirects: unknown key (did you mean "maxRedirects"?)',
        'urlcheck.config.yaml:3: Timeout: unknown key (did you mean "timeout"?)',
        'urlcheck.config.yaml:4: colour: unknown key',
        'urlcheck.config.yaml:6: targets[0]: url is required',
        'urlcheck.config.yaml:6: targets[0].uri: unknown key (did you mean "url"?)',
        'urlcheck.config.yaml:8: targets[1].expects: unknown key (did you mean "expect"?)',
        'urlcheck.config.yaml:11: targets[2].expect.bodyContain: unknown key (did you mean "bodyContains"?)',
        'urlcheck.config.yaml:12: targets[2].expect.maxResponseMS: unknown key (did you mean "maxResponseMs"?)',
        'urlcheck.config.yaml:14: targets[2].expect.json[0]: must have exactly one of equals or matches',
        'urlcheck.config.yaml:15: targets[2].expect.json[0].equal: unknown key (did you mean "equals"?)',
      ].join('\n'),
    );
  });

  // Every regex a config supplies runs in linear time: a backtracking engine would take days on
  // this body, so the check finishing at all (within the test's normal timeout) is the proof.
  it('runs bodyMatches, header and json matches in linear time', async () => {
    const expectations = await expectationsOf('bodyMatches: "(a+)+$"\nheaders: { x-a: "(a+)+$" }\njson: [{ path: a, matches: "(a+)+$" }]');
    const evil = `${'a'.repeat(40)}!`;
    const input = { status: 200, bodyTruncated: false, finalUrl: new URL('https://a.test/'), durationMs: 1, tls: null };
    const body = Buffer.from(JSON.stringify({ a: evil }));
    expect(evaluateExpectations({ bodyMatches: expectations?.bodyMatches }, { ...input, headers: {}, body: Buffer.from(evil) })?.code).toBe('BODY_MISMATCH');
    expect(evaluateExpectations({ headers: expectations?.headers }, { ...input, headers: { 'x-a': evil }, body: null })?.code).toBe('HEADER_MISMATCH');
    expect(evaluateExpectations({ json: expectations?.json }, { ...input, headers: {}, body })?.code).toBe('JSON_MISMATCH');
  });

  it('refuses a pattern that needs backtracking (backreferences, lookaround), naming its key', async () => {
    const yaml = [
      'targets:',
      '  - url: https://a.test/',
      '    expect:',
      '      bodyMatches: ["<(\\\\w+)>.*</\\\\1>"]',
      '      headers: { etag: "(?!W/)" }',
      '      json: [{ path: v, matches: "(?<=v)2" }]',
    ].join('\n');
    const linear = 'must be a regular expression that runs in linear time';
    expect(await problems(yaml)).toBe(
      [
        `urlcheck.config.yaml:4: targets[0].expect.bodyMatches[0]: ${linear}: a backreference (\\1, \\k<name>) needs backtracking, which urlcheck does not do (RE2 syntax) (got "<(\\\\w+)>.*</\\\\1>")`,
        `urlcheck.config.yaml:5: targets[0].expect.headers.etag: ${linear}: lookahead or lookbehind ((?=, (?!, (?<=, (?<!) needs backtracking, which urlcheck does not do (RE2 syntax) (got "(?!W/)")`,
        `urlcheck.config.yaml:6: targets[0].expect.json[0].matches: ${linear}: lookahead or lookbehind ((?=, (?!, (?<=, (?<!) needs backtracking, which urlcheck does not do (RE2 syntax) (got "(?<=v)2")`,
      ].join('\n'),
    );
  });

  it('rejects patterns that are not regular expressions', async () => {
    const yaml = [
      'targets:',
      '  - url: https://a.test/',
      '    expect:',
      '      bodyMatches: ["ok", "(unclosed"]',
      '      headers: { content-type: "[a-" }',
      '      json: [{ path: v, matches: "*" }]',
    ].join('\n');
    expect(await problems(yaml)).toBe(
      [
        'urlcheck.config.yaml:4: targets[0].expect.bodyMatches[1]: must be a regular expression: missing closing ) (got "(unclosed")',
        'urlcheck.config.yaml:5: targets[0].expect.headers.content-type: must be a regular expression: missing closing ] (got "[a-")',
        'urlcheck.config.yaml:6: targets[0].expect.json[0].matches: must be a regular expression: missing argument to repetition operator (got "*")',
      ].join('\n'),
    );
  });

  it('checks JSON paths in both json forms', async () => {
    const yaml = ['targets:', '  - url: https://a.test/', '    expect:', '      json:', '        "items[*]": 1', '        ok: true'].join('\n');
    expect(await problems(yaml)).toBe(
      'urlcheck.config.yaml:5: targets[0].expect.json["items[*]"]: must be a JSON path such as data.items[0].id (got "items[*]"): the bracket at character 6 must hold an index such as [0] or a quoted name such as ["odd key"]',
    );
  });

  it('explains malformed targets and expectations', async () => {
    const yaml = [
      'targets:',
      '  - 42',
      '  - ""',
      '  - "# not a URL"',
      '  - url: https://a.test/',
      '    expect:',
      '      status: 200-600',
      '      bodyContains: ""',
      '      json: 5',
      '      headers:',
      '        "bad name": true',
      '        x-gone: false',
      '      certMinDays: 1.5',
      '      finalUrl: /relative',
      '  - url: https://b.test/',
      '    expect: [status]',
      '  - url: https://c.test/',
      '    expect:',
      '      json:',
      '        - path: a',
      '          equals: 1',
      '          matches: b',
    ].join('\n');
    expect(await problems(yaml)).toBe(
      [
        'urlcheck.config.yaml:2: targets[0]: must be a URL, or a mapping with url and expect (got 42)',
        'urlcheck.config.yaml:3: targets[1]: must be a URL, not an empty string',
        'urlcheck.config.yaml:4: targets[2]: must be a URL (a leading # makes it a comment)',
        'urlcheck.config.yaml:7: targets[3].expect.status: 600 is not an HTTP status (100-599)',
        'urlcheck.config.yaml:8: targets[3].expect.bodyContains: must not be empty (every body contains "") (got "")',
        'urlcheck.config.yaml:9: targets[3].expect.json: must be a mapping of JSON path to expected value, or a list of { path, equals } or { path, matches } (got 5)',
        'urlcheck.config.yaml:11: targets[3].expect.headers["bad name"]: is not a valid header name',
        'urlcheck.config.yaml:12: targets[3].expect.headers.x-gone: must be true (present) or a regular expression its value must match (got false)',
        'urlcheck.config.yaml:13: targets[3].expect.certMinDays: must be a whole number of days (got 1.5)',
        'urlcheck.config.yaml:14: targets[3].expect.finalUrl: must be an absolute http(s) URL such as "https://example.com/" (got "/relative")',
        'urlcheck.config.yaml:16: targets[4].expect: must be a mapping of expectations (got a list)',
        'urlcheck.config.yaml:20: targets[5].expect.json[0]: must have exactly one of equals or matches',
      ].join('\n'),
    );
  });

  it('lists at most 20 problems and counts the rest', async () => {
    const yaml = `targets:\n${Array.from({ length: 25 }, () => '  - 1').join('\n')}\n`;
    const lines = (await problems(yaml)).split('\n');
    expect(lines).toHaveLength(21);
    expect(lines[0]).toBe('urlcheck.config.yaml:2: targets[0]: must be a URL, or a mapping with url and expect (got 1)');
    expect(lines[19]).toBe('urlcheck.config.yaml:21: targets[19]: must be a URL, or a mapping with url and expect (got 1)');
    expect(lines[20]).toBe('…and 5 more problems in urlcheck.config.yaml');
  });

  it('rejects a top level that is not a mapping', async () => {
    expect(await problems('- https://a.test/\n')).toBe('urlcheck.config.yaml:1: must be a mapping of options and targets (got a list)');
    expect(await problems('"just text"\n', 'urlcheck.config.json')).toBe(
      'urlcheck.config.json:1: must be a mapping of options and targets (got "just text")',
    );
    expect(await problems('targets: https://a.test/\n')).toBe(
      'urlcheck.config.yaml:1: targets: must be a list of URLs or { url, expect } mappings (got "https://a.test/")',
    );
  });
});

describe('loadConfig: secrets never appear in a message', () => {
  const SECRET = 's3cr3t-t0ken';

  it.each([
    ['a header that is not a string', `header: [42, "Authorization: Bearer ${SECRET}"]\ninsecure: maybe`],
    ['headers as a mapping', `header:\n  Authorization: Bearer ${SECRET}`],
    ['an unclosed quote', `header: ["Authorization: Bearer ${SECRET}"\nretries: 1`],
    ['an unclosed JSON list', `{ "header": ["Authorization: Bearer ${SECRET}" "retries": 1 }`],
    ['a JSON token next to a secret', `{\n"header": ["Authorization: Bearer ${SECRET}"],\n"retries": x }`],
    ['extra text after a block scalar header', `header: |x Authorization: Bearer ${SECRET}\n  a\n`],
    ['a bad escape', `header: ["Authorization: Bearer \\q${SECRET}"]`],
    ['credentials in a URL', `targets:\n  - url: https://a.test/\n    expect:\n      finalUrl: ftp://me:${SECRET}@a.test/`],
    ['credentials in a proxy URL', `proxy: [http://me:${SECRET}@proxy.test/]`],
    ['a misplaced header value', `targets:\n  - url: https://a.test/\n    headers: "Authorization: Bearer ${SECRET}"`],
  ])('%s', async (_, text) => {
    const name = text.startsWith('{') ? 'urlcheck.config.json' : 'urlcheck.config.yaml';
    const message = await problems(text, name);
    expect(message).not.toContain(SECRET);
    expect(message.startsWith(`${name}:`)).toBe(true);
  });

  it('names the problem without the value', async () => {
    expect(await problems(`header: [42, "Authorization: Bearer ${SECRET}"]`)).toBe('urlcheck.config.yaml:1: header[0]: must be a string');
    expect(await problems(`proxy: { url: "http://me:${SECRET}@proxy.test/" }`)).toBe('urlcheck.config.yaml:1: proxy: must be a URL');
    expect(await problems(`header:\n  Authorization: Bearer ${SECRET}`)).toBe(
      'urlcheck.config.yaml:1: header: must be a string or a list of them',
    );
  });
});

describe('loadConfig: files that cannot be used', () => {
  it('says a file is missing or not a file', async () => {
    const missing = join(temp.path(), 'nope.yaml');
    await expect(loadConfig(missing)).rejects.toThrow(new UsageError(`config file ${missing} not found`));
    await expect(loadConfig(temp.path())).rejects.toThrow(new UsageError(`config file ${temp.path()} is not a file`));
  });

  it('says a file is empty', async () => {
    const message = 'config file urlcheck.config.yaml is empty: expected options and targets, such as "targets: [https://example.com/]"';
    expect(await problems('')).toBe(message);
    expect(await problems('\n  \n')).toBe(message);
    expect(await problems('# only a comment\n')).toBe(message);
  });

  it('gives the line of a syntax error', async () => {
    expect(await problems('retries: 1\ntargets:\n  - https://a.test/\n - https://b.test/\n')).toBe(
      'urlcheck.config.yaml:4: YAML syntax error: A block sequence may not be used as an implicit map key',
    );
    expect(await problems('retries: 1\ntargets: [https://a.test/\n')).toBe(
      'urlcheck.config.yaml:3: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
    );
    expect(await problems('{\n  "retries": 1\n  "quiet": true\n}\n', 'urlcheck.config.json')).toBe(
      "urlcheck.config.json:3: JSON syntax error: Expected ',' or '}' after property value",
    );
    expect(await problems('{\n  "retries": x\n}\n', 'urlcheck.config.json')).toBe(
      "urlcheck.config.json:2: JSON syntax error: Unexpected token 'x'",
    );
    expect(await problems('retries: 1\nretries: 2\n')).toBe('urlcheck.config.yaml:2: YAML syntax error: Map keys must be unique');
  });

  it('rejects an alias to nothing', async () => {
    expect(await problems('retries: *count\n')).toBe('urlcheck.config.yaml: YAML error: Unresolved alias (the anchor must be set before the alias)');
  });

  it('holds a .json file to JSON, though YAML would take more', async () => {
    expect(await problems('{\n  "retries": 1,\n  "quiet": true,\n}\n', 'urlcheck.config.json')).toBe(
      'urlcheck.config.json:4: JSON syntax error: Expected double-quoted property name',
    );
    expect(await problems('# a comment\n{ "retries": 1 }\n', 'urlcheck.config.json')).toBe(
      "urlcheck.config.json:1: JSON syntax error: Unexpected token '#'",
    );
    expect(await problems('{\n  "insecure": true,\n  "quiet": yes\n}\n', 'urlcheck.config.json')).toBe(
      "urlcheck.config.json:3: JSON syntax error: Unexpected token 'y'",
    );
    expect(await problems("{\n  \"a\": \"it's\",\n  'quiet': true\n}\n", 'urlcheck.config.json')).toBe(
      "urlcheck.config.json:3: JSON syntax error: Expected double-quoted property name",
    );
    expect(await problems('{\n  "retries": 1 // three?\n}\n', 'urlcheck.config.json')).toBe(
      "urlcheck.config.json:2: JSON syntax error: Expected ',' or '}' after property value",
    );
    expect(await problems('{\n  "header": ["Authorization: Bearer s3cret"],\n  "quiet": no\n}\n', 'urlcheck.config.json')).toBe(
      "urlcheck.config.json:3: JSON syntax error: Unexpected token 'o'",
    );
    expect(await problems('{\n  "retries": 1,\n', 'urlcheck.config.json')).toMatch(/^urlcheck\.config\.json(:\d+)?: JSON syntax error: \S/);
    expect(await problems('{ "retries": 1, "retries": 2 }', 'urlcheck.config.json')).toBe(
      'urlcheck.config.json:1: JSON syntax error: Map keys must be unique',
    );
  });

  it('reads JSON indented with tabs, and a byte order mark', async () => {
    expect((await load('\uFEFF{\n\t"retries": 1,\n\t"targets": [\n\t\t"https://a.test/"\n\t]\n}\n', 'urlcheck.config.json')).targets).toEqual([
      { url: 'https://a.test/', line: 4, expect: null },
    ]);
  });

  it('refuses a file over 4 MiB', async () => {
    const path = await configFile(`# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`);
    await expect(loadConfig(path)).rejects.toThrow(/is larger than 4 MiB; put long URL lists in a text file/);
  });
});

describe('findConfig', () => {
  it('takes the first name that exists, in the documented order', async () => {
    expect(CONFIG_FILE_NAMES).toEqual(['urlcheck.config.json', 'urlcheck.config.yaml', 'urlcheck.config.yml']);
    const dir = join(temp.path(), 'find');
    await mkdir(dir);
    expect(await findConfig(dir)).toBeNull();
    await writeFile(join(dir, 'urlcheck.config.yml'), 'retries: 1\n');
    expect(await findConfig(dir)).toBe(join(dir, 'urlcheck.config.yml'));
    await writeFile(join(dir, 'urlcheck.config.yaml'), 'retries: 1\n');
    expect(await findConfig(dir)).toBe(join(dir, 'urlcheck.config.yaml'));
    await writeFile(join(dir, 'urlcheck.config.json'), '{}');
    expect(await findConfig(dir)).toBe(join(dir, 'urlcheck.config.json'));
  });

  it('skips a directory with a config name and never looks in parents', async () => {
    const dir = join(temp.path(), 'find-nested');
    await mkdir(join(dir, 'child', 'urlcheck.config.json'), { recursive: true });
    await writeFile(join(dir, 'urlcheck.config.yaml'), 'retries: 1\n');
    expect(await findConfig(join(dir, 'child'))).toBeNull();
  });

  it('keeps a relative directory relative', async () => {
    expect(await findConfig('fixtures/config')).toBe(join('fixtures', 'config', 'urlcheck.config.json'));
  });
});

describe('configTargetsToTargets', () => {
  it('makes targets with the config as source, the URL line, and the expectations', async () => {
    const config = await load(
      [
        'targets:',
        '  - https://user:pw@a.test/private',
        '  - url: https://b.test/health',
        '    expect: { bodyContains: ok }',
        '  - url: not a url',
        '    expect: { status: 404 }',
        '  - url: ftp://c.test/',
      ].join('\n'),
    );
    const targets = configTargetsToTargets(config);
    expect(targets.map(({ display, line, source, invalid, url }) => ({ display, line, source, invalid, url: url?.href ?? null }))).toEqual([
      { display: 'https://***@a.test/private', line: 2, source: config.path, invalid: null, url: 'https://user:pw@a.test/private' },
      { display: 'https://b.test/health', line: 3, source: config.path, invalid: null, url: 'https://b.test/health' },
      { display: 'not a url', line: 5, source: config.path, invalid: { code: 'INVALID_URL', message: 'not a valid URL' }, url: null },
      {
        display: 'ftp://c.test/',
        line: 7,
        source: config.path,
        invalid: { code: 'UNSUPPORTED_PROTOCOL', message: 'unsupported protocol "ftp:"; only http: and https: URLs are checked' },
        url: null,
      },
    ]);
    expect(targets.map((target) => target.expect)).toEqual([null, { bodyContains: ['ok'] }, { status: expect.anything() }, null]);
  });

  it('turns a URL a library caller left blank into an invalid target, not a dropped one', () => {
    const targets = configTargetsToTargets({ path: 'c.yaml', options: {}, targets: [{ url: '# x', line: 3, expect: null }] });
    expect(targets).toEqual([
      { display: '# x', url: null, invalid: { code: 'INVALID_URL', message: 'not a valid URL' }, source: 'c.yaml', line: 3, expect: null },
    ]);
  });
});

describe('a config file found in the working directory (not named with --config)', () => {
  const found = async (text: string) => loadConfig(await configFile(text), { found: true });
  const refusal = (text: string) =>
    found(text).then(
      () => null,
      (error: unknown) => (error instanceof UsageError ? error.message.replace(/^.*urlcheck\.config\.yaml/, 'urlcheck.config.yaml') : error),
    );

  it.each([
    ['proxy: http://proxy.test:3128', 'proxy'],
    ['proxy: ""', 'proxy'],
    ["header: 'Authorization: Bearer x'", 'header'],
    ['insecure: true', 'insecure'],
    ['publicOnly: false', 'publicOnly'],
    ['output: report.json', 'output'],
    ['report: json:report.json', 'report'],
    ['diff: last.json', 'diff'],
    ['rootDir: /', 'rootDir'],
    ['rootDir: ../..', 'rootDir'],
    ['rootDir: docs/../../x', 'rootDir'],
  ])('may not set %s', async (line, key) => {
    const message = await refusal(`retries: 1\n${line}\n`);
    expect(message).toMatch(new RegExp(`^urlcheck\\.config\\.yaml:2: ${key}: not allowed in a config file found in the working directory .*; pass the file with --config <file> to allow it, or give --[a-z-]+ on the command line$`));
    // Secrets in the refused value are never echoed.
    expect(message).not.toMatch(/Bearer|proxy\.test/);
  });

  it('names every refused key in one line, at the first of them', async () => {
    expect(await refusal('concurrency: 5\ninsecure: true\nheader: ["a: b"]\nproxy: http://p.test/\n')).toBe(
      'urlcheck.config.yaml:2: insecure, header, proxy: not allowed in a config file found in the working directory (it could redirect traffic, ' +
        'weaken security or name files to read or write); pass the file with --config <file> to allow them, or give --insecure, --header, --proxy on the command line',
    );
  });

  it('may set everything else, and the safe values of insecure and publicOnly', async () => {
    const config = await found('concurrency: 5\ninsecure: false\npublicOnly: true\nformat: json\nfailOn: broken\ntargets: [https://a.test/]\n');
    expect(config.options).toMatchObject({ concurrency: '5', insecure: false, publicOnly: true, format: 'json' });
  });

  it('may set a rootDir inside its own folder (resolved against it) and checkFragments', async () => {
    const config = await found('rootDir: site\ncheckFragments: true\n');
    expect(config.options).toMatchObject({ checkFragments: true });
    expect(config.options.rootDir).toMatch(/[\\/]site$/);
  });

  it('named with --config, may set them all, as before', async () => {
    const config = await loadConfig(await configFile("proxy: http://proxy.test:3128\ninsecure: true\nheader: 'X-A: 1'\noutput: r.json\n"));
    expect(config.options).toMatchObject({ proxy: 'http://proxy.test:3128', insecure: true, header: ['X-A: 1'] });
  });
});
