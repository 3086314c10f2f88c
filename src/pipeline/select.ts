import { dedupeKeyOf } from './dedupe.js';
import type { TargetStream } from '../model/run.js';
import type { Target, TextPattern } from '../model/types.js';
import { Hash64, UrlHashIndex } from '../util/hash.js';
import { compilePattern } from '../util/pattern.js';
import { isBatch } from '../util/text.js';

/** One shard of a partitioned run: `index` of `count`, 1-based (`--shard 2/4`: index 2, count 4). */
export interface Shard {
  index: number;
  count: number;
}

/** Largest shard count accepted by {@link parseShard}. */
export const MAX_SHARDS = 1_000_000;

/** Which input lines a run checks. An empty `include` list includes every line. */
export interface TargetSelection {
  /** A line is checked only when its URL, as displayed (credentials redacted), matches one of these. */
  include: readonly TextPattern[];
  /** A line whose displayed URL matches any of these is not checked. */
  exclude: readonly TextPattern[];
  /** Check only this shard's hosts; null = every host. */
  shard: Shard | null;
}

/**
 * Parses `--shard <i>/<n>`: shard i (1-based) of n. Throws a RangeError whose message says what
 * is expected (for the option schema to prefix with the flag).
 */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (match === null) throw new RangeError('must be <i>/<n>, shard i of n counted from 1, e.g. 2/4');
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > MAX_SHARDS) throw new RangeError(`the shard count must be from 1 to ${MAX_SHARDS}`);
  if (index < 1 || index > count) throw new RangeError(`the shard number must be from 1 to ${count} (shards are counted from 1)`);
  return { index, count };
}

/**
 * Parses one `--include`/`--exclude` value: a regular expression in RE2 syntax (see
 * {@link compilePattern}: linear time, no backreferences or lookaround), matched anywhere in the
 * URL as displayed (credentials redacted), case-sensitively; a leading `(?i)` makes it
 * case-insensitive. Throws a RangeError naming what is wrong.
 */
export function parsePattern(text: string): TextPattern {
  if (text === '' || text === '(?i)') throw new RangeError('must be a non-empty regular expression');
  return compilePattern(text);
}

/** {@link parsePattern} over every value of a repeatable flag, in order. */
export function parsePatternList(texts: readonly string[]): TextPattern[] {
  return texts.map(parsePattern);
}

/**
 * FNV-1a, 32 bits, over the UTF-8 bytes of `text`: stable across machines, runs and Node
 * versions, which is what a partition shared by separate jobs needs.
 */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit >= 0x80) return fnv1a32Bytes(Buffer.from(text, 'utf8'));
    hash = Math.imul(hash ^ unit, 0x01000193);
  }
  return hash >>> 0;
}

function fnv1a32Bytes(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash >>> 0;
}

/**
 * What a target is sharded by: its origin, `protocol//host:port` lower-cased (the URL parser has
 * lower-cased the host and dropped a default port), so every URL of a host lands in one shard; for
 * a local `file:` link, its file (there is no host to spare, and disk checks spread freely); for
 * a line that is not a URL, its displayed text, so it lands in exactly one shard too.
 */
export function shardKeyOf(target: Target): string {
  const url = target.url;
  if (url === null) return target.display;
  return url.protocol === 'file:' ? url.pathname : `${url.protocol}//${url.host}`.toLowerCase();
}

/**
 * The shard (1-based) of `count` a target belongs to: the FNV-1a hash of {@link shardKeyOf},
 * scaled to the count by its high bits (`floor(hash × count / 2^32) + 1`), which FNV mixes
 * better than its low ones.
 */
export function shardOf(target: Target, count: number): number {
  return Math.floor((fnv1a32(shardKeyOf(target)) * count) / 0x100000000) + 1;
}

/**
 * Applies a {@link TargetSelection} to targets one at a time and counts what it leaves out, so
 * that nothing is dropped silently: lines of other shards first, then, of this shard's lines,
 * those --include/--exclude leave out.
 */
