import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { runCli } from '../helpers/cli.js';
import { useFixtureServer } from '../helpers/fixtures.js';
import { useTempDir } from '../helpers/temp-dir.js';

// The JUnit report as a CI system reads it: Jenkins keys a test case by classname and name (and
// splits the classname at its last dot into package and class), GitLab and the GitHub reporters
// show both. Every test case must have a key of its own, or one hides the other.
const XSD_PATH = fileURLToPath(new URL('../../fixtures/junit/junit-10.xsd', import.meta.url));
const server = useFixtureServer();
const temp = useTempDir('urlcheck-junit-e2e-');
const clean = { GITHUB_ACTIONS: undefined, GITHUB_STEP_SUMMARY: undefined, HTTP_PROXY: undefined, http_proxy: undefined };

interface Testcase {
  name: string;
  classname: string;
  file: string | undefined;
  line: string | undefined;
}

function testcases(xml: string): Testcase[] {
  return [...xml.matchAll(/<testcase ([^>]*?)\/?>/g)].map(([, attributes = '']) => {
    const value = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(attributes)?.[1];
    return { name: value('name') ?? '', classname: value('classname') ?? '', file: value('file'), line: value('line') };
  });
}

describe('junit report', () => {
  it('has one test case per line, each with a name of its own, under a class per input', async () => {
    const ok = server().url('/ok');
    const missing = server().url('/status/404');
    await writeFile(join(temp.path(), 'urls.txt'), `${ok}\n${missing}\n${ok}\n`);
    await writeFile(join(temp.path(), 'guide.md'), `# Guide\n\nSee [the page](${ok}) and [the same page](${ok}), or [this](${missing}).\n`);
    const result = await runCli(['urls.txt', 'guide.md', '-f', 'junit', '--retries', '0', '--no-config'], { cwd: temp.path(), input: '', env: clean });
    expect(result.code).toBe(1);
    const cases = testcases(result.stdout);
    expect(cases).toHaveLength(6);
    expect(new Set(cases.map((c) => `${c.classname}\n${c.name}`)).size).toBe(6);
    expect(cases.filter((c) => c.classname === 'urlcheck.urls_txt').map((c) => c.name).sort()).toEqual([
      `${ok} (line 1)`,
      `${ok} (line 3)`,
      `${missing} (line 2)`,
    ]);
    expect(cases.filter((c) => c.classname === 'urlcheck.guide_md').map((c) => c.name).sort()).toEqual([
      `${ok} (line 3)`,
      `${ok} (line 3, #2)`,
      `${missing} (line 3)`,
    ]);
    // Jenkins: package "urlcheck", one class per input; `file` and `line` still name the input.
    for (const c of cases) expect(c.classname.slice(0, c.classname.lastIndexOf('.'))).toBe('urlcheck');
    expect(cases.find((c) => c.name === `${missing} (line 2)`)).toMatchObject({ file: 'urls.txt', line: '2' });
    const schema = await readFile(XSD_PATH, 'utf8');
    const validation = await validateXML({ xml: [{ fileName: 'report.xml', contents: result.stdout }], schema: [schema] });
    expect(validation.errors).toEqual([]);
  });

  it('names stdin\'s class urlcheck.stdin and links no file', async () => {
    const result = await runCli(['-f', 'junit', '--no-config'], { cwd: temp.path(), input: `${server().url('/ok')}\n`, env: clean });
    expect(result.code).toBe(0);
    expect(testcases(result.stdout)).toEqual([{ name: `${server().url('/ok')} (line 1)`, classname: 'urlcheck.stdin', file: undefined, line: undefined }]);
  });
});
