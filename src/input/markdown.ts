import MarkdownItClass from 'markdown-it';
import type { Env, MarkdownIt, StateBlock, StateInline, Token } from 'markdown-it';
import { countNewlines, LineCounter } from './extract-html.js';

/**
 * How deep block containers may nest, in markdown-it's levels (its `maxNesting`, here as in its
 * default preset: a block quote counts 1, a list 2: the list and its item), far beyond any real
 * document. markdown-it reads nested blocks by recursion, so the stack bounds the depth (about
 * 1,700 nested quotes overflow Node's default stack), and a lazy line (`> > > a` then plain lines)
 * is read again at every level of quote, so depth × lines bounds the time (see also
 * CONTAINER_LINES_PER_LINE). Past this depth markdown-it drops what is nested deeper without a
 * word; {@link walkMarkdown} throws {@link MarkdownNestingError} instead, or skips it when asked.
 */
export const MAX_MARKDOWN_NESTING = 100;

/**
 * Most tokens markdown-it may make of a document's blocks, and of one block's inline content.
 * Memory grows with tokens (about 230 bytes each), and some documents make a token of every
 * character or two: 4 MB of `- a` lines are 5 million tokens and 1.1 GB. A real document makes
 * one block token per 40 characters or so (a 32 MiB document, the largest read, about 800,000);
 * past this limit {@link walkMarkdown} throws {@link MarkdownTooLargeError}, or skips the rest.
 */
export const MAX_MARKDOWN_TOKENS = 1_000_000;

/** A Markdown document past one of walkMarkdown's limits (nesting, tokens): refused rather than read in part. */
export class MarkdownLimitError extends RangeError {
  override readonly name: string = 'MarkdownLimitError';
}

/** A Markdown document whose blocks nest deeper than {@link MAX_MARKDOWN_NESTING}. */
export class MarkdownNestingError extends MarkdownLimitError {
  override readonly name: string = 'MarkdownNestingError';

  constructor() {
    super('nesting too deep');
  }
}

/** A Markdown document that makes more than {@link MAX_MARKDOWN_TOKENS} block tokens, or a block that makes as many inline tokens. */
export class MarkdownTooLargeError extends MarkdownLimitError {
  override readonly name: string = 'MarkdownTooLargeError';

  constructor(what: 'blocks' | 'inline tokens in one block') {
    super(`more than ${MAX_MARKDOWN_TOKENS.toLocaleString('en-US')} ${what}`);
  }
}

/** The inline content of one block (a paragraph, a heading, a table cell), parsed. */
export interface InlineContent {
  /** The block's text as markdown-it parses it: block markers (`>`, list bullets) and indentation taken off, one line per line. */
  source: string;
  /** The inline tokens, in document order; {@link offsetOf} says where each was produced in `source`. */
  tokens: readonly Token[];
  /** The 1-based document line of an offset in `source`; offsets asked must not go backwards. */
  lineAt(offset: number): number;
}

/**
 * What {@link walkMarkdown} shows: every block token in document order; for an `inline` token,
 * its parsed content too (only during the call: it is released afterwards).
 */
export type MarkdownVisitor = (block: Token, inline: InlineContent | null) => void;

/** The 1-based document line of a block token's first line (`html_block`, `heading_open`, …; not table cells). */
export function blockLine(block: Token): number {
  return (block.map?.[0] ?? 0) + 1;
}

/**
 * GitHub's autolink literals in a run of text: `http://`, `https://` and `www.` links and e-mail
 * addresses, each with its URL (`http://` put before `www.`, `mailto:` before an address) and its
 * offset in `text`. Not bare domains (`example.com`).
 */
export function literalLinks(text: string): Array<{ url: string; index: number }> {
  const { linkify } = markdownParser().md;
  if (!linkify.test(text)) return [];
  return (linkify.match(text) ?? []).map((match) => ({ url: trimLiteral(match.url), index: match.index }));
}

/**
 * An autolink literal's URL without the trailing `*`, `_` and `~` GFM leaves out of it (they
 * close emphasis or strikethrough: `~~https://example.com~~`); linkify-it already leaves out
 * trailing `?`, `!`, `.`, `,` and `:`.
 */
export function trimLiteral(url: string): string {
  let end = url.length;
  while (end > 0) {
    const code = url.charCodeAt(end - 1);
    if (code !== 0x2a && code !== 0x5f && code !== 0x7e) break;
    end -= 1;
  }
  return end === url.length ? url : url.slice(0, end);
}

