/**
 * The API Gateway authorizer (lambdas/authorizer/handler.ts) with API Gateway's documented
 * event shapes (test/authorizer/events.ts), the in-memory stores and an injected clock:
 * what each kind of request gets, for both payload formats, and that it is the edge's own
 * session check (the same requests get the same verdict from the viewer-request handler).
 */
import type { CloudFrontRequest, CloudFrontResultResponse } from 'aws-lambda';
import { authorizerConfig } from '../../lambdas/core/api/authorizer';
import type { EdgeConfig } from '../../lambdas/core/config/types';
import type { KeySet } from '../../lambdas/core/keys/key-set';
import type { Profile, Provider, TokenSet } from '../../lambdas/core/providers/types';
import type { RequestEvent, RequestLogger } from '../../lambdas/core/request-events';
import { seal } from '../../lambdas/core/keys/seal';
import { newSessionClaims, type SessionClaims } from '../../lambdas/core/session/session-cookie';
import type { SessionStore } from '../../lambdas/core/stores';
import { sealTokens } from '../../lambdas/core/keys/token-sealing';
import { ApiEventError } from '../../lambdas/core/errors';
import {
  createAuthorizerHandler,
  stageWideResource,
  UNAUTHORIZED_MESSAGE,
  type AuthorizerEvent,
  type AuthorizerResult,
  type PolicyAuthorizerResult,
  type SimpleAuthorizerResult,
} from '../../lambdas/authorizer/handler';
import { createViewerHandler } from '../../lambdas/edge/handler';
import { headerValue } from '../../lambdas/core/viewer/identity-headers';
import { MemorySessionStore } from '../../lambdas/store/memory/sessions';
import { MemoryMauStore } from '../../lambdas/store/memory/mau';
import { MemoryUserStore } from '../../lambdas/store/memory/users';
import { seededRandom, testConfig, testKeys } from '../core/fixtures';
import { ACCOUNT, API_ID, httpEventV1, httpEventV2, REGION, restEvent } from './events';

const T0 = 1_800_000_000;

class Log implements RequestLogger {
  readonly events: RequestEvent[] = [];
  readonly errors: Array<{ where: string; code?: string | undefined }> = [];
  request(event: RequestEvent): void {
    this.events.push(event);
  }
  error(where: string, error: unknown): void {
    this.errors.push({ where, code: (error as { code?: string }).code });
  }
}

/** A provider with no network: the refresh answers with `profile` (or fails), counted. */
function fakeProvider(config: EdgeConfig, answer: { profile?: Profile; fail?: Error } = {}) {
  const calls: string[] = [];
  const provider: Provider = {
    id: 'corp',
    type: 'oidc',
    displayName: 'Corp IdP',
    config: config.providers[0]!,
    supportsRefresh: true,
    async authorizationUrl(request) {
      return new URL(`https://idp.example.com/authorize?state=${request.state}`);
    },
    async finishSignIn() {
      throw new Error('not in these tests');
    },
    async refresh(refreshToken) {
      calls.push(`refresh:${refreshToken}`);
      if (answer.fail) throw answer.fail;
      return { tokens: { accessToken: 'at-2', refreshToken: 'rt-2', expiresAt: T0 + 7200 }, profile: answer.profile ?? { id: 'u-1', email: 'ada@example.com', emailVerified: true, name: 'Ada' } };
    },
    async profile() {
      throw new Error('not in these tests');
    },
  };
  return { provider, calls };
}

/** A store whose calls can be made to fail (DynamoDB down). */
class FlakyStore extends MemorySessionStore {
  down = false;
  override async getSession(sessionId: string) {
    if (this.down) throw Object.assign(new Error('DynamoDB is down'), { code: 'ERR_STORE_UNAVAILABLE' });
    return super.getSession(sessionId);
  }
  override async touchSession(...args: Parameters<MemorySessionStore['touchSession']>) {
    if (this.down) throw Object.assign(new Error('DynamoDB is down'), { code: 'ERR_STORE_UNAVAILABLE' });
    return super.touchSession(...args);
  }
}

interface World {
  config: EdgeConfig;
  keys: KeySet;
  sessions: FlakyStore;
  log: Log;
  clock: { now: number };
  provider: ReturnType<typeof fakeProvider>;
  authorize: (event: AuthorizerEvent) => Promise<AuthorizerResult>;
  signIn: (input?: { sid?: string; name?: string; email?: string; at?: number; tokens?: TokenSet }) => Promise<{ cookie: string; claims: SessionClaims }>;
}

