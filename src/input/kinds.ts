import { extname } from 'node:path';
import type { InputKind } from './types.js';

/**
 * The kind an extension names, in any case: every Markdown flavour (`.md`, `.markdown`, `.mdown`,
 * `.mkd`, `.mdx`, Quarto's `.qmd`, R Markdown's `.Rmd`) Markdown, `.html`/`.htm`/`.xhtml` HTML,
 * `.xml` a sitemap (and the same with `.gz`), `.txt` a list. Anything else: undefined, the
 * content decides.
 */
export function kindFromPath(path: string): InputKind | undefined {
  const lower = path.toLowerCase();
  const extension = extname(lower.endsWith('.gz') ? lower.slice(0, -3) : lower);
  return EXTENSION_KINDS[extension];
}

const EXTENSION_KINDS: Record<string, InputKind | undefined> = {
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.mdown': 'markdown',
  '.mkd': 'markdown',
  '.mdx': 'markdown',
  '.qmd': 'markdown',
  '.rmd': 'markdown',
  '.html': 'html',
  '.htm': 'html',
  '.xhtml': 'html',
  '.xml': 'sitemap',
  '.txt': 'list',
};

/**
 * The kind a Content-Type names when it is decisive (HTML, Markdown, XML); null for anything
 * vaguer (`text/plain`, `application/octet-stream`, gzip), where the URL's extension and then the
 * first bytes decide.
 */
export function kindFromContentType(contentType: string | null): InputKind | null {
  switch (contentType) {
    case 'text/html':
    case 'application/xhtml+xml':
      return 'html';
    case 'text/markdown':
    case 'text/x-markdown':
      return 'markdown';
    case 'application/xml':
    case 'text/xml':
      return 'sitemap';
    default:
      return null;
  }
}