/**
 * Where markdown-it produced an inline token, as an offset in {@link InlineContent.source}: the
 * start of the construct for links' `link_open` (the character after `[`), autolinks (`<`),
 * literal links (the `:` of `https:`), images (`!`) and raw HTML (`<`); the end of the label for
 * `link_close` (its `]`); the end of the text for `text` (a text token never spans lines).
 */
export function offsetOf(token: Token): number {
  return (token as PlacedToken).offset ?? 0;
}

/**
 * A reference definition's destination, as written (escapes and entities decoded), and the
 * 1-based line it is on (the line after `[id]:` when the URL is on the next line).
 */
export function definitionOf(block: Token): { href: string; line: number } | null {
  const meta = block.meta as DefinitionMeta | null;
  return meta?.href === undefined || meta.line === undefined ? null : { href: meta.href, line: meta.line };
}

/** How {@link walkMarkdown} reads a document. */
export interface WalkOptions {
  /**
   * What to do with a document past a limit ({@link MAX_MARKDOWN_NESTING},
   * {@link MAX_MARKDOWN_TOKENS}): `throw` (the default) the {@link MarkdownLimitError} before
   * visiting anything, or `skip` what is past it (blocks nested too deep, the blocks after the
   * limit, a block with too many inline tokens) and visit the rest.
   */
  overLimit?: 'throw' | 'skip';
}

/**
 * Parses a Markdown document (CommonMark + GitHub's tables, strikethrough and autolink literals,
 * raw HTML on) and shows each block, in document order, to `visit`. A block's inline content is
 * parsed when it is visited and released after, so what is held at once is the block tokens and
 * one block's inline tokens, never the document's whole tree, and never more than
 * {@link MAX_MARKDOWN_TOKENS} of either. Time is linear in the length of the document.
 * @throws MarkdownLimitError when the document nests deeper than {@link MAX_MARKDOWN_NESTING} or
 *   makes more than {@link MAX_MARKDOWN_TOKENS} tokens, unless `options.overLimit` is `skip`.
 */
export function walkMarkdown(markdown: string, visit: MarkdownVisitor, options: WalkOptions = {}): void {
  const parser = markdownParser();
  const skip = options.overLimit === 'skip';
  const env: Env = {};
  const blocks: Token[] = [];
  try {
    // markdown-it's core "normalize" rule, then its block parse: the rest of its core rules
    // (inline parse, linkify, typography) are what walkMarkdown does block by block.
    parser.md.block.parse(markdown.replace(/\r\n?/g, '\n').replaceAll('\0', '\uFFFD'), parser.md, env, blocks);
  } catch (error) {
    if (!(error instanceof MarkdownLimitError) || !skip) throw error;
    // Cut off mid-block: the last blocks may be open; what was read is visited.
  }
  if (env[TOO_DEEP] === true && !skip) throw new MarkdownNestingError();
  // A table cell's inline token has no line map of its own: its row's is the last one seen.
  let line = 1;
  for (let index = 0; index < blocks.length; index += 1) {
    const block = blocks[index] as Token;
    if (block.map !== null) line = block.map[0] + 1;
    if (block.type !== 'inline') {
      visit(block, null);
      continue;
    }
    const tokens: Token[] = [];
    try {
      parser.parseInline(block.content, parser.md, env, tokens);
    } catch (error) {
      if (!(error instanceof MarkdownLimitError) || !skip) throw error;
      continue;
    }
    const lines = new LineCounter(block.content, line);
    visit(block, { source: block.content, tokens, lineAt: (offset) => lines.lineAt(offset) });
  }
}

type PlacedToken = Token & { offset?: number };

interface DefinitionMeta {
  label?: string;
  href?: string;
  line?: number;
}

interface MarkdownParser {
  md: MarkdownIt;
  /** markdown-it's own inline parse (the instance's `inline.parse` is switched off, see below). */
  parseInline: (source: string, md: MarkdownIt, env: Env, tokens: Token[]) => void;
}

let parser: MarkdownParser | null = null;

// One configured instance, built on first use: building compiles linkify-it's regular expressions.
function markdownParser(): MarkdownParser {
  parser ??= createParser();
  return parser;
}

