import { closeSync, constants as fsConstants, createReadStream, open as openFd, openSync } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { InputReadError, UsageError } from '../model/errors.js';
import { describeFsError } from '../util/fs-errors.js';
import { printable, redactText, redactUrl } from '../util/redact.js';
import { plural } from '../util/text.js';
import type { FetchDocumentOptions } from './fetch-document.js';
import { createDocumentFetcher } from './fetcher.js';
import { kindFromPath } from './kinds.js';
import type { DocumentFetcher, ExtractionStats, FetchedDocument, InputSource } from './types.js';

/**
 * How {@link resolveInputs} finds and opens inputs. `signal`, the run's interrupt, cancels the
 * fetch of a document and the wait of a FIFO for its writer.
 */
export interface ResolveInputsOptions extends Omit<FetchDocumentOptions, 'maxBytes'> {
  /** Relative paths and globs are taken from here. */
  cwd: string;
  /** Absolute http(s) URL against which relative links in local documents resolve (--base); null: they are skipped and counted. */
  base: string | null;
  /** What `-` reads. */
  stdin: AsyncIterable<Buffer | string>;
  /** Absolute folder root-relative links of local documents resolve against (--root-dir); null or absent: they are skipped and counted. */
  rootDir?: string | null;
}

/**
 * Turns the command line's inputs into sources, in order, before anything is read, so a typo
 * fails at once:
 * - `-` is stdin (a list, unless its first bytes are HTML or a sitemap);
 * - an `http://` or `https://` argument is a document fetched when its turn comes (its kind from
 *   its Content-Type, extension or first bytes; relative links resolve against it);
 * - an existing path is a file (its kind from its extension, else its first bytes);
 * - anything else with glob characters (`*`, `?`, `[`, `{`) is expanded with tinyglobby: files
 *   only, sorted by code point so runs are reproducible, dot-files and `node_modules` left out
 *   unless the pattern names them; a match that an earlier argument already listed is not listed
 *   again (a path given by name always is, as before).
 *
 * Rejects with an {@link InputReadError} naming the input (`cannot read input "<pattern>": no files
 * match`, a missing or unreadable file, a directory) and with a {@link UsageError} for a `base` that
 * is not an absolute http(s) URL.
 */
export async function resolveInputs(args: readonly string[], options: ResolveInputsOptions): Promise<InputSource[]> {
  const base = options.base === null ? null : checkBase(options.base);
  const fetch = createDocumentFetcher(options);
  const sources: InputSource[] = [];
  const seen = new Set<string>();
  for (const arg of args) {
    if (arg === '-') {
      sources.push({ name: 'stdin', open: () => options.stdin, baseUrl: base, fetch, ...signalOf(options) });
      continue;
    }
    if (/^https?:\/\//i.test(arg)) {
      sources.push({ ...urlSource(arg, fetch), ...signalOf(options) });
      continue;
    }
    const path = isAbsolute(arg) ? arg : resolvePath(options.cwd, arg);
    const info = await stat(path).catch((error: unknown) => error as NodeJS.ErrnoException);
    if (info instanceof Error && info.code === 'ENOENT' && /[*?[\]{}]/.test(arg)) {
      const matches = await expandGlob(arg, options.cwd);
      const fresh = matches.filter((match) => !seen.has(resolvePath(options.cwd, match)));
      for (const match of fresh) {
        const matchPath = resolvePath(options.cwd, match);
        seen.add(matchPath);
        await checkReadable(match, matchPath);
        sources.push(fileSource(match, matchPath, base, fetch, options.signal, false, options.rootDir ?? null));
      }
      continue;
    }
    if (info instanceof Error) throw new InputReadError(printable(arg), describeFsError(info));
    if (info.isDirectory()) {
      throw new InputReadError(printable(arg), `it is a directory (for the documents in it, quote a glob: "${arg.replace(/\/+$/, '')}/**/*.md")`);
    }
    await checkReadable(arg, path);
    seen.add(path);
    sources.push(fileSource(arg, path, base, fetch, options.signal, info.isFIFO(), options.rootDir ?? null));
  }
  return sources;
}

/**
 * The one line the CLI prints on stderr about links it did not check, e.g.
 * `skipped 3 relative links (use --base <url> to check them), 2 mailto:/tel: links and 1 same-page #fragment link`
 * (links that ignore comments switch off: `3 links in urlcheck-disable regions`)
 * (and child sitemaps an index of the run listed again: `199 repeated sitemap listings (each sitemap is read once)`);
 * null when nothing was skipped.
 */
