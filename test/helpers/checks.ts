import type { CheckOptions } from '../../src/check/options.js';
import { checkAll } from '../../src/pipeline/pool.js';
import type { Reporter, RunEnd, RunMeta } from '../../src/model/reporter.js';
import type { CheckResult } from '../../src/model/types.js';
import { collect, targetsFrom, testOptions } from './fixtures.js';

/** Checks one URL line through the real pool (its own Agent, closed afterwards) and returns its result. */
export async function checkOne(line: string, overrides: Partial<CheckOptions> = {}): Promise<CheckResult> {
  const results = await collect(checkAll(targetsFrom([line]), testOptions(overrides)));
  if (results.length !== 1) throw new Error(`expected one result, got ${results.length}`);
  return results[0] as CheckResult;
}

/** One reporter hook call, in the order the run made it. */
export type HookCall =
  | { hook: 'onRunStart'; meta: RunMeta }
  | { hook: 'onResult'; result: CheckResult }
  | { hook: 'onBaselineStart'; info: { sampleSize: number; estimated: boolean } }
  | { hook: 'onRunEnd'; end: RunEnd };

/** A reporter that records every hook call; `onBaselineStart` also runs `atBaseline`, if given. */
export function recordingReporter(atBaseline?: () => void): Reporter & { calls: HookCall[] } {
  const calls: HookCall[] = [];
  return {
    calls,
    onRunStart: (meta) => void calls.push({ hook: 'onRunStart', meta }),
    onResult: (result) => void calls.push({ hook: 'onResult', result }),
    onBaselineStart: (info) => {
      calls.push({ hook: 'onBaselineStart', info });
      atBaseline?.();
    },
    onRunEnd: (end) => void calls.push({ hook: 'onRunEnd', end }),
  };
}
