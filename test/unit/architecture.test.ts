// The layering rules of STYLE.md that dependency-cruiser cannot see (it reads imports, not
// `process` or `createRequire`), and proof that `npm run lint:arch` fails on a violation.
import { execFile } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../helpers/temp-dir.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

/** The file's code with comments blanked out, so a JSDoc that names `process.env` does not count. */
function codeOf(path: string): string {
  return readFileSync(path, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
}

describe('architecture', () => {
  const files = sourceFiles(SRC).map((path) => ({ path, name: relative(SRC, path).split('\\').join('/') }));

  it('only cli/ (and the demo) touches process.argv, process.env and process.exit', () => {
    const offenders = files
      .filter(({ name }) => !name.startsWith('cli/') && !name.startsWith('demo/'))
      .filter(({ path }) => /\bprocess\.(argv|env|exit|exitCode)\b/.test(codeOf(path)))
      .map(({ name }) => name);
    expect(offenders).toEqual([]);
  });

  it('only net/ loads undici at run time (type imports aside)', () => {
    const offenders = files
      .filter(({ name }) => !name.startsWith('net/'))
      .filter(({ path }) => /(require\w*\(\s*['"`]undici|import\(\s*['"`]undici|^import (?!type)[^;]*from 'undici)/m.test(codeOf(path)))
      .map(({ name }) => name);
    expect(offenders).toEqual([]);
  });

  describe('npm run lint:arch', () => {
    const temp = useTempDir('urlcheck-arch-');
    let trees = 0;
    const run = promisify(execFile);
    const cruise = (cwd: string) =>
      run(process.execPath, [join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs'), 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], { cwd }).then(
        () => ({ code: 0, output: '' }),
        (error: { code: number; stdout: string }) => ({ code: error.code, output: error.stdout }),
      );

    // A copy of the real tree, with one forbidden import added: the config must refuse it.
    const copyTree = () => {
      const dir = join(temp.path(), `tree-${trees++}`);
      cpSync(SRC, join(dir, 'src'), { recursive: true });
      for (const file of ['.dependency-cruiser.cjs', 'tsconfig.json', 'package.json']) cpSync(join(ROOT, file), join(dir, file));
      symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
      return dir;
    };
    const violate = (file: string, line: string) => {
      const dir = copyTree();
      const path = join(dir, 'src', file);
      writeFileSync(path, `${line}\n${readFileSync(path, 'utf8')}`);
      return dir;
    };

    it('passes on the tree as it is', async () => {
      const { code, output } = await cruise(copyTree());
      expect(output).toBe('');
      expect(code).toBe(0);
    }, 60_000);

    it('fails when input/ imports check/', async () => {
      const dir = violate('input/lines.ts', "import '../check/check.js';");
      const { code, output } = await cruise(dir);
      expect(code).not.toBe(0);
      expect(output).toContain('input-imports-only');
    }, 60_000);

    it('fails on an import cycle', async () => {
      const dir = violate('model/types.ts', "import type { Summary } from './summary.js';");
      const { code, output } = await cruise(dir);
      expect(code).not.toBe(0);
      expect(output).toContain('no-circular');
    }, 60_000);
  });
});
