import GithubSlugger from 'github-slugger';
import type { Token } from 'markdown-it';
import { maskDisplayMath } from './extract-markdown.js';
import { scanHtml } from './extract-html.js';
import { walkMarkdown } from './markdown.js';

/**
 * The fragments a document offers (`#…` links that land somewhere in it), as written, case kept:
 * - in HTML: every element's `id` and every `<a name>`;
 * - in Markdown: every heading's anchor as GitHub makes it (ATX `## …` and setext headings, in
 *   quotes and lists too), by `github-slugger`, one slugger per document so that repeated headings
 *   get `-1`, `-2`, …; the heading's text is what GitHub renders: its text and code spans, markup
 *   left out, entities and escapes decoded, images and raw HTML tags dropped (the text between
 *   tags kept); plus the `id` of any element and the `name` of `<a>` in raw HTML, block and inline.
 *   Headings in code and in display math are not headings.
 *
 * GitHub's line anchors (`#L10`, `#L10-L20`) are not in the set (it would grow with the document):
 * the caller checks them against {@link lineCount}. Time is linear in the length of the document
 * and memory bounded by one block's tokens at a time. Never throws: what is past markdown.ts's
 * limits (blocks nested deeper than `MAX_MARKDOWN_NESTING`, tokens past `MAX_MARKDOWN_TOKENS`)
 * offers no anchor, the rest is read.
 */
export function documentAnchors(kind: 'markdown' | 'html', text: string): Set<string> {
  const anchors = new Set<string>();
  if (kind === 'html') {
    htmlAnchors(text, anchors);
    return anchors;
  }
  const slugger = new GithubSlugger();
  let heading = false;
  walkMarkdown(
    maskDisplayMath(text),
    (block, inline) => {
      if (inline === null) {
        if (block.type === 'html_block') htmlAnchors(block.content, anchors);
        // A heading's text is the inline block right after its heading_open.
        heading = block.type === 'heading_open';
        return;
      }
      if (heading) {
        // An empty heading still counts for the numbering of repeats, as GitHub's does, but offers no anchor.
        const slug = slugger.slug(headingText(inline.tokens));
        if (slug !== '') anchors.add(slug);
      }
      heading = false;
      for (const token of inline.tokens) if (token.type === 'html_inline' && !token.content.startsWith('</')) htmlAnchors(token.content, anchors);
    },
    { overLimit: 'skip' },
  );
  return anchors;
}

/**
 * How many lines `text` has, as GitHub numbers them for its `#L10` anchors: a line ends at
 * "\n", "\r\n" or "\r"; a line break at the very end ends the last line rather than starting
 * another; an empty text has no line.
 */
export function lineCount(text: string): number {
  if (text === '') return 0;
  let count = 1;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === 0x0a || (code === 0x0d && text.charCodeAt(index + 1) !== 0x0a)) count += 1;
  }
  const last = text.charCodeAt(text.length - 1);
  return last === 0x0a || last === 0x0d ? count - 1 : count;
}

function htmlAnchors(html: string, anchors: Set<string>): void {
  scanHtml(html, (name, attributes) => {
    const id = attributes['id'];
    if (id !== undefined && id !== '') anchors.add(id);
    const anchorName = name === 'a' ? attributes['name'] : undefined;
    if (anchorName !== undefined && anchorName !== '') anchors.add(anchorName);
  });
}

// The text GitHub renders for a heading (an element's textContent): text, code spans, decoded
// entities and escapes; line breaks of a setext heading as "\n" (the slug drops them).
function headingText(tokens: readonly Token[]): string {
  let text = '';
  for (const token of tokens) {
    switch (token.type) {
      case 'text':
      case 'text_special':
      case 'code_inline':
        text += token.content;
        break;
      case 'softbreak':
      case 'hardbreak':
        text += '\n';
        break;
      default:
        break;
    }
  }
  return text;
}
