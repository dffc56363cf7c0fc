/**
 * Google without a consent screen at every sign-in (issue 24, item 4): the browser's whole
 * round trip (sign-in start, Google's replica, the callback, a consent round trip when one
 * is sent) against the Google replica, which returns a refresh token only when its consent
 * screen was shown (test/providers/fake-oauth-server.ts `consentScreens`). Design:
 * lambdas/core/sign-in/kept-refresh-token.ts, docs/providers/google.md.
 */
import { newFlow } from '../../../lambdas/core/sign-in/flow';
import { finishCallback, type CallbackContext, type CallbackResponse } from '../../../lambdas/core/sign-in/callback';
import { GoogleProvider } from '../../../lambdas/core/providers/google';
import { openTokens } from '../../../lambdas/core/keys/token-sealing';
import { refreshSession } from '../../../lambdas/core/session/refresh';
import { revokeOneSession, revokeUserSessions } from '../../../lambdas/core/session/revoke';
import { MemorySessionStore } from '../../../lambdas/store/memory/sessions';
import { MemoryUserStore } from '../../../lambdas/store/memory/users';
import { MemoryMauStore } from '../../../lambdas/store/memory/mau';
import { MemorySignInStore } from '../../../lambdas/store/memory/sign-in';
import { FakeOAuthServer, providerConfig, type FakeUser } from '../../providers/fake-oauth-server';
import { seededRandom, testConfig, testKeys } from '../fixtures';

const SECRET = 'GOCSPX-0123456789abcdef_ghijklmnop';
const ALICE: FakeUser = { sub: '110169484474386276334', claims: { name: 'Alice', email: 'alice@example.com', email_verified: true } };
const BOB: FakeUser = { sub: '104857600000000000001', claims: { name: 'Bob', email: 'bob@example.com', email_verified: true } };
const DEEP = '/reports/q3?tab=2';
const config = testConfig({
  providers: [{ id: 'google', type: 'google', clientId: 'test-client-id', clientSecret: 'edge-oauth/google' }],
  session: { authCheckInterval: 300 },
});
const keys = testKeys();
const now = Math.floor(Date.now() / 1000);

let server: FakeOAuthServer;
let google: GoogleProvider;
let sessions: MemorySessionStore;
let users: MemoryUserStore;
let errors: { error: unknown; where: string }[];

/** Google as test/providers/google.test.ts sets it up: a refresh token only with offline access and a consent screen. */
async function startGoogle(issuesRefreshTokens = true): Promise<void> {
  server = await FakeOAuthServer.start();
  await server.oidcIssuer({
    discoveryBase: 'https://accounts.google.com',
    metadata: {
      issuer: 'https://accounts.google.com',
      authorization_endpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
      token_endpoint: 'https://oauth2.googleapis.com/token',
      userinfo_endpoint: 'https://openidconnect.googleapis.com/v1/userinfo',
      jwks_uri: 'https://www.googleapis.com/oauth2/v3/certs',
      code_challenge_methods_supported: ['plain', 'S256'],
    },
    server: {
      clientAuth: ['client_secret_basic', 'client_secret_post'],
      basicPercentDecoded: false,
      clientSecret: SECRET,
      refresh: (p, _user, consentedBefore) =>
        issuesRefreshTokens && p.get('access_type') === 'offline' && (!consentedBefore || (p.get('prompt') ?? '').split(' ').includes('consent')),
      refreshRotation: 'reuse',
      idTokenOnRefresh: true,
    },
  });
  google = new GoogleProvider(providerConfig('google', { offlineAccess: true }), server.deps({ clientSecret: async () => SECRET }));
  sessions = new MemorySessionStore(() => now);
  users = new MemoryUserStore();
  errors = [];
}
afterEach(() => server.close());

function context(): CallbackContext {
  return {
    config,
    keys,
    providers: new Map([['google', google]]),
    sessions,
    users,
    signIns: new MemorySignInStore(sessions, users, new MemoryMauStore()),
    now,
    random: seededRandom(String(Math.random())),
    scheme: 'https',
    onError: (error, where) => errors.push({ error, where }),
  };
}

/** A cookie jar of one tab's browser: Set-Cookie applied (Max-Age=0 deletes). */
function apply(jar: Map<string, string>, setCookies: readonly string[]): void {
  for (const c of setCookies) {
    const [pair] = c.split(';');
    const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
    if (/;\s*Max-Age=0/i.test(c)) jar.delete(name);
    else jar.set(name, value);
  }
}

