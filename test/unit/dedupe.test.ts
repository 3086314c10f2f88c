import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dedupeKeyOf, DedupeStore, MAX_WAITING_DUPLICATES, relabel } from '../../src/pipeline/dedupe.js';
import { Hash64, UrlHashIndex } from '../../src/util/hash.js';
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
        // At most 3/4 full, grown only by doubling: never more than 8/3 slots per entry past the start.
        expect(index.size * 4).toBeLessThanOrEqual(index.capacity * 3);
        expect(index.capacity).toBeLessThanOrEqual(Math.max(1024, Math.ceil((index.size * 8) / 3)));
        expect(Math.log2(index.capacity) % 1).toBe(0);
      }),
      { numRuns: 60 },
    );
  });

  it('grows by doubling: 100,000 entries in a table of 2^18 slots, entry arrays of 2^17', () => {
    const index = new UrlHashIndex();
    const hash = new Hash64();
    for (let i = 0; i < 100_000; i += 1) {
      hash.of(`https://a.test/${i}`);
      index.add(hash.hi, hash.lo);
    }
    expect(index.size).toBe(100_000);
    expect(index.capacity).toBe(2 ** 18);
    expect(index.entryCapacity).toBe(2 ** 17);
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
      const expectedFinalUrl = original.redirects.length > 0 || original.verdict !== 'healthy' ? original.finalUrl : 'https://a.test/x#later';
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
    // Details (messages, warnings, redirects) only for the failing ones here.
    expect(failing).toBeGreaterThan(0);
    expect(store.detailsSize).toBe(failing);
    expect(store.capacity).toEqual({ table: 2048, entries: 1024 });
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
