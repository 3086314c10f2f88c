// Bundles the CLI into a few files under dist/bundle/ (the library, dist/**/*.js from tsc, is
// unchanged). Start-up is paid by every CI step and cron run, and Node loads each of ~60 small
// modules one by one; grouped into chunks by when a run needs them, a run loads a handful:
// - `start`: the entry, --help and the option defaults (commander only);
// - `run`: what every check run needs (options, inputs, the pool, the checker, the network, the
//   default reporters);
// - everything else stays in chunks of its own, loaded only when asked for: config files, other
//   report formats, documents and sitemaps, --resume, --compare, --diff, merge, --dump.
// npm packages stay external: undici's internal modules are loaded by path (net/undici.ts), and
// the rest load when the chunk that imports them does.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = fileURLToPath(new URL('..', import.meta.url));
const START = /src\/(cli\/(main|io|program|commands\/run)|model\/(errors|defaults|version)|reporters\/registry)\.ts$/;
const RUN = new RegExp(
  'src/(' +
    [
      'cli/(options|option-parsers|config-find|inputs|reporting|outputs)',
      // local.ts (local links and their anchors) loads with the first local link, not before.
      'check/(?!local)[^/]+',
      'net/(?!proxy-dispatcher)[^/]+',
      'pipeline/(run|pool|select|dedupe)',
      'input/(targets|sources|list|replay|types|fetcher|kinds|lines)',
      'reporters/(combine|progress|summary|format|table|rank)',
      'model/[^/]+',
      'util/[^/]+',
    ].join('|') +
    ')\\.ts$',
);

rmSync(new URL('../dist/bundle', import.meta.url), { recursive: true, force: true });
await build({
  cwd: root,
  input: { cli: 'src/cli/main.ts', demo: 'src/demo/run.ts' },
  platform: 'node',
  external: (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0'),
  logLevel: 'warn',
  output: {
    dir: 'dist/bundle',
    format: 'esm',
    sourcemap: true,
    // Every file sits two folders below the package root, as dist/*/*.js do, so
    // model/version.ts finds ../../package.json from either.
    entryFileNames: '[name].js',
    chunkFileNames: '[name]-[hash].js',
    codeSplitting: {
      groups: [
        { name: 'start', test: START, priority: 2 },
        { name: 'run', test: RUN, priority: 1 },
      ],
    },
  },
});
