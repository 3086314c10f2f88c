// Bundles the CLI into a few files under dist/bundle/ (the library, dist/**/*.js from tsc, is
// unchanged). Start-up is paid by every CI step and cron run, and Node resolves, reads and
// compiles each module file one by one (zod alone was ~90 files, undici's part ~25): grouped into
// chunks by when a run needs them, with the npm packages inlined, a check run loads four files:
// - `start`: the entry, --help and the option defaults, with commander;
// - `run`: what every check run needs (options and zod/mini, inputs, the pool, the checker, the
//   network with the undici modules it uses, the default reporters with chalk and cli-table3);
// - everything else stays in chunks of its own, loaded only when asked for: config files and
//   yaml, other report formats, documents and sitemaps (htmlparser2, markdown-it), globs
//   (tinyglobby), --resume, --compare, --diff, merge, --dump.
// On top of rolldown's output, each measured with `npm run bench` (S1, S2, W1) and kept because it
// paid (see the README's Performance section):
// - Node's built-in modules are required, not imported (`requireBuiltins`), and the re-export
//   files rolldown writes for each `import()` are skipped (`skipFacades`);
// - no comments but licences, and ASCII only (see `output` below);
// - a few things the inlined packages do that urlcheck does not need are rewritten (`DEFERRED`) or
//   left in node_modules (`LEFT_OUT`).
// Two packages stay in node_modules, loaded with `createRequire` on first use, as they are now:
// re2js (--include/--exclude, regex expectations) and ipaddr.js (--public-only): inlined, every
// run would read and parse them. The package keeps every dependency (the library, dist/index.js,
// imports them), so `npm install` still brings them.
//
// undici's modules are loaded lazily with `requireCjs('undici/lib/…')` (net/undici.ts): a bundler
// cannot follow a require it does not know, so each becomes a plain `require(…)`, which rolldown
// inlines as a module that still runs only when first called (as scripts/bundle-action.mjs does).
// The one left is net/undici.ts's fallback to undici's index, reached only if loading an inlined
// module throws.
//
// Licences: the inlined packages' notices are written to dist/bundle/THIRD-PARTY-LICENSES.txt
// (each package's name, version and licence file, as the packages ship them), since their code is
// copied into the bundle's files; rolldown keeps only their `/*! … */` and `@license` comments.
import { readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(root, 'dist', 'bundle');

const START = /src\/(cli\/(main|io|program|commands\/run)|model\/(errors|defaults|version)|reporters\/registry)\.ts$|node_modules\/commander\//;
const RUN = new RegExp(
  'src/(' +
    [
      'cli/(options|option-parsers|config-find|inputs|reporting|outputs|output-paths)',
      // local.ts (local links and their anchors) loads with the first local link, not before.
      'check/(?!local)[^/]+',
      'net/(?!proxy-dispatcher)[^/]+',
      'pipeline/(run|pool|select|dedupe)',
      'input/(targets|sources|list|replay|types|fetcher|kinds|lines)',
      'reporters/(combine|progress|summary|format|table|rank)',
      'model/[^/]+',
      'util/[^/]+',
    ].join('|') +
    ')\\.ts$' +
    // What those need of npm packages: zod (options), undici, chalk and cli-table3 with theirs.
    '|node_modules/zod/v4/(core|mini|locales)/|node_modules/(undici|chalk|cli-table3|string-width|strip-ansi|ansi-regex|emoji-regex|is-fullwidth-code-point)/',
);

/** Packages left in node_modules, loaded with createRequire on first use (see above). */
const EXTERNAL_PACKAGES = new Set(['re2js', 'ipaddr.js']);
/**
 * Packages the bundle may load from node_modules at run time: those, undici (net/undici.ts's
 * fallback to its index, and the modules below), cli-table3's colours (below) and fdir's optional
 * picomatch (tinyglobby gives fdir its own matcher; its own import of picomatch is inlined).
 */
const RUNTIME_PACKAGES = new Set([...EXTERNAL_PACKAGES, 'undici', '@colors/colors', 'picomatch']);
/**
 * Modules the inlined packages require only on paths urlcheck never takes, left in node_modules
 * (as `require` calls that run only if those paths are taken) rather than read and parsed by every
 * run: undici's fetch body encoder (for FormData bodies; urlcheck sends none) with the web
 * modules it brings, undici's llhttp build without SIMD (for a WebAssembly without SIMD), and the
 * colours cli-table3 loads only for styled headings and borders (the table reporter styles none).
 * By importer's package, the specifier as written, and the specifier the bundle requires instead.
 */
const LEFT_OUT = [
  { from: 'undici', source: '../web/fetch/body.js', runtime: 'undici/lib/web/fetch/body.js' },
  { from: 'undici', source: '../llhttp/llhttp-wasm.js', runtime: 'undici/lib/llhttp/llhttp-wasm.js' },
  { from: 'cli-table3', source: '@colors/colors/safe', runtime: '@colors/colors/safe' },
];
/** The lazy requires of undici's modules that become bundled requires, by file: a rename fails the build. */
const LAZY_REQUIRES = { 'src/net/undici.ts': 5 };

/**
 * Work the inlined packages do that urlcheck does not need, or need again, rewritten, by file:
 * the text to find (once, or the build fails) and what replaces it, line for line.
 * - commander requires node:child_process (and with it dgram, sockets, process wrappers) to run
 *   subcommands that are executables; urlcheck has none, so it loads only if one ran.
 * - string-width (cli-table3's, for every cell it measures, several times per cell) builds two
 *   regular expressions per call: emoji-regex's ~10 KB literal and ansi-regex's `new RegExp`,
 *   which V8 hashes and looks up by their source each time: on Node 24, 650 million
 *   instructions for the table of W1 (200 URLs), as much as the floor's whole run. Each is built
 *   once and handed out again; the only callers (string-width, strip-ansi) use it in
 *   `String.prototype.replace`, which starts a global expression from index 0 whatever its state.
 *   And text that is all printable ASCII (most cells: URLs, codes, times) is as wide as it is long:
 *   string-width says so without running those expressions over it.
 */
const DEFERRED = {
  'node_modules/commander/lib/command.js': [
    ["const childProcess = require('node:child_process');", "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };"],
  ],
  'node_modules/emoji-regex/index.js': [
    ['module.exports = function () {', 'const shared = (function () {'],
    ['/g;\n};', '/g;\n})(); module.exports = function () { shared.lastIndex = 0; return shared; };'],
  ],
  'node_modules/string-width/index.js': [['\tstring = stripAnsi(string);', '\tif (/^[\\x20-\\x7e]*$/.test(string)) return string.length; string = stripAnsi(string);']],
  'node_modules/ansi-regex/index.js': [
    ['module.exports = ({onlyFirst = false} = {}) => {', 'let shared; module.exports = ({onlyFirst = false} = {}) => { if (!onlyFirst && shared !== undefined) { shared.lastIndex = 0; return shared; }'],
    ["return new RegExp(pattern, onlyFirst ? undefined : 'g');", "const created = new RegExp(pattern, onlyFirst ? undefined : 'g'); if (!onlyFirst) shared = created; return created;"],
  ],
};

const relativeId = (id) => id.slice(root.length).split('\\').join('/');
/** The package a module id belongs to (`undici`, `@scope/name`), or null for this project's own. */
function packageOf(id) {
  const match = /[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(id);
  return match === null ? null : match[1].replace('\\', '/');
}

/** Every package a module of the bundle came from, by folder: for the licence file. */
const inlined = new Map();

/** @type {import('rolldown').Plugin} */
const cliPlugin = {
  name: 'urlcheck-cli',
  resolveId(source, importer) {
    const leftOut = importer === undefined ? undefined : LEFT_OUT.find((entry) => entry.source === source && packageOf(importer) === entry.from);
    if (leftOut !== undefined) return { id: leftOut.runtime, external: true };
    // chalk detects the terminal's colours when it loads (node:tty, node:os, the environment) for
    // its default instances; urlcheck uses only `new Chalk({ level })` with the level io.ts decides,
    // so chalk gets its own no-detection variant (level 0 on Node), the one it ships for browsers.
    if (source === '#supports-color' && importer !== undefined && packageOf(importer) === 'chalk') {
      return join(importer.slice(0, importer.search(/[\\/]node_modules[\\/]chalk[\\/]/)), 'node_modules', 'chalk', 'source', 'vendor', 'supports-color', 'browser.js');
    }
    // re2js, ipaddr.js and undici's index stay where npm put them, and so does anything Node provides.
    if (isBuiltin(source) || EXTERNAL_PACKAGES.has(source) || source === 'undici') return { id: source, external: true };
    return null;
  },
  renderChunk(code) {
    return { code: requireBuiltins(code), map: null };
  },
  generateBundle(_options, bundle) {
    skipFacades(bundle);
  },
  transform(code, id) {
    const name = relativeId(id);
    const pkg = packageOf(id);
    if (pkg !== null) {
      const folder = id.slice(0, id.search(/[\\/]node_modules[\\/]/) + '/node_modules/'.length + pkg.length);
      inlined.set(folder, pkg);
      // By the path below the last node_modules/ (the id is the real path, which may lie outside the project).
      const slashed = id.split('\\').join('/');
      const deferred = DEFERRED[slashed.slice(slashed.lastIndexOf('/node_modules/') + 1)];
      if (deferred === undefined) return null;
      let rewritten = code;
      for (const [find, replace] of deferred) {
        if (rewritten.split(find).length !== 2) throw new Error(`${name}: expected "${find}" once; update DEFERRED in scripts/bundle-cli.mjs`);
        rewritten = rewritten.replace(find, replace);
      }
      // Each replacement is one line for one line: the source map's lines still hold.
      return { code: rewritten, map: null };
    }
    const expected = LAZY_REQUIRES[name];
    if (expected === undefined) return null;
    let count = 0;
    const rewritten = code.replace(/\brequireCjs\((['"])(undici\/[^'"]+)\1\)/g, (call, quote, specifier) => {
      count += 1;
      // As long as the call it replaces, so every column stays where it was and the source map holds.
      return `require   (${quote}${specifier}${quote})`;
    });
    if (count !== expected) throw new Error(`${name}: expected ${expected} lazy requires of undici's modules to inline, found ${count}; update LAZY_REQUIRES`);
    return { code: rewritten, map: null };
  },
};

/**
 * Node's built-in modules, imported with `import`, become `require` calls. For a built-in module
 * imported as an ES module, Node builds a facade that reads every one of its exports, and some are
 * getters that load more: on Node 24, node:http's load Node's own copy of undici (fetch,
 * WebSocket), tens of milliseconds of every run's start-up for one constant (classify.ts's
 * maxHeaderSize). A require reads only the names used. One import line becomes one line, so the
 * source maps still hold.
 */
function requireBuiltins(code) {
  let declared = false;
  return code.replace(/^import\s+(?:(.+?)\s+from\s+)?"([^".][^"]*)";$/gm, (line, clause, specifier) => {
    if (!isBuiltin(specifier)) return line;
    const call = `__urlcheckRequire(${JSON.stringify(specifier)})`;
    let statement;
    if (clause === undefined) statement = `${call};`;
    else {
      const match = /^(?:([\w$]+)|\*\s+as\s+([\w$]+))?\s*,?\s*(?:\{([^}]*)\})?$/.exec(clause.trim());
      if (match === null) throw new Error(`an import of ${specifier} this script cannot turn into a require: ${line}`);
      const [, defaultName, namespaceName, named] = match;
      const whole = defaultName ?? namespaceName;
      const names = named === undefined ? null : `{ ${named.split(',').map((part) => part.trim()).filter(Boolean).map((part) => part.replace(/^([\w$]+)\s+as\s+([\w$]+)$/, '$1: $2')).join(', ')} }`;
      if (whole !== undefined && names !== null) statement = `const ${whole} = ${call}, ${names} = ${whole};`;
      else if (whole !== undefined) statement = `const ${whole} = ${call};`;
      else if (names !== null) statement = `const ${names} = ${call};`;
      else statement = `${call};`;
    }
    if (declared) return statement;
    declared = true;
    return `import { createRequire as __urlcheckCreateRequire } from "node:module"; const __urlcheckRequire = __urlcheckCreateRequire(import.meta.url); ${statement}`;
  });
}

/**
 * rolldown gives every module loaded with `import()` a chunk of its own, and when the module sits
 * in a bigger chunk (`run`, `start`) that chunk is a facade: a file that only re-exports names of
 * the bigger one. A check run loads about fifteen of them one after the other, each a file to
 * find, read, parse and link. Each `import("./facade.js")` becomes an import of the chunks the
 * facade re-exports from (already loaded, or loaded once), and the facade files go.
 */
function skipFacades(bundle) {
  const facades = new Map();
  for (const [fileName, chunk] of Object.entries(bundle)) {
    if (chunk.type !== 'chunk' || chunk.isEntry) continue;
    const names = facadeExports(chunk.code.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, ''));
    if (names !== null) facades.set(fileName, names);
  }
  for (const chunk of Object.values(bundle)) {
    if (chunk.type !== 'chunk') continue;
    chunk.code = chunk.code.replace(/\bimport\("\.\/([^"]+)"\)/g, (call, fileName) => {
      const names = facades.get(fileName);
      if (names === undefined) return call;
      const targets = [...new Set(names.map(([, target]) => target))];
      const getters = names.map(([name, target, exported]) => `get ${name}() { return m${targets.indexOf(target)}.${exported}; }`);
      const loads = targets.map((target) => `import("./${target}")`);
      return `Promise.all([${loads.join(', ')}]).then(([${targets.map((_, i) => `m${i}`).join(', ')}]) => ({ ${getters.join(', ')} }))`;
    });
  }
  for (const fileName of facades.keys()) {
    delete bundle[fileName];
    delete bundle[`${fileName}.map`];
  }
}

