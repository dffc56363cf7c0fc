import { GoogleProvider } from '../../lambdas/core/providers/google';
import { authorizationUrlFor, FakeOAuthServer, invalidGrant, providerConfig, REDIRECT_URI, signIn, type FakeUser } from './fake-oauth-server';

const TOKEN = 'https://oauth2.googleapis.com/token';
const USERINFO = 'https://openidconnect.googleapis.com/v1/userinfo';
const ALICE: FakeUser = {
  sub: '110169484474386276334',
  claims: { name: 'Alice Example', given_name: 'Alice', email: 'alice@example.com', email_verified: true, hd: 'example.com' },
  idTokenClaims: { azp: 'test-client-id', at_hash: 'x' },
};

/** Google client secrets start with `GOCSPX-`. */
const GOOGLE_SECRET = 'GOCSPX-0123456789abcdef_ghijklmnop';

let server: FakeOAuthServer;
let google: GoogleProvider;

beforeEach(async () => {
  server = await FakeOAuthServer.start();
  await server.oidcIssuer({
    discoveryBase: 'https://accounts.google.com',
    metadata: {
      issuer: 'https://accounts.google.com',
      authorization_endpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
      token_endpoint: TOKEN,
      userinfo_endpoint: USERINFO,
      jwks_uri: 'https://www.googleapis.com/oauth2/v3/certs',
      response_types_supported: ['code', 'token', 'id_token', 'code token', 'code id_token', 'token id_token', 'code token id_token', 'none'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'email', 'profile'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      code_challenge_methods_supported: ['plain', 'S256'],
    },
    // A refresh token only with access_type=offline, and then only at the user's first
    // consent unless prompt=consent asks again (web-server#offline, and googleworkspace/apps-script-oauth2:
    // "This param is required to ensure a refresh token is always returned"). Refresh answers
    // carry a new ID token and no refresh token (Google does not rotate them).
    // Both methods are listed in discovery; whether Basic credentials are percent-decoded is
    // not documented, so the replica does not (a GOCSPX- secret then fails in Basic).
    server: {
      clientAuth: ['client_secret_basic', 'client_secret_post'],
      basicPercentDecoded: false,
      clientSecret: GOOGLE_SECRET,
      refresh: (p, _user, consentedBefore) => p.get('access_type') === 'offline' && (!consentedBefore || (p.get('prompt') ?? '').split(' ').includes('consent')),
      refreshRotation: 'reuse',
      idTokenOnRefresh: true,
    },
  });
  google = new GoogleProvider(providerConfig('google', { scopes: ['https://www.googleapis.com/auth/calendar.readonly'] }), server.deps({ clientSecret: async () => GOOGLE_SECRET }));
});
afterEach(() => server.close());

test('authorization URL: Google endpoint found by discovery, openid email profile + extra scopes, nonce, PKCE', async () => {
  const { url } = await signIn(google, server, ALICE);
  expect(url.origin + url.pathname).toBe('https://accounts.google.com/o/oauth2/v2/auth');
  expect(url.searchParams.get('scope')).toBe('openid email profile https://www.googleapis.com/auth/calendar.readonly');
  expect(url.searchParams.get('nonce')).toBeTruthy();
  expect(url.searchParams.get('code_challenge_method')).toBe('S256');
  expect(url.searchParams.get('access_type')).toBeNull();
  expect(google.supportsRefresh).toBe(false);
});

test('re-authentication: prompt=select_account and max_age=0 (Google has no prompt=login)', async () => {
  const { url } = await signIn(google, server, ALICE, { reauthenticate: true });
  expect(url.searchParams.get('prompt')).toBe('select_account');
  expect(url.searchParams.get('max_age')).toBe('0');
});

test('signs in: sub, name, email, email_verified from the validated ID token and userinfo', async () => {
  const { profile } = await (await signIn(google, server, ALICE)).finish();
  expect(profile).toEqual({ id: '110169484474386276334', name: 'Alice Example', email: 'alice@example.com', emailVerified: true });
});

test('redirect_uri must exactly match a registered one (scheme, case, trailing slash): otherwise an error page, no redirect', async () => {
  for (const other of [`${REDIRECT_URI}/`, REDIRECT_URI.replace('callback', 'Callback'), REDIRECT_URI.replace('https:', 'http:'), 'https://evil.example/auth/callback']) {
    const url = await authorizationUrlFor(google, other);
    expect(() => server.authorize(url, ALICE)).toThrow(/redirect_uri_mismatch/);
    expect(() => server.deny(url)).toThrow(/redirect_uri_mismatch/);
  }
  expect(server.authorize(await authorizationUrlFor(google, REDIRECT_URI), ALICE).searchParams.get('code')).toBeTruthy();
});

test('the config cannot point Google at another issuer', async () => {
  const other = new GoogleProvider(providerConfig('google', { issuer: 'https://evil.example' }), server.deps({ clientSecret: async () => GOOGLE_SECRET }));
  expect(other.config.issuer).toBe('https://accounts.google.com');
});

test('auth_time: checked when Google sends it, tolerated when it does not (an opt-in claim at Google)', async () => {
  const now = Math.floor(Date.now() / 1000);
  await expect((await signIn(google, server, ALICE, { reauthenticate: true, authenticatedAfter: now })).finish()).resolves.toBeTruthy();
  const stale = { ...ALICE, idTokenClaims: { auth_time: now - 3600 } };
  await expect((await signIn(google, server, stale, { reauthenticate: true, authenticatedAfter: now })).finish()).rejects.toMatchObject({
    code: 'ERR_PROVIDER_RESPONSE',
  });
});

test('an unverified Google email is reported as such', async () => {
  const user = { ...ALICE, claims: { ...ALICE.claims, email_verified: false } };
  expect((await (await signIn(google, server, user)).finish()).profile.emailVerified).toBe(false);
});

test('access_denied on the callback', async () => {
  await expect((await signIn(google, server, 'deny')).finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_DENIED', detail: 'token: access_denied' });
});

test('invalid_grant at the token endpoint', async () => {
  server.failNext(TOKEN, invalidGrant());
  await expect((await signIn(google, server, ALICE)).finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_FAILED', detail: 'token: invalid_grant (HTTP 400)' });
});

test('rate limited (HTTP 429) at userinfo', async () => {
  server.failNext(USERINFO, { status: 429, json: { error: { code: 429, message: 'Quota exceeded', status: 'RESOURCE_EXHAUSTED' } } });
  await expect((await signIn(google, server, ALICE)).finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_FAILED', detail: 'token: rate limited (HTTP 429)' });
});

describe('hostedDomains: the ID token hd claim decides, not the email domain', () => {
  const CONSUMER: FakeUser = { sub: '1001', claims: { name: 'Con Sumer', email: 'con@example.com', email_verified: true } };
  const OTHER: FakeUser = { sub: '1002', claims: { name: 'Oth Er', email: 'oth@example.com', email_verified: true, hd: 'other.example' } };
  const hosted = (hostedDomains: string[]) => new GoogleProvider(providerConfig('google', { hostedDomains }), server.deps({ clientSecret: async () => GOOGLE_SECRET }));

  test('one domain: hd=<domain> in the authorization request; a member signs in', async () => {
    const provider = hosted(['example.com']);
    const { url, finish } = await signIn(provider, server, ALICE);
    expect(url.searchParams.get('hd')).toBe('example.com');
    expect((await finish()).profile.email).toBe('alice@example.com');
  });

  test('a consumer account with a verified address at the domain is refused (no hd claim)', async () => {
    await expect((await signIn(hosted(['example.com']), server, CONSUMER)).finish()).rejects.toMatchObject({
      code: 'ERR_PROVIDER_DENIED',
      detail: "the Google account's hosted domain (hd: none: not a Google Workspace account) is not one this site admits",
    });
  });

  test('another Workspace is refused; several domains: no hd parameter, any listed hd passes', async () => {
    await expect((await signIn(hosted(['example.com']), server, OTHER)).finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_DENIED' });
    const both = hosted(['example.com', 'other.example']);
    const { url, finish } = await signIn(both, server, OTHER);
    expect(url.searchParams.get('hd')).toBeNull();
    expect((await finish()).profile.id).toBe('1002');
  });

  test("only the ID token's hd counts: userinfo's can neither stand in for it nor override it", async () => {
    // The replica's userinfo answers what the test says; Google documents hd in the ID token's payload.
    const noHdInToken: FakeUser = { sub: '1003', claims: { name: 'U', email: 'u@example.com', email_verified: true }, userinfoClaims: { hd: 'example.com' } };
    await expect((await signIn(hosted(['example.com']), server, noHdInToken)).finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_DENIED' });
    const overridden: FakeUser = { sub: '1004', claims: { name: 'V', email: 'v@example.com', email_verified: true }, idTokenClaims: { hd: 'other.example' }, userinfoClaims: { hd: 'example.com' } };
    await expect((await signIn(hosted(['example.com']), server, overridden)).finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_DENIED' });
    const member: FakeUser = { sub: '1005', claims: { name: 'W', email: 'w@example.com', email_verified: true }, idTokenClaims: { hd: 'example.com' } };
    expect((await (await signIn(hosted(['example.com']), server, member)).finish()).profile.id).toBe('1005');
  });

  test('re-checks: a refresh (new ID token) is judged like the sign-in; userinfo alone cannot prove hd and is refused', async () => {
    const provider = new GoogleProvider(providerConfig('google', { hostedDomains: ['example.com'], offlineAccess: true }), server.deps({ clientSecret: async () => GOOGLE_SECRET }));
    const { tokens } = await (await signIn(provider, server, ALICE)).finish();
    expect((await provider.refresh(tokens.refreshToken!)).profile.id).toBe(ALICE.sub);
    await expect(provider.profile(tokens)).rejects.toMatchObject({ code: 'ERR_PROVIDER_DENIED' });
  });

  test('without hostedDomains, any Google account signs in and no hd is sent', async () => {
    const { url, finish } = await signIn(google, server, CONSUMER);
    expect(url.searchParams.get('hd')).toBeNull();
    expect((await finish()).profile.id).toBe('1001');
  });
});

test('an ID token signed with a key Google does not publish is refused (the signature is checked against the JWKS)', async () => {
  server.forgeIdTokens = true;
  await expect((await signIn(google, server, ALICE)).finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_RESPONSE' });
  server.forgeIdTokens = false;
  await expect((await signIn(google, server, ALICE)).finish()).resolves.toBeTruthy();
});

describe('offline access, only when the session settings need it (authCheckInterval > 0, origin tokens)', () => {
  test('access_type=offline and no prompt: a refresh token at the first consent, none at a plain second sign-in; refresh keeps it', async () => {
    const offline = new GoogleProvider(providerConfig('google', { offlineAccess: true }), server.deps({ clientSecret: async () => GOOGLE_SECRET }));
    expect(offline.supportsRefresh).toBe(true);
    expect(offline.keepsRefreshToken).toBe(true);
    const { url, finish } = await signIn(offline, server, ALICE);
    expect(url.searchParams.get('access_type')).toBe('offline');
    expect(url.searchParams.get('prompt')).toBeNull();
    const { tokens } = await finish(); // the first consent
    expect(tokens.refreshToken).toBeTruthy();
    expect((await (await signIn(offline, server, ALICE)).finish()).tokens.refreshToken).toBeUndefined();
    expect(server.consentScreens).toEqual([ALICE.sub]);
    const refreshed = await offline.refresh(tokens.refreshToken!);
    expect(refreshed.profile).toMatchObject({ id: ALICE.sub, email: 'alice@example.com', emailVerified: true });
    expect(refreshed.tokens.accessToken).not.toBe(tokens.accessToken);
    expect(refreshed.tokens.refreshToken).toBe(tokens.refreshToken);
    const again = await offline.refresh(refreshed.tokens.refreshToken!);
    expect(again.profile.id).toBe(ALICE.sub);
  });

  test('the consent round trip: prompt=consent and login_hint=<sub>; a refresh token again', async () => {
    const offline = new GoogleProvider(providerConfig('google', { offlineAccess: true }), server.deps({ clientSecret: async () => GOOGLE_SECRET }));
    await (await signIn(offline, server, ALICE)).finish();
    const { url, finish } = await signIn(offline, server, ALICE, { consent: { loginHint: ALICE.sub } });
    expect(url.searchParams.get('prompt')).toBe('consent');
    expect(url.searchParams.get('login_hint')).toBe(ALICE.sub);
    expect((await finish()).tokens.refreshToken).toBeTruthy();
    expect(server.consentScreens).toEqual([ALICE.sub, ALICE.sub]);
  });

  test('re-authentication asks no consent: prompt=select_account', async () => {
    const offline = new GoogleProvider(providerConfig('google', { offlineAccess: true }), server.deps({ clientSecret: async () => GOOGLE_SECRET }));
    const { url } = await signIn(offline, server, ALICE, { reauthenticate: true });
    expect(url.searchParams.get('prompt')).toBe('select_account');
  });

  test('the replica is as strict as Google: without prompt=consent, a second sign-in gets no refresh token', async () => {
    const url = new URL('https://accounts.google.com/o/oauth2/v2/auth?client_id=test-client-id&response_type=code&redirect_uri=https%3A%2F%2Fapp.example.com%2Fauth%2Fcallback&access_type=offline');
    server.authorize(url, ALICE);
    const code = server.authorize(url, ALICE).searchParams.get('code')!;
    const answer = await server.fetch(TOKEN, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: 'https://app.example.com/auth/callback', client_id: 'test-client-id', client_secret: GOOGLE_SECRET }),
    });
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { access_token?: string; refresh_token?: string };
    expect(body.access_token).toBeTruthy();
    expect(body.refresh_token).toBeUndefined();
  });
});
