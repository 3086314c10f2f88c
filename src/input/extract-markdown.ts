import type { Token } from 'markdown-it';
import { countNewlines, extractHtmlLinks, type ExtractedLink } from './extract-html.js';
import { IgnoreComments } from './ignore-comments.js';
import { blockLine, definitionOf, literalLinks, offsetOf, trimLiteral, walkMarkdown, type InlineContent } from './markdown.js';

/**
 * Extracts the links of a Markdown document (CommonMark + GitHub Flavored Markdown, as GitHub
 * renders a README), in document order, each with the 1-based line of its URL:
 * inline links and images, autolinks (`<https://…>`), GFM autolink literals (`https://…`,
 * `www.…`, e-mail addresses; not bare domains such as `example.com`), reference definitions
 * (`[id]: https://…`, once, where they are defined, used or not: a `[text][id]` usage is not a
 * second link), and the `<a href>`, `<img src|srcset>` and other link attributes of raw HTML
 * (see `extract-html.ts`). A destination is returned as written, its escapes and entities decoded,
 * neither percent-encoded nor normalised, whatever its scheme (`javascript:`, `tel:` included).
 * Code blocks, code spans, image alt text and display math (see {@link maskDisplayMath}) are not
 * links: nothing in them is returned. MDX is read as Markdown: its JSX tags count as raw HTML, and
 * a capitalised component's `href` and `src` are read. Links that ignore comments switch off are
 * counted in `ignores` (see {@link IgnoreComments}), not returned.
 *
 * Time is linear in the length of the document and memory bounded by one block's tokens at a
 * time (see `walkMarkdown` in markdown.ts).
 * @throws MarkdownLimitError (markdown.ts) when the document is past one of markdown.ts's limits,
 *   rather than reading it in part: block quotes or lists nested deeper than
 *   `MAX_MARKDOWN_NESTING` ("nesting too deep"), or more than `MAX_MARKDOWN_TOKENS` tokens.
 */
export function extractMarkdownLinks(source: string, ignores: IgnoreComments = new IgnoreComments()): ExtractedLink[] {
  const links: ExtractedLink[] = [];
  walkMarkdown(maskDisplayMath(source), (block, inline) => {
    if (inline !== null) {
      inlineLinks(inline, links, ignores);
    } else if (block.type === 'reference_definition') {
      const definition = definitionOf(block);
      if (definition !== null && ignores.keeps(definition.line)) links.push({ href: definition.href, line: definition.line });
    } else if (block.type === 'html_block') {
      for (const link of extractHtmlLinks(block.content, blockLine(block), { components: true, ignores }).links) links.push(link);
    }
  });
  return links;
}

function inlineLinks({ source, tokens, lineAt }: InlineContent, links: ExtractedLink[], ignores: IgnoreComments): void {
  const keep = (href: string, line: number): void => {
    if (ignores.keeps(line)) links.push({ href, line });
  };
  // Text inside a link is the link's text: no literal link is looked for in it.
  let linkDepth = 0;
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index] as Token;
    switch (token.type) {
      case 'link_open': {
        linkDepth += 1;
        const href = String(token.attrGet('href') ?? '');
        if (token.info === 'auto') {
          keep(token.markup === 'linkify' ? trimLiteral(href) : href, lineAt(offsetOf(token)));
        } else if (!isReferenceUsage(token)) {
          // The URL comes after the label, whose own links (an image in a badge) follow this one,
          // so its line is counted on from the label's start rather than by the forward-only lineAt.
          const labelStart = offsetOf(token);
          const destination = destinationStart(source, offsetOf(closingLink(tokens, index)));
          keep(href, lineAt(labelStart) + countNewlines(source, labelStart, destination));
        }
        break;
      }
      case 'link_close':
        linkDepth -= 1;
        break;
      case 'image':
        if (!isReferenceUsage(token)) {
          // The image token stands at its `!`; its label, kept whole as its content, ends at `]`.
          const labelEnd = offsetOf(token) + 2 + token.content.length;
          keep(String(token.attrGet('src') ?? ''), lineAt(destinationStart(source, labelEnd)));
        }
        break;
      case 'html_inline':
        // A closing tag has no attributes and is no comment.
        if (!token.content.startsWith('</')) {
          for (const link of extractHtmlLinks(token.content, lineAt(offsetOf(token)), { components: true, ignores }).links) links.push(link);
        }
        break;
      case 'text':
        if (linkDepth === 0) {
          let found = literalLinks(token.content);
          // As markdown-it's own linkify: `\www.example.com` is escaped, not a link (but in
          // `&lt;a@example.com&gt;` an address follows a decoded entity).
          const previous = tokens[index - 1];
          if (found[0]?.index === 0 && previous?.type === 'text_special' && previous.info === 'escape') found = found.slice(1);
          if (found.length > 0) {
            const line = lineAt(offsetOf(token));
            for (const link of found) keep(link.url, line);
          }
        }
        break;
      default:
        break;
    }
  }
}

