import { PassThrough } from 'node:stream';
import { Chalk } from 'chalk';
import { parseTarget } from '../../src/input/targets.js';
import { TextWriter } from '../../src/util/text-writer.js';
import type { Reporter, ReporterContext, RunEnd, RunMeta } from '../../src/model/reporter.js';
import { type Summary, SummaryBuilder } from '../../src/model/summary.js';
import type { CheckResult, Target } from '../../src/model/types.js';

/** A valid target `https://h<line>.test/` at that line of `source` (never requested). */
export function sampleTarget(line: number, source = 'list.txt'): Target {
  const parsed = parseTarget(`https://h${line}.test/`, source, line);
  if (parsed === null) throw new Error('unreachable');
  return parsed;
}

/** A made-up result for a target: 200 when `ok`, else an HTTP_STATUS 500. */
export function sampleResult(target: Target, ok: boolean): CheckResult {
  return {
    url: target.display,
    ok,
    status: ok ? 200 : 500,
    error: ok ? null : { code: 'HTTP_STATUS', message: 'HTTP 500' },
    startMs: 0,
    durationMs: 1,
    attempts: 1,
    redirects: [],
    finalUrl: target.display,
    method: 'HEAD',
    verdict: ok ? 'healthy' : 'transient',
    warnings: [],
    timings: { dnsMs: null, connectMs: null, tlsMs: null, firstByteMs: 1, totalMs: 1, reusedConnection: true },
    tls: null,
    source: target.source,
    line: target.line,
  };
}

/** A result at `list.txt:<line>`, with its fields in the order check.ts builds them: a healthy 200 to HEAD in 10 ms unless `fields` say otherwise (`ok: false` makes it broken). */
export function resultWith(fields: Partial<CheckResult> & Pick<CheckResult, 'url' | 'line'>): CheckResult {
  return {
    url: fields.url,
    ok: fields.ok ?? true,
    status: fields.status === undefined ? 200 : fields.status,
    error: fields.error ?? null,
    startMs: fields.startMs === undefined ? 0 : fields.startMs,
    durationMs: fields.durationMs ?? 10,
    attempts: fields.attempts ?? 1,
    redirects: fields.redirects ?? [],
    finalUrl: fields.finalUrl === undefined ? fields.url : fields.finalUrl,
    method: fields.method === undefined ? 'HEAD' : fields.method,
    verdict: fields.verdict ?? (fields.ok === false ? 'broken' : 'healthy'),
    warnings: fields.warnings ?? [],
    timings: fields.timings ?? null,
    tls: fields.tls ?? null,
    ...(fields.change === undefined ? {} : { change: fields.change }),
    source: fields.source ?? 'list.txt',
    line: fields.line,
  };
}

/** Run metadata for reporter tests: started 2024-05-01T12:00:00Z. */
export const SAMPLE_RUN_META: RunMeta = {
  version: '1.2.3',
  startedAt: new Date('2024-05-01T12:00:00.000Z'),
  concurrency: 10,
  perHost: null,
  timeoutMs: 10_000,
  retries: 2,
  method: 'head',
  accept: '200-299',
  maxRedirects: 10,
};

/**
 * One result of every verdict, in input order: healthy; a warning after a permanent redirect; a
 * broken 404; a transient refused connection after 3 attempts; a 403 bot challenge (blocked); an
 * invalid stdin line; and a broken URL full of characters reports must escape (markup, quotes,
 * pipes, backticks, `%`, line breaks, control characters, a lone surrogate, U+FFFF, emoji) in a
 * file whose name holds a comma and a colon.
 */
