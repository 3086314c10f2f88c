import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MAX_DISPLAYED_INVALID_LINE, readTargets } from '../../src/input/targets.js';
import { checkAll } from '../../src/pipeline/pool.js';
import { ERROR_CODES, type CheckResult } from '../../src/model/types.js';
import { collect, testOptions, useFixtureServer } from '../helpers/fixtures.js';
import { seeded } from '../helpers/random.js';

// Bad input through the real pipeline: raw bytes → readTargets → checkAll → results.
// What each line does on its own is unit-tested (test/unit/input.test.ts); this proves that a
// list mixing all of it, read in arbitrary chunks, still gives exactly one result per URL line.

const SOURCE = 'hostile-input.txt';
const USER = 'urlcheck-user';
const PASSWORD = 'S3cret-pw-77';

/** What a line of the input is expected to become. */
type Expect =
  | { kind: 'skipped' }
  | { kind: 'ok' }
  | { kind: 'code'; code: (typeof ERROR_CODES)[number] }
  /** Any stable code, or ok: what the server makes of it is not the point. */
  | { kind: 'any' };

interface Line {
  name: string;
  bytes: Buffer;
  expect: Expect;
}

const skipped: Expect = { kind: 'skipped' };
const ok: Expect = { kind: 'ok' };
const code = (value: (typeof ERROR_CODES)[number]): Expect => ({ kind: 'code', code: value });

/** Bytes in [0, 256) except LF, so the junk stays one line; the first is 0xFF (not a scheme, not blank). */
function binaryJunk(length: number, random: () => number): Buffer {
  const bytes = Buffer.alloc(length);
  bytes[0] = 0xff;
  for (let i = 1; i < length; i += 1) {
    const byte = Math.floor(random() * 256);
    bytes[i] = byte === 0x0a ? 0x00 : byte;
  }
  return bytes;
}

/** Printable ASCII without ":" (so no scheme can appear): text that is plainly not a URL. */
function textJunk(length: number, random: () => number): string {
  const alphabet = ' !"#$%&\'()*+,-./0123456789;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~';
  let text = 'J';
  while (text.length < length) text += alphabet[Math.floor(random() * alphabet.length)];
  return text;
}

