import { createHmac } from 'node:crypto';
import { FacebookProvider, GRAPH_VERSION } from '../../lambdas/core/providers/facebook';
import { CLIENT_SECRET, FakeOAuthServer, providerConfig, signIn, type FakeUser } from './fake-oauth-server';

const GRAPH = `https://graph.facebook.com/${GRAPH_VERSION}`;
const TOKEN = `${GRAPH}/oauth/access_token`;
const ME = `${GRAPH}/me`;
const person = (me: Record<string, unknown>): FakeUser => ({ sub: String(me.id), api: { [ME]: me } });
const JANE = person({ id: '10158473928473', name: 'Jane Doe', email: 'jane@example.com' });

let server: FakeOAuthServer;
let facebook: FacebookProvider;

beforeEach(async () => {
  server = await FakeOAuthServer.start();
  // Graph API errors, not RFC 6749 ones (https://developers.facebook.com/docs/graph-api/guides/error-handling).
  server.authorizationServer({
    authorizationEndpoint: `https://www.facebook.com/${GRAPH_VERSION}/dialog/oauth`,
    tokenEndpoint: TOKEN,
    clientAuth: 'client_secret_post',
    // Exact matching with "Use Strict Mode for redirect URIs" on is not confirmed from Meta's own docs: unchecked.
    redirectUriMatch: 'unchecked',
    invalidGrant: { status: 400, json: { error: { message: 'This authorization code has been used.', type: 'OAuthException', code: 100, fbtrace_id: 'A1' } } },
    invalidClient: { status: 400, json: { error: { message: 'Error validating client secret.', type: 'OAuthException', code: 1, fbtrace_id: 'A2' } } },
  });
  server.api(ME);
  facebook = new FacebookProvider(providerConfig('facebook'), server.deps());
});
afterEach(() => server.close());

test('authorization URL: versioned dialog, public_profile,email, state, no PKCE', async () => {
  const { url } = await signIn(facebook, server, JANE);
  expect(url.origin + url.pathname).toBe(`https://www.facebook.com/${GRAPH_VERSION}/dialog/oauth`);
  expect(url.searchParams.get('scope')).toBe('public_profile,email');
  expect(url.searchParams.get('code_challenge')).toBeNull();
  expect(url.searchParams.get('auth_type')).toBeNull();
  expect(facebook.supportsRefresh).toBe(false);
});

test('re-authentication: auth_type=reauthenticate', async () => {
  const { url } = await signIn(facebook, server, JANE, { reauthenticate: true });
  expect(url.searchParams.get('auth_type')).toBe('reauthenticate');
});

test('signs in: /me?fields=id,name,email with appsecret_proof; a returned email is confirmed', async () => {
  const { profile, tokens } = await (await signIn(facebook, server, JANE)).finish();
  expect(profile).toEqual({ id: '10158473928473', name: 'Jane Doe', email: 'jane@example.com', emailVerified: true });
  const me = server.requests.find((r) => r.url.pathname.endsWith('/me'))!;
  expect(me.url.searchParams.get('fields')).toBe('id,name,email');
  expect(me.url.searchParams.get('appsecret_proof')).toBe(createHmac('sha256', CLIENT_SECRET).update(tokens.accessToken).digest('hex'));
  expect(server.requests.find((r) => r.url.href === TOKEN)!.form.get('code_verifier')).toBeNull();
});

test('an account without a confirmed email (signed up by phone): no email', async () => {
  const { profile } = await (await signIn(facebook, server, person({ id: '42', name: 'Phone Person' }))).finish();
  expect(profile).toEqual({ id: '42', name: 'Phone Person' });
});

test('access_denied on the callback (the user pressed Cancel)', async () => {
  await expect((await signIn(facebook, server, 'deny')).finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_DENIED' });
});

test("a used code: Graph API error body, HTTP 400, read as Facebook's type and message", async () => {
  const { finish } = await signIn(facebook, server, JANE);
  await finish();
  await expect(finish()).rejects.toMatchObject({
    code: 'ERR_PROVIDER_FAILED',
    detail: 'token: OAuthException (HTTP 400)',
    oauthErrorDescription: 'This authorization code has been used.',
  });
});

test('a wrong app secret: Graph API error body', async () => {
  const wrong = new FacebookProvider(providerConfig('facebook'), server.deps({ clientSecret: async () => 'wrong' }));
  await expect((await signIn(wrong, server, JANE)).finish()).rejects.toMatchObject({ oauthErrorDescription: 'Error validating client secret.' });
});

test('invalid_grant at the token endpoint', async () => {
  server.failNext(TOKEN, { status: 400, json: { error: 'invalid_grant' } });
  await expect((await signIn(facebook, server, JANE)).finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_FAILED', detail: 'token: invalid_grant (HTTP 400)' });
});

test('rate limited (HTTP 429)', async () => {
  server.failNext(ME, { status: 429, json: { error: { message: 'Application request limit reached', code: 4 } } });
  await expect((await signIn(facebook, server, JANE)).finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_FAILED', detail: `profile (/${GRAPH_VERSION}/me): rate limited (HTTP 429)` });
});
