/**
 * DynamoDB SessionStore (the sessions table, see tables.ts for the key design). Every
 * write that races another container is a conditional write; a failed condition returns
 * the item as it stands (ReturnValuesOnConditionCheckFailure), so one call both tries the
 * write and reads the session.
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type Put,
} from '@aws-sdk/client-dynamodb';
import type { LeaseResult, RefreshDone, RevocationReason, SessionRecord, SessionStore, SignInStateStore, SessionTouch, TouchResult } from '../../core/stores';
import { getN, getS, itemOfFailedCondition, num, optional, storeCall, str, UpdateBuilder, type Item } from './attrs';
import { keys, TTL_ATTRIBUTE } from './tables';

export interface DynamoStoreOptions {
  readonly tableName: string;
  readonly client: DynamoDBClient;
  /** Epoch seconds. @default wall clock */
  readonly now?: () => number;
}

const OPTIONAL_STRINGS = ['email', 'name', 'ip', 'userAgent', 'host', 'revokedReason', 'tokens', 'leaseOwner', 'emailVerification', 'authFingerprint'] as const;
const OPTIONAL_NUMBERS = ['revokedAt', 'lastSeenAt', 'lastAuthCheckAt', 'leaseUntil'] as const;

export function toItem(r: SessionRecord): Item {
  const item: Item = {
    pk: str(keys.session(r.sessionId)),
    sessionId: str(r.sessionId),
    provider: str(r.provider),
    userId: str(r.userId),
    userKey: str(keys.user(r.provider, r.userId)),
    createdAt: num(r.createdAt),
    expiresAt: num(r.expiresAt),
    [TTL_ATTRIBUTE]: num(Math.min(r.purgeAt ?? r.expiresAt, r.expiresAt)),
  };
  for (const field of OPTIONAL_STRINGS) {
    const value = r[field];
    if (value !== undefined && value !== '') item[field] = str(value);
  }
  for (const field of OPTIONAL_NUMBERS) {
    const value = r[field];
    if (value !== undefined) item[field] = num(value);
  }
  if (r.groups !== undefined) item.groups = stringList(r.groups);
  return item;
}

export function fromItem(item: Item): SessionRecord {
  const record: Record<string, unknown> = {
    sessionId: getS(item, 'sessionId')!,
    provider: getS(item, 'provider')!,
    userId: getS(item, 'userId')!,
    createdAt: getN(item, 'createdAt')!,
    expiresAt: getN(item, 'expiresAt')!,
    ...optional('purgeAt', getN(item, TTL_ATTRIBUTE)),
  };
  for (const field of OPTIONAL_STRINGS) Object.assign(record, optional(field, getS(item, field)));
  for (const field of OPTIONAL_NUMBERS) Object.assign(record, optional(field, getN(item, field)));
  const groups = item.groups?.L;
  if (groups !== undefined) record.groups = groups.flatMap((g) => (g.S !== undefined ? [g.S] : []));
  return record as unknown as SessionRecord;
}

/** The user's groups: a list of strings, in the provider's order (an empty list is kept: "in no group"). */
function stringList(values: readonly string[]): Item[string] {
  return { L: values.map((S) => ({ S })) };
}

/** The session's Put for a sign-in transaction (dynamodb-sign-in.ts). */
export function putSession(tableName: string, record: SessionRecord): Put {
  return { TableName: tableName, Item: toItem(record), ConditionExpression: 'attribute_not_exists(pk)' };
}

export class DynamoSessionStore implements SessionStore, SignInStateStore {
  readonly #table: string;
  readonly #client: DynamoDBClient;
  readonly #now: () => number;

  constructor(options: DynamoStoreOptions) {
    this.#table = options.tableName;
    this.#client = options.client;
    this.#now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  async createSession(record: SessionRecord): Promise<void> {
    await this.#call('PutItem', () => this.#client.send(new PutItemCommand(putSession(this.#table, record))));
  }

