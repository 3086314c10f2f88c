import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyLine, anyText, credential, cutOffsets, splitBytes, streamOf, urlish } from '../helpers/arbitraries.js';
import { parseTarget, readTargets, type InputSource } from '../../src/input/targets.js';
import { printable } from '../../src/util/redact.js';
import type { Target } from '../../src/model/types.js';

const INVALID_CODES = new Set(['INVALID_URL', 'UNSUPPORTED_PROTOCOL']);

/** What any line may be: anything at all, near-URLs, or real web URLs with odd padding. */
const anyInputLine = fc.oneof(
  anyLine(60),
  urlish(),
  fc.tuple(fc.constantFrom('', ' ', '\t', ' \u00a0'), fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.constantFrom('', ' ', '\t')).map(
    ([before, url, after]) => before + url + after,
  ),
);

/** Scheme, separator and prefix variants: the URL parser accepts several; a report must hide credentials in all. */
const credentialLine = fc
  .record({
    junk: fc.constantFrom('', ' ', 'see ', 'x', '9', '_', '<', '"', '\u00e9', 'url='),
    scheme: fc.constantFrom('http', 'https', 'HTTPS', 'hTtP', 'ftp', 'ws', 'git+ssh', 'hxxp'),
    separator: fc.constantFrom('://', ':', ':/', ':\\\\', ':\\/', ':///', '://\\'),
    user: credential,
    password: fc.option(credential, { nil: undefined }),
    userOnly: fc.boolean(),
    host: fc.domain(),
    port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    tail: fc.constantFrom('', '/', '/a/b?q=1', '?x=y', '#frag', '/p@th', '/?to=me@x.test'),
  })
  .map(({ junk, scheme, separator, user, password, userOnly, host, port, tail }) => {
    const userinfo = userOnly || password === undefined ? user : `${user}:${password}`;
    const secrets = userOnly || password === undefined ? [user] : [user, password];
    return { line: `${junk}${scheme}${separator}${userinfo}@${host}${port === undefined ? '' : `:${port}`}${tail}`, secrets };
  });

function expectWellFormedTarget(target: Target, text: string, line: number): void {
  expect(target.source).toBe('s.txt');
  expect(target.line).toBe(line);
  expect(typeof target.display).toBe('string');
  if (target.url !== null) {
    expect(target.invalid).toBeNull();
    expect(['http:', 'https:']).toContain(target.url.protocol);
    expect(new URL(target.url.href).href).toBe(target.url.href);
  } else {
    expect(target.invalid).not.toBeNull();
    expect(INVALID_CODES.has(target.invalid?.code ?? '')).toBe(true);
    expect(target.invalid?.message).toMatch(/\S/);
  }
  if (!text.includes('@')) {
    const trimmed = text.trim();
    // Nothing to redact: the display is the line as given, trimmed and made printable (control
    // characters escaped), elided when long and invalid.
    if (target.url !== null || printable(trimmed).length <= 1000) expect(target.display).toBe(printable(trimmed));
  }
}

describe('parseTarget (properties)', () => {
  it('never throws; null exactly for blank and # lines; otherwise a valid http(s) URL or an invalid target with a code', () => {
    fc.assert(
      fc.property(anyInputLine, fc.integer({ min: 1, max: 1_000_000 }), (text, line) => {
        const target = parseTarget(text, 's.txt', line);
        const trimmed = text.trim();
        if (trimmed === '' || trimmed.startsWith('#')) {
          expect(target).toBeNull();
          return;
        }
        expect(target).not.toBeNull();
        expectWellFormedTarget(target as Target, text, line);
      }),
      { numRuns: 300 },
    );
  });

  it('parses every generated http(s) web URL as a checkable target', () => {
    fc.assert(
      fc.property(fc.webUrl({ validSchemes: ['http', 'https'], withQueryParameters: true, withFragments: true }), (url) => {
        const target = parseTarget(url, 's.txt', 1);
        expect(target?.invalid).toBeNull();
        expect(target?.url?.protocol).toBe(`${url.slice(0, url.indexOf(':'))}:`);
      }),
      { numRuns: 200 },
    );
  });

  it('never shows a URL credential in display or message, however the URL is spelled, valid or not', () => {
    fc.assert(
      fc.property(credentialLine, ({ line, secrets }) => {
        const target = parseTarget(line, 's.txt', 1);
        expect(target).not.toBeNull();
        const shown = JSON.stringify([target?.display, target?.invalid]);
        for (const secret of secrets) expect(shown).not.toContain(secret);
        // A parsed URL keeps its credentials: they are sent, only never shown.
        if (target?.url != null) expect(target.url.username).toBe(secrets[0]);
      }),
      { numRuns: 300 },
    );
  });
});

/** The lines of a decoded document the way a reader should see them. */
function splitDocument(text: string): string[] {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lines = body.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  // "a\n" is one line, not two; "" is none.
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

const documentBytes = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.array(fc.oneof(anyInputLine, fc.constantFrom('', '   ', '# comment', ' #x', '\r')), { maxLength: 15 }).chain((lines) =>
    fc.constantFrom('\n', '\r\n').map((eol) => new Uint8Array(Buffer.from(lines.join(eol), 'utf8'))),
  ),
);

describe('readTargets (properties)', () => {
  it('turns every non-blank, non-comment line of any document into exactly one target with its own line number', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(documentBytes, cutOffsets), { minLength: 1, maxLength: 3 }),
        async (documents) => {
          const sources: InputSource[] = documents.map(([bytes, offsets], i) => ({
            name: `doc${i}.txt`,
            open: () => streamOf(splitBytes(bytes, offsets)),
          }));
          const targets: Target[] = [];
          for await (const target of readTargets(sources)) targets.push(target);

          const expected = documents.flatMap(([bytes], i) =>
            splitDocument(Buffer.from(bytes).toString('utf8'))
              .map((text, index) => ({ text, source: `doc${i}.txt`, line: index + 1 }))
              .filter(({ text }) => text.trim() !== '' && !text.trim().startsWith('#')),
          );
          expect(targets.map((t) => `${t.source}:${t.line}`)).toEqual(expected.map((e) => `${e.source}:${e.line}`));
          targets.forEach((target, i) => {
            const { text, source, line } = expected[i] as (typeof expected)[number];
            expect(target).toEqual(parseTarget(text, source, line));
          });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reads any text, whatever its line endings, without throwing', async () => {
    await fc.assert(
      fc.asyncProperty(anyText(200), async (text) => {
        let count = 0;
        for await (const target of readTargets([{ name: 's.txt', open: () => streamOf([text]) }])) {
          count += 1;
          expect(target.source).toBe('s.txt');
        }
        expect(count).toBeLessThanOrEqual(text.split('\n').length);
      }),
      { numRuns: 150 },
    );
  });
});