/** One sign-in as the browser does it, following the callback back to Google (at most 3 times). */
async function browserSignIn(user: FakeUser = ALICE, atGoogle: (url: URL, leg: number) => FakeUser = () => user): Promise<{ urls: URL[]; response: CallbackResponse }> {
  const jar = new Map<string, string>();
  const started = await newFlow(config, keys, { providerId: 'google', returnPath: DEEP, reauthenticate: false, now, random: seededRandom(String(Math.random())) });
  apply(jar, [started.setCookie]);
  let url = await google.authorizationUrl({ redirectUri: 'https://app.example.com/auth/callback', state: started.state, nonce: started.flow.n, codeChallenge: started.codeChallenge, reauthenticate: false });
  const urls: URL[] = [];
  for (;;) {
    urls.push(url);
    const back = server.authorize(url, atGoogle(url, urls.length));
    const cookieHeaders = [[...jar].map(([k, v]) => `${k}=${v}`).join('; ')];
    const response = await finishCallback(context(), { querystring: back.search.slice(1), cookieHeaders, host: 'app.example.com' });
    apply(jar, response.setCookies);
    const location = response.headers.location ?? '';
    if (response.status !== 302 || !location.startsWith('https://accounts.google.com/') || urls.length >= 3) return { urls, response };
    url = new URL(location);
  }
}

async function sessionRefreshToken(response: CallbackResponse): Promise<string | undefined> {
  const record = await sessions.getSession(response.session!.sid);
  return openTokens(record?.tokens, keys)?.refreshToken;
}

test('first sign-in: access_type=offline and no prompt; Google shows its consent once; the refresh token is kept and used', async () => {
  await startGoogle();
  const { urls, response } = await browserSignIn();
  expect(urls).toHaveLength(1);
  expect(urls[0]!.searchParams.get('access_type')).toBe('offline');
  expect(urls[0]!.searchParams.get('prompt')).toBeNull();
  expect(server.consentScreens).toEqual([ALICE.sub]);
  expect(response).toMatchObject({ status: 302, headers: { location: DEEP }, reason: 'signed-in' });
  const refreshToken = await sessionRefreshToken(response);
  expect(refreshToken).toBeTruthy();
  const kept = await users.getRefreshToken('google', ALICE.sub);
  expect(kept?.sealed).not.toContain(refreshToken); // sealed, never as is
  expect(await users.getUser('google', ALICE.sub)).not.toHaveProperty('refreshToken');
});

test('second sign-in: no consent screen, and the session refreshes with the kept token', async () => {
  await startGoogle();
  const first = await browserSignIn();
  const { urls, response } = await browserSignIn();
  expect(urls).toHaveLength(1);
  expect(urls[0]!.searchParams.get('prompt')).toBeNull();
  expect(server.consentScreens).toEqual([ALICE.sub]); // only the first sign-in's
  expect(response).toMatchObject({ status: 302, headers: { location: DEEP } });
  const refreshToken = await sessionRefreshToken(response);
  expect(refreshToken).toBe(await sessionRefreshToken(first.response));
  const outcome = await refreshSession({ config, sessions, users, provider: google, keys, owner: 'c1', now: now + 400, calls: [] }, response.session!, now + 400);
  expect(outcome.kind).toBe('refreshed');
});

test('a user who consented before this code (no token kept): one consent round trip, login_hint, back to the same deep link', async () => {
  await startGoogle();
  server.authorize(new URL('https://accounts.google.com/o/oauth2/v2/auth?client_id=test-client-id&response_type=code&redirect_uri=https%3A%2F%2Fapp.example.com%2Fauth%2Fcallback'), ALICE);
  expect(server.consentScreens).toEqual([ALICE.sub]);
  const { urls, response } = await browserSignIn();
  expect(urls).toHaveLength(2);
  expect(urls[1]!.searchParams.get('prompt')).toBe('consent');
  expect(urls[1]!.searchParams.get('login_hint')).toBe(ALICE.sub);
  expect(urls[1]!.searchParams.get('access_type')).toBe('offline');
  expect(server.consentScreens).toEqual([ALICE.sub, ALICE.sub]);
  expect(response).toMatchObject({ status: 302, headers: { location: DEEP }, reason: 'signed-in' });
  expect(await sessionRefreshToken(response)).toBeTruthy();
  // And the next sign-in is plain again.
  expect((await browserSignIn()).urls).toHaveLength(1);
  expect(server.consentScreens).toHaveLength(2);
});

