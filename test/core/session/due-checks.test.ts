/** The due-check policy (lambdas/core/session/due-checks.ts, inactivity.ts): pure functions, the clock passed in. */
import {
  checkSettings,
  dueChecks,
  recordStatus,
  TOKEN_REFRESH_MARGIN,
  viewOf,
  withinGrace,
  type CheckSettings,
  type SessionView,
} from '../../../lambdas/core/session/due-checks';
import { purgeAt } from '../../../lambdas/core/session/inactivity';
import { monthOf } from '../../../lambdas/core/session/monthly-active-users';
import type { SessionRecord } from '../../../lambdas/core/stores';
import { testConfig } from '../fixtures';

const T = 1_800_000_000;
const base: CheckSettings = {
  revocationCheckInterval: 60,
  inactivityTimeout: 0,
  activityWriteInterval: 60,
  authCheckInterval: 0,
  checkGracePeriod: 300,
  tokensToOrigin: false,
};
const view = (over: Partial<SessionView> = {}): SessionView => ({ syncedAt: T, lastSeenAt: T, lastAuthCheckAt: T, hasRefreshToken: true, ...over });
const record = (over: Partial<SessionRecord> = {}): SessionRecord => ({
  sessionId: 's',
  provider: 'corp',
  userId: 'u',
  createdAt: T,
  expiresAt: T + 86400,
  lastSeenAt: T,
  lastAuthCheckAt: T,
  ...over,
});

describe('dueChecks', () => {
  test('nothing known in this container: read and record activity; the grace counts from sign-in', () => {
    expect(dueChecks(base, undefined, T - 10, T)).toEqual({ sync: true, touch: true, refresh: false, syncDueSince: T + 50, refreshDueSince: T + 50 });
  });

  test('the fast path: nothing due within the intervals', () => {
    expect(dueChecks(base, view(), T, T + 59)).toBeUndefined();
    expect(dueChecks({ ...base, revocationCheckInterval: 300, activityWriteInterval: 120 }, view(), T, T + 119)).toBeUndefined();
  });

  test('revocation check: at most once per interval; 0 = on every request', () => {
    expect(dueChecks(base, view(), T, T + 60)).toMatchObject({ sync: true, syncDueSince: T + 60 });
    expect(dueChecks({ ...base, revocationCheckInterval: 0, activityWriteInterval: 3600 }, view(), T, T)).toMatchObject({ sync: true, touch: false });
  });

  test('activity: a write at most once per activityWriteInterval, even when no read is due', () => {
    const s = { ...base, revocationCheckInterval: 3600 };
    expect(dueChecks(s, view(), T, T + 59)).toBeUndefined();
    expect(dueChecks(s, view(), T, T + 60)).toMatchObject({ sync: false, touch: true, refresh: false });
  });

  test('inactivity: due once the recorded activity is older than the timeout plus one write interval', () => {
    const s = { ...base, revocationCheckInterval: 7200, inactivityTimeout: 600 };
    expect(dueChecks(s, view(), T, T + 659)).toMatchObject({ sync: false, touch: true });
    expect(dueChecks(s, view(), T, T + 660)).toMatchObject({ sync: true, syncDueSince: T + 660 });
  });

  test('continuous authorization: refresh once authCheckInterval has passed since the last check', () => {
    const s = { ...base, authCheckInterval: 300, revocationCheckInterval: 3600, activityWriteInterval: 3600 };
    expect(dueChecks(s, view({ lastAuthCheckAt: T - 200 }), T, T + 99)).toBeUndefined();
    expect(dueChecks(s, view({ lastAuthCheckAt: T - 200 }), T, T + 100)).toEqual({
      sync: false,
      touch: false,
      refresh: true,
      syncDueSince: T + 3600,
      refreshDueSince: T + 100,
    });
  });

  test('tokens to the origin: an access token about to expire is refreshed (when there is a refresh token)', () => {
    const s = { ...base, tokensToOrigin: true, revocationCheckInterval: 3600, activityWriteInterval: 3600 };
    const expiring = view({ tokenExpiresAt: T + 600 });
    expect(dueChecks(s, expiring, T, T + 600 - TOKEN_REFRESH_MARGIN - 1)).toBeUndefined();
    expect(dueChecks(s, expiring, T, T + 600 - TOKEN_REFRESH_MARGIN)).toMatchObject({ refresh: true });
    expect(dueChecks(s, { ...expiring, hasRefreshToken: false }, T, T + 600)).toBeUndefined();
    expect(dueChecks({ ...s, tokensToOrigin: false }, expiring, T, T + 600)).toBeUndefined();
  });
});

