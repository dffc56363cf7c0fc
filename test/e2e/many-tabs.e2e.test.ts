/**
 * Many tabs, one browser (issue 24): a browser that restores its last session opens every
 * tab at once, all without a session. Regression: flow cookies were one of four fixed names
 * picked from the return path's hash; tabs that started at once overwrote each other's, and
 * one tab of three ended on a 400 at /auth/callback with its deep link lost. Now each
 * attempt has its own small cookie and its sealed state knows where its tab was going
 * (lambdas/core/sign-in/flow.ts). On the local stack `npm start` runs; screenshots in
 * test-output/e2e/.
 */
import type { BrowserContext, Page } from 'playwright-core';
import type { LocalStack } from '../../local/stack/stack';
import { MAX_PENDING_FLOWS } from '../../lambdas/core/sign-in/flow';
import { describeWithChromium, screenshot, useChromium } from '../support/chromium';
import { testDynamoEndpoint } from '../support/dynamodb';
import { atIdpSignInForm, pastFragmentPages, siteCookies, startStack, submitIdpForm, whoLine } from './journey';

describeWithChromium('browser journeys: many tabs, one browser', () => {
  const chromium = useChromium({ timeoutMs: 30_000 });
  let stack: LocalStack;
  let site: string;
  let offsetMs = 0;

  beforeAll(async () => {
    stack = await startStack({ dynamoEndpoint: testDynamoEndpoint(), clock: () => Date.now() + offsetMs });
    site = stack.siteUrl;
  });
  afterAll(() => stack?.close());
  afterEach(() => {
    offsetMs = 0;
  });

  const links = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `/${tag}/${i}/report?id=${i}&q=a%20b#part-${i}`);
  const withoutFragment = (link: string) => link.split('#')[0]!;
  const flowCookies = async (context: BrowserContext) => (await siteCookies(context, stack)).filter((c) => c.name.startsWith(`${stack.config.session.cookiePrefix}-flow-`));

  /** Opens every link in its own tab, all navigations started together (as a browser restoring its tabs). */
  async function openAtOnce(context: BrowserContext, paths: readonly string[]): Promise<Page[]> {
    const tabs = await Promise.all(paths.map(() => context.newPage()));
    await Promise.all(tabs.map((tab, i) => tab.goto(`${site}${paths[i]}`, { waitUntil: 'commit' })));
    return tabs;
  }

  /**
   * One sign-in at the IdP in the first tab; then the person goes through the other tabs, each
   * showing the IdP (the dev IdP's form stands for Google's account chooser, one click). One
   * after another: oidc-provider's own session cookie does not survive ten logins racing.
   */
  async function confirmAll(tabs: readonly Page[], email: string): Promise<void> {
    for (const tab of tabs) expect(await atIdpSignInForm(tab, stack)).toBe(true);
    for (const tab of tabs) await submitIdpForm(tab, stack, { email, name: 'Many Tabs' });
  }

  /**
   * Then, with the IdP signed in and the site signed out (the session cookie gone), the same
   * tabs at once again: their callbacks race. The dev IdP (oidc-provider) answers only some
   * of the racing tabs silently (its session cookie races too) and shows the others its form:
   * those are confirmed. Every tab keeps its fragment (lambdas/core/viewer/fragment-pages.ts).
   */
  async function silentlyAtOnce(context: BrowserContext, paths: readonly string[]): Promise<Page[]> {
    await context.clearCookies({ name: stack.config.session.cookiePrefix });
    const callbacks: number[] = [];
    context.on('response', (r) => {
      if (new URL(r.url()).pathname === '/auth/callback') callbacks.push(r.status());
    });
    const tabs = await openAtOnce(context, paths);
    const onSite = (url: URL) => url.origin === site && !url.pathname.startsWith('/auth/');
    const arrived = async (tab: Page) => {
      await tab.waitForURL(onSite, { waitUntil: 'load', timeout: 15_000 });
      await pastFragmentPages(tab); // the start's page is on the site too, for an instant
      await tab.waitForURL(onSite, { waitUntil: 'load', timeout: 15_000 });
    };
    const atIdp = (url: URL) => url.origin === stack.idp!.issuer && url.pathname.startsWith('/interaction/');
    await Promise.all(tabs.map((tab) => arrived(tab).catch(() => undefined)));
    const silent = tabs.map((tab) => onSite(new URL(tab.url())));
    expect(silent.filter(Boolean).length).toBeGreaterThan(0);
    // The others (at the IdP's form, or left on one of its pages by its own race): the person reloads the tab and confirms.
    const confirmed = tabs.map(() => false);
    for (const [i, tab] of tabs.entries()) {
      if (silent[i]) continue;
      await tab.goto(`${site}${paths[i]}`, { waitUntil: 'load' });
      await pastFragmentPages(tab);
      if (atIdp(new URL(tab.url()))) {
        confirmed[i] = true;
        await submitIdpForm(tab, stack, { email: 'x@example.com' });
      } else await arrived(tab);
    }
    // A browser's callback is the page that restores the fragment (200), never an error page.
    expect({ callbacks: callbacks.filter((s) => s !== 200), urls: tabs.map((t) => t.url()) }).toEqual({ callbacks: [], urls: paths.map((p) => `${site}${p}`) });
    return tabs;
  }

  async function expectEachOnItsLink(tabs: readonly Page[], paths: readonly string[], email: string, fragments: boolean): Promise<void> {
    const landed = tabs.map((tab) => tab.url());
    expect(landed).toEqual(paths.map((p) => `${site}${fragments ? p : withoutFragment(p)}`));
    for (const tab of tabs) expect(await whoLine(tab)).toContain(email);
  }

  test('ten tabs at once, each with its own deep link: every tab lands on it; then ten silent sign-ins at once keep fragments too', async () => {
    const { context, page } = chromium;
    const first = links(10, 'ten');
    const tabs = await openAtOnce(context, first);
    for (const tab of tabs) expect(await atIdpSignInForm(tab, stack)).toBe(true);
    expect(new Set((await flowCookies(context)).map((c) => c.name)).size).toBe(10); // one per tab, none overwritten
    await screenshot(tabs[3]!, 'ten-tabs-at-idp');

    await confirmAll(tabs, 'ten@example.com');
    // Each tab that showed the IdP's form (a POST, a new URL) lands on its path, query and fragment.
    await expectEachOnItsLink(tabs, first, 'ten@example.com', true);
    expect(await flowCookies(context)).toEqual([]);
    await screenshot(tabs[9]!, 'ten-tabs-landed');
    await Promise.all(tabs.map((tab) => tab.close()));

    const again = links(10, 'silent');
    const silent = await silentlyAtOnce(context, again);
    for (const tab of silent) expect(await whoLine(tab)).toContain('@example.com');
    // Attempts abandoned by a reload stay pending until they expire or a start evicts them.
    expect((await flowCookies(context)).length).toBeLessThanOrEqual(MAX_PENDING_FLOWS);
    void page;
  }, 180_000);

  test('three tabs at once, signed in at the IdP nine minutes later: all three land; then three silent ones', async () => {
    const { context } = chromium;
    const first = links(3, 'three');
    const tabs = await openAtOnce(context, first);
    for (const tab of tabs) expect(await atIdpSignInForm(tab, stack)).toBe(true);
    offsetMs = 9 * 60_000; // the edge's clock: the attempts are 9 minutes old at their callbacks
    await confirmAll(tabs, 'three@example.com');
    await expectEachOnItsLink(tabs, first, 'three@example.com', true);
    offsetMs = 0;
    await Promise.all(tabs.map((tab) => tab.close()));
    const again = links(3, 'three-silent');
    for (const tab of await silentlyAtOnce(context, again)) expect(await whoLine(tab)).toContain('@example.com');
  }, 120_000);

  test('no dead end: a callback opened where its attempt is unknown starts a fresh sign-in back to its deep link', async () => {
    const { browser, page } = chromium;
    // The IdP's answer for one tab, then opened in another browser (where no attempt is pending).
    let callbackUrl = '';
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/auth/callback') callbackUrl = r.url();
    });
    await page.goto(`${site}/lost/deep?x=1`);
    await submitIdpForm(page, stack, { email: 'lost@example.com' });
    expect(callbackUrl).toContain('/auth/callback?');

    const other = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    try {
      const tab = await other.newPage();
      const answer = await tab.goto(callbackUrl, { waitUntil: 'commit' });
      expect(answer!.status()).toBe(400);
      const body = await answer!.text();
      expect(body).toContain('<h1>Continuing your sign-in</h1>');
      expect(body).toContain('href="/auth/login?provider=dev&amp;rd=%2Flost%2Fdeep%3Fx%3D1&amp;retry=1"');
      // The page as Chromium shows it (it moves on by itself after a second: rendered apart, to look at it).
      const shot = await other.newPage();
      await shot.setContent(body.replace(/<meta http-equiv="refresh"[^>]*>/, ''));
      await screenshot(shot, 'no-dead-end');
      // By itself, a moment later: a fresh sign-in at the IdP (this browser has no IdP session).
      await tab.waitForURL((url) => url.origin === stack.idp!.issuer && url.pathname.startsWith('/interaction/'), { waitUntil: 'load' });
      expect(await atIdpSignInForm(tab, stack)).toBe(true);
      await submitIdpForm(tab, stack, { email: 'lost@example.com' });
      expect(tab.url()).toBe(`${site}/lost/deep?x=1`);
    } finally {
      await other.close();
    }
  }, 60_000);

  test('a hostile page (frames, prefetches, popups, images, a navigation loop) leaves at most MAX_PENDING_FLOWS pending; the next sign-in works', async () => {
    const { page, context } = chromium;
    const callbacks: number[] = [];
    context.on('response', (r) => {
      if (new URL(r.url()).pathname === '/auth/callback') callbacks.push(r.status());
    });
    await page.goto(`${site}/hostile`);
    await submitIdpForm(page, stack, { email: 'hostile@example.com' });
    await page.evaluate(async () => {
      await fetch('/auth/logout'); // signed out under the page (as from another tab)
      const waits: Promise<unknown>[] = [];
      for (let i = 0; i < 40; i++) {
        const frame = document.createElement('iframe');
        frame.src = `/frame/${i}`;
        waits.push(new Promise((resolve) => { frame.onload = resolve; setTimeout(resolve, 3000); }));
        document.body.append(frame);
        const img = new Image();
        img.src = `/img/${i}.png`;
        window.open(`/popup/${i}`); // no user gesture: the popup blocker says no
      }
      const rules = document.createElement('script');
      rules.type = 'speculationrules';
      rules.textContent = JSON.stringify({ prefetch: [{ source: 'list', urls: Array.from({ length: 20 }, (_, i) => `/prefetch/${i}`) }], prerender: [{ source: 'list', urls: ['/prerender/0'] }] });
      document.head.append(rules);
      await Promise.all(waits);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    });
    // A page that navigates itself over and over, then stops.
    // (Each start's page moves on by itself: the next load may interrupt that, as a loop does.)
    const interrupted = (e: unknown) => {
      if (!/interrupted by another navigation/.test(String(e))) throw e;
      return false;
    };
    for (let i = 0; i < MAX_PENDING_FLOWS + 8; i++) await page.goto(`${site}/loop/${i}?${'q'.repeat(1500)}`, { waitUntil: 'commit' }).catch(interrupted);
    const flows = await flowCookies(context);
    expect(flows.length).toBeLessThanOrEqual(MAX_PENDING_FLOWS);

    // The IdP still has its session: straight back if signed out. (The loop's last attempt may
    // still be moving on by itself and interrupt this load once: then it is loaded again.)
    for (let i = 0; i < 3; i++) if (await page.goto(`${site}/after-hostile`).then(() => true, interrupted)) break;
    // (unless the loop's interrupted attempts left the dev IdP asking again: the person confirms)
    if (await atIdpSignInForm(page, stack)) await submitIdpForm(page, stack, { email: 'hostile@example.com' });
    await page.waitForURL(`${site}/after-hostile`);
    // Every callback (the loop's silent sign-ins included) went through: never a 413. A 400 is
    // the lost-attempt page ("Continuing your sign-in") of an attempt the loop itself evicted
    // while its start page was moving on to the IdP (sign-in/callback.ts: no dead end).
    expect(callbacks.length).toBeGreaterThan(0);
    expect(callbacks.filter((s) => s !== 200 && s !== 302 && s !== 400)).toEqual([]);
    expect(await whoLine(page)).toContain('hostile@example.com');
  }, 120_000);
});
