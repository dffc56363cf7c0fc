import { AmazonProvider } from '../../lambdas/core/providers/amazon';
import { checkAllowList } from '../../lambdas/core/sign-in/allow-list';
import { FakeOAuthServer, invalidGrant, providerConfig, signIn, type FakeUser } from './fake-oauth-server';

const TOKEN = 'https://api.amazon.com/auth/o2/token';
const PROFILE = 'https://api.amazon.com/user/profile';
const MORK: FakeUser = {
  sub: 'amzn1.account.K2LI23KL2LK2',
  api: { [PROFILE]: { user_id: 'amzn1.account.K2LI23KL2LK2', email: 'mhashimoto-04@plaxo.com', name: 'Mork Hashimoto', postal_code: '98052' } },
};

let server: FakeOAuthServer;
let amazon: AmazonProvider;

beforeEach(async () => {
  server = await FakeOAuthServer.start();
  // Body credentials only: every documented example posts client_id + client_secret as form
  // fields (https://developer.amazon.com/docs/login-with-amazon/authorization-code-grant.html);
  // Basic is one unconfirmed sentence, so the replica does not accept it.
  // How Login with Amazon matches redirect_uri against "Allowed Return URLs" is not confirmed: unchecked.
  server.authorizationServer({ authorizationEndpoint: 'https://www.amazon.com/ap/oa', tokenEndpoint: TOKEN, clientAuth: 'client_secret_post', refresh: true, redirectUriMatch: 'unchecked' });
  server.api(PROFILE);
  amazon = new AmazonProvider(providerConfig('amazon'), server.deps());
});
afterEach(() => server.close());

test('authorization URL: www.amazon.com/ap/oa, scope profile, PKCE; no re-authentication parameter exists', async () => {
  const { url } = await signIn(amazon, server, MORK, { reauthenticate: true });
  expect(url.origin + url.pathname).toBe('https://www.amazon.com/ap/oa');
  expect(url.searchParams.get('scope')).toBe('profile');
  expect(url.searchParams.get('code_challenge_method')).toBe('S256');
  expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'code_challenge', 'code_challenge_method', 'redirect_uri', 'response_type', 'scope', 'state']);
});

test('signs in: user_id, name, email (Amazon documents no verification); client secret in the body', async () => {
  const { profile, tokens } = await (await signIn(amazon, server, MORK)).finish();
  expect(profile).toEqual({ id: 'amzn1.account.K2LI23KL2LK2', name: 'Mork Hashimoto', email: 'mhashimoto-04@plaxo.com', emailUnverifiable: true });
  expect(tokens.refreshToken).toBeTruthy();
  const token = server.requests.find((r) => r.url.href === TOKEN)!;
  expect(token.headers.authorization).toBeUndefined();
  expect(token.form.get('client_secret')).toBe('test-client-secret');
});

test("Amazon's email never matches an allow-list; without one the user signs in", async () => {
  const { profile } = await (await signIn(amazon, server, MORK)).finish();
  expect(checkAllowList(profile, { emails: ['mhashimoto-04@plaxo.com'], emailDomains: [] })).toEqual({ allowed: false, reason: 'email-unverified' });
  expect(checkAllowList(profile, { emails: [], emailDomains: ['plaxo.com'] })).toEqual({ allowed: false, reason: 'email-unverified' });
  expect(checkAllowList(profile, { emails: [], emailDomains: [] })).toEqual({ allowed: true });
});

test('refresh: new tokens and the current profile', async () => {
  const { tokens } = await (await signIn(amazon, server, MORK)).finish();
  expect(amazon.supportsRefresh).toBe(true);
  const refreshed = await amazon.refresh(tokens.refreshToken!);
  expect(refreshed.profile.id).toBe('amzn1.account.K2LI23KL2LK2');
  expect(refreshed.tokens.accessToken).not.toBe(tokens.accessToken);
});

test('access_denied on the callback', async () => {
  await expect((await signIn(amazon, server, 'deny')).finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_DENIED' });
});

test('invalid_grant at the token endpoint, and at refresh', async () => {
  server.failNext(TOKEN, invalidGrant());
  await expect((await signIn(amazon, server, MORK)).finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_FAILED', detail: 'token: invalid_grant (HTTP 400)' });
  await expect(amazon.refresh('revoked')).rejects.toMatchObject({ code: 'ERR_PROVIDER_FAILED', detail: 'refresh: invalid_grant (HTTP 400)' });
});

test('rate limited (HTTP 429) at the profile', async () => {
  server.failNext(PROFILE, { status: 429, json: { error: 'rate_limited' } });
  await expect((await signIn(amazon, server, MORK)).finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_FAILED', detail: 'profile (/user/profile): rate limited (HTTP 429)' });
});
