/**
 * The stores on DynamoDB global tables (`aws.replicaRegions`, docs/multi-region.md): which
 * call goes to which region, so that what global tables do not guarantee is never needed.
 *
 * Global tables (multi-Region eventual consistency) check a condition in the region that
 * took the write only, and settle concurrent writes of one item by last writer wins over
 * the whole item. So:
 * - The session item has one writer region, the primary ("home"): creation (the callback),
 *   revocation, the refresh lease and the refresh result. Its conditions are checked where
 *   every write of it happens, and no replicated write can undo a revocation or bring back
 *   a refresh token that was already used (rotating tokens: that would sign the user out).
 * - Activity goes to its own item (`SEEN#`), written in the function's own region (the
 *   nearest copy): the frequent write stays near, and cannot overwrite the session item.
 * - Reads use the nearest copy: a revocation made at home is seen after the replication
 *   lag. A session not (yet) in the nearest copy (a sign-in a moment ago) is read at home.
 * - MAU marks are written near (dynamodb-sharded-mau.ts: a key per user and month, so a
 *   user counted in two regions at once is one item).
 * - App User activity is written near; sign-in and profile updates at home. They share an
 *   item: a sign-in racing an activity write of the same user in another region can lose
 *   to it (last writer wins). What can be lost is bookkeeping (sign-in count, last sign-in
 *   time, hosts); the next sign-in or refresh writes it again. Documented.
 */
import type { LeaseResult, MauStore, RevocationReason, SessionRecord, SessionStore, SignInStateStore, SessionTouch, TouchResult, UserActivity, UserStore } from '../../core/stores';
import type { Activity, DynamoActivity } from './activity';

/** The session stores of the two copies used: the nearest (`near`) and the primary (`home`); the same region when the function runs at home. */
export interface RegionalSessionParts {
  readonly near: SessionStore;
  /** The primary also keeps the sign-in states (one write region for replay protection). */
  readonly home: SessionStore & SignInStateStore;
  readonly nearActivity: DynamoActivity;
  readonly homeActivity: DynamoActivity;
}

/** The session with its activity item's last activity (the later of the two) and purge time. */
function withSeen(record: SessionRecord, seen: Activity | undefined): SessionRecord {
  if (seen === undefined) return record;
  const lastSeenAt = Math.max(seen.lastSeenAt, record.lastSeenAt ?? record.createdAt);
  return { ...record, lastSeenAt, purgeAt: Math.min(seen.purgeAt, record.expiresAt) };
}

export class RegionalSessionStore implements SessionStore, SignInStateStore {
  readonly #p: RegionalSessionParts;

  constructor(parts: RegionalSessionParts) {
    this.#p = parts;
  }

  /** The session item keeps its hard end as its TTL; the activity item carries the purge time that activity moves. */
  async createSession(record: SessionRecord): Promise<void> {
    const { purgeAt, ...atItsEnd } = record;
    await this.#p.home.createSession(atItsEnd);
    await this.#p.homeActivity.create(record.sessionId, { lastSeenAt: record.lastSeenAt ?? record.createdAt, purgeAt: Math.min(purgeAt ?? record.expiresAt, record.expiresAt) });
  }

