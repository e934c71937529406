import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`); .ci/run installs it when missing. */
export const CHROMIUM = process.env.TIDEMARK_TEST_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(import.meta.dirname, '..', '..', '..', 'test-output', 'screenshots');

export const DESKTOP = { width: 1280, height: 800 } as const;
export const PHONE = { width: 390, height: 844 } as const;

/**
 * Headless Chromium for the UI tests. Without the background-networking flags Chromium keeps
 * trying to reach Google's hosts, which this machine's closed network refuses.
 */
export function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `the UI tests need Chromium at ${CHROMIUM}: install it with "apt-get install -y chromium" ` +
        '(.ci/run does), or point TIDEMARK_TEST_CHROMIUM at another one',
    );
  }
  // Playwright gives it a new empty profile of its own.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** An HTTP answer of 400 or more that the page received. */
export interface FailedResponse {
  readonly status: number;
  readonly method: string;
  readonly path: string;
}

/**
 * A page that records what went wrong in it: uncaught exceptions and console errors (`problems`),
 * and every API answer of 400 or more (`failedResponses`). Chromium also logs each such answer as
 * a console error ("Failed to load resource"); those are judged through `failedResponses`, where a
 * test can tell an expected refusal (a lost compare-and-set) from a defect.
 */
export class WatchedPage {
  readonly problems: string[] = [];
  readonly failedResponses: FailedResponse[] = [];
  /** The messages of the confirm() dialogs the page opened (each accepted). */
  readonly dialogs: string[] = [];

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
  ) {
    // Every confirm() of the UI (delete, clear, restore) is accepted.
    page.on('dialog', (dialog) => {
      this.dialogs.push(dialog.message());
      void dialog.accept();
    });
    page.on('pageerror', (error) => this.problems.push(`uncaught: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      if (message.text().startsWith('Failed to load resource: the server responded with a status of')) return;
      this.problems.push(`console.error: ${message.text()}`);
    });
    page.on('response', (response) => {
      if (response.status() < 400) return;
      const url = new URL(response.url());
      this.failedResponses.push({ status: response.status(), method: response.request().method(), path: url.pathname });
    });
  }

  static async open(
    browser: Browser,
    baseUrl: string,
    viewport: { width: number; height: number },
    colorScheme: 'light' | 'dark' = 'light',
  ) {
    const context = await browser.newContext({ viewport, baseURL: baseUrl, colorScheme });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    return new WatchedPage(context, page);
  }

  async screenshot(name: string): Promise<void> {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await this.page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
  }

  close(): Promise<void> {
    return this.context.close();
  }
}
