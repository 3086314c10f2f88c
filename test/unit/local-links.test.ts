import { describe, expect, it } from 'vitest';
import { linkTarget, localLinksOf } from '../../src/input/documents.js';
import { createExtractionStats } from '../../src/input/types.js';
import { checkableFragment, hasAnchor, isCheckedFragment, lineAnchorEnd, LruCache } from '../../src/util/fragments.js';
import { dedupeKeyOf } from '../../src/pipeline/dedupe.js';
import { journalKeyOf } from '../../src/reports/resume.js';

const local = localLinksOf('/repo/docs/README.md', null);
const rooted = localLinksOf('/repo/docs/README.md', '/repo');

function resolved(href: string, links = local, base: string | null = null): string | null {
  return linkTarget(href, 1, 'docs/README.md', base, createExtractionStats(), links)?.url?.href ?? null;
}

describe('local links of a local document', () => {
  it('resolve against the document’s own folder as file: URLs, the query dropped and the fragment kept', () => {
    expect(resolved('guide.md')).toBe('file:///repo/docs/guide.md');
    expect(resolved('./guide.md#usage')).toBe('file:///repo/docs/guide.md#usage');
    expect(resolved('../img/a.png')).toBe('file:///repo/img/a.png');
    expect(resolved('./api/')).toBe('file:///repo/docs/api/');
    expect(resolved('a%20b.md?plain=1#L3')).toBe('file:///repo/docs/a%20b.md#L3');
    expect(resolved('a b.md')).toBe('file:///repo/docs/a%20b.md');
    expect(resolved('#section')).toBe('file:///repo/docs/README.md#section');
    expect(resolved('../../../../etc/passwd')).toBe('file:///etc/passwd');
  });

  it('the result shows the resolved file: URL, at the link’s own source and line', () => {
    const target = linkTarget('guide.md', 7, 'docs/README.md', null, createExtractionStats(), local);
    expect(target).toMatchObject({ display: 'file:///repo/docs/guide.md', source: 'docs/README.md', line: 7, invalid: null });
  });

  it('a root-relative link needs --root-dir: skipped and counted without it', () => {
    const stats = createExtractionStats();
    expect(linkTarget('/docs/guide.md', 1, 'x', null, stats, local)).toBeNull();
    expect(stats.skippedRootRelative).toBe(1);
    expect(stats.skippedRelative).toBe(0);
    expect(resolved('/docs/guide.md#usage', rooted)).toBe('file:///repo/docs/guide.md#usage');
  });

  it('a protocol-relative //host link is a host, not a file: skipped as relative without a base', () => {
    const stats = createExtractionStats();
    expect(linkTarget('//cdn.example.com/x.js', 1, 'x', null, stats, local)).toBeNull();
    expect(stats.skippedRelative).toBe(1);
  });

  it('--base wins for relative links; a same-page #fragment is still the document itself', () => {
    expect(resolved('guide.md#usage', local, 'https://docs.example.com/docs/')).toBe('https://docs.example.com/docs/guide.md#usage');
    expect(resolved('/x', rooted, 'https://docs.example.com/docs/')).toBe('https://docs.example.com/x');
    expect(resolved('#usage', local, 'https://docs.example.com/docs/')).toBe('file:///repo/docs/README.md#usage');
  });

  it('other schemes stay skipped; a lone # or an empty link is a same-page link, counted', () => {
    const stats = createExtractionStats();
    for (const href of ['mailto:a@example.com', 'tel:123', 'file:///etc/passwd', '#', '']) expect(linkTarget(href, 1, 'x', null, stats, local)).toBeNull();
    expect(stats.skippedScheme).toBe(3);
    expect(stats.skippedFragment).toBe(2);
  });

  it('a document with no path (stdin) skips relative links and #fragments as before', () => {
    const stats = createExtractionStats();
    expect(linkTarget('guide.md', 1, 'stdin', null, stats, null)).toBeNull();
    expect(linkTarget('#x', 1, 'stdin', null, stats, null)).toBeNull();
    expect(stats).toMatchObject({ skippedRelative: 1, skippedFragment: 1 });
  });
});

describe('fragments', () => {
  const url = (hash: string) => new URL(`https://example.com/page${hash}`);

  it('checkableFragment decodes, and leaves out what no document anchor can answer', () => {
    expect(checkableFragment(url('#%C3%BCber-uns'))).toBe('über-uns');
    expect(checkableFragment(url('#%E0%A4%A'))).toBe('%E0%A4%A');
    for (const hash of ['', '#', '#top', '#TOP', '#:~:text=hello', '#/route', '#!/route']) expect(checkableFragment(url(hash)), hash).toBeNull();
  });

  it('line anchors: #L10, #L10-L20 and columns, the last line they need', () => {
    expect(lineAnchorEnd('L10')).toBe(10);
    expect(lineAnchorEnd('L20-L10')).toBe(20);
    expect(lineAnchorEnd('L3C5-L7C2')).toBe(7);
    expect(lineAnchorEnd('L')).toBeNull();
    expect(lineAnchorEnd('Lx')).toBeNull();
    expect(isCheckedFragment(url('#L10'))).toBe(false);
    expect(isCheckedFragment(url('#intro'))).toBe(true);
  });

  it('hasAnchor: as written, with or without GitHub’s user-content- prefix, case-insensitive only for Markdown', () => {
    const anchors = new Set(['intro', 'user-content-gh', 'Mixed']);
    expect(hasAnchor(anchors, 'intro', false)).toBe(true);
    expect(hasAnchor(anchors, 'user-content-intro', false)).toBe(true);
    expect(hasAnchor(anchors, 'gh', false)).toBe(true);
    expect(hasAnchor(anchors, 'mixed', false)).toBe(false);
    expect(hasAnchor(new Set(['installation']), 'Installation', true)).toBe(true);
  });

  it('LruCache keeps at most its capacity, dropping the least recently used', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([1, undefined, 3]);
  });

  it('dedupe and --resume keep a fragment that is checked, and only then', () => {
    const target = (href: string) => ({ display: href, url: new URL(href), invalid: null, source: 's', line: 1 });
    expect(dedupeKeyOf(target('https://e.com/p#a'))).toBe('https://e.com/p');
    expect(dedupeKeyOf(target('https://e.com/p#a'), true)).toBe('https://e.com/p#a');
    expect(dedupeKeyOf(target('https://e.com/p#L10'), true)).toBe('https://e.com/p');
    expect(dedupeKeyOf(target('file:///r/a.md#x'))).toBe('file:///r/a.md#x');
    expect(journalKeyOf({ url: 'https://e.com/p#a' })).toBe('https://e.com/p');
    expect(journalKeyOf({ url: 'https://e.com/p#a' }, true)).toBe('https://e.com/p#a');
    expect(journalKeyOf({ url: 'file:///r/a.md#x' })).toBe('file:///r/a.md#x');
  });
});
