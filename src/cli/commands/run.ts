// `urlcheck [options] [inputs...]`: check the inputs' URLs and report them (or, with --dump,
// list them). Only the command line and the defaults are loaded before the flags are parsed,
// so --help and --version start fast; everything else is imported once it is needed.
import { DEFAULT_COMPARE_FULL_LIMIT } from '../../model/defaults.js';
import { UsageError } from '../../model/errors.js';
import type { ProxySettings } from '../../net/proxy.js';
import type { LineCounts } from '../../pipeline/run.js';
import type { LoadedConfig } from '../config.js';
import { EXIT, type CliIo } from '../io.js';
import type { CliOptions } from '../options.js';
import { buildRunProgram, runProgram, withConfigDefaults } from '../program.js';

/**
 * Runs `urlcheck` with `args` (no command name) against `io`; resolves to the exit code. Usage
 * and input errors become one line on stderr and exit code 2.
 */
export async function runCommand(args: readonly string[], io: CliIo): Promise<number> {
  const program = buildRunProgram(io);
  return runProgram(program, args, io, 'urlcheck --help', async (raw, inputs) => {
    const config = await readConfig(raw, io.cwd ?? '.');
    const { resolveCliOptions } = await import('../options.js');
    const options = resolveCliOptions(config === null ? raw : withConfigDefaults(program, raw, config.options));
    return execute(options, inputs, config, raw['color'] !== false, io);
  });
}

/**
 * The config file: --config, or one found in the working directory (unless --no-config), which
 * may not set what redirects traffic or weakens security (see `loadConfig`'s `found`).
 */
async function readConfig(raw: Record<string, unknown>, cwd: string): Promise<LoadedConfig | null> {
  if (raw['config'] === false) return null;
  const given = typeof raw['config'] === 'string' ? raw['config'] : null;
  if (given?.trim() === '') throw new UsageError('--config: must be a file path (got "")');
  const path = given ?? (await (await import('../config-find.js')).findConfig(cwd));
  if (path === null) return null;
  const { loadConfig } = await import('../config.js');
  return loadConfig(path, { found: given === null });
}

async function execute(options: CliOptions, inputs: string[], config: LoadedConfig | null, colorFlag: boolean, io: CliIo): Promise<number> {
  const [{ openInputs }, { loadDiff, outputFiles, runReported }] = await Promise.all([import('../inputs.js'), import('../reporting.js')]);
  const proxy = await resolveProxy(options, io);
  if (proxy !== null) options.check.proxy = proxy;
  const configTargets = config === null ? [] : (await import('../config.js')).configTargetsToTargets(config);
  // No output may be a file read (the lists, the config), another output or the journal: refused
  // once the inputs are found, before a byte of them is read or of any output written.
  const { checkOutputFiles, configInput } = await import('../output-paths.js');
  const outputs = options.dump ? outputFiles({ output: options.output, reports: [] }, {}) : outputFiles(options, io.env);
  const input = await openInputs(inputs, configTargets, options, io, (files) =>
    checkOutputFiles({
      outputs,
      inputs: config === null ? files : [...files, configInput(config.path)],
      journal: options.resume,
    }),
  );
  // Read the previous report before any output is opened: `--diff last.ndjson -o last.ndjson` is safe.
  const diff = await loadDiff(options.diff, io);
  if (options.dump) return (await import('./dump.js')).dumpCommand(options, input, io);
  // Opened before any output, like --diff: a journal that is not one, or is another run's, is refused before anything runs.
  const journal =
    options.resume === null
      ? null
      : await (await import('../../pipeline/journal-run.js')).openRunJournal(options.resume, {
          inputs,
          cwd: io.cwd ?? process.cwd(),
          config: config !== null && configTargets.length > 0 ? config.path : null,
          check: options.check,
          selection: options.selection,
          dedupe: options.dedupe,
          base: options.base,
        });

  const { runChecks, describeLineCounts } = await import('../../pipeline/run.js');
  let lines: LineCounts | null = null;
  const note = () => {
    const parts = [input.skipped(), lines === null ? null : describeLineCounts(lines)].filter((part) => part !== null);
    return parts.length === 0 ? null : parts.join('; ');
  };
  try {
    const code = await runReported(options, io, colorFlag, { usesStdin: input.usesStdin, countAhead: input.countAhead, note }, async (reporter, signal) => {
      const outcome = await runChecks({
        targets: input.targets,
        options: options.check,
        reporter,
        compare: options.compare ? { sampleSize: options.compareSample ?? DEFAULT_COMPARE_FULL_LIMIT } : null,
        signal,
        diff,
        dedupe: options.dedupe,
        selection: options.selection,
        journal,
      });
      lines = outcome.lines;
      return outcome;
    });
    // The run finished and its reports are written: the journal has served. An interrupted run keeps it.
    if (journal !== null && (code === EXIT.OK || code === EXIT.UNHEALTHY)) await journal.remove();
    return code;
  } finally {
    await journal?.close();
  }
}

/** The proxy from --proxy or the environment; --public-only cannot be kept behind one. */
async function resolveProxy(options: CliOptions, io: CliIo): Promise<ProxySettings | null> {
  const { resolveProxySettings } = await import('../../net/proxy.js');
  const proxy = resolveProxySettings(options.proxyFlag, io.env);
  if (proxy !== null && options.check.publicOnly) {
    // The proxy resolves host names and connects, so urlcheck never sees the addresses it must refuse.
    throw new UsageError('--public-only cannot be combined with a proxy (--proxy, HTTP_PROXY or HTTPS_PROXY): the proxy resolves the addresses');
  }
  return proxy;
}