/**
 * What a facade chunk re-exports, as [name, chunk file, that chunk's export name], or null when
 * `code` is anything but imports of names from other chunks and one export of them.
 */
function facadeExports(code) {
  const imported = new Map();
  const names = [];
  let exported = false;
  for (const statement of code.split('\n').map((line) => line.trim()).filter((line) => line !== '')) {
    const match = /^(import|export) \{([^}]*)\}(?: from "\.\/([^"]+)")?;$/.exec(statement);
    if (match === null) return null;
    const [, keyword, list, from] = match;
    const pairs = list.split(',').map((part) => part.trim()).filter(Boolean).map((part) => {
      const [inner, outer = inner] = part.split(/\s+as\s+/);
      return [inner, outer];
    });
    if (keyword === 'import') {
      if (from === undefined) return null;
      for (const [inner, local] of pairs) imported.set(local, [from, inner]);
    } else {
      exported = true;
      for (const [inner, name] of pairs) {
        const source = from === undefined ? imported.get(inner) : [from, inner];
        if (source === undefined || !/^[\w$]+$/.test(name)) return null;
        names.push([name, source[0], source[1]]);
      }
    }
  }
  return exported && names.length > 0 ? names : null;
}

rmSync(OUT, { recursive: true, force: true });
await build({
  cwd: root,
  input: { cli: 'src/cli/main.ts', demo: 'src/demo/run.ts' },
  platform: 'node',
  logLevel: 'warn',
  plugins: [cliPlugin],
  output: {
    dir: 'dist/bundle',
    format: 'esm',
    sourcemap: true,
    // Every file sits two folders below the package root, as dist/*/*.js do, so
    // model/version.ts finds ../../package.json from either.
    entryFileNames: '[name].js',
    chunkFileNames: '[name]-[hash].js',
    // What V8 reads at every start, and no more: no comments but licences (the source maps lead
    // to the commented sources), and ASCII only: one character outside it (a "…" in a comment,
    // a "✔" in a string) makes V8 hold and scan the whole file as two-byte text.
    comments: { legal: true, annotation: false, jsdoc: false },
    charset: 'ascii',
    codeSplitting: {
      groups: [
        { name: 'start', test: START, priority: 2 },
        { name: 'run', test: RUN, priority: 1 },
      ],
    },
  },
});
checkBundle();
writeLicenses();

