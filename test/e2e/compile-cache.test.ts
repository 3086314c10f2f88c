import { chmod, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import module from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { useFixtureServer } from '../helpers/fixtures.js';
import { useTempDir } from '../helpers/temp-dir.js';

// bin/urlcheck.js turns on Node's module compile cache where the running Node has it (22.1 and
// later), in a folder of the temp dir only this user owns. The cache is an optimisation: every
// case below must run the check exactly as without it, with nothing on stderr but the summary.
const server = useFixtureServer();
const temp = useTempDir('urlcheck-cache-');
const hasCache = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function';
const uid = typeof process.getuid === 'function' ? process.getuid() : null;
const cacheName = uid === null ? 'urlcheck-compile-cache' : `urlcheck-compile-cache-${uid}`;

async function checkOneUrl(env: Record<string, string | undefined>) {
  const list = await temp.listFile('one.txt', [server().url('/ok')]);
  const run = await runCli([list, '-f', 'json'], { env: { NODE_COMPILE_CACHE: undefined, NODE_DISABLE_COMPILE_CACHE: undefined, ...env } });
  expect(run.code).toBe(0);
  expect(JSON.parse(run.stdout).summary.total).toBe(1);
  // The summary goes to stderr (the report is not a terminal); nothing else does.
  expect(run.stderr).not.toMatch(/cache|warning|error|EACCES|ENOTDIR/i);
  return run;
}

async function entries(path: string): Promise<string[]> {
  try {
    return await readdir(path, { recursive: true });
  } catch {
    return [];
  }
}

describe('the compile cache (bin/urlcheck.js)', () => {
  it(hasCache ? 'is written to a private folder in the temp dir, and a second run uses it' : 'writes nothing to the temp dir on a Node without one', async () => {
    const tmp = join(temp.path(), 'tmp');
    await mkdir(tmp);
    await checkOneUrl({ TMPDIR: tmp });
    const folder = join(tmp, cacheName);
    if (!hasCache) {
      expect(await entries(tmp)).toEqual([]);
      return;
    }
    const info = await stat(folder);
    expect(info.isDirectory()).toBe(true);
    expect(info.mode & 0o777).toBe(0o700);
    const written = await entries(folder);
    expect(written.length).toBeGreaterThan(0);
    // The second run reads what the first wrote and adds nothing new for the same files.
    await checkOneUrl({ TMPDIR: tmp });
    expect((await entries(folder)).length).toBe(written.length);
  });

  it('a temp dir that is a file, or missing: no cache, no error', async () => {
    const file = join(temp.path(), 'not-a-folder');
    await writeFile(file, 'x');
    await checkOneUrl({ TMPDIR: file });
    await checkOneUrl({ TMPDIR: join(temp.path(), 'missing', 'deeper') });
    // A missing temp folder is not created.
    expect(await entries(join(temp.path(), 'missing'))).toEqual([]);
    await expect(stat(join(temp.path(), 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a cache folder others can write to is not used (its code would run as this user)', async () => {
    const tmp = join(temp.path(), 'shared');
    const folder = join(tmp, cacheName);
    await mkdir(folder, { recursive: true });
    await chmod(folder, 0o777);
    await checkOneUrl({ TMPDIR: tmp });
    expect(await entries(folder)).toEqual([]);
  });

  it('NODE_DISABLE_COMPILE_CACHE=1 turns it off', async () => {
    const tmp = join(temp.path(), 'off');
    await mkdir(tmp);
    await checkOneUrl({ TMPDIR: tmp, NODE_DISABLE_COMPILE_CACHE: '1' });
    expect(await entries(join(tmp, cacheName))).toEqual([]);
  });
});