function createParser(): MarkdownParser {
  const md = new MarkdownItClass('default', { html: true, linkify: true, typographer: false, maxNesting: MAX_MARKDOWN_NESTING });
  // Links are checked as written: not percent-encoded or punycoded, and every scheme kept
  // (javascript:, tel:, file: are returned; the caller counts them as skipped). A link's text
  // stays as written too (a heading's anchor is made from it).
  md.normalizeLink = (url) => url;
  md.normalizeLinkText = (url) => url;
  md.validateLink = () => true;
  configureLinkify(md);
  md.inline.ruler.after('linkify', 'gfm_scheme_linkify', schemeAfterPunctuation);
  limitBlockTokens(md);
  recordInlineOffsets(md);
  boundNesting(md);
  recordDefinitions(md);
  // An image's alt text is parsed by markdown-it only to render it: nothing in it is a link or an
  // anchor (GitHub's text of a heading leaves images out), and parsing it recursively makes
  // `![![![…` quadratic and as deep as the nesting. markdown-it calls `md.inline.parse` for alt
  // text alone; walkMarkdown calls the prototype's.
  const parseInline = md.inline.parse.bind(md.inline);
  md.inline.parse = () => {};
  return { md, parseInline };
}

// GitHub's autolink literals: `http://`, `https://` and `www.` links and e-mail addresses; not
// bare domains (`example.com`), `ftp://` or protocol-relative `//host` as linkify-it's defaults have.
function configureLinkify(md: MarkdownIt): void {
  // urlAuth: `http://user:pw@host/` is one link, not `http://user`.
  md.linkify.set({ fuzzyLink: false, fuzzyEmail: true, fuzzyIP: false, urlAuth: true });
  md.linkify.add('ftp:', null);
  md.linkify.add('//', null);
  md.linkify.add('www.', {
    // GFM's "valid domain": any run of dot-separated labels after `www.` (`www.commonmark` too,
    // whatever its top-level domain), then an optional port and path as for http: links.
    validate: (text, pos, self) => {
      const re = (wwwTail ??= new RegExp(
        `(?:(?:${self.re.get_domain().source})\\.){0,10}${self.re.get_domain_root().source}${self.re.get_port().source}${self.re.get_host_terminator().source}${self.re.get_path().source}`,
        'iy',
      ));
      re.lastIndex = pos;
      const match = re.exec(text);
      return match === null ? 0 : match[0].length;
    },
    normalize: (match) => {
      match.url = `http://${match.url}`;
    },
  });
}

let wwwTail: RegExp | undefined;

// markdown-it's linkify rule takes the scheme of `git+https://host/` to be `git+https` and links
// nothing; GitHub (cmark-gfm) reads back over letters only and links `https://host/`. This rule,
// after markdown-it's, links what it left: `http` or `https` after a character that is no letter.
function schemeAfterPunctuation(state: StateInline, silent: boolean): boolean {
  const { src, pos } = state;
  if (!state.md.options.linkify || state.linkLevel > 0) return false;
  if (src.charCodeAt(pos) !== 0x3a || src.charCodeAt(pos + 1) !== 0x2f || src.charCodeAt(pos + 2) !== 0x2f) return false;
  let start = pos;
  while (start > 0 && pos - start < 6 && isAsciiLetter(src.charCodeAt(start - 1))) start -= 1;
  const scheme = src.slice(start, pos);
  if (!/^https?$/i.test(scheme) || (start > 0 && isAsciiLetter(src.charCodeAt(start - 1))) || !state.pending.endsWith(scheme)) return false;
  const link = state.md.linkify.matchAtStart(src.slice(start));
  if (link === null || link.url.length <= scheme.length) return false;
  const url = link.url;
  if (!silent) {
    state.pending = state.pending.slice(0, -scheme.length);
    const open = state.push('link_open', 'a', 1);
    open.attrs = [['href', state.md.normalizeLink(url)]];
    open.markup = 'linkify';
    open.info = 'auto';
    state.push('text', '', 0).content = state.md.normalizeLinkText(url);
    const close = state.push('link_close', 'a', -1);
    close.markup = 'linkify';
    close.info = 'auto';
  }
  state.pos += url.length - scheme.length;
  return true;
}

function isAsciiLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

// Memory grows with tokens: past MAX_MARKDOWN_TOKENS, the parse stops (see walkMarkdown).
function limitBlockTokens(md: MarkdownIt): void {
  const BlockState = md.block.State;
  md.block.State = class CountedState extends BlockState {
    override push(type: string, tag: string, nesting: -1 | 0 | 1): Token {
      if (this.tokens.length >= MAX_MARKDOWN_TOKENS) throw new MarkdownTooLargeError('blocks');
      return super.push(type, tag, nesting);
    }
  };
}

// Every inline token gets the offset in its block's source where it was produced (see offsetOf):
// markdown-it's inline tokens carry no positions, and a link's line is worked out from them. A
// block's inline tokens are limited as the document's block tokens are.
function recordInlineOffsets(md: MarkdownIt): void {
  const State = md.inline.State;
  md.inline.State = class PlacedState extends State {
    override push(type: string, tag: string, nesting: -1 | 0 | 1): Token {
      if (this.tokens.length >= MAX_MARKDOWN_TOKENS) throw new MarkdownTooLargeError('inline tokens in one block');
      const token = super.push(type, tag, nesting) as PlacedToken;
      token.offset = this.pos;
      return token;
    }

    override pushPending(): Token {
      const token = super.pushPending() as PlacedToken;
      token.offset = this.pos;
      return token;
    }
  };
}

