import { Tokenizer, type TokenizerCallbacks } from 'htmlparser2';
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
  const onOpenTag = (name: string, attributes: Readonly<Record<string, string>>, tagStart: number, tagEnd: number): void => {
    if (name === 'base') {
      if (baseHref === null && attributes['href'] !== undefined) baseHref = attributes['href'];
      return;
    }
    const wanted = HTML_LINK_ATTRIBUTES[name] ?? (components && isCapitalised(html, tagStart) ? COMPONENT_LINK_ATTRIBUTES : undefined);
    if (wanted === undefined) return;
    if (name === 'link' && isOriginOnly(attributes['rel'])) return;
    const tagLine = lines.lineAt(tagStart);
    // Only a tag that spans lines needs the attribute's own line worked out.
    const raw = html.slice(tagStart, tagEnd + 1);
    const multiline = raw.includes('\n');
    for (const attribute of wanted) {
      const value = attributes[attribute];
      if (value === undefined || (components && isJsxExpression(value))) continue;
      const hrefs = attribute === 'srcset' ? parseSrcset(value) : [value];
      let from = multiline ? attributeValueStart(raw, attribute) : 0;
      // Candidates only move forward in the tag: their lines are counted on from the previous one.
      const tagLines = new LineCounter(raw, tagLine);
      for (const href of hrefs) {
        let line = tagLine;
        if (multiline) {
          const at = raw.indexOf(href, from);
          line = tagLines.lineAt(at === -1 ? from : at);
          if (at !== -1) from = at + href.length;
        }
        if (ignores === undefined || ignores.keeps(line)) links.push({ href, line });
      }
    }
  };
  const onComment = (text: string, end: number): void => {
    ignores?.comment(text, lines.lineAt(end));
  };
  scanHtml(html, onOpenTag, onComment);
  return { links, baseHref };
}

/**
 * What {@link scanHtml} reports of a start tag: its name, lower-cased; its attributes (names
 * lower-cased, entities in values decoded, the first of a repeated attribute kept); and the
 * offsets in the text of its `<` and its `>`.
 */
export type StartTagHandler = (name: string, attributes: Readonly<Record<string, string>>, tagStart: number, tagEnd: number) => void;

/**
 * Reads an HTML document or fragment and reports its start tags and its comments (their text
 * without `<!--`/`-->`, and the offset of their end), in document order, in time linear in its
 * length and with no tree held (see {@link StartTagReader}). Never throws on any text.
 */
export function scanHtml(html: string, onOpenTag: StartTagHandler, onComment: (text: string, end: number) => void = () => {}): void {
  const reader = new StartTagReader(html, onOpenTag, onComment);
  const tokenizer = new Tokenizer({ xmlMode: false, decodeEntities: true }, reader);
  tokenizer.write(html);
  tokenizer.end();
}

/**
 * Start tags with their attributes, and comments, straight from htmlparser2's tokenizer: no tree
 * and no stack of open elements (htmlparser2's `Parser` keeps one with `unshift`, quadratic in
 * unclosed or nested tags), so reading a document is linear in its length. Attribute names and tag
 * names are lower-cased, entities in values decoded, and the first of a repeated attribute wins,
 * as the `Parser` does; a tag still open at the end of the text is dropped, as the `Parser` does.
 */
class StartTagReader implements TokenizerCallbacks {
  private tagName = '';
  private tagStart = 0;
  private attributes: Record<string, string> = {};
  private attributeName = '';
  private attributeValue = '';

  constructor(
    private readonly html: string,
    private readonly onOpenTag: StartTagHandler,
    private readonly onComment: (text: string, end: number) => void,
  ) {}

  onopentagname(start: number, endIndex: number): void {
    this.tagName = this.html.slice(start, endIndex).toLowerCase();
    this.tagStart = start - 1;
    this.attributes = {};
  }

  onattribname(start: number, endIndex: number): void {
    this.attributeName = this.html.slice(start, endIndex).toLowerCase();
    this.attributeValue = '';
  }

  onattribdata(start: number, endIndex: number): void {
    this.attributeValue += this.html.slice(start, endIndex);
  }

  onattribentity(codepoint: number): void {
    this.attributeValue += String.fromCodePoint(codepoint);
  }

  onattribend(): void {
    if (!Object.hasOwn(this.attributes, this.attributeName)) this.attributes[this.attributeName] = this.attributeValue;
    this.attributeValue = '';
  }

  onopentagend(endIndex: number): void {
    this.onOpenTag(this.tagName, this.attributes, this.tagStart, endIndex);
  }

  onselfclosingtag(endIndex: number): void {
    this.onopentagend(endIndex);
  }

  oncomment(start: number, endIndex: number, endOffset: number): void {
    this.onComment(this.html.slice(start, endIndex - endOffset), endIndex);
  }

  oncdata(start: number, endIndex: number, endOffset: number): void {
    // In HTML, <![CDATA[…]]> is a comment.
    this.onComment(`[CDATA[${this.html.slice(start, endIndex - endOffset)}]]`, endIndex);
  }

  onclosetag(): void {}
  ondeclaration(): void {}
  onend(): void {}
  onprocessinginstruction(): void {}
  ontext(): void {}
  ontextentity(): void {}
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
  // Never looks past `end`: an indexOf for the next newline would scan the rest of a long line
  // on every call, quadratic for a one-line document.
  let count = 0;
  const stop = Math.min(end, text.length);
  for (let index = Math.max(0, start); index < stop; index += 1) if (text.charCodeAt(index) === 0x0a) count += 1;
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
