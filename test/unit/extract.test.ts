import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { linkTarget } from '../../src/input/documents.js';
import { extractHtmlLinks, parseSrcset } from '../../src/input/extract-html.js';
import { extractMarkdownLinks } from '../../src/input/extract-markdown.js';
import { MAX_MARKDOWN_NESTING, MAX_MARKDOWN_TOKENS, MarkdownNestingError, MarkdownTooLargeError } from '../../src/input/markdown.js';
import { IgnoreComments } from '../../src/input/ignore-comments.js';
import { MAX_LOC_LENGTH, SitemapReader, type SitemapEntry } from '../../src/input/extract-sitemap.js';
import { MAX_LINE_LENGTH } from '../../src/input/lines.js';
import { parseTarget } from '../../src/input/list.js';
import { gunzipIfGzipped } from '../../src/input/decompress.js';
import { verdictOf } from '../../src/model/verdict.js';
import { kindFromContentType, kindFromPath } from '../../src/input/kinds.js';
import { describeSkipped } from '../../src/input/sources.js';
import { createExtractionStats } from '../../src/input/targets.js';

describe('extractMarkdownLinks', () => {
  it('finds inline links, images, autolinks, literals and definitions, each at its line', () => {
    const markdown = [
      '[![CI](https://ci.example.com/badge.svg)](https://ci.example.com/)', // 1
      'See <https://auto.example.com/> and https://literal.example.com/x.', // 2
      'Also www.example.org, and [ref][r].', // 3
      '', // 4
      '[r]: https://ref.example.com/', // 5
    ].join('\n');
    expect(extractMarkdownLinks(markdown)).toEqual([
      { href: 'https://ci.example.com/', line: 1 },
      { href: 'https://ci.example.com/badge.svg', line: 1 },
      { href: 'https://auto.example.com/', line: 2 },
      { href: 'https://literal.example.com/x', line: 2 },
      { href: 'http://www.example.org', line: 3 },
      { href: 'https://ref.example.com/', line: 5 },
    ]);
  });

  it('gives the line of the URL, not of the link text, when a link spans lines', () => {
    const markdown = ['[a link', 'over two lines](https://multi.example.com/)', '', '[id]:', '   https://def.example.com/ "title"'].join('\n');
    expect(extractMarkdownLinks(markdown)).toEqual([
      { href: 'https://multi.example.com/', line: 2 },
      { href: 'https://def.example.com/', line: 5 },
    ]);
  });

  it('ignores URLs in fenced code, indented code and code spans', () => {
    const markdown = ['```', 'https://fenced.example.com/ [x](https://fenced-link.example.com/)', '```', '', '    https://indented.example.com/', '', 'Run `curl https://span.example.com/`.'].join('\n');
    expect(extractMarkdownLinks(markdown)).toEqual([]);
  });

  it('reads raw HTML inside Markdown with lines counted from where it starts', () => {
    const markdown = ['Intro', '', '<div>', '  <a href="https://a.example.com/">a</a>', '  <img', '    src="https://img.example.com/x.png">', '</div>', '', 'Inline <a href="https://inline.example.com/">html</a>.'].join('\n');
    expect(extractMarkdownLinks(markdown)).toEqual([
      { href: 'https://a.example.com/', line: 4 },
      { href: 'https://img.example.com/x.png', line: 6 },
      { href: 'https://inline.example.com/', line: 9 },
    ]);
  });

  it('reads display math ($$ … $$ blocks, as GitHub renders them) as math: nothing in it is a link', () => {
    const markdown = [
      '[before](https://before.example.com/)', // 1
      '', // 2
      '$$', // 3
      '[\\psi](\\mathbf{L}) <https://math.example.com/> [r]: https://math-def.example.com/', // 4
      '$$', // 5
      '[after](https://after.example.com/)', // 6
      '> $$ [\\phi](\\mathbf{M}) $$', // 7
      '', // 8
      '```', // 9
      '$$', // 10: in code, not math: it opens nothing
      '```', // 11
      '[code-after](https://code-after.example.com/)', // 12
      '', // 13
      '$$ never closed, so not math', // 14
      '[open](https://open.example.com/)', // 15
    ].join('\n');
    expect(extractMarkdownLinks(markdown)).toEqual([
      { href: 'https://before.example.com/', line: 1 },
      { href: 'https://after.example.com/', line: 6 },
      { href: 'https://code-after.example.com/', line: 12 },
      { href: 'https://open.example.com/', line: 15 },
    ]);
  });

  it('reads href and src of capitalised MDX/JSX components, not JSX expressions or unknown lower-case tags', () => {
    const markdown = [
      '<Card title="Guide" href="https://card.example.com/" />', // 1
      '', // 2
      'Text <Image', // 3
      '  src="https://image.example.com/x.png" alt="x" /> and <Link href={docs.url}>x</Link>', // 4
      '', // 5
      '<custom-el href="https://custom.example.com/"></custom-el>', // 6
    ].join('\n');
    expect(extractMarkdownLinks(markdown)).toEqual([
      { href: 'https://card.example.com/', line: 1 },
      { href: 'https://image.example.com/x.png', line: 4 },
    ]);
    // In an HTML document tag names are case-insensitive: <Card> is an unknown element there.
    expect(extractHtmlLinks('<Card href="https://card.example.com/"></Card>').links).toEqual([]);
  });

  it('skips links in urlcheck-disable regions and on the line after urlcheck-disable-next-line, and counts them', () => {
    const markdown = [
      '[kept](https://kept.example.com/)', // 1
      '<!-- urlcheck-disable -->', // 2
      '[off](https://off.example.com/) <a href="https://off-html.example.com/">x</a>', // 3
      '', // 4
      '[r]: https://off-def.example.com/', // 5
      '<!-- urlcheck-enable -->', // 6
      '[on](https://on.example.com/)', // 7
      '<!-- urlcheck-disable-next-line -->', // 8
      '[next](https://next.example.com/)', // 9
      '[after-next](https://after-next.example.com/)', // 10
      '', // 11
      '```', // 12
      '<!-- urlcheck-disable -->', // 13: in code, not a comment
      '```', // 14
      'Text <!-- urlcheck-disable --> [rest](https://rest.example.com/)', // 15: to the end
      '', // 16
      '[end](https://end.example.com/)', // 17
    ].join('\n');
    const ignores = new IgnoreComments();
    expect(extractMarkdownLinks(markdown, ignores)).toEqual([
      { href: 'https://kept.example.com/', line: 1 },
      { href: 'https://on.example.com/', line: 7 },
      { href: 'https://after-next.example.com/', line: 10 },
    ]);
    expect(ignores.ignored).toBe(6);
  });

  it('reads quotes and lists nested as deep as MAX_MARKDOWN_NESTING allows; past it, refuses the document rather than dropping what is inside', () => {
    // A quote is one level, a list two (the list and its item).
    const quotes = (depth: number) => `${'>'.repeat(depth)} [deep](https://deep.example.com/)`;
    const lists = (depth: number) => `${'- '.repeat(depth)}[deep](https://deep.example.com/)`;
    expect(extractMarkdownLinks(quotes(MAX_MARKDOWN_NESTING - 2))).toEqual([{ href: 'https://deep.example.com/', line: 1 }]);
    expect(extractMarkdownLinks(lists(MAX_MARKDOWN_NESTING / 2 - 1))).toEqual([{ href: 'https://deep.example.com/', line: 1 }]);
    for (const deep of [quotes(MAX_MARKDOWN_NESTING), quotes(10_000), lists(10_000), `${'> - '.repeat(5_000)}x`]) {
      expect(() => extractMarkdownLinks(deep)).toThrow(MarkdownNestingError);
      expect(() => extractMarkdownLinks(deep)).toThrow('nesting too deep');
    }
  });

  it('refuses quotes whose lines markdown-it would read again at every level, and reads deep quotes that repeat their markers', () => {
    // A quote 90 deep, then 40,000 lazy lines: each would be read 90 times.
    expect(() => extractMarkdownLinks(`${'>'.repeat(90)} a\n${'b\n'.repeat(40_000)}`)).toThrow('nesting too deep');
    const deep = `${'> '.repeat(40)}[q](https://quoted.example.com/)\n`.repeat(2_000);
    expect(extractMarkdownLinks(deep)).toHaveLength(2_000);
  });

  it('refuses a document of more than MAX_MARKDOWN_TOKENS blocks rather than holding them all', () => {
    // Five block tokens an item (list item, paragraph and its inline content), and two for the list.
    const items = (count: number) => '- [a](https://a.example.com/)\n'.repeat(count);
    expect(extractMarkdownLinks(items(1000))).toHaveLength(1000);
    expect(() => extractMarkdownLinks(items(MAX_MARKDOWN_TOKENS / 5))).toThrow(MarkdownTooLargeError);
  });

  it('returns destinations as written: escapes and entities decoded, nothing percent-encoded or punycoded, every scheme', () => {
    const markdown = [
      '[a](https://example.com/a%20b/é?q=1&amp;r=2) [b](<https://example.com/c d>) [c](https://münchen.example/\_x)', // 1
      '[js](javascript:alert(1)) [tel](tel:+15555550100) [file](file:///etc/hosts) [mail](mailto:a@example.com) [empty]() [frag](#top)', // 2
    ].join('\n');
    expect(extractMarkdownLinks(markdown)).toEqual([
      { href: 'https://example.com/a%20b/é?q=1&r=2', line: 1 },
      { href: 'https://example.com/c d', line: 1 },
      { href: 'https://münchen.example/_x', line: 1 },
      { href: 'javascript:alert(1)', line: 2 },
      { href: 'tel:+15555550100', line: 2 },
      { href: 'file:///etc/hosts', line: 2 },
      { href: 'mailto:a@example.com', line: 2 },
      { href: '', line: 2 },
      { href: '#top', line: 2 },
    ]);
  });

  it("links literals as GitHub does: http(s):// (after any character but a letter), www. and e-mail addresses, not bare domains, ftp:// or //host; GFM's trailing punctuation left out", () => {
    const markdown = [
      'example.com, docs.example.org/x and //cdn.example.com/x are not links; ftp://ftp.example.com/ is not either.', // 1
      'www.example.dev and (www.example.com/path?q=1). https://example.com/a_(b) and ~~https://example.com/struck~~', // 2
      'Mail admin@example.com or http://user:pw@example.com/private, not https://example.com/x_.', // 3
      '`https://code.example.com/` \\www.escaped.example.com', // 4
      'Repository: git+https://github.com/acme/demo.git, by &lt;dev@example.com&gt;', // 5
    ].join('\n');
    expect(extractMarkdownLinks(markdown)).toEqual([
      { href: 'http://www.example.dev', line: 2 },
      { href: 'http://www.example.com/path?q=1', line: 2 },
      { href: 'https://example.com/a_(b)', line: 2 },
      { href: 'https://example.com/struck', line: 2 },
      { href: 'mailto:admin@example.com', line: 3 },
      { href: 'http://user:pw@example.com/private', line: 3 },
      { href: 'https://example.com/x', line: 3 },
      { href: 'https://github.com/acme/demo.git', line: 5 },
      { href: 'mailto:dev@example.com', line: 5 },
    ]);
  });

  it('reports a definition once where it is defined, used or not, twice defined or not; a usage is not a link of its own', () => {
    const markdown = [
      '[full][a], [collapsed][], [shortcut] and [![badge](https://badge.example.com/b.svg)][a]', // 1
      '[not a link](not a link) falls back to the reference [not a link]', // 2
      '', // 3
      '> [a]:', // 4
      '>   https://a.example.com/ "A"', // 5
      '[collapsed]: https://collapsed.example.com/', // 6
      '[a]: https://duplicate.example.com/', // 7
      '[shortcut]: <https://shortcut.example.com/x y>', // 8
      '[unused]: https://unused.example.com/', // 9
      '[not a link]: https://fallback.example.com/', // 10
    ].join('\n');
    expect(extractMarkdownLinks(markdown)).toEqual([
      { href: 'https://badge.example.com/b.svg', line: 1 },
      { href: 'https://a.example.com/', line: 5 },
      { href: 'https://collapsed.example.com/', line: 6 },
      { href: 'https://duplicate.example.com/', line: 7 },
      { href: 'https://shortcut.example.com/x y', line: 8 },
      { href: 'https://unused.example.com/', line: 9 },
      { href: 'https://fallback.example.com/', line: 10 },
    ]);
  });

  it('puts each link at its line in tables, lists, quotes, multi-line images and titles, strikethrough and emphasis', () => {
    const markdown = [
      '| Name | Link |', // 1
      '| ---- | ---- |', // 2
      '| a    | [a](https://table-a.example.com/) |', // 3
      '| b    | https://table-b.example.com/ |', // 4
      '', // 5
      '- item', // 6
      '  > quoted ~~[old](https://struck.example.com/)~~ and **[bold](https://bold.example.com/)**', // 7
      '', // 8
      '![an image', // 9
      'with alt text](', // 10
      '  https://image.example.com/x.png "a title', // 11
      'over two lines") then https://after-title.example.com/', // 12
      'Line *one*  ', // 13: a hard break
      'https://after-break.example.com/ `code` <https://auto.example.com/>', // 14
    ].join('\n');
    expect(extractMarkdownLinks(markdown)).toEqual([
      { href: 'https://table-a.example.com/', line: 3 },
      { href: 'https://table-b.example.com/', line: 4 },
      { href: 'https://struck.example.com/', line: 7 },
      { href: 'https://bold.example.com/', line: 7 },
      { href: 'https://image.example.com/x.png', line: 11 },
      { href: 'https://after-title.example.com/', line: 12 },
      { href: 'https://after-break.example.com/', line: 14 },
      { href: 'https://auto.example.com/', line: 14 },
    ]);
  });

  it('reads ignore comments written as inline HTML and as HTML blocks, and counts lines after CRLF and lone CR as markdown-it does', () => {
    const markdown = ['a <!-- urlcheck-disable-next-line --> b', '[skipped](https://skipped.example.com/)', '<!-- urlcheck-disable -->', '[off](https://off.example.com/)', '<!--urlcheck-enable-->', '[on](https://on.example.com/)'].join('\r\n');
    const ignores = new IgnoreComments();
    expect(extractMarkdownLinks(`${markdown}\r[cr](https://cr.example.com/)`, ignores)).toEqual([
      { href: 'https://on.example.com/', line: 6 },
      { href: 'https://cr.example.com/', line: 7 },
    ]);
    expect(ignores.ignored).toBe(2);
  });

  it('reads hostile documents in full: brackets, backticks, unclosed tags and links by the tens of thousands', () => {
    const n = 40_000;
    expect(extractMarkdownLinks(`${'['.repeat(n)}${']'.repeat(n)}\n\n[end](https://end.example.com/)`)).toEqual([{ href: 'https://end.example.com/', line: 3 }]);
    expect(extractMarkdownLinks(`${'![x]('.repeat(n)}${')'.repeat(n)}`)).toHaveLength(1);
    expect(extractMarkdownLinks(`${'`'.repeat(n)} ${'``'.repeat(n)} https://tick.example.com/`)).toHaveLength(1);
    // Not HTML (no tag is closed): text, whose literal links are links.
    expect(extractMarkdownLinks(`${'<a href="https://open.example.com/" '.repeat(n)}`)).toHaveLength(n);
    // An HTML comment never closed: as a block it runs to the end; inline, it is text.
    expect(extractMarkdownLinks(`${'<!-- '.repeat(n)}[x](https://comment.example.com/)`)).toEqual([]);
    expect(extractMarkdownLinks(`x ${'<!-- '.repeat(n)}[x](https://comment.example.com/)`)).toEqual([{ href: 'https://comment.example.com/', line: 1 }]);
    const many = Array.from({ length: n }, (_, index) => `[l${index}](https://example.com/${index}) https://example.org/${index}`).join(' ');
    expect(extractMarkdownLinks(many)).toHaveLength(2 * n);
  });
});

describe('extractHtmlLinks', () => {
  it('finds the documented element/attribute set and the first <base href>', () => {
    const html = [
      '<base href="https://docs.example.com/">', // 1
      '<base href="https://ignored.example.com/">', // 2
      '<a href="a.html">a</a><area href="area.html">', // 3
      '<link rel="stylesheet" href="s.css"><link rel="preconnect dns-prefetch" href="https://fonts.example.com">', // 4
      '<script src="s.js"></script><iframe src="f.html"></iframe><embed src="e.swf">', // 5
      '<video src="v.mp4" poster="p.png"><track src="t.vtt"></video><audio src="a.mp3"></audio>', // 6
      '<img src="i.png" srcset="i1.png 1x, i2.png 2x"><source src="s.webm" srcset="s1.webp">', // 7
      '<!-- <a href="commented.html"></a> --><p>https://text.example.com/</p>', // 8
    ].join('\n');
    const { links, baseHref } = extractHtmlLinks(html);
    expect(baseHref).toBe('https://docs.example.com/');
    expect(links).toEqual([
      { href: 'a.html', line: 3 },
      { href: 'area.html', line: 3 },
      { href: 's.css', line: 4 },
      { href: 's.js', line: 5 },
      { href: 'f.html', line: 5 },
      { href: 'e.swf', line: 5 },
      { href: 'v.mp4', line: 6 },
      { href: 'p.png', line: 6 },
      { href: 't.vtt', line: 6 },
      { href: 'a.mp3', line: 6 },
      { href: 'i.png', line: 7 },
      { href: 'i1.png', line: 7 },
      { href: 'i2.png', line: 7 },
      { href: 's.webm', line: 7 },
      { href: 's1.webp', line: 7 },
    ]);
  });

  it('skips links in urlcheck-disable regions and after urlcheck-disable-next-line, and counts them', () => {
    const html = [
      '<a href="https://kept.example.com/">a</a><!-- urlcheck-disable: vendor pages --><a href="https://off.example.com/">b</a>', // 1
      '<img src="https://off.example.com/x.png"><!--urlcheck-enable--><a href="https://on.example.com/">c</a>', // 2
      '<!-- urlcheck-disable-next-line -->', // 3
      '<a href="https://next.example.com/">d</a>', // 4
      '<a href="https://after.example.com/">e</a>', // 5
      '<!-- urlcheck-disable-later: not ours --><a href="https://other-comment.example.com/">f</a>', // 6
    ].join('\n');
    const ignores = new IgnoreComments();
    expect(extractHtmlLinks(html, 1, { ignores }).links).toEqual([
      { href: 'https://kept.example.com/', line: 1 },
      { href: 'https://on.example.com/', line: 2 },
      { href: 'https://after.example.com/', line: 5 },
      { href: 'https://other-comment.example.com/', line: 6 },
    ]);
    expect(ignores.ignored).toBe(3);
  });

  it('decodes entities and puts each attribute of a multi-line tag on its own line', () => {
    const html = ['<p>', '<img', '  alt="x"', '  src="/a?x=1&amp;y=2"', '  srcset="/b.png 1x,', '          /c.png 2x">'].join('\n');
    expect(extractHtmlLinks(html, 10).links).toEqual([
      { href: '/a?x=1&y=2', line: 13 },
      { href: '/b.png', line: 14 },
      { href: '/c.png', line: 15 },
    ]);
  });

  it('reads tags as an HTML parser does: any case, the first of a repeated attribute, no script bodies, no tag cut off at the end', () => {
    const html = [
      '<A HREF="upper.html" href="second.html">x</A>', // 1
      '<script>document.write(\'<a href="in-script.html">\')</script><style>a { background: url(x.png) }</style>', // 2
      '<svg><a href="svg.html"/></svg><![CDATA[<a href="cdata.html">]]>', // 3
      '<img src=unquoted.png alt><a href="cut-off.html"', // 4
    ].join('\n');
    expect(extractHtmlLinks(html).links).toEqual([
      { href: 'upper.html', line: 1 },
      { href: 'svg.html', line: 3 },
      { href: 'unquoted.png', line: 4 },
    ]);
  });

  // How long these take is measured by `npm run bench` (workload D1, whole processes at n and
  // 4n); here, only that every link is found and nothing throws.
  const link = (index: number): string => `<a href="https://example.com/${index}">x</a>`;
  it.each([
    { shape: 'many lines', n: 80_000, found: 80_000, lastLine: 80_000, make: (n: number) => Array.from({ length: n }, (_, index) => link(index)).join('\n') },
    { shape: 'one line', n: 80_000, found: 80_000, lastLine: 1, make: (n: number) => Array.from({ length: n }, (_, index) => link(index)).join('') },
    { shape: 'unclosed tags', n: 100_000, found: 100_000, lastLine: 100_000, make: (n: number) => Array.from({ length: n }, (_, index) => `<a href="https://example.com/${index}">`).join('\n') },
    { shape: 'nested divs', n: 200_000, found: 1, lastLine: 1, make: (n: number) => `${'<div>'.repeat(n)}${link(0)}` },
  ])('reads a hostile document whole: $shape', ({ n, found, lastLine, make }) => {
    const { links } = extractHtmlLinks(make(n));
    expect(links).toHaveLength(found);
    expect(links.at(-1)?.line).toBe(lastLine);
  });
});

describe('parseSrcset', () => {
  it('splits candidates by the HTML rules (commas inside URLs, no descriptors, extra spaces)', () => {
    expect(parseSrcset('a.png 1x, b.png 2x')).toEqual(['a.png', 'b.png']);
    expect(parseSrcset('  https://x/i.jpg?w=1,2 480w ,https://x/j.jpg 800w')).toEqual(['https://x/i.jpg?w=1,2', 'https://x/j.jpg']);
    expect(parseSrcset('a.png,b.png')).toEqual(['a.png,b.png']);
    expect(parseSrcset('a.png, b.png')).toEqual(['a.png', 'b.png']);
    expect(parseSrcset('')).toEqual([]);
  });
});

function readSitemap(pieces: string[]): { root: string | null; entries: SitemapEntry[] } {
  const reader = new SitemapReader();
  const entries: SitemapEntry[] = [];
  for (const piece of pieces) entries.push(...reader.write(piece));
  entries.push(...reader.end());
  return { root: reader.root ?? reader.foreignRoot, entries };
}

const SITEMAP = [
  '<?xml version="1.0" encoding="UTF-8"?>', // 1
  '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">', // 2
  '<url><loc>https://example.com/a?x=1&amp;y=2</loc><image:image><image:loc>https://example.com/i.png</image:loc></image:image></url>', // 3
  '<url>', // 4
  '  <loc>', // 5
  '    https://example.com/b', // 6
  '  </loc>', // 7
  '</url>', // 8
  '<url><loc><![CDATA[https://example.com/c]]></loc></url>', // 9
  '</urlset>', // 10
].join('\n');

describe('SitemapReader', () => {
  it('reads each <url><loc> with its line; extension elements are not pages', () => {
    expect(readSitemap([SITEMAP])).toEqual({
      root: 'urlset',
      entries: [
        { loc: 'https://example.com/a?x=1&y=2', line: 3 },
        { loc: 'https://example.com/b', line: 6 },
        { loc: 'https://example.com/c', line: 9 },
      ],
    });
  });

  it('reads a <sitemapindex>', () => {
    const index = '<sitemapindex>\n<sitemap><loc>https://example.com/s1.xml</loc></sitemap>\n<sitemap><loc>https://example.com/s2.xml.gz</loc></sitemap>\n</sitemapindex>';
    expect(readSitemap([index])).toEqual({
      root: 'sitemapindex',
      entries: [
        { loc: 'https://example.com/s1.xml', line: 2 },
        { loc: 'https://example.com/s2.xml.gz', line: 3 },
      ],
    });
  });

  it('names a root that is not a sitemap', () => {
    expect(readSitemap(['<?xml version="1.0"?>\n<rss><channel><link>https://x/</link></channel></rss>'])).toEqual({ root: 'rss', entries: [] });
  });

  it('cuts a <loc> longer than MAX_LOC_LENGTH, holding no more of it, and marks it truncated', () => {
    const reader = new SitemapReader();
    const chunk = 'a'.repeat(256 * 1024);
    const entries: SitemapEntry[] = [...reader.write('<urlset>\n<url><loc>https://')];
    // 8 MiB in pieces: what the reader holds of the <loc> never passes the cap.
    for (let i = 0; i < 32; i += 1) entries.push(...reader.write(chunk));
    entries.push(...reader.write('</loc></url>\n<url><loc>https://example.com/after</loc></url>\n</urlset>\n'), ...reader.end());
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ line: 2, truncated: true });
    expect(entries[0]?.loc).toHaveLength(MAX_LOC_LENGTH);
    expect(entries[1]).toEqual({ loc: 'https://example.com/after', line: 3 });
    // As a list line cut at its cap: INVALID_URL, at its line.
    const target = parseTarget(entries[0]?.loc ?? '', 'sitemap.xml', 2, true);
    expect(target?.invalid?.code).toBe('INVALID_URL');
  });

  it('gives the same entries however the text is cut into chunks', () => {
    const whole = readSitemap([SITEMAP]);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: SITEMAP.length - 1 }), { maxLength: 12 }), (cuts) => {
        const sorted = [...cuts].sort((a, b) => a - b);
        const pieces = [0, ...sorted].map((start, index) => SITEMAP.slice(start, sorted[index] ?? SITEMAP.length));
        expect(readSitemap(pieces)).toEqual(whole);
      }),
    );
  });
});

