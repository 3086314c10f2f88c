/**
 * urlcheck as a library: read targets lazily, check them through a bounded pool, and stream
 * results to reporters. The CLI (`urlcheck`) is a thin adapter over these functions.
 */
export { checkTarget, createCheckContext, DISCARD_LIMIT_BYTES, type CheckContext } from './check/check.js';
export { classifyError } from './check/classify.js';
export { BaselineSampler, buildComparison, measureBaseline, type Comparison } from './compare.js';
export { UsageError } from './errors.js';
export { parseHeader, type HeaderPair } from './headers.js';
export { readLineBatches, readLines, MAX_LINE_LENGTH, type InputLine } from './input/lines.js';
export { parseTarget, readTargetBatches, readTargets, type InputSource } from './input/targets.js';
export * from './defaults.js';
export { resolveCheckOptions, resolveCliOptions, type CheckOptions, type CliOptions } from './options.js';
export { TextWriter } from './output.js';
export { checkAll, checkInBatches, createAgent, type TargetStream } from './pool.js';
export { printable, redactText, redactUrl } from './redact.js';
export { combineReporters, loadReporter, reporters } from './reporters/index.js';
export type { Reporter, ReporterContext, ReporterFactory, RunEnd, RunMeta } from './reporters/types.js';
export { runChecks, type RunOutcome, type RunRequest } from './run.js';
export { parseStatusRanges, type StatusRanges } from './status-ranges.js';
export { LatencyHistogram, SummaryBuilder, type LatencySummary, type Summary } from './summary.js';
export { ERROR_CODES, type CheckError, type CheckResult, type ErrorCode, type HttpMethod, type RedirectHop, type Target } from './types.js';
export { VERSION } from './version.js';
