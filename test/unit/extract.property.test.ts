import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyText, urlish } from '../helpers/arbitraries.js';
import { documentAnchors } from '../../src/input/anchors.js';
import { extractHtmlLinks } from '../../src/input/extract-html.js';
import { extractMarkdownLinks } from '../../src/input/extract-markdown.js';
import { IgnoreComments } from '../../src/input/ignore-comments.js';

/** Pieces of Markdown and HTML syntax, so random documents reach the parsers' corners. */
const syntaxPiece = fc.constantFrom(
  '[', ']', '(', ')', '![', '](', '<', '>', '</', '/>', '`', '```', '~~~', '$$', '$', '*', '_', '~~', '|', '\\', '#', '# ', '> ', '- ', '1. ', '    ', '\t',
  '\n', '\n\n', '\r\n', '\r', ' ', '=', '---', '===', ':', '"', "'", '&amp;', '&#x26;', '&#0;', '&bogus;', '&', '\0', '\uFEFF', '\u2028', 'é', '日本', '🎉', '\uD800',
  '[r]: ', '[r]', '[^1]', '<a href="', '<img src=', '<a name="n">', ' id="i"', '<!--', '-->', '<!-- urlcheck-disable -->', '<!-- urlcheck-disable-next-line -->',
  '<!-- urlcheck-enable -->', '<![CDATA[', ']]>', '<script>', '</script>', '<div>', '</div>', '<Card href="', '{x}', 'https://', 'www.', 'a@b.test', 'mailto:',
  'javascript:', 'tel:1', 'x.test', '/path', '?q=1', '#frag', '| a |', '| - |', 'text',
);

/** Random documents: syntax pieces, URL-ish strings and any text at all, mixed. */
const documentArb = fc.oneof(
  fc.array(fc.oneof(syntaxPiece, urlish(6), anyText(6)), { maxLength: 80 }).map((pieces) => pieces.join('')),
  anyText(200),
);

/** Lines as the Markdown extractor counts them (CRLF, CR and LF each end one), and as the HTML extractor does (LF). */
function markdownLines(text: string): number {
  return text.split(/\r\n|\r|\n/).length;
}

function htmlLines(text: string): number {
  return text.split('\n').length;
}

describe('document extraction (properties)', () => {
  it('extractMarkdownLinks never throws on random Markdown, and every line is one of the document', () => {
    fc.assert(
      fc.property(documentArb, (markdown) => {
        const ignores = new IgnoreComments();
        const links = extractMarkdownLinks(markdown, ignores);
        const lines = markdownLines(markdown);
        for (const link of links) {
          expect(typeof link.href).toBe('string');
          expect(Number.isInteger(link.line)).toBe(true);
          expect(link.line).toBeGreaterThanOrEqual(1);
          expect(link.line).toBeLessThanOrEqual(lines);
        }
        expect(ignores.ignored).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 2_000 },
    );
  });

  it('extractHtmlLinks never throws on random HTML, and every line is one of the document (from firstLine on)', () => {
    fc.assert(
      fc.property(documentArb, fc.integer({ min: 1, max: 1_000 }), (html, firstLine) => {
        const { links, baseHref } = extractHtmlLinks(html, firstLine, { components: true, ignores: new IgnoreComments() });
        const last = firstLine + htmlLines(html) - 1;
        for (const link of links) {
          expect(link.line).toBeGreaterThanOrEqual(firstLine);
          expect(link.line).toBeLessThanOrEqual(last);
        }
        expect(baseHref === null || typeof baseHref === 'string').toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('documentAnchors never throws on random Markdown or HTML, and offers no empty anchor', () => {
    fc.assert(
      fc.property(documentArb, fc.constantFrom('markdown' as const, 'html' as const), (text, kind) => {
        const anchors = documentAnchors(kind, text);
        for (const anchor of anchors) expect(anchor).not.toBe('');
      }),
      { numRuns: 2_000 },
    );
  });

  it('finds a link on its own line after any junk that ends its blocks, at that line', () => {
    // A blank line, then a fence closed and reopened never: only a link after a closed
    // paragraph is asserted, so junk is kept to one paragraph of inline syntax.
    const inlineJunk = fc.array(fc.constantFrom('[', ']', '(', ')', '`', '*', '_', '<', '&amp;', 'text', ' ', 'é', '🎉', '\\', '!['), { maxLength: 30 }).map((pieces) => pieces.join(''));
    fc.assert(
      fc.property(fc.array(inlineJunk, { maxLength: 10 }), (junkLines) => {
        const markdown = [...junkLines.map((line) => `x${line}`), '', '[end](https://end.example.com/)'].join('\n');
        const links = extractMarkdownLinks(markdown);
        expect(links.at(-1)).toEqual({ href: 'https://end.example.com/', line: junkLines.length + 2 });
      }),
      { numRuns: 1_000 },
    );
  });
});
