import { providerFailureKind } from '../../lambdas/core/session/refresh';
import { TwitchProvider } from '../../lambdas/core/providers/twitch';
import { FakeOAuthServer, invalidGrant, providerConfig, signIn, type FakeUser } from './fake-oauth-server';

const TOKEN = 'https://id.twitch.tv/oauth2/token';
const STREAMER: FakeUser = {
  sub: '713936733',
  claims: { preferred_username: 'TwitchDev', email: 'dev@example.com', email_verified: true, picture: 'https://static-cdn.jtvnw.net/x.png' },
  idTokenClaims: { azp: 'test-client-id' },
};

let server: FakeOAuthServer;
let twitch: TwitchProvider;
beforeEach(async () => {
  server = await FakeOAuthServer.start();
  await server.oidcIssuer({
    discoveryBase: 'https://id.twitch.tv/oauth2',
    metadata: {
      issuer: 'https://id.twitch.tv/oauth2',
      authorization_endpoint: 'https://id.twitch.tv/oauth2/authorize',
      token_endpoint: TOKEN,
      userinfo_endpoint: 'https://id.twitch.tv/oauth2/userinfo',
      jwks_uri: 'https://id.twitch.tv/oauth2/keys',
      claims_parameter_supported: true,
      claims_supported: ['email', 'email_verified', 'picture', 'preferred_username', 'exp', 'iss', 'sub', 'azp', 'aud', 'iat', 'updated_at'],
      response_types_supported: ['id_token', 'code', 'token', 'code id_token', 'token id_token'],
      scopes_supported: ['openid'],
      subject_types_supported: ['public'],
      token_endpoint_auth_methods_supported: ['client_secret_post'],
      id_token_signing_alg_values_supported: ['RS256'],
    },
    // Twitch's documented token response: `scope` is an array.
    // Twitch's token errors are `{"status": 400, "message": "..."}`, not RFC 6749's
    // (twitchdev/issues#1037: "Invalid refresh token"; #1042: "Invalid grant"); refresh
    // tokens may change at each refresh (dev.twitch.tv/docs/authentication/refresh-tokens).
    server: {
      clientAuth: 'client_secret_post',
      // How Twitch matches redirect_uri is not confirmed from its docs: unchecked.
      redirectUriMatch: 'unchecked',
      refresh: true,
      refreshRotation: 'rotate',
      tokenFields: { scope: ['openid', 'user:read:email'] },
      invalidGrant: (grantType) => ({ status: 400, json: { status: 400, message: grantType === 'refresh_token' ? 'Invalid refresh token' : 'Invalid authorization code' } }),
      invalidClient: { status: 403, json: { status: 403, message: 'invalid client secret' } },
    },
  });
  twitch = new TwitchProvider(providerConfig('twitch'), server.deps());
});
afterEach(() => server.close());

test('authorization URL: openid user:read:email, claims for email and name, nonce, no PKCE', async () => {
  const { url } = await signIn(twitch, server, STREAMER);
  expect(url.origin + url.pathname).toBe('https://id.twitch.tv/oauth2/authorize');
  expect(url.searchParams.get('scope')).toBe('openid user:read:email');
  expect(JSON.parse(url.searchParams.get('claims')!)).toEqual({
    id_token: { email: null, email_verified: null, preferred_username: null },
    userinfo: { email: null, email_verified: null, preferred_username: null },
  });
  expect(url.searchParams.get('nonce')).toBeTruthy();
  expect(url.searchParams.get('code_challenge')).toBeNull();
});

test('re-authentication: force_verify=true', async () => {
  const { url } = await signIn(twitch, server, STREAMER, { reauthenticate: true });
  expect(url.searchParams.get('force_verify')).toBe('true');
});

test('signs in despite the scope array; the name is preferred_username; refresh works', async () => {
  const { profile, tokens } = await (await signIn(twitch, server, STREAMER)).finish();
  expect(profile).toEqual({ id: '713936733', name: 'TwitchDev', email: 'dev@example.com', emailVerified: true });
  expect(tokens.scope).toBe('openid user:read:email');
  expect(server.requests.find((r) => r.url.href === TOKEN)!.form.get('client_secret')).toBe('test-client-secret');
  expect((await twitch.refresh(tokens.refreshToken!)).profile.name).toBe('TwitchDev');
});

test('an unverified Twitch email is reported as such', async () => {
  const user = { ...STREAMER, claims: { ...STREAMER.claims, email_verified: false } };
  expect((await (await signIn(twitch, server, user)).finish()).profile.emailVerified).toBe(false);
});

test('access_denied, invalid_grant, HTTP 429', async () => {
  await expect((await signIn(twitch, server, 'deny')).finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_DENIED' });
  server.failNext(TOKEN, invalidGrant());
  await expect((await signIn(twitch, server, STREAMER)).finish()).rejects.toMatchObject({ detail: 'token: invalid_grant (HTTP 400)' });
  server.failNext(TOKEN, { status: 429, json: { error: 'Too Many Requests', status: 429, message: 'Too many requests' } });
  await expect((await signIn(twitch, server, STREAMER)).finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_FAILED', detail: 'token: rate limited (HTTP 429)' });
});

test("Twitch's own error shape: a spent refresh token ends the session (invalid_grant), with Twitch's message", async () => {
  const { tokens } = await (await signIn(twitch, server, STREAMER)).finish();
  await twitch.refresh(tokens.refreshToken!);
  const error = await twitch.refresh(tokens.refreshToken!).catch((e: unknown) => e);
  expect(error).toMatchObject({ detail: 'refresh: invalid_grant (HTTP 400)', oauthErrorDescription: 'Invalid refresh token' });
  expect(providerFailureKind(error)).toBe('rejected');
});

test('a wrong client secret: invalid_client, not a session-ending answer', async () => {
  const wrong = new TwitchProvider(providerConfig('twitch'), server.deps({ clientSecret: async () => 'wrong' }));
  const error = await (await signIn(wrong, server, STREAMER)).finish().catch((e: unknown) => e);
  expect(error).toMatchObject({ detail: 'token: invalid_client (HTTP 403)', oauthErrorDescription: 'invalid client secret' });
  expect(providerFailureKind(error)).toBe('transient');
});
