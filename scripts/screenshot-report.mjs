// `npm run screenshot`: makes docs/report.png, the README's picture of the HTML report, from the
// report `npm run demo` writes, opened by the same browser harness as the tests
// (test/helpers/report-browser.mjs: Debian's chromium or $CHROMIUM_PATH, through playwright-core).
// Run it after changing the report's look, and commit the PNG.
//
//   node scripts/screenshot-report.mjs [--report kinds|pages] [--scheme light|dark] [--out <file.png>]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { findChromium, launchChromium, missingChromiumMessage, openReport, saveScreenshot } from '../test/helpers/report-browser.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEMO = join(ROOT, 'dist', 'bundle', 'demo.js');
/** The browser window the report is opened in, in CSS px (the README shows it scaled down). */
const VIEWPORT = { width: 1280, height: 1400 };
/** The picture runs from the top of the page to just below the waterfall, at most this tall (CSS px). */
const MAX_HEIGHT = 2400;

function fail(message) {
  process.stderr.write(`screenshot: ${message}\n`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    report: { type: 'string', default: 'pages' },
    scheme: { type: 'string', default: 'light' },
    out: { type: 'string', default: join(ROOT, 'docs', 'report.png') },
  },
});
if (!['kinds', 'pages'].includes(values.report)) fail(`--report must be kinds or pages, not ${JSON.stringify(values.report)}`);
if (!['light', 'dark'].includes(values.scheme)) fail(`--scheme must be light or dark, not ${JSON.stringify(values.scheme)}`);
if (!existsSync(DEMO)) fail('dist/ is missing: run `npm run build` first (npm run screenshot does)');
const chromium = findChromium();
if (chromium === null) fail(missingChromiumMessage());

/** Runs `npm run demo` with its temporary folder under `tmp`; returns what it printed on stderr. */
function runDemo(tmp) {
  const env = { ...process.env, TMPDIR: tmp, NO_COLOR: '1' };
  for (const name of ['FORCE_COLOR', 'GITHUB_ACTIONS', 'GITHUB_STEP_SUMMARY']) delete env[name];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DEMO], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(stderr) : reject(new Error(`the demo exited with ${code}:\n${stderr.slice(-2000)}`))));
  });
}

const tmp = await mkdtemp(join(tmpdir(), 'urlcheck-screenshot-'));
let browser;
let height = VIEWPORT.height;
try {
  process.stderr.write('screenshot: running the demo (about 15 s)\n');
  const said = await runDemo(tmp);
  const report = [...said.matchAll(/^The HTML report: (\S+)/gm)].map(([, path]) => path).find((path) => path.endsWith(`/${values.report}.html`));
  if (report === undefined) throw new Error(`the demo named no ${values.report}.html report:\n${said.slice(-2000)}`);
  browser = await launchChromium({ executablePath: chromium });
  const opened = await openReport(browser, report, { colorScheme: values.scheme, viewport: VIEWPORT });
  try {
    const complaints = opened.complaints();
    if (complaints.length > 0) throw new Error(`the report misbehaved:\n  ${complaints.join('\n  ')}`);
    // From the counts at the top to the end of the waterfall (the sequential baseline included).
    const bottom = await opened.page.evaluate(() => {
      const waterfall = document.querySelector('#waterfall');
      return waterfall === null ? null : waterfall.getBoundingClientRect().bottom + window.scrollY;
    });
    if (bottom === null) throw new Error('the report has no #waterfall');
    height = Math.min(MAX_HEIGHT, Math.ceil(bottom) + 24);
    await opened.page.setViewportSize({ width: VIEWPORT.width, height });
    await saveScreenshot(opened.page, values.out, { fullPage: false });
  } finally {
    await opened.close();
  }
  const { size } = await stat(values.out);
  process.stderr.write(`screenshot: ${relative(process.cwd(), values.out) || values.out} (${(size / 1024).toFixed(0)} KiB) of the demo's ${values.report}.html, ${values.scheme}, ${VIEWPORT.width}×${height}\n`);
} catch (error) {
  process.stderr.write(`screenshot: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await browser?.close();
  await rm(tmp, { recursive: true, force: true });
}