  async getSession(sessionId: string): Promise<SessionRecord | undefined> {
    const [record, seen] = await Promise.all([this.#read(sessionId), this.#p.nearActivity.get(sessionId)]);
    return record && withSeen(record, seen);
  }

  revokeSession(sessionId: string, at: number, reason?: RevocationReason): Promise<void> {
    return this.#p.home.revokeSession(sessionId, at, reason);
  }

  consumeState(stateHash: string, expiresAt: number): Promise<boolean> {
    return this.#p.home.consumeState(stateHash, expiresAt);
  }

  /**
   * The single-region answer (SessionStore.touchSession) from two items in one round trip
   * near: the session is read (else at home) while its activity item is written, bounded by
   * `minInterval` and refused when inactive (the item is created at sign-in, so the
   * condition sees the session's whole activity). The activity of a revoked or missing
   * session may be written: it says nothing, since the session's item decides.
   */
  async touchSession(sessionId: string, touch: SessionTouch): Promise<TouchResult> {
    const [found, result] = await Promise.all([this.#read(sessionId), this.#p.nearActivity.touch(sessionId, touch)]);
    if (found === undefined) return { record: undefined, written: false };
    if (!result.written) return { record: withSeen(found, result.activity), written: false };
    // Written. With no activity item here before (a sign-in a moment ago), the condition
    // could not see the activity: the session item's decides.
    const before = withSeen(found, result.previous);
    const inactive = touch.activeAfter !== undefined && (before.lastSeenAt ?? before.createdAt) <= touch.activeAfter;
    if (found.revokedAt !== undefined || inactive) return { record: before, written: false };
    return { record: withSeen(found, result.activity), written: true };
  }

  async acquireRefreshLease(sessionId: string, lease: { owner: string; now: number; until: number; checkedBefore: number }): Promise<LeaseResult> {
    const [result, seen] = await Promise.all([this.#p.home.acquireRefreshLease(sessionId, lease), this.#p.nearActivity.get(sessionId)]);
    return { acquired: result.acquired, record: result.record && withSeen(result.record, seen) };
  }

  completeRefresh(sessionId: string, done: Parameters<SessionStore['completeRefresh']>[1]): Promise<boolean> {
    return this.#p.home.completeRefresh(sessionId, done);
  }

  /** Like the refresh, in the home region (conditional on the session being live there). */
  setAuthFingerprint(sessionId: string, authFingerprint: string): Promise<boolean> {
    return this.#p.home.setAuthFingerprint(sessionId, authFingerprint);
  }

  async listSessionsOfUser(provider: string, userId: string, options: { limit?: number } = {}): Promise<SessionRecord[]> {
    const records = await this.#p.home.listSessionsOfUser(provider, userId, options);
    return Promise.all(records.map(async (r) => withSeen(r, await this.#p.homeActivity.get(r.sessionId))));
  }

  /** The session from the nearest copy; from home when the nearest has none (yet). */
  async #read(sessionId: string): Promise<SessionRecord | undefined> {
    const near = await this.#p.near.getSession(sessionId);
    if (near !== undefined || this.#p.near === this.#p.home) return near;
    return this.#p.home.getSession(sessionId);
  }
}

/** App Users: activity near, everything else at home. */
export class RegionalUserStore implements UserStore {
  readonly #near: UserStore;
  readonly #home: UserStore;

  constructor(near: UserStore, home: UserStore) {
    this.#near = near;
    this.#home = home;
  }

  upsertOnSignIn: UserStore['upsertOnSignIn'] = (signIn) => this.#home.upsertOnSignIn(signIn);
  touchUser = (provider: string, userId: string, activity: UserActivity): Promise<void> => this.#near.touchUser(provider, userId, activity);
  updateProfile: UserStore['updateProfile'] = (provider, userId, update) => this.#home.updateProfile(provider, userId, update);
  getUser: UserStore['getUser'] = (provider, userId) => this.#home.getUser(provider, userId);
  findByEmail: UserStore['findByEmail'] = (email) => this.#home.findByEmail(email);
  listUsers: UserStore['listUsers'] = (options) => this.#home.listUsers(options);
  listRecentUsers: UserStore['listRecentUsers'] = (options) => this.#home.listRecentUsers(options);
}

/** MAU marks near (idempotent per user and month in every region); counts from home. */
export class RegionalMauStore implements MauStore {
  readonly #near: MauStore;
  readonly #home: MauStore;

  constructor(near: MauStore, home: MauStore) {
    this.#near = near;
    this.#home = home;
  }

  markActive: MauStore['markActive'] = (mark) => this.#near.markActive(mark);
  count: MauStore['count'] = (month) => this.#home.count(month);
}
