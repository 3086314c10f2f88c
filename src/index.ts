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
export {
  createExtractionStats,
  InputReadError,
  parseTarget,
  readTargetBatches,
  readTargets,
  type ExtractionStats,
  type InputKind,
  type InputSource,
} from './input/targets.js';
export { describeSkipped, fetchDocument, resolveInputs } from './input/sources.js';
export * from './defaults.js';
export {
  parseFailOn,
  parseReportTarget,
  resolveCheckOptions,
  resolveCliOptions,
  resolveReportOptions,
  type CheckOptions,
  type CliOptions,
  type FailPolicy,
  type ReportTarget,
} from './options.js';
export { TextWriter } from './output.js';
export { checkAll, checkInBatches, createAgent, type TargetStream } from './pool.js';
export { printable, redactText, redactUrl } from './redact.js';
export { combineReporters, createGithubAnnotationsReporter, loadReporter, reporters } from './reporters/index.js';
export type { Reporter, ReporterContext, ReporterFactory, RunEnd, RunMeta } from './reporters/types.js';
export { runChecks, type RunOutcome, type RunRequest } from './run.js';
export { parseStatusRanges, type StatusRanges } from './status-ranges.js';
export { LatencyHistogram, SummaryBuilder, type LatencySummary, type Summary } from './summary.js';
export {
  ERROR_CODES,
  VERDICTS,
  WARNING_CODES,
  type Change,
  type CheckError,
  type CheckResult,
  type CheckWarning,
  type ErrorCode,
  type Expectations,
  type HttpMethod,
  type RedirectHop,
  type Target,
  type Timings,
  type TlsInfo,
  type Verdict,
  type WarningCode,
} from './types.js';
export { looksChallenged, verdictOf } from './verdict.js';
export {
  describeMergeProblems,
  mergeReports,
  planMerge,
  readReport,
  readReportResults,
  resultFromReport,
  type MergeOutcome,
  type MergePlan,
  type MergeRequest,
  type ReportSource,
} from './merge.js';
export { DiffTracker, loadPreviousReport, PreviousReport, readPreviousReport, type DiffSummary, type PreviousReportFormat } from './diff.js';
export { CONFIG_FILE_NAMES, configTargetsToTargets, findConfig, loadConfig, type ConfigTarget, type LoadedConfig } from './config.js';
export { DEFAULT_BODY_LIMIT_BYTES, evaluateExpectations, needsBody, parseJsonPath, type ExpectInput } from './check/expect.js';
export { resolveProxySettings, type ProxySettings } from './check/proxy.js';
export { VERSION } from './version.js';
