/**
 * The DynamoDB table design, in one place: the stores, the local stack (CreateTable)
 * and the CDK construct all read it, so the three cannot drift apart.
 *
 * Keys are readable in the DynamoDB console:
 *   sessions  pk = SESSION#<session id>                 (a session)
 *             pk = STATE#<sha256(state)>                (a used sign-in state: single-use)
 *             GSI byUser: userKey = USER#<provider>#<user id>, sk createdAt
 *   users     pk = USER#<provider>#<provider user id>   (an App User)
 *             GSI byEmail: email
 *             GSI byLastSeen: kind = USER (every App User), sk lastSeenAt: the admin
 *             console's "most recently seen first" pages, by Query (never a scan)
 *   mau       pk = MONTH#<YYYY-MM>, sk = COUNT          (the month's count)
 *             pk = MONTH#<YYYY-MM>, sk = USER#<provider>#<user id>   (the per-user mark)
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

export interface IndexDef {
  readonly indexName: string;
  readonly partitionKey: KeyDef;
  readonly sortKey?: KeyDef;
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

export const SESSIONS_TABLE: TableDef = {
  role: 'sessions',
  partitionKey: { name: 'pk', type: 'S' },
  timeToLiveAttribute: TTL_ATTRIBUTE,
  globalSecondaryIndexes: [
    { indexName: 'byUser', partitionKey: { name: 'userKey', type: 'S' }, sortKey: { name: 'createdAt', type: 'N' } },
  ],
};

export const USERS_TABLE: TableDef = {
  role: 'users',
  partitionKey: { name: 'pk', type: 'S' },
  globalSecondaryIndexes: [
    { indexName: 'byEmail', partitionKey: { name: 'email', type: 'S' } },
    // One partition holds every App User, sorted by last seen. Its writes are bounded by
    // session.activityWriteInterval (one per active user per interval); a GSI partition takes
    // about 1,000 writes/s (docs/tables.md), i.e. 60,000 users active at once with the default 60 s.
    { indexName: 'byLastSeen', partitionKey: { name: 'kind', type: 'S' }, sortKey: { name: 'lastSeenAt', type: 'N' } },
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
  month: (yyyyMm: string) => `MONTH#${yyyyMm}`,
  monthCount: 'COUNT',
} as const;
