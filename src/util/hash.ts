// Hashing written once: dedupe (pipeline/dedupe.ts), the --resume journal's reported lines and
// the merge's overlap count (reports/, pipeline/merge.ts) all key strings by the same 64-bit hash.

/**
 * A 64-bit string hash as two 32-bit halves (`hi`, `lo`), written into the instance so that
 * hashing allocates nothing. Two multiply-xor lanes over the UTF-16 code units, cross-mixed at
 * the end (the construction of bryc's cyrb53, kept at the full 64 bits); not cryptographic.
 */
export class Hash64 {
  /** The high 32 bits of the last hash, unsigned. */
  hi = 0;
  /** The low 32 bits of the last hash, unsigned. */
  lo = 0;

  /** Hashes `text`; read the result from `hi` and `lo`. */
  of(text: string): this {
    // The constants as signed 32-bit values (0xdeadbeef, 0x9e3779b1, 0x85ebca6b, 0xc2b2ae35):
    // Math.imul on a small integer stays on V8's fast path, on a double above 2^31 it does not.
    let h1 = -559038737;
    let h2 = 0x41c6ce57;
    for (let i = 0; i < text.length; i += 1) {
      const unit = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ unit, -1640531535);
      h2 = Math.imul(h2 ^ unit, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), -2048144789);
    h1 ^= Math.imul(h2 ^ (h2 >>> 13), -1028477387);
    h2 = Math.imul(h2 ^ (h2 >>> 16), -2048144789);
    h2 ^= Math.imul(h1 ^ (h1 >>> 13), -1028477387);
    this.hi = h2 >>> 0;
    this.lo = h1 >>> 0;
    return this;
  }
}

const INITIAL_CAPACITY = 1024;

/**
 * A set of 64-bit hashes in typed arrays: an open-addressing table (linear probing, at most
 * three quarters full, doubling when it would pass that) of dense entry ids, and the hashes by
 * id. Ids are 0, 1, 2, … in insertion order, so callers keep per-entry data in parallel arrays.
 * Memory: 8 bytes per entry plus 4 per table slot (5 to 11 bytes per entry), nothing per lookup.
 */
export class UrlHashIndex {
  private table = new Int32Array(INITIAL_CAPACITY).fill(-1);
  private mask = INITIAL_CAPACITY - 1;
  private his = new Uint32Array(INITIAL_CAPACITY);
  private los = new Uint32Array(INITIAL_CAPACITY);
  private count = 0;

  /** Distinct hashes added. */
  get size(): number {
    return this.count;
  }

  /** Slots in the probe table (a power of two). */
  get capacity(): number {
    return this.table.length;
  }

  /** Entries the per-entry arrays can hold before they grow. */
  get entryCapacity(): number {
    return this.his.length;
  }

  /** The id of the hash, or -1 when it was never added. */
  find(hi: number, lo: number): number {
    for (let slot = lo & this.mask; ; slot = (slot + 1) & this.mask) {
      const id = this.table[slot] as number;
      if (id < 0) return -1;
      if (this.los[id] === lo && this.his[id] === hi) return id;
    }
  }

  /**
   * The id of the hash, adding it when absent. A new id equals the previous {@link size}, which is
   * how callers tell an addition from a hit.
   */
  add(hi: number, lo: number): number {
    let slot = lo & this.mask;
    for (; ; slot = (slot + 1) & this.mask) {
      const id = this.table[slot] as number;
      if (id < 0) break;
      if (this.los[id] === lo && this.his[id] === hi) return id;
    }
    const id = this.count;
    if (id === this.his.length) {
      this.his = grown(this.his);
      this.los = grown(this.los);
    }
    this.his[id] = hi;
    this.los[id] = lo;
    this.table[slot] = id;
    this.count += 1;
    // Kept at most 3/4 full, so a probe that misses ends within a few slots.
    if (this.count * 4 > this.table.length * 3) this.rehash(this.table.length * 2);
    return id;
  }

  private rehash(capacity: number): void {
    const table = new Int32Array(capacity).fill(-1);
    const mask = capacity - 1;
    for (let id = 0; id < this.count; id += 1) {
      let slot = (this.los[id] as number) & mask;
      while ((table[slot] as number) >= 0) slot = (slot + 1) & mask;
      table[slot] = id;
    }
    this.table = table;
    this.mask = mask;
  }
}

/** A copy of `array` twice as long: how the typed arrays kept per {@link UrlHashIndex} entry grow. */
export function grown<T extends Uint8Array | Uint16Array | Uint32Array>(array: T): T {
  const next = new (array.constructor as new (length: number) => T)(array.length * 2);
  next.set(array);
  return next;
}
