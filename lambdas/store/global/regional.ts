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
 * - An end (revocation, inactivity) is also written near as a tombstone (`ENDED#`,
 *   global/session-ends.ts) that nothing else writes: it holds when the write at home
 *   fails, and last writer wins cannot undo it. Activity never recreates an activity item
 *   that is missing (purged by TTL after the session went inactive): "ended" only grows.
 * - MAU: a user's first mark of a month is counted at home, in one transaction with a
 *   sharded counter (dynamodb-sharded-mau.ts); the mark is looked for near first.
 * - App User activity is written near; sign-in and profile updates at home. They share an
 *   item: a sign-in racing an activity write of the same user in another region can lose
 *   to it (last writer wins). What can be lost is bookkeeping (sign-in count, last sign-in
 *   time, hosts); the next sign-in or refresh writes it again. Documented.
 */
import type { LeaseResult, RevocationReason, SessionRecord, SessionStore, SignInStateStore, SessionTouch, TouchResult, UserActivity, UserStore } from '../../core/stores';
import type { Activity, DynamoActivity } from './activity';
import type { DynamoSessionEnds, SessionEnd } from './session-ends';

/** The session stores of the two copies used: the nearest (`near`) and the primary (`home`); the same region when the function runs at home. */
export interface RegionalSessionParts {
  readonly near: SessionStore;
  /** The primary also keeps the sign-in states (one write region for replay protection). */
  readonly home: SessionStore & SignInStateStore;
  readonly nearActivity: DynamoActivity;
  readonly homeActivity: DynamoActivity;
  readonly nearEnds: DynamoSessionEnds;
  readonly homeEnds: DynamoSessionEnds;
}

/**
 * The session as its three items say: the session item, its activity item (the later
 * activity of the two, and its purge time) and its tombstone (an end recorded in any
 * region counts as a revocation; the session item's own revocation, if any, stays first).
 */
function withFacts(record: SessionRecord, seen: Activity | undefined, end: SessionEnd | undefined): SessionRecord {
  let out = record;
  if (seen !== undefined) out = { ...out, lastSeenAt: Math.max(seen.lastSeenAt, record.lastSeenAt ?? record.createdAt), purgeAt: Math.min(seen.purgeAt, record.expiresAt) };
  if (end !== undefined && out.revokedAt === undefined) out = { ...out, revokedAt: end.endedAt, ...(end.reason !== undefined && { revokedReason: end.reason }) };
  return out;
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
    const [record, seen, end] = await Promise.all([this.#read(sessionId), this.#p.nearActivity.get(sessionId), this.#p.nearEnds.get(sessionId)]);
    return record && withFacts(record, seen, end);
  }

  /**
   * The session item at home (its one writer region) and the tombstone here, both: the end
   * holds when either write lands (home unreachable from here, or this region's write
   * failing), and is seen in this region at once. Fails only when neither was written.
   */
  async revokeSession(sessionId: string, at: number, reason?: RevocationReason): Promise<void> {
    const [home, near] = await Promise.allSettled([this.#p.home.revokeSession(sessionId, at, reason), this.#p.nearEnds.end(sessionId, at, reason)]);
    if (home.status === 'rejected' && near.status === 'rejected') throw home.reason;
  }

  consumeState(stateHash: string, expiresAt: number): Promise<boolean> {
    return this.#p.home.consumeState(stateHash, expiresAt);
  }

  /**
   * The single-region answer (SessionStore.touchSession) from three items in one round trip
   * near: the session is read (else at home) and its tombstone read while its activity item
   * is written, bounded by `minInterval` and refused when inactive. An activity item is
   * never created by a touch where there is none (dynamodb-activity.ts): only when the
   * session item's own sign-in time says active (a sign-in whose activity item has not
   * replicated here yet). So an item purged by TTL once the session went inactive cannot
   * be brought back, whichever write at home failed.
   */
  async touchSession(sessionId: string, touch: SessionTouch): Promise<TouchResult> {
    const [found, result, end] = await Promise.all([this.#read(sessionId), this.#p.nearActivity.touch(sessionId, touch), this.#p.nearEnds.get(sessionId)]);
    if (found === undefined) return { record: undefined, written: false };
    const facts = withFacts(found, result.written ? result.previous : result.activity, end);
    if (facts.revokedAt !== undefined) return { record: facts, written: false };
    if (result.written) return { record: withFacts(found, result.activity, end), written: true };
    if (!result.missing) return { record: facts, written: false };
    const signedIn = found.lastSeenAt ?? found.createdAt;
    if (touch.activeAfter !== undefined && signedIn <= touch.activeAfter) return { record: facts, written: false };
    const activity = { lastSeenAt: touch.at, purgeAt: Math.min(touch.purgeAt ?? found.expiresAt, found.expiresAt) };
    const written = await this.#p.nearActivity.createIfAbsent(sessionId, activity);
    return { record: written ? withFacts(found, activity, end) : facts, written };
  }

  async acquireRefreshLease(sessionId: string, lease: { owner: string; now: number; until: number; checkedBefore: number }): Promise<LeaseResult> {
    const [result, seen, end] = await Promise.all([this.#p.home.acquireRefreshLease(sessionId, lease), this.#p.nearActivity.get(sessionId), this.#p.nearEnds.get(sessionId)]);
    // Ended elsewhere (its tombstone here): no refresh, whatever the lease (it runs out by itself).
    return { acquired: result.acquired && end === undefined, record: result.record && withFacts(result.record, seen, end) };
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
    return Promise.all(records.map(async (r) => withFacts(r, ...(await Promise.all([this.#p.homeActivity.get(r.sessionId), this.#p.homeEnds.get(r.sessionId)])))));
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
  // Kept refresh tokens: where the sign-in writes them (home), read and dropped there too.
  getRefreshToken: UserStore['getRefreshToken'] = (provider, userId) => this.#home.getRefreshToken(provider, userId);
  dropRefreshToken: UserStore['dropRefreshToken'] = (provider, userId, id) => this.#home.dropRefreshToken(provider, userId, id);
}
