// What the reports that list only some URLs share: the order URLs needing attention come in
// (the Markdown report, GitHub annotations), and a bounded way of keeping only the first ones
// (those two, and the table's slowest healthy URLs), so memory does not grow with the list.
import type { Verdict } from '../model/types.js';

/**
 * The order URLs that need attention are listed in: what needs fixing first, then what may pass
 * next time, then what bot protection hid, then warnings. Healthy URLs are never listed.
 */
export const ATTENTION_RANK: Readonly<Record<Verdict, number>> = {
  broken: 0,
  transient: 1,
  blocked: 2,
  warning: 3,
  healthy: 4,
};

/** Where a result stands among those that need attention: its verdict's rank, then its place in the input. */
export interface AttentionPlace {
  /** {@link ATTENTION_RANK} of the verdict. */
  rank: number;
  source: string;
  /** 1-based line in `source`. */
  line: number;
}

/**
 * Orders by rank, then input (source, line): the same order every run, whatever order the
 * checks finish in.
 */
export function compareAttention(a: AttentionPlace, b: AttentionPlace): number {
  if (a.rank !== b.rank) return a.rank - b.rank;
  if (a.source !== b.source) return a.source < b.source ? -1 : 1;
  return a.line - b.line;
}

/**
 * Keeps the `limit` smallest items offered (by `compare`), in O(log limit) per item and
 * O(limit) memory: a max-heap whose top is the item to drop next.
 */
export class KeepSmallest<T> {
  private readonly heap: T[] = [];

  constructor(
    private readonly limit: number,
    private readonly compare: (a: T, b: T) => number,
  ) {}

  /** Items kept. */
  get size(): number {
    return this.heap.length;
  }

  /** True when `item` would be kept if offered now. */
  wouldKeep(item: T): boolean {
    if (this.limit <= 0) return false;
    const largest = this.heap[0];
    return this.heap.length < this.limit || (largest !== undefined && this.compare(item, largest) < 0);
  }

  /** Keeps `item` if it is among the smallest so far; returns whether it was kept. */
  offer(item: T): boolean {
    if (!this.wouldKeep(item)) return false;
    if (this.heap.length < this.limit) {
      this.heap.push(item);
      this.siftUp(this.heap.length - 1);
    } else {
      this.heap[0] = item;
      this.siftDown(0);
    }
    return true;
  }

  /** The kept items, smallest first. */
  sorted(): T[] {
    return [...this.heap].sort(this.compare);
  }

  private siftUp(start: number): void {
    const heap = this.heap;
    for (let i = start; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (this.compare(heap[i] as T, heap[parent] as T) <= 0) return;
      [heap[i], heap[parent]] = [heap[parent] as T, heap[i] as T];
      i = parent;
    }
  }

  private siftDown(start: number): void {
    const heap = this.heap;
    for (let i = start; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let largest = i;
      if (left < heap.length && this.compare(heap[left] as T, heap[largest] as T) > 0) largest = left;
      if (right < heap.length && this.compare(heap[right] as T, heap[largest] as T) > 0) largest = right;
      if (largest === i) return;
      [heap[i], heap[largest]] = [heap[largest] as T, heap[i] as T];
      i = largest;
    }
  }
}
