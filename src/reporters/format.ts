import type { ChalkInstance } from 'chalk';
import type { Comparison, DiffSummary } from '../model/run.js';
import type { Summary } from '../model/summary.js';
import { VERDICTS, type Verdict } from '../model/types.js';
import { formatCount, plural } from '../util/text.js';

/** A duration for people: "12 ms", "1.25 s", "3m 05s". Input in milliseconds. */
export function formatMs(ms: number): string {
  // Each branch checks the value as it will be rounded, so 999.6 ms reads "1.00 s", not "1000 ms".
  if (Math.round(ms * 10) / 10 < 10) return `${Math.round(ms * 10) / 10} ms`;
  if (Math.round(ms) < 1000) return `${Math.round(ms)} ms`;
  if (Math.round(ms / 10) < 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (Math.round(ms / 100) < 600) return `${(ms / 1000).toFixed(1)} s`;
  // Round to whole seconds before splitting, so 119.6 s is "2m 00s", not "1m 60s".
  const totalSeconds = Math.round(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
}

/**
 * The symbol for each verdict: each has its own shape, so the table and the summary read the
 * same with colour off. All are one terminal column wide (⛔ is drawn two wide by some
 * terminals and one by others, which breaks table borders; ⊘ is not).
 */
export const VERDICT_SYMBOLS: Readonly<Record<Verdict, string>> = {
  healthy: '✔',
  warning: '⚠',
  broken: '✖',
  transient: '↻',
  blocked: '⊘',
};

/** The colour of each verdict, so `broken` reads red and `warning` yellow everywhere. */
export function verdictColor(verdict: Verdict, c: ChalkInstance): ChalkInstance {
  switch (verdict) {
    case 'healthy':
      return c.green;
    case 'warning':
      return c.yellow;
    case 'broken':
      return c.red;
    case 'transient':
      return c.magenta;
    case 'blocked':
      return c.blue;
  }
}

/** A verdict for people, symbol and word, coloured: "✖ broken". */
export function verdictLabel(verdict: Verdict, c: ChalkInstance): string {
  return verdictColor(verdict, c)(`${VERDICT_SYMBOLS[verdict]} ${verdict}`);
}

/**
 * The human summary of a run, as lines without trailing newlines: counts by verdict (zero
 * counts left out, except healthy), then the changes since `diff`'s previous report, error and
 * warning codes, latency, redirects and retries, the comparison, and whether the run was cut short.
 */
export function summaryLines(
  summary: Summary,
  comparison: Comparison | null,
  c: ChalkInstance,
  diff: DiffSummary | null = null,
): string[] {
  const lines: string[] = [];
  const counts = VERDICTS.filter((verdict) => verdict === 'healthy' || summary.byVerdict[verdict] > 0).map((verdict) => {
    const text = `${VERDICT_SYMBOLS[verdict]} ${formatCount(summary.byVerdict[verdict])} ${verdict}`;
    return verdict === 'broken' ? c.red.bold(text) : verdictColor(verdict, c)(text);
  });
  // "of N URLs in X" is parsed by bench/run.mjs: keep the phrase.
  lines.push(
    `${counts.join('  ')}  of ${plural(summary.total, 'URL')} in ${formatMs(summary.wallMs)} (${formatCount(summary.urlsPerSecond)} URLs/s)`,
  );
  if (diff !== null) lines.push(`  ${diffLine(diff, c)}`);
  const codes = Object.entries(summary.byCode);
  if (codes.length > 0) lines.push(`  unhealthy by code: ${codes.map(([code, n]) => `${c.red(code)} ${formatCount(n)}`).join(' · ')}`);
  const warnings = Object.entries(summary.byWarning);
  if (warnings.length > 0) lines.push(`  warnings: ${warnings.map(([code, n]) => `${c.yellow(code)} ${formatCount(n)}`).join(' · ')}`);
  if (summary.latencyMs !== null) {
    const { p50, p95, max } = summary.latencyMs;
    lines.push(`  latency: p50 ${formatMs(p50)} · p95 ${formatMs(p95)} · max ${formatMs(max)}`);
  }
  if (summary.redirected > 0 || summary.retried > 0) {
    lines.push(`  redirected ${formatCount(summary.redirected)} · retried ${formatCount(summary.retried)}`);
  }
  if (comparison !== null) lines.push(`  ${comparisonLine(comparison, c)}`);
  if (summary.interrupted) lines.push(interruptedLine(summary, c));
  return lines;
}

/** "since last.json: 2 newly failing · 1 recovered · 5 still failing", plus URLs no longer checked when there are any. */
export function diffLine(diff: DiffSummary, c: ChalkInstance): string {
  const newly = `${formatCount(diff.newlyFailing)} newly failing`;
  const recovered = `${formatCount(diff.recovered)} recovered`;
  const parts = [
    diff.newlyFailing > 0 ? c.red.bold(newly) : newly,
    diff.recovered > 0 ? c.green(recovered) : recovered,
    `${formatCount(diff.stillFailing)} still failing`,
  ];
  if (diff.gone > 0) parts.push(c.dim(`${formatCount(diff.gone)} failing before, not checked now`));
  return `since ${diff.previous}: ${parts.join(' · ')}`;
}

/** The indented note that a run was stopped before every URL was checked. */
export function interruptedLine(summary: Summary, c: ChalkInstance): string {
  return c.yellow(`  interrupted: only the ${plural(summary.total, 'URL')} above ${summary.total === 1 ? 'was' : 'were'} checked`);
}

/** One line saying what concurrency bought, labelling an extrapolated baseline as an estimate. */
export function comparisonLine(comparison: Comparison, c: ChalkInstance): string {
  const approx = comparison.estimated ? '~' : '';
  const speedup = c.bold(`${approx}${comparison.speedup.toFixed(1)}×`);
  const baseline = comparison.estimated
    ? `estimated from ${formatCount(comparison.sampleSize)} of ${plural(comparison.targets, 'URL')} timed one by one in ${formatMs(comparison.sequentialMeasuredMs)}`
    : `${plural(comparison.targets, 'URL')} one by one took ${formatMs(comparison.sequentialMs)}`;
  const efficiency = `ideal ${comparison.idealSpeedup.toFixed(1)}×, efficiency ${Math.round(comparison.efficiency * 100)}%`;
  const flaky =
    comparison.disagreements > 0 ? `; ${plural(comparison.disagreements, 'URL')} changed health between the runs` : '';
  return `speed-up: ${speedup} at concurrency ${comparison.concurrency}: ${formatMs(comparison.concurrentMs)} vs ${approx}${formatMs(comparison.sequentialMs)} sequential (${baseline}; ${efficiency})${flaky}`;
}
