import { setMaxListeners } from 'node:events';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Dispatcher } from 'undici';
import { checkTarget, createCheckContext } from '../check/check.js';
import type { CheckOptions } from '../check/options.js';
import { createDispatcher } from '../net/dispatcher.js';
import type { CheckResult, Target } from '../model/types.js';
import { isBatch } from '../util/text.js';
import type { TargetStream } from '../model/run.js';

/** Targets read ahead of the requests in flight, at least; bounds memory whatever the list length. */
export const MIN_LOOKAHEAD = 256;

/**
 * Creates the one undici dispatcher a run uses (see `createDispatcher` in net/): an Agent, or a
 * proxy-routing one when `options.proxy` is set, with the --public-only policy when asked for.
 * Kept under this name for the library's users.
 */
export function createAgent(options: CheckOptions): Dispatcher {
  return createDispatcher(options);
}

/**
 * Checks every target with at most `options.concurrency` requests in flight (and at most
 * `options.perHost` per host:port), yielding results in completion order as they finish.
 *
 * The input is pulled lazily: at most `concurrency + max(concurrency, MIN_LOOKAHEAD)` targets
 * (plus one batch, when the input comes in batches) are held at once, so memory is flat in the
 * length of the list. The pool owns one undici dispatcher for the run and closes it before
 * returning, so the process can exit on its own.
 *
 * Aborting `signal` stops pulling input and cancels requests in flight; checks that did not
 * finish yield nothing, and the generator ends.
 */
export async function* checkAll(
  targets: TargetStream,
  options: CheckOptions,
  signal?: AbortSignal,
): AsyncGenerator<CheckResult> {
  for await (const batch of checkInBatches(targets, options, signal)) yield* batch;
}

/**
 * {@link checkAll}, handing results over in batches: every result that finished since the
 * consumer last asked. One async step per batch instead of per result, for consumers on the
 * hot path (the CLI's run loop).
 */
export async function* checkInBatches(
  targets: TargetStream,
  options: CheckOptions,
  signal?: AbortSignal,
): AsyncGenerator<CheckResult[]> {
  const stop = new AbortController();
  // Every check in a retry back-off listens on it; they are bounded by the concurrency, not a leak.
  setMaxListeners(0, stop.signal);
  const forwardAbort = () => stop.abort(signal?.reason);
  if (signal?.aborted) stop.abort(signal.reason);
  signal?.addEventListener('abort', forwardAbort, { once: true });

  const agent = createDispatcher(options);
  const ctx = createCheckContext(agent, options, stop.signal);
  const globalLimit = pLimit(options.concurrency);
  const hostLimits = new Map<string, LimitFunction>();
  const maxPending = options.concurrency + Math.max(options.concurrency, MIN_LOOKAHEAD);

  const finished: CheckResult[] = [];
  let pending = 0;
  let wake: (() => void) | null = null;
  let failure: unknown = null;
  const notify = () => {
    const resolve = wake;
    wake = null;
    resolve?.();
  };
  // Feeder side: it waits here while the pool is full.
  let slotFree: (() => void) | null = null;
  const freeSlot = () => {
    const resolve = slotFree;
    slotFree = null;
    resolve?.();
  };
  const notifyAll = () => {
    notify();
    freeSlot();
  };

  const schedule = (target: Target) => {
    pending += 1;
    const run = () => globalLimit(() => checkTarget(target, ctx));
    // --per-host spares servers; a local file: link has none.
    const host = options.perHost === null || target.url === null || target.url.protocol === 'file:' ? null : target.url.host;
    const task = host === null ? run() : limitFor(host)(run);
    task.then(
      (result) => {
        pending -= 1;
        if (result !== null) finished.push(result);
        if (host !== null) releaseHost(host);
        notifyAll();
      },
      (error: unknown) => {
        pending -= 1;
        failure ??= error;
        notifyAll();
      },
    );
  };

  // Per-host limiters live only while their host has work, so a list of a million hosts
  // does not leave a million limiters behind.
  const limitFor = (host: string): LimitFunction => {
    let limit = hostLimits.get(host);
    if (limit === undefined) {
      limit = pLimit(options.perHost ?? options.concurrency);
      hostLimits.set(host, limit);
    }
    return limit;
  };
  const releaseHost = (host: string) => {
    const limit = hostLimits.get(host);
    if (limit !== undefined && limit.activeCount === 0 && limit.pendingCount === 0) hostLimits.delete(host);
  };

  const iterator = Symbol.asyncIterator in targets ? targets[Symbol.asyncIterator]() : toAsync(targets);
  let exhausted = false;
  let reading = false;
  let closing = false;

  // The feeder pulls targets while there is room and schedules them. It runs apart from the
  // loop that hands results over, so an input that stalls (a silent pipe) never holds back
  // results that are ready, and no per-target race or promise is needed to watch for both.
  const feed = async () => {
    try {
      while (!closing && !stop.signal.aborted) {
        if (pending >= maxPending || finished.length >= maxPending) {
          await new Promise<void>((resolve) => {
            slotFree = resolve;
          });
          continue;
        }
        reading = true;
        const next = await iterator.next();
        reading = false;
        if (next.done === true) {
          exhausted = true;
          break;
        }
        if (closing || stop.signal.aborted) break;
        const value = next.value;
        if (isBatch(value)) for (const target of value) schedule(target);
        else schedule(value);
      }
    } catch (error) {
      reading = false;
      failure ??= error;
    }
    notify();
  };
  stop.signal.addEventListener('abort', notifyAll, { once: true });
  void feed();

  try {
    for (;;) {
      if (failure !== null) throw failure;
      if (finished.length > 0) {
        // Hand over everything finished so far; new completions land in a fresh batch.
        const batch = finished.splice(0, finished.length);
        freeSlot();
        yield batch;
        continue;
      }
      if (pending === 0 && (exhausted || stop.signal.aborted)) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    closing = true;
    freeSlot();
    signal?.removeEventListener('abort', forwardAbort);
    if (pending > 0 || !exhausted) stop.abort(new Error('run ended early'));
    // return() would wait behind a read still pending, which may never come: close without waiting.
    if (reading) iterator.return?.().catch(() => {});
    else if (!exhausted) await iterator.return?.();
    if (stop.signal.aborted) await agent.destroy();
    else await agent.close();
  }
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}

export type { TargetStream } from '../model/run.js';
