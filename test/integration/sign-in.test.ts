/**
 * The walking skeleton, end to end on real peers: the CloudFront emulator running the real
 * handlers, the real oidc-provider, DynamoDB Local, the local Secrets Manager.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoSessionStore } from '../../lambdas/store/dynamodb/sessions';
import { LOCAL_CREDENTIALS } from '../../local/emulators/dynamodb/dynamodb-local';
import { startLocalStack, type LocalStack } from '../../local/stack/stack';
import { testDynamoEndpoint } from '../support/dynamodb';
import { TestBrowser, type Hop } from '../support/http-client';

let stack: LocalStack;
let siteHost: string;
let now = Date.now();

beforeAll(async () => {
  stack = await startLocalStack({
    dynamoEndpoint: testDynamoEndpoint(),
    clock: () => now,
    devConfig: { allow: { emails: [], emailDomains: ['example.com'] }, session: { maxDuration: '1h' } },
  });
  siteHost = new URL(stack.siteUrl).host;
});
afterAll(() => stack.close());

async function echo(browser: TestBrowser, path = '/', headers: Record<string, string> = {}) {
  const hop = await browser.request(`${stack.siteUrl}${path}`, { headers: { accept: 'application/json', ...headers } });
  return { hop, json: hop.status === 200 ? (JSON.parse(hop.body) as { path: string; headers: Record<string, string> }) : undefined };
}

async function signIn(browser: TestBrowser, email = 'ada@example.com', path = '/', verified = true): Promise<Hop> {
  const start = await browser.request(`${stack.siteUrl}${path}`);
  expect(start.status).toBe(302);
  const toCallback = await browser.signInAtIdp(start, { email, name: 'Ada Lovelace', emailVerified: verified }, siteHost);
  expect(toCallback.location).toContain('/auth/callback?');
  return browser.request(toCallback.location!);
}

describe('sign-in through the edge', () => {
  test('no cookie: 302 to the provider with state, nonce and PKCE S256, no-store, and a flow cookie', async () => {
    const hop = await new TestBrowser().request(`${stack.siteUrl}/reports?q=1`);
    expect(hop.status).toBe(302);
    expect(hop.headers.get('cache-control')).toBe('no-store');
    const location = new URL(hop.location!);
    expect(location.origin).toBe(stack.idp!.issuer);
    for (const p of ['nonce', 'code_challenge']) expect(location.searchParams.get(p)).toMatch(/^[\w-]{43}$/);
    // The state is the sealed attempt (compact JWE), opaque to the provider (sign-in/flow.ts).
    expect(location.searchParams.get('state')).toMatch(/^[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('redirect_uri')).toBe(`${stack.siteUrl}/auth/callback`);
    const flowCookie = hop.setCookies.find((c) => c.startsWith('edge-oauth-flow-'))!;
    expect(flowCookie).toMatch(/^edge-oauth-flow-[0-9a-z]{6}[\w-]{12}=[\w-]{43}; Path=\/; Max-Age=600; Secure; HttpOnly; SameSite=Lax$/);
  });

  test('a whole sign-in: callback sets the session cookie, restores the deep link, the origin sees the identity', async () => {
    const browser = new TestBrowser();
    const callback = await signIn(browser, 'Ada@Example.com', '/reports/2026?q=a%20b&x=1');
    expect(callback.status).toBe(302);
    expect(callback.location).toBe(`${stack.siteUrl}/reports/2026?q=a%20b&x=1`);
    const session = callback.setCookies.find((c) => c.startsWith('edge-oauth='))!;
    expect(session).toMatch(/^edge-oauth=[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+; Path=\/; Max-Age=3600; Secure; HttpOnly; SameSite=Lax$/);
    expect(session).not.toMatch(/Domain=/i);
    expect(callback.setCookies.some((c) => c.startsWith('edge-oauth-flow-') && c.includes('Max-Age=0'))).toBe(true);

    browser.setCookie(siteHost, 'theme', 'dark');
    const { json } = await echo(browser, '/reports/2026?q=a%20b&x=1');
    const account = stack.idp!.accounts.findByEmail('ada@example.com')!;
    expect(json!.path).toBe('/reports/2026?q=a%20b&x=1');
    expect(json!.headers).toMatchObject({
      'edge-oauth-user-id': account.sub,
      'edge-oauth-user-email': 'ada@example.com',
      'edge-oauth-user-name': 'Ada Lovelace',
      'edge-oauth-provider': 'dev',
    });
    // The origin never sees edge-oauth's own cookies; other cookies pass.
    expect(json!.headers.cookie).toBe('theme=dark');

    // The session was written to DynamoDB.
    const sid = JSON.parse(Buffer.from(session.split('.')[0]!.slice('edge-oauth='.length), 'base64url').toString()).kid;
    expect(sid).toBe('local-1');
  });

  test('client-sent identity headers never reach the origin, in any spelling', async () => {
    const browser = new TestBrowser();
    await signIn(browser, 'grace@example.com');
    const forged = {
      'Edge-OAuth-User-Email': 'ceo@example.com',
      edge_oauth_user_id: 'root',
      'EDGE-OAUTH-PROVIDER': 'forged',
      'edge-oauth-host': 'evil.example',
    };
    const { json } = await echo(browser, '/', forged);
    expect(json!.headers['edge-oauth-user-email']).toBe('grace@example.com');
    expect(json!.headers['edge-oauth-provider']).toBe('dev');
    expect(json!.headers['edge-oauth-host']).toBeUndefined();
    expect(Object.keys(json!.headers).filter((h) => /edge.oauth/i.test(h)).sort()).toEqual([
      'edge-oauth-jwt-assertion',
      'edge-oauth-provider',
      'edge-oauth-user-email',
      'edge-oauth-user-id',
      'edge-oauth-user-name',
    ]);
    // OPTIONS passthrough (no session) strips them too.
    const preflight = await new TestBrowser().request(`${stack.siteUrl}/api`, {
      method: 'OPTIONS',
      headers: { accept: 'application/json', ...forged, origin: 'http://other.example' },
    });
    expect(preflight.status).toBe(204);
  });

  test('logout clears the cookie, revokes the session server-side, and the next visit signs in again', async () => {
    const browser = new TestBrowser();
    await signIn(browser, 'lin@example.com');
    const cookie = browser.cookie(siteHost, 'edge-oauth')!;
    const logout = await browser.request(`${stack.siteUrl}/auth/logout`);
    expect(logout.status).toBe(200);
    expect(logout.body).toContain('You are signed out');
    expect(logout.setCookies).toEqual([expect.stringMatching(/^edge-oauth=; Path=\/; Max-Age=0/)]);
    expect((await browser.request(`${stack.siteUrl}/`)).status).toBe(302);

    const claims = await stackSessionOf(cookie);
    expect(claims?.revokedAt).toBeDefined();
  });

  test('a tampered, truncated or foreign cookie means sign in again, never a crash or a pass', async () => {
    const browser = new TestBrowser();
    await signIn(browser, 'mo@example.com');
    const good = browser.cookie(siteHost, 'edge-oauth')!;
    const parts = good.split('.');
    const flip = (s: string) => (s[5] === 'A' ? `${s.slice(0, 5)}B${s.slice(6)}` : `${s.slice(0, 5)}A${s.slice(6)}`);
    for (const bad of [
      [parts[0], '', parts[2], flip(parts[3]!), parts[4]].join('.'),
      [parts[0], '', parts[2], parts[3], flip(parts[4]!)].join('.'),
      good.slice(0, -3),
      'garbage',
      '',
    ]) {
      const other = new TestBrowser();
      other.setCookie(siteHost, 'edge-oauth', bad);
      const hop = await other.request(`${stack.siteUrl}/`, { headers: { accept: 'application/json' } });
      expect(hop.status).toBe(302);
      expect(new URL(hop.location!).origin).toBe(stack.idp!.issuer);
    }
  });

  test('an expired session (maximum duration passed) means sign in again', async () => {
    const browser = new TestBrowser();
    await signIn(browser, 'old@example.com');
    expect((await echo(browser)).hop.status).toBe(200);
    now += 3601_000;
    try {
      const hop = (await echo(browser)).hop;
      expect(hop.status).toBe(302);
      expect(hop.setCookies.some((c) => /^edge-oauth=; .*Max-Age=0/.test(c))).toBe(true);
    } finally {
      now -= 3601_000;
    }
  });

  test('a wrong state and a replayed callback are refused', async () => {
    const browser = new TestBrowser();
    const start = await browser.request(`${stack.siteUrl}/`);
    const toCallback = await browser.signInAtIdp(start, { email: 'eve@example.com' }, siteHost);
    const url = new URL(toCallback.location!);
    const flowCookies = [...(browser.jar.get(siteHost) ?? new Map()).entries()];

    const wrong = new URL(url);
    wrong.searchParams.set('state', 'A'.repeat(43));
    const wrongHop = await browser.request(wrong);
    expect(wrongHop.status).toBe(400);
    expect(wrongHop.body).toContain('not valid here');
    expect(wrongHop.body).toContain('href="/auth/login"'); // never a dead end

    expect((await browser.request(url)).status).toBe(302);
    // Replay: the same callback URL with the flow cookie put back.
    const replay = new TestBrowser();
    for (const [name, c] of flowCookies) replay.setCookie(siteHost, name, c.value, c.path);
    const replayed = await replay.request(url);
    expect(replayed.status).toBe(400);
    expect(replayed.setCookies.some((c) => c.startsWith('edge-oauth='))).toBe(false);
  });

  test('an email outside the allow-list gets the error page with a way to try another account', async () => {
    const browser = new TestBrowser();
    const denied = await signIn(browser, 'mallory@evil.example');
    expect(denied.status).toBe(403);
    expect(denied.body).toContain('not allowed to access this site');
    expect(denied.body).toContain('href="/auth/authn?provider=dev"');
    expect(denied.setCookies.some((c) => c.startsWith('edge-oauth='))).toBe(false);
    // A subdomain is not the domain.
    expect((await signIn(new TestBrowser(), 'bob@corp.example.com')).status).toBe(403);
  });

  test('an email the provider marks unverified is not allowed', async () => {
    const denied = await signIn(new TestBrowser(), 'unverified@example.com', '/', false);
    expect(denied.status).toBe(403);
    expect(denied.body).toContain('not verified');
  });

  test('/auth/authn asks the provider to re-authenticate; other /auth paths are answered by the edge', async () => {
    const hop = await new TestBrowser().request(`${stack.siteUrl}/auth/authn?rd=/deep/link`);
    const location = new URL(hop.location!);
    expect(location.searchParams.get('prompt')).toBe('login');
    expect(location.searchParams.get('max_age')).toBe('0');
    for (const path of ['/auth/nope', '/AUTH/nope', '/auth/%2e%2e/auth/x', '//auth//nope', '/x/../auth/nope', '/auth%2fnope']) {
      const answer = await new TestBrowser().request(`${stack.siteUrl}${path}`, { headers: { accept: 'application/json' } });
      expect([path, answer.status]).toEqual([path, 404]);
      expect(answer.body).not.toContain('"method"');
    }
  });

  test('two tabs signing in at the same time both succeed', async () => {
    const browser = new TestBrowser();
    const [tab1, tab2] = await Promise.all([browser.request(`${stack.siteUrl}/one`), browser.request(`${stack.siteUrl}/two`)]);
    const back1 = await browser.signInAtIdp(tab1, { email: 'tabs@example.com' }, siteHost);
    const back2 = await browser.signInAtIdp(tab2, { email: 'tabs@example.com' }, siteHost);
    const [done1, done2] = [await browser.request(back1.location!), await browser.request(back2.location!)];
    expect([done1.status, done1.location]).toEqual([302, `${stack.siteUrl}/one`]);
    expect([done2.status, done2.location]).toEqual([302, `${stack.siteUrl}/two`]);
  });
});

async function stackSessionOf(cookie: string) {
  // Read the session id through the real store: open the cookie with the local key set.
  const { parseKeySet } = await import('../../lambdas/core/keys/key-set');
  const { open } = await import('../../lambdas/core/keys/seal');
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const sm = new SecretsManagerClient({ region: 'us-east-1', endpoint: stack.endpoints.secretsManager, credentials: LOCAL_CREDENTIALS });
  const secret = await sm.send(new GetSecretValueCommand({ SecretId: stack.config.aws.sessionKeysSecretId }));
  const claims = open<{ sid: string }>(cookie, parseKeySet(secret.SecretString!))!;
  const store = new DynamoSessionStore({
    tableName: stack.config.aws.tables.sessions,
    client: new DynamoDBClient({ region: 'us-east-1', endpoint: stack.endpoints.dynamodb, credentials: LOCAL_CREDENTIALS }),
  });
  return store.getSession(claims.sid);
}