export class TargetSelector {
  /** Lines of this shard that --include/--exclude left out. */
  excluded = 0;
  /** Lines that belong to other shards. */
  otherShards = 0;

  constructor(private readonly selection: TargetSelection) {}

  /** True when the target is to be checked; otherwise it is counted. */
  accepts(target: Target): boolean {
    const { shard, include, exclude } = this.selection;
    if (shard !== null && shard.count > 1 && shardOf(target, shard.count) !== shard.index) {
      this.otherShards += 1;
      return false;
    }
    if (include.length > 0 && !include.some((pattern) => pattern.test(target.display))) {
      this.excluded += 1;
      return false;
    }
    if (exclude.length > 0 && exclude.some((pattern) => pattern.test(target.display))) {
      this.excluded += 1;
      return false;
    }
    return true;
  }
}

/** True when the selection leaves every line in (no patterns, no shard or a single one). */
export function selectsEverything(selection: TargetSelection | null | undefined): boolean {
  return selection == null || (selection.include.length === 0 && selection.exclude.length === 0 && (selection.shard === null || selection.shard.count === 1));
}

/** What a {@link selectTargets} stage left out, so that nothing is dropped silently. */
export interface SelectionCounts {
  /** Lines --include/--exclude left out. */
  excluded: number;
  /** Lines of other shards. */
  otherShards: number;
  /** Lines left out because an earlier line has the same URL. */
  duplicates: number;
}

/** What {@link selectTargets} keeps. */
export interface SelectOptions {
  /** --include/--exclude and --shard; null (the default) = every line. */
  selection?: TargetSelection | null;
  /** Leave out lines whose URL an earlier line already has (its href without the fragment). */
  dedupe?: boolean;
  /** --check-fragments: a fragment makes an http(s) URL distinct for dedupe (see `dedupeKeyOf`). */
  checkFragments?: boolean;
  /** Aborting it ends the stage at the next input item. */
  signal?: AbortSignal;
}

/** The targets a stage keeps, in batches, and what it left out so far. */
export interface SelectedTargets extends AsyncIterable<readonly Target[]> {
  /** What the stage has left out up to now (all of it once the iteration is over). */
  counts(): SelectionCounts;
}

/**
 * The selection and dedupe stage without checking anything: the targets a run would check, in
 * input order, after --include/--exclude, --shard and (with `dedupe`) earlier lines with the same
 * URL. Lines that are not URLs are kept: a run reports them. Streams: holds one batch of input
 * and, with dedupe, a 64-bit hash per distinct URL.
 */
export function selectTargets(targets: TargetStream, { selection = null, dedupe = false, checkFragments = false, signal }: SelectOptions = {}): SelectedTargets {
  const selector = selectsEverything(selection) ? null : new TargetSelector(selection as TargetSelection);
  const seen = dedupe ? new UrlHashIndex() : null;
  const hash = new Hash64();
  let duplicates = 0;
  const isDuplicate = (target: Target, index: UrlHashIndex): boolean => {
    const key = dedupeKeyOf(target, checkFragments);
    if (key === null) return false;
    hash.of(key);
    const before = index.size;
    return index.add(hash.hi, hash.lo) !== before;
  };
  async function* batches(): AsyncGenerator<readonly Target[]> {
    for await (const item of targets) {
      if (signal?.aborted) return;
      const kept: Target[] = [];
      for (const target of isBatch(item) ? item : [item]) {
        if (selector !== null && !selector.accepts(target)) continue;
        if (seen !== null && isDuplicate(target, seen)) duplicates += 1;
        else kept.push(target);
      }
      if (kept.length > 0) yield kept;
    }
  }
  return {
    [Symbol.asyncIterator]: batches,
    counts: () => ({ excluded: selector?.excluded ?? 0, otherShards: selector?.otherShards ?? 0, duplicates }),
  };
}
