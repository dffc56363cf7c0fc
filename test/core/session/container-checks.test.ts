/**
 * The session checks of a container (lambdas/core/session/container-checks.ts) with the in-memory
 * stores and a scripted provider: no network, the clock passed in. The same behaviour on
 * real peers is in test/integration/{sessions,continuous-auth,mau,outages}.test.ts.
 */
import { randomBytes } from 'node:crypto';
import type { EdgeConfig } from '../../../lambdas/core/config/types';
import { ProviderError } from '../../../lambdas/core/errors';
import type { Profile, Provider, SignInResult, TokenSet } from '../../../lambdas/core/providers/types';
import { newSessionClaims, type SessionClaims } from '../../../lambdas/core/session/session-cookie';
import { SessionChecks, type CheckRequest, type SessionChecksDeps } from '../../../lambdas/core/session/container-checks';
import { signInRecord } from '../../../lambdas/core/sign-in/sign-in-record';
import type { SessionStore } from '../../../lambdas/core/stores';
import { MemorySessionStore } from '../../../lambdas/store/memory/sessions';
import { MemoryMauStore } from '../../../lambdas/store/memory/mau';
import { MemoryUserStore } from '../../../lambdas/store/memory/users';
import { testConfig, testKeys } from '../fixtures';

const keys = testKeys();
const T = Date.UTC(2027, 0, 10) / 1000;

/** A provider whose refresh answers what the test says, counting calls. */
class ScriptedProvider implements Partial<Provider> {
  readonly id = 'corp';
  readonly supportsRefresh = true;
  calls = 0;
  profile_: Profile = { id: 'u-1', email: 'ada@example.com', name: 'Ada', emailVerified: true };
  failure: unknown;
  delayMs = 0;
  /** The token endpoint never answers. */
  hangs = false;
  async refresh(refreshToken: string): Promise<SignInResult> {
    this.calls++;
    if (this.hangs) await new Promise(() => undefined);
    await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.failure !== undefined) throw this.failure;
    return { tokens: { accessToken: `at-${this.calls}`, refreshToken: `${refreshToken}+`, expiresAt: T + 7200 }, profile: this.profile_ };
  }
}

