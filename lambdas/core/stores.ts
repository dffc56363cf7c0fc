/**
 * What the core needs from storage, as small interfaces. Implementations: in memory
 * (lambdas/store/memory/), on DynamoDB (lambdas/store/dynamodb/) and on DynamoDB global
 * tables (lambdas/store/global/); one contract test
 * suite per interface runs against both (test/store/*.contract.ts).
 *
 * Times are epoch seconds. Nothing here is ever logged whole: a session record carries the
 * user's sealed tokens.
 */

/** Why a session was revoked (shown to operators). */
export type RevocationReason = 'logout' | 'operator' | 'not-allowed' | 'provider-rejected' | 'inactive' | 'no-tokens';

/**
 * What the provider said of a session's email. `none`: a check read the user and found no
 * usable email (lost, changed without a stated verification, never verifiable): the record
 * holds no email and must not fall back to the cookie's. A record with neither an email nor
 * this field was not checked since a sign-in without an email (or predates the field).
 */
export type EmailVerification = 'verified' | 'unstated' | 'unverifiable' | 'none';

export interface SessionRecord {
  readonly sessionId: string;
  readonly provider: string;
  readonly userId: string;
  readonly email?: string;
  readonly name?: string;
  /** The user's groups at the provider (access/groups.ts), as of sign-in or the last check. */
  readonly groups?: readonly string[];
  /**
   * What the provider said of `email`: verified, not said (`unstated`), or never verifiable
   * (Amazon). A re-evaluation applies the allow-list to it as the sign-in did. @default 'unstated'
   */
  readonly emailVerification?: EmailVerification;
  /**
   * The authorization fingerprint (access/fingerprint.ts) of the config that last evaluated
   * the session: at sign-in, a back-channel check, or a re-evaluation after a config change.
   */
  readonly authFingerprint?: string;
  readonly createdAt: number;
  /** The session's hard end (maximum duration, or the cookie's 400-day cap). */
  readonly expiresAt: number;
  /** When the store may delete the item (DynamoDB TTL). @default expiresAt */
  readonly purgeAt?: number;
  readonly revokedAt?: number;
  readonly revokedReason?: RevocationReason;
  /** Viewer's IP and user agent at sign-in (shown to operators). */
  readonly ip?: string;
  readonly userAgent?: string;
  readonly host?: string;
  /** Last recorded activity (written at most once per `session.activityWriteInterval`). */
  readonly lastSeenAt?: number;
  /** Last successful back-channel check of the user at the provider (sign-in counts as one). */
  readonly lastAuthCheckAt?: number;
  /** The user's OAuth tokens, sealed with the session key set (keys/token-sealing.ts). */
  readonly tokens?: string;
  /** The refresh lease: one back-channel refresh per session at a time. */
  readonly leaseUntil?: number;
  readonly leaseOwner?: string;
}

export interface SessionTouch {
  readonly at: number;
  readonly minInterval: number;
  readonly activeAfter?: number | undefined;
  readonly purgeAt?: number | undefined;
}

export interface TouchResult {
  /** The record after the call (written or not); undefined when there is no such session. */
  readonly record: SessionRecord | undefined;
  /** Whether this call wrote the activity. */
  readonly written: boolean;
}

export interface LeaseResult {
  readonly acquired: boolean;
  /** The record after the call: with the lease when acquired, else as it stands (undefined: no such session). */
  readonly record: SessionRecord | undefined;
}

export interface RefreshDone {
  readonly owner: string;
  readonly at: number;
  readonly tokens?: string | undefined;
  /**
   * The email the check read, written with `emailVerification`. `null`: checked, no usable
   * email (lost, or not one the provider vouches for): the stored email is removed and
   * `emailVerification` becomes `none`. undefined: not read; the stored ones stay.
   */
  readonly email?: string | null | undefined;
  readonly emailVerification?: EmailVerification | undefined;
  readonly name?: string | undefined;
  readonly groups?: readonly string[] | undefined;
  readonly authFingerprint?: string | undefined;
}

export interface SessionStore {
  /** Fails when the session id exists. */
  createSession(record: SessionRecord): Promise<void>;
  /** The record, or undefined when missing or past `expiresAt`. Strongly consistent. */
  getSession(sessionId: string): Promise<SessionRecord | undefined>;
  /** Marks the session revoked; idempotent (the first time and reason stay); a missing session is not an error. */
  revokeSession(sessionId: string, at: number, reason?: RevocationReason): Promise<void>;
  /**
   * Records activity at `at`, only when the recorded activity is at least `minInterval`
   * seconds older (bounded writes), and never on a revoked or missing session, nor on one
   * whose recorded activity is at or before `activeAfter` (inactive: it must not come back
   * to life). `purgeAt` moves the item's deletion time (capped at `expiresAt`).
   */
  touchSession(sessionId: string, touch: SessionTouch): Promise<TouchResult>;
  /**
   * Takes the refresh lease when the session exists, is not revoked, holds no live lease,
   * and was last checked at or before `checkedBefore` (the check is still due).
   */
  acquireRefreshLease(sessionId: string, lease: { owner: string; now: number; until: number; checkedBefore: number }): Promise<LeaseResult>;
  /**
   * Records a successful check (new tokens, current name, email with its verification,
   * groups, the fingerprint of the config that checked) and releases the lease.
   * Returns false (and writes nothing) when `owner` no longer holds the lease.
   */
  completeRefresh(sessionId: string, done: RefreshDone): Promise<boolean>;
  /**
   * Records that the config with this fingerprint re-evaluated the session and still admits
   * it. Returns false (and writes nothing) when the session is missing or revoked.
   */
  setAuthFingerprint(sessionId: string, authFingerprint: string): Promise<boolean>;
  /**
   * A user's sessions, newest first (operator tools), at most `limit` of them (@default - all),
   * without the sealed tokens and the refresh lease: the DynamoDB index it reads does not
   * hold them (lambdas/store/dynamodb/tables.ts).
   */
  listSessionsOfUser(provider: string, userId: string, options?: { limit?: number }): Promise<SessionRecord[]>;
}