describe('linkTarget', () => {
  it('checks http(s) links, resolves relative ones against the base, and counts what it skips', () => {
    const stats = createExtractionStats();
    const shown = (href: string, base: string | null = null) => {
      const target = linkTarget(href, 7, 'doc.md', base, stats);
      return target === null ? null : { display: target.display, invalid: target.invalid?.code ?? null, line: target.line };
    };
    expect(shown(' https://example.com/a ')).toEqual({ display: 'https://example.com/a', invalid: null, line: 7 });
    expect(shown('HTTP://EXAMPLE.com/')).toEqual({ display: 'HTTP://EXAMPLE.com/', invalid: null, line: 7 });
    expect(shown('../b.md#x', 'https://example.com/docs/guide/')).toEqual({ display: 'https://example.com/docs/b.md#x', invalid: null, line: 7 });
    expect(shown('//cdn.example.com/x.js', 'https://example.com/')).toEqual({ display: 'https://cdn.example.com/x.js', invalid: null, line: 7 });
    expect(shown('https://user:secret@example.com/')?.display).toBe('https://***@example.com/');
    expect(shown('https://exa mple.com/')?.invalid).toBe('INVALID_URL');
    // In a document "word:" is a scheme, digits after it or not (a list line keeps its host:port guess).
    expect(parseTarget('localhost:3000/x', 'urls.txt', 1)?.invalid?.message).toMatch(/did you mean "http:\/\/localhost:3000\/x"/);
    const skippedLinks = ['mailto:a@example.com', 'MAILTO:b@example.com', 'tel:+1', 'tel:1234567890', 'sms:5551234', 'fax:123', 'localhost:3000/x'];
    for (const skipped of [...skippedLinks, 'javascript:void(0)', 'data:image/png;base64,xx', '#top', '', 'docs/x.md', '/abs']) {
      expect(shown(skipped)).toBeNull();
    }
    expect(stats).toMatchObject({
      skippedScheme: 9,
      skippedSchemes: { 'mailto:': 2, 'tel:': 2, 'sms:': 1, 'fax:': 1, 'localhost:': 1, 'javascript:': 1, 'data:': 1 },
      skippedFragment: 2,
      skippedRelative: 2,
    });
  });
});