/** Counts every call to the sessions store; `down.on` makes every call fail. */
function counting(inner: SessionStore): SessionStore & { calls: string[]; down: { on: boolean } } {
  const calls: string[] = [];
  const down = { on: false };
  return new Proxy(inner as SessionStore & { calls: string[]; down: { on: boolean } }, {
    get(target, prop) {
      if (prop === 'calls') return calls;
      if (prop === 'down') return down;
      const value = Reflect.get(target, prop) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        calls.push(String(prop));
        if (down.on) throw new Error('store down');
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

async function setup(session: Record<string, unknown> = {}, allow?: Record<string, unknown>) {
  const config: EdgeConfig = testConfig({ session: { revocationCheckInterval: '60s', checkGracePeriod: '2m', ...session }, ...(allow && { allow }) });
  const now = { t: T };
  const sessions = counting(new MemorySessionStore(() => now.t));
  const users = new MemoryUserStore();
  const mau = new MemoryMauStore();
  const provider = new ScriptedProvider();
  const claims = newSessionClaims(config, { sid: 'sid-1', uid: 'u-1', prv: 'corp', email: 'ada@example.com', name: 'Ada', now: T });
  const record = await signInRecord(config, keys, claims, { accessToken: 'at-0', refreshToken: 'rt-0', expiresAt: T + 3600 } as TokenSet, { host: 'app.example.com' });
  await sessions.createSession(record.session);
  await users.upsertOnSignIn(record.user);
  await mau.markActive({ month: record.month, provider: 'corp', userId: 'u-1', at: T });
  sessions.calls.length = 0;
  const container = (over: Partial<SessionChecksDeps> = {}) =>
    new SessionChecks({ config, sessions, users, mau, providers: new Map([['corp', provider as unknown as Provider]]), random: randomBytes, ...over });
  const req = (c: SessionClaims = claims): CheckRequest => ({ claims: c, keys, now: now.t, host: 'app.example.com', ip: '203.0.113.1', userAgent: 'ua' });
  return { config, now, sessions, users, mau, provider, claims, container, req };
}

describe('SessionChecks', () => {
  test('the fast path: after one check, nothing due means no store call at all', async () => {
    const { sessions, container, req, now } = await setup();
    const checks = container();
    expect(await checks.check(req())).toMatchObject({ status: 'ok', reason: 'session', calls: ['session-touch'] });
    sessions.calls.length = 0;
    for (let i = 0; i < 59; i++) {
      now.t++;
      expect(checks.cached(req())).toMatchObject({ status: 'ok', calls: [] });
    }
    expect(sessions.calls).toEqual([]);
    now.t++;
    expect(checks.cached(req())).toBeUndefined();
  });

  test('concurrent requests of one session in a container share one check', async () => {
    const { sessions, container, req } = await setup();
    const checks = container();
    const results = await Promise.all(Array.from({ length: 10 }, () => checks.check(req())));
    expect(results.every((r) => r.status === 'ok')).toBe(true);
    expect(sessions.calls).toEqual(['touchSession']);
  });

  test('revoked: sign in again, and the container remembers it without asking again', async () => {
    const { sessions, container, req, now } = await setup();
    const checks = container();
    await checks.check(req());
    await sessions.revokeSession('sid-1', T + 1, 'operator');
    now.t += 60;
    expect(await checks.check(req())).toMatchObject({ status: 'signin', reason: 'session-revoked' });
    sessions.calls.length = 0;
    now.t += 600;
    expect(await checks.check(req())).toMatchObject({ status: 'signin', reason: 'session-revoked' });
    expect(sessions.calls).toEqual([]);
  });

  test('store down: the last good state for the grace period, no retry storm, then unavailable', async () => {
    const { sessions, container, req, now } = await setup();
    const checks = container();
    await checks.check(req());
    sessions.down.on = true;
    sessions.calls.length = 0;
    now.t += 61;
    expect(await checks.check(req())).toMatchObject({ status: 'ok', reason: 'session-grace' });
    now.t += 2; // within the retry backoff: no call
    expect(await checks.check(req())).toMatchObject({ status: 'ok', reason: 'session-grace', calls: [] });
    expect(sessions.calls).toEqual(['touchSession']);
    now.t = T + 60 + 120;
    expect(await checks.check(req())).toMatchObject({ status: 'unavailable', reason: 'store-unavailable' });
  });

  test('two containers, a refresh due: the provider is called once (the lease), both let the user through', async () => {
    const { provider, container, req, now, sessions } = await setup({ authCheckInterval: '5m' });
    const [a, b] = [container(), container()];
    await Promise.all([a.check(req()), b.check(req())]);
    provider.delayMs = 30;
    now.t += 301;
    const results = await Promise.all([a.check(req()), b.check(req()), a.check(req()), b.check(req())]);
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(provider.calls).toBe(1);
    const stored = await sessions.getSession('sid-1');
    expect(stored).toMatchObject({ lastAuthCheckAt: now.t });
    expect(stored?.leaseOwner).toBeUndefined();
  });

  test('the provider rejects the grant: the session is revoked, sign in again', async () => {
    const { provider, container, req, now, sessions } = await setup({ authCheckInterval: '5m' });
    provider.failure = new ProviderError('ERR_PROVIDER_FAILED', 'refresh: invalid_grant (HTTP 400)', { status: 400, oauthError: 'invalid_grant' });
    now.t += 301;
    expect(await container().check(req())).toMatchObject({ status: 'signin', reason: 'session-rejected' });
    expect((await sessions.getSession('sid-1'))?.revokedReason).toBe('provider-rejected');
  });

  test('the provider fails (5xx): grace from when the refresh fell due, then unavailable', async () => {
    const { provider, container, req, now, sessions } = await setup({ authCheckInterval: '5m' });
    provider.failure = new ProviderError('ERR_PROVIDER_FAILED', 'refresh: temporarily_unavailable (HTTP 503)', { status: 503, oauthError: 'temporarily_unavailable' });
    const checks = container();
    now.t += 301;
    expect(await checks.check(req())).toMatchObject({ status: 'ok', reason: 'refresh-grace' });
    now.t = T + 300 + 120;
    expect(await checks.check(req())).toMatchObject({ status: 'unavailable', reason: 'provider-unavailable' });
    expect((await sessions.getSession('sid-1'))?.revokedAt).toBeUndefined();
  });

  test('the viewer budget: a refresh that hangs is answered in time, as a failed check (grace, then unavailable), and logged', async () => {
    const { provider, container, req, now } = await setup({ authCheckInterval: '5m' });
    const errors: Array<string | undefined> = [];
    const checks = container({ onError: (e) => errors.push((e as { code?: string }).code) });
    expect(await checks.check(req())).toMatchObject({ status: 'ok', reason: 'session' });
    provider.hangs = true;
    now.t += 301;
    const started = Date.now();
    expect(await checks.checkWithin(req(), 50)).toMatchObject({ status: 'ok', reason: 'refresh-grace', calls: ['timeout'], identity: { email: 'ada@example.com' } });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(errors).toEqual(['ERR_CHECK_TIMEOUT']);
    now.t = T + 300 + 120; // past the grace period: the 503 page
    expect(await checks.checkWithin(req(), 50)).toMatchObject({ status: 'unavailable', reason: 'provider-unavailable' });
  });

  test('the viewer budget: a store read that hangs on a brand-new session is the store\'s failure (grace from sign-in)', async () => {
    const { container, req, sessions } = await setup();
    const hanging = new Proxy(sessions, { get: (t, p) => (typeof Reflect.get(t, p) === 'function' ? () => new Promise(() => undefined) : Reflect.get(t, p)) });
    const checks = container({ sessions: hanging });
    expect(await checks.checkWithin(req(), 50)).toMatchObject({ status: 'ok', reason: 'session-grace', calls: ['timeout'] });
  });

  test('the allow-list no longer passes after a refresh: denied, revoked, the App User updated', async () => {
    const { provider, container, req, now, sessions, users } = await setup({ authCheckInterval: '5m' }, { emailDomains: ['example.com'] });
    provider.profile_ = { id: 'u-1', email: 'ada@elsewhere.example', emailVerified: true };
    now.t += 301;
    expect(await container().check(req())).toMatchObject({ status: 'denied', reason: 'not-on-allow-list', email: 'ada@elsewhere.example' });
    expect((await sessions.getSession('sid-1'))?.revokedReason).toBe('not-allowed');
    expect((await users.getUser('corp', 'u-1'))?.email).toBe('ada@elsewhere.example');
  });

  test('MAU: nothing to mark in the sign-in month; once per user-month per container after that', async () => {
    const { container, req, now, mau } = await setup();
    const checks = container();
    expect((await checks.check(req())).calls).not.toContain('mau-mark');
    now.t = Date.UTC(2027, 1, 1, 0, 0, 5) / 1000;
    expect((await checks.check(req())).calls).toContain('mau-mark');
    expect(await mau.count('2027-02')).toBe(1);
    now.t += 61;
    expect((await checks.check(req())).calls).not.toContain('mau-mark');
    expect((await container().check(req())).calls).toContain('mau-mark'); // another container tries once
    expect(await mau.count('2027-02')).toBe(1);
  });
});

describe('providerFailureKind', () => {
  const { providerFailureKind } = jest.requireActual<typeof import('../../../lambdas/core/session/refresh')>('../../../lambdas/core/session/refresh');
  test.each([
    [new ProviderError('ERR_PROVIDER_UNREACHABLE', 'x'), 'transient'],
    [new ProviderError('ERR_PROVIDER_TIMEOUT', 'x'), 'transient'],
    [new ProviderError('ERR_PROVIDER_FAILED', 'x', { status: 503, oauthError: 'temporarily_unavailable' }), 'transient'],
    [new ProviderError('ERR_PROVIDER_FAILED', 'x', { status: 429 }), 'transient'],
    [new ProviderError('ERR_PROVIDER_FAILED', 'x', { status: 401, oauthError: 'invalid_client' }), 'transient'],
    [new ProviderError('ERR_PROVIDER_FAILED', 'x', { status: 400, oauthError: 'invalid_client' }), 'transient'],
    [new ProviderError('ERR_PROVIDER_FAILED', 'x', { status: 400, oauthError: 'invalid_grant' }), 'rejected'],
    [new ProviderError('ERR_PROVIDER_DENIED', 'x', { oauthError: 'access_denied' }), 'rejected'],
    [new ProviderError('ERR_PROVIDER_FAILED', 'profile (/user): HTTP 401', { status: 401 }), 'rejected'],
    [new Error('something else'), 'transient'],
  ])('%s → %s', (error, kind) => {
    expect(providerFailureKind(error)).toBe(kind);
  });
});
