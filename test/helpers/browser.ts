import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { findChromium, launchChromium, missingChromiumMessage } from './report-browser.mjs';

export { openReport, saveScreenshot, type OpenedReport } from './report-browser.mjs';

/** Screenshots and other files a person may want to look at after a run (gitignored). */
export const ARTIFACTS_DIR = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

/** The Chromium the browser tests drive ($CHROMIUM_PATH or /usr/bin/chromium), or null. */
export const CHROMIUM = findChromium();

/**
 * Whether the browser tests skip: only on a developer's machine without Chromium. Under CI
 * (`CI` set, as `.ci/run` is run) a missing Chromium fails the tests instead, because CI
 * installs it and a skip there would hide a broken install.
 */
export const SKIP_BROWSER = CHROMIUM === null && !process.env.CI;

if (SKIP_BROWSER) console.warn(`browser tests skipped: ${missingChromiumMessage()}`);

/**
 * Launches headless Chromium once for the file's tests and closes it afterwards. Fails (never
 * skips) when Chromium is missing; pair with `describe.skipIf(SKIP_BROWSER)`.
 */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (SKIP_BROWSER) return;
    if (CHROMIUM === null) throw new Error(missingChromiumMessage());
    browser = await launchChromium({ executablePath: CHROMIUM });
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (browser === undefined) throw new Error('Chromium was not launched');
    return browser;
  };
}