function world(overrides: Record<string, unknown> = {}, providerAnswer: Parameters<typeof fakeProvider>[1] = {}): World {
  const config = testConfig({ allow: { emails: [], emailDomains: ['example.com'] }, assertion: { enabled: false }, ...overrides });
  const keys = testKeys();
  const clock = { now: T0 };
  const sessions = new FlakyStore(() => clock.now);
  const log = new Log();
  const provider = fakeProvider(config, providerAnswer);
  const authorize = createAuthorizerHandler({
    config,
    keys: async () => keys,
    providers: new Map([['corp', provider.provider]]),
    random: seededRandom('authorizer'),
    clock: () => clock.now * 1000,
    sessions,
    users: new MemoryUserStore(),
    mau: new MemoryMauStore(),
    log,
  });
  let n = 0;
  const signIn: World['signIn'] = async (input = {}) => {
    const at = input.at ?? clock.now;
    const claims = newSessionClaims(config, {
      sid: input.sid ?? `sid-${++n}-0123456789abcdef`,
      uid: 'u-1',
      prv: 'corp',
      name: input.name ?? 'Ada',
      email: input.email ?? 'ada@example.com',
      now: at,
    });
    await sessions.createSession({
      sessionId: claims.sid,
      provider: 'corp',
      userId: 'u-1',
      email: claims.email!,
      name: claims.name!,
      createdAt: at,
      expiresAt: claims.exp ?? at + 400 * 86400,
      lastSeenAt: at,
      lastAuthCheckAt: at,
      ...(input.tokens !== undefined && { tokens: await sealTokens(input.tokens, keys) }),
    });
    return { cookie: `edge-oauth=${await seal(claims, keys.current)}`, claims };
  };
  return { config, keys, sessions, log, clock, provider, authorize, signIn };
}

/** The authorizer's answer, or the 401 signal ("Unauthorized"), or another failure's code. */
async function outcome(w: World, event: AuthorizerEvent): Promise<AuthorizerResult | { thrown: string; code?: string | undefined }> {
  try {
    return await w.authorize(event);
  } catch (error) {
    return { thrown: (error as Error).message, code: (error as { code?: string }).code };
  }
}

const UNAUTHORIZED = { thrown: UNAUTHORIZED_MESSAGE, code: 'ERR_API_UNAUTHORIZED' };
/** An HTTP API's answer to no valid session: a refusal (403), never the REST-only "Unauthorized" error (HTTP APIs document a 500 for a failed invocation). */
const HTTP_REFUSED = { isAuthorized: false, context: {} };
const STAGE = (stage: string) => `arn:aws:execute-api:${REGION}:${ACCOUNT}:${API_ID}/${stage}/*`;

