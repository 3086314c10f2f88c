import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { Comparison, DiffSummary } from '../../src/model/run.js';
import {
  ASCII_GLYPHS,
  ASCII_VERDICT_SYMBOLS,
  comparisonLine,
  diffLine,
  displayWidth,
  formatMs,
  summaryLines,
  UNICODE_GLYPHS,
  VERDICT_SYMBOLS,
  verdictLabel,
  wrapWords,
} from '../../src/reporters/format.js';
import type { Summary } from '../../src/model/summary.js';
import { VERDICTS } from '../../src/model/types.js';
import { formatCount, plural } from '../../src/util/text.js';

const c = new Chalk({ level: 0 });

const SUMMARY: Summary = {
  total: 1234,
  healthy: 1195,
  ok: 1200,
  unhealthy: 34,
  byCode: { HTTP_STATUS: 30, TIMEOUT: 4 },
  byStatusClass: { '2xx': 1200, '4xx': 30, none: 4 },
  byVerdict: { healthy: 1195, warning: 5, broken: 30, transient: 4, blocked: 0 },
  byWarning: { PERMANENT_REDIRECT: 4, SLOW: 1 },
  retried: 5,
  redirected: 17,
  latencyMs: { p50: 42.4, p95: 812, max: 10_000 },
  wallMs: 3456.7,
  urlsPerSecond: 357,
  interrupted: false,
};

const COMPARISON: Comparison = {
  concurrency: 50,
  targets: 1234,
  sampleSize: 1234,
  estimated: false,
  concurrentMs: 3456.7,
  sequentialMs: 98_765.4,
  sequentialMeasuredMs: 98_765.4,
  speedup: 28.57,
  idealSpeedup: 41.2,
  efficiency: 0.693,
  disagreements: 0,
};

describe('formatCount', () => {
  it('groups thousands and rounds to a whole number', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1234)).toBe('1,234');
    expect(formatCount(1_234_567)).toBe('1,234,567');
    expect(formatCount(12.6)).toBe('13');
  });
});

describe('plural', () => {
  it('adds an s except for one', () => {
    expect(plural(0, 'URL')).toBe('0 URLs');
    expect(plural(1, 'URL')).toBe('1 URL');
    expect(plural(2500, 'URL')).toBe('2,500 URLs');
  });
});

