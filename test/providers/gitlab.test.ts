import { GitLabProvider } from '../../lambdas/core/providers/gitlab';
import { authorizationUrlFor, FakeOAuthServer, invalidGrant, providerConfig, REDIRECT_URI, signIn, type FakeUser } from './fake-oauth-server';

/**
 * GitLab application secrets are `gloas-` + 64 hex (gitlabhq
 * lib/gitlab/doorkeeper_secret_storing/token/unique_application_token.rb:
 * `OAUTH_APPLICATION_SECRET_PREFIX_FORMAT = "gloas-%{token}"`).
 */
const DOORKEEPER_INVALID_CLIENT = 'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.';
const GITLAB_SECRET = `gloas-${'0123456789abcdef'.repeat(4)}`;
const APPLICATION_SCOPES = ['openid', 'profile', 'email'];

async function gitlab(server: FakeOAuthServer, base: string): Promise<void> {
  await server.oidcIssuer({
    discoveryBase: base,
    metadata: {
      issuer: base,
      authorization_endpoint: `${base}/oauth/authorize`,
      token_endpoint: `${base}/oauth/token`,
      userinfo_endpoint: `${base}/oauth/userinfo`,
      jwks_uri: `${base}/oauth/discovery/keys`,
      scopes_supported: ['api', 'read_user', 'openid', 'profile', 'email'],
      response_types_supported: ['code'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'sub_legacy', 'name', 'nickname', 'preferred_username', 'email', 'email_verified', 'website', 'profile', 'picture', 'groups'],
    },
    // Doorkeeper 5.x: `client_credentials_methods ||= %i[from_basic from_params]` (Basic
    // first, then the body); `from_basic` is `Base64.decode64(...).split(/:/, 2)`, never
    // percent-decoded (doorkeeper lib/doorkeeper/oauth/client/credentials.rb). Refresh
    // tokens rotate (`use_refresh_token`, gitlabhq config/initializers/doorkeeper.rb).
    server: {
      clientAuth: ['client_secret_basic', 'client_secret_post'],
      basicPercentDecoded: false,
      clientSecret: GITLAB_SECRET,
      refresh: true,
      refreshRotation: 'rotate',
      // The scopes the application was registered with (docs/providers/gitlab.md): Doorkeeper
      // refuses any other with invalid_scope (doorkeeper lib/doorkeeper/oauth/helpers/scope_checker.rb:
      // the requested scopes must all be among the application's).
      invalidScope: (scope) => !APPLICATION_SCOPES.includes(scope),
      // doorkeeper lib/doorkeeper/oauth/error_response.rb: 401 and a Bearer challenge for invalid_client.
      invalidClient: {
        status: 401,
        json: { error: 'invalid_client', error_description: DOORKEEPER_INVALID_CLIENT },
        headers: { 'www-authenticate': `Bearer realm="Doorkeeper", error="invalid_client", error_description="${DOORKEEPER_INVALID_CLIENT}"` },
      },
    },
  });
}
const now = () => Math.floor(Date.now() / 1000);
const SID = (authTime: number): FakeUser => ({
  sub: '1234567',
  claims: { name: 'Sid Sijbrandij', nickname: 'sytses', preferred_username: 'sytses', email: 'sid@example.com', email_verified: true },
  idTokenClaims: { auth_time: authTime, sub_legacy: 'abc' },
});

let server: FakeOAuthServer;
beforeEach(async () => {
  server = await FakeOAuthServer.start();
});
afterEach(() => server.close());

