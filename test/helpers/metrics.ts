import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

// The real parsers of the Prometheus formats, as the tests run them: Debian's promtool (the
// prometheus package; its `check metrics` parses the text format 0.0.4 with the server's own
// parser and lints it) and the official Python client's parsers (python3-prometheus-client), the
// one of the two that reads OpenMetrics. .ci/run installs both.

/** promtool: $PROMTOOL, else Debian's. */
export const PROMTOOL = process.env['PROMTOOL'] ?? '/usr/bin/promtool';
/** Debian's python, where python3-prometheus-client installs (a pyenv python on PATH would not have it). */
export const DEBIAN_PYTHON = '/usr/bin/python3';
const PARSE_SCRIPT = fileURLToPath(new URL('./parse-metrics.py', import.meta.url));

function pythonClientInstalled(): boolean {
  if (!existsSync(DEBIAN_PYTHON)) return false;
  return spawnSync(DEBIAN_PYTHON, ['-c', 'import prometheus_client.openmetrics.parser'], { stdio: 'ignore' }).status === 0;
}

/** What is missing for the metrics tests, or null. */
export const MISSING_METRICS_PARSERS: string | null = (() => {
  const missing = [...(existsSync(PROMTOOL) ? [] : [`promtool (${PROMTOOL})`]), ...(pythonClientInstalled() ? [] : ['python3-prometheus-client'])];
  return missing.length === 0 ? null : `${missing.join(' and ')} missing: apt-get install --no-install-recommends prometheus python3-prometheus-client (.ci/run does)`;
})();

/**
 * Whether the tests that need the parsers skip: only on a developer's machine without them.
 * Under CI (`CI` set) a missing parser fails those tests instead, as .ci/run installs them.
 */
export const SKIP_METRICS_PARSERS = MISSING_METRICS_PARSERS !== null && !process.env['CI'];
if (SKIP_METRICS_PARSERS) console.warn(`Prometheus format tests skipped: ${MISSING_METRICS_PARSERS}`);

/** What `promtool check metrics` said of a document: its exit code and everything it printed. */
export function promtoolCheckMetrics(text: string | Buffer): { code: number | null; output: string } {
  const run = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.error !== undefined) throw run.error;
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

/** A sample as the Python client parsed it. */
export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestamp: boolean;
}

/** A metric family as the Python client parsed it. */
export interface ParsedFamily {
  name: string;
  type: string;
  unit: string;
  help: string;
  samples: ParsedSample[];
}

/** The families of a document, read by the Python client's parser for `format`; throws with the parser's reason. */
export function parseWithPythonClient(text: string | Buffer, format: 'prometheus' | 'openmetrics'): ParsedFamily[] {
  const run = spawnSync(DEBIAN_PYTHON, [PARSE_SCRIPT, format], { input: text, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  if (run.error !== undefined) throw run.error;
  if (run.status !== 0) throw new Error(`the ${format} parser refused the document: ${run.stderr.trim()}`);
  const raw = JSON.parse(run.stdout) as Array<Omit<ParsedFamily, 'samples'> & { samples: Array<Omit<ParsedSample, 'value'> & { value: string }> }>;
  const number = (text: string) => (text === 'inf' ? Infinity : text === '-inf' ? -Infinity : Number(text));
  return raw.map((family) => ({ ...family, samples: family.samples.map((sample) => ({ ...sample, value: number(sample.value) })) }));
}

/** A series' identity: its sample name and its labels, sorted. */
export function seriesKey(sample: Pick<ParsedSample, 'name' | 'labels'>): string {
  return `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
}

/**
 * Checks a document with the real parsers and returns its families: in the text format,
 * `promtool check metrics` exits 0 and prints nothing (no parse error, no lint problem) and the
 * Python client reads it; in OpenMetrics, the Python client's OpenMetrics parser (strict: `# EOF`,
 * types, units, suffixes) reads it. In both, no series appears twice and no sample has a timestamp.
 */
export function expectValidExposition(text: string | Buffer, format: 'prometheus' | 'openmetrics'): ParsedFamily[] {
  if (format === 'prometheus') expect(promtoolCheckMetrics(text)).toEqual({ code: 0, output: '' });
  const families = parseWithPythonClient(text, format);
  const keys = families.flatMap((family) => family.samples.map(seriesKey));
  const seen = new Set<string>();
  const repeated = keys.filter((key) => seen.size === seen.add(key).size);
  expect(repeated).toEqual([]);
  expect(families.flatMap((family) => family.samples).filter((sample) => sample.timestamp)).toEqual([]);
  return families;
}

/** The samples of the family `name` (as parsed), or [] when it is absent. */
export function samplesOf(families: readonly ParsedFamily[], name: string): ParsedSample[] {
  return families.find((family) => family.name === name)?.samples ?? [];
}

/** The value of the one sample of family `name` whose labels include `labels`; throws unless exactly one matches. */
export function valueOf(families: readonly ParsedFamily[], sampleName: string, labels: Record<string, string> = {}): number {
  const matches = families
    .flatMap((family) => family.samples)
    .filter((sample) => sample.name === sampleName && Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
  if (matches.length !== 1) throw new Error(`${matches.length} samples of ${sampleName} ${JSON.stringify(labels)}`);
  return (matches[0] as ParsedSample).value;
}
