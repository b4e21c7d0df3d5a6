import { accessSync, constants, copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { ROOT } from '../../support/build.js';

/**
 * Debian's Chromium driven by playwright-core. Each user of a test gets a session: a fresh
 * browser context (its own storage, as a new browser profile) with one page, that records every
 * problem the page shows: a console error, an uncaught exception, a request to the app's origin
 * that failed or was answered 5xx, or 4xx unless the test said it expects that answer. A test
 * checks `session.problems` at its end (see `closeSessions`), so a console error fails it.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
];
export const VIEWPORT = { width: 1280, height: 800 };
/** How long a wait for a state may take: generous, since the machine is shared and slow. */
export const WAIT_MS = 45_000;
export const OUTPUT_DIR = join(ROOT, 'test-output', 'dashboard');
export const README_IMAGES_DIR = join(ROOT, 'docs', 'images');

export async function launchChromium(): Promise<Browser> {
  try {
    accessSync(CHROMIUM, constants.X_OK);
  } catch {
    // CI installs it (.ci/run); a missing browser is a failure, never a skipped test.
    throw new Error(`${CHROMIUM} is not an executable: the dashboard's browser tests need Debian's Chromium (apt-get install -y chromium; .ci/run installs it).`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

export interface ExpectedAnswer {
  status: number;
  method?: string;
  path: RegExp;
}

export interface Session {
  name: string;
  context: BrowserContext;
  page: Page;
  /** Everything wrong the page showed, as readable lines. */
  problems: string[];
  /** From now on, a `status` answer to a request whose path matches is expected, not a problem; call the result to stop expecting it. */
  expectAnswer(answer: ExpectedAnswer): () => void;
  close(): Promise<void>;
}

export async function openSession(browser: Browser, origin: string, name: string): Promise<Session> {
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, baseURL: origin });
  context.setDefaultTimeout(WAIT_MS);
  context.setDefaultNavigationTimeout(WAIT_MS);
  // Chromium's console line for a CSP violation does not say what was blocked: the event does.
  await context.addInitScript(() => {
    const g = globalThis as unknown as { addEventListener(type: string, fn: (e: Record<string, unknown>) => void): void; console: { error(...a: unknown[]): void } };
    g.addEventListener('securitypolicyviolation', (e) => {
      g.console.error(`CSP violation detail: ${String(e.violatedDirective)} blocked ${String(e.blockedURI) || 'inline'} sample=${JSON.stringify(e.sample)} at ${String(e.sourceFile)}:${String(e.lineNumber)}:${String(e.columnNumber)}`);
    });
  });
  const page = await context.newPage();
  const problems: string[] = [];
  const expected: ExpectedAnswer[] = [];
  const isExpected = (status: number, method: string, url: string) => {
    const path = new URL(url).pathname;
    return expected.some((e) => e.status === status && (!e.method || e.method === method) && e.path.test(path));
  };
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const at = msg.location().url;
    // Chromium logs "Failed to load resource: ... status of 403" for every 4xx/5xx answer; the
    // response handler below sees each answer from the app's origin and judges it (expected or not).
    if (/^Failed to load resource: the server responded with a status of \d+/.test(msg.text()) && at.startsWith(origin)) return;
    problems.push(`console error: ${msg.text()}${at ? ` (at ${at})` : ''}`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught exception: ${err.stack ?? err.message}`));
  page.on('requestfailed', (req) => {
    if (!req.url().startsWith(origin)) return;
    const failure = req.failure()?.errorText ?? 'failed';
    // The page itself cancelled it (a navigation or an unmounted query): not a failure of the app.
    if (failure === 'net::ERR_ABORTED') return;
    problems.push(`request failed: ${req.method()} ${req.url()}: ${failure}`);
  });
  page.on('response', (res) => {
    const url = res.url();
    if (!url.startsWith(origin) || res.status() < 400) return;
    const method = res.request().method();
    if (res.status() < 500 && isExpected(res.status(), method, url)) return;
    problems.push(`answer ${res.status()} to ${method} ${new URL(url).pathname}${new URL(url).search}`);
  });
  return {
    name, context, page, problems,
    expectAnswer: (answer) => {
      expected.push(answer);
      return () => { expected.splice(expected.indexOf(answer), 1); };
    },
    close: () => context.close(),
  };
}

/**
 * Saves what the page shows now as test-output/dashboard/<name>.png; with UPDATE_SCREENSHOTS=1
 * a README image (`readmeImage`, e.g. dashboard-prompt.png) is also written to docs/images/.
 */
export async function screenshot(page: Page, name: string, readmeImage?: string): Promise<string> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const file = join(OUTPUT_DIR, `${name}.png`);
  // Let fonts, images and the last state change settle into a frame before taking it.
  await page.evaluate(() => {
    // Typed by shape: the tests' TypeScript has no DOM library.
    const g = globalThis as unknown as { document: { fonts: { ready: Promise<unknown> } }; requestAnimationFrame(cb: () => void): void };
    return g.document.fonts.ready.then(() => new Promise<void>((r) => g.requestAnimationFrame(() => g.requestAnimationFrame(r))));
  });
  await page.screenshot({ path: file, fullPage: false, animations: 'disabled', caret: 'hide' });
  if (readmeImage && process.env.UPDATE_SCREENSHOTS === '1') {
    mkdirSync(README_IMAGES_DIR, { recursive: true });
    copyFileSync(file, join(README_IMAGES_DIR, readmeImage));
  }
  return file;
}

/** Waits until the locator has a visible match (its first); playwright-core's auto-waiting, without a timed assertion. */
export async function visible(locator: Locator, timeout = WAIT_MS): Promise<Locator> {
  const first = locator.filter({ visible: true }).first();
  await first.waitFor({ state: 'visible', timeout });
  return first;
}

/** Waits until no element matches the locator (or all matches are hidden). */
export async function gone(locator: Locator, timeout = WAIT_MS): Promise<void> {
  await locator.first().waitFor({ state: 'hidden', timeout });
}

export async function scrollToTop(page: Page): Promise<void> {
  await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
}