  async getSession(sessionId: string): Promise<SessionRecord | undefined> {
    const out = await this.#call('GetItem', () =>
      this.#client.send(new GetItemCommand({ TableName: this.#table, Key: this.#key(sessionId), ConsistentRead: true })),
    );
    if (out.Item === undefined) return undefined;
    const record = fromItem(out.Item);
    // TTL deletion lags by up to days: an expired item is treated as gone.
    return record.expiresAt > this.#now() ? record : undefined;
  }

  async revokeSession(sessionId: string, at: number, reason?: RevocationReason): Promise<void> {
    const update = new UpdateBuilder().set('revokedAt', num(at), true).set('revokedReason', reason !== undefined ? str(reason) : undefined, true);
    await this.#conditional('UpdateItem', update, 'attribute_exists(pk)', sessionId);
  }

  async consumeState(stateHash: string, expiresAt: number): Promise<boolean> {
    try {
      await this.#call('PutItem', () =>
        this.#client.send(
          new PutItemCommand({
            TableName: this.#table,
            Item: { pk: str(keys.state(stateHash)), [TTL_ATTRIBUTE]: num(expiresAt) },
            ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now',
            ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
            ExpressionAttributeValues: { ':now': num(this.#now()) },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async touchSession(sessionId: string, touch: SessionTouch): Promise<TouchResult> {
    const update = new UpdateBuilder().set('lastSeenAt', num(touch.at)).set(TTL_ATTRIBUTE, touch.purgeAt !== undefined ? num(touch.purgeAt) : undefined);
    const seen = update.name('lastSeenAt');
    const stale = update.value('stale', num(touch.at - touch.minInterval));
    const active = touch.activeAfter !== undefined ? ` AND ${seen} > ${update.value('active', num(touch.activeAfter))}` : '';
    const condition = `attribute_exists(pk) AND attribute_not_exists(${update.name('revokedAt')}) AND (attribute_not_exists(${seen}) OR (${seen} <= ${stale}${active}))`;
    const result = await this.#conditional('UpdateItem', update, condition, sessionId);
    return { record: result.item && fromItem(result.item), written: result.written };
  }

  async acquireRefreshLease(sessionId: string, lease: { owner: string; now: number; until: number; checkedBefore: number }): Promise<LeaseResult> {
    const update = new UpdateBuilder().set('leaseUntil', num(lease.until)).set('leaseOwner', str(lease.owner));
    const until = update.name('leaseUntil');
    const checked = update.name('lastAuthCheckAt');
    const condition =
      `attribute_exists(pk) AND attribute_not_exists(${update.name('revokedAt')})` +
      ` AND (attribute_not_exists(${until}) OR ${until} < ${update.value('now', num(lease.now))})` +
      ` AND (attribute_not_exists(${checked}) OR ${checked} <= ${update.value('checkedBefore', num(lease.checkedBefore))})`;
    const result = await this.#conditional('UpdateItem', update, condition, sessionId);
    return { acquired: result.written, record: result.item && fromItem(result.item) };
  }

  async completeRefresh(sessionId: string, done: RefreshDone): Promise<boolean> {
    const email = done.email !== undefined && done.email !== null && done.email !== '' ? done.email : undefined;
    // Checked, no usable email: the stored email goes, and the record says so (stores.ts RefreshDone).
    const dropEmail = done.email === null || done.email === '';
    const update = new UpdateBuilder()
      .set('groups', done.groups !== undefined ? stringList(done.groups) : undefined)
      .set('lastAuthCheckAt', num(done.at))
      .set('tokens', done.tokens !== undefined ? str(done.tokens) : undefined)
      .set('email', email !== undefined ? str(email) : undefined)
      .set('emailVerification', dropEmail ? str('none') : email !== undefined && done.emailVerification !== undefined ? str(done.emailVerification) : undefined)
      .set('name', done.name !== undefined && done.name !== '' ? str(done.name) : undefined)
      .set('authFingerprint', done.authFingerprint !== undefined ? str(done.authFingerprint) : undefined)
      .remove('leaseUntil', 'leaseOwner', ...(dropEmail ? ['email'] : []));
    const condition = `${update.name('leaseOwner')} = ${update.value('owner', str(done.owner))}`;
    return (await this.#conditional('UpdateItem', update, condition, sessionId)).written;
  }

  async setAuthFingerprint(sessionId: string, authFingerprint: string): Promise<boolean> {
    const update = new UpdateBuilder().set('authFingerprint', str(authFingerprint));
    const condition = `attribute_exists(pk) AND attribute_not_exists(${update.name('revokedAt')})`;
    return (await this.#conditional('UpdateItem', update, condition, sessionId)).written;
  }

  async listSessionsOfUser(provider: string, userId: string, options: { limit?: number } = {}): Promise<SessionRecord[]> {
    const limit = options.limit ?? Infinity;
    const out: SessionRecord[] = [];
    let start: Item | undefined;
    do {
      const page = await this.#call('Query', () =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#table,
            IndexName: 'byUser',
            KeyConditionExpression: 'userKey = :u',
            ExpressionAttributeValues: { ':u': str(keys.user(provider, userId)) },
            ScanIndexForward: false,
            ...(Number.isFinite(limit) && { Limit: Math.min(limit - out.length, 1000) }),
            ...(start !== undefined && { ExclusiveStartKey: start }),
          }),
        ),
      );
      for (const item of page.Items ?? []) out.push(fromItem(item));
      start = page.LastEvaluatedKey;
    } while (start !== undefined && out.length < limit);
    return out.slice(0, limit);
  }

  #key(sessionId: string): Item {
    return { pk: str(keys.session(sessionId)) };
  }

  #call<T>(what: string, call: () => Promise<T>): Promise<T> {
    return storeCall(what, this.#table, call);
  }

  /** A conditional UpdateItem: the item after it when written, else the item as the condition saw it. */
  async #conditional(what: string, update: UpdateBuilder, condition: string, sessionId: string): Promise<{ written: boolean; item: Item | undefined }> {
    try {
      const out = await this.#call(what, () =>
        this.#client.send(
          new UpdateItemCommand({
            TableName: this.#table,
            Key: this.#key(sessionId),
            ...update.build(condition),
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return { written: true, item: out.Attributes };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { written: false, item: itemOfFailedCondition(error) };
      throw error;
    }
  }
}
