import { isCheckedFragment } from '../util/fragments.js';
import { ChunkedArray, Hash64, UrlHashIndex } from '../util/hash.js';
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
  const href = url.href;
  if (href.startsWith('file:') || (checkFragments && isCheckedFragment(url))) return href;
  return withoutFragment(href);
}

function withoutFragment(href: string): string {
  // In a serialised URL a "#" can only start the fragment: elsewhere it is percent-encoded.
  const hash = href.indexOf('#');
  return hash < 0 ? href : href.slice(0, hash);
}

// An outcome's first word: ok, verdict and method in the low 8 bits, then the attempts and the
// error code, 8 bits each.
const OK_BIT = 1;
const VERDICT_SHIFT = 1; // 3 bits: index into VERDICTS
const METHOD_SHIFT = 4; // 2 bits: 0 none, 1 HEAD, 2 GET
const ATTEMPTS_SHIFT = 8;
const CODE_SHIFT = 16; // 0 none, else index into ERROR_CODES + 1
/** Words per interned outcome: the word above, status, source id, details id + 1 (0: none). */
const OUTCOME_WORDS = 4;
/** An entry's outcome while its check runs. */
const PENDING = 0;

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

/** A target being checked: its entry, and the target (its result shows its `display`). */
interface Checking {
  id: number;
  target: Target;
}

/**
 * Parts of a result a late duplicate cannot rebuild from the compact outcome, shared by every
 * entry with the same ones (a thousand 404s share one).
 */
interface Details {
  error: CheckError | null;
  warnings: CheckWarning[];
  redirects: RedirectHop[];
  /** {@link OWN_URL} when it was the checked line's own URL: a duplicate then shows its own. */
  finalUrl: string | null | typeof OWN_URL;
}

const OWN_URL = Symbol('own URL');

/**
 * Remembers, for every distinct URL of a run, that it was seen and, once checked, the compact
 * outcome of its check, so each URL is requested once however many lines name it.
 *
 * Memory per distinct URL, all in typed arrays grown a chunk at a time (never copied whole): the
 * {@link UrlHashIndex} (a {@link DEDUPE_HASH_BITS}-bit hash and its share of the table, 13 to 16
 * bytes), the duration and start time in tenths of a millisecond (4 bytes each), the line that
 * was checked (2 bytes, see `CheckedLines`) and the index of its outcome (2 bytes; 4 past 65,535
 * distinct outcomes): 25 to 28 bytes, none per duplicate line. A million distinct URLs take
 * 27 MB. An outcome is what the results of many URLs share, each kept once: ok, verdict,
 * method, attempts, error code, status, the source that was checked, and the error, warnings
 * and redirects of results that are not healthy or were redirected (identical ones kept once: a
 * thousand 404s share one). Besides: the lines being checked (bounded by the pool), and
 * duplicates waiting for a check still running (at most {@link MAX_WAITING_DUPLICATES} plus one
 * batch, when the caller honours {@link DedupeStore.mustPause}).
 */
export class DedupeStore {
  /** `checkFragments`: --check-fragments is on, so a fragment makes an http(s) URL distinct (see {@link dedupeKeyOf}). */
  constructor(private readonly checkFragments = false) {}

  private readonly index = new UrlHashIndex();
  private readonly hash = new Hash64();
  // Per entry (by the index's ids): its outcome (PENDING while it is checked), the line checked,
  // the duration and startMs + 1 (0: null, a result from an old report) in tenths of a millisecond.
  private readonly outcomeOf = new ChunkedArray(Uint16Array);
  private readonly lines = new CheckedLines();
  private readonly tenthsMs = new ChunkedArray(Uint32Array);
  private readonly startTenthsMs = new ChunkedArray(Uint32Array);
  // Interned outcomes, OUTCOME_WORDS words each; outcome 0 is PENDING, so index 0 is unused.
  private outcomes = new Uint32Array(16 * OUTCOME_WORDS);
  private outcomeCount = 1;
  private readonly outcomeIds = new Map<number, number>();
  private readonly sources: string[] = [];
  private readonly sourceIdByName = new Map<string, number>();
  private lastSource: string | null = null;
  private lastSourceId = 0;
  // The outcome interned last: the next result most often has the same (a healthy list).
  private lastOutcome = -1;
  private readonly details: Details[] = [];
  private readonly detailsIds = new Map<number, number>();
  // Targets being checked, by line: how a result finds its entry again. A document's line often
  // holds several links, each checked on its own, and lines of several sources share numbers, so
  // a line maps to every one of them (only targets in flight are here: the list stays short).
  private readonly checking = new Map<number, Checking | Checking[]>();
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

