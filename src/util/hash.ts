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

/** Slots a {@link UrlHashIndex} starts with. */
const INITIAL_SLOTS = 1024;
/** The table grows by half when an addition would leave it more than three quarters full. */
const MAX_LOAD = 0.75;
const GROWTH = 1.5;
const TWO_TO_32 = 4294967296;

/** The slot a hash probes first in a table of `size` slots: the high bits of `lo` (Lemire's multiply-shift), so any size works. */
function homeSlot(lo: number, size: number): number {
  return Math.floor((lo * size) / TWO_TO_32);
}

/** The slot after `slot`, wrapping around. */
function nextSlot(slot: number, size: number): number {
  return slot + 1 === size ? 0 : slot + 1;
}

/**
 * A set of 64-bit hashes in typed arrays: an open-addressing table (linear probing, at most
 * three quarters full, growing by half when it would pass that) of dense entry ids, and the
 * hashes by id in {@link ChunkedArray}s. Ids are 0, 1, 2, … in insertion order, so callers keep
 * per-entry data in parallel arrays. Memory: 8 bytes per entry plus 4 per table slot (between
 * 5.3 and 8 bytes per entry: 13 to 16 in all; a million hashes take about 14 MB), nothing per
 * lookup. Growing by half rather than doubling keeps less of the table empty, and the moment
 * the old and the new table are both held smaller: the entries themselves are never copied.
 */
export class UrlHashIndex {
  private table = new Int32Array(INITIAL_SLOTS).fill(-1);
  private readonly his = new ChunkedArray(Uint32Array);
  private readonly los = new ChunkedArray(Uint32Array);
  private count = 0;
  private limit = Math.floor(INITIAL_SLOTS * MAX_LOAD);

  /** Distinct hashes added. */
  get size(): number {
    return this.count;
  }

  /** Slots in the probe table. */
  get capacity(): number {
    return this.table.length;
  }

  /** Entries the per-entry arrays can hold before they grow. */
  get entryCapacity(): number {
    return this.los.capacity;
  }

  /** The id of the hash, or -1 when it was never added. */
  find(hi: number, lo: number): number {
    const table = this.table;
    const size = table.length;
    for (let slot = homeSlot(lo, size); ; slot = nextSlot(slot, size)) {
      const id = table[slot] as number;
      if (id < 0) return -1;
      if (this.los.get(id) === lo && this.his.get(id) === hi) return id;
    }
  }

  /**
   * The id of the hash, adding it when absent. A new id equals the previous {@link size}, which is
   * how callers tell an addition from a hit.
   */
  add(hi: number, lo: number): number {
    const table = this.table;
    const size = table.length;
    let slot = homeSlot(lo, size);
    for (; ; slot = nextSlot(slot, size)) {
      const id = table[slot] as number;
      if (id < 0) break;
      if (this.los.get(id) === lo && this.his.get(id) === hi) return id;
    }
    const id = this.count;
    this.his.reserve(id);
    this.los.reserve(id);
    this.his.set(id, hi);
    this.los.set(id, lo);
    table[slot] = id;
    this.count += 1;
    // Kept at most 3/4 full, so a probe that misses ends within a few slots.
    if (this.count > this.limit) this.rehash(Math.ceil(size * GROWTH));
    return id;
  }

  private rehash(size: number): void {
    const table = new Int32Array(size).fill(-1);
    for (let id = 0; id < this.count; id += 1) {
      let slot = homeSlot(this.los.get(id), size);
      while ((table[slot] as number) >= 0) slot = nextSlot(slot, size);
      table[slot] = id;
    }
    this.table = table;
    this.limit = Math.floor(size * MAX_LOAD);
  }
}

/** An unsigned typed array type a {@link ChunkedArray} can be made of. */
export type UintArrayConstructor = Uint8ArrayConstructor | Uint16ArrayConstructor | Uint32ArrayConstructor;

const CHUNK_BITS = 16;
/** Entries per chunk of a {@link ChunkedArray}. */
export const CHUNK_ENTRIES = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_ENTRIES - 1;
const FIRST_CHUNK_ENTRIES = 1024;

/**
 * A growable array of unsigned integers (all 0 at first), kept in typed arrays of
 * {@link CHUNK_ENTRIES} entries: growing adds a chunk and never copies what is there, so no old
 * and new copy are ever held together, and at most one chunk is partly empty. Only the first
 * chunk starts small (1,024 entries) and doubles up to the chunk size, so a short run pays
 * kilobytes.
 */
export class ChunkedArray {
  private chunks: Array<Uint8Array | Uint16Array | Uint32Array>;

  constructor(private make: UintArrayConstructor) {
    this.chunks = [new make(FIRST_CHUNK_ENTRIES)];
  }

  /** Entries it holds room for. */
  get capacity(): number {
    return this.chunks.length === 1 ? (this.chunks[0] as Uint32Array).length : this.chunks.length * CHUNK_ENTRIES;
  }

  /** Bytes per entry: 1, 2 or 4. */
  get bytesPerEntry(): number {
    return this.make.BYTES_PER_ELEMENT;
  }

  /** The entry at `index` (below {@link capacity}). */
  get(index: number): number {
    return (this.chunks[index >>> CHUNK_BITS] as Uint32Array)[index & CHUNK_MASK] as number;
  }

  /** Sets the entry at `index` (below {@link capacity}; make room with {@link reserve}). */
  set(index: number, value: number): void {
    (this.chunks[index >>> CHUNK_BITS] as Uint32Array)[index & CHUNK_MASK] = value;
  }

  /** Makes room for `index`. */
  reserve(index: number): void {
    if (index < this.capacity) return;
    const first = this.chunks[0] as Uint32Array;
    if (first.length < CHUNK_ENTRIES) {
      let length = first.length * 2;
      while (length <= index && length < CHUNK_ENTRIES) length *= 2;
      const grown = new this.make(length);
      grown.set(first);
      this.chunks[0] = grown;
    }
    while (this.chunks.length * CHUNK_ENTRIES <= index) this.chunks.push(new this.make(CHUNK_ENTRIES));
  }

  /** Re-makes every chunk as `make` (a wider type), keeping the values. */
  widen(make: UintArrayConstructor): void {
    this.chunks = this.chunks.map((chunk) => {
      const wide = new make(chunk.length);
      wide.set(chunk);
      return wide;
    });
    this.make = make;
  }
}