describe('allowed: a valid session', () => {
  test('HTTP API (payload 2.0): a simple response, the identity as context, strings only', async () => {
    const w = world();
    const { cookie } = await w.signIn();
    const result = (await w.authorize(httpEventV2({ cookies: [`theme=dark; ${cookie}`] }))) as SimpleAuthorizerResult;
    expect(result).toEqual({ isAuthorized: true, context: { userId: 'u-1', userName: 'Ada', userEmail: 'ada@example.com', provider: 'corp', userGroups: '' } });
    for (const value of Object.values(result.context)) expect(typeof value).toBe('string');
  });

  test('REST API: an IAM policy allowing the whole stage (cached per Cookie header for every method), principal and context', async () => {
    const w = world();
    const { cookie } = await w.signIn();
    const result = (await w.authorize(restEvent({ cookies: [cookie], method: 'POST', path: '/api/orders/7' }))) as PolicyAuthorizerResult;
    expect(result).toEqual({
      principalId: 'corp:u-1',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: STAGE('prod') }] },
      context: { userId: 'u-1', userName: 'Ada', userEmail: 'ada@example.com', provider: 'corp', userGroups: '' },
    });
  });

  test('HTTP API with payload 1.0 is answered with a policy, like REST', async () => {
    const w = world();
    const { cookie } = await w.signIn();
    const result = (await w.authorize(httpEventV1({ cookies: [cookie] }))) as PolicyAuthorizerResult;
    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow', Resource: STAGE('$default') });
  });

  test('the cookie is found however the client sent it: lowercase header, several Cookie lines, 2.0 headers without `cookies`', async () => {
    const w = world();
    const { cookie } = await w.signIn();
    const lower = (await w.authorize(restEvent({ cookies: [cookie], cookieHeaderName: 'cookie' }))) as PolicyAuthorizerResult;
    expect(lower.principalId).toBe('corp:u-1');
    // Two Cookie lines: `headers` keeps only the last one, `multiValueHeaders` both.
    const twoLines = (await w.authorize(restEvent({ cookies: [cookie, 'theme=dark'] }))) as PolicyAuthorizerResult;
    expect(twoLines.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
    const { cookies: _omitted, ...v2 } = httpEventV2({ cookies: [cookie] });
    expect(((await w.authorize(v2 as AuthorizerEvent)) as SimpleAuthorizerResult).isAuthorized).toBe(true);
  });

  test('context values are encoded as the site\'s identity headers: the integration maps them into headers (issue #16)', async () => {
    const w = world();
    const name = 'Zoë Ünal\r\nX-Injected: 1 100%';
    const { cookie } = await w.signIn({ name });
    const result = (await w.authorize(httpEventV2({ cookies: [cookie] }))) as SimpleAuthorizerResult;
    const userName = (result.context as { userName: string }).userName;
    expect(userName).toBe(headerValue(name));
    expect(userName).toMatch(/^[\x20-\x7e]*$/);
    expect(decodeURIComponent(userName)).toBe(name);
  });

  test('the request event: one line per decision, the session only as a hash, never the cookie', async () => {
    const w = world();
    const { cookie, claims } = await w.signIn();
    await w.authorize(httpEventV2({ cookies: [cookie] }));
    await outcome(w, httpEventV2());
    expect(w.log.events.map((e) => [e.decision, e.reason, e.status])).toEqual([
      ['allow', 'session', undefined],
      ['block', 'no-session', 403], // an HTTP API: a refusal
    ]);
    expect(w.log.events[0]).toMatchObject({ path: '/api/orders', method: 'GET', userId: 'u-1', provider: 'corp', clientId: 'client-1', clientIp: '203.0.113.9' });
    const logged = JSON.stringify(w.log.events);
    expect(logged).not.toContain(claims.sid);
    expect(logged).not.toContain(cookie.slice('edge-oauth='.length, 60));
    expect(logged).not.toContain('page=2');
  });
});

