// `urlcheck merge <reports...>`: replays JSON/NDJSON reports (one per --shard, say) through the
// same outputs and exit codes as a run.
import type { CliIo } from '../io.js';
import { buildMergeProgram, runProgram } from '../program.js';

/** Runs `urlcheck merge` with `args` (after `merge`) against `io`; resolves to the exit code. */
export async function mergeCommand(args: readonly string[], io: CliIo): Promise<number> {
  return runProgram(buildMergeProgram(io), args, io, 'urlcheck merge --help', async (raw, paths) => {
    const [{ resolveReportOptions }, { loadDiff, outputFiles, runReported }, { checkOutputFiles }, merge] = await Promise.all([
      import('../options.js'),
      import('../reporting.js'),
      import('../output-paths.js'),
      import('../../pipeline/merge.js'),
    ]);
    const options = resolveReportOptions(raw);
    const outputs = outputFiles(options, io.env);
    // Two outputs on one file, as in a run; then every report (and --diff's) is read, or at least
    // opened, before any output is: an output that names one of the reports is refused rather than emptied.
    await checkOutputFiles({ outputs });
    const plan = await merge.planMerge(paths, outputs);
    const diff = await loadDiff(options.diff, io);
    let problems: string[] = [];
    const code = await runReported(options, io, raw['color'] !== false, { usesStdin: false, countAhead: null }, async (reporter, signal) => {
      const outcome = await merge.mergeReports({ paths, plan, reporter, signal, diff });
      problems = merge.describeMergeProblems(outcome);
      return outcome;
    });
    for (const problem of problems) io.stderr.write(`urlcheck: warning: ${problem}\n`);
    return code;
  });
}
