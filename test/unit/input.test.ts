import { describe, expect, it } from 'vitest';
import { MAX_LINE_LENGTH, readLines, type InputLine } from '../../src/input/lines.js';
import { MAX_DISPLAYED_INVALID_LINE, parseTarget, readTargets, type InputSource } from '../../src/input/targets.js';
import type { Target } from '../../src/model/types.js';

async function* chunksOf(...chunks: Array<Buffer | string>): AsyncGenerator<Buffer | string> {
  for (const chunk of chunks) yield chunk;
}

async function lines(chunks: Array<Buffer | string>, maxLineLength?: number): Promise<InputLine[]> {
  const out: InputLine[] = [];
  for await (const line of readLines(chunksOf(...chunks), maxLineLength)) out.push(line);
  return out;
}

async function texts(chunks: Array<Buffer | string>): Promise<string[]> {
  return (await lines(chunks)).map((line) => line.text);
}

async function targets(sources: InputSource[]): Promise<Target[]> {
  const out: Target[] = [];
  for await (const target of readTargets(sources)) out.push(target);
  return out;
}

const source = (name: string, ...chunks: Array<Buffer | string>): InputSource => ({ name, open: () => chunksOf(...chunks) });

describe('readLines', () => {
  it('splits LF and CRLF lines, numbering them from 1', async () => {
    expect(await lines(['a\nb\r\nc\n'])).toEqual([
      { line: 1, text: 'a', truncated: false },
      { line: 2, text: 'b', truncated: false },
      { line: 3, text: 'c', truncated: false },
    ]);
  });

  it('yields a final line that has no newline, and no phantom line after a trailing newline', async () => {
    expect(await texts(['a\nb'])).toEqual(['a', 'b']);
    expect(await texts(['a\n'])).toEqual(['a']);
    expect(await texts(['a\r\n'])).toEqual(['a']);
  });

  it('yields nothing for empty input, and empty lines as empty text', async () => {
    expect(await texts([])).toEqual([]);
    expect(await texts([''])).toEqual([]);
    expect(await texts(['\n\n'])).toEqual(['', '']);
  });

  it('joins lines split across chunks, including a CRLF split between its CR and LF', async () => {
    expect(await texts(['ht', 'tps://a.', 'test/\r', '\nnext', '\r\n'])).toEqual(['https://a.test/', 'next']);
  });

  it('strips a lone CR only at the end of a line', async () => {
    expect(await texts(['a\rb\n'])).toEqual(['a\rb']);
  });

  it('strips a leading UTF-8 BOM, even when its bytes are split across chunks', async () => {
    expect(await texts([Buffer.from('\uFEFFhttps://a.test/\n', 'utf8')])).toEqual(['https://a.test/']);
    expect(await texts([Buffer.from([0xef]), Buffer.from([0xbb, 0xbf]), Buffer.from('x\n')])).toEqual(['x']);
    expect(await texts(['\uFEFFx\n'])).toEqual(['x']);
  });

  it('strips the BOM only at the very start of the input', async () => {
    expect(await texts(['a\n\uFEFFb\n'])).toEqual(['a', '\uFEFFb']);
  });

  it('decodes a multibyte character split across chunks', async () => {
    const bytes = Buffer.from('https://a.test/€→𝄞\n', 'utf8');
    const chunks = [...bytes].map((byte) => Buffer.from([byte]));
    expect(await texts(chunks)).toEqual(['https://a.test/€→𝄞']);
  });

  it('decodes invalid UTF-8 as U+FFFD instead of failing', async () => {
    expect(await texts([Buffer.from([0x61, 0xff, 0xfe, 0x62, 0x0a, 0xc3])])).toEqual(['a\uFFFD\uFFFDb', '\uFFFD']);
  });

  it('keeps NUL bytes as part of the line', async () => {
    expect(await texts([Buffer.from('a\0b\n\0\0\n')])).toEqual(['a\0b', '\0\0']);
  });

  it('truncates a line longer than maxLineLength that arrives in several chunks, and marks it', async () => {
    expect(await lines(['abcde', 'fghij', 'klm\nshort\n'], 8)).toEqual([
      { line: 1, text: 'abcdefgh', truncated: true },
      { line: 2, text: 'short', truncated: false },
    ]);
  });

  it('truncates a long line that arrives in a single chunk too', async () => {
    expect(await lines(['abcdefghijkl\nshort\n'], 8)).toEqual([
      { line: 1, text: 'abcdefgh', truncated: true },
      { line: 2, text: 'short', truncated: false },
    ]);
    expect(await lines(['ok\nabcdefghijkl'], 8)).toEqual([
      { line: 1, text: 'ok', truncated: false },
      { line: 2, text: 'abcdefgh', truncated: true },
    ]);
  });

  it('does not mark a line of exactly maxLineLength as truncated', async () => {
    expect(await lines(['abcd', 'efgh\n'], 8)).toEqual([{ line: 1, text: 'abcdefgh', truncated: false }]);
    expect(await lines(['abcdefgh\n'], 8)).toEqual([{ line: 1, text: 'abcdefgh', truncated: false }]);
  });

  // Found by lines.property.test.ts: the CR of a CRLF counted towards the length.
  it('does not mark a line of exactly maxLineLength ending in CRLF as truncated, however it is chunked', async () => {
    expect(await lines(['abcd\r\nx\n'], 4)).toEqual([
      { line: 1, text: 'abcd', truncated: false },
      { line: 2, text: 'x', truncated: false },
    ]);
    expect(await lines(['abcd', '\r\n'], 4)).toEqual([{ line: 1, text: 'abcd', truncated: false }]);
    expect(await lines(['abcd\r', '\n'], 4)).toEqual([{ line: 1, text: 'abcd', truncated: false }]);
  });

  // Found by lines.property.test.ts (counterexample "\ra", maxLineLength 1): a CR inside the
  // line that fell at the cut was dropped as if it were a line ending.
  it('keeps a CR that falls at the cut of a truncated line', async () => {
    expect(await lines(['\ra'], 1)).toEqual([{ line: 1, text: '\r', truncated: true }]);
    expect(await lines(['abc\rdefg\n'], 4)).toEqual([{ line: 1, text: 'abc\r', truncated: true }]);
  });

  it('holds at most maxLineLength characters of an endless line', async () => {
    async function* endless(): AsyncGenerator<string> {
      for (let i = 0; i < 1000; i += 1) yield 'x'.repeat(100);
      yield '\nafter\n';
    }
    const out: InputLine[] = [];
    for await (const line of readLines(endless(), 50)) out.push(line);
    expect(out).toEqual([
      { line: 1, text: 'x'.repeat(50), truncated: true },
      { line: 2, text: 'after', truncated: false },
    ]);
  });

  it('has a default limit of 1 MiB', () => {
    expect(MAX_LINE_LENGTH).toBe(1024 * 1024);
  });
});

