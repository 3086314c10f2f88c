import { isCheckedFragment } from '../util/fragments.js';
import { grown, Hash64, UrlHashIndex } from '../util/hash.js';
import { redactUrl } from '../util/redact.js';
import {
  ERROR_CODES,
  VERDICTS,
  type CheckError,
  type CheckResult,
  type CheckWarning,
  type ErrorCode,
  type HttpMethod,
  type RedirectHop,
  type Target,
  type TargetOrigin,
} from '../model/types.js';

/**
 * Width of the hash a {@link UrlHashIndex} keeps per distinct key, in bits. Only the hash is kept,
 * never the URL, so two different URLs with the same hash would be taken for one (the second
 * reported as a duplicate of the first, never requested). For n distinct URLs the odds of that
 * happening at all are about n² / 2^65: 3 in 100 million for a million URLs, 3 in a million for
 * ten million, 3 in 10,000 for a hundred million.
 */
export const DEDUPE_HASH_BITS = 64;

/**
 * Duplicate lines held back, at most, while the line they duplicate is being checked; the input
 * is not read further until the check ends. Bounds memory when one slow URL repeats many times.
 */
export const MAX_WAITING_DUPLICATES = 4096;

const INITIAL_CAPACITY = 1024;

/**
 * The text that identifies a target's URL for dedupe: its href (normalised by the URL parser:
 * scheme and host lower-cased, default port dropped, path resolved) without the fragment,
 * credentials included so that two logins are two checks. The fragment stays when it is checked:
 * always for a local `file:` link, and for http(s) with `checkFragments` (--check-fragments), so
 * `page#a` and `page#b` are two results (the page is still requested once). Null for targets never
 * deduped: invalid lines (no URL), and targets with expectations, whose results depend on more
 * than the URL.
 */
export function dedupeKeyOf(target: Target, checkFragments = false): string | null {
  const url = target.url;
  if (url === null || target.expect != null) return null;
  if (url.protocol === 'file:' || (checkFragments && isCheckedFragment(url))) return url.href;
  return withoutFragment(url.href);
}

function withoutFragment(href: string): string {
  // In a serialised URL a "#" can only start the fragment: elsewhere it is percent-encoded.
  const hash = href.indexOf('#');
  return hash < 0 ? href : href.slice(0, hash);
}

// Entry states, in the low two bits of `flags`.
const PENDING = 1;
const DONE = 2;
const STATE_MASK = 3;
const OK_BIT = 4;
const VERDICT_SHIFT = 3; // 3 bits: index into VERDICTS
const METHOD_SHIFT = 6; // 2 bits: 0 none, 1 HEAD, 2 GET

/** What {@link DedupeStore.admit} decided for a target. */
export type Admission =
  /** Check it: it is the first line with its URL (or it is never deduped). */
  | { kind: 'check' }
  /** Held back: its URL is being checked for an earlier line, whose result it will share. */
  | { kind: 'wait' }
  /** Its URL was checked already: here is its result, as a duplicate. */
  | { kind: 'duplicate'; result: CheckResult };

const CHECK: Admission = { kind: 'check' };
const WAIT: Admission = { kind: 'wait' };

/** A target being checked: its entry, and the URL its result will show. */
interface Checking {
  id: number;
  url: string;
}

/** Parts of a result a late duplicate cannot rebuild from the compact outcome. */
interface Details {
  error: CheckError | null;
  warnings: CheckWarning[];
  redirects: RedirectHop[];
  finalUrl: string | null;
}

/**
 * Remembers, for every distinct URL of a run, that it was seen and, once checked, the compact
 * outcome of its check, so each URL is requested once however many lines name it.
 *
 * Memory per distinct URL: the {@link UrlHashIndex} (a {@link DEDUPE_HASH_BITS}-bit hash) and
 * 17 bytes of outcome (state, ok, verdict, method, error code, status, attempts, duration in
 * tenths of a millisecond, and the source and line that was checked), in typed arrays that
 * double as they fill: about 30 to 60 bytes per distinct URL, none per duplicate line. Besides:
 * the error, warnings and redirects of results that are not healthy or were redirected (a Map,
 * bounded by those results), the lines being checked (bounded by the pool), and duplicates
 * waiting for a check still running (at most {@link MAX_WAITING_DUPLICATES} plus one batch, when
 * the caller honours {@link DedupeStore.mustPause}).
 */
export class DedupeStore {
  /** `checkFragments`: --check-fragments is on, so a fragment makes an http(s) URL distinct (see {@link dedupeKeyOf}). */
  constructor(private readonly checkFragments = false) {}

