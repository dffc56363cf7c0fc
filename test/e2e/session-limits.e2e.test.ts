/**
 * Session limits in a real browser, with the stack's clock moved forward: maximum duration,
 * inactivity timeout, remote logout with the operator CLI, and a cookie kept from before
 * /auth/logout. The dev IdP keeps real time, so its own session stays valid: "sign in
 * again" is a round trip through the IdP that comes straight back with a new session.
 *
 * The offsets add up over the file (about 35 minutes): they must stay well under the dev
 * IdP's ID token lifetime (1 h), which the callback checks against the moved clock.
 */
import type { Page, Response } from 'playwright-core';
import type { LocalStack } from '../../local/stack/stack';
import { blockRequests, describeWithChromium, NavigationLog, screenshot, useChromium } from '../support/chromium';
import { testDynamoEndpoint } from '../support/dynamodb';
import { EventLog, runCli, writeCliConfig } from '../support/sessions';
import { sessionCookie, signIn, siteCookies, startStack, whoLine } from './journey';

describeWithChromium('browser journeys: session limits', () => {
  const chromium = useChromium();
  // Chromium fetches /favicon.ico after a page loads, at its own pace: one arriving after the
  // clock moved would end the session before the visit under test (see the last test).
  beforeEach(() => blockRequests(chromium.page, ['*/favicon.ico']));
  let stack: LocalStack;
  let issuer: string;
  let cliConfig: string;
  const log = new EventLog();
  let offsetMs = 0;
  const advance = (seconds: number) => (offsetMs += seconds * 1000);

  beforeAll(async () => {
    stack = await startStack({
      dynamoEndpoint: testDynamoEndpoint(),
      clock: () => Date.now() + offsetMs,
      log,
      devConfig: {
        session: { maxDuration: '20m', inactivityTimeout: '5m', activityWriteInterval: '60s', revocationCheckInterval: '60s' },
      },
    });
    issuer = stack.idp!.issuer;
    cliConfig = await writeCliConfig(stack);
  });
  afterAll(() => stack?.close());

  /**
   * Opens `path` and follows wherever the site sends the browser: did it go through the
   * IdP (a new sign-in), what did the site answer first, and why (the edge's request event).
   */
  async function visit(page: Page, path: string) {
    const nav = new NavigationLog(page);
    const events = log.mark();
    let firstResponse: Response | undefined;
    const onResponse = (response: Response) => {
      if (firstResponse === undefined && response.request().isNavigationRequest()) firstResponse = response;
    };
    page.on('response', onResponse);
    await page.goto(`${stack.siteUrl}${path}`);
    page.off('response', onResponse);
    nav.stop();
    const first = { status: firstResponse?.status(), setCookie: (await firstResponse?.headerValue('set-cookie')) ?? undefined };
    const pathname = new URL(path, stack.siteUrl).pathname;
    return {
      signedInAgain: nav.to(issuer, '/auth').length > 0,
      callbacks: nav.to(stack.siteUrl, '/auth/callback').length,
      first,
      reason: events().find((e) => e.path === pathname)?.reason,
    };
  }

  /** The visit ended the session: cleared cookie, a round trip through the IdP, signed in again at `path`. */
  async function expectSignedInAgain(page: Page, v: Awaited<ReturnType<typeof visit>>, path: string, reason: string, email: string) {
    // 200: a browser's sign-in start is the page that saves the fragment (lambdas/core/viewer/fragment-pages.ts).
    expect(v).toMatchObject({ reason, first: { status: 200 }, signedInAgain: true, callbacks: 1 });
    expect(v.first.setCookie).toMatch(/(^|\n)edge-oauth=; Path=\/; Max-Age=0/); // the old cookie is cleared
    expect(page.url()).toBe(`${stack.siteUrl}${path}`);
    expect(await whoLine(page)).toContain(email);
  }

  const stillSignedIn = { signedInAgain: false, callbacks: 0, first: { status: 200 }, reason: 'session' };

  test('maximum duration: activity does not extend it; when it passes, the next request signs in again', async () => {
    const { page, context } = chromium;
    await signIn(page, stack, { email: 'max@example.com', name: 'Max' });
    const cookie = (await sessionCookie(context, stack))!;
    // Max-Age = the maximum duration (20 min).
    expect(cookie.expires - Date.now() / 1000).toBeGreaterThan(1190);
    expect(cookie.expires - Date.now() / 1000).toBeLessThanOrEqual(1200);

    for (let i = 1; i <= 4; i++) {
      advance(4 * 60); // active every 4 min (inactivity timeout 5 min): 16 min in, still valid
      expect(await visit(page, `/still/${i}`)).toMatchObject(stillSignedIn);
    }
    advance(4 * 60 + 1); // 20 min 1 s after sign-in
    await expectSignedInAgain(page, await visit(page, '/later?x=1'), '/later?x=1', 'session-expired', 'max@example.com');
    expect((await sessionCookie(context, stack))!.value).not.toBe(cookie.value);
    await screenshot(page, 'max-duration-signed-in-again');
  });

  test('inactivity timeout: requests keep the session alive; after the timeout without one, the next request signs in again', async () => {
    const { page, context } = chromium;
    await signIn(page, stack, { email: 'idle@example.com', name: 'Idle' });
    const cookie = (await sessionCookie(context, stack))!;

    advance(3 * 60);
    expect(await visit(page, '/a')).toMatchObject(stillSignedIn);
    advance(4 * 60); // 7 min since sign-in, 4 since the last request
    expect(await visit(page, '/b')).toMatchObject(stillSignedIn);
    advance(6 * 60 + 1); // 6 min without a request (timeout + one activity-write interval)
    await expectSignedInAgain(page, await visit(page, '/c'), '/c', 'session-inactive', 'idle@example.com');
    expect((await sessionCookie(context, stack))!.value).not.toBe(cookie.value);
    await screenshot(page, 'inactivity-signed-in-again');
  });

  test('a session revoked with the CLI: the next request after the revocation-check interval signs in again', async () => {
    const { page } = chromium;
    await signIn(page, stack, { email: 'revoke-me@example.com', name: 'Revoked' });
    expect(await visit(page, '/before')).toMatchObject(stillSignedIn);

    const listed = JSON.parse(await runCli(stack, cliConfig, 'sessions', 'list', 'revoke-me@example.com', '--json')) as Array<{ sessionId: string; status: string }>;
    expect(listed.map((s) => s.status)).toEqual(['active']);
    expect(await runCli(stack, cliConfig, 'sessions', 'revoke', listed[0]!.sessionId)).toMatch(/^revoked session /);

    advance(30); // checked 30 s ago: not due yet
    expect(await visit(page, '/soon')).toMatchObject(stillSignedIn);
    advance(31); // past the 60 s revocation-check interval
    await expectSignedInAgain(page, await visit(page, '/after'), '/after', 'session-revoked', 'revoke-me@example.com');
    await screenshot(page, 'revoked-signed-in-again');
    // The revoked session stays revoked; the new sign-in is a new session.
    const after = JSON.parse(await runCli(stack, cliConfig, 'sessions', 'list', 'revoke-me@example.com', '--json')) as Array<{ sessionId: string; status: string }>;
    expect(after.find((s) => s.sessionId === listed[0]!.sessionId)?.status).toMatch(/revoked/);
    expect(after.filter((s) => s.status === 'active')).toHaveLength(1);
  });

  test('a session cookie kept from before /auth/logout does not work afterwards', async () => {
    const { page, context } = chromium;
    await signIn(page, stack, { email: 'bye@example.com', name: 'Bye' });
    const kept = (await sessionCookie(context, stack))!;
    await page.goto(`${stack.siteUrl}/auth/logout`);
    expect(await sessionCookie(context, stack)).toBeUndefined();

    await context.addCookies([kept]); // as if copied out of the browser before signing out
    advance(61);
    await expectSignedInAgain(page, await visit(page, '/replayed'), '/replayed', 'session-revoked', 'bye@example.com');
    expect((await sessionCookie(context, stack))!.value).not.toBe(kept.value);
  });

  /*
   * Regression (found by this suite): without a session, every sub-resource (an image, a
   * fetch, the favicon) used to start a sign-in with its own ~400-byte flow cookie; a page
   * with 56 images after its session ended pushed the next callback past CloudFront's
   * 20,480-byte request limit (413) for 10 minutes. Now requests that are not page loads
   * (Sec-Fetch-Mode other than navigate) get a 401 without a cookie, and pending flows are
   * bounded (lambdas/core/sign-in/flow.ts MAX_PENDING_FLOWS).
   */
  test('after the session ends under a page with many images, the next sign-in still works', async () => {
    const { page, context } = chromium;
    await signIn(page, stack, { email: 'images@example.com', name: 'Images' });
    await page.evaluate(async () => {
      await fetch('/auth/logout'); // the session ends (as from another tab)
      await Promise.all(
        Array.from({ length: 56 }, (_, i) => new Promise((resolve) => {
          const img = new Image();
          img.onload = img.onerror = resolve;
          img.src = `/images/${i}.png`;
          document.body.append(img);
        })),
      );
    });
    const flows = (await siteCookies(context, stack)).filter((c) => c.name.startsWith(`${stack.config.session.cookiePrefix}-flow-`));
    const statuses: number[] = [];
    page.on('response', (r) => {
      if (r.request().isNavigationRequest() && new URL(r.url()).pathname === '/auth/callback') statuses.push(r.status());
    });
    await page.goto(`${stack.siteUrl}/next`); // the IdP still has its session: straight back to the callback
    await screenshot(page, 'flow-cookie-pile-up');
    // Today: { pileUp: true (56 flow cookies), callback: [413], url: <the callback URL> }
    expect({ pileUp: flows.length > 4, callback: statuses, url: page.url() }).toEqual({ pileUp: false, callback: [200], url: `${stack.siteUrl}/next` });
  });
});
