/**
 * A uniform random sample of up to `capacity` items from a stream of unknown length (reservoir
 * sampling, Vitter's algorithm R): after n offers, every item offered is kept with the same
 * probability, capacity / n. O(1) per offer, O(capacity) memory.
 */
export class Reservoir<T> {
  private readonly kept: T[] = [];
  private seen = 0;

  constructor(
    readonly capacity: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** Offers one item. */
  offer(item: T): void {
    this.seen += 1;
    if (this.kept.length < this.capacity) {
      this.kept.push(item);
      return;
    }
    const slot = Math.floor(this.random() * this.seen);
    if (slot < this.capacity) this.kept[slot] = item;
  }

  /** Items kept. */
  get size(): number {
    return this.kept.length;
  }

  /** Items offered. */
  get offered(): number {
    return this.seen;
  }

  /** The sample. */
  items(): readonly T[] {
    return this.kept;
  }
}
