/**
 * The admin console in a real browser, through the local CloudFront (viewer function, the
 * `/auth/admin*` behaviour with its body and the OAC payload hash, the console's function):
 * an admin signs in, lists users, searches, opens a user, revokes a session, and the revoked
 * user is sent to sign in within the revocation check interval; a non-admin gets 403; a
 * cross-site POST and a POST without the token are refused; no page breaks its own CSP.
 * Screenshots of every page: test-output/e2e/admin-*.png.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConsoleMessage, Page } from 'playwright-core';
import { DEV_ADMIN_EMAIL, type LocalStack } from '../../local/stack/stack';
import { blockRequests, describeWithChromium, NavigationLog, screenshot, useChromium } from '../support/chromium';
import { testDynamoEndpoint } from '../support/dynamodb';
import { EventLog, stackStores } from '../support/sessions';
import { signIn, startStack, submitIdpForm } from './journey';

describeWithChromium('browser journeys: the admin console', () => {
  const chromium = useChromium({ timeoutMs: 15_000 });
  beforeEach(() => blockRequests(chromium.page, ['*/favicon.ico']));
  let stack: LocalStack;
  let stores: ReturnType<typeof stackStores>;
  const log = new EventLog();
  let offsetMs = 0;
  const now = () => Math.floor((Date.now() + offsetMs) / 1000);

  beforeAll(async () => {
    stack = await startStack({ dynamoEndpoint: testDynamoEndpoint(), clock: () => Date.now() + offsetMs, log, devConfig: { session: { revocationCheckInterval: '60s' } } });
    stores = stackStores(stack);
    // Some history, so the pages look like a site in use: users seen earlier, and past months' MAU.
    const t = now();
    for (const [i, email] of ['grace@example.com', 'alan@example.org', 'barbara@example.net'].entries()) {
      await stores.users.upsertOnSignIn({ provider: 'dev', userId: `seed-${i}`, email, name: email.split('@')[0]!, at: t - 86400 * (i + 1), host: '127.0.0.1', ip: `198.51.100.${i + 1}`, userAgent: 'Mozilla/5.0 (X11; Linux x86_64)' });
    }
    const months = Array.from({ length: 11 }, (_, i) => new Date(Date.UTC(new Date(t * 1000).getUTCFullYear(), new Date(t * 1000).getUTCMonth() - 11 + i, 1)).toISOString().slice(0, 7));
    for (const [i, month] of months.entries()) {
      for (let u = 0; u < 3 + ((i * 7) % 9); u++) await stores.mau.markActive({ month, provider: 'dev', userId: `past-${u}`, at: t });
    }
  });
  afterAll(async () => {
    stores?.close();
    await stack?.close();
  });

  /** Console errors and CSP violations the page reports (a page that needs more than its CSP allows shows them). */
  function watchConsole(page: Page): string[] {
    const problems: string[] = [];
    page.on('console', (m: ConsoleMessage) => {
      // (A 403 page logs "Failed to load resource": that is the answer under test, not a problem.)
      if (/Content.Security.Policy|Refused to/i.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    return problems;
  }

  test('an admin lists users, searches, opens a user and revokes a session; the user signs in again within the interval', async () => {
    const { page, browser } = chromium;
    const problems = watchConsole(page);

    // The user to be signed out, in a browser of their own.
    const victimContext = await browser.newContext();
    const victim = await victimContext.newPage();
    await signIn(victim, stack, { email: 'victim@example.com', name: 'Vic Tim' }, '/docs');

    // Not signed in: /auth/admin signs in first, then comes back to the console.
    await page.goto(`${stack.siteUrl}/auth/admin`);
    await submitIdpForm(page, stack, { email: DEV_ADMIN_EMAIL, name: 'The Admin' });
    expect(new URL(page.url()).pathname).toBe('/auth/admin');
    expect(await page.locator('h1').first().innerText()).toBe('Monthly active users');
    expect(await page.locator('svg.chart rect').count()).toBe(12);
    await screenshot(page, 'admin-overview');

    await page.click('header nav a:text("Users")');
    await page.waitForURL(`${stack.siteUrl}/auth/admin/users`);
    const rows = await page.locator('tbody tr td:first-child').allInnerTexts();
    expect(rows.slice(0, 2)).toEqual([DEV_ADMIN_EMAIL, 'victim@example.com']); // most recently seen first
    expect(rows).toEqual(expect.arrayContaining(['grace@example.com', 'alan@example.org']));
    await screenshot(page, 'admin-users');

    await page.fill('input[name="email"]', 'Victim@Example.com');
    await page.click('button:text("Search by email")');
    await page.waitForURL(/\/auth\/admin\/users\?email=/);
    expect(await page.locator('tbody tr td:first-child').allInnerTexts()).toEqual(['victim@example.com']);
    await screenshot(page, 'admin-search');

    await page.click('tbody a:text("victim@example.com")');
    await page.waitForURL(/\/auth\/admin\/user\?user=dev/);
    expect(await page.locator('dl').innerText()).toContain('Vic Tim');
    expect(await page.locator('tbody .pill.active').count()).toBe(1);
    await screenshot(page, 'admin-user');

    await page.click('tbody a:text("Revoke…")');
    await page.waitForURL(/\/auth\/admin\/revoke\?/);
    await screenshot(page, 'admin-confirm');
    const events = log.mark();
    await page.click('button:text("Revoke")');
    await page.waitForURL(/\/auth\/admin\/user\?.*revoked=1/).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\nat ${page.url()}\n${JSON.stringify(events().slice(-3))}`);
    });
    expect(await page.locator('.notice').innerText()).toContain('Revoked 1 session(s)');
    expect(await page.locator('tbody .pill.revoked').innerText()).toBe('revoked (operator)');
    await screenshot(page, 'admin-revoked');
    // The action is a request event naming the admin and the target.
    const victimUser = (await stores.users.findByEmail('victim@example.com'))[0]!;
    expect(events().find((e) => e.admin?.action === 'revoke-session')).toMatchObject({
      method: 'POST',
      path: '/auth/admin/revoke',
      status: 303,
      admin: { admin: DEV_ADMIN_EMAIL, action: 'revoke-session', target: { user: `dev:${victimUser.userId}`, sessions: [expect.stringMatching(/^[0-9a-f]{16}$/)] } },
    });

    // The victim: signed out within session.revocationCheckInterval (60 s).
    offsetMs += 61_000;
    const nav = new NavigationLog(victim);
    const victimEvents = log.mark();
    await victim.goto(`${stack.siteUrl}/docs`);
    await victim.waitForURL(`${stack.siteUrl}/docs`);
    nav.stop();
    expect(victimEvents().find((e) => e.path === '/docs')?.reason).toBe('session-revoked');
    expect(nav.to(stack.idp!.issuer).length).toBeGreaterThan(0); // through the IdP: a new sign-in
    await victimContext.close();

    await page.click('header nav a:text("Keys")');
    await page.waitForURL(`${stack.siteUrl}/auth/admin/keys`);
    expect(await page.locator('main').innerText()).toContain('local-1');
    await screenshot(page, 'admin-keys');
    expect(problems).toEqual([]);
  }, 90_000);

  test('a signed-in user who is not an admin gets 403', async () => {
    const { page } = chromium;
    const problems = watchConsole(page);
    // Not the sign-in start's fragment page (a 200 that moves on: lambdas/core/viewer/fragment-pages.ts).
    const moving = (r: { headers(): Record<string, string> }) => (r.headers()['content-security-policy'] ?? '').includes("script-src 'sha256-");
    const response = page.waitForResponse((r) => new URL(r.url()).pathname === '/auth/admin' && r.status() !== 302 && !moving(r));
    await signIn(page, stack, { email: 'someone@example.com', name: 'Some One' }, '/auth/admin');
    expect((await response).status()).toBe(403);
    expect(await page.locator('h1').innerText()).toBe('Not an administrator');
    expect(await page.locator('header nav').count()).toBe(0);
    await screenshot(page, 'admin-forbidden');
    expect(problems).toEqual([]);
  });

  test('a cross-site POST is refused, and so is a same-site POST without the token', async () => {
    const { page, browser } = chromium;
    const victimContext = await browser.newContext();
    await signIn(await victimContext.newPage(), stack, { email: 'target@example.com' });
    await victimContext.close();
    const target = (await stores.users.findByEmail('target@example.com'))[0]!;
    const [session] = await stores.sessions.listSessionsOfUser('dev', target.userId);

    await signIn(page, stack, { email: DEV_ADMIN_EMAIL }, '/auth/admin');
    // Another site (localhost is not 127.0.0.1's site) posts a form to the console.
    const form = `user=${encodeURIComponent(`dev:${target.userId}`)}&session=${session!.sessionId}`;
    const evil = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        `<form method="post" action="${stack.siteUrl}/auth/admin/revoke">` +
          `<input name="user" value="dev:${target.userId}"><input name="session" value="${session!.sessionId}"></form><script>document.forms[0].submit()</script>`,
      );
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    const events = log.mark();
    try {
      await page.goto(`http://localhost:${(evil.address() as AddressInfo).port}/`);
      await page.waitForURL((url) => url.origin === stack.siteUrl, { waitUntil: 'load' });
    } finally {
      evil.close();
    }
    // The SameSite=Lax session cookie stays home: the edge saw no session and sent the browser to sign in.
    const posted = events().filter((e) => e.method === 'POST' && e.path === '/auth/admin/revoke');
    expect(posted.length).toBeGreaterThan(0);
    expect(posted.every((e) => e.admin === undefined && e.reason !== 'admin-revoke-session')).toBe(true);

    // From the site's own origin, with the cookie but without the token: 403. (From a page of
    // the site's origin: the console's own pages allow no fetch at all, connect-src 'none'.)
    await page.goto(`${stack.siteUrl}/`);
    const status = await page.evaluate(async (body) => {
      const r = await fetch('/auth/admin/revoke', { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      return r.status;
    }, form);
    expect(status).toBe(403);
    expect(log.events.at(-1)).toMatchObject({ reason: 'admin-csrf', admin: { admin: DEV_ADMIN_EMAIL, action: 'refused-csrf' } });
    expect((await stores.sessions.getSession(session!.sessionId))?.revokedAt).toBeUndefined();
  }, 60_000);
});
