/**
 * Fragments survive sign-in (issue 24): a fragment is never sent to a server, and a browser
 * carries it only across plain redirects; when the provider shows its form (a POST, a new
 * URL) it used to be lost. The sign-in start saves it in the tab's sessionStorage and the
 * callback restores it (lambdas/core/viewer/fragment-pages.ts). Regression: each tab below
 * landed on its path and query without its fragment. Screenshots in test-output/e2e/.
 */
import type { Page } from 'playwright-core';
import type { LocalStack } from '../../local/stack/stack';
import { describeWithChromium, screenshot, useChromium } from '../support/chromium';
import { testDynamoEndpoint } from '../support/dynamodb';
import { atIdpSignInForm, pastFragmentPages, startStack, submitIdpForm, whoLine } from './journey';

describeWithChromium('browser journeys: fragments survive sign-in', () => {
  const chromium = useChromium({ timeoutMs: 30_000 });
  let stack: LocalStack;
  let site: string;

  beforeAll(async () => {
    stack = await startStack({ dynamoEndpoint: testDynamoEndpoint() });
    site = stack.siteUrl;
  });
  afterAll(() => stack?.close());

  const fragments = ['#intro', '#section-2.3', '#a%20b?x=1&y=2', '#%3C/script%3E%22\'', '#:~:text=deep', '#'.concat('z'.repeat(500))];

  test('tabs at once, each with its own fragment, each through the IdP\'s form: every tab lands on its own fragment, none mixed', async () => {
    const { context } = chromium;
    const paths = fragments.map((f, i) => `/frag/${i}?tab=${i}${f}`);
    const tabs: Page[] = await Promise.all(paths.map(() => context.newPage()));
    await Promise.all(tabs.map((tab, i) => tab.goto(`${site}${paths[i]}`, { waitUntil: 'commit' })));
    for (const tab of tabs) expect(await atIdpSignInForm(tab, stack)).toBe(true);
    // Confirmed in reverse order: the callbacks do not come in the order the tabs started.
    for (const tab of [...tabs].reverse()) await submitIdpForm(tab, stack, { email: 'frag@example.com' });
    for (const tab of tabs) await pastFragmentPages(tab);
    // A text fragment directive (`:~:`) is never exposed to a page's script, by design
    // (https://wicg.github.io/scroll-to-text-fragment/#the-fragment-directive): it cannot be saved.
    expect(tabs.map((tab) => tab.url())).toEqual(paths.map((p) => `${site}${p.replace(/#:~:.*$/, '')}`));
    for (const tab of tabs) {
      expect(await whoLine(tab)).toContain('frag@example.com');
      // The saved fragment is removed once restored.
      expect(await tab.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('edge-oauth-fragment:')))).toEqual([]);
    }
    await screenshot(tabs[0]!, 'fragments-landed');
    await Promise.all(tabs.map((tab) => tab.close()));
  }, 120_000);

  test('the start page shows nothing while it moves on (its one script runs under its CSP hash)', async () => {
    const { browser } = chromium;
    const fresh = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    try {
      const tab = await fresh.newPage();
      const csp: string[] = [];
      tab.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) csp.push(m.text());
      });
      // The way to the IdP answers 204 once: a browser then stays on the page it is leaving
      // (the start page), to be looked at (its parser stopped when the script navigated: nothing
      // past the script is ever shown). Then a reload goes through.
      await tab.route(`${stack.idp!.issuer}/**`, (route) => route.fulfill({ status: 204 }), { times: 1 });
      const answer = await tab.goto(`${site}/held/page#kept`, { waitUntil: 'commit' });
      expect(answer!.status()).toBe(200);
      await tab.waitForTimeout(1500);
      expect(tab.url()).toBe(`${site}/held/page#kept`);
      expect(await tab.evaluate(() => [document.documentElement.innerText.trim(), Object.values(sessionStorage)])).toEqual(['', ['#kept']]);
      // Chromium paints no frame for a document whose parser stopped in its head (a screenshot
      // waits forever). To look at the page anyway: the same response, its script's target
      // made a fragment of itself (a same-document navigation does not stop the parser); the
      // script is unchanged, so it still runs under the CSP hash, and the page renders in full.
      const shown = await fresh.newPage();
      await shown.route((url) => url.pathname === "/shown/page", async (route) => {
        // route.fetch() sends no Fetch Metadata of its own: a browser's page load says these.
        const real = await route.fetch({ maxRedirects: 0, headers: { ...route.request().headers(), 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' } });
        expect(real.status()).toBe(200);
        await route.fulfill({ response: real, body: (await real.text()).replace(/data-u="[^"]*"/, 'data-u="#moved-on"') });
      });
      await shown.goto(`${site}/shown/page#kept`, { waitUntil: 'load' });
      await shown.waitForFunction(() => location.hash === "#moved-on", undefined, { timeout: 5000 }).catch(async () => { throw new Error(`${shown.url()} ${await shown.content()}`); });
      expect(await shown.evaluate(() => [document.body.innerText.trim(), Object.values(sessionStorage)])).toEqual(['', ['#kept']]);
      await screenshot(shown, 'fragment-start-page');
      await tab.reload({ waitUntil: 'commit' });
      await submitIdpForm(tab, stack, { email: 'held@example.com' });
      await pastFragmentPages(tab);
      expect(tab.url()).toBe(`${site}/held/page#kept`);
      expect(csp).toEqual([]);
    } finally {
      await fresh.close();
    }
  }, 60_000);

  test('with JavaScript off the sign-in still completes (without the fragment)', async () => {
    const { browser } = chromium;
    const noJs = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1000, height: 700 } });
    try {
      const tab = await noJs.newPage();
      await tab.goto(`${site}/nojs/page?a=1#lost`);
      await tab.waitForURL((url) => url.origin === stack.idp!.issuer && url.pathname.startsWith('/interaction/'), { waitUntil: 'load' });
      await tab.fill('input[name="email"]', 'nojs@example.com');
      await Promise.all([
        tab.waitForURL(`${site}/nojs/page?a=1`, { waitUntil: 'load', timeout: 15_000 }),
        tab.click('button[type="submit"]'),
      ]);
      expect(await tab.locator('body').innerText()).toContain('nojs@example.com');
    } finally {
      await noJs.close();
    }
  }, 60_000);
});
