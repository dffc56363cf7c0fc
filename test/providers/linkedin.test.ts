import { LinkedInProvider } from '../../lambdas/core/providers/linkedin';
import { FakeOAuthServer, invalidGrant, providerConfig, signIn, type FakeUser } from './fake-oauth-server';

const TOKEN = 'https://www.linkedin.com/oauth/v2/accessToken';
const USERINFO = 'https://api.linkedin.com/v2/userinfo';
const MEMBER: FakeUser = {
  sub: '782bbtaQ',
  claims: { name: 'John Doe', given_name: 'John', family_name: 'Doe', picture: 'https://media.licdn.com/x', locale: 'en-US', email: 'doe@email.com', email_verified: true },
};

let server: FakeOAuthServer;
let linkedin: LinkedInProvider;
beforeEach(async () => {
  server = await FakeOAuthServer.start();
  await server.oidcIssuer({
    discoveryBase: 'https://www.linkedin.com/oauth',
    metadata: {
      issuer: 'https://www.linkedin.com/oauth',
      authorization_endpoint: 'https://www.linkedin.com/oauth/v2/authorization',
      token_endpoint: TOKEN,
      userinfo_endpoint: USERINFO,
      jwks_uri: 'https://www.linkedin.com/oauth/openid/jwks',
      response_types_supported: ['code'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'profile', 'email'],
      claims_supported: ['iss', 'aud', 'iat', 'exp', 'sub', 'name', 'given_name', 'family_name', 'picture', 'email', 'email_verified', 'locale'],
    },
    // As LinkedIn does: no nonce in the ID token; a code_verifier fails client authentication.
    nonceInIdToken: false,
    // How LinkedIn matches redirect_uri is not confirmed from its docs: unchecked.
    server: { clientAuth: 'client_secret_post', rejectUnexpectedVerifier: true, tokenFields: { scope: 'email,openid,profile' }, redirectUriMatch: 'unchecked' },
  });
  linkedin = new LinkedInProvider(providerConfig('linkedin'), server.deps());
});
afterEach(() => server.close());

test('authorization URL: openid profile email, no nonce, no PKCE, nothing for re-authentication', async () => {
  const { url } = await signIn(linkedin, server, MEMBER, { reauthenticate: true });
  expect(url.origin + url.pathname).toBe('https://www.linkedin.com/oauth/v2/authorization');
  expect(url.searchParams.get('scope')).toBe('openid profile email');
  expect(url.searchParams.get('nonce')).toBeNull();
  expect(url.searchParams.get('code_challenge')).toBeNull();
  expect(url.searchParams.get('prompt')).toBeNull();
  expect(linkedin.supportsRefresh).toBe(false);
});

test('signs in: secret in the body, no code_verifier, ID token without nonce accepted, userinfo at api.linkedin.com', async () => {
  const { profile } = await (await signIn(linkedin, server, MEMBER)).finish();
  expect(profile).toEqual({ id: '782bbtaQ', name: 'John Doe', email: 'doe@email.com', emailVerified: true });
  const token = server.requests.find((r) => r.url.href === TOKEN)!;
  expect(token.form.get('client_secret')).toBe('test-client-secret');
  expect(token.form.get('code_verifier')).toBeNull();
  expect(server.requests.some((r) => r.url.href === USERINFO)).toBe(true);
});

test('access_denied, invalid_grant, HTTP 429', async () => {
  await expect((await signIn(linkedin, server, 'deny')).finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_DENIED' });
  server.failNext(TOKEN, invalidGrant());
  await expect((await signIn(linkedin, server, MEMBER)).finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_FAILED', detail: 'token: invalid_grant (HTTP 400)' });
  server.failNext(USERINFO, { status: 429, json: { message: 'Resource level throttle limit reached', status: 429 } });
  await expect((await signIn(linkedin, server, MEMBER)).finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_FAILED', detail: 'token: rate limited (HTTP 429)' });
});
