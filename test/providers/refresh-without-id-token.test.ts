/**
 * Issue 23, item 8: a refresh answer without an ID token keeps the claims. OIDC Core 12.2:
 * "Upon successful validation of the Refresh Token, the response body is the Token Response
 * of Section 3.1.3.3 except that it might not contain an id_token". A generic-OIDC session
 * with group rules must not lose its groups at the next check because the issuer left the
 * ID token out: the groups are read where the issuer gives them (the ID token, userinfo), and
 * when the answer speaks of them nowhere, the session's stored groups stand.
 * The real adapter against the replica; the session's re-check (session/refresh.ts) with the
 * in-memory store.
 */
import type { EdgeConfig } from '../../lambdas/core/config/types';
import { OidcProvider } from '../../lambdas/core/providers/oidc';
import { refreshSession } from '../../lambdas/core/session/refresh';
import { newSessionClaims } from '../../lambdas/core/session/session-cookie';
import { usableEmail } from '../../lambdas/core/access/usable-email';
import { signInRecord } from '../../lambdas/core/sign-in/sign-in-record';
import { MemorySessionStore } from '../../lambdas/store/memory/sessions';
import { testConfig, testKeys } from '../core/fixtures';
import { FakeOAuthServer, providerConfig, signIn, type FakeUser } from './fake-oauth-server';

const keys = testKeys();
const base = 'https://idp.example.com';
const MAPPING = { id: 'sub', name: 'name', email: 'email', emailVerified: 'email_verified', groups: 'groups' };

let server: FakeOAuthServer;
beforeEach(() => FakeOAuthServer.start().then((s) => (server = s)));
afterEach(() => server.close());

async function issuer(idTokenOnRefresh: boolean): Promise<OidcProvider> {
  await server.oidcIssuer({
    discoveryBase: base,
    metadata: { issuer: base, authorization_endpoint: `${base}/authorize`, token_endpoint: `${base}/token`, userinfo_endpoint: `${base}/userinfo`, jwks_uri: `${base}/jwks` },
    server: { clientAuth: 'client_secret_basic', refresh: true, idTokenOnRefresh },
  });
  return new OidcProvider(providerConfig('oidc', { issuer: base, claims: MAPPING }), server.deps());
}

/** Signs `user` in, stores the session as the callback does, and returns its re-check (a refresh). */
async function signedIn(provider: OidcProvider, user: FakeUser) {
  const config: EdgeConfig = testConfig({ allow: { groups: ['staff'] }, session: { authCheckInterval: '5m' } });
  const sessions = new MemorySessionStore();
  const { tokens, profile } = await (await signIn(provider, server, user)).finish();
  expect(tokens.refreshToken).toBeDefined();
  expect(profile.groups).toEqual(['staff']);
  const now = Math.floor(Date.now() / 1000);
  const claims = newSessionClaims(config, { sid: `sid-${user.sub}`, uid: profile.id, prv: 'corp', email: usableEmail(profile), groups: profile.groups, now: now - 600 });
  await sessions.createSession((await signInRecord(config, keys, claims, tokens, { host: 'app.example.com' }, profile)).session);
  let at = now;
  return {
    recheck: () => refreshSession({ config, sessions, provider, keys, owner: 'o', now: ++at, calls: [] }, claims, at),
    stored: () => sessions.getSession(claims.sid),
  };
}

const staffInIdTokenOnly = (): FakeUser => ({ sub: 'ada', claims: { name: 'Ada', email: 'ada@example.com', email_verified: true }, idTokenClaims: { groups: ['staff'] } });

test('groups in the ID token only, a refresh answer without one: the session keeps its groups (still admitted)', async () => {
  const provider = await issuer(false);
  const { recheck, stored } = await signedIn(provider, staffInIdTokenOnly());
  expect(await recheck()).toMatchObject({ kind: 'refreshed', groups: ['staff'], email: 'ada@example.com' });
  expect(await recheck()).toMatchObject({ kind: 'refreshed', groups: ['staff'] });
  expect((await stored())?.groups).toEqual(['staff']);
});

test('the adapter says the answer did not speak of the groups (not "in none")', async () => {
  const provider = await issuer(false);
  const { tokens } = await (await signIn(provider, server, staffInIdTokenOnly())).finish();
  const refreshed = await provider.refresh(tokens.refreshToken!);
  expect(refreshed.profile.groups).toBeUndefined();
  expect(refreshed.profile.groupsNotRead).toBe(true);
});

test('groups at userinfo are read there: a removal at the provider counts at the next check, with or without an ID token', async () => {
  for (const idTokenOnRefresh of [false, true]) {
    const provider = await issuer(idTokenOnRefresh);
    const user: FakeUser = { sub: `ada-${idTokenOnRefresh}`, claims: { email: 'ada@example.com', email_verified: true, groups: ['staff'] } };
    const { recheck } = await signedIn(provider, user);
    expect(await recheck()).toMatchObject({ kind: 'refreshed', groups: ['staff'] });
    (user.claims as Record<string, unknown>).groups = ['contractors'];
    expect(await recheck()).toMatchObject({ kind: 'denied', reason: 'not-on-allow-list' });
    server.close();
    server = await FakeOAuthServer.start();
  }
});

test('a refresh answer with an ID token that no longer lists the group: in none, refused (the issuer spoke)', async () => {
  const provider = await issuer(true);
  const user = staffInIdTokenOnly();
  const { recheck } = await signedIn(provider, user);
  expect(await recheck()).toMatchObject({ kind: 'refreshed', groups: ['staff'] });
  (user.idTokenClaims as Record<string, unknown>).groups = undefined;
  expect(await recheck()).toMatchObject({ kind: 'denied', reason: 'not-on-allow-list' });
});
