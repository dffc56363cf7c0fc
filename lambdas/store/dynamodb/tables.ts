/**
 * The DynamoDB table design, in one place: the stores, the local stack (CreateTable)
 * and the CDK construct all read it, so the three cannot drift apart.
 *
 * Keys are readable in the DynamoDB console:
 *   sessions  pk = SESSION#<session id>                 (a session)
 *             pk = STATE#<sha256(state)>                (a used sign-in state: single-use)
 *             pk = SEEN#<session id>                    (multi-region only: the session's last
 *                                                        activity, written in any region)
 *             pk = ENDED#<session id>                   (multi-region only: the session's end
 *                                                        (revoked, inactive), written in any
 *                                                        region, never undone: store/global/session-ends.ts)
 *             GSI byUser: userKey = USER#<provider>#<user id>, sk createdAt
 *   users     pk = USER#<provider>#<provider user id>   (an App User)
 *             GSI byEmail: email
 *             GSI byLastSeen: kind = USER (every App User), sk lastSeenAt: the admin
 *             console's "most recently seen first" pages, by Query (never a scan)
 *   mau       pk = MONTH#<YYYY-MM>, sk = COUNT          (the month's count)
 *             pk = MONTH#<YYYY-MM>, sk = USER#<provider>#<user id>   (the per-user mark)
 *             multi-region: pk = MONTH#<YYYY-MM>#<shard 00-15>, sk = USER#<provider>#<user id>
 *             multi-region: pk = MONTH#<YYYY-MM>#<shard>, sk = COUNT (the shard's count, +1 with
 *             the mark, at the primary: docs/multi-region.md)
 * Every item that expires carries `ttl` (epoch seconds), the table's TTL attribute.
 *
 * Attributes (docs/tables.md has the full list and the console queries):
 *   session   sessionId provider userId userKey email name createdAt expiresAt ip userAgent
 *             host lastSeenAt lastAuthCheckAt tokens (sealed JWE) leaseUntil leaseOwner
 *             revokedAt revokedReason ttl (the end, or earlier with an inactivity timeout)
 *   App User  kind (USER) provider userId email name firstSeenAt lastSeenAt lastSignInAt
 *             lastAuthCheckAt lastIp lastUserAgent hosts (string set) signIns
 *   MAU       COUNT: count month;  mark: provider userId firstSeenAt ttl (400 days)
 */

export type AttributeType = 'S' | 'N';

export interface KeyDef {
  readonly name: string;
  readonly type: AttributeType;
}

/**
 * What an index holds besides the keys. An index entry is rewritten whenever a projected
 * attribute changes, sized by everything it projects: project only what its readers read.
 */
export type ProjectionDef = { readonly type: 'ALL' | 'KEYS_ONLY' } | { readonly type: 'INCLUDE'; readonly nonKeyAttributes: readonly string[] };

export interface IndexDef {
  readonly indexName: string;
  readonly partitionKey: KeyDef;
  readonly sortKey?: KeyDef;
  readonly projection: ProjectionDef;
}

export interface TableDef {
  /** Which table of the config's `aws.tables`. */
  readonly role: 'sessions' | 'users' | 'mau';
  readonly partitionKey: KeyDef;
  readonly sortKey?: KeyDef;
  readonly timeToLiveAttribute?: string;
  readonly globalSecondaryIndexes: readonly IndexDef[];
}

export const TTL_ATTRIBUTE = 'ttl';

/**
 * The session attributes `listSessionsOfUser` reads from the byUser index (the CLI's
 * `sessions list`, `users show`, `users revoke`): all but the sealed tokens and the refresh
 * lease, which no operator tool shows. The tokens are most of a session item's size, and a
 * lease is written on every back-channel refresh: neither is copied into the index.
 * (The index keys, `pk`, `userKey` and `createdAt`, are always projected.)
 */
export const SESSION_LIST_ATTRIBUTES = [
  'sessionId',
  'provider',
  'userId',
  'expiresAt',
  TTL_ATTRIBUTE,
  'email',
  'name',
  'ip',
  'userAgent',
  'host',
  'lastSeenAt',
  'lastAuthCheckAt',
  'revokedAt',
  'revokedReason',
] as const;

/** Session attributes kept out of the byUser index (and so out of `listSessionsOfUser`). */
export const SESSION_UNLISTED_ATTRIBUTES = ['tokens', 'leaseUntil', 'leaseOwner', 'groups', 'emailVerification', 'authFingerprint'] as const;

export const SESSIONS_TABLE: TableDef = {
  role: 'sessions',
  partitionKey: { name: 'pk', type: 'S' },
  timeToLiveAttribute: TTL_ATTRIBUTE,
  globalSecondaryIndexes: [
    {
      indexName: 'byUser',
      partitionKey: { name: 'userKey', type: 'S' },
      sortKey: { name: 'createdAt', type: 'N' },
      projection: { type: 'INCLUDE', nonKeyAttributes: SESSION_LIST_ATTRIBUTES },
    },
  ],
};

export const USERS_TABLE: TableDef = {
  role: 'users',
  partitionKey: { name: 'pk', type: 'S' },
  // `findByEmail` and `listRecentUsers` return whole App Users (small items, no tokens).
  globalSecondaryIndexes: [
    { indexName: 'byEmail', partitionKey: { name: 'email', type: 'S' }, projection: { type: 'ALL' } },
    // One partition holds every App User, sorted by last seen. Its writes are bounded by
    // session.activityWriteInterval (one per active user per interval); a GSI partition takes
    // about 1,000 writes/s (docs/tables.md), i.e. 60,000 users active at once with the default 60 s.
    { indexName: 'byLastSeen', partitionKey: { name: 'kind', type: 'S' }, sortKey: { name: 'lastSeenAt', type: 'N' }, projection: { type: 'ALL' } },
  ],
};

/** The `kind` of every App User item: the byLastSeen index's one partition. */
export const USER_KIND = 'USER';

export const MAU_TABLE: TableDef = {
  role: 'mau',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: TTL_ATTRIBUTE,
  globalSecondaryIndexes: [],
};

export const TABLES: readonly TableDef[] = [SESSIONS_TABLE, USERS_TABLE, MAU_TABLE];

export const keys = {
  session: (sessionId: string) => `SESSION#${sessionId}`,
  state: (stateHash: string) => `STATE#${stateHash}`,
  user: (provider: string, userId: string) => `USER#${provider}#${userId}`,
  seen: (sessionId: string) => `SEEN#${sessionId}`,
  ended: (sessionId: string) => `ENDED#${sessionId}`,
  month: (yyyyMm: string) => `MONTH#${yyyyMm}`,
  monthShard: (yyyyMm: string, shard: number) => `MONTH#${yyyyMm}#${String(shard).padStart(2, '0')}`,
  monthCount: 'COUNT',
} as const;
