import GithubSlugger from 'github-slugger';
import { describe, expect, it } from 'vitest';
import { documentAnchors, lineCount } from '../../src/input/anchors.js';

/** What github-slugger itself makes of these heading texts, in order, with one slugger: the expected anchors. */
function slugs(...texts: string[]): string[] {
  const slugger = new GithubSlugger();
  return texts.map((text) => slugger.slug(text));
}

const anchors = (markdown: string): string[] => [...documentAnchors('markdown', markdown)];

describe('documentAnchors (Markdown headings)', () => {
  it("slugs each heading's text as github-slugger does: punctuation, emoji, non-Latin letters", () => {
    const markdown = ['# Über uns', '## 日本語', '### 🎉 Party time!', '#### C++ / C# & more', '##### Ünïcödé — dash', '###### a_b-c'].join('\n');
    expect(anchors(markdown)).toEqual(slugs('Über uns', '日本語', '🎉 Party time!', 'C++ / C# & more', 'Ünïcödé — dash', 'a_b-c'));
    expect(anchors(markdown)).toEqual(['über-uns', '日本語', '-party-time', 'c--c--more', 'ünïcödé--dash', 'a_b-c']);
  });

  it('numbers repeated headings -1, -2 within one document, and starts again in the next', () => {
    const markdown = ['# Install', '## Install', '### Install', '# Install-1'].join('\n\n');
    expect(anchors(markdown)).toEqual(['install', 'install-1', 'install-2', 'install-1-1']);
    expect(anchors('# Install')).toEqual(['install']);
  });

  it("takes the heading's text as GitHub renders it: code spans and link text kept, markup, images and tags dropped, entities and escapes decoded", () => {
    const markdown = [
      '## The `foo()` function', // code span
      '## [Link text](https://example.com/) and *emphasis* and ~~old~~', // link, emphasis, strikethrough
      '## ![logo](logo.png) Logo', // an image has no text
      '## <span class="x">Tagged</span> <br> text', // raw HTML tags
      '## Fish &amp; Chips \\* &#35;1', // entities and escapes
      '## https://example.com/page', // a literal link: its text
    ].join('\n');
    expect(anchors(markdown)).toEqual(
      slugs('The foo() function', 'Link text and emphasis and old', ' Logo', 'Tagged  text', 'Fish & Chips * #1', 'https://example.com/page'),
    );
  });

  it('reads ATX headings without their closing #s, setext headings, and headings in quotes and lists; not in code or math', () => {
    const markdown = [
      '## Closed heading ##', // 1
      '# Trailing # marks #####', // 2
      'Setext one', // 3
      '==========', // 4
      'Setext two', // 5
      'over lines', // 6
      '----------', // 7
      '> ## Quoted', // 8
      '- ## Listed', // 9
      '', // 10
      '```', // 11
      '# Not a heading', // 12
      '```', // 13
      '', // 14
      '    # Indented code', // 15
      '', // 16
      '$$', // 17
      '# Math', // 18
      '$$', // 19
      '#NoSpace is a paragraph', // 20
    ].join('\n');
    expect(anchors(markdown)).toEqual(slugs('Closed heading', 'Trailing # marks', 'Setext one', 'Setext two\nover lines', 'Quoted', 'Listed'));
    expect(anchors(markdown)).toContain('setext-twoover-lines');
  });

  it('adds the id of any element and the name of <a> in raw HTML, block and inline, entities decoded', () => {
    const markdown = [
      '<div id="block-id">', // 1
      '  <a name="block-name"></a><p name="not-an-anchor">x</p>', // 2
      '</div>', // 3
      '', // 4
      'Text <a name="inline-name"></a> and <span id="inline&amp;id">x</span>.', // 5
      '', // 6
      '## Heading <a id="in-heading"></a>', // 7
      '', // 8
      '<Card id="mdx-id" />', // 9
      '', // 10
      '`<a id="in-code">`', // 11
    ].join('\n');
    // The heading's text is "Heading " (the tag dropped, the space kept): GitHub's anchor ends in "-".
    expect(anchors(markdown)).toEqual(['block-id', 'block-name', 'inline-name', 'inline&id', 'heading-', 'in-heading', 'mdx-id']);
  });
});

describe('documentAnchors (HTML)', () => {
  it('is every element id and every <a name>, as written', () => {
    const html = [
      '<!doctype html><html><body>',
      '<h1 id="Top">Title</h1><section id="usage" class="x"><a name="legacy"></a><a id="both" name="also"></a>',
      '<img name="not-an-anchor" src="x.png"><div ID="upper">x</div><p id="">empty</p>',
      '<!-- <div id="commented"></div> --><script>document.write(\'<p id="scripted">\')</script>',
      '<div id="first" id="second"></div>',
    ].join('\n');
    expect([...documentAnchors('html', html)]).toEqual(['Top', 'usage', 'legacy', 'both', 'also', 'upper', 'first']);
  });
});

describe('documentAnchors on hostile documents', () => {
  it('reads what it can and never throws: nesting past the limit, tags never closed, brackets', () => {
    expect(anchors(`# Before\n\n${'>'.repeat(10_000)} # Deep\n\n# After`)).toEqual(['before', 'after']);
    expect(anchors(`# Start\n\n${'- '.repeat(10_000)}x`)).toEqual(['start']);
    expect(anchors(`${'['.repeat(40_000)}${']'.repeat(40_000)}\n\n# End`)).toEqual(['end']);
    expect(anchors(`${'<a name="n" '.repeat(40_000)}\n\n# End`)).toEqual(['end']);
    // A tag cut off by the end of the document is no element.
    expect([...documentAnchors('html', `${'<div>'.repeat(200_000)}<p id="deep"`)]).toEqual([]);
    expect([...documentAnchors('html', `${'<div>'.repeat(200_000)}<p id="deep"></p>`)]).toEqual(['deep']);
    expect([...documentAnchors('html', `${'<a name="x'.repeat(100_000)}`)]).toEqual([]);
  });
});

describe('lineCount', () => {
  it('counts lines as GitHub numbers them for #L anchors', () => {
    expect(lineCount('')).toBe(0);
    expect(lineCount('a')).toBe(1);
    expect(lineCount('a\n')).toBe(1);
    expect(lineCount('a\nb')).toBe(2);
    expect(lineCount('a\r\nb\r\n')).toBe(2);
    expect(lineCount('a\rb\n\n')).toBe(3);
    expect(lineCount('\n')).toBe(1);
  });
});
