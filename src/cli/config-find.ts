// Finding the config file is on every run's start-up path; parsing it (yaml, zod) is not,
// so the two live apart and config.ts is only loaded when a file exists.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';

/** The config file names looked for, in this order, in the working directory. */
export const CONFIG_FILE_NAMES = ['urlcheck.config.json', 'urlcheck.config.yaml', 'urlcheck.config.yml'];

/** The first of {@link CONFIG_FILE_NAMES} that is a file in `cwd` (parents are not searched), or null. */
export async function findConfig(cwd: string): Promise<string | null> {
  for (const name of CONFIG_FILE_NAMES) {
    const path = join(cwd, name);
    try {
      if ((await stat(path)).isFile()) return path;
    } catch {
      // Absent (or not even stat-able): try the next name; loadConfig reports unreadable files.
    }
  }
  return null;
}
