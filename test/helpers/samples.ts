import { parseTarget } from '../../src/input/targets.js';
import type { CheckResult, Target } from '../../src/types.js';

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
    durationMs: 1,
    attempts: 1,
    redirects: [],
    finalUrl: target.display,
    method: 'HEAD',
    source: target.source,
    line: target.line,
  };
}
