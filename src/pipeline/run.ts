import type { BaselineSampler, Comparison } from './compare.js';
import { DedupeStore } from './dedupe.js';
import type { DiffSummary, DiffTracker } from '../reports/diff.js';
import type { CheckOptions } from '../check/options.js';
import { checkInBatches, type TargetStream } from './pool.js';
import type { Reporter, RunEnd } from '../model/reporter.js';
import type { ReportedLines, ResumeJournal } from '../reports/resume.js';
import { selectsEverything, TargetSelector, type TargetSelection } from './select.js';
import { SummaryBuilder, type Summary } from '../model/summary.js';
import type { CheckResult, Target } from '../model/types.js';
import { VERSION } from '../model/version.js';
import { isBatch } from '../util/text.js';

/** A whole run: targets in, results to a reporter, a summary out. */
export interface RunRequest {
  /** The targets, read lazily, one by one or in batches (see `readTargets`, `readTargetBatches`). */
  targets: TargetStream;
  options: CheckOptions;
  reporter: Reporter;
  /**
   * Also time the sequential baseline: on every target when the list has at most
   * `sampleSize` of them, else on a uniform random sample of that many, extrapolated.
   */
  compare?: { sampleSize: number } | null;
  /** Aborting it interrupts the run: finished results are still reported and summarised. */
  signal?: AbortSignal;
  /** Compare each result with a previous report (--diff): sets `result.change`. */
  diff?: DiffTracker | null;
  /**
   * Check each distinct URL (its href without the fragment) once: every later line with it is
   * reported with that check's result and `duplicateOf` (see `DedupeStore` for the memory it
   * takes). Default false (every line checked); the CLI turns it on unless --no-dedupe.
   */
  dedupe?: boolean;
  /** Check only the lines --include/--exclude and --shard select; null (the default) = every line. */
  selection?: TargetSelection | null;
  /**
   * Resume from, and append to, this journal (--resume; open it with `openJournal`): its results
   * are replayed to the reporter first, its lines are not reported again and, with `dedupe`, its
   * URLs are not requested again. Every result of this run is appended as it completes. The run
   * closes the journal when it ends but never deletes it: the caller removes it once the run
   * finished and its reports are safe (`journal.remove()`).
   */
  journal?: ResumeJournal | null;
}

/** How a run accounted for input lines that it did not check itself. */
export interface LineCounts {
  /** Lines --include/--exclude left out (of this shard's): no result. */
  excluded: number;
  /** Lines that belong to other shards (--shard): no result here. */
  otherShards: number;
  /** Lines reported with the result of an earlier line with the same URL (`duplicateOf`). */
  duplicates: number;
  /** Results replayed from the --resume journal. */
  replayed: number;
  /** Damaged journal lines that were skipped (their input lines were checked again). */
  journalSkipped: number;
  /** True (else absent) when the journal had no header (an older urlcheck wrote it): its results were taken as this run's unverified. */
  journalUnverified?: true;
}

/** What a run ended with: what reporters are told at its end. */
export type RunOutcome = RunEnd;

/** What {@link runChecks} ended with: the {@link RunOutcome}, and the input lines it did not check itself. */
export interface CheckedRunOutcome extends RunOutcome {
  lines: LineCounts;
}

/**
 * Checks every target through the bounded pool, streaming each result to the reporter as it
 * completes and folding it into the summary; then, if asked, times the sequential baseline
 * over the same targets (or a sample) with the same options. Holds no result list.
 *
 * With `selection`, `dedupe` or `journal`, a stage between the input and the pool decides for
 * each line: left out (counted), already reported (resumed), held for a check of its URL that
 * is running, reported at once from a finished check of its URL, or checked.
 */
