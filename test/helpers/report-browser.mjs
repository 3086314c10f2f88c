// The browser harness for urlcheck's HTML report, in plain ESM so that the tests (through
// browser.ts), `npm run screenshot` and the bench's H1 all open reports the same way: Debian's
// chromium (or $CHROMIUM_PATH) driven by playwright-core, which downloads no browser of its own.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Where Debian's `chromium` package puts the browser (`.ci/run` installs it when missing). */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** How long a report may take to load and render before the harness gives up, in milliseconds. */
export const RENDER_LIMIT_MS = 60_000;

/**
 * The Chromium to run: `$CHROMIUM_PATH` when set, else {@link DEFAULT_CHROMIUM}; null when that
 * file does not exist.
 * @param {Record<string, string | undefined>} [env]
 * @returns {string | null}
 */
export function findChromium(env = process.env) {
  const path = env.CHROMIUM_PATH || DEFAULT_CHROMIUM;
  return existsSync(path) ? path : null;
}

/** The one line said when no Chromium is found, naming where it was looked for and how to get one. */
export function missingChromiumMessage(env = process.env) {
  const where = env.CHROMIUM_PATH ? `CHROMIUM_PATH=${env.CHROMIUM_PATH}` : DEFAULT_CHROMIUM;
  return `Chromium not found at ${where}: install Debian's chromium (apt-get install chromium; .ci/run does) or set CHROMIUM_PATH to a Chromium or Chrome binary`;
}

/**
 * Launches headless Chromium. Root (CI, containers) cannot use Chromium's sandbox, so it runs
 * with --no-sandbox there and sandboxed otherwise.
 * @param {{ executablePath?: string }} [options]
 */
export async function launchChromium(options = {}) {
  const executablePath = options.executablePath ?? findChromium();
  if (executablePath === null) throw new Error(missingChromiumMessage());
  // Loaded here, not at the top: importing this file costs nothing until a browser is wanted.
  const { chromium } = await import('playwright-core');
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return chromium.launch({ executablePath, headless: true, args: asRoot ? ['--no-sandbox'] : [] });
}

/**
 * Opens the report file at `path` in a new, offline browser context and waits for its first
 * render (`<html data-rendered="1">`). Everything that would show the report misbehaving is
 * recorded from before the navigation: console errors, uncaught exceptions, dialogs, and every
 * request other than the file itself.
 *
 * `renderMs` is the report's own `window.__urlcheckRenderMs` (performance.now() at its first
 * render, so milliseconds since navigation start); when the report sets none, the time at which
 * the harness saw `data-rendered`, which is later.
 *
 * @param {import('playwright-core').Browser} browser
 * @param {string} path
 * @param {{ colorScheme?: 'light' | 'dark', viewport?: { width: number, height: number } }} [options]
 */
export async function openReport(browser, path, options = {}) {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 900 },
    colorScheme: options.colorScheme ?? 'light',
    // A report must open without a network; offline also keeps a leaking one from reaching out.
    offline: true,
  });
  const page = await context.newPage();
  const url = pathToFileURL(path).href;
  const problems = { consoleErrors: [], pageErrors: [], dialogs: [], otherRequests: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') problems.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => problems.pageErrors.push(String(error?.stack ?? error)));
  page.on('dialog', (dialog) => {
    problems.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss().catch(() => {});
  });
  page.on('request', (request) => {
    if (request.url() !== url) problems.otherRequests.push(request.url());
  });
  try {
    await page.goto(url, { waitUntil: 'load', timeout: RENDER_LIMIT_MS });
    await page.waitForFunction(() => document.documentElement.dataset.rendered === '1', null, { timeout: RENDER_LIMIT_MS, polling: 10 });
  } catch (error) {
    await context.close();
    const seen = [...problems.pageErrors, ...problems.consoleErrors].slice(0, 3).join('; ');
    throw new Error(`the report ${path} did not render: ${error.message.split('\n')[0]}${seen ? ` (page said: ${seen})` : ''}`);
  }
  const renderMs = await page.evaluate(() => {
    const reported = /** @type {{ __urlcheckRenderMs?: unknown }} */ (window).__urlcheckRenderMs;
    return typeof reported === 'number' ? reported : performance.now();
  });
  return {
    page,
    url,
    renderMs,
    problems,
    /** Everything that went wrong while the page was open, one line each; empty when nothing did. */
    complaints: () => [
      ...problems.consoleErrors.map((text) => `console error: ${text}`),
      ...problems.pageErrors.map((text) => `uncaught: ${text}`),
      ...problems.dialogs.map((text) => `dialog: ${text}`),
      ...problems.otherRequests.map((text) => `request: ${text}`),
    ],
    close: () => context.close(),
  };
}

/**
 * Saves a PNG of the page at `path` (folders made as needed).
 * @param {import('playwright-core').Page} page
 * @param {string} path
 * @param {{ fullPage?: boolean }} [options]
 */
export async function saveScreenshot(page, path, options = {}) {
  await mkdir(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage: options.fullPage ?? true, animations: 'disabled' });
  return path;
}

/**
 * Opens the report `loads` times, each in a fresh context, and returns every first-render time
 * (ms since navigation start) and their median.
 * @param {import('playwright-core').Browser} browser
 * @param {string} path
 * @param {number} loads
 */
export async function measureFirstRender(browser, path, loads) {
  const times = [];
  for (let i = 0; i < loads; i += 1) {
    const opened = await openReport(browser, path);
    const complaints = opened.complaints();
    times.push(opened.renderMs);
    await opened.close();
    if (complaints.length > 0) throw new Error(`the report ${path} misbehaved: ${complaints.slice(0, 3).join('; ')}`);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const medianMs = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { times, medianMs };
}
