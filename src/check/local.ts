import { open, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { documentAnchors } from '../input/anchors.js';
import { kindFromPath } from '../input/kinds.js';
import { MAX_WHOLE_DOCUMENT_CHARS } from '../input/types.js';
import type { CheckError, CheckResult, Target } from '../model/types.js';
import { verdictOf } from '../model/verdict.js';
import { describeFsError } from '../util/fs-errors.js';
import { printable } from '../util/redact.js';
import { formatBytes } from '../util/text.js';
import { checkableFragment, hasAnchor, LruCache, lineAnchorEnd } from '../util/fragments.js';

/** Documents whose anchors one run keeps at once; the least recently used are read again if needed. */
const ANCHOR_CACHE_DOCUMENTS = 64;

/** The files a folder link's `#fragment` is looked up in, in this order, as GitHub and web servers show a folder. */
export const FOLDER_INDEX_FILES: readonly string[] = ['README.md', 'readme.md', 'index.md', 'index.html', 'index.htm'];

/** What a document offers fragments: its anchors (null for a file that has none, e.g. an image), and its line count. */
interface DocumentAnchors {
  anchors: ReadonlySet<string> | null;
  /** Lines, for GitHub's `#L10` anchors. */
  lines: number;
  caseInsensitive: boolean;
  /** Why the anchors could not be read; the fragment is then reported with it. */
  error: CheckError | null;
}

/** What the local checks of one run share: the root and the anchors read so far. */
export interface LocalCheckContext {
  /** The absolute folder local links must stay inside (--root-dir, else the working directory). */
  readonly root: string;
  /** The root with its symbolic links resolved, read once. */
  readonly realRoot: Promise<string>;
  /** Anchors by real path; a promise, so that fragments checked at once share one read. */
  readonly anchors: LruCache<string, Promise<DocumentAnchors>>;
}

/** Prepares the local checks of a run; `rootDir` null means the working directory. */
export function createLocalCheckContext(rootDir: string | null): LocalCheckContext {
  const root = rootDir ?? process.cwd();
  const realRoot = realpath(root).catch(() => root);
  return { root, realRoot, anchors: new LruCache(ANCHOR_CACHE_DOCUMENTS) };
}

/**
 * Checks a `file:` target (a local link of a local document) on disk, without touching the
 * network: the file or folder must exist inside the root (a link that leaves it through `..` or a
 * symbolic link is `FILE_OUTSIDE_ROOT`, and not read), and its `#fragment`, if any, must be one of
 * the anchors of the document it names (`FRAGMENT_NOT_FOUND`): a Markdown heading's GitHub slug or
 * an HTML `id`/`<a name>` (see `input/anchors.ts`), or a GitHub line anchor `#L10` within the
 * file's lines. A fragment into a folder is looked up in its {@link FOLDER_INDEX_FILES}; into a
 * file that is neither Markdown nor HTML, only line anchors are checked. `runStartedAt` (the
 * performance.now() time the run started, in milliseconds) is where the result's `startMs` counts
 * from. Never throws.
 */
export async function checkLocalTarget(target: Target, url: URL, ctx: LocalCheckContext, runStartedAt = 0): Promise<CheckResult> {
  const started = performance.now();
  const found = await localError(url, ctx);
  // File names may hold control characters: never raw in a message.
  const error = found === null ? null : { code: found.code, message: printable(found.message) };
  const ok = error === null;
  return {
    url: target.display,
    ok,
    status: null,
    error,
    startMs: Math.round((started - runStartedAt) * 10) / 10,
    durationMs: Math.round((performance.now() - started) * 10) / 10,
    attempts: 1,
    redirects: [],
    finalUrl: null,
    method: null,
    verdict: verdictOf({ ok, status: null, error, warnings: [] }, false),
    warnings: [],
    timings: null,
    tls: null,
    source: target.source,
    line: target.line,
  };
}

async function localError(url: URL, ctx: LocalCheckContext): Promise<CheckError | null> {
  let path: string;
  try {
    path = fileURLToPath(url);
  } catch (error) {
    return { code: 'INVALID_URL', message: `not a local path: ${(error as Error).message}` };
  }
  const shown = shownPath(path);
  if (!isInside(ctx.root, path)) {
    return { code: 'FILE_OUTSIDE_ROOT', message: `${shown} is outside the root ${shownPath(ctx.root)} (a ".." too many?); not read` };
  }
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { code: 'FILE_NOT_FOUND', message: `no such file or folder: ${shown}` };
    return { code: 'FILE_NOT_FOUND', message: `${shown}: ${describeFsError(error)}` };
  }
  let real: string;
  try {
    real = await realpath(path);
  } catch (error) {
    return { code: 'FILE_NOT_FOUND', message: `${shown}: ${describeFsError(error)}` };
  }
  if (!isInside(await ctx.realRoot, real)) {
    return { code: 'FILE_OUTSIDE_ROOT', message: `${shown} is a symbolic link to ${real}, outside the root ${shownPath(ctx.root)}; not followed` };
  }
  const fragment = checkableFragment(url);
  if (fragment === null) return null;
  let documentPath = real;
  if (info.isDirectory()) {
    const index = await folderIndex(real);
    if (index === null) {
      return { code: 'FRAGMENT_NOT_FOUND', message: `#${fragment}: ${shown} is a folder without ${FOLDER_INDEX_FILES.join(', ')} to hold the anchor` };
    }
    documentPath = index;
  }
  let read = ctx.anchors.get(documentPath);
  if (read === undefined) {
    read = readAnchors(documentPath);
    ctx.anchors.set(documentPath, read);
  }
  const document = await read;
  if (document.error !== null) return { code: document.error.code, message: `#${fragment}: ${document.error.message}` };
  const lastLine = lineAnchorEnd(fragment);
  if (lastLine !== null) {
    if (lastLine <= document.lines) return null;
    return { code: 'FRAGMENT_NOT_FOUND', message: `#${fragment}: ${shownPath(documentPath)} has ${document.lines} lines` };
  }
  if (document.anchors === null || hasAnchor(document.anchors, fragment, document.caseInsensitive)) return null;
  return { code: 'FRAGMENT_NOT_FOUND', message: `#${fragment} is not an anchor of ${shownPath(documentPath)} (no heading, id or name of that name)` };
}

