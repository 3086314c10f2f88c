import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../helpers/temp-dir.js';
import { collectExit } from '../helpers/cli.js';

// `npm run demo` as a new user runs it: what it prints must be what it does, what the README
// says it does, and point at files that still exist when it is over.
const DEMO = fileURLToPath(new URL('../../dist/bundle/demo.js', import.meta.url));
const README = fileURLToPath(new URL('../../README.md', import.meta.url));

interface DemoRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runDemo(tmp: string): Promise<DemoRun> {
  if (!existsSync(DEMO)) throw new Error('dist/ is missing: run `npm run build` (npm test does) before the e2e tests');
  const env: Record<string, string | undefined> = {
    ...process.env,
    TMPDIR: tmp,
    NO_COLOR: '1',
    FORCE_COLOR: undefined,
    GITHUB_ACTIONS: undefined,
    GITHUB_STEP_SUMMARY: undefined,
    HTTP_PROXY: undefined,
    http_proxy: undefined,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const child = spawn(process.execPath, [DEMO], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  return collectExit(child);
}

describe('npm run demo', () => {
  const temp = useTempDir('urlcheck-demo-test-');

  it('prints the commands it runs, as the README gives them, and file:line references that stay', async () => {
    const demo = await runDemo(temp.path());
    expect(demo.code).toBe(0);

    // The commands, each printed before its output, are the ones the README's "Try it" names.
    const commands = [...demo.stderr.matchAll(/^\$ (urlcheck .*)$/gm)].map(([, command]) => command);
    expect(commands).toEqual([
      'urlcheck kinds.txt --timeout 1000 --retries 1 --slow 600 --report html:kinds.html',
      'urlcheck pages.txt --compare-sample 40 --report html:pages.html',
    ]);
    const readme = await readFile(README, 'utf8');
    const tryIt = readme.slice(readme.indexOf('## Try it'), readme.indexOf('\n## ', readme.indexOf('## Try it') + 1));
    for (const command of commands) expect(tryIt).toContain(`\`${command}\``);
    expect(demo.stderr).toContain('urlcheck exited with 1');
    expect(demo.stderr).toContain('urlcheck exited with 0');

    // The lists are kept where the demo says, and every file:line it showed is a URL line there.
    const dir = /The URL lists are in (\S+)/.exec(demo.stderr)?.[1];
    expect(dir?.startsWith(temp.path())).toBe(true);
    const references = [...demo.stdout.matchAll(/\b(kinds|pages)\.txt:(\d+)\b/g)];
    expect(references.length).toBeGreaterThan(10);
    for (const [reference, name, line] of references) {
      const lines = (await readFile(join(dir as string, `${name}.txt`), 'utf8')).split('\n');
      const text = lines[Number(line) - 1] ?? '';
      expect(text, reference).not.toMatch(/^(#|$)/);
      expect(demo.stdout, reference).toContain(text);
    }

    // Each step's HTML report is where the demo says, beside the lists, and is an urlcheck report.
    const reports = [...demo.stderr.matchAll(/^The HTML report: (\S+) \(open it in a browser\)$/gm)].map(([, path]) => path);
    expect(reports).toEqual([join(dir as string, 'kinds.html'), join(dir as string, 'pages.html')]);
    for (const report of reports) expect(await readFile(report as string, 'utf8')).toContain('data-urlcheck-report="1"');

    // Step 2 times the baseline on a sample of 40 of its 200 pages, and says so.
    expect(demo.stdout).toMatch(/speed-up: ~[\d.]+[×x] at concurrency 50: .* \(estimated from 40 of 200 URLs/);
  }, 60_000);
});