describe('describeSkipped', () => {
  it('says nothing when nothing was skipped', () => {
    expect(describeSkipped(createExtractionStats())).toBeNull();
  });

  it('is one line naming every kind of skip, most frequent scheme first', () => {
    const stats = createExtractionStats();
    Object.assign(stats, { skippedRelative: 3, skippedScheme: 3, skippedSchemes: { 'tel:': 1, 'mailto:': 2 }, skippedFragment: 1 });
    expect(describeSkipped(stats)).toBe(
      'skipped 3 relative links (use --base <url> to check them), 3 mailto:/tel: links and 1 same-page #fragment link',
    );
    expect(describeSkipped({ ...createExtractionStats(), skippedRelative: 1 })).toBe('skipped 1 relative link (use --base <url> to check them)');
    expect(describeSkipped({ ...createExtractionStats(), skippedIgnored: 3, skippedFragment: 1 })).toBe(
      'skipped 1 same-page #fragment link and 3 links in urlcheck-disable regions',
    );
  });
});

describe('kind detection', () => {
  it('reads every Markdown flavour as Markdown, whatever the case, .gz included', () => {
    const flavours = ['a.md', 'a.markdown', 'a.mdown', 'a.mkd', 'a.mdx', 'a.qmd', 'a.Rmd', 'A.RMD', 'a.QMD', 'a.MKD', 'a.Mdown', 'a.rmd.gz', 'a.qmd.GZ', 'a.mdx.gz'];
    expect(flavours.map(kindFromPath)).toEqual(flavours.map(() => 'markdown'));
  });

  it('goes by extension, .gz included', () => {
    expect(['a.md', 'b.MARKDOWN', 'c.mdx', 'd.html', 'e.htm', 'sitemap.xml', 'sitemap.xml.gz', 'urls.txt', 'urls', 'x.json'].map(kindFromPath)).toEqual([
      'markdown',
      'markdown',
      'markdown',
      'html',
      'html',
      'sitemap',
      'sitemap',
      'list',
      undefined,
      undefined,
    ]);
  });

  it('takes only decisive content types', () => {
    expect(['text/html', 'application/xhtml+xml', 'text/markdown', 'application/xml', 'text/xml', 'text/plain', 'application/gzip', null].map(kindFromContentType)).toEqual([
      'html',
      'html',
      'markdown',
      'sitemap',
      'sitemap',
      null,
      null,
      null,
    ]);
  });
});

describe('document error codes', () => {
  it('a <loc> is cut at the same length as a list line', () => {
    expect(MAX_LOC_LENGTH).toBe(MAX_LINE_LENGTH);
  });

  it('DOCUMENT_INVALID and DOCUMENT_TOO_LARGE are broken, so --fail-on broken sees them', () => {
    for (const code of ['DOCUMENT_INVALID', 'DOCUMENT_TOO_LARGE'] as const) {
      expect(verdictOf({ ok: false, status: null, error: { code, message: 'x' }, warnings: [] }, false)).toBe('broken');
    }
  });

  it('caps what a gzip stream may inflate to', async () => {
    const { gzipSync } = await import('node:zlib');
    const read = async (maxBytes: number) => {
      let total = 0;
      for await (const chunk of gunzipIfGzipped(Readable.from([gzipSync(Buffer.alloc(1024 * 1024))]), maxBytes)) total += chunk.length;
      return total;
    };
    expect(await read(2 * 1024 * 1024)).toBe(1024 * 1024);
    await expect(read(64 * 1024)).rejects.toMatchObject({ code: 'DOCUMENT_TOO_LARGE', message: 'larger than 64 KiB once decompressed' });
  });
});
