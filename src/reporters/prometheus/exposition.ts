// The two text formats a Prometheus server reads, written by hand: the text exposition format
// 0.0.4 (what node_exporter's textfile collector and the Pushgateway parse) and OpenMetrics 1.0.
// They differ in a few places, all here: OpenMetrics has `# UNIT`, an `info` type whose samples
// end in `_info`, a HELP text that escapes `"` as well, and a closing `# EOF`. The README's
// "Into monitoring" says why this is not prom-client.
import type { ReportWriter } from '../../model/reporter.js';

/** Which of the two formats: `prometheus` is the text format 0.0.4, `openmetrics` OpenMetrics 1.0.0. */
export type ExpositionFormat = 'prometheus' | 'openmetrics';

/** The HTTP content type of each format, for a file served as it is. */
export const EXPOSITION_CONTENT_TYPES: Readonly<Record<ExpositionFormat, string>> = {
  prometheus: 'text/plain; version=0.0.4; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
};

/**
 * A metric family's type. `info` is OpenMetrics' (samples named `<name>_info`, value 1); the text
 * format has no such type, and writes the same samples as a gauge named `<name>_info`, the
 * convention `node_uname_info` and `go_info` follow, so a query reads the same series either way.
 */
export type MetricType = 'gauge' | 'info' | 'summary';

/** What a family says of itself: its `# HELP`, `# TYPE` and (OpenMetrics) `# UNIT` lines. */
export interface MetricFamily {
  /** The family's name, with its unit as its last part (`…_seconds`); an info family's without `_info`. */
  name: string;
  help: string;
  type: MetricType;
  /** The base unit the name ends with (OpenMetrics `# UNIT`); absent for a count or a ratio. */
  unit?: 'seconds';
}

/** One sample of a family. */
export interface Sample {
  /** Appended to the family's name: `_sum` and `_count` of a summary; absent for the rest. */
  suffix?: '_sum' | '_count';
  /** The label pairs, already written by {@link formatLabels} (`url="…",source="…"`); '' for none. */
  labels: string;
  value: number;
}

/** A family and its samples: a family without samples is left out of the document. */
export interface FamilyWithSamples {
  family: MetricFamily;
  samples: Iterable<Sample>;
}

/**
 * A label value as both formats require it inside its double quotes: backslash, double quote
 * and line feed escaped as `\\`, `\"` and `\n`; every other character as it is (the reporter
 * makes values printable and valid UTF-16 first, see `labelValue`).
 */
export function escapeLabelValue(value: string): string {
  LABEL_SPECIAL.lastIndex = 0;
  if (!LABEL_SPECIAL.test(value)) return value;
  return value.replace(LABEL_SPECIAL, (char) => (char === '\n' ? '\\n' : `\\${char}`));
}

const LABEL_SPECIAL = /[\\"\n]/g;

/**
 * A HELP text as `format` requires it: backslash and line feed escaped in both; OpenMetrics
 * escapes the double quote too, which the text format's parser would refuse as an unknown escape.
 */
export function escapeHelp(text: string, format: ExpositionFormat): string {
  const special = format === 'openmetrics' ? /[\\"\n]/g : /[\\\n]/g;
  return text.replace(special, (char) => (char === '\n' ? '\\n' : `\\${char}`));
}

/** Label pairs as a sample line carries them between its braces: `name="value",…`, values escaped. */
export function formatLabels(pairs: ReadonlyArray<readonly [name: string, value: string]>): string {
  return pairs.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',');
}

/** A sample's value: the shortest decimal that reads back as the same double; `NaN`, `+Inf`, `-Inf`. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

/**
 * The lines of a document in `format`, one family after another (never interleaved), each with
 * its metadata before its samples; OpenMetrics ends with `# EOF`. Samples carry no timestamp:
 * the textfile collector and the Pushgateway refuse them. Lines end in `\n`.
 */
export function* exposition(format: ExpositionFormat, families: Iterable<FamilyWithSamples>): Generator<string> {
  const open = format === 'openmetrics';
  for (const { family, samples } of families) {
    let name = family.name;
    let type: string = family.type;
    if (family.type === 'info') {
      // OpenMetrics names the family without the suffix and its samples with it; the text format
      // has one name for both, and no info type.
      if (!open) {
        name = `${family.name}_info`;
        type = 'gauge';
      }
    }
    const sampleName = family.type === 'info' ? `${family.name}_info` : family.name;
    let header: string | null = `# HELP ${name} ${escapeHelp(family.help, format)}\n# TYPE ${name} ${type}\n`;
    if (open && family.unit !== undefined) header += `# UNIT ${name} ${family.unit}\n`;
    for (const sample of samples) {
      if (header !== null) {
        yield header;
        header = null;
      }
      const labels = sample.labels === '' ? '' : `{${sample.labels}}`;
      yield `${sampleName}${sample.suffix ?? ''}${labels} ${formatValue(sample.value)}\n`;
    }
  }
  if (open) yield '# EOF\n';
}

/** The document is handed to the writer in pieces of about this many characters. */
const WRITE_CHUNK_CHARS = 64 * 1024;

/** Writes `lines` to `out` in chunks of about 64 Ki characters, waiting whenever the stream asks to. */
export async function writeLines(out: ReportWriter, lines: Iterable<string>): Promise<void> {
  let chunk = '';
  for (const line of lines) {
    chunk += line;
    if (chunk.length < WRITE_CHUNK_CHARS) continue;
    const waiting = out.write(chunk);
    chunk = '';
    if (waiting !== undefined) await waiting;
  }
  if (chunk !== '') await out.write(chunk);
}