async function folderIndex(folder: string): Promise<string | null> {
  for (const name of FOLDER_INDEX_FILES) {
    const candidate = join(folder, name);
    const info = await stat(candidate).catch(() => null);
    if (info?.isFile() === true) return candidate;
  }
  return null;
}

// The anchors and line count of one document, read whole up to the cap documents are read to.
async function readAnchors(path: string): Promise<DocumentAnchors> {
  const kind = kindFromPath(path);
  let text: string;
  try {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      if (size > MAX_WHOLE_DOCUMENT_CHARS) {
        return { anchors: null, lines: 0, caseInsensitive: false, error: { code: 'DOCUMENT_TOO_LARGE', message: `${shownPath(path)} is larger than ${formatBytes(MAX_WHOLE_DOCUMENT_CHARS)}; its anchors are not read` } };
      }
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    return { anchors: null, lines: 0, caseInsensitive: false, error: { code: 'FILE_NOT_FOUND', message: `${shownPath(path)}: ${describeFsError(error)}` } };
  }
  const lines = countLines(text);
  if (kind === 'markdown' || kind === 'html') {
    let anchors: Set<string>;
    try {
      anchors = documentAnchors(kind, text);
    } catch (error) {
      return { anchors: null, lines, caseInsensitive: false, error: { code: 'DOCUMENT_INVALID', message: `${shownPath(path)} cannot be parsed: ${(error as Error).message}` } };
    }
    return { anchors, lines, caseInsensitive: kind === 'markdown', error: null };
  }
  return { anchors: null, lines, caseInsensitive: false, error: null };
}

function countLines(text: string): number {
  if (text.length === 0) return 0;
  let lines = 1;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines += 1;
  return text.endsWith('\n') ? lines - 1 : lines;
}

function isInside(root: string, path: string): boolean {
  const rest = relative(root, path);
  return rest === '' || (!isAbsolute(rest) && rest !== '..' && !rest.startsWith(`..${sep}`));
}

// Paths in messages: relative to the working directory when inside it, as a user typed them.
function shownPath(path: string): string {
  const rest = relative(process.cwd(), path);
  return rest === '' ? '.' : isAbsolute(rest) || rest.startsWith('..') ? path : rest;
}
