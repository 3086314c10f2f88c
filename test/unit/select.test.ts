import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dumpTargets } from '../../src/cli/commands/dump.js';
import {
  fnv1a32,
  parsePattern,
  parsePatternList,
  parseShard,
  shardKeyOf,
  shardOf,
  TargetSelector,
  type TargetSelection,
} from '../../src/pipeline/select.js';
import type { Target } from '../../src/model/types.js';
import { targetsFrom } from '../helpers/fixtures.js';
import { captureWriter } from '../helpers/samples.js';

const select = (selection: Partial<TargetSelection>): TargetSelector =>
  new TargetSelector({ include: [], exclude: [], shard: null, ...selection });

/** A list over many hosts: several URLs per host, schemes and ports mixed, some lines not URLs. */
function manyHosts(hosts: number): Target[] {
  const lines: string[] = [];
  for (let h = 0; h < hosts; h += 1) {
    const host = h % 7 === 0 ? `h${h}.test:8${h % 10}80` : `h${h}.test`;
    const scheme = h % 3 === 0 ? 'http' : 'https';
    for (let p = 0; p < 3; p += 1) lines.push(`${scheme}://${host}/page/${p}?q=${h}`);
    if (h % 50 === 0) lines.push(`not a url ${h}`);
  }
  return targetsFrom(lines);
}

const lineIds = (targets: readonly Target[]) => targets.map((t) => `${t.source}:${t.line}`);

describe('parseShard', () => {
  it('reads i/n, 1-based, spaces allowed', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, count: 1 });
    expect(parseShard('8/8')).toEqual({ index: 8, count: 8 });
  });

  it.each([
    ['0/4', 'the shard number must be from 1 to 4 (shards are counted from 1)'],
    ['5/4', 'the shard number must be from 1 to 4 (shards are counted from 1)'],
    ['1/0', 'the shard count must be from 1 to 1000000'],
    ['2', 'must be <i>/<n>, shard i of n counted from 1, e.g. 2/4'],
    ['a/b', 'must be <i>/<n>, shard i of n counted from 1, e.g. 2/4'],
    ['-1/4', 'must be <i>/<n>, shard i of n counted from 1, e.g. 2/4'],
    ['1.5/4', 'must be <i>/<n>, shard i of n counted from 1, e.g. 2/4'],
    ['', 'must be <i>/<n>, shard i of n counted from 1, e.g. 2/4'],
  ])('refuses %j with one clear line', (text, message) => {
    expect(() => parseShard(text)).toThrow(new RangeError(message));
  });
});

describe('parsePattern', () => {
  it('compiles a regular expression, case-sensitive unless it starts with (?i)', () => {
    expect(parsePattern('\\.pdf$').test('https://a.test/x.pdf')).toBe(true);
    expect(parsePattern('\\.pdf$').test('https://a.test/x.PDF')).toBe(false);
    expect(parsePattern('(?i)\\.pdf$').test('https://a.test/x.PDF')).toBe(true);
    expect(parsePatternList(['a', 'b']).map((r) => r.source)).toEqual(['a', 'b']);
  });

  it('refuses an empty or broken pattern, saying why', () => {
    expect(() => parsePattern('')).toThrow(new RangeError('must be a non-empty regular expression'));
    expect(() => parsePattern('(?i)')).toThrow(new RangeError('must be a non-empty regular expression'));
    expect(() => parsePattern('a(')).toThrow(new RangeError('must be a regular expression: missing closing )'));
    expect(() => parsePattern('[z-a]')).toThrow(new RangeError('must be a regular expression: invalid character class range `z-a`'));
  });

  // A backtracking engine takes about 2^40 steps here (days); RE2 is linear in the text, so the
  // test finishing at all, within vitest's normal timeout, is the check.
  it('runs in linear time: (a+)+$ against 40 a and a ! answers at once', () => {
    const text = `https://a.test/${'a'.repeat(40)}!`;
    expect(parsePattern('(a+)+$').test(text)).toBe(false);
    expect(parsePattern('(?i)(A+)+!$').test(text)).toBe(true);
    expect(parsePattern('(x+x+)+y').test('x'.repeat(5000))).toBe(false);
  });

  it('takes RE2 syntax: (?i) anywhere, named groups, \\x{…} escapes', () => {
    expect(parsePattern('docs(?i)\\.PDF$').test('https://a.test/docs.pdf')).toBe(true);
    expect(parsePattern('docs(?i)\\.PDF$').test('https://a.test/DOCS.pdf')).toBe(false);
    expect(parsePattern('/(?<year>\\d{4})/').test('https://a.test/2024/')).toBe(true);
    expect(parsePattern('caf\\x{e9}').test('https://a.test/café')).toBe(true);
  });

  it.each([
    ['(\\w)\\1', 'a backreference (\\1, \\k<name>)'],
    ['(?<n>a)\\k<n>', 'a backreference (\\1, \\k<name>)'],
    ['foo(?=bar)', 'lookahead or lookbehind ((?=, (?!, (?<=, (?<!)'],
    ['foo(?!bar)', 'lookahead or lookbehind ((?=, (?!, (?<=, (?<!)'],
    ['(?<=/)docs', 'lookahead or lookbehind ((?=, (?!, (?<=, (?<!)'],
    ['(?<!www\\.)example', 'lookahead or lookbehind ((?=, (?!, (?<=, (?<!)'],
  ])('refuses %s, which needs backtracking, saying so', (text, feature) => {
    expect(() => parsePattern(text)).toThrow(
      new RangeError(`must be a regular expression that runs in linear time: ${feature} needs backtracking, which urlcheck does not do (RE2 syntax)`),
    );
  });
});

