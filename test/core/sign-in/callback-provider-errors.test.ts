/**
 * A sign-in that fails at the provider's token endpoint: the error page shows the
 * provider's `error` and `error_description` (escaped, at most 200 characters), and the
 * error handed to the log carries them. Against the replica of an OIDC issuer.
 */
import { newFlow } from '../../../lambdas/core/sign-in/flow';
import { finishCallback, type CallbackContext } from '../../../lambdas/core/sign-in/callback';
import { OidcProvider } from '../../../lambdas/core/providers/oidc';
import { ProviderError } from '../../../lambdas/core/errors';
import { MemorySessionStore } from '../../../lambdas/store/memory/sessions';
import { FakeOAuthServer, type FakeUser } from '../../providers/fake-oauth-server';
import { seededRandom, testConfig, testKeys } from '../fixtures';

const ISSUER = 'https://idp.example.com';
const config = testConfig({ providers: [{ id: 'corp', type: 'oidc', displayName: 'Corp SSO', issuer: ISSUER, clientId: 'test-client-id', clientSecret: 'edge-oauth/corp' }] });
const keys = testKeys();
const ADA: FakeUser = { sub: 'ada', claims: { email: 'ada@example.com', email_verified: true } };

let server: FakeOAuthServer;
beforeEach(async () => {
  server = await FakeOAuthServer.start();
  await server.oidcIssuer({
    discoveryBase: ISSUER,
    metadata: { issuer: ISSUER, authorization_endpoint: `${ISSUER}/authorize`, token_endpoint: `${ISSUER}/token`, userinfo_endpoint: `${ISSUER}/userinfo`, jwks_uri: `${ISSUER}/jwks` },
    server: { clientAuth: 'client_secret_basic' },
  });
});
afterEach(() => server.close());

/** Starts a sign-in, consents at the replica, and delivers the callback to finishCallback. */
async function callback(errors: unknown[] = [], fetch: typeof globalThis.fetch = server.fetch) {
  const provider = new OidcProvider(config.providers[0]!, server.deps({ fetch }));
  const now = Math.floor(Date.now() / 1000);
  const started = await newFlow(config, keys, { providerId: 'corp', returnPath: '/', reauthenticate: false, now, random: seededRandom(String(Math.random())) });
  const url = await provider.authorizationUrl({
    redirectUri: 'https://app.example.com/auth/callback',
    state: started.state,
    nonce: started.flow.n,
    codeChallenge: started.codeChallenge,
    reauthenticate: false,
  });
  const back = server.authorize(url, ADA);
  const ctx: CallbackContext = {
    config,
    keys,
    providers: new Map([['corp', provider]]),
    sessions: new MemorySessionStore(() => now),
    now,
    random: seededRandom('s'),
    scheme: 'https',
    onError: (error) => errors.push(error),
  };
  return finishCallback(ctx, { querystring: back.search.slice(1), cookieHeaders: [started.setCookie.split(';')[0]!], host: 'app.example.com' });
}

test("the provider's error and error_description are on the page, escaped and cut at 200 characters, and logged", async () => {
  const description = `The <b>client</b> secret "expired" & was rotated;\nsee https://idp.example.com/help ${'x'.repeat(400)}`;
  server.failNext(`${ISSUER}/token`, { status: 401, json: { error: 'invalid_client', error_description: description } });
  const errors: unknown[] = [];
  const response = await callback(errors);
  expect(response.status).toBe(502);
  expect(response.body).toContain('Corp SSO: token: invalid_client (HTTP 401).');
  expect(response.body).toContain('Corp SSO said: The &lt;b&gt;client&lt;/b&gt; secret &quot;expired&quot; &amp; was rotated; see https://idp.example.com/help xxx');
  expect(response.body).not.toContain('<b>client');
  const shown = /Corp SSO said: ([^<]*)<\/p>/.exec(response.body!)![1]!;
  expect(shown.replace(/&[a-z]+;/g, '_').length).toBeLessThanOrEqual(200);
  expect(shown.endsWith('…')).toBe(true);
  const logged = errors[0] as ProviderError;
  expect(logged).toBeInstanceOf(ProviderError);
  expect(logged.oauthErrorDescription).toMatch(/^The <b>client<\/b> secret "expired" & was rotated; see https/);
  expect(logged.message).toContain('(The <b>client</b> secret');
});

test('no error_description: only the code and status', async () => {
  server.failNext(`${ISSUER}/token`, { status: 400, json: { error: 'invalid_grant' } });
  const response = await callback();
  expect(response.body).toContain('Corp SSO: token: invalid_grant (HTTP 400).');
  expect(response.body).not.toContain('said:');
});

test('a WWW-Authenticate challenge (Doorkeeper, oidc-provider) carries the code and description too', async () => {
  server.failNext(`${ISSUER}/token`, {
    status: 401,
    json: { error: 'invalid_client', error_description: 'Client authentication failed due to unknown client.' },
    headers: { 'www-authenticate': 'Bearer realm="Doorkeeper", error="invalid_client", error_description="Client authentication failed due to unknown client."' },
  });
  const response = await callback();
  expect(response.body).toContain('Corp SSO: token: invalid_client (HTTP 401).');
  expect(response.body).toContain('Corp SSO said: Client authentication failed due to unknown client.');
});

test('a refusal by the provider (access_denied at the token endpoint, a Google account outside hostedDomains) is a 403', async () => {
  server.failNext(`${ISSUER}/token`, { status: 400, json: { error: 'access_denied', error_description: 'The account is disabled.' } });
  const response = await callback();
  expect(response.status).toBe(403);
  expect(response.body).toContain('<h1>Access denied</h1>');
  expect(response.body).toContain('Corp SSO said: The account is disabled.');
});

test('a token endpoint that answers after the deadline: a timeout (504, "did not answer in time"), not "could not be reached"', async () => {
  // The replica is up; the token endpoint's answer comes 5 s later, past the adapter's 4 s deadline.
  const slowToken: typeof globalThis.fetch = async (input, init) => {
    if (String(input instanceof Request ? input.url : input).endsWith('/token')) {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, 5000);
        init?.signal?.addEventListener('abort', () => { clearTimeout(t); reject(init.signal!.reason); }, { once: true });
      });
    }
    return server.fetch(input, init);
  };
  const errors: unknown[] = [];
  const response = await callback(errors, slowToken);
  expect(response.status).toBe(504);
  expect(response.reason).toBe('ERR_PROVIDER_TIMEOUT');
  expect(response.body).toContain('Corp SSO did not answer in time');
  expect(response.body).toContain('Sign in again');
  expect(errors[0]).toMatchObject({ code: 'ERR_PROVIDER_TIMEOUT' });
}, 20_000);
