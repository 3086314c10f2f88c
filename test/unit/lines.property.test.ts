import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyLine, cutOffsets, splitBytes, splitString, streamOf, wellFormed } from '../helpers/arbitraries.js';
import { readLines, type InputLine } from '../../src/input/lines.js';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

async function collect(chunks: ReadonlyArray<Buffer | string>, maxLineLength?: number): Promise<InputLine[]> {
  const out: InputLine[] = [];
  for await (const line of readLines(streamOf(chunks), maxLineLength)) out.push(line);
  return out;
}

/**
 * A document: lines (no "\n"; a "\r" anywhere but at the very end, where it would be read as
 * part of a CRLF), each ended by LF or CRLF, the last one optionally unterminated, maybe a BOM.
 */
const documentArb = fc
  .record({
    lines: fc.array(
      anyLine().map((line) => line.replace(/\r+$/, '')),
      { maxLength: 12 },
    ),
    endings: fc.array(fc.constantFrom('\n', '\r\n'), { minLength: 12, maxLength: 12 }),
    terminated: fc.boolean(),
    bom: fc.boolean(),
  })
  .map(({ lines, endings, terminated, bom }) => ({
    text: lines.map((line, i) => line + (i < lines.length - 1 || terminated ? (endings[i] as string) : '')).join(''),
    bom,
    expected: expectedLines(lines.map(wellFormed), bom, terminated),
    // String chunks are not decoded, so lone surrogates pass through them untouched.
    expectedFromStrings: expectedLines(lines, bom, terminated),
  }));

function expectedLines(lines: string[], bom: boolean, terminated: boolean): string[] {
  const expected = [...lines];
  // Without a BOM of its own, a document whose first line starts with U+FEFF has that one read as the BOM.
  if (!bom && expected[0]?.startsWith('\uFEFF')) expected[0] = expected[0].slice(1);
  // With nothing after the last terminator there is no last line to yield.
  if (!terminated && expected.at(-1) === '') expected.pop();
  return expected;
}

describe('readLines (properties)', () => {
  it('yields exactly the original lines, numbered 1..n, however the bytes are chunked', async () => {
    await fc.assert(
      fc.asyncProperty(documentArb, cutOffsets, async ({ text, bom, expected }, offsets) => {
        const bytes = Buffer.concat([bom ? BOM : Buffer.alloc(0), Buffer.from(text, 'utf8')]);
        const lines = await collect(splitBytes(bytes, offsets));
        expect(lines.map((l) => l.text)).toEqual(expected);
        expect(lines.map((l) => l.line)).toEqual(expected.map((_, i) => i + 1));
        expect(lines.every((l) => !l.truncated)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('yields the same lines from string chunks split anywhere, even inside a surrogate pair', async () => {
    await fc.assert(
      fc.asyncProperty(documentArb, cutOffsets, async ({ text, bom, expectedFromStrings }, offsets) => {
        const lines = await collect(splitString((bom ? '\uFEFF' : '') + text, offsets));
        expect(lines.map((l) => l.text)).toEqual(expectedFromStrings);
        expect(lines.map((l) => l.line)).toEqual(expectedFromStrings.map((_, i) => i + 1));
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on arbitrary bytes, and yields one line per LF plus one for a non-empty tail', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 60 }).map((b) => new Uint8Array([0xef, 0xbb, 0xbf, ...b]))),
        cutOffsets,
        async (bytes, offsets) => {
          const lines = await collect(splitBytes(bytes, offsets));
          // A leading BOM is not content: an input of just a BOM has no lines.
          const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
          const newlines = body.filter((byte) => byte === 0x0a).length;
          const tail = body.length - 1 - body.lastIndexOf(0x0a);
          expect(lines).toHaveLength(newlines + (tail > 0 ? 1 : 0));
          expect(lines.map((l) => l.line)).toEqual(lines.map((_, i) => i + 1));
          for (const l of lines) expect(l.text).not.toContain('\n');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('truncates a line longer than maxLineLength to exactly that length and flags it; shorter lines are whole', async () => {
    await fc.assert(
      fc.asyncProperty(documentArb, cutOffsets, fc.integer({ min: 1, max: 8 }), async ({ text, bom, expected }, offsets, max) => {
        const bytes = Buffer.concat([bom ? BOM : Buffer.alloc(0), Buffer.from(text, 'utf8')]);
        const lines = await collect(splitBytes(bytes, offsets), max);
        expect(lines.map((l) => l.line)).toEqual(expected.map((_, i) => i + 1));
        lines.forEach((l, i) => {
          const whole = expected[i] as string;
          expect(l).toEqual({ line: i + 1, text: whole.slice(0, max), truncated: whole.length > max });
        });
      }),
      { numRuns: 300 },
    );
  });
});