  /** Distinct errors, warnings and redirects kept (of results not healthy, or redirected). */
  get detailsSize(): number {
    return this.details.length;
  }

  /** Distinct outcomes kept. */
  get outcomesSize(): number {
    return this.outcomeCount - 1;
  }

  /**
   * Slots of the hash table, entries the per-URL arrays hold, and their bytes per URL, for tests
   * that prove growth is bounded.
   */
  get capacity(): { table: number; entries: number; bytesPerEntry: number } {
    const perEntry = this.outcomeOf.bytesPerEntry + this.lines.bytesPerEntry + this.tenthsMs.bytesPerEntry + this.startTenthsMs.bytesPerEntry;
    return { table: this.index.capacity, entries: this.lines.capacity, bytesPerEntry: perEntry };
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
      this.reserve(id);
      this.lines.add(id, target.line);
      this.markChecking(target, id);
      return CHECK;
    }
    if (this.outcomeOf.get(id) === PENDING) {
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
    const onLine = this.checking.get(result.line);
    if (onLine === undefined) return null;
    let entry: Checking;
    if (Array.isArray(onLine)) {
      // The one of its source showing its URL (else the first of its source).
      let at = -1;
      for (let i = 0; i < onLine.length; i += 1) {
        const target = (onLine[i] as Checking).target;
        if (target.source !== result.source) continue;
        if (target.display === result.url) {
          at = i;
          break;
        }
        if (at < 0) at = i;
      }
      if (at < 0) return null;
      entry = onLine[at] as Checking;
      onLine.splice(at, 1);
      if (onLine.length === 1) this.checking.set(result.line, onLine[0] as Checking);
    } else {
      if (onLine.target.source !== result.source) return null;
      entry = onLine;
      this.checking.delete(result.line);
    }
    this.checkingCount -= 1;
    const id = entry.id;
    this.record(id, result, result, entry.target.url);
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
    this.reserve(id);
    const origin = result.duplicateOf ?? result;
    this.lines.add(id, origin.line);
    this.record(id, result, origin, key);
    return true;
  }

  private reserve(id: number): void {
    this.outcomeOf.reserve(id);
    this.tenthsMs.reserve(id);
    this.startTenthsMs.reserve(id);
  }

  /** `checked`: the URL of the line that was checked (a journal's: its dedupe key), null for none. */
  private record(id: number, result: CheckResult, origin: TargetOrigin, checked: URL | string | null): void {
    const verdict = VERDICTS.indexOf(result.verdict);
    const method = result.method === 'HEAD' ? 1 : result.method === 'GET' ? 2 : 0;
    const code = result.error === null ? 0 : ERROR_CODES.indexOf(result.error.code) + 1;
    const attempts = Math.min(255, Math.max(0, result.attempts));
    const word = (result.ok ? OK_BIT : 0) | (Math.max(0, verdict) << VERDICT_SHIFT) | (method << METHOD_SHIFT) | (attempts << ATTEMPTS_SHIFT) | (code << CODE_SHIFT);
    const detailsId =
      result.verdict !== 'healthy' || result.redirects.length > 0 || result.error !== null
        ? this.detailsIdOf({
            error: result.error,
            warnings: result.warnings,
            redirects: result.redirects,
            finalUrl: result.finalUrl !== null && checked !== null && result.finalUrl === (typeof checked === 'string' ? checked : redactUrl(checked)) ? OWN_URL : result.finalUrl,
          })
        : -1;
    const outcome = this.outcomeIdOf(word, result.status ?? 0, this.sourceId(origin.source), detailsId + 1);
    if (outcome > 0xffff && this.outcomeOf.bytesPerEntry === 2) this.outcomeOf.widen(Uint32Array);
    this.outcomeOf.set(id, outcome);
    this.tenthsMs.set(id, Math.min(0xffffffff, Math.max(0, Math.round(result.durationMs * 10))));
    this.startTenthsMs.set(id, result.startMs === null ? 0 : Math.min(0xffffffff, Math.max(0, Math.round(result.startMs * 10)) + 1));
  }

