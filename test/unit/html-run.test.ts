import { DomUtils, parseDocument } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import { combineReporters } from '../../src/reporters/combine.js';
import { createHtmlReporter } from '../../src/reporters/html.js';
import { FORMATS, isDocumentFormat, hasUntrustedLines, loadReporter } from '../../src/reporters/registry.js';
import { reporters } from '../../src/reporters/index.js';
import { runChecks } from '../../src/pipeline/run.js';
import type { Comparison } from '../../src/model/run.js';
import type { Summary } from '../../src/model/summary.js';
import { VERDICTS, type CheckResult } from '../../src/model/types.js';
import { recordingReporter } from '../helpers/checks.js';
import { closedPort, targetsFrom, testOptions, useFixtureServer } from '../helpers/fixtures.js';
import { captureContext } from '../helpers/samples.js';

interface PageData {
  summary: Summary;
  comparison: Comparison | null;
  axisMs: number;
  inflight: { bucketMs: number; values: number[] };
  latency: { counts: number[] };
  sources: string[];
  results: Array<{ u: string; l: number; v: string; t: number | null; d: number; a: number; dup?: [number, number] }>;
}

function pageOf(html: string) {
  const document = parseDocument(html);
  const find = (test: (attribs: Record<string, string>) => boolean) => DomUtils.findOne((element) => test(element.attribs), document.children, true);
  const dataScript = find((attribs) => attribs['id'] === 'urlcheck-data');
  if (dataScript === null) throw new Error('no data');
  return { data: JSON.parse(DomUtils.textContent(dataScript)) as PageData, find };
}

describe('html reporter on a real run', () => {
  const server = useFixtureServer();

  it('is registered as the `html` format: one document, written whole; its lines never start with input text', async () => {
    expect(FORMATS).toContain('html');
    expect(isDocumentFormat('html')).toBe(true);
    expect(hasUntrustedLines('html')).toBe(false);
    expect(await loadReporter('html')).toBe(createHtmlReporter);
    expect(reporters.html).toBe(createHtmlReporter);
  });

  it('shows a run through the pool: every result with its start on the run axis, counts equal to the summary, the baseline bars', async () => {
    const refused = await closedPort();
    const lines = [
      ...Array.from({ length: 24 }, (_, i) => server().url(`/delay/${20 + (i % 4) * 10}/page-${i}`)),
      server().url('/status/404'),
      server().url('/moved/301'),
      server().url('/delay/20/page-0'),
      `http://127.0.0.1:${refused}/nothing`,
      'not a url',
    ];
    const { ctx, out } = captureContext();
    const recorder = recordingReporter();
    const outcome = await runChecks({
      targets: targetsFrom(lines),
      options: testOptions({ concurrency: 6, retries: 0 }),
      reporter: combineReporters([createHtmlReporter(ctx), recorder]),
      compare: { sampleSize: 10 },
      dedupe: true,
    });
    const results = recorder.calls.flatMap((call) => (call.hook === 'onResult' ? [call.result] : [])) as CheckResult[];
    const { data, find } = pageOf(await out());

    expect(data.results).toHaveLength(lines.length);
    expect(find((attribs) => attribs['id'] === 'sampling')?.attribs).toMatchObject({ 'data-shown': '29', 'data-total': '29' });
    for (const verdict of VERDICTS) {
      expect(find((attribs) => attribs['data-count'] === verdict)?.attribs['data-value']).toBe(String(outcome.summary.byVerdict[verdict]));
    }
    expect(find((attribs) => attribs['data-count'] === 'total')?.attribs['data-value']).toBe('29');

    // Every check has its start since the run's start; none ends after the axis.
    for (const result of results) {
      const shown = data.results.find((r) => r.l === result.line);
      expect(shown?.t).toBe(result.startMs);
      expect(shown?.d).toBe(result.durationMs);
      expect(typeof result.startMs).toBe('number');
      expect((result.startMs as number) + result.durationMs).toBeLessThanOrEqual(data.axisMs + 0.1);
    }
    expect(data.results.filter((r) => r.dup !== undefined)).toHaveLength(1);

    // The in-flight chart holds the busy time of every request (duplicates made none), and never more than the concurrency.
    const busyMs = results.filter((r) => r.duplicateOf === undefined).reduce((sum, r) => sum + r.durationMs, 0);
    const charted = data.inflight.values.reduce((sum, value) => sum + value * data.inflight.bucketMs, 0);
    expect(Math.abs(charted - busyMs)).toBeLessThan(data.inflight.values.length * data.inflight.bucketMs * 0.01 + 1);
    expect(Math.max(...data.inflight.values)).toBeLessThanOrEqual(6);
    expect(data.latency.counts.reduce((a, b) => a + b, 0)).toBe(results.filter((r) => r.attempts > 0).length);

    // The baseline: the sample's checks, one after another, as bars.
    const bars = data.comparison?.baselineBars ?? [];
    expect(bars.reduce((sum, bar) => sum + bar.checks, 0)).toBe(10);
    expect(bars).toHaveLength(10);
    for (let i = 1; i < bars.length; i += 1) expect(bars[i]!.startMs).toBeGreaterThanOrEqual(bars[i - 1]!.startMs + bars[i - 1]!.durationMs - 0.2);
    expect(bars.at(-1)!.startMs + bars.at(-1)!.durationMs).toBeLessThanOrEqual((data.comparison?.sequentialMeasuredMs ?? 0) + 0.2);
  });
});
