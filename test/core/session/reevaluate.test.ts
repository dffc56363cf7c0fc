/**
 * Re-evaluation after a config change (lambdas/core/session/reevaluate.ts through
 * container-checks.ts): a session signed in under one config, checked by containers of
 * another. In-memory stores, a scripted provider, the clock passed in.
 */
import { randomBytes } from 'node:crypto';
import { authFingerprint } from '../../../lambdas/core/access/fingerprint';
import type { EdgeConfig } from '../../../lambdas/core/config/types';
import { ProviderError } from '../../../lambdas/core/errors';
import type { Profile, Provider, SignInResult, TokenSet } from '../../../lambdas/core/providers/types';
import { SessionChecks, type CheckRequest } from '../../../lambdas/core/session/container-checks';
import { newSessionClaims } from '../../../lambdas/core/session/session-cookie';
import { signInRecord } from '../../../lambdas/core/sign-in/sign-in-record';
import type { SessionStore } from '../../../lambdas/core/stores';
import { MemorySessionStore } from '../../../lambdas/store/memory/sessions';
import { testConfig, testKeys } from '../fixtures';

const keys = testKeys();
const T = Date.UTC(2027, 0, 10) / 1000;

class ScriptedProvider implements Partial<Provider> {
  readonly id = 'corp';
  supportsRefresh = true;
  calls = 0;
  profile_: Profile = { id: 'u-1', email: 'ada@example.com', name: 'Ada', emailVerified: true };
  failure: unknown;
  delayMs = 0;
  async refresh(refreshToken: string): Promise<SignInResult> {
    this.calls++;
    await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.failure !== undefined) throw this.failure;
    return { tokens: { accessToken: `at-${this.calls}`, refreshToken: `${refreshToken}+`, expiresAt: T + 7200 }, profile: this.profile_ };
  }
}