test('access revoked at Google: its consent screen once at the next sign-in, and the new token replaces the kept one', async () => {
  await startGoogle();
  const first = await browserSignIn();
  server.revokeTokens(ALICE.sub);
  const { urls, response } = await browserSignIn();
  expect(urls).toHaveLength(1);
  expect(server.consentScreens).toEqual([ALICE.sub, ALICE.sub]);
  const refreshToken = await sessionRefreshToken(response);
  expect(refreshToken).toBeTruthy();
  expect(refreshToken).not.toBe(await sessionRefreshToken(first.response));
  expect((await browserSignIn()).urls).toHaveLength(1);
  expect(server.consentScreens).toHaveLength(2);
});

test('kept token dead while the grant stays (unused six months, pushed out): refused at the callback, dropped, one consent round trip', async () => {
  await startGoogle();
  await browserSignIn();
  server.revokeTokens(ALICE.sub, 'kept');
  const { urls, response } = await browserSignIn();
  expect(urls).toHaveLength(2);
  expect(urls[1]!.searchParams.get('prompt')).toBe('consent');
  expect(server.consentScreens).toEqual([ALICE.sub, ALICE.sub]);
  expect(response).toMatchObject({ status: 302, headers: { location: DEEP }, reason: 'signed-in' });
  const refreshToken = await sessionRefreshToken(response);
  expect((await google.refresh(refreshToken!)).profile.id).toBe(ALICE.sub);
});

test('a session whose refresh is refused (invalid_grant) drops the kept token: the next sign-in asks consent again, once', async () => {
  await startGoogle();
  const { response } = await browserSignIn();
  server.revokeTokens(ALICE.sub, 'kept');
  const outcome = await refreshSession({ config, sessions, users, provider: google, keys, owner: 'c1', now: now + 400, calls: [] }, response.session!, now + 400);
  expect(outcome.kind).toBe('rejected');
  expect(await users.getRefreshToken('google', ALICE.sub)).toBeUndefined();
  const again = await browserSignIn();
  expect(again.urls).toHaveLength(2);
  expect(server.consentScreens).toHaveLength(2);
});

test('no loop: a Google that never returns a refresh token gets one consent round trip per sign-in, then the session starts without one', async () => {
  await startGoogle(false);
  const { urls, response } = await browserSignIn();
  expect(urls).toHaveLength(2);
  expect(response).toMatchObject({ status: 302, headers: { location: DEEP }, reason: 'signed-in' });
  expect(await sessionRefreshToken(response)).toBeUndefined();
  expect(errors.map((e) => e.where)).toContain('refresh-token-missing');
});

test('the consent round trip must bring back the same account: another one chosen there is refused', async () => {
  await startGoogle();
  server.authorize(new URL('https://accounts.google.com/o/oauth2/v2/auth?client_id=test-client-id&response_type=code&redirect_uri=https%3A%2F%2Fapp.example.com%2Fauth%2Fcallback'), ALICE);
  const { urls, response } = await browserSignIn(ALICE, (_url, leg) => (leg === 1 ? ALICE : BOB));
  expect(urls).toHaveLength(2);
  expect(response).toMatchObject({ status: 403, reason: 'consent-account-changed' });
  expect(response.session).toBeUndefined();
});

test('a kept token is bound to its user: copied to another user, it opens to nothing', async () => {
  await startGoogle();
  await browserSignIn();
  const kept = await users.getRefreshToken('google', ALICE.sub);
  await users.upsertOnSignIn({ provider: 'google', userId: BOB.sub, at: now, host: 'app.example.com', refreshToken: kept });
  server.authorize(new URL('https://accounts.google.com/o/oauth2/v2/auth?client_id=test-client-id&response_type=code&redirect_uri=https%3A%2F%2Fapp.example.com%2Fauth%2Fcallback'), BOB);
  const { urls } = await browserSignIn(BOB);
  expect(urls).toHaveLength(2); // Alice's token was not used for Bob: a consent round trip instead
});

test('"sign out everywhere" (revoke all of a user\'s sessions) drops the kept token; revoking one session leaves it', async () => {
  await startGoogle();
  const { response } = await browserSignIn();
  await browserSignIn();
  await revokeOneSession(sessions, response.session!.sid, now);
  expect(await users.getRefreshToken('google', ALICE.sub)).toBeDefined();
  expect(await revokeUserSessions(sessions, { provider: 'google', userId: ALICE.sub }, now, users)).toHaveLength(1);
  expect(await users.getRefreshToken('google', ALICE.sub)).toBeUndefined();
  expect((await browserSignIn()).urls).toHaveLength(2); // consent once again
});
