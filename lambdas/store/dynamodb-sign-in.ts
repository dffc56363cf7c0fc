/**
 * The sign-in writes in one DynamoDB transaction: the new session (must not exist), the App
 * User upsert, and the month's MAU mark + count. A user already counted this month fails
 * the mark's condition, which cancels the whole transaction: it is then written again
 * without the MAU items (the common case for a returning user costs two transactions;
 * sign-ins are rare next to requests).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TableNames } from '../core/config/types';
import { StoreError } from '../core/errors';
import type { SignInRecord, SignInStore } from '../core/stores';
import { markItems, transact } from './dynamodb-mau';
import { putSession } from './dynamodb-sessions';
import { upsertUser } from './dynamodb-users';

export class DynamoSignInStore implements SignInStore {
  readonly #tables: TableNames;
  readonly #client: DynamoDBClient;

  constructor(options: { tables: TableNames; client: DynamoDBClient }) {
    this.#tables = options.tables;
    this.#client = options.client;
  }

  async recordSignIn(record: SignInRecord): Promise<{ counted: boolean }> {
    const t = this.#tables;
    const base = [{ Put: putSession(t.sessions, record.session) }, { Update: upsertUser(t.users, record.user) }];
    const mau = markItems(t.mau, { month: record.month, provider: record.user.provider, userId: record.user.userId, at: record.user.at });
    const first = await transact(this.#client, t.sessions, [...base, ...mau]);
    if (first === 'written') return { counted: true };
    const [session, , mark] = first.cancelled;
    if (session === 'ConditionalCheckFailed') throw new StoreError('session id already exists');
    if (mark !== 'ConditionalCheckFailed') throw new StoreError(`DynamoDB TransactWriteItems cancelled (${first.cancelled.join(', ')})`);
    const second = await transact(this.#client, t.sessions, base);
    if (second !== 'written') throw new StoreError(`DynamoDB TransactWriteItems cancelled (${second.cancelled.join(', ')})`);
    return { counted: false };
  }
}