/** Splits `bytes` into chunks of random sizes, so lines, CRLFs and UTF-8 sequences straddle chunk ends. */
function chunked(bytes: Buffer, random: () => number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + Math.floor(random() * 4096);
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

describe('bad input through the real pipeline', () => {
  const server = useFixtureServer({ record: true });

  // Guards: a bad line is a result, never an exception nor a silent drop (readLines decodes
  // anything, parseTarget turns anything into a target, checkAll yields one result per target),
  // and URL credentials never reach a result.
  it('one result per URL line, with its line number, a stable code, and no credential', async () => {
    const random = seeded(20_240_611);
    const origin = server().origin;
    const port = server().port;
    const lines: Line[] = [
      { name: 'a UTF-8 BOM, then a URL', bytes: Buffer.from(`\uFEFF${origin}/ok`, 'utf8'), expect: ok },
      { name: 'a comment', bytes: Buffer.from('# urls to check'), expect: skipped },
      { name: 'a blank line', bytes: Buffer.alloc(0), expect: skipped },
      { name: 'whitespace only', bytes: Buffer.from(' \t  '), expect: skipped },
      { name: 'an indented comment', bytes: Buffer.from('   # http://127.0.0.1:1/never'), expect: skipped },
      { name: 'words', bytes: Buffer.from('this is not a url'), expect: code('INVALID_URL') },
      { name: 'ftp:', bytes: Buffer.from('ftp://x.test/file.txt'), expect: code('UNSUPPORTED_PROTOCOL') },
      { name: 'gopher:', bytes: Buffer.from('gopher://x.test/1'), expect: code('UNSUPPORTED_PROTOCOL') },
      { name: '100 KB of junk', bytes: Buffer.from(textJunk(100 * 1024, random)), expect: code('INVALID_URL') },
      { name: 'random binary bytes', bytes: binaryJunk(4096, random), expect: code('INVALID_URL') },
      { name: 'a NUL byte in the path', bytes: Buffer.from(`${origin}/ok\0tail`), expect: code('HTTP_STATUS') },
      { name: 'a NUL byte in the host', bytes: Buffer.from(`http://127.0.0.1\0.test:${port}/ok`), expect: code('INVALID_URL') },
      { name: 'a Latin-1 byte', bytes: Buffer.from(`${origin}/caf\xe9`, 'latin1'), expect: code('HTTP_STATUS') },
      { name: 'the same word in UTF-8', bytes: Buffer.from(`${origin}/café`, 'utf8'), expect: code('HTTP_STATUS') },
      { name: 'an IDN host', bytes: Buffer.from(`http://bücher.test:${port}/ok`, 'utf8'), expect: ok },
      { name: 'credentials', bytes: Buffer.from(`http://${USER}:${PASSWORD}@127.0.0.1:${port}/auth`), expect: ok },
      { name: 'credentials, invalid URL', bytes: Buffer.from(`http://${USER}:${PASSWORD}@[bad/`), expect: code('INVALID_URL') },
      // The server may refuse it (414/431, or cut the connection): it is still one result.
      { name: 'a 60 KB query string', bytes: Buffer.from(`${origin}/ok?q=${'a'.repeat(60 * 1024)}`), expect: { kind: 'any' } },
      { name: 'a comment between URLs', bytes: Buffer.from('#'), expect: skipped },
      { name: 'the last line, without a newline', bytes: Buffer.from(`${origin}/status/404`), expect: code('HTTP_STATUS') },
    ];
    // CRLF and LF endings mixed; no terminator after the last line.
    const input = Buffer.concat(
      lines.flatMap((line, index) => (index === lines.length - 1 ? [line.bytes] : [line.bytes, Buffer.from(index % 2 === 0 ? '\r\n' : '\n')])),
    );
    const chunks = chunked(input, random);

    const results = await collect(
      checkAll(readTargets([{ name: SOURCE, open: () => Readable.from(chunks) }]), testOptions({ timeoutMs: 1_500, retries: 0 })),
    );

    const expected = lines.flatMap((line, index) => (line.expect.kind === 'skipped' ? [] : [{ ...line, number: index + 1 }]));
    expect(results).toHaveLength(expected.length);
    expect(results.map((r) => r.line).sort((a, b) => a - b)).toEqual(expected.map((line) => line.number));
    const byLine = new Map<number, CheckResult>(results.map((r) => [r.line, r]));

    for (const line of expected) {
      const result = byLine.get(line.number) as CheckResult;
      const label = `line ${line.number} (${line.name})`;
      expect(result.source, label).toBe(SOURCE);
      if (result.ok) expect(result.error, label).toBeNull();
      else expect(ERROR_CODES, label).toContain(result.error?.code);
      if (line.expect.kind === 'ok') expect(result, label).toMatchObject({ ok: true, status: 200 });
      if (line.expect.kind === 'code') expect(result.error?.code, label).toBe(line.expect.code);
      // No field, message included, carries the credentials.
      const printed = JSON.stringify(result);
      expect(printed, label).not.toContain(PASSWORD);
      expect(printed, label).not.toContain(USER);
      // A line that is not a URL is shown elided, not whole (a valid URL is kept whole, by design).
      if (result.attempts === 0) expect(result.url.length, label).toBeLessThan(MAX_DISPLAYED_INVALID_LINE + 100);
    }

    const seen = server().requests.map((r) => `${r.headers.host} ${r.path.slice(0, 40)}`);
    // The IDN host went out as its ASCII (punycode) form, through the local resolver.
    expect(seen).toContain(`xn--bcher-kva.test:${port} /ok`);
    // The NUL in the path was percent-encoded, the Latin-1 byte became U+FFFD, UTF-8 stayed UTF-8.
    expect(seen).toContain(`127.0.0.1:${port} /ok%00tail`);
    expect(seen).toContain(`127.0.0.1:${port} /caf%EF%BF%BD`);
    expect(seen).toContain(`127.0.0.1:${port} /caf%C3%A9`);
    // The credentials were sent (as Basic auth), only to the server they were meant for.
    const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    expect(server().requests.filter((r) => r.headers.authorization !== undefined).map((r) => [r.path, r.headers.authorization])).toEqual(
      [['/auth', basic]],
    );
    // Invalid lines were never requested: only the lines with an http(s) URL reached the server.
    expect(server().requests.some((r) => r.path.includes('never'))).toBe(false);
  }, 15_000);
});
