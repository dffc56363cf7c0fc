/**
 * #14 item 6: a re-check never weakens what sign-in established, and an email whose
 * verification cannot be established is unverified. The real adapters against their
 * replicas, then the session's re-check (session/refresh.ts) with the in-memory store:
 * - the provider does not state the verification and the address is the one sign-in
 *   established: the sign-in's standing is kept;
 * - it does not state it and the address changed: unverified, so the allow-list refuses it
 *   and it is not passed on as the user's email.
 * Covered: single-tenant Microsoft (never states it), Microsoft `common` read from userinfo
 * (no tid, no xms_edov), and a generic OIDC issuer that puts `email_verified` in the ID token
 * only, re-checked from userinfo.
 */
import type { EdgeConfig } from '../../lambdas/core/config/types';
import { MicrosoftProvider } from '../../lambdas/core/providers/microsoft';
import { OidcProvider } from '../../lambdas/core/providers/oidc';
import type { Provider } from '../../lambdas/core/providers/types';
import { refreshSession } from '../../lambdas/core/session/refresh';
import { newSessionClaims } from '../../lambdas/core/session/session-cookie';
import { normalizeEmail, recheckedEmail } from '../../lambdas/core/sign-in/allow-list';
import { signInRecord } from '../../lambdas/core/sign-in/sign-in-record';
import { MemorySessionStore } from '../../lambdas/store/memory/sessions';
import { testConfig, testKeys } from '../core/fixtures';
import { FakeOAuthServer, providerConfig, signIn, type FakeUser } from './fake-oauth-server';
import { entraReplica } from './entra-replica';

const keys = testKeys();
const CONTOSO = '72f988bf-86f1-41af-91ab-2d7cd011db47';

let server: FakeOAuthServer;
beforeEach(async () => {
  server = await FakeOAuthServer.start();
});
afterEach(() => server.close());

const entra = (tenant: string, issuerTenant: string) => entraReplica(server, tenant, { issuerTenant });

/**
 * Signs `user` in with `provider`, stores the session as the callback does, and returns a
 * re-check of it (no refresh token: the re-check reads userinfo with the access token).
 */
async function signedIn(provider: Provider, user: FakeUser, allow: Record<string, unknown>) {
  const config: EdgeConfig = testConfig({ allow, session: { authCheckInterval: '5m' } });
  const sessions = new MemorySessionStore();
  const { tokens, profile } = await (await signIn(provider, server, user)).finish();
  expect(tokens.refreshToken).toBeUndefined();
  const now = Math.floor(Date.now() / 1000);
  const email = profile.email === undefined || profile.emailVerified === false ? undefined : normalizeEmail(profile.email);
  const claims = newSessionClaims(config, { sid: `sid-${user.sub}`, uid: profile.id, prv: 'corp', email, name: profile.name, now: now - 600 });
  await sessions.createSession((await signInRecord(config, keys, claims, tokens, { host: 'app.example.com' }, profile)).session);
  let at = now;
  return {
    profile,
    recheck: () => refreshSession({ config, sessions, provider, keys, owner: 'o', now: ++at, calls: [] }, claims, at),
    stored: () => sessions.getSession(claims.sid),
  };
}

describe('single-tenant Microsoft: the directory never states verification', () => {
  const megan = (): FakeUser => ({ sub: 'megan', claims: { name: 'Megan', email: 'megan@contoso.com' }, idTokenClaims: { tid: CONTOSO } });
  const allow = { emailDomains: ['contoso.com'] };

  test('the same address keeps the sign-in standing (admitted, passed on)', async () => {
    await entra(CONTOSO, CONTOSO);
    const ms = new MicrosoftProvider(providerConfig('microsoft', { tenant: CONTOSO }), server.deps());
    const { profile, recheck } = await signedIn(ms, megan(), allow);
    expect(profile.emailVerified).toBeUndefined();
    expect(await recheck()).toMatchObject({ kind: 'refreshed', email: 'megan@contoso.com' });
  });

  test('an address changed at the provider, not stated verified: unverified, refused, never passed on', async () => {
    await entra(CONTOSO, CONTOSO);
    const ms = new MicrosoftProvider(providerConfig('microsoft', { tenant: CONTOSO }), server.deps());
    const user = megan();
    const { recheck, stored } = await signedIn(ms, user, allow);
    (user.claims as Record<string, unknown>).email = 'ceo@contoso.com';
    const outcome = await recheck();
    expect(outcome).toEqual({ kind: 'denied', reason: 'email-unverified', email: undefined });
    expect((await stored())?.revokedReason).toBe('not-allowed');
  });
});

describe('Microsoft common, re-checked from userinfo (no tid, no xms_edov)', () => {
  test('a verified work address keeps its standing; a changed one is unverified', async () => {
    await entraReplica(server, 'common');
    const ms = new MicrosoftProvider(providerConfig('microsoft', { tenant: 'common' }), server.deps());
    const user: FakeUser = { sub: 'megan', claims: { name: 'Megan', email: 'megan@contoso.com' }, idTokenClaims: { tid: CONTOSO, xms_edov: true } };
    const { profile, recheck } = await signedIn(ms, user, { emailDomains: ['contoso.com'] });
    expect(profile.emailVerified).toBe(true);
    expect(await recheck()).toMatchObject({ kind: 'refreshed', email: 'megan@contoso.com' });
    (user.claims as Record<string, unknown>).email = 'ceo@contoso.com';
    expect(await recheck()).toEqual({ kind: 'denied', reason: 'email-unverified', email: undefined });
  });
});

