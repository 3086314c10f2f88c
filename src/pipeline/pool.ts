import { setMaxListeners } from 'node:events';
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
  const lookahead = Math.max(options.concurrency, MIN_LOOKAHEAD);
  const maxPending = options.concurrency + lookahead;
  // The feeder, once the pool is full, reads again when half the read-ahead is used up: one
  // wake-up per half a read-ahead of results, not one per result.
  const refillBelow = options.concurrency + Math.ceil(lookahead / 2);

  const finished: CheckResult[] = [];
  let pending = 0;
  let wake: (() => void) | null = null;
  let wakeQueued = false;
  let failure: unknown = null;
  const wakeNow = () => {
    wakeQueued = false;
    const resolve = wake;
    wake = null;
    resolve?.();
  };
  // The consumer is woken once per turn of the event loop (setImmediate: after every socket that
  // was readable has been read), not once per result: on a fast server one turn finishes many
  // checks, and they are handed over as one batch.
  const notify = () => {
    if (wake === null || wakeQueued) return;
    wakeQueued = true;
    setImmediate(wakeNow);
  };
  // Feeder side: it waits here while the pool is full.
  let slotFree: (() => void) | null = null;
  const freeSlot = () => {
    const resolve = slotFree;
    slotFree = null;
    resolve?.();
  };
  const roomToRead = () => {
    if (slotFree !== null && pending < refillBelow && finished.length < maxPending) freeSlot();
  };
  const notifyAll = () => {
    notify();
    freeSlot();
  };

  // The limits, kept by hand rather than by a promise-based limiter: a limiter's promises,
  // closures and queue items per target were a measured share of the per-result cost (W3).
  // A target waits for its host's slot first (--per-host), then for one of the run's; a target
  // whose host is busy never holds a run slot, so other hosts go ahead.
  let active = 0;
  // Targets waiting for a run slot, each with its host's slots (taken already) or null.
  const ready = new Fifo<Target>();
  const readySlots = new Fifo<HostSlots | null>();
  const hosts = new Map<string, HostSlots>();
  const perHost = options.perHost;

  const schedule = (target: Target) => {
    pending += 1;
    // --per-host spares servers; a local file: link has none.
    const host = perHost === null || target.url === null || target.url.protocol === 'file:' ? null : target.url.host;
    if (host === null) return admit(target, null);
    let slots = hosts.get(host);
    if (slots === undefined) {
      slots = { host, active: 0, waiting: new Fifo() };
      hosts.set(host, slots);
    }
    if (slots.active < (perHost as number)) {
      slots.active += 1;
      admit(target, slots);
    } else slots.waiting.push(target);
  };
  const admit = (target: Target, slots: HostSlots | null) => {
    if (active < options.concurrency) start(target, slots);
    else {
      ready.push(target);
      readySlots.push(slots);
    }
  };
  const start = (target: Target, slots: HostSlots | null) => {
    active += 1;
    checkTarget(target, ctx).then(
      (result) => {
        if (result !== null) finished.push(result);
        done(slots);
      },
      (error: unknown) => {
        failure ??= error;
        done(slots);
      },
    );
  };
  const done = (slots: HostSlots | null) => {
    pending -= 1;
    active -= 1;
    // The run slot goes to the target that waited for it longest; one of this host's waiting
    // targets takes the host slot and queues for a run slot behind it.
    const next = ready.shift();
    if (next !== undefined) start(next, readySlots.shift() as HostSlots | null);
    if (slots !== null) {
      const waiting = slots.waiting.shift();
      if (waiting !== undefined) admit(waiting, slots);
      else {
        slots.active -= 1;
        // Host slots live only while their host has work, so a list of a million hosts does
        // not leave a million entries behind.
        if (slots.active === 0) hosts.delete(slots.host);
      }
    }
    notify();
    roomToRead();
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
        roomToRead();
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

/** One host's slots under --per-host: how many of its targets are in flight, and those waiting. */
interface HostSlots {
  host: string;
  active: number;
  waiting: Fifo<Target>;
}

/** A first-in first-out queue: an array read from a moving head, compacted as the head passes half of it. */
class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head === this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head += 1;
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    return item;
  }
}

async function* toAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items;
}

export type { TargetStream } from '../model/run.js';
