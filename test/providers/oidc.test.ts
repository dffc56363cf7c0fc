/** The generic OIDC adapter against a real, certified OpenID Provider (oidc-provider, via local/emulators/idp/provider.ts). */
import { startDevIdp, type DevIdpHandle } from '../../local/emulators/idp/provider';
import { OidcProvider } from '../../lambdas/core/providers/oidc';
import type { ProviderConfig } from '../../lambdas/core/config/types';
import { TestBrowser, type Hop } from '../support/http-client';
import { CLIENT_ID, CLIENT_SECRET, FakeOAuthServer, newFlow, providerConfig, REDIRECT_URI, signIn as fakeSignIn } from './fake-oauth-server';

let idp: DevIdpHandle;
beforeAll(async () => {
  idp = await startDevIdp({ clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [REDIRECT_URI] }] });
});
afterAll(() => idp.close());

function oidc(overrides: Partial<ProviderConfig> = {}): OidcProvider {
  const config = providerConfig('oidc', { issuer: idp.issuer, allowInsecureRequests: true, ...overrides });
  return new OidcProvider(config, { fetch: globalThis.fetch, clientSecret: async () => CLIENT_SECRET, now: () => Math.floor(Date.now() / 1000) });
}

/** A browser goes to the authorization URL, signs in at the dev IdP (or cancels) and comes back. */
async function signIn(
  provider: OidcProvider,
  form: { email: string; name?: string; emailVerified?: boolean } | 'cancel',
  options: { reauthenticate?: boolean; browser?: TestBrowser; authenticatedAfter?: number } = {},
) {
  const flow = newFlow();
  const url = await provider.authorizationUrl({ redirectUri: REDIRECT_URI, reauthenticate: options.reauthenticate ?? false, ...flow });
  const browser = options.browser ?? new TestBrowser();
  const start: Hop = { status: 302, url: REDIRECT_URI, location: url.href, setCookies: [], body: '', headers: new Headers() };
  let back: Hop;
  if (form === 'cancel') {
    const page = await browser.follow(start);
    const abort = /href="([^"]*\/abort)"/.exec(page.body)![1]!;
    back = await browser.follow(await browser.request(new URL(abort, page.url)), (u) => u.host === 'app.example.com');
  } else {
    back = await browser.signInAtIdp(start, form, 'app.example.com');
  }
  const callbackUrl = new URL(back.location!);
  const input = { callbackUrl, redirectUri: REDIRECT_URI, ...flow, ...(options.authenticatedAfter !== undefined && { authenticatedAfter: options.authenticatedAfter }) };
  return { url, callbackUrl, input, finish: () => provider.finishSignIn(input) };
}

test('discovers the issuer and signs in: sub, name, email, email_verified through the claim mapping', async () => {
  const provider = oidc();
  const { url, finish } = await signIn(provider, { email: 'ada@example.com', name: 'Ada Lovelace' });
  expect(url.origin).toBe(idp.issuer);
  expect(url.searchParams.get('scope')).toBe('openid email profile');
  expect(url.searchParams.get('code_challenge_method')).toBe('S256');
  const { profile, tokens } = await finish();
  expect(profile).toEqual({ id: idp.accounts.findByEmail('ada@example.com')!.sub, name: 'Ada Lovelace', email: 'ada@example.com', emailVerified: true });
  expect(tokens.refreshToken).toBeUndefined();
});

test('an unverified email is reported as such', async () => {
  const { finish } = await signIn(oidc(), { email: 'unverified@example.com', emailVerified: false });
  expect((await finish()).profile).toMatchObject({ email: 'unverified@example.com', emailVerified: false });
});

test('a custom claim mapping (e.g. the email as the user id)', async () => {
  const provider = oidc({ claims: { id: 'email', name: 'name', email: 'email', emailVerified: 'email_verified' } });
  const { finish } = await signIn(provider, { email: 'mapped@example.com' });
  expect((await finish()).profile.id).toBe('mapped@example.com');
});

test('extra scopes are added (offline_access gives a refresh token, and refresh works)', async () => {
  const provider = oidc({ scopes: ['offline_access'] });
  const { url, finish } = await signIn(provider, { email: 'refresh@example.com' });
  expect(url.searchParams.get('scope')).toBe('openid email profile offline_access');
  const { tokens } = await finish();
  expect(tokens.refreshToken).toBeTruthy();
  const refreshed = await provider.refresh(tokens.refreshToken!);
  expect(refreshed.profile.email).toBe('refresh@example.com');
  expect(refreshed.tokens.accessToken).not.toBe(tokens.accessToken);
});

test('re-authentication: prompt=login makes the IdP ask again, and auth_time proves it', async () => {
  const provider = oidc();
  const browser = new TestBrowser();
  await (await signIn(provider, { email: 'again@example.com' }, { browser })).finish();
  const asked = Math.floor(Date.now() / 1000);
  const { url, finish } = await signIn(provider, { email: 'again@example.com' }, { browser, reauthenticate: true, authenticatedAfter: asked });
  expect(url.searchParams.get('prompt')).toBe('login');
  expect(url.searchParams.get('max_age')).toBe('0');
  await expect(finish()).resolves.toMatchObject({ profile: { email: 'again@example.com' } });
});

