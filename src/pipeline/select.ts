import type { TextWriter } from '../util/text-writer.js';
import type { TargetStream } from './pool.js';
import { dedupeKeyOf, Hash64, UrlHashIndex } from './dedupe.js';
import type { Target } from '../model/types.js';

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
  include: readonly RegExp[];
  /** A line whose displayed URL matches any of these is not checked. */
  exclude: readonly RegExp[];
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
 * Parses one `--include`/`--exclude` value: a JavaScript regular expression, matched anywhere in
 * the URL as displayed (credentials redacted), case-sensitively; a leading `(?i)` makes it
 * case-insensitive. Throws a RangeError naming what is wrong.
 */
export function parsePattern(text: string): RegExp {
  const insensitive = text.startsWith('(?i)');
  const source = insensitive ? text.slice(4) : text;
  if (source === '') throw new RangeError('must be a non-empty regular expression');
  try {
    return new RegExp(source, insensitive ? 'i' : '');
  } catch (error) {
    const reason = (error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    throw new RangeError(`must be a regular expression: ${reason}`);
  }
}

/** {@link parsePattern} over every value of a repeatable flag, in order. */
export function parsePatternList(texts: readonly string[]): RegExp[] {
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
 * a line that is not a URL, its displayed text, so it lands in exactly one shard too.
 */
export function shardKeyOf(target: Target): string {
  const url = target.url;
  return url === null ? target.display : `${url.protocol}//${url.host}`.toLowerCase();
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

/** What `--dump` writes: a URL per line, or a JSON object per line (`-f ndjson`). */
export type DumpFormat = 'text' | 'ndjson';

/** A `--dump`: the targets a run would check, listed instead of checked. */
export interface DumpRequest {
  targets: TargetStream;
  selection?: TargetSelection | null;
  /** Leave out lines whose URL an earlier line already lists (as a run with dedupe would). */
  dedupe?: boolean;
  format: DumpFormat;
  /** Where the list goes (stdout or --output). */
  out: TextWriter;
  /** Aborting it stops the listing; what was written stays. */
  signal?: AbortSignal;
}

/** What a dump listed and left out. */
export interface DumpOutcome {
  /** Targets written. */
  listed: number;
  /** Lines --include/--exclude left out. */
  excluded: number;
  /** Lines of other shards. */
  otherShards: number;
  /** Lines left out because an earlier line has the same URL. */
  duplicates: number;
}

/**
 * Lists, without checking anything, the targets a run would check: after --include/--exclude,
 * --shard and dedupe, in input order. Lines that are not URLs are listed too: the run reports
 * them. Text is one URL per line as displayed (credentials redacted); `ndjson` is
 * `{"url","source","line"}` per line. Streams: holds one batch of input and, with dedupe, a
 * 64-bit hash per distinct URL.
 */
export async function dumpTargets(request: DumpRequest): Promise<DumpOutcome> {
  const { out, format, signal } = request;
  const selector = selectsEverything(request.selection) ? null : new TargetSelector(request.selection as TargetSelection);
  const seen = request.dedupe === true ? new UrlHashIndex() : null;
  const hash = new Hash64();
  let listed = 0;
  let duplicates = 0;
  for await (const item of request.targets) {
    if (signal?.aborted) break;
    const batch: readonly Target[] = Array.isArray(item) ? (item as readonly Target[]) : [item as Target];
    for (const target of batch) {
      if (selector !== null && !selector.accepts(target)) continue;
      if (seen !== null) {
        const key = dedupeKeyOf(target);
        if (key !== null) {
          hash.of(key);
          const before = seen.size;
          if (seen.add(hash.hi, hash.lo) !== before) {
            duplicates += 1;
            continue;
          }
        }
      }
      listed += 1;
      const line = format === 'ndjson' ? JSON.stringify({ url: target.display, source: target.source, line: target.line }) : target.display;
      const waiting = out.write(`${line}\n`);
      if (waiting !== undefined) await waiting;
    }
  }
  return { listed, excluded: selector?.excluded ?? 0, otherShards: selector?.otherShards ?? 0, duplicates };
}

/** One line for stderr after a dump: how many targets were listed, and what was left out and why. */
export function describeDump(outcome: DumpOutcome): string {
  const lines = (n: number) => `${n} ${n === 1 ? 'line' : 'lines'}`;
  const parts = [`${outcome.listed} ${outcome.listed === 1 ? 'target' : 'targets'} listed`];
  if (outcome.excluded > 0) parts.push(`${lines(outcome.excluded)} left out by --include/--exclude`);
  if (outcome.otherShards > 0) parts.push(`${lines(outcome.otherShards)} left to other shards`);
  if (outcome.duplicates > 0) parts.push(`${outcome.duplicates} duplicate ${outcome.duplicates === 1 ? 'line' : 'lines'} not listed (their URL is)`);
  return parts.join('; ');
}