// `[text][id]`, `[id][]` and `[id]`: the URL is the definition's, returned once where it is defined.
function isReferenceUsage(token: Token): boolean {
  return token.meta !== null && typeof token.meta['label'] === 'string';
}

// The link_close matching the link_open at `open`: links do not nest, but an autolink may sit in a label.
function closingLink(tokens: readonly Token[], open: number): Token {
  const level = (tokens[open] as Token).level;
  for (let index = open + 1; index < tokens.length; index += 1) {
    const token = tokens[index] as Token;
    if (token.type === 'link_close' && token.level === level) return token;
  }
  return tokens[open] as Token;
}

// Where the destination of `[label](  destination …)` starts, given the offset of the label's `]`:
// after `(` and any spaces, tabs and line break, as markdown-it's link rule reads it.
function destinationStart(source: string, labelEnd: number): number {
  let position = labelEnd + 2;
  while (position < source.length) {
    const code = source.charCodeAt(position);
    if (code !== 0x20 && code !== 0x09 && code !== 0x0a) break;
    position += 1;
  }
  return Math.min(position, source.length);
}

/**
 * The text with its display math blocks masked, as GitHub renders them: from a line that starts
 * with `$$` (after indentation and `>` quote markers) to the next line that ends with `$$` (the
 * same line when it holds both), outside fenced code. Every character of a block but whitespace
 * and its lines' quote prefixes becomes `$`, which neither CommonMark nor GFM gives a meaning:
 * nothing in math is a link, and every offset and line of the rest stays where it was. A `$$`
 * that is never closed is not math. Inline `$…$` math is left as text.
 */
export function maskDisplayMath(markdown: string): string {
  if (!markdown.includes('$$')) return markdown;
  const parts: string[] = [];
  let done = 0;
  let fence: string | null = null;
  let mathStart = -1;
  for (let start = 0; start <= markdown.length; ) {
    const newline = markdown.indexOf('\n', start);
    const end = newline === -1 ? markdown.length : newline;
    const content = markdown.slice(start, end).replace(LINE_PREFIX, '').trimEnd();
    if (mathStart !== -1) {
      if (content.endsWith('$$')) {
        parts.push(markdown.slice(done, mathStart), maskLines(markdown.slice(mathStart, end)));
        done = end;
        mathStart = -1;
      }
    } else if (fence !== null) {
      if (content.startsWith(fence) && content === (fence[0] as string).repeat(content.length)) fence = null;
    } else if (FENCE.test(content)) {
      fence = (FENCE.exec(content) as RegExpExecArray)[1] as string;
    } else if (content.startsWith('$$')) {
      if (content.length >= 4 && content.endsWith('$$')) {
        parts.push(markdown.slice(done, start), maskLines(markdown.slice(start, end)));
        done = end;
      } else {
        mathStart = start;
      }
    }
    start = end + 1;
  }
  parts.push(markdown.slice(done));
  return parts.join('');
}

const LINE_PREFIX = /^[ \t>]*/;
const FENCE = /^(`{3,}|~{3,})/;

function maskLines(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const prefix = LINE_PREFIX.exec(line)?.[0] ?? '';
      return prefix + line.slice(prefix.length).replace(/\S/g, () => '$');
    })
    .join('\n');
}
