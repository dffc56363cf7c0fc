/**
 * The SessionStore contract: every implementation (memory, DynamoDB) passes the same suite.
 * `make` gives a fresh, empty store whose clock (epoch seconds) the suite sets.
 */
import type { SessionRecord, SessionStore, SignInStateStore } from '../../lambdas/core/stores';

export interface StoreUnderTest<T> {
  readonly store: T;
  /** Sets the store's clock (epoch seconds). */
  setNow(now: number): void;
}

const T0 = 1_800_000_000;

export function record(sessionId: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    sessionId,
    provider: 'dev',
    userId: 'u-1',
    email: 'ada@example.com',
    name: 'Ada',
    createdAt: T0,
    expiresAt: T0 + 3600,
    lastSeenAt: T0,
    lastAuthCheckAt: T0,
    tokens: 'sealed.tokens.value',
    host: 'app.example.com',
    ip: '203.0.113.7',
    userAgent: 'test',
    ...overrides,
  };
}

export function sessionStoreContract(name: string, make: () => Promise<StoreUnderTest<SessionStore & SignInStateStore>>): void {
  describe(`SessionStore contract: ${name}`, () => {
    let store: SessionStore & SignInStateStore;
    let setNow: (now: number) => void;
    let n = 0;
    const id = () => `s-${name}-${++n}-${Math.random().toString(36).slice(2)}`;

    beforeEach(async () => {
      ({ store, setNow } = await make());
      setNow(T0);
    });

    test('create and get round-trip every field; a second create with the same id fails', async () => {
      const r = record(id(), { purgeAt: T0 + 600 });
      await store.createSession(r);
      expect(await store.getSession(r.sessionId)).toEqual(r);
      await expect(store.createSession(r)).rejects.toThrow();
    });

    test('get: missing or past expiresAt is undefined', async () => {
      expect(await store.getSession('nope')).toBeUndefined();
      const r = record(id());
      await store.createSession(r);
      setNow(T0 + 3600);
      expect(await store.getSession(r.sessionId)).toBeUndefined();
    });

    test('revoke: keeps the first time and reason; a missing session is not an error', async () => {
      const r = record(id());
      await store.createSession(r);
      await store.revokeSession(r.sessionId, T0 + 5, 'operator');
      await store.revokeSession(r.sessionId, T0 + 9, 'logout');
      expect(await store.getSession(r.sessionId)).toMatchObject({ revokedAt: T0 + 5, revokedReason: 'operator' });
      await expect(store.revokeSession('nope', T0)).resolves.toBeUndefined();
    });

    test('consumeState: true once, then false', async () => {
      expect(await store.consumeState(`h-${id()}`, T0 + 600)).toBe(true);
      const h = `h-${id()}`;
      await store.consumeState(h, T0 + 600);
      expect(await store.consumeState(h, T0 + 600)).toBe(false);
    });

    test('touch: writes only when the recorded activity is older than minInterval', async () => {
      const r = record(id());
      await store.createSession(r);
      const recent = await store.touchSession(r.sessionId, { at: T0 + 30, minInterval: 60 });
      expect(recent).toEqual({ written: false, record: { ...r, purgeAt: r.expiresAt } });
      const stale = await store.touchSession(r.sessionId, { at: T0 + 60, minInterval: 60, purgeAt: T0 + 900 });
      expect(stale.written).toBe(true);
      expect(stale.record).toMatchObject({ lastSeenAt: T0 + 60, purgeAt: T0 + 900 });
      expect(await store.getSession(r.sessionId)).toMatchObject({ lastSeenAt: T0 + 60 });
    });

    test('touch: never on a revoked, missing or inactive session', async () => {
      expect(await store.touchSession('nope', { at: T0, minInterval: 60 })).toEqual({ written: false, record: undefined });
      const revoked = record(id());
      await store.createSession(revoked);
      await store.revokeSession(revoked.sessionId, T0 + 1, 'operator');
      const a = await store.touchSession(revoked.sessionId, { at: T0 + 600, minInterval: 60 });
      expect(a.written).toBe(false);
      expect(a.record?.revokedAt).toBe(T0 + 1);
      const idle = record(id());
      await store.createSession(idle);
      const b = await store.touchSession(idle.sessionId, { at: T0 + 700, minInterval: 60, activeAfter: T0 + 100 });
      expect(b).toEqual({ written: false, record: { ...idle, purgeAt: idle.expiresAt } });
    });

    test('refresh lease: one owner at a time, only while the check is due, free again after it ends', async () => {
      const r = record(id());
      await store.createSession(r);
      const lease = { now: T0 + 10, until: T0 + 25, checkedBefore: T0 };
      const first = await store.acquireRefreshLease(r.sessionId, { ...lease, owner: 'a' });
      expect(first.acquired).toBe(true);
      expect(first.record).toMatchObject({ leaseUntil: T0 + 25, leaseOwner: 'a', tokens: r.tokens });
      const second = await store.acquireRefreshLease(r.sessionId, { ...lease, owner: 'b' });
      expect(second).toMatchObject({ acquired: false, record: { leaseOwner: 'a' } });
      const later = await store.acquireRefreshLease(r.sessionId, { owner: 'b', now: T0 + 26, until: T0 + 41, checkedBefore: T0 });
      expect(later.acquired).toBe(true);
      // Checked since: not due any more.
      const fresh = record(id(), { lastAuthCheckAt: T0 + 5 });
      await store.createSession(fresh);
      expect((await store.acquireRefreshLease(fresh.sessionId, { ...lease, owner: 'a' })).acquired).toBe(false);
      expect(await store.acquireRefreshLease('nope', { ...lease, owner: 'a' })).toEqual({ acquired: false, record: undefined });
    });

    test('refresh lease under 20 concurrent attempts: exactly one wins', async () => {
      const r = record(id());
      await store.createSession(r);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.acquireRefreshLease(r.sessionId, { owner: `o${i}`, now: T0 + 10, until: T0 + 25, checkedBefore: T0 })),
      );
      expect(results.filter((x) => x.acquired)).toHaveLength(1);
    });

    test('completeRefresh: only the lease owner writes; the lease is released', async () => {
      const r = record(id());
      await store.createSession(r);
      await store.acquireRefreshLease(r.sessionId, { owner: 'a', now: T0 + 10, until: T0 + 25, checkedBefore: T0 });
      expect(await store.completeRefresh(r.sessionId, { owner: 'b', at: T0 + 11, tokens: 'x' })).toBe(false);
      expect(await store.completeRefresh(r.sessionId, { owner: 'a', at: T0 + 12, tokens: 'new', email: 'ada2@example.com', name: 'Ada L' })).toBe(true);
      const after = await store.getSession(r.sessionId);
      expect(after).toMatchObject({ lastAuthCheckAt: T0 + 12, tokens: 'new', email: 'ada2@example.com', name: 'Ada L' });
      expect(after?.leaseUntil).toBeUndefined();
      expect(after?.leaseOwner).toBeUndefined();
      expect(await store.completeRefresh(r.sessionId, { owner: 'a', at: T0 + 13 })).toBe(false);
    });

    test('groups: kept in order at sign-in (500 of them), replaced by a refresh, an empty list kept as "in none"', async () => {
      const many = Array.from({ length: 500 }, (_, i) => `group-${i}`);
      const r = record(id(), { groups: many });
      await store.createSession(r);
      expect((await store.getSession(r.sessionId))?.groups).toEqual(many);
      await store.acquireRefreshLease(r.sessionId, { owner: 'a', now: T0 + 10, until: T0 + 25, checkedBefore: T0 });
      expect(await store.completeRefresh(r.sessionId, { owner: 'a', at: T0 + 12, groups: ['b', 'a'] })).toBe(true);
      expect((await store.getSession(r.sessionId))?.groups).toEqual(['b', 'a']);
      await store.acquireRefreshLease(r.sessionId, { owner: 'a', now: T0 + 30, until: T0 + 45, checkedBefore: T0 + 12 });
      expect(await store.completeRefresh(r.sessionId, { owner: 'a', at: T0 + 31, groups: [] })).toBe(true);
      expect((await store.getSession(r.sessionId))?.groups).toEqual([]);
      const none = record(id());
      await store.createSession(none);
      expect((await store.getSession(none.sessionId))?.groups).toBeUndefined();
    });

    test('authorization fingerprint and email verification: kept at sign-in, replaced by a refresh, set by a re-evaluation', async () => {
      const r = record(id(), { emailVerification: 'verified', authFingerprint: 'fp-1' });
      await store.createSession(r);
      expect(await store.getSession(r.sessionId)).toMatchObject({ emailVerification: 'verified', authFingerprint: 'fp-1' });
      await store.acquireRefreshLease(r.sessionId, { owner: 'a', now: T0 + 10, until: T0 + 25, checkedBefore: T0 });
      const done = { owner: 'a', at: T0 + 12, email: 'ada@other.example', emailVerification: 'unstated' as const, authFingerprint: 'fp-2' };
      expect(await store.completeRefresh(r.sessionId, done)).toBe(true);
      expect(await store.getSession(r.sessionId)).toMatchObject({ email: 'ada@other.example', emailVerification: 'unstated', authFingerprint: 'fp-2' });
      // A check that returns no email leaves the stored email and its verification alone.
      await store.acquireRefreshLease(r.sessionId, { owner: 'a', now: T0 + 30, until: T0 + 45, checkedBefore: T0 + 12 });
      expect(await store.completeRefresh(r.sessionId, { owner: 'a', at: T0 + 31, emailVerification: 'verified', authFingerprint: 'fp-3' })).toBe(true);
      expect(await store.getSession(r.sessionId)).toMatchObject({ email: 'ada@other.example', emailVerification: 'unstated', authFingerprint: 'fp-3' });
      expect(await store.setAuthFingerprint(r.sessionId, 'fp-4')).toBe(true);
      const after = await store.getSession(r.sessionId);
      expect(after).toMatchObject({ authFingerprint: 'fp-4', lastAuthCheckAt: T0 + 31, email: 'ada@other.example' });
      const legacy = record(id());
      await store.createSession(legacy);
      const stored = await store.getSession(legacy.sessionId);
      expect(stored?.authFingerprint).toBeUndefined();
      expect(stored?.emailVerification).toBeUndefined();
    });

    test('completeRefresh with email null (checked, no usable email): the stored email goes and the record says "none"', async () => {
      const r = record(id(), { email: 'ada@example.com', emailVerification: 'verified' });
      await store.createSession(r);
      await store.acquireRefreshLease(r.sessionId, { owner: 'a', now: T0 + 10, until: T0 + 25, checkedBefore: T0 });
      expect(await store.completeRefresh(r.sessionId, { owner: 'a', at: T0 + 12, email: null, emailVerification: 'unstated' })).toBe(true);
      const after = await store.getSession(r.sessionId);
      expect(after?.email).toBeUndefined();
      expect(after?.emailVerification).toBe('none');
      // A later check that reads a usable email writes it with its standing again.
      await store.acquireRefreshLease(r.sessionId, { owner: 'a', now: T0 + 30, until: T0 + 45, checkedBefore: T0 + 12 });
      expect(await store.completeRefresh(r.sessionId, { owner: 'a', at: T0 + 31, email: 'ada@example.com', emailVerification: 'verified' })).toBe(true);
      expect(await store.getSession(r.sessionId)).toMatchObject({ email: 'ada@example.com', emailVerification: 'verified' });
    });

    test('setAuthFingerprint: never on a revoked or missing session (it must not come back to life)', async () => {
      const r = record(id(), { authFingerprint: 'fp-1' });
      await store.createSession(r);
      await store.revokeSession(r.sessionId, T0 + 1, 'operator');
      expect(await store.setAuthFingerprint(r.sessionId, 'fp-2')).toBe(false);
      expect(await store.getSession(r.sessionId)).toMatchObject({ authFingerprint: 'fp-1', revokedReason: 'operator' });
      expect(await store.setAuthFingerprint(`missing-${id()}`, 'fp-2')).toBe(false);
      expect(await store.getSession(`missing-${id()}`)).toBeUndefined();
    });

    test("a user's sessions, newest first, and only theirs", async () => {
      const userId = `u-${id()}`;
      const older = record(id(), { userId, createdAt: T0 - 100 });
      const newer = record(id(), { userId });
      await store.createSession(older);
      await store.createSession(newer);
      await store.createSession(record(id(), { userId: `${userId}-other` }));
      const list = await store.listSessionsOfUser('dev', userId);
      expect(list.map((s) => s.sessionId)).toEqual([newer.sessionId, older.sessionId]);
      expect((await store.listSessionsOfUser('dev', userId, { limit: 1 })).map((s) => s.sessionId)).toEqual([newer.sessionId]);
      expect(await store.listSessionsOfUser('other', userId)).toEqual([]);
    });

    test('a listed session has everything the operator tools show, never the sealed tokens or the refresh lease', async () => {
      const userId = `u-${id()}`;
      const r = record(id(), { userId, revokedAt: T0 + 5, revokedReason: 'operator', groups: ['g'], emailVerification: 'verified', authFingerprint: 'fp' });
      await store.createSession(r);
      const live = record(id(), { userId });
      await store.createSession(live);
      await store.acquireRefreshLease(live.sessionId, { owner: 'a', now: T0 + 10, until: T0 + 25, checkedBefore: T0 });
      const listed = await store.listSessionsOfUser('dev', userId);
      // The byUser index projects what the operator tools show (lambdas/store/dynamodb/tables.ts): not
      // the tokens, the lease, the groups, nor what only the session checks read.
      const { tokens: _t, groups: _g, emailVerification: _v, authFingerprint: _f, ...shown } = r;
      expect(listed.find((s) => s.sessionId === r.sessionId)).toEqual({ ...shown, purgeAt: r.expiresAt });
      const leased = listed.find((s) => s.sessionId === live.sessionId)!;
      expect(leased).toMatchObject({ lastSeenAt: T0, lastAuthCheckAt: T0, host: 'app.example.com', ip: '203.0.113.7', userAgent: 'test' });
      for (const s of listed) {
        expect(s.tokens).toBeUndefined();
        expect(s.leaseUntil).toBeUndefined();
        expect(s.leaseOwner).toBeUndefined();
      }
    });
  });
}
