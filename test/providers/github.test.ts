import { GitHubProvider } from '../../lambdas/core/providers/github';
import { checkAllowList } from '../../lambdas/core/sign-in/allow-list';
import { providerFailureKind } from '../../lambdas/core/session/refresh';
import { authorizationUrlFor, FakeOAuthServer, providerConfig, redirectUriMatches, REDIRECT_URI, signIn, type FakeUser } from './fake-oauth-server';

const USER = 'https://api.github.com/user';
const EMAILS = 'https://api.github.com/user/emails';
const TOKEN = 'https://github.com/login/oauth/access_token';

function octocat(emails: unknown[]): FakeUser {
  return {
    sub: '1',
    api: {
      [USER]: { login: 'octocat', id: 583231, node_id: 'MDQ6VXNlcjE=', type: 'User', name: 'The Octocat', email: 'public@example.com' },
      [EMAILS]: emails,
    },
  };
}
const VERIFIED = octocat([
  { email: 'old@example.com', verified: true, primary: false, visibility: null },
  { email: 'octocat@github.com', verified: true, primary: true, visibility: 'public' },
]);

const GITHUB_ERRORS = {
  // Not an error shape, but shared by both GitHub replicas: how the callback URL is matched
  // (wildcard matching, on for apps registered before it became a setting; authorizing-oauth-apps#redirect-urls).
  redirectUriMatch: 'github-wildcard' as const,
  invalidClient: { status: 200, json: { error: 'incorrect_client_credentials', error_description: 'The client_id and/or client_secret passed are incorrect.', error_uri: '/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#incorrect-client-credentials' } },
  invalidGrant: (grantType: string) =>
    grantType === 'refresh_token'
      ? { status: 200, json: { error: 'bad_refresh_token', error_description: 'The refresh token passed is incorrect or expired.', error_uri: '/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors' } }
      : { status: 200, json: { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.', error_uri: '/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code' } },
};

let server: FakeOAuthServer;
let github: GitHubProvider;

beforeEach(async () => {
  server = await FakeOAuthServer.start();
  // An OAuth app: body credentials, no expiry, no refresh token; errors as HTTP 200 bodies
  // (docs.github.com/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors).
  server.authorizationServer({ ...GITHUB_ERRORS, authorizationEndpoint: 'https://github.com/login/oauth/authorize', tokenEndpoint: TOKEN, clientAuth: 'client_secret_post', tokenFields: { scope: 'user:email' }, expiresIn: null });
  server.api(USER);
  server.api(EMAILS);
  github = new GitHubProvider(providerConfig('github', { scopes: ['read:org'] }), server.deps());
});
afterEach(() => server.close());

test('authorization URL: documented endpoint, user:email plus extra scopes, state and PKCE S256', async () => {
  const { url } = await signIn(github, server, VERIFIED);
  expect(url.origin + url.pathname).toBe('https://github.com/login/oauth/authorize');
  expect(url.searchParams.get('scope')).toBe('user:email read:org');
  expect(url.searchParams.get('code_challenge_method')).toBe('S256');
  expect(url.searchParams.get('state')).toBeTruthy();
  expect(url.searchParams.get('prompt')).toBeNull();
});

test("redirect_uri: GitHub's wildcard matching (subdomain, subdirectory), anything else is refused without a redirect", async () => {
  // GitHub's own examples for the callback URL https://example.com/path (authorizing-oauth-apps#redirect-urls).
  const cb = ['https://example.com/path'];
  for (const ok of ['https://example.com/path', 'https://example.com/path/subdir/other', 'https://oauth.example.com/path', 'https://oauth.example.com/path/subdir/other']) {
    expect(redirectUriMatches(ok, cb, 'github-wildcard')).toBe(true);
  }
  for (const bad of ['https://example.com/bar', 'https://example.com/', 'https://example.com:8080/path', 'https://oauth.example.com:8080/path', 'https://example.org', 'https://example.com/pathology']) {
    expect(redirectUriMatches(bad, cb, 'github-wildcard')).toBe(false);
  }
  expect(() => server.authorize(new URL('https://github.com/login/oauth/authorize?client_id=test-client-id&response_type=code'), VERIFIED)).toThrow(/redirect_uri_mismatch/);
  const foreign = await authorizationUrlFor(github, 'https://evil.example/auth/callback');
  expect(() => server.authorize(foreign, VERIFIED)).toThrow(/redirect_uri_mismatch/);
  expect(() => server.deny(foreign)).toThrow(/redirect_uri_mismatch/);
  const below = await authorizationUrlFor(github, `${REDIRECT_URI}/deeper`);
  expect(server.authorize(below, VERIFIED).searchParams.get('code')).toBeTruthy();
});

test('re-authentication asks for the account picker', async () => {
  const { url } = await signIn(github, server, VERIFIED, { reauthenticate: true });
  expect(url.searchParams.get('prompt')).toBe('select_account');
});

test('signs in: numeric id, name, the primary verified email from /user/emails (not /user)', async () => {
  const { profile, tokens } = await (await signIn(github, server, VERIFIED)).finish();
  expect(profile).toEqual({ id: '583231', name: 'The Octocat', email: 'octocat@github.com', emailVerified: true });
  expect(tokens.refreshToken).toBeUndefined();
  const token = server.requests.find((r) => r.url.href === TOKEN)!;
  expect(token.headers.accept).toContain('application/json');
  expect(token.form.get('code_verifier')).toBeTruthy();
  const api = server.requests.find((r) => r.url.href === USER)!;
  expect(api.headers['user-agent']).toBe('edge-oauth');
  expect(api.headers.accept).toBe('application/vnd.github+json');
});

test('falls back to the login when the account has no display name', async () => {
  const user = octocat([{ email: 'a@example.com', verified: true, primary: true, visibility: null }]);
  (user.api![USER] as Record<string, unknown>).name = null;
  const { profile } = await (await signIn(github, server, user)).finish();
  expect(profile.name).toBe('octocat');
});

test('no verified email: the profile says unverified, and the policy denies it', async () => {
  const user = octocat([
    { email: 'octocat@github.com', verified: false, primary: true, visibility: 'public' },
    { email: 'other@example.com', verified: false, primary: false, visibility: null },
  ]);
  const { profile } = await (await signIn(github, server, user)).finish();
  expect(profile).toEqual({ id: '583231', name: 'The Octocat', email: 'octocat@github.com', emailVerified: false });
  expect(checkAllowList(profile, { emails: [], emailDomains: ['github.com'] })).toEqual({ allowed: false, reason: 'email-unverified' });
  expect(checkAllowList(profile, { emails: [], emailDomains: [] })).toEqual({ allowed: false, reason: 'email-unverified' });
});

test('access_denied on the callback', async () => {
  await expect((await signIn(github, server, 'deny')).finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_DENIED', detail: 'token: access_denied' });
});

test("a bad code: GitHub's HTTP 200 error body is an error", async () => {
  server.failNext(TOKEN, { status: 200, json: { error: 'bad_verification_code', error_description: 'The code passed is incorrect or expired.', error_uri: '/apps/...' } });
  await expect((await signIn(github, server, VERIFIED)).finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_FAILED', detail: 'token: bad_verification_code (HTTP 400)' });
});

test('invalid_grant at the token endpoint', async () => {
  server.failNext(TOKEN, { status: 400, json: { error: 'invalid_grant' } });
  await expect((await signIn(github, server, VERIFIED)).finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_FAILED', detail: 'token: invalid_grant (HTTP 400)' });
});

test('rate limited by the API (HTTP 429)', async () => {
  server.failNext(EMAILS, { status: 429, json: { message: 'API rate limit exceeded' }, headers: { 'x-ratelimit-remaining': '0' } });
  await expect((await signIn(github, server, VERIFIED)).finish()).rejects.toMatchObject({
    code: 'ERR_PROVIDER_FAILED',
    detail: 'profile (/user/emails): rate limited (HTTP 429)',
  });
});

test('rate limited at the token endpoint (HTTP 429)', async () => {
  server.failNext(TOKEN, { status: 429, json: { message: 'Too Many Requests' } });
  await expect((await signIn(github, server, VERIFIED)).finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_FAILED', detail: 'token: rate limited (HTTP 429)' });
});

test('GitHub unreachable', async () => {
  const { url } = await signIn(github, server, VERIFIED);
  const callback = server.authorize(url, VERIFIED);
  await server.close();
  const input = { callbackUrl: callback, redirectUri: url.searchParams.get('redirect_uri')!, codeVerifier: 'x', state: url.searchParams.get('state')!, nonce: 'n' };
  await expect(github.finishSignIn(input)).rejects.toMatchObject({ code: 'ERR_PROVIDER_UNREACHABLE' });
  server = await FakeOAuthServer.start();
});

test('an OAuth app token does not expire and has no refresh token: re-checks read the profile', async () => {
  const { tokens } = await (await signIn(github, server, VERIFIED)).finish();
  expect(tokens).toEqual({ accessToken: expect.any(String), scope: 'user:email' });
  expect((await github.profile(tokens)).id).toBe('583231');
});

test('a wrong client secret: GitHub answers incorrect_client_credentials (HTTP 200)', async () => {
  const wrong = new GitHubProvider(providerConfig('github'), server.deps({ clientSecret: async () => 'wrong' }));
  await expect((await signIn(wrong, server, VERIFIED)).finish()).rejects.toMatchObject({ detail: 'token: incorrect_client_credentials (HTTP 400)' });
});

describe('a GitHub App with expiring user tokens (client id Iv23...)', () => {
  // https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens:
  // "The user access token expires after eight hours, and the refresh token expires after six
  // months... Once you use a refresh token, that refresh token and the old user access token
  // will no longer work." expires_in is "always 28800".
  let app: GitHubProvider;
  beforeEach(async () => {
    await server.close();
    server = await FakeOAuthServer.start();
    server.authorizationServer({
      ...GITHUB_ERRORS,
      authorizationEndpoint: 'https://github.com/login/oauth/authorize',
      tokenEndpoint: TOKEN,
      clientAuth: 'client_secret_post',
      refresh: true,
      refreshRotation: 'rotate',
      expiresIn: 28800,
      tokenFields: { scope: '', refresh_token_expires_in: 15897600 },
    });
    server.api(USER);
    server.api(EMAILS);
    app = new GitHubProvider(providerConfig('github', { clientId: 'test-client-id' }), server.deps());
  });

  test('signs in with an 8-hour token and a refresh token, and refreshes it (the used one dies)', async () => {
    const { tokens } = await (await signIn(app, server, VERIFIED)).finish();
    expect(tokens.refreshToken).toBeTruthy();
    expect(tokens.expiresAt).toBeGreaterThan(Math.floor(Date.now() / 1000) + 28000);
    expect(app.supportsRefresh).toBe(true);
    const refreshed = await app.refresh(tokens.refreshToken!);
    expect(refreshed.profile).toMatchObject({ id: '583231', email: 'octocat@github.com', emailVerified: true });
    expect(refreshed.tokens.refreshToken).not.toBe(tokens.refreshToken);
    const refresh = server.requests.filter((r) => r.url.href === TOKEN).at(-1)!;
    expect(refresh.form.get('grant_type')).toBe('refresh_token');
    expect(refresh.form.get('client_secret')).toBe('test-client-secret');
  });

  test('a used or expired refresh token: bad_refresh_token (HTTP 200) ends the session, it is not a passing outage', async () => {
    const { tokens } = await (await signIn(app, server, VERIFIED)).finish();
    await app.refresh(tokens.refreshToken!);
    const error = await app.refresh(tokens.refreshToken!).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_PROVIDER_FAILED', detail: 'refresh: bad_refresh_token (HTTP 400)' });
    expect(providerFailureKind(error)).toBe('rejected');
  });
});