  private readonly index = new UrlHashIndex();
  private readonly hash = new Hash64();
  private flags = new Uint8Array(INITIAL_CAPACITY);
  private codes = new Uint8Array(INITIAL_CAPACITY);
  private attempts = new Uint8Array(INITIAL_CAPACITY);
  private statuses = new Uint16Array(INITIAL_CAPACITY);
  private tenthsMs = new Uint32Array(INITIAL_CAPACITY);
  // startMs + 1, in tenths of a millisecond: 0 stands for null (a result from an old report).
  private startTenthsMs = new Uint32Array(INITIAL_CAPACITY);
  private sourceIds = new Uint32Array(INITIAL_CAPACITY);
  private lines = new Uint32Array(INITIAL_CAPACITY);
  private readonly sources: string[] = [];
  private readonly sourceIdByName = new Map<string, number>();
  private readonly details = new Map<number, Details>();
  // Targets being checked, by source then line, with the URL they show: how a result finds its
  // entry again. A document's line often holds several links, each checked on its own, so a line
  // maps to every one of them (only targets in flight are here: the list stays short).
  private readonly checking = new Map<string, Map<number, Checking[]>>();
  private checkingCount = 0;
  private readonly waiting = new Map<number, Target[]>();
  private waitingTargets = 0;

  /** Distinct URLs seen. */
  get size(): number {
    return this.index.size;
  }

  /** Lines handed out to be checked whose result has not come back yet. */
  get checkingSize(): number {
    return this.checkingCount;
  }

  /** Duplicate targets held back for a check still running. */
  get waitingSize(): number {
    return this.waitingTargets;
  }

  /** Results whose error, warnings and redirects are kept (not healthy, or redirected). */
  get detailsSize(): number {
    return this.details.size;
  }

  /** Slots of the hash table and of the per-URL arrays, for tests that prove growth is bounded. */
  get capacity(): { table: number; entries: number } {
    return { table: this.index.capacity, entries: this.flags.length };
  }

  /** True when so many duplicates wait that the caller should read no more input for now. */
  get mustPause(): boolean {
    return this.waitingTargets >= MAX_WAITING_DUPLICATES;
  }

  /**
   * Decides what to do with a target read from the input (see {@link Admission}). A target to
   * check is remembered until {@link settle} gets its result.
   */
  admit(target: Target): Admission {
    const key = dedupeKeyOf(target, this.checkFragments);
    if (key === null) return CHECK;
    const { hi, lo } = this.hash.of(key);
    const before = this.index.size;
    const id = this.index.add(hi, lo);
    if (id === before) {
      this.ensureEntries(id);
      this.flags[id] = PENDING;
      this.sourceIds[id] = this.sourceId(target.source);
      this.lines[id] = target.line;
      this.markChecking(target, id);
      return CHECK;
    }
    if (((this.flags[id] as number) & STATE_MASK) === PENDING) {
      const list = this.waiting.get(id);
      if (list === undefined) this.waiting.set(id, [target]);
      else list.push(target);
      this.waitingTargets += 1;
      return WAIT;
    }
    return { kind: 'duplicate', result: this.rebuild(id, target) };
  }

  /**
   * Takes the result of a target {@link admit} let through: records its outcome, and returns the
   * results of the duplicates that waited for it (the whole result, relabelled), or null.
   */
  settle(result: CheckResult): CheckResult[] | null {
    if (this.checkingCount === 0) return null;
    const byLine = this.checking.get(result.source);
    const onLine = byLine?.get(result.line);
    if (byLine === undefined || onLine === undefined) return null;
    const at = Math.max(0, onLine.findIndex((entry) => entry.url === result.url));
    const id = (onLine[at] as Checking).id;
    onLine.splice(at, 1);
    if (onLine.length === 0) byLine.delete(result.line);
    if (byLine.size === 0) this.checking.delete(result.source);
    this.checkingCount -= 1;
    this.record(id, result);
    if (this.waitingTargets === 0) return null;
    const waiters = this.waiting.get(id);
    if (waiters === undefined) return null;
    this.waiting.delete(id);
    this.waitingTargets -= waiters.length;
    const origin = { source: result.source, line: result.line };
    return waiters.map((target) => relabel(result, target, origin));
  }

  /**
   * Records a result from an earlier run (a --resume journal) as checked, so that lines with its
   * URL are reported as its duplicates instead of being requested again. `key` is what
   * {@link dedupeKeyOf} gave for its target. Returns false when the URL was known already.
   */
  remember(key: string, result: CheckResult): boolean {
    const { hi, lo } = this.hash.of(key);
    const before = this.index.size;
    const id = this.index.add(hi, lo);
    if (id !== before) return false;
    this.ensureEntries(id);
    const origin = result.duplicateOf ?? result;
    this.sourceIds[id] = this.sourceId(origin.source);
    this.lines[id] = origin.line;
    this.record(id, result);
    return true;
  }

