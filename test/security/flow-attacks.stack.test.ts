/**
 * Attacks on the sign-in flow, end to end on real peers (CloudFront emulator, the real
 * handlers, oidc-provider, DynamoDB Local): state replay, an authorization code replayed
 * or injected into another attempt (PKCE and the nonce bind the code to its attempt),
 * login CSRF, session fixation, and a forged Host header. None may yield a session.
 */
import http from 'node:http';
import { startLocalStack, type LocalStack } from '../../local/stack/stack';
import { testDynamoEndpoint } from '../support/dynamodb';
import { TestBrowser, type Hop } from '../support/http-client';

let stack: LocalStack;
let siteHost: string;

beforeAll(async () => {
  stack = await startLocalStack({ dynamoEndpoint: testDynamoEndpoint() });
  siteHost = new URL(stack.siteUrl).host;
});
afterAll(() => stack.close());

const hasSession = (hop: Hop) => hop.setCookies.some((c) => /^edge-oauth=[^;]/.test(c));
const clearsFlow = (hop: Hop) => hop.setCookies.some((c) => c.startsWith('edge-oauth-flow-') && c.includes('Max-Age=0'));

/** Signs in at the dev IdP and stops before the callback: returns the callback URL. */
async function toCallback(browser: TestBrowser, email: string, path = '/'): Promise<URL> {
  const start = await browser.request(`${stack.siteUrl}${path}`);
  const back = await browser.signInAtIdp(start, { email }, siteHost);
  return new URL(back.location!);
}

async function identityAtOrigin(browser: TestBrowser): Promise<Record<string, string>> {
  const hop = await browser.request(`${stack.siteUrl}/whoami`, { headers: { accept: 'application/json' } });
  expect(hop.status).toBe(200);
  return (JSON.parse(hop.body) as { headers: Record<string, string> }).headers;
}

describe('replay and injection', () => {
  test('a callback replayed with its flow cookie put back is refused, and the flow cookie is always cleared', async () => {
    const browser = new TestBrowser();
    const url = await toCallback(browser, 'replay@example.com');
    const saved = [...browser.jar.get(siteHost)!.entries()].filter(([n]) => n.startsWith('edge-oauth-flow-'));
    const first = await browser.request(url);
    expect([first.status, hasSession(first), clearsFlow(first)]).toEqual([302, true, true]);

    const attacker = new TestBrowser();
    for (const [name, c] of saved) attacker.setCookie(siteHost, name, c.value, c.path);
    const replayed = await attacker.request(url);
    expect([replayed.status, hasSession(replayed), clearsFlow(replayed)]).toEqual([400, false, true]);
  });

  test('an authorization code injected into another sign-in attempt is refused (PKCE, nonce)', async () => {
    const browser = new TestBrowser();
    const [a, b] = await Promise.all([browser.request(`${stack.siteUrl}/a`), browser.request(`${stack.siteUrl}/b`)]);
    const backA = new URL((await browser.signInAtIdp(a, { email: 'inject@example.com' }, siteHost)).location!);
    const backB = new URL((await browser.signInAtIdp(b, { email: 'inject@example.com' }, siteHost)).location!);
    // B's code delivered with A's state: the flow cookie of A is found, but the code was issued for B's challenge.
    const swapped = new URL(backA);
    swapped.searchParams.set('code', backB.searchParams.get('code')!);
    const hop = await browser.request(swapped);
    expect([hop.status, hasSession(hop)]).toEqual([502, false]);
    expect(hop.body).toContain('Sign-in failed');
  });

  test('a code already used is refused when presented again with a fresh attempt', async () => {
    const browser = new TestBrowser();
    const used = await toCallback(browser, 'reuse@example.com');
    expect((await browser.request(used)).status).toBe(302);

    const fresh = await browser.request(`${stack.siteUrl}/auth/login`);
    const state = new URL(fresh.location!).searchParams.get('state')!;
    const again = new URL(used);
    again.searchParams.set('state', state);
    const hop = await browser.request(again);
    expect([hop.status, hasSession(hop)]).toEqual([502, false]);
  });

  test("login CSRF: the attacker's own callback URL, opened in the victim's browser, signs nobody in", async () => {
    const attackerUrl = await toCallback(new TestBrowser(), 'attacker@example.com');
    const victim = new TestBrowser();
    await victim.request(`${stack.siteUrl}/`); // the victim has a sign-in of their own in progress
    const hop = await victim.request(attackerUrl);
    expect([hop.status, hasSession(hop)]).toEqual([400, false]);
  });
});

describe('session fixation', () => {
  test("a session cookie planted in the victim's browser is replaced at sign-in: new id, the victim's identity", async () => {
    const attacker = new TestBrowser();
    await attacker.request(await toCallback(attacker, 'attacker@example.com'));
    const planted = attacker.cookie(siteHost, 'edge-oauth')!;

    const victim = new TestBrowser();
    victim.setCookie(siteHost, 'edge-oauth', planted);
    expect((await identityAtOrigin(victim))['edge-oauth-user-email']).toBe('attacker@example.com');

    const hop = await victim.request(await toCallback(victim, 'victim@example.com', '/auth/login'));
    expect([hop.status, hasSession(hop)]).toEqual([302, true]);
    const fresh = victim.cookie(siteHost, 'edge-oauth')!;
    expect(fresh).not.toBe(planted);
    expect((await identityAtOrigin(victim))['edge-oauth-user-email']).toBe('victim@example.com');
  });
});

describe('a forged Host header', () => {
  function rawGet(path: string, host: string): Promise<{ status: number; location?: string }> {
    const { port } = new URL(stack.siteUrl);
    return new Promise((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, ...(res.headers.location !== undefined && { location: res.headers.location }) });
        })
        .on('error', reject);
    });
  }

  test('can only name a redirect_uri the provider refuses: the code never goes to another host', async () => {
    const start = await rawGet('/private', 'evil.example');
    expect(start.status).toBe(302);
    const authorize = new URL(start.location!);
    expect(authorize.searchParams.get('redirect_uri')).toBe('http://evil.example/auth/callback');
    const atIdp = await new TestBrowser().request(authorize);
    expect(atIdp.status).toBe(400);
    expect(atIdp.location).toBeUndefined();
    expect(atIdp.body).toContain('redirect_uri');
  });
});
