/**
 * Sessions at the edge on real peers (DynamoDB Local, the dev oidc-provider, the CloudFront
 * emulator), the clock injected: the fast path, bounded activity writes, the inactivity
 * timeout, the maximum duration, logout, and revocation from the operator CLI.
 */
import { startLocalStack, type LocalStack } from '../../local/stack/stack';
import { testDynamoEndpoint } from '../support/dynamodb';
import { TestBrowser } from '../support/http-client';
import { claimsOf, EventLog, runCli, stackStores, writeCliConfig } from '../support/sessions';

let stack: LocalStack;
let siteHost: string;
let stores: ReturnType<typeof stackStores>;
let cliConfig: string;
const log = new EventLog();
let now = Date.now();
const advance = (seconds: number) => (now += seconds * 1000);

beforeAll(async () => {
  stack = await startLocalStack({
    dynamoEndpoint: testDynamoEndpoint(),
    clock: () => now,
    log,
    devConfig: {
      allow: { emails: [], emailDomains: ['example.com'] },
      session: { inactivityTimeout: '10m', maxDuration: '1h', revocationCheckInterval: '60s', activityWriteInterval: '60s' },
    },
  });
  siteHost = new URL(stack.siteUrl).host;
  stores = stackStores(stack);
  cliConfig = await writeCliConfig(stack);
});
afterAll(async () => {
  stores?.close();
  await stack?.close();
});

async function signIn(email: string): Promise<TestBrowser> {
  const browser = new TestBrowser();
  const start = await browser.request(`${stack.siteUrl}/`);
  const back = await browser.signInAtIdp(start, { email, name: 'Test User' }, siteHost);
  const done = await browser.request(back.location!);
  expect(done.status).toBe(302);
  return browser;
}

const get = (browser: TestBrowser, path = '/') => browser.request(`${stack.siteUrl}${path}`, { headers: { accept: 'application/json', 'user-agent': 'sessions-test/1' } });
const sidOf = async (browser: TestBrowser) => (await claimsOf(stack, browser.cookie(siteHost, 'edge-oauth')!)).sid;

