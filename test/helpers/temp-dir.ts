import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/** A temporary directory for the file's tests, removed afterwards, and a way to write URL lists into it. */
export function useTempDir(prefix: string): { path: () => string; listFile: (name: string, lines: string[]) => Promise<string> } {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return {
    path: () => dir,
    listFile: async (name, lines) => {
      const path = join(dir, name);
      await writeFile(path, `${lines.join('\n')}\n`);
      return path;
    },
  };
}
