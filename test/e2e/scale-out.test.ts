import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/demo/fixture-server.js';
import { runCli } from '../helpers/cli.js';
import { useTempDir } from '../helpers/temp-dir.js';

// Sharding across runners, then merging: what a CI matrix or a Kubernetes Indexed Job does.
// Several servers on 127.0.0.1 make several hosts (origins), so the partition by host shows.
const SERVERS = 6;
let servers: FixtureServer[] = [];
const temp = useTempDir('urlcheck-shards-');
const env = { GITHUB_ACTIONS: undefined, GITHUB_STEP_SUMMARY: undefined, HTTP_PROXY: undefined, HTTPS_PROXY: undefined };
const run = (args: string[]) => runCli(args, { cwd: temp.path(), env });

beforeAll(async () => {
  servers = await Promise.all(Array.from({ length: SERVERS }, () => startFixtureServer()));
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

interface Row {
  url: string;
  source: string;
  line: number;
  ok: boolean;
  status: number | null;
  verdict: string;
}

const key = (row: Row) => `${row.source}:${row.line}`;
const shape = (row: Row) => ({ url: row.url, line: row.line, ok: row.ok, status: row.status, verdict: row.verdict });

async function listOfManyHosts(): Promise<string> {
  const lines: string[] = [];
  servers.forEach((server, index) => {
    lines.push(server.url(`/ok?host=${index}`), server.url(`/status/404?host=${index}`), server.url(`/redirect/1?host=${index}`));
  });
  lines.push('not a url', 'ftp://example.test/file');
  return temp.listFile('many-hosts.txt', lines);
}

describe('--shard i/n and urlcheck merge', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('%i shards: disjoint, every line once, every host in one shard; merged equals one run', async (n) => {
    const list = await listOfManyHosts();
    const single = await run([list, '--retries', '0', '-f', 'json', '-o', join(temp.path(), `single-${n}.json`)]);
    const singleReport = JSON.parse(await readFile(join(temp.path(), `single-${n}.json`), 'utf8')) as { results: Row[]; summary: Record<string, unknown> };

    const shardFiles: string[] = [];
    const hostsPerShard: Array<Set<string>> = [];
    const seen = new Map<string, number>();
    for (let i = 1; i <= n; i += 1) {
      const path = join(temp.path(), `shard-${n}-${i}.ndjson`);
      shardFiles.push(path);
      const shard = await run([list, '--retries', '0', '--shard', `${i}/${n}`, '-f', 'ndjson', '-o', path]);
      expect([0, 1]).toContain(shard.code);
      const text = await readFile(path, 'utf8');
      const rows = text === '' ? [] : text.trimEnd().split('\n').map((line) => JSON.parse(line) as Row);
      hostsPerShard.push(new Set(rows.flatMap((row) => (row.url.startsWith('http://127.0.0.1:') ? [new URL(row.url).host] : []))));
      for (const row of rows) seen.set(key(row), (seen.get(key(row)) ?? 0) + 1);
    }
    // The union is the input, and no line is in two shards.
    expect([...seen.keys()].sort()).toEqual(singleReport.results.map(key).sort());
    expect([...seen.values()].every((count) => count === 1)).toBe(true);
    // Each host in exactly one shard.
    const owners = new Map<string, number>();
    hostsPerShard.forEach((hosts) => hosts.forEach((host) => owners.set(host, (owners.get(host) ?? 0) + 1)));
    expect(owners.size).toBe(SERVERS);
    expect([...owners.values()].every((count) => count === 1)).toBe(true);

    const mergedPath = join(temp.path(), `merged-${n}.json`);
    const merged = await run(['merge', ...shardFiles, '-f', 'json', '-o', mergedPath]);
    expect(merged.code).toBe(single.code);
    const mergedReport = JSON.parse(await readFile(mergedPath, 'utf8')) as { results: Row[]; summary: Record<string, unknown> };
    const byKey = (rows: Row[]) => rows.map(shape).sort((a, b) => a.line - b.line);
    expect(byKey(mergedReport.results)).toEqual(byKey(singleReport.results));
    for (const field of ['total', 'healthy', 'unhealthy', 'byVerdict', 'byCode', 'byStatusClass', 'redirected', 'byWarning']) {
      expect({ field, value: mergedReport.summary[field] }).toEqual({ field, value: singleReport.summary[field] });
    }
  });

  it('the same input gives the same shards on every run', async () => {
    const list = await listOfManyHosts();
    const dumpAll = async () => Promise.all([1, 2, 3].map(async (i) => (await run([list, '--shard', `${i}/3`, '--dump'])).stdout));
    const first = await dumpAll();
    expect(first.join('')).not.toBe('');
    expect(await dumpAll()).toEqual(first);
  });

  it('rejects a bad --shard with one line', async () => {
    const list = await listOfManyHosts();
    for (const bad of ['0/4', '5/4', '1/0', 'x']) {
      const result = await run([list, '--shard', bad]);
      expect(result.code).toBe(2);
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/^urlcheck: --shard: /);
    }
  });

  it('merge: a missing report is a usage error', async () => {
    const result = await run(['merge', join(temp.path(), 'nope.ndjson')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^urlcheck: cannot read report/);
  });
});