describe('parseTarget', () => {
  it('skips blank lines and # comments', () => {
    for (const text of ['', '   ', '\t', '# a comment', '   # indented comment', '#https://a.test/']) {
      expect(parseTarget(text, 'list.txt', 1)).toBeNull();
    }
  });

  it('trims surrounding whitespace and parses an http(s) URL', () => {
    const target = parseTarget('  \thttps://a.test/x?y=1  ', 'list.txt', 7);
    expect(target).toMatchObject({ display: 'https://a.test/x?y=1', invalid: null, source: 'list.txt', line: 7 });
    expect(target?.url?.href).toBe('https://a.test/x?y=1');
    expect(parseTarget('http://a.test', 's', 1)?.url?.href).toBe('http://a.test/');
  });

  it('turns a line that is not a URL into an INVALID_URL target', () => {
    expect(parseTarget('not a url', 'list.txt', 3)).toEqual({
      display: 'not a url',
      url: null,
      invalid: { code: 'INVALID_URL', message: 'not a valid URL' },
      source: 'list.txt',
      line: 3,
    });
    expect(parseTarget('https://exa mple.test/', 's', 1)?.invalid).toEqual({ code: 'INVALID_URL', message: 'not a valid URL' });
  });

  it('hints at https:// for a line without a scheme', () => {
    expect(parseTarget('example.com/path', 's', 1)?.invalid).toEqual({
      code: 'INVALID_URL',
      message: 'not a valid URL: no scheme (did you mean "https://example.com/path"?)',
    });
    expect(parseTarget('www.example.com', 's', 1)?.invalid?.message).toBe(
      'not a valid URL: no scheme (did you mean "https://www.example.com"?)',
    );
  });

  it('hints at http:// for a host:port without a scheme (which would parse as a scheme)', () => {
    expect(parseTarget('localhost:3000', 's', 1)?.invalid).toEqual({
      code: 'INVALID_URL',
      message: 'not a valid URL: no scheme (did you mean "http://localhost:3000"?)',
    });
    expect(parseTarget('example.com:8080/x?y=1', 's', 1)?.invalid?.message).toBe(
      'not a valid URL: no scheme (did you mean "http://example.com:8080/x?y=1"?)',
    );
    expect(parseTarget('mailto:someone@example.com', 's', 1)?.invalid?.code).toBe('UNSUPPORTED_PROTOCOL');
  });

  it('gives no hint for a line that does not look like a host name', () => {
    expect(parseTarget('hello', 's', 1)?.invalid?.message).toBe('not a valid URL');
    expect(parseTarget('/just/a/path.html', 's', 1)?.invalid?.message).toBe('not a valid URL');
  });

  it('turns another scheme into an UNSUPPORTED_PROTOCOL target', () => {
    expect(parseTarget('ftp://files.test/a', 'list.txt', 4)).toEqual({
      display: 'ftp://files.test/a',
      url: null,
      invalid: { code: 'UNSUPPORTED_PROTOCOL', message: 'unsupported protocol "ftp:"; only http: and https: URLs are checked' },
      source: 'list.txt',
      line: 4,
    });
    expect(parseTarget('javascript:alert(1)', 's', 1)?.invalid?.code).toBe('UNSUPPORTED_PROTOCOL');
  });

  it('marks a truncated line INVALID_URL and elides its display', () => {
    const text = 'https://a.test/'.padEnd(MAX_DISPLAYED_INVALID_LINE + 500, 'x');
    const target = parseTarget(text, 'big.txt', 2, true);
    expect(target?.url).toBeNull();
    expect(target?.invalid).toEqual({ code: 'INVALID_URL', message: 'line is longer than 1 MiB; not a URL' });
    expect(target?.display).toBe(`${text.slice(0, MAX_DISPLAYED_INVALID_LINE)}… (${text.length} characters)`);
  });

  it('elides a long invalid line but keeps a long valid URL whole', () => {
    const junk = 'x'.repeat(1500);
    expect(parseTarget(junk, 's', 1)?.display).toBe(`${'x'.repeat(1000)}… (1500 characters)`);
    const long = `https://a.test/${'y'.repeat(1500)}`;
    expect(parseTarget(long, 's', 1)?.display).toBe(long);
  });

  it('redacts credentials in display but keeps them in url (to be sent)', () => {
    const target = parseTarget('https://user:s3cret@a.test/p', 's', 1);
    expect(target?.display).toBe('https://***@a.test/p');
    expect(target?.url?.password).toBe('s3cret');
    expect(parseTarget('https://TOKEN123@a.test/', 's', 1)?.display).toBe('https://***@a.test/');
    expect(parseTarget('https://user:p@ss@a.test/', 's', 1)?.display).toBe('https://***@a.test/');
  });

  it('redacts credentials in unusual spellings the URL parser still accepts', () => {
    // WHATWG URL parsing accepts these as https URLs with credentials, which would be sent.
    for (const text of ['https:user:s3cret@a.test/', 'https:/user:s3cret@a.test/', 'https:\\\\user:s3cret@a.test/']) {
      const target = parseTarget(text, 's', 1);
      expect(target?.url?.password).toBe('s3cret');
      expect(target?.display).not.toContain('s3cret');
      expect(target?.display).toContain('a.test/');
    }
  });

  it('redacts credentials in lines that are not valid URLs', () => {
    for (const text of ['user:s3cret@a.test/x', '//user:s3cret@a.test/x', 'ftp://user:s3cret@a.test/x']) {
      const target = parseTarget(text, 's', 1);
      expect(target?.invalid).not.toBeNull();
      expect(target?.display).not.toContain('s3cret');
      expect(JSON.stringify(target?.invalid)).not.toContain('s3cret');
    }
  });

  // Found by targets.property.test.ts (counterexamples 'ws:\\QQQQQQ@a.aa', '"http:\\QQQQQQ@a.aa',
  // 'hxxp:\/QQQQQQ@a.aa'): only http(s) lines were redacted up to their "@", and free text only after "://".
  it('redacts credentials after any scheme and any slashes, or after junk before the scheme', () => {
    for (const text of [
      'ws:\\user:s3cret@a.test/',
      'ftp:/user:s3cret@a.test/',
      'hxxp:\\/user:s3cret@a.test/',
      '"http:\\user:s3cret@a.test/',
      'see http:///user:s3cret@a.test/',
      '9https://user:s3cret@a.test/',
    ]) {
      const target = parseTarget(text, 's', 1);
      expect(target?.display).not.toContain('s3cret');
      expect(target?.display).toContain('***@a.test/');
      expect(JSON.stringify(target?.invalid)).not.toContain('s3cret');
    }
    expect(parseTarget('ws:\\user:s3cret@a.test/', 's', 1)?.display).toBe('ws:\\***@a.test/');
    expect(parseTarget('mailto:someone@example.com', 's', 1)?.display).toBe('mailto:***@example.com');
  });

  it('does not echo credentials in the "did you mean" hint', () => {
    const target = parseTarget('s3cret@a.test/x', 's', 1);
    expect(target?.invalid?.code).toBe('INVALID_URL');
    expect(target?.display).not.toContain('s3cret');
    expect(target?.invalid?.message).not.toContain('s3cret');
  });
});

