/**
 * DynamoDB UserStore (the users table: one item per App User, `USER#<provider>#<user id>`,
 * GSI byEmail). Sign-in upserts; the edge only updates users that exist (a user removed by
 * an operator is not brought back by a request).
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
  type Update,
} from '@aws-sdk/client-dynamodb';
import { normalizeEmail } from '../../core/sign-in/allow-list';
import type { AppUser, KeptRefreshToken, UserActivity, UserPage, UserSignIn, UserStore } from '../../core/stores';
import { getN, getS, getSS, num, optional, storeCall, str, strings, UpdateBuilder, type Item } from './attrs';
import { keys, USER_KIND } from './tables';
import { decodeUserCursor, encodeUserCursor } from '../user-cursor';

const text = (value: string | undefined, max = 256) => (value !== undefined && value !== '' ? str(value.slice(0, max)) : undefined);

export function userFromItem(item: Item): AppUser {
  return {
    provider: getS(item, 'provider')!,
    userId: getS(item, 'userId')!,
    firstSeenAt: getN(item, 'firstSeenAt')!,
    lastSeenAt: getN(item, 'lastSeenAt')!,
    hosts: getSS(item, 'hosts'),
    ...optional('email', getS(item, 'email')),
    ...optional('name', getS(item, 'name')),
    ...optional('lastSignInAt', getN(item, 'lastSignInAt')),
    ...optional('lastAuthCheckAt', getN(item, 'lastAuthCheckAt')),
    ...optional('lastIp', getS(item, 'lastIp')),
    ...optional('lastUserAgent', getS(item, 'lastUserAgent')),
    ...optional('signIns', getN(item, 'signIns')),
  };
}

/** The App User upsert of a sign-in (alone, or in the sign-in transaction). */
export function upsertUser(tableName: string, signIn: UserSignIn): Update {
  const update = new UpdateBuilder()
    .set('kind', str(USER_KIND))
    .set('provider', str(signIn.provider))
    .set('userId', str(signIn.userId))
    .set('firstSeenAt', num(signIn.at), true)
    .set('lastSeenAt', num(signIn.at))
    .set('lastSignInAt', num(signIn.at))
    .set('email', text(signIn.email === undefined ? undefined : normalizeEmail(signIn.email)))
    .set('name', text(signIn.name))
    .set('lastIp', text(signIn.ip, 64))
    .set('lastUserAgent', text(signIn.userAgent))
    .set('refreshToken', signIn.refreshToken !== undefined ? str(signIn.refreshToken.sealed) : undefined)
    .set('refreshTokenId', signIn.refreshToken !== undefined ? str(signIn.refreshToken.id) : undefined)
    .add('hosts', strings([signIn.host]))
    .add('signIns', num(1));
  return { TableName: tableName, Key: { pk: str(keys.user(signIn.provider, signIn.userId)) }, ...update.build() };
}

export class DynamoUserStore implements UserStore {
  readonly #table: string;
  readonly #client: DynamoDBClient;

  constructor(options: { tableName: string; client: DynamoDBClient }) {
    this.#table = options.tableName;
    this.#client = options.client;
  }

  async upsertOnSignIn(signIn: UserSignIn): Promise<void> {
    await this.#call('UpdateItem', () => this.#client.send(new UpdateItemCommand(upsertUser(this.#table, signIn))));
  }

  async touchUser(provider: string, userId: string, activity: UserActivity): Promise<void> {
    const update = new UpdateBuilder()
      .set('kind', str(USER_KIND)) // users written before the byLastSeen index join it here
      .set('lastSeenAt', num(activity.at))
      .set('lastIp', text(activity.ip, 64))
      .set('lastUserAgent', text(activity.userAgent))
      .add('hosts', activity.host !== undefined && activity.host !== '' ? strings([activity.host]) : undefined);
    const condition = `attribute_exists(pk) AND ${update.name('lastSeenAt')} <= ${update.value('stale', num(activity.at - activity.minInterval))}`;
    await this.#update(provider, userId, update, condition);
  }

  async updateProfile(provider: string, userId: string, change: { at: number; email?: string | undefined; name?: string | undefined }): Promise<void> {
    const update = new UpdateBuilder().set('lastAuthCheckAt', num(change.at)).set('email', text(change.email === undefined ? undefined : normalizeEmail(change.email))).set('name', text(change.name));
    await this.#update(provider, userId, update, 'attribute_exists(pk)');
  }