describe('formatMs', () => {
  it.each([
    [0, '0 ms'],
    [0.25, '0.3 ms'],
    [5, '5 ms'],
    [9.94, '9.9 ms'],
    [12.4, '12 ms'],
    [999, '999 ms'],
    [1000, '1.00 s'],
    [1234, '1.23 s'],
    [9990, '9.99 s'],
    [12_345, '12.3 s'],
    [59_940, '59.9 s'],
    [60_000, '1m 00s'],
    [65_000, '1m 05s'],
    [3_725_000, '62m 05s'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });

  it.each([
    [9.96, '10 ms'],
    [999.6, '1.00 s'],
    [9_996, '10.0 s'],
    [59_960, '1m 00s'],
  ])('moves %d ms up a unit when rounding reaches it: %s', (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });

  it('carries rounded-up seconds into the minutes instead of printing 60s', () => {
    expect(formatMs(119_600)).toBe('2m 00s');
    expect(formatMs(179_999)).toBe('3m 00s');
    expect(formatMs(119_400)).toBe('1m 59s');
  });
});

describe('summaryLines', () => {
  it('says everything about a run, one line each', () => {
    expect(summaryLines(SUMMARY, null, c)).toEqual([
      '✔ 1,195 healthy  ⚠ 5 warning  ✖ 30 broken  ↻ 4 transient  of 1,234 URLs in 3.46 s (357 URLs/s)',
      '  unhealthy by code: HTTP_STATUS 30 · TIMEOUT 4',
      '  warnings: PERMANENT_REDIRECT 4 · SLOW 1',
      '  latency: p50 42 ms · p95 812 ms · max 10.0 s',
      '  redirected 17 · retried 5',
    ]);
  });

  it('leaves out what did not happen', () => {
    const quiet: Summary = {
      ...SUMMARY,
      total: 1,
      healthy: 1,
      unhealthy: 0,
      byCode: {},
      byVerdict: { healthy: 1, warning: 0, broken: 0, transient: 0, blocked: 0 },
      byWarning: {},
      retried: 0,
      redirected: 0,
      latencyMs: null,
      wallMs: 5,
      urlsPerSecond: 200,
    };
    expect(summaryLines(quiet, null, c)).toEqual(['✔ 1 healthy  of 1 URL in 5 ms (200 URLs/s)']);
  });

  it('counts every verdict that happened, and healthy even at zero', () => {
    const allKinds: Summary = { ...SUMMARY, byVerdict: { healthy: 0, warning: 1, broken: 2, transient: 3, blocked: 1228 } };
    expect(summaryLines(allKinds, null, c)[0]).toBe(
      '✔ 0 healthy  ⚠ 1 warning  ✖ 2 broken  ↻ 3 transient  ⊘ 1,228 blocked  of 1,234 URLs in 3.46 s (357 URLs/s)',
    );
  });

  it('says what changed since the previous report, right after the counts', () => {
    const diff: DiffSummary = { previous: 'last.json', newlyFailing: 2, recovered: 1, stillFailing: 5, gone: 0 };
    expect(summaryLines(SUMMARY, null, c, diff).slice(0, 3)).toEqual([
      '✔ 1,195 healthy  ⚠ 5 warning  ✖ 30 broken  ↻ 4 transient  of 1,234 URLs in 3.46 s (357 URLs/s)',
      '  since last.json: 2 newly failing · 1 recovered · 5 still failing',
      '  unhealthy by code: HTTP_STATUS 30 · TIMEOUT 4',
    ]);
    expect(summaryLines(SUMMARY, null, c).join('\n')).not.toContain('since');
  });

  it('mentions retries alone, and redirects alone', () => {
    expect(summaryLines({ ...SUMMARY, redirected: 0 }, null, c)).toContain('  redirected 0 · retried 5');
    expect(summaryLines({ ...SUMMARY, retried: 0 }, null, c)).toContain('  redirected 17 · retried 0');
  });

  it('ends with the comparison and the interruption', () => {
    const lines = summaryLines({ ...SUMMARY, interrupted: true }, COMPARISON, c);
    expect(lines.slice(-2)).toEqual([`  ${comparisonLine(COMPARISON, c)}`, '  interrupted: only the 1,234 URLs above were checked']);
    expect(summaryLines({ ...SUMMARY, total: 1, interrupted: true }, null, c).at(-1)).toBe(
      '  interrupted: only the 1 URL above was checked',
    );
  });

  it('colours with the instance it is given', () => {
    const coloured = summaryLines(SUMMARY, null, new Chalk({ level: 1 }));
    expect(coloured[0]).toContain('\u001b[32m✔ 1,195 healthy\u001b[39m');
    expect(coloured[0]).toContain('\u001b[33m⚠ 5 warning\u001b[39m');
    expect(coloured[0]).toContain('\u001b[31m\u001b[1m✖ 30 broken\u001b[22m\u001b[39m');
    for (const line of summaryLines(SUMMARY, COMPARISON, c)) expect(line).not.toContain('\u001b');
  });
});

describe('diffLine', () => {
  const diff: DiffSummary = { previous: 'reports/last.ndjson', newlyFailing: 0, recovered: 0, stillFailing: 0, gone: 0 };

  it('always names the three changes, zero or not', () => {
    expect(diffLine(diff, c)).toBe('since reports/last.ndjson: 0 newly failing · 0 recovered · 0 still failing');
    expect(diffLine({ ...diff, newlyFailing: 1234, recovered: 1, stillFailing: 7 }, c)).toBe(
      'since reports/last.ndjson: 1,234 newly failing · 1 recovered · 7 still failing',
    );
  });

  it('adds previously failing URLs this run did not check, when there are any', () => {
    expect(diffLine({ ...diff, stillFailing: 2, gone: 3 }, c)).toBe(
      'since reports/last.ndjson: 0 newly failing · 0 recovered · 2 still failing · 3 failing before, not checked now',
    );
  });

  it('makes regressions stand out when colour is on', () => {
    const coloured = diffLine({ ...diff, newlyFailing: 2, recovered: 1 }, new Chalk({ level: 1 }));
    expect(coloured).toContain('\u001b[31m\u001b[1m2 newly failing\u001b[22m\u001b[39m');
    expect(coloured).toContain('\u001b[32m1 recovered\u001b[39m');
  });
});

describe('verdictLabel', () => {
  it('gives every verdict its own symbol and its word, so colour is never the only cue', () => {
    expect(VERDICTS.map((verdict) => verdictLabel(verdict, c))).toEqual(['✔ healthy', '⚠ warning', '✖ broken', '↻ transient', '⊘ blocked']);
    expect(new Set(Object.values(VERDICT_SYMBOLS)).size).toBe(VERDICTS.length);
  });
});

describe('comparisonLine', () => {
  it('describes a full baseline', () => {
    expect(comparisonLine(COMPARISON, c)).toBe(
      'speed-up: 28.6× at concurrency 50: 3.46 s vs 1m 39s sequential (1,234 URLs one by one took 1m 39s; ideal 41.2×, efficiency 69%)',
    );
  });

  it('labels an extrapolated baseline as an estimate', () => {
    const estimated: Comparison = {
      ...COMPARISON,
      targets: 100_000,
      sampleSize: 10_000,
      estimated: true,
      concurrentMs: 60_000,
      sequentialMs: 5_000_000,
      sequentialMeasuredMs: 500_000,
      speedup: 83.33,
      idealSpeedup: 50,
      efficiency: 1.667,
    };
    expect(comparisonLine(estimated, c)).toBe(
      'speed-up: ~83.3× at concurrency 50: 1m 00s vs ~83m 20s sequential (estimated from 10,000 of 100,000 URLs timed one by one in 8m 20s; ideal 50.0×, efficiency 167%)',
    );
  });

  it('reports URLs whose health changed between the runs', () => {
    expect(comparisonLine({ ...COMPARISON, disagreements: 3 }, c)).toMatch(/; 3 URLs changed health between the runs$/);
  });
});

describe('ASCII glyphs', () => {
  it('give every verdict its own ASCII symbol, and draw the summary in ASCII only', () => {
    expect(VERDICTS.map((verdict) => verdictLabel(verdict, c, ASCII_GLYPHS))).toEqual(['+ healthy', '! warning', 'x broken', '~ transient', '# blocked']);
    expect(new Set(Object.values(ASCII_VERDICT_SYMBOLS)).size).toBe(VERDICTS.length);
    const diff: DiffSummary = { previous: 'last.json', newlyFailing: 2, recovered: 1, stillFailing: 5, gone: 3 };
    const lines = summaryLines({ ...SUMMARY, interrupted: true }, { ...COMPARISON, estimated: true }, c, diff, { ascii: true });
    expect(lines.slice(0, 3)).toEqual([
      '+ 1,195 healthy  ! 5 warning  x 30 broken  ~ 4 transient  of 1,234 URLs in 3.46 s (357 URLs/s)',
      '  since last.json: 2 newly failing - 1 recovered - 5 still failing - 3 failing before, not checked now',
      '  unhealthy by code: HTTP_STATUS 30 - TIMEOUT 4',
    ]);
    expect(lines.join('\n')).toMatch(/^[\x20-\x7e\n]*$/);
    expect(lines.join('\n')).toContain('speed-up: ~28.6x at concurrency 50');
  });

  it('name every character the human reports draw beyond ASCII, and replace each', () => {
    const unicode = [...Object.values(UNICODE_GLYPHS.verdicts), UNICODE_GLYPHS.separator, UNICODE_GLYPHS.none, UNICODE_GLYPHS.arrow, UNICODE_GLYPHS.times, UNICODE_GLYPHS.ellipsis, UNICODE_GLYPHS.barDone, UNICODE_GLYPHS.barLeft];
    expect(unicode.join('')).toMatch(/[^\x20-\x7e]/);
    const ascii = [...Object.values(ASCII_GLYPHS.verdicts), ASCII_GLYPHS.separator, ASCII_GLYPHS.none, ASCII_GLYPHS.arrow, ASCII_GLYPHS.times, ASCII_GLYPHS.ellipsis, ASCII_GLYPHS.barDone, ASCII_GLYPHS.barLeft, ...Object.values(ASCII_GLYPHS.border ?? {})];
    for (const glyph of ascii) expect(glyph).toMatch(/^[\x20-\x7e]+$/);
  });
});

describe('wrapping to the terminal', () => {
  it('measures terminal columns, escape codes left out and wide characters counted twice', () => {
    expect(displayWidth('plain')).toBe(5);
    expect(displayWidth(new Chalk({ level: 1 }).red('✖ broken'))).toBe(8);
    expect(displayWidth('a🙂b')).toBe(4);
    expect(displayWidth('one\nthree')).toBe(5);
  });

  it('wraps at spaces, keeps leading spaces and indents what follows, and never cuts a word', () => {
    expect(wrapWords('  latency: p50 42 ms and more', 14, '    ')).toEqual(['  latency: p50', '    42 ms and', '    more']);
    const url = 'https://example.test/a/very/long/path/that/does/not/fit';
    expect(wrapWords(`see ${url} now`, 20)).toEqual(['see', url, 'now']);
    expect(wrapWords('fits as it is', 13)).toEqual(['fits as it is']);
  });

  it('wraps the summary between items, never inside one, within the columns given', () => {
    const lines = summaryLines(SUMMARY, COMPARISON, c, null, { columns: 60 });
    expect(lines.slice(0, 4)).toEqual([
      '✔ 1,195 healthy  ⚠ 5 warning  ✖ 30 broken  ↻ 4 transient',
      '  of 1,234 URLs in 3.46 s (357 URLs/s)',
      '  unhealthy by code: HTTP_STATUS 30 · TIMEOUT 4',
      '  warnings: PERMANENT_REDIRECT 4 · SLOW 1',
    ]);
    for (const line of lines) expect(displayWidth(line), line).toBeLessThanOrEqual(60);
    expect(lines.join('\n')).not.toContain('\u00a0');
    expect(summaryLines(SUMMARY, COMPARISON, c, null, { columns: 60 }).join(' ').replace(/ +/g, ' ')).toBe(
      summaryLines(SUMMARY, COMPARISON, c).join(' ').replace(/ +/g, ' '),
    );
  });
});
