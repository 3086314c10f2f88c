// Types for report-browser.mjs (plain ESM, shared with the bench and `npm run screenshot`).
import type { Browser, Page } from 'playwright-core';

/** Where Debian's `chromium` package puts the browser. */
export declare const DEFAULT_CHROMIUM: string;
/** How long a report may take to load and render before the harness gives up, in milliseconds. */
export declare const RENDER_LIMIT_MS: number;

/** `$CHROMIUM_PATH` when set, else {@link DEFAULT_CHROMIUM}; null when that file does not exist. */
export declare function findChromium(env?: Record<string, string | undefined>): string | null;
/** The one line said when no Chromium is found. */
export declare function missingChromiumMessage(env?: Record<string, string | undefined>): string;
/** Headless Chromium; --no-sandbox only when running as root. */
export declare function launchChromium(options?: { executablePath?: string }): Promise<Browser>;

/** What went wrong while a report was open. */
export interface ReportProblems {
  consoleErrors: string[];
  pageErrors: string[];
  dialogs: string[];
  /** Every request other than the report file itself. */
  otherRequests: string[];
}

/** A report opened and rendered in its own offline context. */
export interface OpenedReport {
  page: Page;
  /** The report's file:// URL. */
  url: string;
  /** The first render, in milliseconds since navigation start (`window.__urlcheckRenderMs`). */
  renderMs: number;
  problems: ReportProblems;
  /** Every problem, one line each; empty when none. */
  complaints(): string[];
  close(): Promise<void>;
}

export declare function openReport(
  browser: Browser,
  path: string,
  options?: { colorScheme?: 'light' | 'dark'; viewport?: { width: number; height: number } },
): Promise<OpenedReport>;

/** Saves a PNG of the page (the whole page unless `fullPage: false`); returns its path. */
export declare function saveScreenshot(page: Page, path: string, options?: { fullPage?: boolean }): Promise<string>;

/** Opens the report `loads` times, each fresh: every first-render time (ms) and their median. */
export declare function measureFirstRender(browser: Browser, path: string, loads: number): Promise<{ times: number[]; medianMs: number }>;
