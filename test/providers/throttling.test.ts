/**
 * #23 item 6: a provider's rate limit is a failed check (the session's grace), never a
 * revoked grant. Every provider replica answers throttling as its provider documents it
 * (throttling-replicas.ts); each answer is recognised in one place (providers/throttling.ts)
 * and read as "try again later" by the re-check (session/refresh.ts, providerFailureKind),
 * while look-alikes (a 403 for a missing permission, an expired grant) still end the session.
 * Then the adapters, through `createProvider`, on what a re-check calls: GitHub's profile and
 * organizations with both of GitHub's codes, Facebook's /me, Entra's refresh; and GitHub's
 * 403 in a whole re-check, which must leave the session active.
 */
import { PROVIDER_TYPES, type ProviderType } from '../../lambdas/core/config/types';
import type { EdgeConfig } from '../../lambdas/core/config/types';
import { ProviderError } from '../../lambdas/core/errors';
import { createProvider } from '../../lambdas/core/providers';
import { throttlingAware } from '../../lambdas/core/providers/throttling';
import { GRAPH_VERSION } from '../../lambdas/core/providers/facebook';
import { providerFailureKind, refreshSession } from '../../lambdas/core/session/refresh';
import { newSessionClaims } from '../../lambdas/core/session/session-cookie';
import { signInRecord } from '../../lambdas/core/sign-in/sign-in-record';
import { MemorySessionStore } from '../../lambdas/store/memory/sessions';
import { testConfig, testKeys } from '../core/fixtures';
import { entraReplica, LOGIN } from './entra-replica';
import { FakeOAuthServer, providerConfig, signIn, type FakeUser } from './fake-oauth-server';
import { NOT_THROTTLED, THROTTLED } from './throttling-replicas';

let server: FakeOAuthServer;
beforeEach(async () => {
  server = await FakeOAuthServer.start();
});
afterEach(() => server.close());

const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);
const URL_OF = 'https://api.example.com/recheck';

describe('every provider: its documented throttling answers are a failed check', () => {
  const cases = PROVIDER_TYPES.flatMap((type) => THROTTLED[type].map((answer, i) => [type, i, answer] as const));
  test('every provider type has at least one documented answer', () => {
    for (const type of PROVIDER_TYPES) expect(THROTTLED[type].length).toBeGreaterThan(0);
  });
  test.each(cases)('%s answer #%i: a ProviderError with status 429, transient', async (type, _i, answer) => {
    server.on('GET', URL_OF, () => answer);
    const error = await failure(throttlingAware(type as ProviderType, server.fetch)(URL_OF));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: 'ERR_PROVIDER_FAILED', status: 429, detail: expect.stringMatching(/^api\.example\.com\/recheck: rate limited \(HTTP \d{3}/) });
    expect(providerFailureKind(error)).toBe('transient');
  });
  test.each(NOT_THROTTLED.map((c) => [c.type, c.answer.status, c.answer] as const))('%s HTTP %i that is not throttling: handed on as it is', async (type, status, answer) => {
    server.on('GET', URL_OF, () => answer);
    expect((await throttlingAware(type, server.fetch)(URL_OF)).status).toBe(status);
  });
});

