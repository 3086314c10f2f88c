// A run's input on the command line: the config file's targets and the inputs named (files,
// globs, URLs of documents, stdin), opened before anything is checked, so that a typo or an
// input without a single URL fails at once with exit 2.
import { resolve } from 'node:path';
import type { InputSource } from '../input/targets.js';
import { UsageError } from '../model/errors.js';
import type { Target } from '../model/types.js';
import { describeFsError } from '../util/fs-errors.js';
import { printable } from '../util/redact.js';
import { asInputError, CliError, type CliIo } from './io.js';
import type { CliOptions } from './options.js';
import type { InputFile } from './output-paths.js';

/** A run's targets, read lazily, and what the run needs to know about them. */
export interface OpenedInputs {
  /** The config's targets, then the inputs', a batch at a time. */
  targets: AsyncIterable<Target[]>;
  /** stdin is an input: an interrupt must stop reading it. */
  usesStdin: boolean;
  /** Counts the targets ahead (for the progress bar's total); null when they cannot be counted. */
  countAhead: ((signal: AbortSignal) => Promise<number | null>) | null;
  /** The links documents gave that were not checked, as one line (`describeSkipped`), or null. */
  skipped(): string | null;
}

/**
 * Opens the inputs after the config file's `configTargets`, and reads the first batch, which
 * proves there are URLs. Throws a {@link CliError} for no input on a terminal or no URLs in the
 * inputs, and urlcheck's own error for an input that cannot be read. `beforeReading` is given
 * the local files the inputs name (glob matches included, and stdin when it is a file) once
 * they are found and before a byte of them is read: it may refuse them by throwing.
 */
export async function openInputs(
  inputs: string[],
  configTargets: Target[],
  options: CliOptions,
  io: CliIo,
  beforeReading: (files: InputFile[]) => Promise<void> = async () => {},
): Promise<OpenedInputs> {
  const [{ readTargetBatches, createExtractionStats }, { describeSkipped }] = await Promise.all([import('../input/targets.js'), import('../input/sources.js')]);
  // A config file with targets is an input of its own: stdin is read only when asked for with "-".
  const sources = await openSources(inputs, io, configTargets.length > 0, options);
  await beforeReading(localFiles(sources, inputs, io));
  const stats = createExtractionStats();
  const skipped = () => describeSkipped(stats);
  const listBatches = sources.list.length === 0 ? null : readTargetBatches(sources.list, stats)[Symbol.asyncIterator]();
  // The config's targets, then the lists' first batch (which proves there are URLs) again,
  // then the rest, without another generator layer on the hot path.
  const queue: Target[][] = [];
  if (configTargets.length > 0) queue.push(configTargets);
  else if (listBatches !== null) {
    const first = await listBatches.next().catch((error: unknown) => {
      throw asInputError(error);
    });
    if (first.done === true) {
      const note = skipped();
      throw new CliError('NO_INPUT', `no URLs found in ${sources.names}${note === null ? '' : ` (${note})`}`);
    }
    queue.push(first.value);
  }
  const targets: AsyncIterable<Target[]> = {
    [Symbol.asyncIterator]: () => ({
      next: () => {
        const queued = queue.shift();
        if (queued !== undefined) return Promise.resolve({ done: false, value: queued });
        return listBatches?.next() ?? Promise.resolve({ done: true as const, value: undefined });
      },
      return: async () => (await listBatches?.return?.(undefined)) ?? { done: true, value: undefined },
    }),
  };

  // Only local lists can be counted ahead; documents and URLs are read once, as they are checked.
  const countable = sources.list.length > 0 && sources.list.every((source) => source.url === undefined && source.name !== 'stdin' && (source.kind ?? 'list') === 'list');
  const countAhead =
    // Lines left out by --include/--exclude or --shard would make the count a wrong total.
    !countable || options.selection !== null
      ? null
      : async (signal: AbortSignal) => {
          const { countTargets } = await import('../input/count.js');
          const count = await countTargets(sources.list.map((source) => source.name), signal);
          return count === null ? null : count + configTargets.length;
        };
  return { targets, usesStdin: sources.usesStdin, countAhead, skipped };
}

/** The files the sources read: list and document files by path, stdin by its descriptor. */
function localFiles(sources: OpenedSources, inputs: string[], io: CliIo): InputFile[] {
  const cwd = io.cwd ?? process.cwd();
  const files: InputFile[] = [];
  const stdinFd = (io.stdin as { fd?: unknown }).fd;
  if (sources.usesStdin && typeof stdinFd === 'number') files.push({ what: 'stdin', file: stdinFd });
  for (const source of sources.list) {
    // "-" is named stdin; a file called stdin is one only when named so.
    if (source.url !== undefined || (source.name === 'stdin' && sources.usesStdin && !inputs.includes('stdin'))) continue;
    files.push({ what: `the input "${printable(source.name)}"`, file: resolve(cwd, source.name) });
  }
  return files;
}

interface OpenedSources {
  list: InputSource[];
  names: string;
  usesStdin: boolean;
}

/**
 * Resolves the inputs (files, globs, URLs of documents and sitemaps, `-`) and checks every file
 * is readable before anything runs, so a typo fails fast with exit 2. With no inputs, stdin is
 * read, unless `haveTargets` (a config file's) already gives some.
 */
async function openSources(inputs: string[], io: CliIo, haveTargets: boolean, options: CliOptions): Promise<OpenedSources> {
  if (inputs.length === 0 && haveTargets) return { list: [], names: 'the config file', usesStdin: false };
  const paths = inputs.length > 0 ? inputs : ['-'];
  if (inputs.length === 0 && io.stdin.isTTY === true) {
    throw new CliError('NO_INPUT', 'no input: pass a file of URLs, or pipe them on stdin (see urlcheck --help)');
  }
  const { resolveInputs } = await import('../input/sources.js');
  const check = options.check;
  const cwd = io.cwd ?? process.cwd();
  const rootDir = options.rootDir === null ? null : resolve(cwd, options.rootDir);
  if (rootDir !== null) await checkRootDir(options.rootDir as string, rootDir);
  // Local links must stay inside --root-dir, else the working directory.
  check.rootDir = rootDir ?? cwd;
  let list: InputSource[];
  try {
    list = await resolveInputs(paths, {
      cwd,
      timeoutMs: check.timeoutMs,
      base: options.base,
      rootDir,
      stdin: io.stdin,
      // Documents fetched from URLs obey the same rules as the checks themselves (net/ applies --public-only).
      lookup: check.lookup,
      publicOnly: check.publicOnly,
      userAgent: check.userAgent,
      insecure: check.insecure,
      proxy: check.proxy,
      // Ctrl-C cancels a document's fetch and a FIFO's wait for a writer.
      ...(io.signal === undefined ? {} : { signal: io.signal }),
    });
  } catch (error) {
    throw asInputError(error);
  }
  return {
    list,
    names: paths.map((path) => (path === '-' ? 'stdin' : `"${path}"`)).join(', '),
    usesStdin: paths.includes('-'),
  };
}

// --root-dir must name a folder: a typo would otherwise report every root-relative link as missing.
async function checkRootDir(given: string, path: string): Promise<void> {
  const { stat } = await import('node:fs/promises');
  const info = await stat(path).catch((error: unknown) => error as Error);
  if (info instanceof Error) throw new UsageError(`--root-dir: ${describeFsError(info)} (got "${printable(given)}")`);
  if (!info.isDirectory()) throw new UsageError(`--root-dir: not a folder (got "${printable(given)}")`);
}
