import { Parser } from 'htmlparser2';
import type { IgnoreComments } from './ignore-comments.js';

/** A link as written in a document, before it is resolved: the raw reference and its 1-based line. */
export interface ExtractedLink {
  /** The attribute value or link destination, entities decoded, not yet resolved. */
  href: string;
  /** 1-based line of the reference itself (not of the tag start when the tag spans lines). */
  line: number;
}

/** What an HTML document (or fragment) links to, and the `<base href>` it declares. */
export interface HtmlLinks {
  /** In document order. */
  links: ExtractedLink[];
  /** The first `<base href>`, raw; null when there is none. */
  baseHref: string | null;
}

/**
 * The elements and attributes whose values are links urlcheck checks. Navigation (`a`, `area`),
 * resources a page loads (`img`, `source`, `script`, `link`, `iframe`, `video`, `audio`, `track`,
 * `embed`) and every candidate of `srcset`. `link` elements with `rel="preconnect"` or
 * `rel="dns-prefetch"` are left out: their href is a bare origin, which often answers 404
 * although nothing is broken.
 */
export const HTML_LINK_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  a: ['href'],
  area: ['href'],
  link: ['href'],
  img: ['src', 'srcset'],
  source: ['src', 'srcset'],
  script: ['src'],
  iframe: ['src'],
  video: ['src', 'poster'],
  audio: ['src'],
  track: ['src'],
  embed: ['src'],
};

const ORIGIN_ONLY_RELS = new Set(['preconnect', 'dns-prefetch']);

/**
 * The attributes read from a capitalised MDX/JSX component that is not an HTML element
 * (`<Card href="…">`, `<Image src="…">`) when {@link HtmlExtractOptions.components} is on.
 */
export const COMPONENT_LINK_ATTRIBUTES: readonly string[] = ['href', 'src'];

/** How {@link extractHtmlLinks} reads a document. */
export interface HtmlExtractOptions {
  /**
   * Markdown's raw HTML, where MDX puts its JSX: reads {@link COMPONENT_LINK_ATTRIBUTES} of
   * capitalised tags, and skips JSX expressions (`href={url}`: code, not a URL). Off for HTML documents.
   */
  components?: boolean;
  /** Ignore comments seen so far in the document; links they switch off are counted there, not returned. */
  ignores?: IgnoreComments;
}

/**
 * Extracts the links of an HTML document or fragment (see {@link HTML_LINK_ATTRIBUTES}), each with
 * its line; `firstLine` is the line the text starts on (for HTML embedded in Markdown). Links in
 * comments, scripts' bodies and text are not links and are not returned; see
 * {@link HtmlExtractOptions} for MDX components and ignore comments.
 */
export function extractHtmlLinks(html: string, firstLine = 1, options: HtmlExtractOptions = {}): HtmlLinks {
  const links: ExtractedLink[] = [];
  let baseHref: string | null = null;
  const lines = new LineCounter(html, firstLine);
  const { ignores, components = false } = options;
  const parser: Parser = new Parser(
    {
      oncomment(text) {
        ignores?.comment(text, lines.lineAt(parser.endIndex));
      },
      onopentag(name, attributes) {
        if (name === 'base') {
          if (baseHref === null && attributes['href'] !== undefined) baseHref = attributes['href'];
          return;
        }
        const wanted = HTML_LINK_ATTRIBUTES[name] ?? (components && isCapitalised(html, parser.startIndex) ? COMPONENT_LINK_ATTRIBUTES : undefined);
        if (wanted === undefined) return;
        if (name === 'link' && isOriginOnly(attributes['rel'])) return;
        const tagStart = parser.startIndex;
        const tagLine = lines.lineAt(tagStart);
        // Only a tag that spans lines needs the attribute's own line worked out.
        const raw = html.slice(tagStart, parser.endIndex + 1);
        const multiline = raw.includes('\n');
        for (const attribute of wanted) {
          const value = attributes[attribute];
          if (value === undefined || (components && isJsxExpression(value))) continue;
          const hrefs = attribute === 'srcset' ? parseSrcset(value) : [value];
          let from = multiline ? attributeValueStart(raw, attribute) : 0;
          for (const href of hrefs) {
            let line = tagLine;
            if (multiline) {
              const at = raw.indexOf(href, from);
              const position = at === -1 ? from : at;
              line = tagLine + countNewlines(raw, 0, position);
              if (at !== -1) from = at + href.length;
            }
            if (ignores === undefined || ignores.keeps(line)) links.push({ href, line });
          }
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);
  return { links, baseHref };
}

/**
 * The URLs of a `srcset` attribute, in order, by the HTML standard's parsing rules: a URL is a
 * run of non-space characters (trailing commas end it), and its descriptors run to the next comma.
 */
export function parseSrcset(value: string): string[] {
  const urls: string[] = [];
  let index = 0;
  const length = value.length;
  while (index < length) {
    while (index < length && (isSpace(value.charCodeAt(index)) || value[index] === ',')) index += 1;
    if (index >= length) break;
    const start = index;
    while (index < length && !isSpace(value.charCodeAt(index))) index += 1;
    let url = value.slice(start, index);
    if (url.endsWith(',')) {
      url = url.replace(/,+$/, '');
    } else {
      // Descriptors ("1x", "480w"); a comma inside parentheses does not end them.
      let depth = 0;
      while (index < length) {
        const char = value[index];
        if (char === '(') depth += 1;
        else if (char === ')') depth = Math.max(0, depth - 1);
        else if (char === ',' && depth === 0) break;
        index += 1;
      }
    }
    if (url !== '') urls.push(url);
  }
  return urls;
}

function isOriginOnly(rel: string | undefined): boolean {
  if (rel === undefined) return false;
  return rel
    .toLowerCase()
    .split(/\s+/)
    .some((token) => ORIGIN_ONLY_RELS.has(token));
}

// `href={docs.url}`: MDX code that computes the URL, not a URL.
function isJsxExpression(value: string): boolean {
  return value.startsWith('{') && value.endsWith('}');
}

// The tag as written starts with a capital letter: a JSX component, not an HTML element.
function isCapitalised(html: string, tagStart: number): boolean {
  const code = html.charCodeAt(tagStart + 1);
  return code >= 0x41 && code <= 0x5a;
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d;
}

// Where an attribute's value starts in a raw tag, or 0 when the name cannot be found as written
// (then the first occurrence of the value in the tag is used).
function attributeValueStart(raw: string, attribute: string): number {
  const match = new RegExp(`[\\s"'/]${attribute}\\s*=\\s*`, 'i').exec(raw);
  return match === null ? 0 : match.index + match[0].length;
}

/** Counts "\n" in `text` from `start` (inclusive) to `end` (exclusive). */
export function countNewlines(text: string, start: number, end: number): number {
  let count = 0;
  for (let index = text.indexOf('\n', start); index !== -1 && index < end; index = text.indexOf('\n', index + 1)) count += 1;
  return count;
}

/**
 * Turns offsets into 1-based lines for offsets that only move forward (as a parser's do), in
 * time linear in the text overall rather than per lookup.
 */
export class LineCounter {
  private offset = 0;
  private line: number;

  constructor(
    private readonly text: string,
    firstLine = 1,
  ) {
    this.line = firstLine;
  }

  /** The line of `offset`; an offset behind an earlier one gets that earlier one's line. */
  lineAt(offset: number): number {
    if (offset > this.offset) {
      this.line += countNewlines(this.text, this.offset, offset);
      this.offset = offset;
    }
    return this.line;
  }
}