describe('generic OIDC: email_verified in the ID token only, re-checked from userinfo', () => {
  const base = 'https://idp.example.com';
  beforeEach(async () => {
    await server.oidcIssuer({
      discoveryBase: base,
      metadata: { issuer: base, authorization_endpoint: `${base}/authorize`, token_endpoint: `${base}/token`, userinfo_endpoint: `${base}/userinfo`, jwks_uri: `${base}/jwks` },
      server: { clientAuth: 'client_secret_basic' },
    });
  });
  const ada = (): FakeUser => ({ sub: 'ada', claims: { name: 'Ada', email: 'ada@example.com' }, idTokenClaims: { email_verified: true } });

  test('the same address keeps "verified" from the sign-in; the session stays admitted by an email list', async () => {
    const oidc = new OidcProvider(providerConfig('oidc', { issuer: base }), server.deps());
    const { profile, recheck, stored } = await signedIn(oidc, ada(), { emails: ['ada@example.com'] });
    expect(profile.emailVerified).toBe(true);
    expect(await recheck()).toMatchObject({ kind: 'refreshed', email: 'ada@example.com' });
    expect((await stored())?.emailVerification).toBe('verified');
  });

  test('a changed address without email_verified at userinfo: unverified, refused, not passed on', async () => {
    const oidc = new OidcProvider(providerConfig('oidc', { issuer: base }), server.deps());
    const user = ada();
    const { recheck } = await signedIn(oidc, user, { emailDomains: ['example.com'] });
    (user.claims as Record<string, unknown>).email = 'boss@example.com';
    expect(await recheck()).toEqual({ kind: 'denied', reason: 'email-unverified', email: undefined });
  });

  test('a group still admits the user whose address changed; the new address is not passed on', async () => {
    const mapping = { id: 'sub', name: 'name', email: 'email', emailVerified: 'email_verified', groups: 'groups' };
    const oidc = new OidcProvider(providerConfig('oidc', { issuer: base, claims: mapping }), server.deps());
    const user: FakeUser = { ...ada(), claims: { name: 'Ada', email: 'ada@example.com', groups: ['staff'] } };
    const { recheck } = await signedIn(oidc, user, { emailDomains: ['example.com'], groups: ['corp:staff'] });
    (user.claims as Record<string, unknown>).email = 'boss@example.com';
    expect(await recheck()).toMatchObject({ kind: 'refreshed', email: undefined, groups: ['staff'] });
  });

  test('a changed address the issuer states verified at userinfo is judged as stated', async () => {
    const oidc = new OidcProvider(providerConfig('oidc', { issuer: base }), server.deps());
    const user: FakeUser = { ...ada(), userinfoClaims: { email_verified: true } };
    const { recheck } = await signedIn(oidc, user, { emailDomains: ['example.com'] });
    (user.claims as Record<string, unknown>).email = 'ada.l@example.com';
    expect(await recheck()).toMatchObject({ kind: 'refreshed', email: 'ada.l@example.com' });
  });
});

describe('recheckedEmail, the rule itself', () => {
  test('stated verification wins; unstated keeps the standing of the same address (any case); another address, or none before, is unverified', () => {
    const verified = { email: 'ada@example.com', emailVerification: 'verified' as const };
    expect(recheckedEmail({ email: 'x@example.com', emailVerified: true }, verified)).toEqual({ email: 'x@example.com', emailVerified: true });
    expect(recheckedEmail({ email: 'ada@example.com', emailVerified: false }, verified)).toEqual({ email: 'ada@example.com', emailVerified: false });
    expect(recheckedEmail({ email: 'Ada@Example.com' }, verified)).toEqual({ email: 'Ada@Example.com', emailVerified: true });
    expect(recheckedEmail({ email: 'ada@example.com' }, { email: 'ada@example.com', emailVerification: 'unverifiable' })).toEqual({ email: 'ada@example.com', emailUnverifiable: true });
    expect(recheckedEmail({ email: 'ada@example.com' }, { email: 'ada@example.com', emailVerification: 'unstated' })).toEqual({ email: 'ada@example.com' });
    expect(recheckedEmail({ email: 'ada@example.com' }, { email: 'ada@example.com' })).toEqual({ email: 'ada@example.com' });
    expect(recheckedEmail({ email: 'eve@example.com' }, verified)).toEqual({ email: 'eve@example.com', emailVerified: false });
    expect(recheckedEmail({ email: 'ada@example.com' }, {})).toEqual({ email: 'ada@example.com', emailVerified: false });
    expect(recheckedEmail({ email: 'ada@example.com' }, undefined)).toEqual({ email: 'ada@example.com', emailVerified: false });
    expect(recheckedEmail({}, verified)).toEqual({});
  });
});
