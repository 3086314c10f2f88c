import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dedupeKeyOf, DedupeStore, MAX_WAITING_DUPLICATES, relabel } from '../../src/pipeline/dedupe.js';
import { CHUNK_ENTRIES, ChunkedArray, Hash64, UrlHashIndex } from '../../src/util/hash.js';
import type { CheckResult, Target } from '../../src/model/types.js';
import { targetsFrom } from '../helpers/fixtures.js';
import { resultWith } from '../helpers/samples.js';

/** What the pool would return for a target: healthy or a 404, with a timing, TLS and a redirect or not. */
function checked(target: Target, variant: number): CheckResult {
  const failing = variant % 3 === 1;
  return resultWith({
    url: target.display,
    line: target.line,
    source: target.source,
    ok: !failing,
    status: failing ? 404 : 200,
    verdict: failing ? 'broken' : variant % 3 === 2 ? 'warning' : 'healthy',
    error: failing ? { code: 'HTTP_STATUS', message: `HTTP 404 (${variant})` } : null,
    warnings: variant % 3 === 2 ? [{ code: 'SLOW', message: `took ${variant} ms` }] : [],
    redirects: variant % 4 === 0 ? [{ status: 302, location: 'https://elsewhere.test/' }] : [],
    // null as a result read from an old report has it; else the 0.1 ms the store keeps.
    startMs: variant === 5 ? null : Math.round((100.4 + variant * 7.1) * 10) / 10,
    durationMs: 12.3 + variant,
    attempts: 1 + (variant % 2),
    method: variant % 2 === 0 ? 'HEAD' : 'GET',
    timings: { dnsMs: null, connectMs: 1, tlsMs: null, firstByteMs: 2, totalMs: 3, reusedConnection: false },
  });
}

describe('Hash64', () => {
  it('is a pure function of the text, 64 bits wide', () => {
    const a = new Hash64().of('https://a.test/');
    expect([a.hi, a.lo]).toEqual([new Hash64().of('https://a.test/').hi, new Hash64().of('https://a.test/').lo]);
    const b = new Hash64().of('https://a.test/x');
    expect([b.hi, b.lo]).not.toEqual([a.hi, a.lo]);
    for (const part of [a.hi, a.lo]) expect(Number.isInteger(part) && part >= 0 && part < 2 ** 32).toBe(true);
  });

  it('gives distinct hashes to distinct strings (no collision among 200,000 URLs)', () => {
    const hash = new Hash64();
    const seen = new Set<bigint>();
    for (let i = 0; i < 200_000; i += 1) {
      hash.of(`https://h${i % 997}.test/page/${i}`);
      seen.add((BigInt(hash.hi) << 32n) | BigInt(hash.lo));
    }
    expect(seen.size).toBe(200_000);
  });
});