/**
 * The sign-in's used states (replay protection of the callback). The session stores keep
 * them beside the sessions (the same table), but only the sign-in uses them.
 */
export interface SignInStateStore {
  /**
   * Records a sign-in state as used. Returns true the first time, false when it was used
   * before (a replayed callback). `expiresAt` bounds how long the record is kept.
   */
  consumeState(stateHash: string, expiresAt: number): Promise<boolean>;
}

/**
 * A refresh token kept with the App User (providers whose refresh tokens outlive a session and
 * come only with a consent screen: Google), sealed and bound to the user
 * (keys/token-sealing.ts). `id` names the token without revealing it.
 */
export interface KeptRefreshToken {
  readonly sealed: string;
  readonly id: string;
}

/** An App User: one per provider user. */
export interface AppUser {
  readonly provider: string;
  readonly userId: string;
  readonly email?: string;
  readonly name?: string;
  readonly firstSeenAt: number;
  readonly lastSeenAt: number;
  readonly lastSignInAt?: number;
  readonly lastAuthCheckAt?: number;
  readonly lastIp?: string;
  readonly lastUserAgent?: string;
  /** Host names the user signed in to or used. */
  readonly hosts: readonly string[];
  readonly signIns?: number;
}

export interface UserSignIn {
  readonly provider: string;
  readonly userId: string;
  readonly email?: string | undefined;
  readonly name?: string | undefined;
  readonly at: number;
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
  readonly host: string;
  /** A refresh token to keep with the user (Google: see KeptRefreshToken); absent: the kept one stays. */
  readonly refreshToken?: KeptRefreshToken | undefined;
}

export interface UserActivity {
  readonly at: number;
  /** Written only when the recorded last seen is at least this many seconds older. */
  readonly minInterval: number;
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
  readonly host?: string | undefined;
}

export interface UserStore {
  /** Creates or updates the App User at sign-in (first seen kept, host added, sign-ins counted). */
  upsertOnSignIn(signIn: UserSignIn): Promise<void>;
  /** Last seen, IP, user agent, host; bounded like session activity; a missing user is left alone. */
  touchUser(provider: string, userId: string, activity: UserActivity): Promise<void>;
  /** The provider's current name and email after a back-channel check; a missing user is left alone. */
  updateProfile(provider: string, userId: string, update: { at: number; email?: string | undefined; name?: string | undefined }): Promise<void>;
  getUser(provider: string, userId: string): Promise<AppUser | undefined>;
  /** Users with this (lowercase) email, across providers. */
  findByEmail(email: string): Promise<AppUser[]>;
  /** Up to `limit` users (operator tools; a table scan). @default limit 1000 */
  listUsers(options?: { limit?: number }): Promise<AppUser[]>;
  /**
   * One page of App Users, most recently seen first (the admin console): a query of the
   * users table's `byLastSeen` index, never a scan. `cursor` is the previous page's
   * (opaque); a cursor that is not one throws BadRequestError (field `cursor`).
   */
  listRecentUsers(options: { limit: number; cursor?: string | undefined }): Promise<UserPage>;
  /**
   * The refresh token kept with the user (sealed), or undefined. Never part of an AppUser:
   * nothing that lists or shows users carries it.
   */
  getRefreshToken(provider: string, userId: string): Promise<KeptRefreshToken | undefined>;
  /**
   * Drops the kept refresh token; with `id`, only while the kept one is that one (a newer one
   * kept meanwhile stays). A missing user or token is not an error.
   */
  dropRefreshToken(provider: string, userId: string, id?: string): Promise<void>;
}

export interface UserPage {
  readonly users: readonly AppUser[];
  /** Where the next page starts; absent on the last page. */
  readonly cursor?: string;
}

export interface MauMark {
  /** `YYYY-MM` (UTC). */
  readonly month: string;
  readonly provider: string;
  readonly userId: string;
  readonly at: number;
}

export interface MauStore {
  /** Counts the user once for the month: true the first time, false when already counted. */
  markActive(mark: MauMark): Promise<boolean>;
  /** The month's count of distinct active users (0 when none). */
  count(month: string): Promise<number>;
}

export interface SignInRecord {
  readonly session: SessionRecord;
  readonly user: UserSignIn;
  /** The month to count the user in (`YYYY-MM`). */
  readonly month: string;
}

/** The callback's writes: session, App User and MAU mark, in one transaction where the store allows. */
export interface SignInStore {
  /** `counted`: whether this sign-in counted the user for the month (false: already counted). */
  recordSignIn(record: SignInRecord): Promise<{ counted: boolean }>;
}

/**
 * The four stores, as the one factory opens them (lambdas/store/stores.ts) for the deployed
 * functions, the local stack and the CLI. The session store also keeps the sign-in states.
 */
export interface Stores {
  readonly sessions: SessionStore & SignInStateStore;
  readonly users: UserStore;
  readonly mau: MauStore;
  readonly signIns: SignInStore;
}
