/**
 * When a signed-in request needs the network: the due-check policy, as pure functions of
 * the settings, what this container knows about the session, and the clock.
 *
 * The fast path is "nothing due": the cookie alone decides, no store and no provider call.
 * A container re-reads a session (revocation, inactivity) at most once per
 * `revocationCheckInterval`, records activity at most once per `activityWriteInterval`, and
 * refreshes the user at the provider once per `authCheckInterval` (one container at a time:
 * the lease). When a due check cannot be done, the session keeps working on what was last
 * checked for `checkGracePeriod` after the check fell due, then fails closed.
 */
import type { SessionRecord } from '../stores';
import type { CheckSettings } from './check-settings';
import { inactiveFrom, isInactive } from './inactivity';

export { checkSettings, type CheckSettings } from './check-settings';

/** Seconds before its expiry that an access token passed to the origin is refreshed. */
export const TOKEN_REFRESH_MARGIN = 60;
/** How long a refresh lease lasts: longer than a provider round trip can take (timeouts are 4 s). */
export const REFRESH_LEASE_SECONDS = 15;
/** After a failed store call, this container waits this long before the next one for that session. */
export const STORE_RETRY_SECONDS = 5;

/** What one container knows about one session, from its last successful store call. */
export interface SessionView {
  /** When this container last read (or wrote) the record. */
  readonly syncedAt: number;
  /** Recorded last activity. */
  readonly lastSeenAt: number;
  /** Last successful check at the provider (sign-in counts). */
  readonly lastAuthCheckAt: number;
  /** The access token's expiry, when known. */
  readonly tokenExpiresAt?: number | undefined;
  readonly hasRefreshToken: boolean;
  /** No refresh attempt from this container before this time (a lease elsewhere, or a failed attempt). */
  readonly refreshBlockedUntil?: number | undefined;
  /** No store call from this container before this time (a failed one: backoff). */
  readonly syncBlockedUntil?: number | undefined;
}

export interface DueChecks {
  /** Re-read the record: revocation, inactivity, or nothing known yet. */
  readonly sync: boolean;
  /** Record activity (the write returns the record, so it counts as a read). */
  readonly touch: boolean;
  /** Refresh the user at the provider and re-apply the allow-list. */
  readonly refresh: boolean;
  /** When the read fell due: the grace period runs from here. */
  readonly syncDueSince: number;
  /** When the refresh fell due. */
  readonly refreshDueSince: number;
}


/** The checks due now; undefined when none is (the fast path). `issuedAt`: the cookie's sign-in time. */
export function dueChecks(s: CheckSettings, view: SessionView | undefined, issuedAt: number, now: number): DueChecks | undefined {
  if (view === undefined) {
    // Nothing known in this container: read (and record activity). The sign-in itself was
    // the last check, so a brand-new session has its grace like any other.
    const since = issuedAt + s.revocationCheckInterval;
    return { sync: true, touch: true, refresh: false, syncDueSince: since, refreshDueSince: since };
  }
  const revocationDue = view.syncedAt + s.revocationCheckInterval;
  const inactivityDue = inactiveFrom(s, view.lastSeenAt);
  const syncDueSince = Math.min(revocationDue, inactivityDue);
  const touch = now >= view.lastSeenAt + s.activityWriteInterval;
  const refreshDueSince = refreshDueAt(s, view);
  const sync = now >= syncDueSince;
  const refresh = now >= refreshDueSince;
  if (!sync && !touch && !refresh) return undefined;
  return { sync, touch, refresh, syncDueSince, refreshDueSince };
}

function refreshDueAt(s: CheckSettings, view: SessionView): number {
  const byInterval = s.authCheckInterval > 0 ? view.lastAuthCheckAt + s.authCheckInterval : Infinity;
  const byExpiry =
    s.tokensToOrigin && view.hasRefreshToken && view.tokenExpiresAt !== undefined ? view.tokenExpiresAt - TOKEN_REFRESH_MARGIN : Infinity;
  return Math.min(byInterval, byExpiry);
}

/** A due check that cannot be done still lets the request through until the grace period ends. */
export function withinGrace(s: CheckSettings, dueSince: number, now: number): boolean {
  return now < dueSince + s.checkGracePeriod;
}

export type RecordStatus = 'ok' | 'missing' | 'revoked' | 'inactive' | 'expired';

/** What the stored record says about the session the cookie names. */
export function recordStatus(s: CheckSettings, record: SessionRecord | undefined, claims: { uid: string; prv: string }, now: number): RecordStatus {
  if (record === undefined || record.userId !== claims.uid || record.provider !== claims.prv) return 'missing';
  if (record.revokedAt !== undefined) return 'revoked';
  if (record.expiresAt <= now) return 'expired';
  if (isInactive(s, record.lastSeenAt ?? record.createdAt, now)) return 'inactive';
  return 'ok';
}

/** The view after a successful store call that returned `record`. */
export function viewOf(record: SessionRecord, now: number, tokens: { expiresAt?: number | undefined; hasRefreshToken: boolean }): SessionView {
  return {
    syncedAt: now,
    lastSeenAt: record.lastSeenAt ?? record.createdAt,
    lastAuthCheckAt: record.lastAuthCheckAt ?? record.createdAt,
    tokenExpiresAt: tokens.expiresAt,
    hasRefreshToken: tokens.hasRefreshToken,
    // A live lease elsewhere: do not try before it ends.
    ...(record.leaseUntil !== undefined && record.leaseUntil > now && { refreshBlockedUntil: record.leaseUntil }),
  };
}
