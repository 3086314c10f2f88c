import { Parser } from 'htmlparser2';

/** One `<loc>` of a sitemap: the URL as written (entities decoded, trimmed) and its 1-based line. */
export interface SitemapEntry {
  loc: string;
  line: number;
  /** True when the `<loc>` held more than {@link MAX_LOC_LENGTH} characters: `loc` is its start only. */
  truncated?: boolean;
}

/**
 * Longest `<loc>` kept, in UTF-16 code units (1 Mi, as a list line: `MAX_LINE_LENGTH`); the rest
 * of a longer one is skipped, never accumulated, and the entry is marked truncated.
 */
export const MAX_LOC_LENGTH = 1024 * 1024;

/** The root element of a sitemap: a list of pages, or an index of further sitemaps. */
export type SitemapRoot = 'urlset' | 'sitemapindex';

/**
 * A streaming reader of the sitemaps protocol (sitemaps.org): text goes in as it arrives, the
 * `<loc>` of each `<url>` (in a `<urlset>`) or `<sitemap>` (in a `<sitemapindex>`) comes out with
 * its line. It holds only the text of the tag being read, never the document, so a 50 MB sitemap
 * costs a chunk of memory. Extension elements (`image:loc`, `xhtml:link`, `video:*`) are not
 * pages of the site and are not returned.
 */
export class SitemapReader {
  /** The root element, once its start tag was read; null before, and for a document that is not a sitemap. */
  root: SitemapRoot | null = null;
  /** The root element's name when it is neither `urlset` nor `sitemapindex` (say `rss`, `html`). */
  foreignRoot: string | null = null;

  private readonly parser: Parser;
  private readonly lines = new StreamLines();
  private entries: SitemapEntry[] = [];
  private depth = 0;
  // Inside a <url> or <sitemap>, and inside its <loc>: the loc's text so far and its tag's line.
  private inEntry = false;
  private locText: string | null = null;
  private locTruncated = false;
  private locLine = 0;

  constructor() {
    this.parser = new Parser(
      {
        onopentag: (name) => this.open(name.toLowerCase()),
        onclosetag: (name) => this.close(name.toLowerCase()),
        ontext: (text) => {
          if (this.locText === null || this.locTruncated) return;
          // Whitespace around the URL is trimmed later: keep a little room for it.
          const room = MAX_LOC_LENGTH + 1 - this.locText.length;
          if (text.length > room) {
            this.locText += text.slice(0, room);
            this.locTruncated = true;
          } else this.locText += text;
        },
      },
      { xmlMode: true, decodeEntities: true },
    );
  }

  /** Reads more of the document; returns the entries it completed, in order. */
  write(text: string): SitemapEntry[] {
    this.lines.push(text);
    this.parser.write(text);
    // Every later event starts after the last one ended: the text before it is no longer needed.
    this.lines.forget(this.parser.endIndex + 1);
    return this.take();
  }

  /** Ends the document; returns the entries that were still open. */
  end(): SitemapEntry[] {
    this.parser.end();
    return this.take();
  }

  private take(): SitemapEntry[] {
    const done = this.entries;
    this.entries = [];
    return done;
  }

  private open(name: string): void {
    this.depth += 1;
    if (this.depth === 1) {
      if (name === 'urlset' || name === 'sitemapindex') this.root = name;
      else this.foreignRoot = name;
      return;
    }
    if (this.root === null) return;
    if (this.depth === 2 && name === (this.root === 'urlset' ? 'url' : 'sitemap')) this.inEntry = true;
    else if (this.depth === 3 && this.inEntry && name === 'loc') {
      this.locText = '';
      this.locTruncated = false;
      this.locLine = this.lines.lineAt(this.parser.startIndex);
    }
  }

  private close(name: string): void {
    if (this.depth === 3 && this.locText !== null && name === 'loc') {
      const text = this.locText;
      const loc = text.trim();
      // <loc>\n  https://…\n</loc>: the URL's own line, not the tag's.
      const leading = text.length - text.trimStart().length;
      const line = this.locLine + countNewlinesIn(text, leading);
      if (this.locTruncated || loc.length > MAX_LOC_LENGTH) this.entries.push({ loc: loc.slice(0, MAX_LOC_LENGTH), line, truncated: true });
      else if (loc !== '') this.entries.push({ loc, line });
      this.locText = null;
    } else if (this.depth === 2) {
      this.inEntry = false;
    }
    this.depth -= 1;
  }
}

function countNewlinesIn(text: string, end: number): number {
  let count = 0;
  for (let index = text.indexOf('\n'); index !== -1 && index < end; index = text.indexOf('\n', index + 1)) count += 1;
  return count;
}

// Lines of a document that arrives in pieces: keeps only the text after the last offset looked up
// or forgotten, so memory stays at about a chunk however long the document is.
class StreamLines {
  private text = '';
  private start = 0;
  private line = 1;

  push(text: string): void {
    this.text += text;
  }

  lineAt(offset: number): number {
    this.forget(offset);
    return this.line;
  }

  forget(offset: number): void {
    const end = offset - this.start;
    if (end <= 0) return;
    this.line += countNewlinesIn(this.text, Math.min(end, this.text.length));
    this.text = this.text.slice(end);
    this.start = offset;
  }
}