export function describeSkipped(stats: ExtractionStats): string | null {
  const parts: string[] = [];
  if (stats.skippedRelative > 0) {
    parts.push(`${plural(stats.skippedRelative, 'relative link')} (use --base <url> to check them)`);
  }
  if (stats.skippedRootRelative > 0) {
    parts.push(`${plural(stats.skippedRootRelative, 'root-relative /link')} (use --root-dir <dir> to check them on disk, or --base <url>)`);
  }
  if (stats.skippedScheme > 0) {
    const schemes = Object.entries(stats.skippedSchemes)
      .sort(([a, countA], [b, countB]) => countB - countA || (a < b ? -1 : 1))
      .map(([scheme]) => scheme);
    const shown = schemes.length > 4 ? `${schemes.slice(0, 4).join('/')}/…` : schemes.join('/');
    parts.push(plural(stats.skippedScheme, `${shown} link`));
  }
  if (stats.skippedFragment > 0) parts.push(plural(stats.skippedFragment, 'same-page #fragment link'));
  if (stats.skippedIgnored > 0) parts.push(`${plural(stats.skippedIgnored, 'link')} in urlcheck-disable regions`);
  if (stats.repeatedSitemaps > 0) parts.push(`${plural(stats.repeatedSitemaps, 'repeated sitemap listing')} (each sitemap is read once)`);
  if (parts.length === 0) return null;
  const last = parts.pop() as string;
  return `skipped ${parts.length > 0 ? `${parts.join(', ')} and ${last}` : last}`;
}

function checkBase(base: string): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new UsageError(`--base must be an absolute http(s) URL, e.g. https://example.com/docs/; got "${printable(redactText(base))}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--base must be an http: or https: URL; got "${printable(redactText(base))}"`);
  }
  return url.href;
}

function signalOf(options: ResolveInputsOptions): { signal?: AbortSignal } {
  return options.signal === undefined ? {} : { signal: options.signal };
}

function fileSource(name: string, path: string, base: string | null, fetch: DocumentFetcher, signal: AbortSignal | undefined, fifo: boolean, rootDir: string | null): InputSource {
  const open = fifo && signal !== undefined ? () => readFifo(path, signal) : () => createReadStream(path);
  const source: InputSource = { name, open, baseUrl: base, fetch, localPath: path, rootDir };
  if (signal !== undefined) source.signal = signal;
  const kind = kindFromPath(path);
  if (kind !== undefined) source.kind = kind;
  return source;
}

/**
 * A FIFO's bytes (`mkfifo f; urlcheck f`, or `<(cat list)`). Opening a FIFO for reading blocks
 * until a writer opens it, in a thread of libuv's pool, which Node's exit waits for: an interrupt
 * would then never end the process. So when `signal` aborts while the open is still waiting,
 * urlcheck opens the writing end itself (non-blocking, which a waiting reader lets succeed) and
 * closes it: the open completes, and the source ends, empty. Once open, the FIFO is read as a
 * pipe (a socket of the event loop, as stdin is), never by a blocking read in the pool.
 */
async function* readFifo(path: string, signal: AbortSignal): AsyncGenerator<Buffer> {
  if (signal.aborted) return;
  const opening = new Promise<number>((resolve, reject) => openFd(path, 'r', (error, fd) => (error === null ? resolve(fd) : reject(error))));
  const unblock = () => {
    try {
      closeSync(openSync(path, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK));
    } catch {
      // ENXIO: the open is no longer waiting (it completed, or failed on its own).
    }
  };
  signal.addEventListener('abort', unblock, { once: true });
  let fd: number;
  try {
    fd = await opening;
  } finally {
    signal.removeEventListener('abort', unblock);
  }
  if (signal.aborted) {
    closeSync(fd);
    return;
  }
  const { Socket } = await import('node:net');
  // The socket owns the descriptor from here: destroying it closes it.
  const pipe = new Socket({ fd, readable: true, writable: false });
  const onAbort = () => pipe.destroy();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of pipe) yield chunk as Buffer;
  } catch (error) {
    // Destroyed by the interrupt: the source just ends.
    if (!signal.aborted) throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
    pipe.destroy();
  }
}

function urlSource(arg: string, fetch: DocumentFetcher): InputSource {
  let url: URL;
  try {
    url = new URL(arg);
  } catch {
    throw new InputReadError(printable(redactText(arg)), 'not a valid URL');
  }
  const name = printable(redactUrl(url));
  return {
    name,
    url,
    fetch,
    // For a caller that only knows open(): the raw body; the kind is then sniffed from it.
    open: () => fetchBody(fetch, url, name),
  };
}

async function* fetchBody(fetch: DocumentFetcher, url: URL, name: string): AsyncGenerator<Buffer> {
  let document: FetchedDocument;
  try {
    document = await fetch(url);
  } catch (error) {
    throw new InputReadError(name, (error as Error).message, { cause: error });
  }
  try {
    yield* document.body;
  } catch (error) {
    throw new InputReadError(name, (error as Error).message, { cause: error });
  }
}

async function expandGlob(pattern: string, cwd: string): Promise<string[]> {
  const { glob } = await import('tinyglobby');
  const matches = await glob(pattern, {
    cwd,
    onlyFiles: true,
    expandDirectories: false,
    absolute: isAbsolute(pattern),
    // A dependency's README is not the project's documentation.
    ignore: pattern.includes('node_modules') ? [] : ['**/node_modules/**'],
  });
  if (matches.length === 0) throw new InputReadError(printable(pattern), 'no files match');
  return matches.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

async function checkReadable(name: string, path: string): Promise<void> {
  try {
    await access(path, fsConstants.R_OK);
  } catch (error) {
    throw new InputReadError(printable(name), describeFsError(error));
  }
}