/** Fails when a bundled file would load an npm package from node_modules that should have been inlined. */
function checkBundle() {
  for (const file of readdirSync(OUT).filter((name) => name.endsWith('.js'))) {
    // Comments left out: JSDoc says `import('../api/api-request')` in types.
    const code = readFileSync(join(OUT, file), 'utf8')
      .split('\n')
      .filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line))
      .join('\n');
    const specifiers = [
      ...[...code.matchAll(/^\s*(?:import|export)\s[^;]*?from\s*(['"])([^'"]+)\1/gm)].map((match) => match[2]),
      ...[...code.matchAll(/\b(?:__require|requireCjs)(?:\$\d+)?\(\s*(['"])([^'"]+)\1/g)].map((match) => match[2]),
      ...[...code.matchAll(/\bimport\(\s*(['"])([^'"]+)\1\s*\)/g)].map((match) => match[2]),
    ];
    for (const specifier of specifiers) {
      if (specifier.startsWith('./') || specifier.startsWith('node:') || isBuiltin(specifier)) continue;
      const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
      if (!RUNTIME_PACKAGES.has(name)) throw new Error(`dist/bundle/${file} loads "${specifier}" from node_modules: it should be inlined (or listed in RUNTIME_PACKAGES)`);
    }
  }
}

/** Writes each inlined package's name, version and licence file, in name order. */
function writeLicenses() {
  const sections = [...inlined]
    .sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([folder, name]) => {
      const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
      const licenseFile = readdirSync(folder).find((file) => /^(licen[cs]e|copying)(\.|$)/i.test(file));
      const text = licenseFile === undefined ? `(no licence file in the package; its package.json says: ${manifest.license ?? 'nothing'})` : readFileSync(join(folder, licenseFile), 'utf8').trim();
      return `${name}@${manifest.version} (${manifest.license ?? 'no licence field'})\n\n${text}\n`;
    });
  const intro =
    'dist/bundle/ (the urlcheck command) contains code of the npm packages below, copied in by\n' +
    'scripts/bundle-cli.mjs. Their licences and notices follow.\n';
  writeFileSync(join(OUT, 'THIRD-PARTY-LICENSES.txt'), [intro, ...sections].join(`\n${'-'.repeat(78)}\n\n`));
}