describe('no valid session: REST 401 (the function fails with exactly "Unauthorized"); HTTP API 403 (a refusal)', () => {
  test.each([
    ['no cookie at all', async () => []],
    ['other cookies only', async () => ['theme=dark; lang=en']],
    ['a tampered session cookie', async (w: World) => [(await w.signIn()).cookie.slice(0, -3) + 'AAA']],
    ['a cookie sealed with a key not in the key set', async (w: World) => {
      const claims = newSessionClaims(w.config, { sid: 'sid-x', uid: 'u-1', prv: 'corp', now: T0 });
      return [`edge-oauth=${await seal(claims, testKeys('other').current)}`];
    }],
    ['a cookie for a provider no longer configured', async (w: World) => {
      const claims = { ...newSessionClaims(w.config, { sid: 'sid-y', uid: 'u-1', prv: 'corp', now: T0 }), prv: 'gone' };
      return [`edge-oauth=${await seal(claims, w.keys.current)}`];
    }],
    ['a session the store does not know', async (w: World) => {
      const claims = newSessionClaims(w.config, { sid: 'sid-unknown', uid: 'u-1', prv: 'corp', now: T0 });
      return [`edge-oauth=${await seal(claims, w.keys.current)}`];
    }],
  ] as Array<[string, (w: World) => Promise<string[]>]>)('%s: HTTP API and REST API alike', async (_name, cookies) => {
    const w = world();
    const lines = await cookies(w);
    expect(await outcome(w, httpEventV2({ cookies: lines }))).toEqual(HTTP_REFUSED);
    expect(await outcome(w, restEvent({ cookies: lines }))).toEqual(UNAUTHORIZED);
  });

  test('an HTTP API is never answered with the REST-only "Unauthorized" error: payload 2.0 refuses, payload 1.0 denies, both 403', async () => {
    const w = world();
    expect(await outcome(w, httpEventV2({ cookies: ['theme=dark'] }))).toEqual(HTTP_REFUSED);
    const v1 = (await outcome(w, httpEventV1({ cookies: ['theme=dark'] }))) as PolicyAuthorizerResult;
    expect(v1.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny', Resource: STAGE('$default') });
    expect(w.log.events.map((e) => [e.reason, e.status])).toEqual([
      ['no-session', 403],
      ['no-session', 403],
    ]);
  });

  test('maximum duration: expired at its deadline, and no "allow" that API Gateway could cache past it', async () => {
    const w = world({ session: { maxDuration: '1h' }, api: { cacheTtl: '30s' } });
    const { cookie } = await w.signIn();
    w.clock.now = T0 + 3600 - 31; // 31 s left: an allow cached 30 s ends before the session does
    expect(((await w.authorize(httpEventV2({ cookies: [cookie] }))) as SimpleAuthorizerResult).isAuthorized).toBe(true);
    w.clock.now = T0 + 3600 - 29; // 29 s left: a cached allow would outlive it
    expect(await outcome(w, restEvent({ cookies: [cookie] }))).toEqual(UNAUTHORIZED);
    w.clock.now = T0 + 3600;
    expect(await outcome(w, restEvent({ cookies: [cookie] }))).toEqual(UNAUTHORIZED);
    expect(w.log.events.map((e) => e.reason)).toEqual(['session', 'session-ending', 'session-expired']);
  });

  test('a maximum duration shortened after sign-in applies at once (the current config wins)', async () => {
    const long = world({ session: { maxDuration: '7d' } });
    const { cookie } = await long.signIn();
    const short = world({ session: { maxDuration: '1h' } });
    // The same key set and store, the shorter config.
    const authorize = createAuthorizerHandler({ config: short.config, keys: async () => long.keys, providers: new Map(), random: seededRandom(), clock: () => (T0 + 3601) * 1000, sessions: long.sessions });
    await expect(authorize(restEvent({ cookies: [cookie] }))).rejects.toThrow(UNAUTHORIZED_MESSAGE);
  });

  test('inactivity timeout: a session without requests for longer ends, and is revoked in the store', async () => {
    const w = world({ session: { inactivityTimeout: '10m', activityWriteInterval: '60s' } });
    const { cookie, claims } = await w.signIn();
    w.clock.now = T0 + 5 * 60;
    expect(((await w.authorize(httpEventV2({ cookies: [cookie] }))) as SimpleAuthorizerResult).isAuthorized).toBe(true);
    w.clock.now += 11 * 60 + 1; // timeout + one write interval without a request
    expect(await outcome(w, restEvent({ cookies: [cookie] }))).toEqual(UNAUTHORIZED);
    expect(w.log.events.at(-1)).toMatchObject({ decision: 'block', reason: 'session-inactive', status: 401 });
    expect((await w.sessions.getSession(claims.sid))?.revokedReason).toBe('inactive');
  });
});

describe('revocation and the authorizer cache', () => {
  test('with api.cacheTtl = revocationCheckInterval, every invocation re-reads the session: a revocation is seen at once', async () => {
    const w = world({ session: { revocationCheckInterval: '60s' }, api: { cacheTtl: '60s' } });
    expect(authorizerConfig(w.config).session.revocationCheckInterval).toBe(0);
    const { cookie, claims } = await w.signIn();
    expect(((await w.authorize(httpEventV2({ cookies: [cookie] }))) as SimpleAuthorizerResult).isAuthorized).toBe(true);
    await w.sessions.revokeSession(claims.sid, w.clock.now, 'operator');
    w.clock.now += 1;
    expect(await outcome(w, restEvent({ cookies: [cookie] }))).toEqual(UNAUTHORIZED);
    expect(w.log.events.at(-1)).toMatchObject({ reason: 'session-revoked', checks: ['session-read'] });
  });

  test('a shorter cache leaves the container the rest of the interval: cache + container never exceed revocationCheckInterval', async () => {
    const w = world({ session: { revocationCheckInterval: '60s' }, api: { cacheTtl: '20s' } });
    expect(authorizerConfig(w.config).session.revocationCheckInterval).toBe(40);
    const { cookie, claims } = await w.signIn();
    expect(((await w.authorize(restEvent({ cookies: [cookie] }))) as PolicyAuthorizerResult).policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
    const readAt = w.clock.now;
    await w.sessions.revokeSession(claims.sid, readAt, 'operator');
    // API Gateway may reuse an allow given at readAt + 39 until readAt + 59: within the 60 s the site promises.
    w.clock.now = readAt + 39;
    expect(((await w.authorize(restEvent({ cookies: [cookie] }))) as PolicyAuthorizerResult).policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
    w.clock.now = readAt + 40;
    expect(await outcome(w, restEvent({ cookies: [cookie] }))).toEqual(UNAUTHORIZED);
    // An ended session is answered from memory from then on.
    w.clock.now += 1;
    expect(await outcome(w, restEvent({ cookies: [cookie] }))).toEqual(UNAUTHORIZED);
    expect(w.log.events.at(-1)!.checks).toBeUndefined();
  });

  test('logout at the site (revocation) ends the session at the API too', async () => {
    const w = world({ api: { cacheTtl: '60s' } });
    const { cookie, claims } = await w.signIn();
    await w.authorize(httpEventV2({ cookies: [cookie] }));
    await w.sessions.revokeSession(claims.sid, w.clock.now, 'logout');
    expect(await outcome(w, restEvent({ cookies: [cookie] }))).toEqual(UNAUTHORIZED);
  });
});

describe('continuous authorization and the allow-list', () => {
  const overrides = { session: { authCheckInterval: '15m' } };
  const tokens: TokenSet = { accessToken: 'at-1', refreshToken: 'rt-1', expiresAt: T0 + 3600 };

  test('due: the user is refreshed at the provider; still allowed, the provider\'s current name reaches the context', async () => {
    const w = world(overrides, { profile: { id: 'u-1', email: 'ada@example.com', emailVerified: true, name: 'Ada Lovelace' } });
    const { cookie } = await w.signIn({ tokens });
    w.clock.now = T0 + 16 * 60;
    const result = (await w.authorize(httpEventV2({ cookies: [cookie] }))) as SimpleAuthorizerResult;
    expect(result).toEqual({ isAuthorized: true, context: expect.objectContaining({ userName: 'Ada Lovelace' }) });
    expect(w.provider.calls).toEqual(['refresh:rt-1']);
  });

  test('no longer on the allow-list: 403 (a deny), and the session is revoked', async () => {
    const w = world(overrides, { profile: { id: 'u-1', email: 'ada@elsewhere.example', emailVerified: true, name: 'Ada' } });
    const { cookie, claims } = await w.signIn({ tokens });
    w.clock.now = T0 + 16 * 60;
    expect(await w.authorize(httpEventV2({ cookies: [cookie] }))).toEqual({ isAuthorized: false, context: {} });
    expect((await w.sessions.getSession(claims.sid))?.revokedReason).toBe('not-allowed');
    expect(w.log.events.at(-1)).toMatchObject({ decision: 'block', reason: 'not-on-allow-list', status: 403 });
    // REST: an explicit deny for the stage (API Gateway's ACCESS_DENIED, 403).
    const w2 = world(overrides, { profile: { id: 'u-1', email: 'ada@elsewhere.example', emailVerified: true } });
    const second = await w2.signIn({ tokens });
    w2.clock.now = T0 + 16 * 60;
    expect(await w2.authorize(restEvent({ cookies: [second.cookie] }))).toEqual({
      principalId: 'corp:u-1',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: STAGE('prod') }] },
      context: {},
    });
    // The next request: the session is revoked, so the same cookie means sign in (as at the
    // edge); answered from memory, no second provider call.
    expect(await outcome(w, restEvent({ cookies: [cookie] }))).toEqual(UNAUTHORIZED);
    expect(w.provider.calls).toEqual(['refresh:rt-1']);
  });
});