describe('TargetSelector: --include / --exclude', () => {
  const targets = targetsFrom([
    'https://docs.test/guide',
    'https://docs.test/file.pdf',
    'https://shop.test/cart',
    'https://user:s3cret@api.test/v1',
    'not a url',
  ]);
  const kept = (selector: TargetSelector) => targets.filter((t) => selector.accepts(t)).map((t) => t.display);

  it('keeps lines matching any include and no exclude, and counts the rest', () => {
    const selector = select({ include: [/docs\.test/, /shop/], exclude: [/\.pdf$/] });
    expect(kept(selector)).toEqual(['https://docs.test/guide', 'https://shop.test/cart']);
    expect(selector.excluded).toBe(3);
    expect(selector.otherShards).toBe(0);
  });

  it('with no include, every line not excluded is kept (lines that are not URLs too)', () => {
    const selector = select({ exclude: [/shop/] });
    expect(kept(selector)).toEqual(['https://docs.test/guide', 'https://docs.test/file.pdf', 'https://***@api.test/v1', 'not a url']);
    expect(selector.excluded).toBe(1);
  });

  it('matches the URL as displayed: credentials are redacted before matching', () => {
    expect(kept(select({ include: [/s3cret/] }))).toEqual([]);
    expect(kept(select({ include: [/\*\*\*@api/] }))).toEqual(['https://***@api.test/v1']);
  });
});

describe('sharding by host', () => {
  const targets = manyHosts(400);

  it('uses FNV-1a 32 (the published test vectors), so every machine agrees', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    // Non-ASCII text is hashed as its UTF-8 bytes.
    let reference = 0x811c9dc5;
    for (const byte of Buffer.from('é€', 'utf8')) reference = Math.imul(reference ^ byte, 0x01000193);
    expect(fnv1a32('é€')).toBe(reference >>> 0);
  });

  it('keys a URL by its lower-cased origin, and a line that is not a URL by its text', () => {
    const [a, b, c, d] = targetsFrom(['HTTPS://Docs.Test:443/A?x#y', 'https://docs.test/b', 'http://docs.test:8080/', 'not a url']);
    expect(shardKeyOf(a as Target)).toBe('https://docs.test');
    expect(shardKeyOf(b as Target)).toBe('https://docs.test');
    expect(shardKeyOf(c as Target)).toBe('http://docs.test:8080');
    expect(shardKeyOf(d as Target)).toBe('not a url');
  });

  for (let count = 1; count <= 8; count += 1) {
    it(`n = ${count}: the shards are disjoint, their union is the input, each host is in one shard`, () => {
      const shards = Array.from({ length: count }, (_, i) => {
        const selector = select({ shard: { index: i + 1, count } });
        const mine = targets.filter((t) => selector.accepts(t));
        expect(selector.otherShards + mine.length).toBe(targets.length);
        return mine;
      });
      const all = shards.flatMap(lineIds);
      expect(new Set(all).size).toBe(all.length);
      expect(all.sort()).toEqual(lineIds(targets).sort());

      const shardOfHost = new Map<string, number>();
      shards.forEach((mine, i) => {
        for (const target of mine) {
          const key = shardKeyOf(target);
          expect(shardOfHost.get(key) ?? i).toBe(i);
          shardOfHost.set(key, i);
        }
      });
      // Stable: asking again gives the same partition.
      for (const target of targets) expect(shardOf(target, count)).toBe(shardOf(target, count));
      // And no shard of a many-host list is empty.
      for (const mine of shards) expect(mine.length).toBeGreaterThan(0);
    });
  }

  it('puts any line, URL or not, in exactly one shard (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.integer({ min: 1, max: 64 }), (line, count) => {
        const [target] = targetsFrom([`x${line}`]);
        if (target === undefined) return;
        const owners = Array.from({ length: count }, (_, i) => select({ shard: { index: i + 1, count } }).accepts(target));
        expect(owners.filter(Boolean)).toHaveLength(1);
        expect(owners.indexOf(true) + 1).toBe(shardOf(target, count));
      }),
    );
  });

  it('counts other shards before --include/--exclude', () => {
    const selector = select({ shard: { index: 1, count: 2 }, exclude: [/./] });
    for (const target of targets) selector.accepts(target);
    expect(selector.excluded + selector.otherShards).toBe(targets.length);
    expect(selector.excluded).toBe(targets.filter((t) => shardOf(t, 2) === 1).length);
  });
});

describe('dumpTargets', () => {
  const lines = [
    'https://a.test/1',
    'https://a.test/1#section',
    'https://b.test/skip-me',
    'https://user:pw@c.test/x',
    'not a url',
    'https://a.test/2',
  ];

  it('lists, in input order, what a run would check: one URL per line, credentials redacted', async () => {
    const { writer, text } = captureWriter();
    const outcome = await dumpTargets({ targets: [targetsFrom(lines)], selection: { include: [], exclude: [/skip/], shard: null }, dedupe: true, format: 'text', out: writer });
    expect(await text()).toBe('https://a.test/1\nhttps://***@c.test/x\nnot a url\nhttps://a.test/2\n');
    expect(outcome).toEqual({ listed: 4, excluded: 1, otherShards: 0, duplicates: 1 });
  });

  it('-f ndjson: {"url","source","line"} per line; without dedupe, duplicates are listed', async () => {
    const { writer, text } = captureWriter();
    await dumpTargets({ targets: targetsFrom(lines.slice(0, 2), 'list.txt'), format: 'ndjson', out: writer });
    expect(await text()).toBe('{"url":"https://a.test/1","source":"list.txt","line":1}\n{"url":"https://a.test/1#section","source":"list.txt","line":2}\n');
  });
});
