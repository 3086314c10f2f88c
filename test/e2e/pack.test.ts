import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type LocalServer } from '../helpers/servers.js';
import { collectExit } from '../helpers/cli.js';

// The package as a user gets it, outside this checkout: packed with `npm pack`, or installed from
// a git URL (which builds through `prepare`), into an empty folder, then run through npx. The
// one place the tests may reach the npm registry: installing the package's own dependencies,
// which npm's cache (filled by `npm ci`) usually answers (`--prefer-offline`). The URLs checked
// are a local server's, as everywhere.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const VERSION = (JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
/** npm and npx run on the node running the tests (the line under test), and so does the installed bin. */
const PATH = `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`;
/** Room for `npm install` from a git URL, which installs the dev dependencies and builds (`prepare`). */
const GIT_INSTALL_MS = 300_000;

/** npm settings a user or CI may set to reach its registry; every other npm_* variable is left out. */
const NPM_KEEP = new Set(
  ['registry', 'cache', 'userconfig', 'globalconfig', 'cafile', 'proxy', 'https_proxy', 'noproxy', 'strict_ssl'].map((key) => `npm_config_${key}`),
);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command` (no shell) in `cwd`; a clean npm environment, no colour, no update notices. */
function run(command: string, args: string[], cwd: string): Promise<Run> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    PATH,
    NO_COLOR: '1',
    FORCE_COLOR: undefined,
    NO_UPDATE_NOTIFIER: '1',
    GITHUB_ACTIONS: undefined,
    GITHUB_STEP_SUMMARY: undefined,
  };
  // Under `npm test`, npm hands its whole configuration to the script as npm_* variables (the
  // prefixes and paths of this checkout among them): the child npm keeps only where to fetch from.
  for (const key of Object.keys(env)) if (key.toLowerCase().startsWith('npm_') && !NPM_KEEP.has(key.toLowerCase())) delete env[key];
  env.npm_config_update_notifier = 'false';
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return collectExit(child);
}

/** `run`, failing with npm's own words when it did not exit 0. */
async function ok(command: string, args: string[], cwd: string): Promise<Run> {
  const result = await run(command, args, cwd);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.code}\n${result.stderr}${result.stdout}`);
  return result;
}

/**
 * Installs `spec` into a new folder under `base`, as a user's project would; returns the folder
 * and npm's output. `allowScripts` is the project's policy for install scripts (npm 11.16+): npm
 * lists every dependency whose scripts it has not been told about, in a warning, and a future npm
 * will skip them.
 */
async function installInto(base: string, name: string, spec: string, allowScripts: Record<string, boolean>): Promise<{ app: string; output: string }> {
  const app = join(base, name);
  await mkdir(app);
  await writeFile(join(app, 'package.json'), `${JSON.stringify({ private: true, allowScripts }, null, 2)}\n`);
  const install = await ok('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', spec], app);
  return { app, output: `${install.stdout}${install.stderr}` };
}

let server: LocalServer;
let temp = '';
beforeAll(async () => {
  temp = await mkdtemp(join(tmpdir(), 'urlcheck-pack-'));
  server = await startHttpServer((req, res) => {
    res.writeHead(req.url === '/ok' ? 200 : 404, { 'content-type': 'text/plain', connection: 'keep-alive' });
    res.end(req.method === 'HEAD' ? undefined : 'body\n');
  });
});
afterAll(async () => {
  await server.close();
  await rm(temp, { recursive: true, force: true });
});

