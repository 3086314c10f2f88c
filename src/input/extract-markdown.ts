import type { Nodes } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';
import { countNewlines, extractHtmlLinks, type ExtractedLink } from './extract-html.js';
import { IgnoreComments } from './ignore-comments.js';

/**
 * Extracts the links of a Markdown document (CommonMark + GitHub Flavored Markdown, as GitHub
 * renders a README), in document order, each with the 1-based line of its URL:
 * inline links and images, autolinks (`<https://…>`), GFM autolink literals (`https://…`,
 * `www.…`), reference definitions (`[id]: https://…`, once, where they are defined), and the
 * `<a href>`, `<img src|srcset>` and other link attributes of raw HTML (see `extract-html.ts`).
 * Code blocks, code spans and display math (see {@link maskDisplayMath}) are not links: nothing
 * in them is returned. MDX is read as Markdown: its JSX tags count as raw HTML, and a capitalised
 * component's `href` and `src` are read. Links that ignore comments switch off are counted in
 * `ignores` (see {@link IgnoreComments}), not returned.
 */
export function extractMarkdownLinks(source: string, ignores: IgnoreComments = new IgnoreComments()): ExtractedLink[] {
  const markdown = maskDisplayMath(source);
  const tree = fromMarkdown(markdown, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
  const links: ExtractedLink[] = [];
  // An explicit stack rather than recursion: deeply nested lists or quotes cannot overflow it.
  const stack: Nodes[] = [tree];
  while (stack.length > 0) {
    const node = stack.pop() as Nodes;
    switch (node.type) {
      case 'link':
      case 'image':
      case 'definition': {
        const line = urlLine(markdown, node);
        if (ignores.keeps(line)) links.push({ href: node.url, line });
        break;
      }
      case 'html':
        if (node.position !== undefined) links.push(...extractHtmlLinks(node.value, node.position.start.line, { components: true, ignores }).links);
        break;
      default:
        break;
    }
    if ('children' in node) for (let index = node.children.length - 1; index >= 0; index -= 1) stack.push(node.children[index] as Nodes);
  }
  return links;
}

// The line of the URL itself, which for `[text\nover lines](url)` or `[id]:\n  url` is not the
// line the node starts on. The URL is searched for as written; when it was written differently
// (escapes, entities, a `www.` literal given an http: prefix) the node's first line is used.
function urlLine(markdown: string, node: Nodes & { url: string }): number {
  const position = node.position;
  if (position === undefined) return 1;
  const { start, end } = position;
  if (start.line === end.line || start.offset === undefined || end.offset === undefined) return start.line;
  const at = markdown.lastIndexOf(node.url, end.offset - node.url.length);
  if (node.url === '' || at < start.offset) return start.line;
  return start.line + countNewlines(markdown, start.offset, at);
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
