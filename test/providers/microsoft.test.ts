import { checkAllowList, recheckedEmail } from '../../lambdas/core/sign-in/allow-list';
import { CONSUMER_TENANT_ID, emailVerified, MicrosoftProvider } from '../../lambdas/core/providers/microsoft';
import { authorizationUrlFor, FakeOAuthServer, invalidGrant, providerConfig, REDIRECT_URI, signIn, type FakeUser } from './fake-oauth-server';
import { entraReplica, LOGIN } from './entra-replica';

const CONTOSO = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const FABRIKAM = 'aaaabbbb-0000-cccc-1111-dddd2222eeee';

/** Entra ID (entra-replica.ts), with an Entra-shaped client secret. */
const entra = (server: FakeOAuthServer, tenant: string, issuerTenant = '{tenantid}') => entraReplica(server, tenant, { issuerTenant, clientSecret: ENTRA_SECRET });

const worker = (tid: string, claims: Record<string, unknown>, extra: Record<string, unknown> = {}): FakeUser => ({
  sub: `AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ-${tid.slice(0, 4)}`,
  claims: { name: 'Megan Bowen', ...claims },
  idTokenClaims: { tid, oid: '00000000-0000-0000-66f3-3332eca7ea81', ver: '2.0', preferred_username: 'megan@contoso.com', ...extra },
});
const PERSONAL = worker(CONSUMER_TENANT_ID, { name: 'Pat Personal', email: 'pat@outlook.com' }, { preferred_username: 'pat@outlook.com' });

/** Entra client secrets look like this: `~`, `.`, `-` and `_` included. */
const ENTRA_SECRET = 'Abc8Q~x.Yz-01_234567890abcdefghijklmnopq';

let server: FakeOAuthServer;
beforeEach(async () => {
  server = await FakeOAuthServer.start();
});
afterEach(() => server.close());

