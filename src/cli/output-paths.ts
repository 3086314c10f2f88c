// Which files a command writes, and the rule that none of them is a file it reads, another of
// its outputs or the --resume journal: checked before anything is read or written, by a run,
// a --dump and `urlcheck merge` alike.
import { fstatSync, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '../model/errors.js';
import { printable } from '../util/redact.js';

/** A file a command writes: --output, a --report, the job summary. */
export interface OutputFile {
  /** What names it in a message: `--output`, `--report`, `GITHUB_STEP_SUMMARY`. */
  flag: string;
  path: string;
}

/** A file a command reads, which no output may replace. */
export interface InputFile {
  /** How a message names it, e.g. `the input "urls.txt"`, `the config file "c.yaml"`. */
  what: string;
  /** Its path, or the descriptor it is read from (stdin redirected from a file). */
  file: string | number;
}

/** The config file, as an input no output may replace. */
export function configInput(path: string): InputFile {
  return { what: `the config file "${printable(path)}"`, file: path };
}

/** Outputs to check, and the files they must not be. */
export interface OutputPlan {
  outputs: readonly OutputFile[];
  /** Files read: list files, glob matches, stdin, the config file. */
  inputs?: readonly InputFile[];
  /** The --resume journal's path, or null. */
  journal?: string | null;
}

/**
 * Refuses, with a {@link UsageError}, outputs that would destroy what the command reads or
 * writes elsewhere: an output that is one of the `inputs` (the same device and inode: symlinks
 * and hard links included), two outputs that are the same file (or, not existing yet, the same
 * path), and a journal that is an output or an input. Devices, FIFOs and terminals (/dev/null
 * twice) hold nothing to lose and are not compared. Only stats: nothing is opened.
 */
export async function checkOutputFiles(plan: OutputPlan): Promise<void> {
  const outputs = await Promise.all(plan.outputs.map(async (output) => ({ ...output, id: await identity(output.path) })));
  const named = (output: OutputFile) => `${output.flag} "${printable(output.path)}"`;
  if (plan.journal !== undefined && plan.journal !== null) {
    const journal = { what: `--resume "${printable(plan.journal)}"`, id: await identity(plan.journal) };
    const output = outputs.find((candidate) => candidate.id !== null && candidate.id === journal.id);
    if (output !== undefined) throw new UsageError(`${journal.what} is the same file as ${named(output)}: the journal must be a file of its own`);
    const input = await findInput(plan.inputs ?? [], journal.id);
    if (input !== undefined) throw new UsageError(`${journal.what} is the same file as ${input.what}: the journal must be a file of its own`);
  }
  for (const [index, output] of outputs.entries()) {
    const earlier = outputs.slice(0, index).find((candidate) => candidate.id !== null && candidate.id === output.id);
    if (earlier !== undefined) throw new UsageError(`${named(earlier)} and ${named(output)} are the same file: give each report a file of its own`);
    const input = await findInput(plan.inputs ?? [], output.id);
    if (input !== undefined) throw new UsageError(`${named(output)} is the same file as ${input.what}: write the report to another file`);
  }
}

async function findInput(inputs: readonly InputFile[], id: string | null): Promise<InputFile | undefined> {
  if (id === null) return undefined;
  for (const input of inputs) if ((await identity(input.file)) === id) return input;
  return undefined;
}

/**
 * What a file is, for comparing: a regular file's device and inode; for a path that does not
 * exist yet, the path resolved (it is created there). Null for anything else (a device, a FIFO, a
 * directory: there is nothing in them to lose, and opening them fails or never replaces them).
 */
async function identity(file: string | number): Promise<string | null> {
  let info: Stats;
  try {
    info = typeof file === 'number' ? fstatSync(file) : await stat(file);
  } catch (error) {
    return typeof file === 'string' && (error as NodeJS.ErrnoException).code === 'ENOENT' ? `path:${resolve(file)}` : null;
  }
  return info.isFile() ? `file:${info.dev}:${info.ino}` : null;
}
