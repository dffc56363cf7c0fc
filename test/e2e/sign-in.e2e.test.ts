/**
 * Real-browser journeys through the local stack (the same one `npm start` runs): Chromium
 * signs in at the dev IdP, is turned away by the allow-list, signs out, re-authenticates,
 * and signs in from two tabs at once. Screenshots: test-output/e2e/.
 */
import type { LocalStack } from '../../local/stack/stack';
import { describeWithChromium, NavigationLog, screenshot, useChromium } from '../support/chromium';
import { MAX_PENDING_FLOWS } from '../../lambdas/core/sign-in/flow';
import { testDynamoEndpoint } from '../support/dynamodb';
import { atIdpSignInForm, fetchEcho, sessionCookie, signIn, siteCookies, startStack, submitIdpForm, waitForSite, whoLine } from './journey';

describeWithChromium('browser journeys: sign-in through the edge', () => {
  const chromium = useChromium();
  let stack: LocalStack;
  let site: string;
  let issuer: string;

  beforeAll(async () => {
    stack = await startStack({
      dynamoEndpoint: testDynamoEndpoint(),
      devConfig: { allow: { emails: ['guest@partner.test'], emailDomains: ['example.com'] } },
    });
    site = stack.siteUrl;
    issuer = stack.idp!.issuer;
  });
  afterAll(() => stack?.close());

  /** Navigations to the IdP's authorization endpoint (each one is a sign-in started by the edge). */
  const authorizations = (nav: NavigationLog) => nav.to(issuer, '/auth');

  test('sign in with the dev IdP: the origin shows the identity; Chromium keeps the Secure session cookie on http://127.0.0.1', async () => {
    const { page, context } = chromium;
    const nav = new NavigationLog(page);
    await page.goto(`${site}/`);
    expect(await atIdpSignInForm(page, stack)).toBe(true);
    await screenshot(page, 'idp-sign-in');

    await submitIdpForm(page, stack, { email: 'Ada@Example.com', name: 'Ada Lovelace' });
    expect(page.url()).toBe(`${site}/`);
    const account = stack.idp!.accounts.findByEmail('ada@example.com')!;
    expect(await whoLine(page)).toBe(`Signed in as Ada Lovelace ada@example.com via dev (user id ${account.sub})`);
    await screenshot(page, 'signed-in');
    expect(await page.locator('p.invalid').count()).toBe(0); // the origin's identity-assertion check, when it has one

    // site → IdP authorize → interaction (form), then form POST → ... → /auth/callback → /
    expect(authorizations(nav)).toHaveLength(1); // one sign-in started (its resumes are /auth/<uid>)
    expect(nav.to(site, '/auth/callback')).toHaveLength(1);

    // The cookie as Chromium stored it: Secure is accepted on http://127.0.0.1 (a potentially
    // trustworthy origin), HttpOnly, SameSite=Lax, host-only (no leading dot), Path=/.
    const cookie = await sessionCookie(context, stack);
    expect(cookie).toMatchObject({ domain: '127.0.0.1', path: '/', secure: true, httpOnly: true, sameSite: 'Lax' });
    expect(cookie!.expires).toBeGreaterThan(Date.now() / 1000 + 86400); // no maximum duration: a long-lived cookie
    // The one-time flow cookie is gone; the IdP's cookies stay on the IdP's host name.
    expect((await siteCookies(context, stack)).map((c) => c.name)).toEqual([stack.config.session.cookiePrefix]);
    expect((await context.cookies(issuer)).length).toBeGreaterThan(0);
    expect(await page.evaluate(() => document.cookie)).toBe(''); // HttpOnly: invisible to scripts

    // ...and Chromium sends it back: a reload goes straight to the origin, no IdP.
    nav.clear();
    await page.reload();
    expect(nav.entries.map((e) => e.url.href)).toEqual([`${site}/`]);
    expect(await whoLine(page)).toContain('ada@example.com');

    // The origin sees the identity headers, and not edge-oauth's cookies; a page cookie passes.
    await page.evaluate(() => {
      document.cookie = 'theme=dark; path=/';
    });
    const { status, echo } = await fetchEcho(page, '/api/me');
    expect(status).toBe(200);
    expect(echo!.headers).toMatchObject({
      'edge-oauth-user-id': account.sub,
      'edge-oauth-user-email': 'ada@example.com',
      'edge-oauth-user-name': 'Ada Lovelace',
      'edge-oauth-provider': 'dev',
      cookie: 'theme=dark',
    });
  });

  test('a deep link (path and query) is restored after sign-in', async () => {
    const { page } = chromium;
    const deep = '/reports/2026/q3?q=a%20b&x=1&x=2&empty=';
    await signIn(page, stack, { email: 'grace@example.com', name: 'Grace Hopper' }, deep);
    expect(page.url()).toBe(`${site}${deep}`);
    expect(await whoLine(page)).toContain('grace@example.com');
    expect(await page.getByText(`GET ${deep}`, { exact: true }).count()).toBe(1); // what the origin received
    await screenshot(page, 'deep-link-restored');
  });

  test('an email outside the allow-list: the error page, no redirect loop, and "Try another account" leads back to the sign-in form', async () => {
    const { page, context } = chromium;
    const nav = new NavigationLog(page);
    const responses: number[] = [];
    page.on('response', (r) => {
      if (r.request().isNavigationRequest() && new URL(r.url()).pathname === '/auth/callback') responses.push(r.status());
    });
    await signIn(page, stack, { email: 'mallory@evil.example', name: 'Mallory' }, '/secret?id=7');

    expect(new URL(page.url()).pathname).toBe('/auth/callback');
    expect(responses).toEqual([403]);
    expect(await page.locator('h1').innerText()).toBe('Access denied');
    expect(await page.locator('main').innerText()).toContain('mallory@evil.example');
    await screenshot(page, 'access-denied');
    expect(await sessionCookie(context, stack)).toBeUndefined();

    // No loop: the page stays put. The whole journey was: site → IdP (authorize, form,
    // POST, resume, consent, resume) → callback — one sign-in started, one callback.
    const settled = nav.count;
    await page.waitForTimeout(750);
    expect(nav.count).toBe(settled);
    expect(settled).toBeLessThanOrEqual(10);
    expect(nav.to(site, '/secret')).toHaveLength(1);
    expect(nav.to(site, '/auth/callback')).toHaveLength(1);
    expect(authorizations(nav)).toHaveLength(1);

    // "Try another account": the IdP asks again (prompt=login) although its session exists.
    nav.clear();
    const tryAnother = page.getByRole('link', { name: 'Try another account' });
    expect(await tryAnother.getAttribute('href')).toBe('/auth/authn?provider=dev&rd=%2Fsecret%3Fid%3D7');
    await tryAnother.click();
    await page.waitForURL((url) => url.origin === issuer && url.pathname.startsWith('/interaction/'));
    expect(await atIdpSignInForm(page, stack)).toBe(true);
    const authorize = authorizations(nav)[0]!.url.searchParams;
    expect(authorize.get('prompt')).toContain('login');
    await screenshot(page, 'try-another-account');

    // ...and an allowed account gets to the page first asked for.
    await submitIdpForm(page, stack, { email: 'guest@partner.test', name: 'Guest' });
    expect(page.url()).toBe(`${site}/secret?id=7`);
    expect(await whoLine(page)).toContain('guest@partner.test');
  });

  test('/auth/logout: the signed-out page, and the next visit signs in again', async () => {
    const { page, context } = chromium;
    await signIn(page, stack, { email: 'lin@example.com', name: 'Lin' });
    const before = (await sessionCookie(context, stack))!.value;

    await page.goto(`${site}/auth/logout`);
    expect(await page.locator('h1').innerText()).toBe('You are signed out');
    expect(await page.getByRole('link', { name: 'Sign in again' }).getAttribute('href')).toBe('/auth/login');
    await screenshot(page, 'signed-out');
    expect(await sessionCookie(context, stack)).toBeUndefined();

    // The next visit goes to the IdP again. The IdP still has its own session, so it sends
    // the browser straight back (no form): a new sign-in, a new session cookie.
    const nav = new NavigationLog(page);
    await page.goto(`${site}/after-logout`);
    await waitForSite(page, stack);
    expect(authorizations(nav)).toHaveLength(1);
    expect(nav.to(site, '/auth/callback')).toHaveLength(1);
    expect(page.url()).toBe(`${site}/after-logout`);
    expect(await whoLine(page)).toContain('lin@example.com');
    const after = (await sessionCookie(context, stack))!.value;
    expect(after).not.toBe(before);
  });

  test('/auth/authn: the IdP shows its sign-in form again even with an IdP session (prompt=login)', async () => {
    const { page } = chromium;
    await signIn(page, stack, { email: 'kay@example.com', name: 'Kay' });

    // For contrast: /auth/login with a live IdP session comes straight back, no form.
    let nav = new NavigationLog(page);
    await page.goto(`${site}/auth/login?rd=/plain`);
    await waitForSite(page, stack);
    expect(page.url()).toBe(`${site}/plain`);
    expect(nav.entries.some((e) => e.url.origin === issuer && e.url.pathname.startsWith('/interaction/') && e.method === 'POST')).toBe(false);
    nav.stop();

    nav = new NavigationLog(page);
    await page.goto(`${site}/auth/authn?rd=/again`);
    await page.waitForURL((url) => url.origin === issuer && url.pathname.startsWith('/interaction/'));
    expect(await atIdpSignInForm(page, stack)).toBe(true);
    const authorize = authorizations(nav)[0]!.url.searchParams;
    expect(authorize.get('prompt')).toContain('login');
    expect(authorize.get('max_age')).toBe('0');
    await screenshot(page, 'idp-reauthenticate');

    await submitIdpForm(page, stack, { email: 'kay@example.com' });
    expect(page.url()).toBe(`${site}/again`);
    expect(await whoLine(page)).toContain('kay@example.com');
  });

  test('two tabs signing in at the same time both end signed in', async () => {
    const { context, page: tab1 } = chromium;
    const tab2 = await context.newPage();
    await Promise.all([tab1.goto(`${site}/one?tab=1`), tab2.goto(`${site}/two?tab=2`)]);
    expect(await atIdpSignInForm(tab1, stack)).toBe(true);
    expect(await atIdpSignInForm(tab2, stack)).toBe(true);
    // Two flows in flight: one flow cookie each.
    const flows = (await siteCookies(context, stack)).filter((c) => c.name.startsWith(`${stack.config.session.cookiePrefix}-flow-`));
    expect(flows).toHaveLength(2);

    await Promise.all([
      submitIdpForm(tab1, stack, { email: 'tabs@example.com', name: 'Two Tabs' }),
      submitIdpForm(tab2, stack, { email: 'tabs@example.com', name: 'Two Tabs' }),
    ]);
    expect(tab1.url()).toBe(`${site}/one?tab=1`);
    expect(tab2.url()).toBe(`${site}/two?tab=2`);
    expect(await whoLine(tab1)).toContain('tabs@example.com');
    expect(await whoLine(tab2)).toContain('tabs@example.com');
    await screenshot(tab1, 'two-tabs-1');
    await screenshot(tab2, 'two-tabs-2');

    // One session cookie (the last callback's) serves both tabs; no flow cookie is left.
    expect((await siteCookies(context, stack)).map((c) => c.name)).toEqual([stack.config.session.cookiePrefix]);
    await Promise.all([tab1.reload(), tab2.reload()]);
    expect(await whoLine(tab1)).toContain('tabs@example.com');
    expect(await whoLine(tab2)).toContain('tabs@example.com');
  });

  /*
   * Regression (issue #16, defect 4): flow cookies were named after their state on
   * Path=/auth/callback, so the pages that start a sign-in never saw them and no cap
   * applied; a page that made the browser start many sign-ins pushed the next callback past
   * CloudFront's 20 KB limit. Now they are on Path=/, named per attempt, and every start
   * deletes all but the newest MAX_PENDING_FLOWS - 1 it sees (sign-in/flow.ts).
   */
  test('a burst of sign-ins (tabs at once, then one after another) leaves at most MAX_PENDING_FLOWS pending; the next sign-in works', async () => {
    const { context, page } = chromium;
    const tabs = await Promise.all(Array.from({ length: 6 }, () => context.newPage()));
    await Promise.all(tabs.map((tab, i) => tab.goto(`${site}/burst/${i}`, { waitUntil: 'commit' })));
    // Each start's page moves on by itself (lambdas/core/viewer/fragment-pages.ts): the next load may interrupt that.
    const interrupted = (e: unknown) => {
      if (!/interrupted by another navigation/.test(String(e))) throw e;
      return false;
    };
    for (let i = 0; i < MAX_PENDING_FLOWS + 4; i++) await page.goto(`${site}/one-by-one/${i}?${'q'.repeat(1500)}`, { waitUntil: 'commit' }).catch(interrupted);
    await Promise.all(tabs.map((tab) => tab.close()));
    const flows = (await siteCookies(context, stack)).filter((c) => c.name.startsWith(`${stack.config.session.cookiePrefix}-flow-`));
    expect(flows.length).toBeLessThanOrEqual(MAX_PENDING_FLOWS);
    expect(flows.every((c) => c.path === '/')).toBe(true);

    const statuses: number[] = [];
    page.on('response', (r) => {
      if (r.request().isNavigationRequest() && new URL(r.url()).pathname === '/auth/callback') statuses.push(r.status());
    });
    for (let i = 0; i < 3; i++) if (await page.goto(`${site}/after-burst`).then(() => true, interrupted)) break;
    await submitIdpForm(page, stack, { email: 'burst@example.com' });
    // 200: the page that restores the tab's fragment (lambdas/core/viewer/fragment-pages.ts).
    expect({ callback: statuses, url: page.url() }).toEqual({ callback: [200], url: `${site}/after-burst` });
    await screenshot(page, 'after-sign-in-burst');
  }, 120_000);

  /*
   * Regression (issue #16, defect 2): http://localhost:<port>/, what most people type, failed
   * at the dev IdP with invalid_redirect_uri; only the printed 127.0.0.1 URL worked.
   */
  test('http://localhost:<port>/ signs in too, and the origin verifies the assertion issued for that host', async () => {
    const { page } = chromium;
    const local = site.replace('127.0.0.1', 'localhost');
    await page.goto(`${local}/typed?as=localhost`);
    expect(await atIdpSignInForm(page, stack)).toBe(true);
    await page.fill('input[name="email"]', 'typed@example.com');
    await Promise.all([page.waitForURL((url) => url.origin === local, { waitUntil: 'load' }), page.click('button[type="submit"]')]);
    expect(page.url()).toBe(`${local}/typed?as=localhost`);
    expect(await whoLine(page)).toContain('typed@example.com');
    expect(await page.locator('p.invalid').count()).toBe(0);
    expect(await page.locator('p.valid').count()).toBe(1);
    await screenshot(page, 'signed-in-on-localhost');
  });
});