  /** The index of the interned outcome with these words, interning it if new. */
  private outcomeIdOf(word: number, status: number, sourceId: number, details: number): number {
    const words = this.outcomes;
    const last = this.lastOutcome * OUTCOME_WORDS;
    if (last > 0 && words[last] === word && words[last + 1] === status && words[last + 2] === sourceId && words[last + 3] === details) return this.lastOutcome;
    const key = mixKey(word, status, sourceId, details);
    const known = this.outcomeIds.get(key);
    if (known !== undefined) {
      const at = known * OUTCOME_WORDS;
      if (words[at] === word && words[at + 1] === status && words[at + 2] === sourceId && words[at + 3] === details) {
        this.lastOutcome = known;
        return known;
      }
    }
    const id = this.outcomeCount;
    this.outcomeCount += 1;
    let at = id * OUTCOME_WORDS;
    if (at + OUTCOME_WORDS > words.length) {
      this.outcomes = new Uint32Array(words.length * 2);
      this.outcomes.set(words);
    }
    this.outcomes[at++] = word;
    this.outcomes[at++] = status;
    this.outcomes[at++] = sourceId;
    this.outcomes[at] = details;
    // A key already taken by other words (a 53-bit collision) keeps its first owner.
    if (known === undefined) this.outcomeIds.set(key, id);
    this.lastOutcome = id;
    return id;
  }

  /** The index of the interned details equal to `details`, interning them if new. */
  private detailsIdOf(details: Details): number {
    const { hi, lo } = this.hash.of(detailsText(details));
    const key = (hi & 0x1fffff) * 0x100000000 + lo;
    const known = this.detailsIds.get(key);
    if (known !== undefined && sameDetails(this.details[known] as Details, details)) return known;
    const id = this.details.length;
    this.details.push(details);
    if (known === undefined) this.detailsIds.set(key, id);
    return id;
  }

  /** A duplicate's result from the compact outcome of entry `id`. */
  private rebuild(id: number, target: Target): CheckResult {
    const at = this.outcomeOf.get(id) * OUTCOME_WORDS;
    const words = this.outcomes;
    const word = words[at] as number;
    const code = (word >>> CODE_SHIFT) & 0xff;
    const status = (words[at + 1] as number) === 0 ? null : (words[at + 1] as number);
    const detailsId = (words[at + 3] as number) - 1;
    const kept = detailsId < 0 ? undefined : this.details[detailsId];
    const method = (word >>> METHOD_SHIFT) & 3;
    const error: CheckError | null =
      kept?.error ?? (code === 0 ? null : { code: ERROR_CODES[code - 1] as ErrorCode, message: '' });
    const ownUrl = status !== null && target.url !== null ? redactUrl(target.url) : null;
    const finalUrl = kept === undefined || kept.finalUrl === OWN_URL ? ownUrl : kept.finalUrl;
    const start = this.startTenthsMs.get(id);
    // The same keys in the same order as a checked result, so reports line up.
    return {
      url: target.display,
      ok: (word & OK_BIT) !== 0,
      status,
      error,
      startMs: start === 0 ? null : (start - 1) / 10,
      durationMs: this.tenthsMs.get(id) / 10,
      attempts: (word >>> ATTEMPTS_SHIFT) & 0xff,
      redirects: kept?.redirects ?? [],
      finalUrl,
      method: method === 1 ? 'HEAD' : method === 2 ? ('GET' as HttpMethod) : null,
      verdict: VERDICTS[(word >>> VERDICT_SHIFT) & 7] ?? 'broken',
      warnings: kept?.warnings ?? [],
      timings: null,
      tls: null,
      source: target.source,
      line: target.line,
      duplicateOf: { source: this.sources[words[at + 2] as number] as string, line: this.lines.get(id) },
    };
  }

  private markChecking(target: Target, id: number): void {
    const entry: Checking = { id, target };
    const onLine = this.checking.get(target.line);
    if (onLine === undefined) this.checking.set(target.line, entry);
    else if (Array.isArray(onLine)) onLine.push(entry);
    else this.checking.set(target.line, [onLine, entry]);
    this.checkingCount += 1;
  }

  private sourceId(name: string): number {
    // Results come from one source at a time, most often: no lookup for them.
    if (name === this.lastSource) return this.lastSourceId;
    let id = this.sourceIdByName.get(name);
    if (id === undefined) {
      id = this.sources.length;
      this.sources.push(name);
      this.sourceIdByName.set(name, id);
    }
    this.lastSource = name;
    this.lastSourceId = id;
    return id;
  }
}