describe('fail closed: a due check that cannot be done', () => {
  test('the store down: the last good state within the grace period, then an error that is not "Unauthorized" (API Gateway 5xx)', async () => {
    const w = world({ session: { revocationCheckInterval: '60s', checkGracePeriod: '5m' }, api: { cacheTtl: '0s' } });
    const { cookie } = await w.signIn();
    expect(((await w.authorize(httpEventV2({ cookies: [cookie] }))) as SimpleAuthorizerResult).isAuthorized).toBe(true);
    w.sessions.down = true;
    w.clock.now += 120; // due since 60 s: within the grace
    expect(((await w.authorize(httpEventV2({ cookies: [cookie] }))) as SimpleAuthorizerResult).isAuthorized).toBe(true);
    w.clock.now += 300; // past it
    const failed = await outcome(w, restEvent({ cookies: [cookie] }));
    expect(failed).toEqual({ thrown: expect.stringContaining('store-unavailable'), code: 'ERR_API_SESSION_CHECK_UNAVAILABLE' });
    expect((failed as { thrown: string }).thrown).not.toBe(UNAUTHORIZED_MESSAGE);
    expect(w.log.events.at(-1)).toMatchObject({ decision: 'block', reason: 'store-unavailable', status: 503 });
    expect(w.log.errors.some((e) => e.where === 'session-check')).toBe(true);
  });

  test('a key set that cannot be read: logged, then the invocation fails closed (5xx), never an allow', async () => {
    const config = testConfig();
    const log = new Log();
    const authorize = createAuthorizerHandler({
      config,
      keys: async () => {
        throw Object.assign(new Error('cannot read secret'), { code: 'ERR_STORE_UNAVAILABLE' });
      },
      providers: new Map(),
      random: seededRandom(),
      log,
    });
    await expect(authorize(httpEventV2({ cookies: ['edge-oauth=x'] }))).rejects.toMatchObject({ code: 'ERR_API_SESSION_CHECK_UNAVAILABLE' });
    await expect(authorize(restEvent({ cookies: ['edge-oauth=x'] }))).rejects.toMatchObject({ code: 'ERR_API_SESSION_CHECK_UNAVAILABLE' });
    expect(log.errors).toEqual([
      { where: 'keys', code: 'ERR_STORE_UNAVAILABLE' },
      { where: 'keys', code: 'ERR_STORE_UNAVAILABLE' },
    ]);
    expect(log.events.map((e) => [e.decision, e.reason, e.status])).toEqual([
      ['block', 'keys-unavailable', 500],
      ['block', 'keys-unavailable', 503],
    ]);
  });

  test('a failure inside the decision: logged with where it happened, answered as unavailable (fail closed), never a bare throw', async () => {
    const log = new Log();
    // A config that breaks when the decision reads its access rules (a stand-in for any bug in the decision).
    const config = Object.defineProperty({ ...testConfig() }, 'publicPaths', { get: () => { throw new TypeError('boom'); } });
    const authorize = createAuthorizerHandler({ config, keys: async () => testKeys(), providers: new Map(), random: seededRandom(), log });
    const w = world();
    const { cookie } = await w.signIn();
    for (const event of [httpEventV2({ cookies: [cookie] }), restEvent({ cookies: [cookie] })]) {
      await expect(authorize(event)).rejects.toMatchObject({ code: 'ERR_API_SESSION_CHECK_UNAVAILABLE' });
    }
    expect(log.errors.map((e) => e.where)).toEqual(['authorizer', 'authorizer']);
    expect(log.events.map((e) => [e.decision, e.reason, e.status])).toEqual([
      ['block', 'internal-error', 500],
      ['block', 'internal-error', 503],
    ]);
  });
});