describe('sessions at the edge', () => {
  test('sign-in writes the session, the App User and the MAU mark; a warm session makes no network call', async () => {
    const browser = await signIn('fast@example.com');
    const sid = await sidOf(browser);
    const session = await stores.sessions.getSession(sid);
    expect(session).toMatchObject({ email: 'fast@example.com', host: siteHost, lastSeenAt: expect.any(Number), lastAuthCheckAt: expect.any(Number) });
    // Tokens are stored sealed (a compact JWE), never readable.
    expect(session!.tokens).toMatch(/^[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+$/);
    const user = (await stores.users.findByEmail('fast@example.com'))[0]!;
    expect(user).toMatchObject({ provider: 'dev', signIns: 1, hosts: [siteHost] });
    const month = new Date(now).toISOString().slice(0, 7);
    expect(await stores.mau.count(month)).toBeGreaterThanOrEqual(1);

    const events = log.mark();
    expect((await get(browser)).status).toBe(200); // first request in this container: one check
    advance(10);
    expect((await get(browser)).status).toBe(200); // warm: nothing due
    expect((await get(browser)).status).toBe(200);
    const [first, ...warm] = events().filter((e) => e.path === '/');
    expect(first!.checks).toEqual(['session-touch']);
    expect(warm.map((e) => e.checks)).toEqual([undefined, undefined]);
    expect(warm[0]).toMatchObject({ decision: 'allow', reason: 'session', userId: user.userId, provider: 'dev', clientId: 'edge-oauth-local' });
    expect(JSON.stringify(events())).not.toContain(sid);
  });

  test('activity: written at most once per activityWriteInterval, to the session and the App User', async () => {
    const browser = await signIn('active@example.com');
    const sid = await sidOf(browser);
    const signedInAt = (await stores.sessions.getSession(sid))!.lastSeenAt!;
    const events = log.mark();
    for (let i = 0; i < 5; i++) {
      advance(15);
      expect((await get(browser)).status).toBe(200);
    }
    // 75 s of requests every 15 s: the first (new container knowledge) and the one past 60 s write.
    const writes = events().filter((e) => e.checks?.includes('session-touch'));
    expect(writes.length).toBeLessThanOrEqual(2);
    const session = await stores.sessions.getSession(sid);
    expect(session!.lastSeenAt).toBeGreaterThanOrEqual(signedInAt + 60);
    const user = (await stores.users.findByEmail('active@example.com'))[0]!;
    expect(user.lastSeenAt).toBe(session!.lastSeenAt);
    expect(user.lastUserAgent).toBe('sessions-test/1');
    expect(user.lastIp).toBe('127.0.0.1');
  });

  test('inactivity timeout: requests keep the session alive; 10 minutes without one end it', async () => {
    const browser = await signIn('idle@example.com');
    const sid = await sidOf(browser);
    advance(5 * 60);
    expect((await get(browser)).status).toBe(200);
    advance(9 * 60); // 9 minutes since the last request, 14 since sign-in
    expect((await get(browser)).status).toBe(200);
    const events = log.mark();
    advance(11 * 60 + 1); // 11 minutes without a request (timeout + one write interval)
    const hop = await get(browser);
    expect(hop.status).toBe(302);
    expect(hop.setCookies.some((c) => /^edge-oauth=; .*Max-Age=0/.test(c))).toBe(true);
    expect(events().find((e) => e.path === '/')).toMatchObject({ decision: 'redirect', reason: 'session-inactive' });
    expect((await stores.sessions.getSession(sid))?.revokedReason).toBe('inactive');
  });

  test('maximum duration: activity does not extend it', async () => {
    const browser = await signIn('max@example.com');
    for (let i = 0; i < 6; i++) {
      advance(9 * 60);
      expect((await get(browser)).status).toBe(200);
    }
    advance(7 * 60); // 61 minutes after sign-in
    const hop = await get(browser);
    expect(hop.status).toBe(302);
    expect(new URL(hop.location!).origin).toBe(stack.idp!.issuer);
  });

  test('logout revokes the session server-side, and the old cookie does not come back', async () => {
    const browser = await signIn('bye@example.com');
    const cookie = browser.cookie(siteHost, 'edge-oauth')!;
    expect((await get(browser)).status).toBe(200);
    expect((await browser.request(`${stack.siteUrl}/auth/logout`)).status).toBe(200);
    expect((await stores.sessions.getSession((await claimsOf(stack, cookie)).sid))?.revokedReason).toBe('logout');
    const replay = new TestBrowser();
    replay.setCookie(siteHost, 'edge-oauth', cookie);
    expect((await get(replay)).status).toBe(302);
  });

  test('revocation from the CLI stops a session within the revocation check interval', async () => {
    const browser = await signIn('revoke-me@example.com');
    expect((await get(browser)).status).toBe(200);

    const listed = JSON.parse(await runCli(stack, cliConfig, 'sessions', 'list', 'revoke-me@example.com', '--json')) as Array<{ sessionId: string; status: string }>;
    expect(listed).toHaveLength(1);
    expect(listed[0]!.status).toBe('active');
    expect(await runCli(stack, cliConfig, 'sessions', 'revoke', listed[0]!.sessionId)).toMatch(/^revoked session /);

    advance(30);
    expect((await get(browser)).status).toBe(200); // checked 30 s ago: not due yet
    advance(31);
    const events = log.mark();
    const hop = await get(browser);
    expect(hop.status).toBe(302);
    expect(events()[0]).toMatchObject({ reason: 'session-revoked', checks: ['session-touch'] });
    expect(await runCli(stack, cliConfig, 'sessions', 'list', 'revoke-me@example.com')).toMatch(/revoked \(operator\)/);
  });

  test('`users revoke <email>` signs a user out of every session', async () => {
    const [a, b] = [await signIn('everywhere@example.com'), await signIn('everywhere@example.com')];
    expect((await get(a)).status).toBe(200);
    expect((await get(b)).status).toBe(200);
    expect(await runCli(stack, cliConfig, 'users', 'revoke', 'Everywhere@example.com')).toMatch(/revoked 2 active session\(s\)/);
    advance(61);
    expect((await get(a)).status).toBe(302);
    expect((await get(b)).status).toBe(302);
    const shown = await runCli(stack, cliConfig, 'users', 'show', 'everywhere@example.com');
    expect(shown).toMatch(/sign-ins\s+2/);
    expect(shown.match(/revoked \(operator\)/g)).toHaveLength(2);
  });
});