export function everyVerdictResults(): CheckResult[] {
  return [
    resultWith({ url: 'https://a.test/', line: 1, durationMs: 12.3 }),
    resultWith({
      url: 'http://c.test/old',
      line: 3,
      durationMs: 1500,
      verdict: 'warning',
      redirects: [{ status: 301, location: 'https://c.test/new' }],
      finalUrl: 'https://c.test/new',
      warnings: [{ code: 'PERMANENT_REDIRECT', message: 'moved permanently to https://c.test/new' }],
    }),
    resultWith({
      url: 'https://a.test/missing',
      line: 6,
      ok: false,
      status: 404,
      durationMs: 8,
      method: 'GET',
      verdict: 'broken',
      error: { code: 'HTTP_STATUS', message: 'HTTP 404' },
    }),
    resultWith({
      url: 'https://down.test/',
      line: 5,
      ok: false,
      status: null,
      durationMs: 30.5,
      attempts: 3,
      finalUrl: null,
      method: null,
      verdict: 'transient',
      error: { code: 'CONNECTION_REFUSED', message: 'connection refused (ECONNREFUSED)' },
    }),
    resultWith({
      url: 'https://shop.test/',
      line: 7,
      ok: false,
      status: 403,
      durationMs: 40,
      method: 'GET',
      verdict: 'blocked',
      error: { code: 'HTTP_STATUS', message: 'HTTP 403: a bot challenge answered' },
    }),
    resultWith({
      url: 'example.com',
      line: 4,
      source: 'stdin',
      ok: false,
      status: null,
      durationMs: 0,
      attempts: 0,
      finalUrl: null,
      method: null,
      verdict: 'broken',
      error: { code: 'INVALID_URL', message: 'not a valid URL: no scheme' },
    }),
    resultWith({
      url: 'https://odd.test/<a>&"\'|`x`|*_[y](z)_🙂',
      line: 2,
      source: 'odd, "lists":v2.txt',
      ok: false,
      status: 500,
      durationMs: 2,
      verdict: 'broken',
      error: { code: 'HTTP_STATUS', message: '100% <b>bold</b> & "q" \'a\'\r\nnext\u0007bell\u001b[31m\ud800\uffff 🙂 | `c`' },
      warnings: [{ code: 'SLOW', message: 'slow: 2 ms, over 1 ms' }],
    }),
  ];
}

/** A summary of `results`, as the run would fold it, for a run of `wallMs` milliseconds. */
export function summaryOf(results: readonly CheckResult[], wallMs = 2000, interrupted = false): Summary {
  const builder = new SummaryBuilder();
  for (const result of results) builder.add(result);
  return builder.finish(wallMs, interrupted);
}

/**
 * A TextWriter over a PassThrough (`stream`, e.g. one dressed as a terminal) whose output is
 * kept; `text()` flushes first.
 */
export function captureWriter(stream: PassThrough = new PassThrough()): { writer: TextWriter; text: () => Promise<string> } {
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(String(chunk)));
  const writer = new TextWriter(stream);
  return {
    writer,
    text: async () => {
      await writer.flush();
      await new Promise((resolve) => setImmediate(resolve));
      return chunks.join('');
    },
  };
}

/** A reporter context with colour off whose `out` and `err` are captured. */
export function captureContext(options: { quiet?: boolean } = {}): {
  ctx: ReporterContext;
  out: () => Promise<string>;
  err: () => Promise<string>;
} {
  const out = captureWriter();
  const err = captureWriter();
  const color = new Chalk({ level: 0 });
  return {
    ctx: { out: out.writer, err: err.writer, color, errColor: color, quiet: options.quiet ?? false },
    out: out.text,
    err: err.text,
  };
}

/** Drives a reporter through a run the way runChecks does, waiting wherever a hook asks to. */
export async function driveReporter(
  reporter: Reporter,
  results: Iterable<CheckResult>,
  end: (summary: Summary) => RunEnd = (summary) => ({ summary, comparison: null, diff: null }),
  meta: RunMeta = SAMPLE_RUN_META,
): Promise<void> {
  await reporter.onRunStart?.(meta);
  const builder = new SummaryBuilder();
  for (const result of results) {
    builder.add(result);
    await reporter.onResult?.(result);
  }
  await reporter.onRunEnd?.(end(builder.finish(2000, false)));
}