describe('events it does not serve', () => {
  test('a TOKEN authorizer event or another trigger is refused with a code (a misconfiguration, not a 401)', async () => {
    const w = world();
    await expect(w.authorize({ type: 'TOKEN', authorizationToken: 'x', methodArn: 'arn:aws:execute-api:us-east-1:1:a/b/GET/' } as unknown as AuthorizerEvent)).rejects.toBeInstanceOf(ApiEventError);
    await expect(w.authorize({ Records: [] } as unknown as AuthorizerEvent)).rejects.toMatchObject({ code: 'ERR_API_AUTHORIZER_EVENT' });
    expect(w.log.errors).toEqual([
      { where: 'event', code: 'ERR_API_AUTHORIZER_EVENT' },
      { where: 'event', code: 'ERR_API_AUTHORIZER_EVENT' },
    ]);
  });

  test('stageWideResource keeps API and stage, widens method and path', () => {
    expect(stageWideResource('arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/a/b')).toBe('arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*');
    expect(stageWideResource('arn:aws-cn:execute-api:cn-north-1:123456789012:abc123/$default/POST/')).toBe('arn:aws-cn:execute-api:cn-north-1:123456789012:abc123/$default/*');
    expect(() => stageWideResource('arn:aws:lambda:us-east-1:1:function:f')).toThrow(ApiEventError);
  });
});

