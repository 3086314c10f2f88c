/**
 * urlcheck as a library: read targets lazily, check them through a bounded pool, and stream
 * results to reporters. The CLI (`urlcheck`) is a thin adapter over these functions.
 */
export { checkTarget, createCheckContext, DISCARD_LIMIT_BYTES, type CheckContext } from './check/check.js';
export { classifyError } from './net/classify.js';
export { BaselineSampler, buildComparison, measureBaseline, type Comparison } from './pipeline/compare.js';
export type { BaselineBar } from './model/run.js';
export { UsageError } from './model/errors.js';
export { parseHeader, type HeaderPair } from './net/headers.js';
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
export { describeSkipped, resolveInputs } from './input/sources.js';
export { fetchDocument } from './input/fetch-document.js';
export * from './model/defaults.js';
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
} from './cli/options.js';
export { TextWriter } from './util/text-writer.js';
export { checkAll, checkInBatches, createAgent, type TargetStream } from './pipeline/pool.js';
export { printable, redactText, redactUrl } from './util/redact.js';
export { combineReporters, createGithubAnnotationsReporter, createHtmlReporter, FORMATS, loadReporter, reporters, type Format, type HtmlReporterOptions } from './reporters/index.js';
export {
  createOpenMetricsReporter,
  createPrometheusReporter,
  DEFAULT_PROMETHEUS_MAX_URLS,
  EXPOSITION_CONTENT_TYPES,
  MAX_LABEL_VALUE_CHARS,
  type ExpositionFormat,
  type PrometheusReporterOptions,
} from './reporters/index.js';
export type { Reporter, ReporterContext, ReporterFactory, RunEnd, RunMeta } from './model/reporter.js';
export { runChecks, type RunOutcome, type RunRequest } from './pipeline/run.js';
export { parseStatusRanges, type StatusRanges } from './model/status-ranges.js';
export { LatencyHistogram, SummaryBuilder, type LatencySummary, type Summary } from './model/summary.js';
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
  type TextPattern,
  type Timings,
  type TlsInfo,
  type Verdict,
  type WarningCode,
} from './model/types.js';
export { looksChallenged, verdictOf } from './model/verdict.js';
export { describeMergeProblems, mergeReports, planMerge, type MergeOutcome, type MergePlan, type MergeRequest } from './pipeline/merge.js';
export { readReport, readReportResults, type ReportSource } from './reports/reader.js';
export { resultFromReport } from './reports/result.js';
export { DiffTracker, loadPreviousReport, PreviousReport, readPreviousReport, type DiffSummary, type PreviousReportFormat } from './reports/diff.js';
export { CONFIG_FILE_NAMES, configTargetsToTargets, findConfig, loadConfig, type ConfigTarget, type LoadedConfig } from './cli/config.js';
export { DEFAULT_BODY_LIMIT_BYTES, evaluateExpectations, needsBody, parseJsonPath, type ExpectInput } from './check/expect.js';
export { resolveProxySettings, type ProxySettings } from './net/proxy.js';
export { VERSION } from './model/version.js';
export { compilePattern, LinearPattern } from './util/pattern.js';