describe('GitHub: "403 or 429", primary and secondary, on the profile and the organizations', () => {
  const API = 'https://api.github.com';
  const octocat: FakeUser = {
    sub: '1',
    api: { [`${API}/user`]: { id: 583231, login: 'octocat' }, [`${API}/user/emails`]: [{ email: 'o@example.com', primary: true, verified: true }], [`${API}/user/orgs`]: [], [`${API}/user/teams`]: [] },
  };
  beforeEach(() => {
    server.authorizationServer({ authorizationEndpoint: 'https://github.com/login/oauth/authorize', tokenEndpoint: 'https://github.com/login/oauth/access_token', clientAuth: 'client_secret_post', redirectUriMatch: 'github-wildcard', expiresIn: null });
    for (const path of ['/user', '/user/emails', '/user/orgs', '/user/teams']) server.api(`${API}${path}`);
  });

  test.each(THROTTLED.github.map((a, i) => [i, a.status, a] as const))('answer #%i (HTTP %i) at /user, /user/emails and /user/orgs: transient', async (_i, _status, answer) => {
    const github = createProvider(providerConfig('github', { fetchGroups: true }), server.deps());
    const { tokens } = await (await signIn(github, server, octocat)).finish();
    for (const path of ['/user', '/user/emails', '/user/orgs']) {
      server.failNext(`${API}${path}`, answer);
      const error = await failure(github.profile(tokens));
      expect(error).toMatchObject({ status: 429 });
      expect(providerFailureKind(error)).toBe('transient');
    }
  });

  test("a whole re-check during GitHub's 403 rate limit: provider-failed, the session stays active", async () => {
    const config: EdgeConfig = testConfig({ session: { authCheckInterval: '5m' } });
    const keys = testKeys();
    const provider = createProvider(providerConfig('github', { id: 'corp' }), server.deps());
    const sessions = new MemorySessionStore();
    const { tokens, profile } = await (await signIn(provider, server, octocat)).finish();
    const now = Math.floor(Date.now() / 1000);
    const claims = newSessionClaims(config, { sid: 'sid-octocat', uid: profile.id, prv: 'corp', email: profile.email, name: profile.name, now: now - 600 });
    await sessions.createSession((await signInRecord(config, keys, claims, tokens, { host: 'app.example.com' }, profile)).session);
    server.failNext(`${API}/user`, THROTTLED.github[0]!);
    const outcome = await refreshSession({ config, sessions, provider, keys, owner: 'o', now, calls: [] }, claims, now);
    expect(outcome).toEqual({ kind: 'provider-failed' });
    expect((await sessions.getSession('sid-octocat'))?.revokedAt).toBeUndefined();
    // A 403 that is not a rate limit still ends it (the token lost its access).
    server.failNext(`${API}/user`, { status: 401, json: { message: 'Bad credentials' } });
    expect(await refreshSession({ config, sessions, provider, keys, owner: 'o2', now: now + 120, calls: [] }, claims, now + 120)).toEqual({ kind: 'rejected' });
  });
});

test("Facebook: /me answers code 4 in a 403 (Graph API's throttling): transient", async () => {
  const ME = `https://graph.facebook.com/${GRAPH_VERSION}/me`;
  server.authorizationServer({ authorizationEndpoint: `https://www.facebook.com/${GRAPH_VERSION}/dialog/oauth`, tokenEndpoint: `https://graph.facebook.com/${GRAPH_VERSION}/oauth/access_token`, clientAuth: 'client_secret_post', redirectUriMatch: 'unchecked' });
  server.api(ME);
  const facebook = createProvider(providerConfig('facebook'), server.deps());
  const { tokens } = await (await signIn(facebook, server, { sub: '1', api: { [ME]: { id: '10', name: 'Zuck' } } })).finish();
  for (const answer of THROTTLED.facebook) {
    server.failNext(ME, answer);
    const error = await failure(facebook.profile(tokens));
    expect(error).toMatchObject({ status: 429 });
    expect(providerFailureKind(error)).toBe('transient');
  }
});

test("Microsoft: Entra's throttled refresh (invalid_grant AADSTS50196, or 429) is transient; an expired grant is not", async () => {
  const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  await entraReplica(server, TENANT, { issuerTenant: TENANT });
  const ms = createProvider(providerConfig('microsoft', { tenant: TENANT, offlineAccess: true }), server.deps());
  const megan: FakeUser = { sub: 'megan', claims: { name: 'Megan', email: 'megan@contoso.com' }, idTokenClaims: { tid: TENANT } };
  const { tokens } = await (await signIn(ms, server, megan)).finish();
  const TOKEN = `${LOGIN}/${TENANT}/oauth2/v2.0/token`;
  for (const answer of THROTTLED.microsoft.slice(1)) {
    server.failNext(TOKEN, answer);
    const error = await failure(ms.refresh(tokens.refreshToken!));
    expect(error).toMatchObject({ status: 429 });
    expect(providerFailureKind(error)).toBe('transient');
  }
  server.failNext(TOKEN, NOT_THROTTLED.find((c) => c.type === 'microsoft')!.answer);
  expect(providerFailureKind(await failure(ms.refresh(tokens.refreshToken!)))).toBe('rejected');
});