describe('readTargets', () => {
  it('skips blank and comment lines, keeping the original line numbers', async () => {
    const list = await targets([source('urls.txt', '# header\n\nhttps://a.test/\r\n   \n  https://b.test/  \n')]);
    expect(list.map((t) => [t.display, t.source, t.line])).toEqual([
      ['https://a.test/', 'urls.txt', 3],
      ['https://b.test/', 'urls.txt', 5],
    ]);
  });

  it('turns invalid lines into targets with their code and line number', async () => {
    const list = await targets([source('urls.txt', 'https://a.test/\nexample.com\nmailto:x@y.test\nhttps://b.test/')]);
    expect(list.map((t) => [t.line, t.invalid?.code ?? null])).toEqual([
      [1, null],
      [2, 'INVALID_URL'],
      [3, 'UNSUPPORTED_PROTOCOL'],
      [4, null],
    ]);
    expect(list[1]?.invalid?.message).toContain('did you mean "https://example.com"');
  });

  it('turns binary junk and NUL bytes into INVALID_URL targets, not exceptions', async () => {
    const list = await targets([source('junk.bin', Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x0a]), 'https://a.test/\n')]);
    expect(list.map((t) => [t.line, t.invalid?.code ?? null])).toEqual([
      [1, 'INVALID_URL'],
      [2, 'INVALID_URL'],
      [3, null],
    ]);
  });

  it('strips the BOM of each source', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const list = await targets([
      source('a.txt', Buffer.concat([bom, Buffer.from('https://a.test/\n')])),
      source('b.txt', Buffer.concat([bom, Buffer.from('https://b.test/')])),
    ]);
    expect(list.map((t) => [t.source, t.line, t.display, t.invalid])).toEqual([
      ['a.txt', 1, 'https://a.test/', null],
      ['b.txt', 1, 'https://b.test/', null],
    ]);
  });

  it('reads several sources in order, each with its own name and line numbers', async () => {
    const list = await targets([
      source('b.txt', 'https://b1.test/\nhttps://b2.test/\n'),
      source('stdin', '\nhttps://s1.test/'),
      source('a.txt', 'https://a1.test/\n'),
    ]);
    expect(list.map((t) => `${t.source}:${t.line} ${t.display}`)).toEqual([
      'b.txt:1 https://b1.test/',
      'b.txt:2 https://b2.test/',
      'stdin:2 https://s1.test/',
      'a.txt:1 https://a1.test/',
    ]);
  });

  it('marks a line over MAX_LINE_LENGTH as an invalid, truncated target and carries on', async () => {
    async function* huge(): AsyncGenerator<string> {
      yield 'https://a.test/\nhttps://b.test/';
      const block = 'x'.repeat(64 * 1024);
      for (let size = 0; size <= MAX_LINE_LENGTH; size += block.length) yield block;
      yield '\nhttps://c.test/\n';
    }
    const list = await targets([{ name: 'huge.txt', open: huge }]);
    expect(list.map((t) => [t.line, t.invalid?.code ?? null])).toEqual([
      [1, null],
      [2, 'INVALID_URL'],
      [3, null],
    ]);
    expect(list[1]?.invalid?.message).toBe('line is longer than 1 MiB; not a URL');
    expect(list[1]?.display).toBe(`https://b.test/${'x'.repeat(MAX_DISPLAYED_INVALID_LINE - 15)}… (${MAX_LINE_LENGTH} characters)`);
  });

  it('redacts credentials in the display of every target', async () => {
    const list = await targets([source('s', 'https://u:s3cret@a.test/\nnot a url https://u:s3cret@b.test/\n')]);
    expect(list.map((t) => t.display)).toEqual(['https://***@a.test/', 'not a url https://***@b.test/']);
    expect(list[0]?.url?.password).toBe('s3cret');
  });

  it('is lazy: pulls only the chunks needed for the targets consumed, and opens later sources only when reached', async () => {
    let pulled = 0;
    let secondOpened = false;
    async function* counting(): AsyncGenerator<string> {
      for (let i = 1; i <= 1_000_000; i += 1) {
        pulled += 1;
        yield `https://h${i}.test/\n`;
      }
    }
    const iterator = readTargets([
      { name: 'first', open: counting },
      {
        name: 'second',
        open: () => {
          secondOpened = true;
          return chunksOf('https://second.test/\n');
        },
      },
    ])[Symbol.asyncIterator]();
    const taken: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const next = await iterator.next();
      if (next.done === true) break;
      taken.push(next.value.display);
    }
    expect(taken).toEqual(['https://h1.test/', 'https://h2.test/', 'https://h3.test/']);
    expect(pulled).toBeLessThanOrEqual(4);
    expect(secondOpened).toBe(false);
    await iterator.return?.(undefined);
    expect(pulled).toBeLessThanOrEqual(4);
  });

  it('opens a source only when its turn comes, after the previous one is exhausted', async () => {
    const events: string[] = [];
    const logged = (name: string, text: string): InputSource => ({
      name,
      open: () => {
        events.push(`open ${name}`);
        return chunksOf(text);
      },
    });
    for await (const target of readTargets([logged('a', 'https://a.test/\n'), logged('b', 'https://b.test/\n')])) {
      events.push(`target ${target.source}`);
    }
    expect(events).toEqual(['open a', 'target a', 'open b', 'target b']);
  });

  it('propagates a read error from a source (the CLI reports it)', async () => {
    async function* failing(): AsyncGenerator<string> {
      yield 'https://a.test/\n';
      throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
    }
    const iterator = readTargets([{ name: 'f', open: failing }])[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.display).toBe('https://a.test/');
    await expect(iterator.next()).rejects.toThrow('EIO');
  });
});