/** Records every sessions-store call by name. */
function counting(inner: SessionStore): SessionStore & { calls: string[] } {
  const calls: string[] = [];
  return new Proxy(inner as SessionStore & { calls: string[] }, {
    get(target, prop) {
      if (prop === 'calls') return calls;
      const value = Reflect.get(target, prop) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(prop));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

const SESSION = { revocationCheckInterval: '60s', checkGracePeriod: '2m' };
const configWith = (allow: Record<string, unknown>) => testConfig({ session: SESSION, allow });
const BOTH = { emails: ['ada@example.com', 'bob@example.com'], emailDomains: [] };
const BOB_ONLY = { emails: ['bob@example.com'], emailDomains: [] };

/** Ada signs in under `signedIn`; `refreshToken`: whether her tokens hold one. */
async function setup(signedIn: EdgeConfig, options: { refreshToken?: boolean; verification?: Pick<Profile, 'emailVerified' | 'emailUnverifiable' | 'groups'> } = {}) {
  const now = { t: T };
  const sessions = counting(new MemorySessionStore(() => now.t));
  const provider = new ScriptedProvider();
  const claims = newSessionClaims(signedIn, { sid: 'sid-1', uid: 'u-1', prv: 'corp', email: 'ada@example.com', name: 'Ada', now: T });
  const tokens: TokenSet = { accessToken: 'at-0', ...(options.refreshToken !== false && { refreshToken: 'rt-0' }), expiresAt: T + 3600 };
  const record = await signInRecord(signedIn, keys, claims, tokens, { host: 'app.example.com' }, options.verification ?? { emailVerified: true });
  await sessions.createSession(record.session);
  sessions.calls.length = 0;
  const container = (config: EdgeConfig) => new SessionChecks({ config, sessions, providers: new Map([['corp', provider as unknown as Provider]]), random: randomBytes });
  const req = (): CheckRequest => ({ claims, keys, now: now.t, host: 'app.example.com' });
  return { now, sessions, provider, container, req };
}

describe('re-evaluation when the authorization settings change', () => {
  test('unchanged config: no extra call, at the first sync nor later', async () => {
    const config = configWith(BOTH);
    const { sessions, provider, container, req, now } = await setup(config);
    const checks = container(configWith(BOTH)); // an equal config, another object (a new container)
    expect(await checks.check(req())).toMatchObject({ status: 'ok', calls: ['session-touch'] });
    now.t += 61;
    expect(await checks.check(req())).toMatchObject({ status: 'ok', calls: ['session-touch'] });
    expect(sessions.calls).toEqual(['touchSession', 'touchSession']);
    expect(provider.calls).toBe(0);
  });

  test('a narrowed allow-list denies on the next due sync, without the provider when it cannot refresh', async () => {
    const { sessions, provider, container, req, now } = await setup(configWith(BOTH), { refreshToken: false });
    const old = container(configWith(BOTH));
    expect(await old.check(req())).toMatchObject({ status: 'ok' });
    const narrowed = container(configWith(BOB_ONLY));
    expect(await narrowed.check(req())).toMatchObject({ status: 'denied', reason: 'not-on-allow-list', email: 'ada@example.com', calls: ['session-touch', 'session-revoke'] });
    expect(await sessions.getSession('sid-1')).toMatchObject({ revokedReason: 'not-allowed' });
    expect(provider.calls).toBe(0);
    // Every container ends it at its next due sync, the old config's too (the record is revoked).
    now.t += 61;
    expect(await old.check(req())).toMatchObject({ status: 'signin', reason: 'session-revoked' });
    expect(await narrowed.check(req())).toMatchObject({ status: 'signin', reason: 'session-revoked', calls: [] });
  });

  test('after a re-evaluation, the fast path again: no call until the next due sync', async () => {
    const widened = configWith({ emails: ['ada@example.com', 'bob@example.com', 'cy@example.com'], emailDomains: [] });
    const { sessions, container, req, now } = await setup(configWith(BOTH), { refreshToken: false });
    const checks = container(widened);
    expect(await checks.check(req())).toMatchObject({ status: 'ok', calls: ['session-touch', 'session-evaluated'] });
    sessions.calls.length = 0;
    for (let i = 0; i < 59; i++) {
      now.t++;
      expect(checks.cached(req())).toMatchObject({ status: 'ok', calls: [] });
    }
    expect(sessions.calls).toEqual([]);
    now.t++;
    expect(await checks.check(req())).toMatchObject({ status: 'ok', calls: ['session-touch'] });
  });

  test('a widened allow-list keeps the session and stores the new fingerprint: other containers do not re-evaluate', async () => {
    const widened = configWith({ emails: ['ada@example.com', 'bob@example.com', 'cy@example.com'], emailDomains: [] });
    const { sessions, provider, container, req } = await setup(configWith(BOTH), { refreshToken: false });
    expect(await container(widened).check(req())).toMatchObject({ status: 'ok', calls: ['session-touch', 'session-evaluated'] });
    expect((await sessions.getSession('sid-1'))?.authFingerprint).toBe(authFingerprint(widened));
    expect(await container(configWith(widened.allow as unknown as Record<string, unknown>)).check(req())).toMatchObject({ status: 'ok', calls: ['session-touch'] });
    expect(provider.calls).toBe(0);
  });

  test('the provider can refresh: re-checked over the back channel once, under the lease, whatever the containers', async () => {
    const widened = configWith({ emails: ['ada@example.com', 'bob@example.com', 'cy@example.com'], emailDomains: [] });
    const { sessions, provider, container, req, now } = await setup(configWith(BOTH));
    now.t += 120; // the sign-in's own check is no longer fresh
    provider.delayMs = 30;
    const [a, b] = [container(widened), container(widened)];
    const results = await Promise.all([a.check(req()), b.check(req()), a.check(req())]);
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);
    expect(provider.calls).toBe(1);
    expect(await sessions.getSession('sid-1')).toMatchObject({ authFingerprint: authFingerprint(widened), lastAuthCheckAt: now.t });
  });

  test('the provider says the user no longer passes: denied and revoked, though the stored email still would', async () => {
    const { sessions, provider, container, req, now } = await setup(configWith(BOTH));
    now.t += 120;
    provider.profile_ = { id: 'u-1', email: 'ada@elsewhere.example', emailVerified: true };
    const result = await container(configWith({ emails: ['ada@example.com'], emailDomains: [] })).check(req());
    expect(result).toMatchObject({ status: 'denied', email: 'ada@elsewhere.example' });
    expect(result.calls).toEqual(expect.arrayContaining(['refresh-lease', 'provider-refresh', 'session-revoke']));
    expect(await sessions.getSession('sid-1')).toMatchObject({ revokedReason: 'not-allowed' });
  });

  test('a check made within RECHECK_FRESH_SECONDS (here the sign-in) is taken as current: no provider call', async () => {
    const { sessions, provider, container, req, now } = await setup(configWith(BOTH));
    now.t += 10;
    const narrowed = configWith({ emails: ['ada@example.com'], emailDomains: [] });
    expect(await container(narrowed).check(req())).toMatchObject({ status: 'ok', calls: ['session-touch', 'refresh-lease', 'session-evaluated'] });
    expect(provider.calls).toBe(0);
    expect((await sessions.getSession('sid-1'))?.authFingerprint).toBe(authFingerprint(narrowed));
  });

  test('the provider fails: the stored check stands, nothing stored, no retry storm; retried at the next due sync', async () => {
    const { sessions, provider, container, req, now } = await setup(configWith(BOTH));
    now.t += 120;
    provider.failure = new ProviderError('ERR_PROVIDER_UNREACHABLE', 'refresh: unreachable');
    const widened = configWith({ emails: ['ada@example.com', 'bob@example.com', 'cy@example.com'], emailDomains: [] });
    const checks = container(widened);
    expect(await checks.check(req())).toMatchObject({ status: 'ok' });
    expect(provider.calls).toBe(1);
    expect((await sessions.getSession('sid-1'))?.authFingerprint).toBe(authFingerprint(configWith(BOTH)));
    now.t += 1;
    expect(await checks.check(req())).toMatchObject({ status: 'ok', calls: [] }); // the fast path
    provider.failure = undefined;
    now.t += 60;
    expect(await checks.check(req())).toMatchObject({ status: 'ok' });
    expect(provider.calls).toBe(2);
    expect((await sessions.getSession('sid-1'))?.authFingerprint).toBe(authFingerprint(widened));
  });

  test('what the session knows is applied as the sign-in applied it: an unverifiable email never matches a new allow-list', async () => {
    const open = configWith({ emails: [], emailDomains: [] });
    const { sessions, container, req } = await setup(open, { refreshToken: false, verification: { emailUnverifiable: true } });
    expect((await sessions.getSession('sid-1'))?.emailVerification).toBe('unverifiable');
    expect(await container(configWith({ emails: ['ada@example.com'], emailDomains: [] })).check(req())).toMatchObject({ status: 'denied', reason: 'email-unverified' });
  });

  test('groups: a session admitted by a group is denied when the group is taken off the list', async () => {
    const withGroup = configWith({ emails: [], emailDomains: [], groups: ['corp:admins'] });
    const { container, req, sessions } = await setup(withGroup, { refreshToken: false, verification: { emailVerified: true, groups: ['admins'] } });
    expect((await sessions.getSession('sid-1'))?.groups).toEqual(['admins']);
    expect(await container(configWith({ emails: [], emailDomains: [], groups: ['corp:admins', 'corp:ops'] })).check(req())).toMatchObject({ status: 'ok' });
    expect(await container(configWith({ emails: [], emailDomains: [], groups: ['corp:ops'] })).check(req())).toMatchObject({ status: 'denied' });
  });

  test('a record from before fingerprints is evaluated once and stored with one', async () => {
    const config = configWith(BOTH);
    const { sessions, req } = await setup(config, { refreshToken: false });
    const inner = sessions as unknown as MemorySessionStore;
    const legacy = { ...(await inner.getSession('sid-1'))! };
    delete (legacy as { authFingerprint?: string }).authFingerprint;
    delete (legacy as { emailVerification?: string }).emailVerification;
    const fresh = new MemorySessionStore(() => T);
    await fresh.createSession({ ...legacy, sessionId: 'sid-1' });
    const checks = new SessionChecks({ config, sessions: fresh, providers: new Map(), random: randomBytes });
    expect(await checks.check(req())).toMatchObject({ status: 'ok', calls: ['session-touch', 'session-evaluated'] });
    expect((await fresh.getSession('sid-1'))?.authFingerprint).toBe(authFingerprint(config));
  });
});
