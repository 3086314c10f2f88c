// The layers of ../shared/STYLE.md ("Architecture: layers"), checked by `npm run lint:arch`.
// Each folder of src/ imports only the folders below it:
//   cli → pipeline → reports → check → input → reporters → net → model → util
// (more exactly, the "may import" column of the STYLE table, which is what these rules say).
// A rule that is wrong for a good reason is changed here in the same commit, with the reason.
/** @type {import('dependency-cruiser').IConfiguration} */
const layer = (name, allowed) => ({
  name: `${name}-imports-only-${allowed.join('-') || 'itself'}`,
  comment: `src/${name}/ may import only ${allowed.length === 0 ? 'itself' : allowed.map((a) => `${a}/`).join(', ')} (STYLE.md, "Architecture: layers").`,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: { path: '^src/', pathNot: [`^src/${name}/`, ...allowed.map((a) => `^src/${a}/`)] },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle ties layers (or modules of one layer) into a knot: none, not even type-only.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    layer('util', []),
    // model/ may use util/ (the one level below it): helpers written once, no I/O of ours.
    layer('model', ['util']),
    layer('net', ['model', 'util']),
    layer('reporters', ['model', 'util']),
    layer('input', ['net', 'model', 'util']),
    // check/ reads input/'s anchor extraction: a #fragment is checked against the anchors of the
    // document it points into (Markdown headings, HTML ids), which input/ already knows how to parse.
    // input/ never imports check/, so the order above holds.
    layer('check', ['input', 'net', 'model', 'util']),
    layer('reports', ['input', 'model', 'util']),
    layer('pipeline', ['reports', 'check', 'input', 'reporters', 'net', 'model', 'util']),
    {
      name: 'only-the-cli-is-the-cli',
      comment: 'Nothing but the library entry (src/index.ts) and the demo imports the CLI adapter.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/cli/', '^src/demo/', '^src/index\\.ts$'] },
      to: { path: '^src/cli/' },
    },
    {
      name: 'model-has-no-io-or-libraries',
      comment: 'model/ is the data contract: no undici, zod, commander, sockets or HTTP. (version.ts reads package.json once, with node:fs.)',
      severity: 'error',
      from: { path: '^src/model/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown', 'core'], pathNot: ['^chalk$', 'node_modules/chalk/', '^fs$', '^node:fs$'] },
    },
    {
      name: 'only-net-loads-undici',
      comment: 'net/ is the only code that creates undici dispatchers (lychee: one HostPool owns every client).',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/net/' },
      to: { path: 'node_modules/undici/' , dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that does not resolve is a typo or a missing dependency.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.d.ts'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