describe('UrlHashIndex', () => {
  // Low halves from a tiny range force long probe chains and wrap-around.
  const hashPair = fc.tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.oneof(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 2 ** 32 - 1 })));

  it('behaves like a map from hash to first-insertion id, and stays within its load bound (property)', () => {
    fc.assert(
      fc.property(fc.array(hashPair, { maxLength: 3000 }), fc.array(hashPair, { maxLength: 50 }), (added, probes) => {
        const index = new UrlHashIndex();
        const model = new Map<string, number>();
        for (const [hi, lo] of added) {
          const key = `${hi}:${lo}`;
          const expected = model.get(key) ?? model.size;
          expect(index.add(hi, lo)).toBe(expected);
          model.set(key, expected);
        }
        expect(index.size).toBe(model.size);
        for (const [hi, lo] of [...added, ...probes]) expect(index.find(hi, lo)).toBe(model.get(`${hi}:${lo}`) ?? -1);
        // At most 3/4 full, grown only by half: never more than 2 slots per entry past the start.
        expect(index.size * 4).toBeLessThanOrEqual(index.capacity * 3);
        expect(index.capacity).toBeLessThanOrEqual(Math.max(1024, Math.ceil(index.size * 2) + 1));
      }),
      { numRuns: 60 },
    );
  });

  it('stays within its load bounds at scale, with wrap-around, and finds every hash (100,000 entries)', () => {
    const index = new UrlHashIndex();
    const hash = new Hash64();
    let wrong = 0;
    for (let i = 0; i < 100_000; i += 1) {
      hash.of(`https://b.test/${i}`);
      if (index.add(hash.hi, hash.lo) !== i) wrong += 1;
    }
    // The largest low halves land in the last slots and wrap around to the first.
    for (let i = 0; i < 50; i += 1) if (index.add(i, 0xffffffff - i) !== 100_000 + i) wrong += 1;
    for (let i = 0; i < 100_000; i += 1) {
      hash.of(`https://b.test/${i}`);
      if (index.find(hash.hi, hash.lo) !== i) wrong += 1;
    }
    for (let i = 0; i < 50; i += 1) if (index.find(i, 0xffffffff - i) !== 100_000 + i) wrong += 1;
    expect(wrong).toBe(0);
    expect(index.find(1, 2)).toBe(-1);
    expect(index.size * 4).toBeLessThanOrEqual(index.capacity * 3);
    expect(index.size * 2).toBeGreaterThanOrEqual(index.capacity);
  });

  it('grows by half: 100,000 entries in a table of 199,292 slots, entries in two chunks of 2^16', () => {
    const index = new UrlHashIndex();
    const hash = new Hash64();
    for (let i = 0; i < 100_000; i += 1) {
      hash.of(`https://a.test/${i}`);
      index.add(hash.hi, hash.lo);
    }
    expect(index.size).toBe(100_000);
    // 1,024 slots grown by half while more than 3/4 full: … 132,860 → 199,292.
    expect(index.capacity).toBe(199_292);
    expect(index.entryCapacity).toBe(2 * CHUNK_ENTRIES);
  });
});

describe('ChunkedArray', () => {
  it('grows its first chunk by doubling, then a chunk at a time, keeping every value', () => {
    const array = new ChunkedArray(Uint16Array);
    expect(array.capacity).toBe(1024);
    array.reserve(1024);
    expect(array.capacity).toBe(2048);
    for (let i = 0; i < 3 * CHUNK_ENTRIES + 5; i += 1) {
      array.reserve(i);
      array.set(i, i & 0xffff);
    }
    expect(array.capacity).toBe(4 * CHUNK_ENTRIES);
    let wrong = 0;
    for (let i = 0; i < 3 * CHUNK_ENTRIES + 5; i += 1) if (array.get(i) !== (i & 0xffff)) wrong += 1;
    expect(wrong).toBe(0);
    expect(array.get(3 * CHUNK_ENTRIES + 6)).toBe(0);
  });

  it('widens to 32 bits in place, keeping its values', () => {
    const array = new ChunkedArray(Uint16Array);
    array.reserve(CHUNK_ENTRIES + 1);
    array.set(3, 65_535);
    array.set(CHUNK_ENTRIES + 1, 7);
    array.widen(Uint32Array);
    expect(array.bytesPerEntry).toBe(4);
    array.set(4, 70_000);
    expect([array.get(3), array.get(4), array.get(CHUNK_ENTRIES + 1)]).toEqual([65_535, 70_000, 7]);
  });
});

describe('dedupeKeyOf', () => {
  const keyOf = (line: string) => dedupeKeyOf(targetsFrom([line])[0] as Target);

  it('is the parsed href without its fragment', () => {
    expect(keyOf('HTTPS://A.test:443/x/../y?q=1#frag')).toBe('https://a.test/y?q=1');
    expect(keyOf('https://a.test/y?q=1')).toBe(keyOf('https://a.test/y?q=1#other'));
  });

  it('keeps credentials apart, and never dedupes lines that are not URLs or targets with expectations', () => {
    expect(keyOf('https://u:p@a.test/')).not.toBe(keyOf('https://a.test/'));
    expect(keyOf('not a url')).toBeNull();
    const withExpect = { ...(targetsFrom(['https://a.test/'])[0] as Target), expect: { bodyContains: ['x'] } };
    expect(dedupeKeyOf(withExpect)).toBeNull();
  });
});