export async function runChecks(request: RunRequest): Promise<CheckedRunOutcome> {
  const { options, reporter, signal } = request;
  const diff = request.diff ?? null;
  const journal = request.journal ?? null;
  const selector = selectsEverything(request.selection) ? null : new TargetSelector(request.selection as TargetSelection);
  const store = request.dedupe === true ? new DedupeStore(options.checkFragments) : null;
  // --resume and --compare load their code only when asked for: start-up is paid by every run.
  const resume = journal === null ? null : await import('../reports/resume.js');
  const compare = request.compare ? await import('./compare.js') : null;
  const reported: ReportedLines | null = resume === null ? null : new resume.ReportedLines();
  const summary = new SummaryBuilder();
  const onResult = reporter.onResult?.bind(reporter);
  let duplicates = 0;
  let replayed = 0;

  await reporter.onRunStart?.({
    version: VERSION,
    startedAt: new Date(),
    concurrency: options.concurrency,
    perHost: options.perHost,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    method: options.method,
    accept: options.accept.text,
    maxRedirects: options.maxRedirects,
  });
  const started = performance.now();

  // Set once the run loop is over: the input stage, which may be awaiting a reporter, stops.
  let closed = false;
  // The input stage waits here while too many duplicates are held for checks still running.
  let inputPaused: (() => void) | null = null;
  const resumeInput = () => {
    const resolve = inputPaused;
    inputPaused = null;
    resolve?.();
  };

  // Per-line fields and the journal come before any reporter sees a result: a result the
  // reports show is always in the journal, so a resumed run never checks its URL again.
  const prepare = (results: readonly CheckResult[]) => {
    for (const result of results) {
      if (diff !== null) result.change = diff.classify(result);
      journal?.append(result);
    }
    journal?.flush();
  };

  const admitted = async function* (input: TargetStream): AsyncGenerator<Target[]> {
    for await (const item of input) {
      const batch = isBatch(item) ? item : [item];
      const toCheck: Target[] = [];
      let answered: CheckResult[] | null = null;
      for (const target of batch) {
        if (selector !== null && !selector.accepts(target)) continue;
        if (reported !== null && reported.size > 0 && reported.has(target)) continue;
        if (store === null) {
          toCheck.push(target);
          continue;
        }
        const admission = store.admit(target);
        if (admission.kind === 'check') toCheck.push(target);
        else if (admission.kind === 'duplicate') (answered ??= []).push(admission.result);
      }
      if (answered !== null) {
        duplicates += answered.length;
        prepare(answered);
        for (const result of answered) {
          summary.add(result);
          const waiting = onResult?.(result);
          if (waiting !== undefined) await waiting;
          if (closed) return;
        }
      }
      if (toCheck.length > 0) yield toCheck;
      // Everything yielded is in the pool now, so the checks these duplicates wait for are running.
      while (store?.mustPause === true && !closed && signal?.aborted !== true) {
        await new Promise<void>((resolve) => {
          inputPaused = resolve;
        });
      }
      if (closed || signal?.aborted === true) return;
    }
  };

  // The originals' results, each followed by the results of the duplicates that waited for it.
  const withDuplicates = (batch: CheckResult[], dedupe: DedupeStore): CheckResult[] => {
    let combined: CheckResult[] | null = null;
    for (let i = 0; i < batch.length; i += 1) {
      const result = batch[i] as CheckResult;
      const waited = dedupe.settle(result);
      if (waited !== null) {
        combined ??= batch.slice(0, i);
        combined.push(result);
        for (const duplicate of waited) combined.push(duplicate);
        duplicates += waited.length;
      } else if (combined !== null) combined.push(result);
    }
    if (inputPaused !== null && !dedupe.mustPause) resumeInput();
    return combined ?? batch;
  };

  signal?.addEventListener('abort', resumeInput, { once: true });
  let sampler: BaselineSampler | null = null;
  try {
    if (journal !== null && reported !== null && resume !== null) {
      for await (const batch of journal.replay()) {
        for (const result of batch) {
          reported.add(result);
          if (store !== null) {
            const key = resume.journalKeyOf(result, options.checkFragments);
            if (key !== null) store.remember(key, result);
          }
          if (diff !== null) result.change = diff.classify(result);
          else delete result.change;
          replayed += 1;
          summary.add(result);
          const waiting = onResult?.(result);
          if (waiting !== undefined) await waiting;
        }
        if (signal?.aborted === true) break;
      }
    }

    let targets = selector === null && store === null && reported === null ? request.targets : admitted(request.targets);
    // Sampled after the stage: the baseline times only what this run checked.
    if (request.compare && compare !== null) {
      sampler = new compare.BaselineSampler(request.compare.sampleSize);
      targets = sampled(targets, sampler);
    }
    for await (const batch of checkInBatches(targets, options, signal)) {
      const ready = store === null ? batch : withDuplicates(batch, store);
      if (diff !== null || journal !== null) prepare(ready);
      for (const result of ready) {
        summary.add(result);
        if (sampler !== null) sampler.record(result);
        const waiting = onResult?.(result);
        if (waiting !== undefined) await waiting;
      }
    }
  } finally {
    closed = true;
    resumeInput();
    signal?.removeEventListener('abort', resumeInput);
    await journal?.close();
  }
  const wallMs = performance.now() - started;

  let comparison: Comparison | null = null;
  if (compare !== null && sampler !== null && sampler.total > 0 && signal?.aborted !== true) {
    await reporter.onBaselineStart?.({ sampleSize: Math.min(sampler.total, sampler.capacity), estimated: sampler.total > sampler.capacity });
    comparison = await compare.measureBaseline(sampler, options, { wallMs, maxCheckMs: summary.maxLatencyMs }, signal);
  }
  const lines: LineCounts = {
    excluded: selector?.excluded ?? 0,
    otherShards: selector?.otherShards ?? 0,
    duplicates,
    replayed,
    journalSkipped: journal?.skippedLines ?? 0,
  };
  if (journal?.unverified === true) lines.journalUnverified = true;
  const end: CheckedRunOutcome = { summary: summary.finish(wallMs, signal?.aborted === true), comparison, diff: diff?.finish() ?? null, lines };
  await reporter.onRunEnd?.(end);
  return end;
}

/**
 * One line for stderr saying which input lines the run did not check itself and why, or null
 * when it checked every line: nothing is left out silently.
 */
export function describeLineCounts(lines: LineCounts): string | null {
  const parts: string[] = [];
  const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  if (lines.excluded > 0) parts.push(`${count(lines.excluded, 'line')} left out by --include/--exclude`);
  if (lines.otherShards > 0) parts.push(`${count(lines.otherShards, 'line')} left to other shards`);
  if (lines.duplicates > 0) {
    parts.push(
      lines.duplicates === 1
        ? '1 line repeats a URL listed earlier (checked once, reported at both lines)'
        : `${lines.duplicates} lines repeat URLs listed earlier (each URL checked once, reported at every line that lists it)`,
    );
  }
  if (lines.replayed > 0) parts.push(`${count(lines.replayed, 'result')} resumed from the journal`);
  if (lines.journalSkipped > 0) parts.push(`${count(lines.journalSkipped, 'damaged journal line')} skipped`);
  if (lines.journalUnverified === true) parts.push("the journal has no header saying which run it belongs to (an older urlcheck wrote it): its results were taken as this run's");
  return parts.length === 0 ? null : parts.join('; ');
}

async function* sampled(targets: TargetStream, sampler: BaselineSampler): AsyncGenerator<Target | readonly Target[]> {
  for await (const item of targets) {
    if (Array.isArray(item)) for (const target of item as readonly Target[]) sampler.offer(target);
    else sampler.offer(item as Target);
    yield item;
  }
}