  private record(id: number, result: CheckResult): void {
    const verdict = VERDICTS.indexOf(result.verdict);
    const method = result.method === 'HEAD' ? 1 : result.method === 'GET' ? 2 : 0;
    this.flags[id] = DONE | (result.ok ? OK_BIT : 0) | (Math.max(0, verdict) << VERDICT_SHIFT) | (method << METHOD_SHIFT);
    this.codes[id] = result.error === null ? 0 : ERROR_CODES.indexOf(result.error.code) + 1;
    this.statuses[id] = result.status ?? 0;
    this.attempts[id] = Math.min(255, Math.max(0, result.attempts));
    this.tenthsMs[id] = Math.min(0xffffffff, Math.max(0, Math.round(result.durationMs * 10)));
    this.startTenthsMs[id] = result.startMs === null ? 0 : Math.min(0xffffffff, Math.max(0, Math.round(result.startMs * 10)) + 1);
    if (result.verdict !== 'healthy' || result.redirects.length > 0 || result.error !== null) {
      this.details.set(id, { error: result.error, warnings: result.warnings, redirects: result.redirects, finalUrl: result.finalUrl });
    }
  }

  /** A duplicate's result from the compact outcome of entry `id`. */
  private rebuild(id: number, target: Target): CheckResult {
    const flags = this.flags[id] as number;
    const code = this.codes[id] as number;
    const status = (this.statuses[id] as number) === 0 ? null : (this.statuses[id] as number);
    const kept = this.details.get(id);
    const method = (flags >>> METHOD_SHIFT) & 3;
    const error: CheckError | null =
      kept?.error ?? (code === 0 ? null : { code: ERROR_CODES[code - 1] as ErrorCode, message: '' });
    const finalUrl = kept !== undefined ? kept.finalUrl : status !== null && target.url !== null ? redactUrl(target.url) : null;
    // The same keys in the same order as a checked result, so reports line up.
    return {
      url: target.display,
      ok: (flags & OK_BIT) !== 0,
      status,
      error,
      startMs: (this.startTenthsMs[id] as number) === 0 ? null : ((this.startTenthsMs[id] as number) - 1) / 10,
      durationMs: (this.tenthsMs[id] as number) / 10,
      attempts: this.attempts[id] as number,
      redirects: kept?.redirects ?? [],
      finalUrl,
      method: method === 1 ? 'HEAD' : method === 2 ? ('GET' as HttpMethod) : null,
      verdict: VERDICTS[(flags >>> VERDICT_SHIFT) & 7] ?? 'broken',
      warnings: kept?.warnings ?? [],
      timings: null,
      tls: null,
      source: target.source,
      line: target.line,
      duplicateOf: { source: this.sources[this.sourceIds[id] as number] as string, line: this.lines[id] as number },
    };
  }

  private markChecking(target: Target, id: number): void {
    let byLine = this.checking.get(target.source);
    if (byLine === undefined) {
      byLine = new Map();
      this.checking.set(target.source, byLine);
    }
    const entry: Checking = { id, url: target.display };
    const onLine = byLine.get(target.line);
    if (onLine === undefined) byLine.set(target.line, [entry]);
    else onLine.push(entry);
    this.checkingCount += 1;
  }

  private sourceId(name: string): number {
    let id = this.sourceIdByName.get(name);
    if (id === undefined) {
      id = this.sources.length;
      this.sources.push(name);
      this.sourceIdByName.set(name, id);
    }
    return id;
  }

  private ensureEntries(id: number): void {
    if (id < this.flags.length) return;
    this.flags = grown(this.flags);
    this.codes = grown(this.codes);
    this.attempts = grown(this.attempts);
    this.statuses = grown(this.statuses);
    this.tenthsMs = grown(this.tenthsMs);
    this.startTenthsMs = grown(this.startTenthsMs);
    this.sourceIds = grown(this.sourceIds);
    this.lines = grown(this.lines);
  }
}

/**
 * The result of the line that was checked, as the result of a duplicate line: its own `url`,
 * `source` and `line`, and `duplicateOf` naming the checked line. `change` is left out: it is
 * worked out per line (--diff).
 */
export function relabel(result: CheckResult, target: Pick<Target, 'display' | 'source' | 'line'>, origin: TargetOrigin): CheckResult {
  const { change: _change, ...rest } = result;
  return { ...rest, url: target.display, source: target.source, line: target.line, duplicateOf: origin };
}