describe('gitlab.com', () => {
  let provider: GitLabProvider;
  beforeEach(async () => {
    await gitlab(server, 'https://gitlab.com');
    provider = new GitLabProvider(providerConfig('gitlab'), server.deps({ clientSecret: async () => GITLAB_SECRET }));
  });

  test('authorization URL, scopes openid profile email, PKCE, nonce; re-authentication prompt=login max_age=0', async () => {
    const { url } = await signIn(provider, server, SID(now()), { reauthenticate: true });
    expect(url.origin + url.pathname).toBe('https://gitlab.com/oauth/authorize');
    expect(url.searchParams.get('scope')).toBe('openid profile email');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('prompt')).toBe('login');
    expect(url.searchParams.get('max_age')).toBe('0');
  });

  test('redirect_uri must exactly match the registered one (Doorkeeper URIChecker.matches?): otherwise an error page, no redirect', async () => {
    for (const other of [`${REDIRECT_URI}/`, `${REDIRECT_URI}?x=1`, 'https://evil.example/auth/callback']) {
      const url = await authorizationUrlFor(provider, other);
      expect(() => server.authorize(url, SID(now()))).toThrow(/redirect_uri_mismatch/);
    }
  });

  test('a scope the application was not registered with: invalid_scope on the callback, the sign-in fails', async () => {
    const extra = new GitLabProvider(providerConfig('gitlab', { scopes: ['read_api'] }), server.deps({ clientSecret: async () => GITLAB_SECRET }));
    const { url, finish } = await signIn(extra, server, SID(now()));
    expect(url.searchParams.get('scope')).toBe('openid profile email read_api');
    await expect(finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_FAILED', oauthError: 'invalid_scope' });
  });

  test('signs in with a gloas- secret in the body (client_secret_post), and refreshes (the refresh token rotates)', async () => {
    const { profile, tokens } = await (await signIn(provider, server, SID(now()))).finish();
    expect(profile).toEqual({ id: '1234567', name: 'Sid Sijbrandij', email: 'sid@example.com', emailVerified: true });
    const token = server.requests.find((r) => r.url.href === 'https://gitlab.com/oauth/token')!;
    expect(token.headers.authorization).toBeUndefined();
    expect(token.form.get('client_secret')).toBe(GITLAB_SECRET);
    expect(provider.supportsRefresh).toBe(true);
    const refreshed = await provider.refresh(tokens.refreshToken!);
    expect(refreshed.profile.id).toBe('1234567');
    expect(refreshed.tokens.refreshToken).not.toBe(tokens.refreshToken);
    await expect(provider.refresh(tokens.refreshToken!)).rejects.toMatchObject({ detail: 'refresh: invalid_grant (HTTP 400)' });
  });

  test('re-authentication is proven by auth_time (GitLab always sends it)', async () => {
    const t = now();
    await expect((await signIn(provider, server, SID(t), { reauthenticate: true, authenticatedAfter: t })).finish()).resolves.toBeTruthy();
    await expect((await signIn(provider, server, SID(t - 600), { reauthenticate: true, authenticatedAfter: t })).finish()).rejects.toMatchObject({
      code: 'ERR_PROVIDER_RESPONSE',
      detail: 'the provider did not re-authenticate the user',
    });
  });

  test('access_denied, invalid_grant, HTTP 429', async () => {
    await expect((await signIn(provider, server, 'deny')).finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_DENIED' });
    server.failNext('https://gitlab.com/oauth/token', invalidGrant());
    await expect((await signIn(provider, server, SID(now()))).finish()).rejects.toMatchObject({ detail: 'token: invalid_grant (HTTP 400)' });
    server.failNext('https://gitlab.com/oauth/token', { status: 429, json: { message: 'Retry later' } });
    await expect((await signIn(provider, server, SID(now()))).finish()).rejects.toMatchObject({ detail: 'token: rate limited (HTTP 429)' });
  });
});

test('self-managed GitLab: the configured issuer', async () => {
  await gitlab(server, 'https://gitlab.example.org');
  const provider = new GitLabProvider(providerConfig('gitlab', { issuer: 'https://gitlab.example.org' }), server.deps({ clientSecret: async () => GITLAB_SECRET }));
  const { url, finish } = await signIn(provider, server, SID(now()));
  expect(url.origin).toBe('https://gitlab.example.org');
  expect((await finish()).profile.email).toBe('sid@example.com');
});

test('the replica is as strict as Doorkeeper: Basic credentials are not percent-decoded', async () => {
  await gitlab(server, 'https://gitlab.com');
  const basic = (secret: string) => `Basic ${Buffer.from(`test-client-id:${secret}`).toString('base64')}`;
  const post = (authorization: string) =>
    server.fetch('https://gitlab.com/oauth/token', {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token&refresh_token=unknown',
    });
  // RFC 6749 2.3.1 form-urlencoding (as oauth4webapi does it): `-` becomes `%2D`.
  const encoded = await post(basic(GITLAB_SECRET.replace('-', '%2D')));
  expect(encoded.status).toBe(401);
  expect(await encoded.json()).toMatchObject({ error: 'invalid_client' });
  // The raw secret passes client authentication (and then fails on the unknown refresh token).
  expect((await post(basic(GITLAB_SECRET))).status).toBe(400);
});

test("a wrong secret: Doorkeeper's invalid_client challenge, with its description", async () => {
  await gitlab(server, 'https://gitlab.com');
  const provider = new GitLabProvider(providerConfig('gitlab'), server.deps({ clientSecret: async () => 'gloas-wrong' }));
  await expect((await signIn(provider, server, SID(now()))).finish()).rejects.toMatchObject({
    detail: 'token: invalid_client (HTTP 401)',
    oauthErrorDescription: DOORKEEPER_INVALID_CLIENT,
  });
});
