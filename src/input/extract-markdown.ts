import type { Nodes } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';
import { countNewlines, extractHtmlLinks, type ExtractedLink } from './extract-html.js';

/**
 * Extracts the links of a Markdown document (CommonMark + GitHub Flavored Markdown, as GitHub
 * renders a README), in document order, each with the 1-based line of its URL:
 * inline links and images, autolinks (`<https://…>`), GFM autolink literals (`https://…`,
 * `www.…`), reference definitions (`[id]: https://…`, once, where they are defined), and the
 * `<a href>`, `<img src|srcset>` and other link attributes of raw HTML (see `extract-html.ts`).
 * Code blocks and code spans are code, not links: nothing in them is returned. MDX is read as
 * Markdown: its JSX tags count as raw HTML.
 */
export function extractMarkdownLinks(markdown: string): ExtractedLink[] {
  const tree = fromMarkdown(markdown, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
  const links: ExtractedLink[] = [];
  // An explicit stack rather than recursion: deeply nested lists or quotes cannot overflow it.
  const stack: Nodes[] = [tree];
  while (stack.length > 0) {
    const node = stack.pop() as Nodes;
    switch (node.type) {
      case 'link':
      case 'image':
      case 'definition':
        links.push({ href: node.url, line: urlLine(markdown, node) });
        break;
      case 'html':
        if (node.position !== undefined) links.push(...extractHtmlLinks(node.value, node.position.start.line).links);
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
