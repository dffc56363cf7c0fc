/**
 * Issue 23, item 3: an email and its verification come from the same statement. A profile
 * merged from the ID token and userinfo (OIDC Core 5.3.2: userinfo returns the current
 * claims, and they may differ from the ID token's) never credits one source's
 * `email_verified`, nor Microsoft's `tid` / `xms_edov` reasoning, to an address the other
 * source gave. The real adapters against their replicas (fake-oauth-server.ts: `claims` in
 * both, `idTokenClaims` in the ID token only, `userinfoClaims` at userinfo only).
 */
import { CONSUMER_TENANT_ID, MicrosoftProvider } from '../../lambdas/core/providers/microsoft';
import { mergeClaims, OidcProvider } from '../../lambdas/core/providers/oidc';
import { FakeOAuthServer, providerConfig, signIn, type FakeUser } from './fake-oauth-server';
import { entraReplica } from './entra-replica';

const CONTOSO = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const base = 'https://idp.example.com';

let server: FakeOAuthServer;
beforeEach(async () => {
  server = await FakeOAuthServer.start();
});
afterEach(() => server.close());

async function genericIssuer(): Promise<OidcProvider> {
  await server.oidcIssuer({
    discoveryBase: base,
    metadata: { issuer: base, authorization_endpoint: `${base}/authorize`, token_endpoint: `${base}/token`, userinfo_endpoint: `${base}/userinfo`, jwks_uri: `${base}/jwks` },
    server: { clientAuth: 'client_secret_basic', refresh: true },
  });
  return new OidcProvider(providerConfig('oidc', { issuer: base }), server.deps());
}

async function profileOf(provider: OidcProvider, user: FakeUser) {
  return (await (await signIn(provider, server, user)).finish()).profile;
}

describe('generic OIDC: the verification of the address that was given', () => {
  test('the ID token verifies one address, userinfo gives another without a statement: not verified', async () => {
    const user: FakeUser = { sub: 'ada', claims: { name: 'Ada' }, idTokenClaims: { email: 'ada@example.com', email_verified: true }, userinfoClaims: { email: 'ceo@example.com' } };
    const profile = await profileOf(await genericIssuer(), user);
    expect(profile.email).toBe('ceo@example.com');
    expect(profile.emailVerified).toBeUndefined();
  });

  test('userinfo says its own, other address is verified: as stated; the ID token unverified its own: not credited either way', async () => {
    const user: FakeUser = { sub: 'ada', idTokenClaims: { email: 'ada@example.com', email_verified: false }, userinfoClaims: { email: 'ada.l@example.com', email_verified: true } };
    expect(await profileOf(await genericIssuer(), user)).toMatchObject({ email: 'ada.l@example.com', emailVerified: true });
  });

  test('userinfo gives no address but a verification: the ID token address keeps the ID token statement', async () => {
    const user: FakeUser = { sub: 'ada', idTokenClaims: { email: 'ada@example.com' }, userinfoClaims: { email_verified: true } };
    const profile = await profileOf(await genericIssuer(), user);
    expect(profile.email).toBe('ada@example.com');
    expect(profile.emailVerified).toBeUndefined();
  });

  test('the same address (any case) from both: either statement is about it, userinfo (current) first', async () => {
    const same: FakeUser = { sub: 'ada', idTokenClaims: { email: 'ada@example.com', email_verified: true }, userinfoClaims: { email: 'Ada@Example.com' } };
    expect(await profileOf(await genericIssuer(), same)).toMatchObject({ email: 'Ada@Example.com', emailVerified: true });
  });

  test('mergeClaims, the rule itself', () => {
    const m = { email: 'email', emailVerified: 'email_verified' };
    expect(mergeClaims({ email: 'a@x.com', email_verified: true }, { email: 'b@x.com' }, m)).toEqual({ email: 'b@x.com' });
    expect(mergeClaims({ email: 'a@x.com', email_verified: true }, { email: 'A@x.com', email_verified: false }, m)).toEqual({ email: 'A@x.com', email_verified: false });
    expect(mergeClaims({ email: 'a@x.com', email_verified: true }, { email: 'a@x.com' }, m)).toEqual({ email: 'a@x.com', email_verified: true });
    expect(mergeClaims({ email: 'a@x.com' }, { email_verified: true }, m)).toEqual({ email: 'a@x.com' });
    expect(mergeClaims({ email_verified: true }, { email: 'b@x.com' }, m)).toEqual({ email: 'b@x.com' });
    expect(mergeClaims(undefined, { email: 'b@x.com', email_verified: true }, m)).toEqual({ email: 'b@x.com', email_verified: true });
  });
});

describe("Microsoft: tid and xms_edov speak of the ID token's address only", () => {
  test('common: xms_edov vouches for the ID token address; another address from userinfo is unverified', async () => {
    await entraReplica(server, 'common');
    const ms = new MicrosoftProvider(providerConfig('microsoft', { tenant: 'common' }), server.deps());
    const same: FakeUser = { sub: 'megan', claims: { email: 'megan@contoso.com' }, idTokenClaims: { tid: CONTOSO, xms_edov: true } };
    expect((await (await signIn(ms, server, same)).finish()).profile).toMatchObject({ email: 'megan@contoso.com', emailVerified: true });
    const other: FakeUser = { sub: 'megan', idTokenClaims: { tid: CONTOSO, xms_edov: true, email: 'megan@contoso.com' }, userinfoClaims: { email: 'ceo@contoso.com' } };
    expect((await (await signIn(ms, server, other)).finish()).profile).toMatchObject({ email: 'ceo@contoso.com', emailVerified: false });
  });

  test('common: a personal account (tid) vouches for its ID token address, not for another one userinfo gives', async () => {
    await entraReplica(server, 'common');
    const ms = new MicrosoftProvider(providerConfig('microsoft', { tenant: 'common' }), server.deps());
    const other: FakeUser = { sub: 'pat', idTokenClaims: { tid: CONSUMER_TENANT_ID, email: 'pat@outlook.com' }, userinfoClaims: { email: 'ceo@contoso.com' } };
    expect((await (await signIn(ms, server, other)).finish()).profile).toMatchObject({ email: 'ceo@contoso.com', emailVerified: false });
    const none: FakeUser = { sub: 'pat', idTokenClaims: { tid: CONSUMER_TENANT_ID }, userinfoClaims: { email: 'ceo@contoso.com' } };
    expect((await (await signIn(ms, server, none)).finish()).profile).toMatchObject({ email: 'ceo@contoso.com', emailVerified: false });
  });

  test('a single tenant states nothing either way (its admins set the addresses)', async () => {
    await entraReplica(server, CONTOSO, { issuerTenant: CONTOSO });
    const ms = new MicrosoftProvider(providerConfig('microsoft', { tenant: CONTOSO }), server.deps());
    const other: FakeUser = { sub: 'megan', idTokenClaims: { tid: CONTOSO, email: 'megan@contoso.com' }, userinfoClaims: { email: 'ceo@contoso.com' } };
    const profile = (await (await signIn(ms, server, other)).finish()).profile;
    expect(profile.email).toBe('ceo@contoso.com');
    expect(profile.emailVerified).toBeUndefined();
  });
});