/** What every install must give: a working `npx urlcheck` (exit codes, results, version) and the library entry. */
async function expectWorkingInstall(app: string): Promise<void> {
  await writeFile(join(app, 'good.txt'), `${server.url('/ok')}\n`);
  await writeFile(join(app, 'bad.txt'), `${server.url('/ok')}\n${server.url('/gone')}\n`);

  const version = await run('npx', ['--no', '--', 'urlcheck', '--version'], app);
  expect({ code: version.code, stdout: version.stdout.trim() }).toEqual({ code: 0, stdout: VERSION });

  const good = await run('npx', ['--no', '--', 'urlcheck', 'good.txt'], app);
  expect(good.stderr).toBe('');
  expect(good.code).toBe(0);
  expect(good.stdout).toContain('1 healthy');

  const bad = await run('npx', ['--no', '--', 'urlcheck', 'bad.txt', '-f', 'ndjson', '--retries', '0'], app);
  expect(bad.code).toBe(1);
  const results = bad.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { url: string; status: number; verdict: string })
    .map(({ url, status, verdict }) => ({ url, status, verdict }))
    .sort((a, b) => a.url.localeCompare(b.url));
  expect(results).toEqual([
    { url: server.url('/gone'), status: 404, verdict: 'broken' },
    { url: server.url('/ok'), status: 200, verdict: 'healthy' },
  ]);

  // The library's entry, through the package's exports map.
  const library = await run(process.execPath, ['--input-type=module', '-e', "const m = await import('urlcheck'); console.log(typeof m.runChecks, typeof m.checkAll)"], app);
  expect(library).toMatchObject({ code: 0, stdout: 'function function\n' });
}

describe('npm pack', () => {
  let tarball = '';
  let files: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'bundle', 'cli.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does) before the e2e tests');
    // --ignore-scripts: pack the dist/ the other tests run rather than rebuild it under them (prepare).
    const pack = await ok('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', temp], ROOT);
    const [info] = JSON.parse(pack.stdout) as Array<{ filename: string; size: number; unpackedSize: number; entryCount: number; files: Array<{ path: string }> }>;
    if (info === undefined) throw new Error(`npm pack said nothing:\n${pack.stdout}`);
    tarball = join(temp, info.filename);
    files = info.files.map((file) => file.path);
    console.info(
      `[measure] npm pack: ${info.filename} ${(info.size / 1024).toFixed(1)} kB, unpacked ${(info.unpackedSize / 1024).toFixed(1)} kB, ${info.entryCount} files`,
    );
  });

  it('holds the bin, the built code and the README, and no source, test or fixture file', () => {
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'bin/urlcheck.js', 'dist/index.js', 'dist/index.d.ts', 'dist/bundle/cli.js']));
    const unwanted = files.filter((path) => /^(src|test|fixtures|bench|scripts|action|\.ci)\//.test(path) || (/\.[cm]?ts$/.test(path) && !/\.d\.[cm]?ts$/.test(path)) || path.endsWith('.map'));
    expect(unwanted).toEqual([]);
  });

  it(
    'installs into an empty folder with --omit=dev, without a warning, and `npx urlcheck` works there',
    async () => {
      // npm counts `prepare` as an install script of a package from a file or git, not from the
      // registry: denied here, as a registry install never runs it. So the package must work
      // without any install script, and a dependency with one would still show in a warning.
      const { app, output } = await installInto(temp, 'from-tarball', tarball, { [`file:${tarball}`]: false });
      expect(output).not.toMatch(/npm warn/i);
      await expectWorkingInstall(app);
    },
    GIT_INSTALL_MS,
  );
});

describe('npm install from a git URL', () => {
  it(
    'a git+file:// URL of a clone installs (built by `prepare`) and `npx urlcheck` works there',
    async (ctx) => {
      const head = await run('git', ['rev-parse', '--verify', 'HEAD'], ROOT);
      ctx.skip(head.code !== 0, 'not a git checkout with a commit');
      // What a user's git URL gives: the committed HEAD, not this checkout's uncommitted work.
      const clone = join(temp, 'clone');
      await ok('git', ['clone', '--quiet', '--no-local', ROOT, clone], temp);
      const started = performance.now();
      // From git, `prepare` must run (it builds dist/): allowed, as the README's Install says.
      const { app, output } = await installInto(temp, 'from-git', `git+file://${clone}`, { [`git+file://${clone}`]: true });
      console.info(`[measure] npm install git+file:// (prepare builds): ${((performance.now() - started) / 1000).toFixed(1)} s`);
      expect(output).not.toMatch(/npm warn/i);
      await expectWorkingInstall(app);
    },
    GIT_INSTALL_MS,
  );
});