test('re-authentication asked but the sign-in is older: refused', async () => {
  const { finish } = await signIn(oidc(), { email: 'old@example.com' }, { authenticatedAfter: Math.floor(Date.now() / 1000) + 120 });
  await expect(finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_RESPONSE', detail: 'the provider did not re-authenticate the user' });
});

test('the user cancels: access_denied', async () => {
  const { finish } = await signIn(oidc(), 'cancel');
  await expect(finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_DENIED', detail: 'token: access_denied' });
});

test('a code used twice: invalid_grant', async () => {
  const provider = oidc();
  const { input, finish } = await signIn(provider, { email: 'twice@example.com' });
  await finish();
  await expect(provider.finishSignIn(input)).rejects.toMatchObject({ code: 'ERR_PROVIDER_FAILED', detail: 'token: invalid_grant (HTTP 400)' });
});

test('a wrong nonce is refused', async () => {
  const provider = oidc();
  const { input } = await signIn(provider, { email: 'nonce@example.com' });
  await expect(provider.finishSignIn({ ...input, nonce: 'not-the-nonce' })).rejects.toMatchObject({ code: 'ERR_PROVIDER_RESPONSE' });
});

test('HTTP 429 at the token endpoint: rate limited; HTTP 503: failed', async () => {
  const provider = oidc();
  const first = await signIn(provider, { email: 'busy@example.com' });
  idp.failNext('token', 429);
  await expect(first.finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_FAILED', detail: 'token: rate limited (HTTP 429)' });
  const second = await signIn(provider, { email: 'busy@example.com' });
  idp.failNext('userinfo', 503);
  await expect(second.finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_FAILED', detail: 'token: HTTP 503' });
});

test('an issuer that cannot be reached: unreachable', async () => {
  const provider = oidc({ issuer: 'http://127.0.0.1:9' });
  const flow = newFlow();
  await expect(provider.authorizationUrl({ redirectUri: REDIRECT_URI, reauthenticate: false, ...flow })).rejects.toMatchObject({
    code: 'ERR_PROVIDER_UNREACHABLE',
  });
});

describe('client authentication at the token endpoint follows discovery, or the config', () => {
  const postClient = { clientId: 'post-client', clientSecret: 'post-secret-with-.~_-', redirectUris: [REDIRECT_URI], tokenEndpointAuthMethod: 'client_secret_post' as const };
  let postOnly: DevIdpHandle;
  beforeAll(async () => {
    postOnly = await startDevIdp({ clients: [postClient], clientAuthMethods: ['client_secret_post'] });
  });
  afterAll(() => postOnly.close());

  const provider = (issuer: string, overrides: Partial<ProviderConfig> = {}) =>
    new OidcProvider(providerConfig('oidc', { issuer, allowInsecureRequests: true, clientId: postClient.clientId, ...overrides }), {
      fetch: globalThis.fetch,
      clientSecret: async () => postClient.clientSecret,
      now: () => Math.floor(Date.now() / 1000),
    });

  test('an issuer that lists only client_secret_post gets the secret in the body', async () => {
    const { finish } = await signIn(provider(postOnly.issuer), { email: 'post@example.com' });
    await expect(finish()).resolves.toMatchObject({ profile: { email: 'post@example.com' } });
  });

  test('the dev IdP refuses a method the client did not register (HTTP Basic for a client_secret_post client)', async () => {
    const { finish } = await signIn(provider(postOnly.issuer, { tokenEndpointAuthMethod: 'client_secret_basic' }), { email: 'basic@example.com' });
    await expect(finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_FAILED', detail: 'token: invalid_client (HTTP 401)' });
  });

  test('and refuses the body for a client that registered client_secret_basic (the override)', async () => {
    const { finish } = await signIn(oidc({ tokenEndpointAuthMethod: 'client_secret_post' }), { email: 'body@example.com' });
    await expect(finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_FAILED', detail: 'token: invalid_client (HTTP 401)' });
  });
});

describe('what discovery says about client authentication', () => {
  let server: FakeOAuthServer;
  const ISSUER = 'https://sso.example.net';
  async function issuer(methods: unknown) {
    await server.oidcIssuer({
      discoveryBase: ISSUER,
      metadata: {
        issuer: ISSUER,
        authorization_endpoint: `${ISSUER}/authorize`,
        token_endpoint: `${ISSUER}/token`,
        userinfo_endpoint: `${ISSUER}/userinfo`,
        jwks_uri: `${ISSUER}/jwks`,
        ...(methods !== undefined && { token_endpoint_auth_methods_supported: methods }),
      },
      server: { clientAuth: 'client_secret_basic' },
    });
  }
  beforeEach(async () => {
    server = await FakeOAuthServer.start();
  });
  afterEach(() => server.close());

  test('absent: client_secret_basic (OpenID Connect Discovery 1.0 section 3 default)', async () => {
    await issuer(undefined);
    const provider = new OidcProvider(providerConfig('oidc', { issuer: ISSUER }), server.deps());
    await expect((await fakeSignIn(provider, server, { sub: 'u1', claims: { email: 'u1@example.com' } })).finish()).resolves.toBeTruthy();
    expect(server.requests.find((r) => r.url.pathname === '/token')!.headers.authorization).toMatch(/^Basic /);
  });

  test('neither client_secret_basic nor client_secret_post: a clear error before the user is sent there', async () => {
    await issuer(['private_key_jwt', 'tls_client_auth']);
    const provider = new OidcProvider(providerConfig('oidc', { issuer: ISSUER }), server.deps());
    const flow = newFlow();
    await expect(provider.authorizationUrl({ redirectUri: REDIRECT_URI, reauthenticate: false, ...flow })).rejects.toMatchObject({
      code: 'ERR_PROVIDER_CLIENT_AUTH_UNSUPPORTED',
      detail:
        'discovery: the issuer supports neither client_secret_basic nor client_secret_post at its token endpoint ' +
        '(token_endpoint_auth_methods_supported: private_key_jwt, tls_client_auth); if it does accept one of them, set "tokenEndpointAuthMethod"',
    });
  });
});