describe('withinGrace', () => {
  test('a due check that cannot be done is tolerated for checkGracePeriod after it fell due, then not', () => {
    expect(withinGrace(base, T, T + 299)).toBe(true);
    expect(withinGrace(base, T, T + 300)).toBe(false);
    expect(withinGrace({ ...base, checkGracePeriod: 0 }, T, T)).toBe(false);
  });
});

describe('recordStatus', () => {
  const claims = { uid: 'u', prv: 'corp' };
  test('what the stored session says', () => {
    expect(recordStatus(base, record(), claims, T + 10)).toBe('ok');
    expect(recordStatus(base, undefined, claims, T)).toBe('missing');
    expect(recordStatus(base, record({ userId: 'other' }), claims, T)).toBe('missing');
    expect(recordStatus(base, record({ revokedAt: T + 1 }), claims, T + 2)).toBe('revoked');
    expect(recordStatus(base, record(), claims, T + 86400)).toBe('expired');
  });
  test('inactive: never before timeout + one write interval after the recorded activity', () => {
    const s = { ...base, inactivityTimeout: 600 };
    expect(recordStatus(s, record(), claims, T + 659)).toBe('ok');
    expect(recordStatus(s, record(), claims, T + 660)).toBe('inactive');
    expect(recordStatus(base, record(), claims, T + 86399)).toBe('ok');
  });
});

describe('viewOf, purgeAt, monthOf, checkSettings', () => {
  test('a view from a record; a live lease elsewhere blocks refreshing until it ends', () => {
    expect(viewOf(record({ lastSeenAt: T + 5, lastAuthCheckAt: T + 1, leaseUntil: T + 20 }), T + 10, { expiresAt: T + 99, hasRefreshToken: true })).toEqual({
      syncedAt: T + 10,
      lastSeenAt: T + 5,
      lastAuthCheckAt: T + 1,
      tokenExpiresAt: T + 99,
      hasRefreshToken: true,
      refreshBlockedUntil: T + 20,
    });
    expect(viewOf(record({ leaseUntil: T + 5 }), T + 10, { hasRefreshToken: false }).refreshBlockedUntil).toBeUndefined();
  });
  test('purgeAt: the end, or once the session can no longer be active', () => {
    expect(purgeAt(base, T, T + 86400)).toBe(T + 86400);
    expect(purgeAt({ ...base, inactivityTimeout: 600 }, T, T + 86400)).toBe(T + 660);
    expect(purgeAt({ ...base, inactivityTimeout: 600 }, T, T + 100)).toBe(T + 100);
  });
  test('monthOf is the UTC month', () => {
    expect(monthOf(Date.UTC(2026, 0, 31, 23, 59, 59) / 1000)).toBe('2026-01');
    expect(monthOf(Date.UTC(2026, 1, 1) / 1000)).toBe('2026-02');
  });
  test('checkSettings reads the config, defaults included', () => {
    expect(checkSettings(testConfig())).toEqual({ ...base, tokensToOrigin: false });
    expect(checkSettings(testConfig({ originTokens: { enabled: true }, session: { authCheckInterval: '1h' } }))).toMatchObject({ tokensToOrigin: true, authCheckInterval: 3600 });
  });
});