// markdown-it keeps a reference definition as a `reference_definition` token with its label only
// (and the first definition of a label in env.references). The destination of each one, and the
// line it is on, are taken as the rule reads them: the rule reads its destination with
// md.helpers.parseLinkDestination on the whole document's text, once.
function recordDefinitions(md: MarkdownIt): void {
  const parseLinkDestination = md.helpers.parseLinkDestination;
  let destination: { start: number; href: string } | null = null;
  md.helpers.parseLinkDestination = (str, start, max) => {
    const result = parseLinkDestination(str, start, max);
    if (result.ok) destination = { start, href: result.str };
    return result;
  };
  const rules = md.block.ruler.__rules__;
  const rule = rules.find((candidate) => candidate.name === 'reference');
  if (rule === undefined) throw new Error('markdown-it has no reference rule');
  const reference = rule.fn;
  md.block.ruler.at('reference', (state: StateBlock, startLine: number, endLine: number, silent: boolean) => {
    destination = null;
    const before = state.tokens.length;
    if (!reference(state, startLine, endLine, silent)) return false;
    const token = state.tokens[state.tokens.length - 1];
    const found = destination as { start: number; href: string } | null;
    if (!silent && token !== undefined && state.tokens.length > before && found !== null) {
      const lineStart = state.bMarks[startLine] ?? 0;
      const meta = (token.meta ?? {}) as DefinitionMeta;
      meta.href = found.href;
      meta.line = startLine + 1 + countNewlines(state.src, lineStart, found.start);
      token.meta = meta as Record<string, unknown>;
    }
    return true;
  });
}

/**
 * Lines markdown-it may read inside block quotes, summed over every level of nesting: 20 per line
 * of the document or 2 per character, whichever is more, plus 10,000. markdown-it reads a quote's
 * lines once per level it is nested in: a quote 90 deep followed by 40,000 lazy continuation lines
 * is 3.6 million line reads (1.5 s) for 80 KB, while lines that each repeat their `>` markers are
 * at least as long as they are deep. Real documents read each line a few times; past this budget
 * the document is refused as nested too deep, so time stays linear in its length.
 */
const CONTAINER_LINES_PER_LINE = 20;
const CONTAINER_LINES_PER_CHARACTER = 2;
const CONTAINER_LINES_SLACK = 10_000;

// markdown-it stops reading a container nested past maxNesting and drops what is inside without
// a word. Here that, and a container read past the budget above, are noted in env (TOO_DEEP)
// for walkMarkdown to refuse the document or go on without what was dropped, as it is asked.
// Containers (quotes, list items) read their content by calling block.tokenize at level > 0.
function boundNesting(md: MarkdownIt): void {
  const tokenize = md.block.tokenize.bind(md.block);
  md.block.tokenize = (state: StateBlock, startLine: number, endLine: number) => {
    const env = state.env as NestingEnv;
    if (state.level === 0) {
      const lines = endLine - startLine;
      env[CONTAINER_BUDGET] = Math.max(CONTAINER_LINES_PER_LINE * lines, CONTAINER_LINES_PER_CHARACTER * state.src.length) + CONTAINER_LINES_SLACK;
    } else {
      // A quote reads its lines before its content is read (list items do not: theirs end where
      // their content does), so only quotes' ranges are lines read again.
      if (state.parentType === 'blockquote') env[CONTAINER_LINES] = (env[CONTAINER_LINES] ?? 0) + (endLine - startLine);
      const overBudget = (env[CONTAINER_LINES] ?? 0) > (env[CONTAINER_BUDGET] ?? CONTAINER_LINES_SLACK);
      if ((state.level >= MAX_MARKDOWN_NESTING || overBudget) && state.skipEmptyLines(startLine) < endLine) {
        env[TOO_DEEP] = true;
        state.line = endLine;
        return;
      }
    }
    tokenize(state, startLine, endLine);
  };
}

const TOO_DEEP = Symbol('blocks nested too deep were skipped');
const CONTAINER_LINES = Symbol('lines read inside containers so far');
const CONTAINER_BUDGET = Symbol('lines containers may read');

interface NestingEnv extends Env {
  [TOO_DEEP]?: boolean;
  [CONTAINER_LINES]?: number;
  [CONTAINER_BUDGET]?: number;
}