describe('multi-tenant (common)', () => {
  let ms: MicrosoftProvider;
  beforeEach(async () => {
    await entra(server, 'common');
    ms = new MicrosoftProvider(providerConfig('microsoft', { tenant: 'common' }), server.deps({ clientSecret: async () => ENTRA_SECRET }));
  });

  test('authorization URL, re-authentication with prompt=login, no refresh without offline_access', async () => {
    const { url, finish } = await signIn(ms, server, PERSONAL, { reauthenticate: true });
    expect(url.origin + url.pathname).toBe(`${LOGIN}/common/oauth2/v2.0/authorize`);
    expect(url.searchParams.get('scope')).toBe('openid email profile');
    expect(url.searchParams.get('prompt')).toBe('login');
    expect(ms.supportsRefresh).toBe(false);
    // Entra, like its replica, issues no refresh token without offline_access.
    expect((await finish()).tokens.refreshToken).toBeUndefined();
  });

  test('tokens from any tenant validate against their own issuer ({tenantid} filled from tid)', async () => {
    const { profile } = await (await signIn(ms, server, worker(CONTOSO, { email: 'megan@contoso.com' }, { xms_edov: true }))).finish();
    expect(profile).toEqual({ id: expect.stringContaining('AAAA'), name: 'Megan Bowen', email: 'megan@contoso.com', emailVerified: true });
  });

  test("a token whose iss names another tenant than its tid is refused", async () => {
    const forged = worker(FABRIKAM, { email: 'ceo@contoso.com' }, { xms_edov: true, issuedBy: CONTOSO });
    await expect((await signIn(ms, server, forged)).finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_RESPONSE' });
  });

  test('a personal account: its email is verified (Microsoft account)', async () => {
    const { profile } = await (await signIn(ms, server, PERSONAL)).finish();
    expect(profile).toMatchObject({ name: 'Pat Personal', email: 'pat@outlook.com', emailVerified: true });
  });

  test('a work account from another tenant without xms_edov: unverified, so the policy refuses it', async () => {
    const { profile } = await (await signIn(ms, server, worker(FABRIKAM, { email: 'ceo@contoso.com' }))).finish();
    expect(profile.emailVerified).toBe(false);
    expect(checkAllowList(profile, { emails: [], emailDomains: ['contoso.com'] })).toEqual({ allowed: false, reason: 'email-unverified' });
  });

  test('xms_edov=false: unverified', async () => {
    const { profile } = await (await signIn(ms, server, worker(FABRIKAM, { email: 'ceo@contoso.com' }, { xms_edov: false }))).finish();
    expect(profile.emailVerified).toBe(false);
  });

  test('an account without an email: no email (preferred_username is not used), refused by an allow-list', async () => {
    const { profile } = await (await signIn(ms, server, worker(CONTOSO, {}))).finish();
    expect(profile).toEqual({ id: expect.any(String), name: 'Megan Bowen' });
    expect(checkAllowList(profile, { emails: [], emailDomains: ['contoso.com'] })).toEqual({ allowed: false, reason: 'email-missing' });
    expect(checkAllowList(profile, { emails: [], emailDomains: [] })).toEqual({ allowed: true });
  });

  test('redirect_uri must exactly match a registered one (case included): otherwise AADSTS50011, no redirect', async () => {
    for (const other of [`${REDIRECT_URI}/`, REDIRECT_URI.toUpperCase().replace('HTTPS', 'https'), 'https://app.example.com/other']) {
      const url = await authorizationUrlFor(ms, other);
      expect(() => server.authorize(url, PERSONAL)).toThrow(/redirect_uri_mismatch/);
    }
  });

  test('access_denied, invalid_grant, HTTP 429', async () => {
    await expect((await signIn(ms, server, 'deny')).finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_DENIED' });
    server.failNext(`${LOGIN}/common/oauth2/v2.0/token`, invalidGrant());
    await expect((await signIn(ms, server, PERSONAL)).finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_FAILED', detail: 'token: invalid_grant (HTTP 400)' });
    server.failNext(`${LOGIN}/common/oauth2/v2.0/token`, { status: 429, json: { error: 'temporarily_unavailable' }, headers: { 'retry-after': '5' } });
    await expect((await signIn(ms, server, PERSONAL)).finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_FAILED', detail: 'token: rate limited (HTTP 429)' });
  });
});

describe('re-checks never weaken what sign-in established', () => {
  const VERIFIED_WORKER = worker(CONTOSO, { email: 'megan@contoso.com' }, { xms_edov: true });
  const allow = { emails: [], emailDomains: ['contoso.com', 'outlook.com'] };

  test('common, no refresh token: userinfo has no tid nor xms_edov, so it states nothing; the re-check rule keeps the same address verified and counts a changed one unverified', async () => {
    await entra(server, 'common');
    const ms = new MicrosoftProvider(providerConfig('microsoft', { tenant: 'common' }), server.deps({ clientSecret: async () => ENTRA_SECRET }));
    for (const user of [VERIFIED_WORKER, PERSONAL]) {
      const { profile, tokens } = await (await signIn(ms, server, user)).finish();
      expect(checkAllowList(profile, allow)).toEqual({ allowed: true });
      const again = await ms.profile(tokens);
      expect(again.emailVerified).toBeUndefined();
      const established = { email: profile.email!, emailVerification: 'verified' as const };
      expect(checkAllowList(recheckedEmail(again, established), allow)).toEqual({ allowed: true });
      expect(checkAllowList(recheckedEmail({ ...again, email: 'ceo@contoso.com' }, established), allow)).toEqual({ allowed: false, reason: 'email-unverified' });
    }
  });

  test('common: an ID token without tid (never seen from Entra) is still unverified at sign-in', async () => {
    expect(emailVerified({ email: 'x@contoso.com' }, 'common', true)).toBe(false);
    expect(emailVerified({ email: 'x@contoso.com' }, 'organizations', true)).toBe(false);
  });

  test('offline_access: the refresh brings an ID token with tid, judged like the sign-in', async () => {
    await entra(server, 'common');
    const ms = new MicrosoftProvider(providerConfig('microsoft', { tenant: 'common', offlineAccess: true }), server.deps({ clientSecret: async () => ENTRA_SECRET }));
    expect(ms.supportsRefresh).toBe(true);
    const { url, finish } = await signIn(ms, server, PERSONAL);
    expect(url.searchParams.get('scope')).toBe('openid email profile offline_access');
    const { tokens } = await finish();
    expect((await ms.refresh(tokens.refreshToken!)).profile).toMatchObject({ email: 'pat@outlook.com', emailVerified: true });
  });

  test('consumers: every account is personal, verified also at userinfo', async () => {
    await entra(server, 'consumers', CONSUMER_TENANT_ID);
    const ms = new MicrosoftProvider(providerConfig('microsoft', { tenant: 'consumers' }), server.deps({ clientSecret: async () => ENTRA_SECRET }));
    const { tokens } = await (await signIn(ms, server, PERSONAL)).finish();
    expect((await ms.profile(tokens)).emailVerified).toBe(true);
  });
});

describe('single tenant', () => {
  test('the tenant admins set addresses: neither verified nor unverified; offline_access turns refresh on', async () => {
    await entra(server, CONTOSO, CONTOSO);
    const ms = new MicrosoftProvider(providerConfig('microsoft', { tenant: CONTOSO, scopes: ['offline_access'] }), server.deps({ clientSecret: async () => ENTRA_SECRET }));
    expect(ms.supportsRefresh).toBe(true);
    const { profile, tokens } = await (await signIn(ms, server, worker(CONTOSO, { email: 'megan@contoso.com' }))).finish();
    expect(profile).toEqual({ id: expect.any(String), name: 'Megan Bowen', email: 'megan@contoso.com' });
    expect(checkAllowList(profile, { emails: [], emailDomains: ['contoso.com'] })).toEqual({ allowed: true });
    expect((await ms.refresh(tokens.refreshToken!)).profile.email).toBe('megan@contoso.com');
  });

  test('a token from another tenant is refused', async () => {
    await entra(server, CONTOSO, CONTOSO);
    const ms = new MicrosoftProvider(providerConfig('microsoft', { tenant: CONTOSO }), server.deps({ clientSecret: async () => ENTRA_SECRET }));
    await expect((await signIn(ms, server, worker(FABRIKAM, { email: 'x@fabrikam.com' }))).finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_RESPONSE' });
  });
});