describe('the same verdict as the edge (one session check, two renderings)', () => {
  type Verdict = 'allow' | 'sign-in' | 'forbidden' | 'unavailable';

  /** The viewer-request handler on the same config, key set and store. */
  function edgeOf(w: World, sessions: SessionStore) {
    const viewer = createViewerHandler({
      config: w.config,
      keys: async () => w.keys,
      providers: new Map([['corp', w.provider.provider]]),
      random: seededRandom('edge'),
      clock: () => w.clock.now * 1000,
      sessions,
    });
    return async (cookie: string | undefined): Promise<Verdict> => {
      const request: CloudFrontRequest = {
        clientIp: '203.0.113.9',
        method: 'GET',
        uri: '/page',
        querystring: '',
        headers: { host: [{ key: 'Host', value: 'app.example.com' }], ...(cookie !== undefined && { cookie: [{ key: 'Cookie', value: cookie }] }) },
      };
      const result = await viewer({ Records: [{ cf: { config: { distributionDomainName: 'd.cloudfront.net', distributionId: 'E1', eventType: 'viewer-request', requestId: 'r' }, request } }] });
      if (!('status' in result)) return 'allow';
      const status = (result as CloudFrontResultResponse).status;
      return status === '302' ? 'sign-in' : status === '403' ? 'forbidden' : status === '503' ? 'unavailable' : (`status ${status}` as Verdict);
    };
  }

  /** A REST API's verdict (the one that can say "sign in": 401); an HTTP API refuses both "sign in" and "forbidden" with a 403. */
  async function apiVerdict(w: World, cookie: string | undefined): Promise<Verdict> {
    const r = await outcome(w, restEvent({ cookies: cookie === undefined ? [] : [cookie] }));
    if ('thrown' in r) return r.thrown === UNAUTHORIZED_MESSAGE ? 'sign-in' : 'unavailable';
    return (r as PolicyAuthorizerResult).policyDocument.Statement[0]!.Effect === 'Allow' ? 'allow' : 'forbidden';
  }

  const scenarios: Array<[string, Record<string, unknown>, (w: World) => Promise<string | undefined>, Verdict]> = [
    ['valid', {}, async (w) => (await w.signIn()).cookie, 'allow'],
    ['no cookie', {}, async () => undefined, 'sign-in'],
    ['tampered', {}, async (w) => `${(await w.signIn()).cookie}x`, 'sign-in'],
    ['revoked', {}, async (w) => {
      const s = await w.signIn();
      await w.sessions.revokeSession(s.claims.sid, T0, 'operator');
      return s.cookie;
    }, 'sign-in'],
    ['past the maximum duration', { session: { maxDuration: '1h' } }, async (w) => {
      const s = await w.signIn({ at: T0 - 3600 });
      return s.cookie;
    }, 'sign-in'],
    ['inactive', { session: { inactivityTimeout: '10m' } }, async (w) => {
      const s = await w.signIn({ at: T0 - 3600 });
      return s.cookie;
    }, 'sign-in'],
    ['no longer allowed', { session: { authCheckInterval: '15m' } }, async (w) => (await w.signIn({ at: T0 - 3600, tokens: { accessToken: 'a', refreshToken: 'r' } })).cookie, 'forbidden'],
    ['store down past the grace period', { session: { checkGracePeriod: 0 } }, async (w) => {
      const s = await w.signIn({ at: T0 - 3600 });
      w.sessions.down = true;
      return s.cookie;
    }, 'unavailable'],
  ];

  test.each(scenarios)('%s', async (_name, overrides, arrange, expected) => {
    const deny = { profile: { id: 'u-1', email: 'ada@elsewhere.example', emailVerified: true } };
    // Two worlds built alike, so that neither side's memory (an ended session) serves the other.
    const forApi = world(overrides, deny);
    const forEdge = world(overrides, deny);
    const apiCookie = await arrange(forApi);
    const edgeCookie = await arrange(forEdge);
    expect(await apiVerdict(forApi, apiCookie)).toBe(expected);
    expect(await edgeOf(forEdge, forEdge.sessions)(edgeCookie)).toBe(expected);
  });
});
