import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countTargets } from '../../src/input/count.js';
import { readTargetBatches } from '../../src/input/targets.js';
import { useTempDir } from '../helpers/temp-dir.js';

const temp = useTempDir('urlcheck-count-');

async function fileWith(name: string, content: string | Buffer): Promise<string> {
  const path = join(temp.path(), name);
  await writeFile(path, content);
  return path;
}

/** How many targets the real reader makes of `content`: what the count must agree with. */
async function targetsRead(content: string): Promise<number> {
  let count = 0;
  for await (const batch of readTargetBatches([{ name: 'x', open: async function* () { yield Buffer.from(content); } }])) count += batch.length;
  return count;
}

describe('countTargets', () => {
  it('skips blank lines and comments, with LF or CRLF endings, a BOM, and no final newline', async () => {
    const path = await fileWith(
      'mixed.txt',
      '\uFEFF# header\r\nhttps://a.test/\r\n\r\n   \t\r\n  # indented comment\nnot a url\n\u00A0\u3000\n  https://b.test/  \nhttps://c.test/',
    );
    expect(await countTargets([path])).toBe(4);
  });

  it('counts every file given, the same file twice if it is given twice', async () => {
    const one = await fileWith('one.txt', 'https://a.test/\n');
    const two = await fileWith('two.txt', 'https://b.test/\nhttps://c.test/\n');
    expect(await countTargets([one, two, one])).toBe(4);
  });

  it('counts empty files, and files of only comments, as 0', async () => {
    const empty = await fileWith('empty.txt', '');
    const comments = await fileWith('comments.txt', '# a\n#b\n\n');
    expect(await countTargets([empty, comments])).toBe(0);
  });

  it('agrees with the reader on lines cut by chunk boundaries and multi-byte characters', async () => {
    // Lines longer than a read chunk, a CRLF and a 3-byte space right across chunk edges.
    const long = `https://a.test/${'x'.repeat(300 * 1024)}`;
    const content = `${long}\r\n${' '.repeat(256 * 1024 - 3)}\u3000\n#${'y'.repeat(256 * 1024)}\n\u00A0https://b.test/`;
    const path = await fileWith('chunks.txt', content);
    expect(await countTargets([path])).toBe(await targetsRead(content));
    expect(await countTargets([path])).toBe(2);
  });

  it('agrees with the reader on any mix of lines', async () => {
    const piece = fc.constantFrom('https://a.test/', '#c', ' ', '\t', '\r', '\n', '\r\n', '\u00A0', '\uFEFF', 'x', '\u2028', '\u0085', '#', '\u00e9');
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 40 }), async (pieces) => {
        const content = pieces.join('');
        const path = await fileWith('property.txt', content);
        expect(await countTargets([path])).toBe(await targetsRead(content));
      }),
      { numRuns: 150 },
    );
  });

  it('is null when an input is stdin or not a regular file', async () => {
    const path = await fileWith('plain.txt', 'https://a.test/\n');
    const dir = join(temp.path(), 'a-directory');
    await mkdir(dir, { recursive: true });
    expect(await countTargets([path, '-'])).toBeNull();
    expect(await countTargets([dir])).toBeNull();
    expect(await countTargets(['/dev/null'])).toBeNull();
    expect(await countTargets([join(temp.path(), 'missing.txt')])).toBeNull();
  });

  it('rejects with the reason when its signal aborts', async () => {
    const path = await fileWith('abort.txt', 'https://a.test/\n');
    const reason = new Error('stop');
    await expect(countTargets([path], AbortSignal.abort(reason))).rejects.toBe(reason);
  });

  it('counts a million-line list', async () => {
    const path = join(temp.path(), 'million.txt');
    const stream = createWriteStream(path);
    const block: string[] = [];
    for (let i = 0; i < 1000; i += 1) block.push(i % 100 === 0 ? '# section' : i % 250 === 1 ? '' : `https://host${i}.test/page`);
    const text = `${block.join('\n')}\n`;
    for (let i = 0; i < 1000; i += 1) if (!stream.write(text)) await once(stream, 'drain');
    stream.end();
    await once(stream, 'close');
    // Per block of 1,000 lines: 10 comments, 4 blank lines.
    expect(await countTargets([path])).toBe(986_000);
  });
});
