/**
 * The sign-in writes in one DynamoDB transaction: the new session (must not exist), the App
 * User upsert, and the month's MAU mark + count. A user already counted this month fails
 * the mark's condition, which cancels the whole transaction: it is then written again
 * without the MAU items (the common case for a returning user costs two transactions;
 * sign-ins are rare next to requests).
 *
 * With global tables (`layout: 'global'`, docs/multi-region.md; this runs at home) the
 * month's mark and counter are the sharded ones, and the session item keeps its hard end as its TTL
 * (its activity lives in its own item, lambdas/store/global/activity.ts).
 */
import type { DynamoDBClient, TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { putActivity } from '../global/activity';
import type { TableNames } from '../../core/config/types';
import { StoreError } from '../../core/errors';
import type { SessionRecord, SignInRecord, SignInStore } from '../../core/stores';
import { markItems, transact } from './mau';
import { shardedMarkItems } from '../global/sharded-mau';
import { putSession } from './sessions';
import { upsertUser } from './users';

export class DynamoSignInStore implements SignInStore {
  readonly #tables: TableNames;
  readonly #client: DynamoDBClient;

  readonly #global: boolean;

  constructor(options: { tables: TableNames; client: DynamoDBClient; layout?: 'single' | 'global' }) {
    this.#tables = options.tables;
    this.#client = options.client;
    this.#global = options.layout === 'global';
  }

  async recordSignIn(record: SignInRecord): Promise<{ counted: boolean }> {
    const t = this.#tables;
    const s = record.session;
    const base: TransactWriteItem[] = [{ Put: putSession(t.sessions, this.#global ? withoutPurge(s) : s) }, { Update: upsertUser(t.users, record.user) }];
    // Global layout: the activity item carries the purge time (dynamodb-activity.ts).
    if (this.#global) base.push({ Put: putActivity(t.sessions, s.sessionId, { lastSeenAt: s.lastSeenAt ?? s.createdAt, purgeAt: Math.min(s.purgeAt ?? s.expiresAt, s.expiresAt) }) });
    const mark = { month: record.month, provider: record.user.provider, userId: record.user.userId, at: record.user.at };
    const mau = this.#global ? shardedMarkItems(t.mau, mark) : markItems(t.mau, mark);
    const first = await transact(this.#client, t.sessions, [...base, ...mau]);
    if (first === 'written') return { counted: true };
    const sessionFailure = first.cancelled[0];
    const markFailure = first.cancelled[base.length];
    if (sessionFailure === 'ConditionalCheckFailed') throw new StoreError('session id already exists');
    if (markFailure !== 'ConditionalCheckFailed') throw new StoreError(`DynamoDB TransactWriteItems cancelled (${first.cancelled.join(', ')})`);
    const second = await transact(this.#client, t.sessions, base);
    if (second !== 'written') throw new StoreError(`DynamoDB TransactWriteItems cancelled (${second.cancelled.join(', ')})`);
    return { counted: false };
  }
}

/** The session with its hard end as its TTL (global layout: activity does not move the session item). */
export function withoutPurge(session: SessionRecord): SessionRecord {
  const { purgeAt: _moved, ...rest } = session;
  return rest;
}