const LINE_BLOCK_BITS = 8;
const LINE_OFFSET_BIAS = 0x8000;
const LINE_ESCAPE = 0xffff;

/**
 * The line checked for each entry, in 2 bytes instead of 4: entries are added in input order, so
 * the lines of 256 consecutive entries lie close together. Each block of 256 keeps its first line
 * (4 bytes), each entry its distance from it (within ±32,767); a line farther away (another
 * source starting again at 1, a long run of duplicate lines) is kept exactly in a Map.
 */
class CheckedLines {
  private readonly bases = new ChunkedArray(Uint32Array);
  private readonly offsets = new ChunkedArray(Uint16Array);
  private readonly far = new Map<number, number>();

  get bytesPerEntry(): number {
    return this.offsets.bytesPerEntry;
  }

  get capacity(): number {
    return this.offsets.capacity;
  }

  /** Sets the line of entry `id`; entries must come in order 0, 1, 2, …. */
  add(id: number, line: number): void {
    this.offsets.reserve(id);
    const block = id >>> LINE_BLOCK_BITS;
    if ((id & ((1 << LINE_BLOCK_BITS) - 1)) === 0) {
      this.bases.reserve(block);
      this.bases.set(block, line);
    }
    const offset = line - this.bases.get(block) + LINE_OFFSET_BIAS;
    if (offset >= 0 && offset < LINE_ESCAPE) this.offsets.set(id, offset);
    else {
      this.offsets.set(id, LINE_ESCAPE);
      this.far.set(id, line);
    }
  }

  get(id: number): number {
    const offset = this.offsets.get(id);
    if (offset === LINE_ESCAPE) return this.far.get(id) as number;
    return this.bases.get(id >>> LINE_BLOCK_BITS) + offset - LINE_OFFSET_BIAS;
  }
}

/** Four 32-bit words mixed into a 53-bit Map key (murmur3's finaliser on two lanes); not unique: callers compare. */
function mixKey(a: number, b: number, c: number, d: number): number {
  let h1 = Math.imul(a ^ 0x2545f491, -1640531535) ^ b;
  let h2 = Math.imul(c ^ 0x6a09e667, 1597334677) ^ d;
  h1 = Math.imul(h1 ^ (h1 >>> 16), -2048144789) ^ Math.imul(h2 ^ (h2 >>> 13), -1028477387);
  h2 = Math.imul(h2 ^ (h2 >>> 16), -2048144789) ^ Math.imul(h1 ^ (h1 >>> 13), -1028477387);
  h1 ^= Math.imul(d ^ (d >>> 15), 0x2c1b3c6d);
  h2 ^= Math.imul(b ^ (b >>> 15), 0x297a2d39);
  return (h1 & 0x1fffff) * 0x100000000 + (h2 >>> 0);
}

function detailsText(details: Details): string {
  const { error, warnings, redirects, finalUrl } = details;
  let text = `${error === null ? '-' : `${error.code}\u0001${error.message}`}\u0000${finalUrl === OWN_URL ? '\u0002' : (finalUrl ?? '\u0003')}`;
  for (const warning of warnings) text += `\u0000${warning.code}\u0001${warning.message}`;
  text += '\u0004';
  for (const hop of redirects) text += `\u0000${hop.status}\u0001${hop.location}`;
  return text;
}

function sameDetails(a: Details, b: Details): boolean {
  if (a.finalUrl !== b.finalUrl || a.warnings.length !== b.warnings.length || a.redirects.length !== b.redirects.length) return false;
  if (a.error !== b.error && (a.error === null || b.error === null || a.error.code !== b.error.code || a.error.message !== b.error.message)) return false;
  for (let i = 0; i < a.warnings.length; i += 1) {
    const x = a.warnings[i] as CheckWarning;
    const y = b.warnings[i] as CheckWarning;
    if (x.code !== y.code || x.message !== y.message) return false;
  }
  for (let i = 0; i < a.redirects.length; i += 1) {
    const x = a.redirects[i] as RedirectHop;
    const y = b.redirects[i] as RedirectHop;
    if (x.status !== y.status || x.location !== y.location) return false;
  }
  return true;
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
