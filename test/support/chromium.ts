/**
 * Real-browser tests: playwright-core driving Debian's Chromium (`/usr/bin/chromium`,
 * headless, a fresh profile per test). Never a browser download.
 *
 *  - `describeWithChromium(name, fn)`: the suite runs when Chromium is installed. Without
 *    it the suite is skipped with a message saying how to install it — except when `CI` is
 *    set, where a missing Chromium is a failing test (CI must run the browser journeys).
 *  - `useChromium()`: one browser per test file, a fresh BrowserContext (its own cookie jar,
 *    cache and storage: a new profile, in effect) per test, closed after it.
 *  - `NavigationLog`: every main-frame navigation request, redirect hops included, to count
 *    them (redirect loops) and to see where the browser went.
 *  - `screenshot(page, name)`: test-output/e2e/<name>.png (test-output/ is git-ignored).
 *
 * EDGE_OAUTH_CHROMIUM overrides the executable path (e.g. another Chromium build).
 */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';

export const CHROMIUM_PATH = process.env.EDGE_OAUTH_CHROMIUM || '/usr/bin/chromium';
export const INSTALL_HINT = 'apt-get install -y chromium';

/** The flags that work on this kind of machine (docs/development.md › Chromium). */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const SCREENSHOT_DIR = resolve(__dirname, '../../test-output/e2e');

export type ChromiumStatus = { readonly available: true } | { readonly available: false; readonly why: string };

export function chromiumStatus(path = CHROMIUM_PATH): ChromiumStatus {
  try {
    if (!statSync(path).isFile()) return { available: false, why: `${path} is not a file` };
    accessSync(path, constants.X_OK);
    return { available: true };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { available: false, why: code === 'ENOENT' ? `${path} not found` : `${path} is not executable (${code})` };
  }
}

/** `CI` set to anything but "", "0" or "false". */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI;
  return ci !== undefined && !['', '0', 'false'].includes(ci.trim().toLowerCase());
}

/**
 * `describe` for browser suites. Chromium present: runs `fn`. Missing: skipped with a
 * message (install hint), or — when CI is set — one failing test that says why.
 */
export function describeWithChromium(name: string, fn: () => void): void {
  const status = chromiumStatus();
  if (status.available) {
    describe(name, fn);
    return;
  }
  const message = `Chromium is required for the browser journeys (${status.why}). Install it with: ${INSTALL_HINT}`;
  if (isCi()) {
    describe(name, () => {
      test('Chromium is installed (required when CI is set)', () => {
        throw new Error(`${message} — CI is set, so a missing Chromium fails the run.`);
      });
    });
    return;
  }
  console.warn(`[e2e] skipping "${name}": ${message}`);
  describe.skip(name, fn);
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS] });
}

export interface ChromiumFixture {
  /** The file's browser (launched in beforeAll). */
  readonly browser: Browser;
  /** This test's fresh context (created in beforeEach, closed in afterEach). */
  readonly context: BrowserContext;
  /** A first page in that context. */
  readonly page: Page;
}

/** Registers beforeAll/afterAll (browser) and beforeEach/afterEach (fresh context + page). */
export function useChromium(options: { timeoutMs?: number } = {}): ChromiumFixture {
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  const timeout = options.timeoutMs ?? 10_000;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    context = await browser!.newContext({ viewport: { width: 1000, height: 700 } });
    context.setDefaultTimeout(timeout);
    context.setDefaultNavigationTimeout(timeout);
    page = await context.newPage();
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
    page = undefined;
  });

  const must = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`chromium fixture: no ${what} (use it inside a test)`);
    return value;
  };
  return {
    get browser() {
      return must(browser, 'browser');
    },
    get context() {
      return must(context, 'context');
    },
    get page() {
      return must(page, 'page');
    },
  };
}

export interface NavigationEntry {
  readonly method: string;
  readonly url: URL;
  /** The request this one was redirected from (a redirect hop). */
  readonly redirected: boolean;
}

/** Every navigation request of a page's main frame, in order, redirect hops included. */
export class NavigationLog {
  readonly entries: NavigationEntry[] = [];
  private readonly listener: (request: Request) => void;

  constructor(private readonly page: Page) {
    this.listener = (request) => {
      if (!request.isNavigationRequest() || request.frame() !== page.mainFrame()) return;
      this.entries.push({ method: request.method(), url: new URL(request.url()), redirected: request.redirectedFrom() !== null });
    };
    page.on('request', this.listener);
  }

  get count(): number {
    return this.entries.length;
  }

  /** Entries on this origin (optionally with this path). */
  to(origin: string, pathname?: string): NavigationEntry[] {
    return this.entries.filter((e) => e.url.origin === origin && (pathname === undefined || e.url.pathname === pathname));
  }

  clear(): void {
    this.entries.length = 0;
  }

  stop(): void {
    this.page.off('request', this.listener);
  }

  /** One line per hop, for failure messages. */
  toString(): string {
    return this.entries.map((e) => `${e.method} ${e.url.href}${e.redirected ? ' (redirect)' : ''}`).join('\n');
  }
}

/**
 * Blocks requests whose URL matches one of `patterns` (`*` wildcards) in Chromium's network
 * stack (CDP Network.setBlockedURLs). Unlike page.route(), this also catches the browser's
 * own /favicon.ico requests, which fire after load at unpredictable times.
 */
export async function blockRequests(page: Page, patterns: readonly string[]): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setBlockedURLs', { urls: [...patterns] });
}

/** Full-page screenshot to test-output/e2e/<name>.png; returns the path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