  async getUser(provider: string, userId: string): Promise<AppUser | undefined> {
    const out = await this.#call('GetItem', () =>
      this.#client.send(new GetItemCommand({ TableName: this.#table, Key: { pk: str(keys.user(provider, userId)) }, ConsistentRead: true })),
    );
    return out.Item !== undefined ? userFromItem(out.Item) : undefined;
  }

  async getRefreshToken(provider: string, userId: string): Promise<KeptRefreshToken | undefined> {
    const out = await this.#call('GetItem', () =>
      this.#client.send(
        new GetItemCommand({
          TableName: this.#table,
          Key: { pk: str(keys.user(provider, userId)) },
          ConsistentRead: true,
          ProjectionExpression: '#rt, #rtid',
          ExpressionAttributeNames: { '#rt': 'refreshToken', '#rtid': 'refreshTokenId' },
        }),
      ),
    );
    const sealed = out.Item !== undefined ? getS(out.Item, 'refreshToken') : undefined;
    const id = out.Item !== undefined ? getS(out.Item, 'refreshTokenId') : undefined;
    return sealed !== undefined && id !== undefined ? { sealed, id } : undefined;
  }

  async dropRefreshToken(provider: string, userId: string, id?: string): Promise<void> {
    const update = new UpdateBuilder().remove('refreshToken', 'refreshTokenId');
    const condition = id === undefined ? 'attribute_exists(pk)' : `${update.name('refreshTokenId')} = ${update.value('rtid', str(id))}`;
    await this.#update(provider, userId, update, condition);
  }

  async findByEmail(email: string): Promise<AppUser[]> {
    const out = await this.#call('Query', () =>
      this.#client.send(
        new QueryCommand({
          TableName: this.#table,
          IndexName: 'byEmail',
          KeyConditionExpression: '#email = :e',
          ExpressionAttributeNames: { '#email': 'email' },
          ExpressionAttributeValues: { ':e': str(normalizeEmail(email)) },
        }),
      ),
    );
    return (out.Items ?? []).map(userFromItem);
  }

  async listUsers(options: { limit?: number } = {}): Promise<AppUser[]> {
    const limit = options.limit ?? 1000;
    const out: AppUser[] = [];
    let start: Item | undefined;
    do {
      const page = await this.#call('Scan', () =>
        this.#client.send(new ScanCommand({ TableName: this.#table, Limit: Math.min(limit - out.length, 1000), ...(start !== undefined && { ExclusiveStartKey: start }) })),
      );
      for (const item of page.Items ?? []) out.push(userFromItem(item));
      start = page.LastEvaluatedKey;
    } while (start !== undefined && out.length < limit);
    return out.slice(0, limit);
  }

  async listRecentUsers(options: { limit: number; cursor?: string | undefined }): Promise<UserPage> {
    const after = options.cursor !== undefined ? decodeUserCursor(options.cursor) : undefined;
    let start: Item | undefined =
      after !== undefined ? { pk: str(keys.user(after.provider, after.userId)), kind: str(USER_KIND), lastSeenAt: num(after.lastSeenAt) } : undefined;
    const users: AppUser[] = [];
    // One more than a page, to know whether there is a next one.
    do {
      const page = await this.#call('Query', () =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#table,
            IndexName: 'byLastSeen',
            KeyConditionExpression: '#kind = :k',
            ExpressionAttributeNames: { '#kind': 'kind' },
            ExpressionAttributeValues: { ':k': str(USER_KIND) },
            ScanIndexForward: false,
            Limit: options.limit + 1 - users.length,
            ...(start !== undefined && { ExclusiveStartKey: start }),
          }),
        ),
      );
      for (const item of page.Items ?? []) users.push(userFromItem(item));
      start = page.LastEvaluatedKey;
    } while (start !== undefined && users.length <= options.limit);
    const shown = users.slice(0, options.limit);
    const last = shown.at(-1);
    return users.length > options.limit && last !== undefined ? { users: shown, cursor: encodeUserCursor(last) } : { users: shown };
  }

  #call<T>(what: string, call: () => Promise<T>): Promise<T> {
    return storeCall(what, this.#table, call);
  }

  /** A conditional update whose failed condition (missing user, recently touched) is not an error. */
  async #update(provider: string, userId: string, update: UpdateBuilder, condition: string): Promise<void> {
    try {
      await this.#call('UpdateItem', () =>
        this.#client.send(new UpdateItemCommand({ TableName: this.#table, Key: { pk: str(keys.user(provider, userId)) }, ...update.build(condition) })),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
