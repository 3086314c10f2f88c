// `urlcheck --dump`: the targets a run would check, listed instead of checked.
import type { TargetStream } from '../../model/run.js';
import { selectTargets, type SelectionCounts, type TargetSelection } from '../../pipeline/select.js';
import type { TextWriter } from '../../util/text-writer.js';
import { EXIT, type CliIo } from '../io.js';
import type { OpenedInputs } from '../inputs.js';
import type { CliOptions } from '../options.js';
import { runWithOutputs } from '../outputs.js';

/** What `--dump` writes: a URL per line, or a JSON object per line (`-f ndjson`). */
export type DumpFormat = 'text' | 'ndjson';

/** A `--dump`: the targets a run would check, listed instead of checked. */
export interface DumpRequest {
  targets: TargetStream;
  selection?: TargetSelection | null;
  /** Leave out lines whose URL an earlier line already lists (as a run with dedupe would). */
  dedupe?: boolean;
  /** --check-fragments: a fragment makes an http(s) URL distinct, as in a run. */
  checkFragments?: boolean;
  format: DumpFormat;
  /** Where the list goes (stdout or --output). */
  out: TextWriter;
  /** Aborting it stops the listing; what was written stays. */
  signal?: AbortSignal;
}

/** What a dump listed and left out. */
export interface DumpOutcome extends SelectionCounts {
  /** Targets written. */
  listed: number;
}

/**
 * Lists, without checking anything, the targets a run would check: the pipeline's selection
 * and dedupe stage (`selectTargets`), written in input order. Text is one URL per line as
 * displayed (credentials redacted); `ndjson` is `{"url","source","line"}` per line.
 */
export async function dumpTargets(request: DumpRequest): Promise<DumpOutcome> {
  const { out, format } = request;
  const selected = selectTargets(request.targets, request);
  let listed = 0;
  for await (const batch of selected) {
    for (const target of batch) {
      listed += 1;
      const line = format === 'ndjson' ? JSON.stringify({ url: target.display, source: target.source, line: target.line }) : target.display;
      const waiting = out.write(`${line}\n`);
      if (waiting !== undefined) await waiting;
    }
  }
  return { listed, ...selected.counts() };
}

/** One line for stderr after a dump: how many targets were listed, and what was left out and why. */
export function describeDump(outcome: DumpOutcome): string {
  const lines = (n: number) => `${n} ${n === 1 ? 'line' : 'lines'}`;
  const parts = [`${outcome.listed} ${outcome.listed === 1 ? 'target' : 'targets'} listed`];
  if (outcome.excluded > 0) parts.push(`${lines(outcome.excluded)} left out by --include/--exclude`);
  if (outcome.otherShards > 0) parts.push(`${lines(outcome.otherShards)} left to other shards`);
  if (outcome.duplicates > 0) {
    parts.push(`${outcome.duplicates} ${outcome.duplicates === 1 ? 'line repeats a URL' : 'lines repeat URLs'} listed earlier and ${outcome.duplicates === 1 ? 'is' : 'are'} not listed again`);
  }
  return parts.join('; ');
}

/** --dump: the targets a run would check, one per line on stdout (or --output), none checked. */
export async function dumpCommand(options: CliOptions, input: OpenedInputs, io: CliIo): Promise<number> {
  const format = options.format === 'ndjson' ? 'ndjson' : 'text';
  // A line at a time, so --output is written as it goes, never renamed into place. A text line
  // is the input's own text: under GitHub Actions it must not be read as a workflow command.
  const request = { output: options.output, whole: false, usesStdin: input.usesStdin, quiet: options.quiet, untrustedLines: format === 'text' };
  return runWithOutputs(io, request, async ({ out, signal }) => {
    const dumped = await dumpTargets({ targets: input.targets, selection: options.selection, dedupe: options.dedupe, checkFragments: options.check.checkFragments, format, out, signal });
    const skipped = input.skipped();
    return { code: EXIT.OK, note: `${describeDump(dumped)}${skipped === null ? '' : `; ${skipped}`}` };
  });
}
