/**
 * Continuous authorization on real peers: after authCheckInterval the edge refreshes the
 * user at the dev oidc-provider (refresh-token grant, rotating refresh tokens), updates the
 * App User and re-applies the allow-list; one refresh per session at a time across four
 * viewer containers (the lease); the tokens reach the origin only from the session item.
 */
import { startLocalStack, type LocalStack } from '../../local/stack/stack';
import { testDynamoEndpoint } from '../support/dynamodb';
import { TestBrowser } from '../support/http-client';
import { claimsOf, EventLog, stackStores } from '../support/sessions';

let stack: LocalStack;
let siteHost: string;
let stores: ReturnType<typeof stackStores>;
const log = new EventLog();
let now = Date.now();
const advance = (seconds: number) => (now += seconds * 1000);

/** Refresh-token grants the edge sent to the IdP. */
let refreshGrants = 0;
const countingFetch: typeof fetch = async (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.pathname === '/token' && String(init?.body ?? '').includes('grant_type=refresh_token')) refreshGrants++;
  return fetch(input, init);
};

beforeAll(async () => {
  stack = await startLocalStack({
    dynamoEndpoint: testDynamoEndpoint(),
    clock: () => now,
    log,
    fetch: countingFetch,
    viewerContainers: 4,
    devConfig: {
      allow: { emails: [], emailDomains: ['example.com'] },
      session: { authCheckInterval: '5m', revocationCheckInterval: '60s', checkGracePeriod: '2m' },
      originTokens: { enabled: true },
    },
  });
  siteHost = new URL(stack.siteUrl).host;
  stores = stackStores(stack);
});
afterAll(async () => {
  stores?.close();
  await stack?.close();
});

async function signIn(email: string): Promise<TestBrowser> {
  const browser = new TestBrowser();
  const start = await browser.request(`${stack.siteUrl}/`);
  const back = await browser.signInAtIdp(start, { email, name: 'Ada' }, siteHost);
  expect((await browser.request(back.location!)).status).toBe(302);
  return browser;
}

async function echo(browser: TestBrowser) {
  const hop = await browser.request(`${stack.siteUrl}/whoami`, { headers: { accept: 'application/json' } });
  return { hop, headers: hop.status === 200 ? (JSON.parse(hop.body) as { headers: Record<string, string> }).headers : undefined };
}

/** One request to each of the four containers. */
const everyContainer = (browser: TestBrowser) => Promise.all([0, 1, 2, 3].map(() => echo(browser)));

describe('continuous authorization', () => {
  test("the user's email changes at the provider: after the interval the allow-list says no, 403, and sign in again", async () => {
    const browser = await signIn('ada@example.com');
    const cookie = browser.cookie(siteHost, 'edge-oauth')!;
    const { sid, uid } = await claimsOf(stack, cookie);
    stack.idp!.accounts.update(uid, { email: 'x@other.example' });
    advance(60);
    for (const { hop } of await everyContainer(browser)) expect(hop.status).toBe(200); // not due yet

    advance(5 * 60);
    const events = log.mark();
    const denied = (await echo(browser)).hop;
    expect(denied.status).toBe(403);
    expect(denied.body).toContain('Access denied');
    expect(denied.body).toContain('x@other.example');
    expect(denied.setCookies.some((c) => /^edge-oauth=; .*Max-Age=0/.test(c))).toBe(true);
    expect(events()[0]).toMatchObject({ decision: 'block', reason: 'not-on-allow-list', status: 403 });
    expect(events()[0]!.checks).toEqual(expect.arrayContaining(['refresh-lease', 'provider-refresh', 'session-revoke']));

    expect(await stores.sessions.getSession(sid)).toMatchObject({ revokedReason: 'not-allowed' });
    expect(await stores.users.getUser('dev', uid)).toMatchObject({ email: 'x@other.example', lastAuthCheckAt: Math.floor(now / 1000) });
    // The old cookie, replayed in any container, means sign in again.
    const replay = new TestBrowser();
    replay.setCookie(siteHost, 'edge-oauth', cookie);
    for (let i = 0; i < 4; i++) expect((await echo(replay)).hop.status).toBe(302);
  });

  test('a change that still passes: the origin sees the new email (the stored identity wins over the cookie)', async () => {
    const browser = await signIn('grace@example.com');
    const { uid } = await claimsOf(stack, browser.cookie(siteHost, 'edge-oauth')!);
    stack.idp!.accounts.update(uid, { email: 'grace.hopper@example.com', name: 'Grace Hopper' });
    advance(5 * 60 + 1);
    const refreshed = await echo(browser); // this container refreshes
    expect(refreshed.headers!['edge-oauth-user-email']).toBe('grace.hopper@example.com');
    expect(refreshed.headers!['edge-oauth-user-name']).toBe('Grace Hopper');
    // The others pick the result up from the session item at their next check.
    advance(16);
    for (const { hop, headers } of await everyContainer(browser)) {
      expect(hop.status).toBe(200);
      expect(headers!['edge-oauth-user-email']).toBe('grace.hopper@example.com');
    }
    expect((await stores.users.getUser('dev', uid))?.email).toBe('grace.hopper@example.com');
  });

  test('20 parallel requests when a refresh is due: one refresh at the IdP, nobody logged out, the rotated token works next time', async () => {
    const browser = await signIn('lease@example.com');
    const before = await everyContainer(browser);
    const firstAccessToken = before[0]!.headers!['edge-oauth-access-token'];
    expect(firstAccessToken).toBeTruthy();
    expect(before[0]!.headers!['edge-oauth-refresh-token']).toBeTruthy();
    // The cookie carries no token.
    expect(Buffer.from(browser.cookie(siteHost, 'edge-oauth')!, 'utf8').toString()).not.toContain(firstAccessToken);

    for (const round of [1, 2]) {
      advance(5 * 60 + 1);
      const grantsBefore = refreshGrants;
      const results = await Promise.all(Array.from({ length: 20 }, () => echo(browser)));
      expect(results.map((r) => r.hop.status)).toEqual(Array(20).fill(200));
      expect([round, refreshGrants - grantsBefore]).toEqual([round, 1]);
    }
    // After the refreshes every container passes the new access token on.
    advance(61);
    const after = await everyContainer(browser);
    const tokens = new Set(after.map((r) => r.headers!['edge-oauth-access-token']));
    expect(tokens.size).toBe(1);
    expect(tokens.has(firstAccessToken)).toBe(false);
  });
});