describe('DedupeStore', () => {
  it('checks the first line, holds duplicates while it runs, then gives them its whole result', () => {
    const store = new DedupeStore();
    const [first, second, third] = targetsFrom(['https://a.test/x', 'https://a.test/x#part', 'https://a.test/x']) as [Target, Target, Target];
    expect(store.admit(first)).toEqual({ kind: 'check' });
    expect(store.admit(second)).toEqual({ kind: 'wait' });
    expect(store.admit(third)).toEqual({ kind: 'wait' });
    expect(store.waitingSize).toBe(2);
    const original = checked(first, 1);
    const waited = store.settle(original);
    expect(waited).toEqual([
      { ...original, url: 'https://a.test/x#part', line: 2, duplicateOf: { source: 'test.txt', line: 1 } },
      { ...original, url: 'https://a.test/x', line: 3, duplicateOf: { source: 'test.txt', line: 1 } },
    ]);
    expect(store.waitingSize).toBe(0);
    expect(store.checkingSize).toBe(0);
  });

  it('answers a duplicate read after the check finished from the compact outcome', () => {
    for (let variant = 0; variant < 6; variant += 1) {
      const store = new DedupeStore();
      const [first, later] = targetsFrom(['https://a.test/x', 'https://a.test/x#later'], 'list.txt') as [Target, Target];
      store.admit(first);
      const original = checked(first, variant);
      expect(store.settle(original)).toBeNull();
      const admission = store.admit(later);
      expect(admission.kind).toBe('duplicate');
      const { timings: _timings, ...kept } = original;
      // The checked line's own URL as its final URL: a duplicate shows its own, as a check of it would.
      const expectedFinalUrl = original.finalUrl === 'https://a.test/x' ? 'https://a.test/x#later' : original.finalUrl;
      expect(admission.kind === 'duplicate' && admission.result).toEqual({
        ...kept,
        url: 'https://a.test/x#later',
        line: 2,
        finalUrl: expectedFinalUrl,
        timings: null,
        tls: null,
        duplicateOf: { source: 'list.txt', line: 1 },
      });
      // Same keys in the same order as a checked result: reports line up.
      expect(admission.kind === 'duplicate' && Object.keys(admission.result)).toEqual([...Object.keys(original), 'duplicateOf']);
    }
  });

  it('never holds a result, only what is needed: bounded by distinct URLs, failures and work in progress', () => {
    const store = new DedupeStore();
    const lines = Array.from({ length: 30_000 }, (_, i) => `https://h${i % 50}.test/${i % 1000}`);
    let failing = 0;
    for (const target of targetsFrom(lines)) {
      const admission = store.admit(target);
      if (admission.kind === 'check') {
        // 1: a broken 404; 3: healthy, not redirected.
        const variant = target.line % 3 === 1 ? 1 : 3;
        if (variant === 1) failing += 1;
        store.settle(checked(target, variant));
      }
    }
    expect(store.size).toBe(1000);
    expect(store.checkingSize).toBe(0);
    expect(store.waitingSize).toBe(0);
    // Details (messages, warnings, redirects) only for the failing ones here, and the same 404
    // kept once for all of them; two outcomes (healthy, broken).
    expect(failing).toBeGreaterThan(300);
    expect(store.detailsSize).toBe(1);
    expect(store.outcomesSize).toBe(2);
    expect(store.capacity).toEqual({ table: 1536, entries: 1024, bytesPerEntry: 12 });
  });

  it('keeps distinct errors apart and shares identical ones, whatever the order they come in', () => {
    const store = new DedupeStore();
    const lines = Array.from({ length: 600 }, (_, i) => `https://h.test/${i}`);
    const targets = targetsFrom([...lines, ...lines]);
    const messageOf = (line: number) => `status ${400 + (line % 3)} is not in --accept 200-399`;
    for (const target of targets.slice(0, 600)) {
      expect(store.admit(target).kind).toBe('check');
      const status = 400 + (target.line % 3);
      store.settle({ ...checked(target, 1), status, error: { code: 'HTTP_STATUS', message: messageOf(target.line) }, finalUrl: target.line % 2 === 0 ? 'https://elsewhere.test/' : target.display });
    }
    // Three messages × a final URL of its own or elsewhere.
    expect(store.detailsSize).toBe(6);
    for (const target of targets.slice(600)) {
      const admission = store.admit(target);
      const original = target.line - 600;
      expect(admission.kind === 'duplicate' && admission.result).toMatchObject({
        status: 400 + (original % 3),
        error: { code: 'HTTP_STATUS', message: messageOf(original) },
        finalUrl: original % 2 === 0 ? 'https://elsewhere.test/' : target.display,
        duplicateOf: { source: 'test.txt', line: original },
      });
    }
  });

  it('widens its outcome index past 65,535 distinct outcomes, every duplicate still exact', () => {
    const store = new DedupeStore();
    const count = 70_000;
    // One source per line: every outcome is distinct.
    const targetOf = (i: number, line: number): Target => ({ ...(targetsFrom([`https://w.test/${i}`])[0] as Target), source: `s${i}.md`, line });
    for (let i = 0; i < count; i += 1) {
      const target = targetOf(i, 1);
      store.admit(target);
      store.settle({ ...checked(target, 3), durationMs: i / 10 });
    }
    expect(store.outcomesSize).toBe(count);
    expect(store.capacity.bytesPerEntry).toBe(14);
    for (const i of [0, 1, 65_534, 65_535, 65_536, count - 1]) {
      const admission = store.admit(targetOf(i, 2));
      expect(admission.kind === 'duplicate' && admission.result).toMatchObject({ durationMs: i / 10, duplicateOf: { source: `s${i}.md`, line: 1 } });
    }
  });

  it('names the line checked exactly, whatever the lines: sources starting again at 1, far jumps, any order', () => {
    const store = new DedupeStore();
    // Lines as a list, documents, a journal replayed out of order and a long run of duplicates give them.
    const lines: Array<readonly [string, number]> = [
      ...Array.from({ length: 700 }, (_, i) => ['big.txt', 100_000 + i * 3] as const),
      ...Array.from({ length: 300 }, (_, i) => ['a.md', 1 + (i >> 2)] as const),
      ['big.txt', 2_000_000],
      ['b.md', 7],
      ...Array.from({ length: 600 }, (_, i) => ['journal.txt', 5_000 + ((i * 37) % 600)] as const),
      ['big.txt', 4_294_967_295],
    ];
    const targetOf = (i: number, source: string, line: number): Target => ({ ...(targetsFrom([`https://l.test/${i}`])[0] as Target), source, line });
    lines.forEach(([source, line], i) => {
      const target = targetOf(i, source, line);
      store.admit(target);
      store.settle(checked(target, 3));
    });
    lines.forEach(([source, line], i) => {
      const admission = store.admit(targetOf(i, 'again.txt', 1));
      expect(admission.kind === 'duplicate' && admission.result.duplicateOf).toEqual({ source, line });
    });
  });

  it('finds each result\'s line among lines of the same number in flight: other sources, several links on a line', () => {
    const store = new DedupeStore();
    const at = (url: string, source: string, line: number): Target => ({ ...(targetsFrom([url])[0] as Target), source, line });
    const inFlight = [at('https://s.test/1', 'a.md', 3), at('https://s.test/2', 'b.md', 3), at('https://s.test/3', 'a.md', 3), at('https://s.test/4', 'c.md', 4)];
    for (const target of inFlight) expect(store.admit(target).kind).toBe('check');
    const later = inFlight.map((target) => at(target.display, 'later.md', 9));
    for (const target of later) expect(store.admit(target).kind).toBe('wait');
    // Settled in another order than admitted: each wakes its own duplicate, named after its own line.
    for (const i of [2, 1, 3, 0]) {
      const target = inFlight[i] as Target;
      const waited = store.settle(checked(target, 3));
      expect(waited?.map((r) => [r.url, r.duplicateOf])).toEqual([[target.display, { source: target.source, line: target.line }]]);
    }
    expect(store.checkingSize).toBe(0);
    // A result nothing is waiting for, from a line never admitted, is not taken for another's.
    expect(store.settle(checked(at('https://s.test/9', 'z.md', 3), 3))).toBeNull();
  });

  it('asks the input to pause once MAX_WAITING_DUPLICATES duplicates wait', () => {
    const store = new DedupeStore();
    const [first] = targetsFrom(['https://slow.test/']) as [Target];
    store.admit(first);
    for (let i = 0; i < MAX_WAITING_DUPLICATES - 1; i += 1) store.admit({ ...first, line: i + 2 });
    expect(store.mustPause).toBe(false);
    store.admit({ ...first, line: MAX_WAITING_DUPLICATES + 1 });
    expect(store.mustPause).toBe(true);
    expect(store.settle(checked(first, 0))).toHaveLength(MAX_WAITING_DUPLICATES);
    expect(store.mustPause).toBe(false);
  });

  it('remembers a journal result as checked, naming the line that was checked', () => {
    const store = new DedupeStore();
    const [target] = targetsFrom(['https://a.test/x#z']) as [Target];
    const fromJournal = { ...checked(target, 1), line: 9, source: 'old.txt', duplicateOf: { source: 'old.txt', line: 4 } };
    expect(store.remember('https://a.test/x', fromJournal)).toBe(true);
    expect(store.remember('https://a.test/x', fromJournal)).toBe(false);
    const admission = store.admit(target);
    expect(admission.kind === 'duplicate' && admission.result).toMatchObject({ url: 'https://a.test/x#z', line: 1, status: 404, error: fromJournal.error, duplicateOf: { source: 'old.txt', line: 4 } });
  });

  it('relabel drops --diff change: it is worked out per line', () => {
    const [target] = targetsFrom(['https://a.test/']) as [Target];
    const result = { ...checked(target, 0), change: 'recovered' as const };
    expect(relabel(result, { display: 'x', source: 's', line: 2 }, { source: 'test.txt', line: 1 })).not.toHaveProperty('change');
  });

  it('property: each line gets exactly one result, each URL is checked once, whatever the completion order', () => {
    const urls = ['https://a.test/', 'https://a.test/#x', 'https://b.test/p', 'https://u:p@b.test/p', 'http://b.test/p', 'nope', 'https://c.test/?q'];
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: urls.length - 1 }), { maxLength: 80 }),
        fc.array(fc.nat({ max: 3 }), { maxLength: 80 }),
        fc.array(fc.nat(), { maxLength: 80 }),
        (picks, settleCounts, settleChoices) => {
          const store = new DedupeStore();
          const targets = targetsFrom(picks.map((i) => urls[i] as string));
          const running: Target[] = [];
          const reported = new Map<number, CheckResult>();
          const checkedKeys: Array<string | null> = [];
          const report = (result: CheckResult) => {
            expect(reported.has(result.line)).toBe(false);
            reported.set(result.line, result);
          };
          let choice = 0;
          const settleOne = () => {
            const at = (settleChoices[choice++ % Math.max(1, settleChoices.length)] ?? 0) % running.length;
            const [target] = running.splice(at, 1) as [Target];
            const result = checked(target, target.line);
            report(result);
            for (const waited of store.settle(result) ?? []) report(waited);
          };
          targets.forEach((target, i) => {
            const admission = store.admit(target);
            if (admission.kind === 'check') {
              running.push(target);
              checkedKeys.push(dedupeKeyOf(target));
            } else if (admission.kind === 'duplicate') report(admission.result);
            for (let n = settleCounts[i] ?? 0; n > 0 && running.length > 0; n -= 1) settleOne();
          });
          while (running.length > 0) settleOne();

          expect([...reported.keys()].sort((a, b) => a - b)).toEqual(targets.map((t) => t.line));
          const keys = checkedKeys.filter((key) => key !== null);
          expect(new Set(keys).size).toBe(keys.length);
          // A line's result is its first occurrence's outcome, pointing at it.
          const firstLine = new Map<string, number>();
          for (const target of targets) {
            const key = dedupeKeyOf(target);
            const result = reported.get(target.line) as CheckResult;
            expect(result.url).toBe(target.display);
            if (key === null) continue;
            const first = firstLine.get(key);
            if (first === undefined) {
              firstLine.set(key, target.line);
              expect(result.duplicateOf).toBeUndefined();
            } else {
              expect(result.duplicateOf).toEqual({ source: 'test.txt', line: first });
              const original = reported.get(first) as CheckResult;
              expect([result.ok, result.status, result.verdict, result.error, result.durationMs]).toEqual([original.ok, original.status, original.verdict, original.error, original.durationMs]);
            }
          }
          expect(store.checkingSize).toBe(0);
          expect(store.waitingSize).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
