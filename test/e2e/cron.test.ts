import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, collectExit } from '../helpers/cli.js';
import { startHttpServer, type LocalServer } from '../helpers/servers.js';
import { useTempDir } from '../helpers/temp-dir.js';

// The README's cron recipe, run as cron runs it: `sh -c` with PATH=/usr/bin:/bin, HOME and
// nothing else (no terminal, no locale, no npm or CI variables). The line is read from the
// README itself, so the README cannot drift from what is tested. Two stand-ins, both as the
// README describes them: the site folder (/srv/site) is a temporary folder, and the folder of
// `npm install --global` (/usr/local/bin) is a folder holding `node` (the node running the tests)
// and `urlcheck`, each a symlink, as npm links a global bin.

const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const SITE = '/srv/site';
const GLOBAL_BIN = '/usr/local/bin';
/** Text that has only ASCII characters (cron mail with no locale set). */
const ASCII_ONLY = /^[\x00-\x7f]*$/;

interface ShellRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The README's "From cron" section: its first run by hand and the command of its crontab entry. */
async function cronRecipe(): Promise<{ firstRun: string; cronCommand: string }> {
  const readme = await readFile(README, 'utf8');
  const start = readme.indexOf('\n## From cron\n');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const firstRun = /^cd \/srv\/site && urlcheck [^\n#]*-o last\.json$/m.exec(section)?.[0];
  const entry = /```cron\n(?:#.*\n)*(.*)\n```/.exec(section)?.[1];
  if (firstRun === undefined || entry === undefined) throw new Error("README: no first run or crontab entry under '## From cron'");
  // A crontab entry: five schedule fields, then the command cron hands to /bin/sh.
  const cronCommand = entry.replace(/^(\S+\s+){5}/, '');
  return { firstRun, cronCommand };
}

/** Runs `command` as cron does: `env -i PATH=/usr/bin:/bin HOME=/tmp sh -c command`. */
function asCron(command: string, path = '/usr/bin:/bin'): Promise<ShellRun> {
  const child = spawn('/usr/bin/env', ['-i', `PATH=${path}`, 'HOME=/tmp', 'sh', '-c', command], { stdio: ['ignore', 'pipe', 'pipe'] });
  return collectExit(child);
}

describe('the README cron recipe, under cron\'s environment', () => {
  const temp = useTempDir('urlcheck-cron-');
  const broken = new Set<string>();
  let server: LocalServer;
  let site = '';
  let globalBin = '';

  beforeAll(async () => {
    server = await startHttpServer((req, res) => {
      res.writeHead(broken.has(req.url ?? '') ? 404 : 200, { 'content-type': 'text/plain' });
      res.end('page\n');
    });
    site = join(temp.path(), 'site');
    globalBin = join(temp.path(), 'global', 'bin');
    await mkdir(site);
    await mkdir(globalBin, { recursive: true });
    await symlink(process.execPath, join(globalBin, 'node'));
    await symlink(BIN, join(globalBin, 'urlcheck'));
    await writeFile(join(site, 'urls.txt'), ['# pages of the site', server.url('/'), server.url('/about'), server.url('/contact'), ''].join('\n'));
  });
  afterAll(async () => {
    await server.close();
  });

  const here = (command: string) => command.replaceAll(SITE, site).replaceAll(GLOBAL_BIN, globalBin);
  const startedAt = async () => (JSON.parse(await readFile(join(site, 'last.json'), 'utf8')) as { startedAt: string }).startedAt;

  it('is quiet while nothing changes, mails a newly failing URL once, then its recovery', async () => {
    const { firstRun, cronCommand } = await cronRecipe();
    expect(cronCommand).toContain(GLOBAL_BIN);

    // Without the global bin folder on PATH, as the recipe warns, the command is not found
    // (unless this machine has urlcheck installed where cron looks).
    if (!existsSync('/usr/bin/urlcheck') && !existsSync('/bin/urlcheck')) {
      const bare = await asCron(here(cronCommand.slice(cronCommand.indexOf('cd '))));
      expect(bare.stderr).toMatch(/urlcheck: (command )?not found/);
    }

    // The first report, by hand: a shell whose PATH has the global bin folder.
    const first = await asCron(here(firstRun), `${globalBin}:/usr/bin:/bin`);
    expect(first.code).toBe(0);
    // Its summary goes to stderr (the report went to a file), in ASCII as well: no locale is set.
    expect(first.stderr).toMatch(/\b3 healthy\b/);
    expect(first.stderr).toMatch(ASCII_ONLY);
    const firstStartedAt = await startedAt();

    // An hour later: nothing changed, so nothing to mail; the new report replaced the old.
    const unchanged = await asCron(here(cronCommand));
    expect(unchanged).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await startedAt()).not.toBe(firstStartedAt);
    expect(existsSync(join(site, 'next.json'))).toBe(false);

    // A page breaks: the mail says which, at which line, in ASCII (no locale); exit 1.
    broken.add('/about');
    const newlyFailing = await asCron(here(cronCommand));
    expect(newlyFailing.code).toBe(1);
    expect(newlyFailing.stderr).toBe('');
    expect(newlyFailing.stdout).toContain(server.url('/about'));
    expect(newlyFailing.stdout).toContain('urls.txt:3');
    expect(newlyFailing.stdout).toMatch(/\b1 newly failing\b/);
    expect(newlyFailing.stdout).not.toContain(server.url('/contact'));
    expect(newlyFailing.stdout).toMatch(ASCII_ONLY);

    // Still broken an hour later: not news, so no mail, and exit 0 (--fail-on new).
    expect(await asCron(here(cronCommand))).toEqual({ code: 0, stdout: '', stderr: '' });

    // Fixed: the recovery is mailed once.
    broken.delete('/about');
    const recovered = await asCron(here(cronCommand));
    expect(recovered.code).toBe(0);
    expect(recovered.stderr).toBe('');
    expect(recovered.stdout).toContain(server.url('/about'));
    expect(recovered.stdout).toMatch(/\b1 recovered\b/);
    expect(recovered.stdout).toMatch(ASCII_ONLY);
    expect(await asCron(here(cronCommand))).toEqual({ code: 0, stdout: '', stderr: '' });
  }, 60_000);
});
