/**
 * The MauStore for global tables: exactly once per user per month across regions, no hot
 * item, and a month's count read in a bounded number of items whatever the MAU.
 *
 * A global table checks a condition against the item as it stands in the region that took
 * the write only, and settles concurrent writes of one item by last writer wins ("Conditional
 * writes evaluate the condition expression against the version of the item in the Region",
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html;
 * "Transactional operations provide ACID guarantees only within the AWS Region where the
 * write operation originally takes place", .../transaction-apis.html). So counting happens
 * in one region, the primary ("home"), as in a single region: one transaction puts the
 * user's mark if it does not exist AND adds 1 to a counter. Every mark and every counter is
 * written at home only, so each condition sees every earlier mark and no replicated write
 * can undo an increment. The counter is sharded like the marks (MAU_SHARDS partitions, a
 * counter item in each, the user's shard by a hash of the user): no hot item at a month's
 * start, and `count` reads MAU_SHARDS + 1 items (the shards' counters and the single-region
 * layout's counter, for the month the tables went global), never the marks.
 * `markActive` first looks for the mark in the nearest copy (replicated there): a user
 * already counted costs one read near and no write across regions. Only the first mark of
 * a user's month (per container, see core/session/monthly-active-users.ts) goes home.
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  type Put,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { StoreError } from '../../core/errors';
import type { MauMark, MauStore } from '../../core/stores';
import { MAU_MARK_RETENTION_SECONDS, transact } from '../dynamodb/mau';
import { getN, num, storeCall, str, type Item } from '../dynamodb/attrs';
import { keys, TTL_ATTRIBUTE } from '../dynamodb/tables';

/** Partitions per month. 16 partitions take 16,000 new marks a second at a month's start. */
export const MAU_SHARDS = 16;

/** The shard of a user: FNV-1a of `provider#userId`, modulo MAU_SHARDS. Stable forever (it is part of the key). */
export function mauShard(provider: string, userId: string): number {
  let h = 0x811c9dc5;
  const text = `${provider}#${userId}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % MAU_SHARDS;
}

/** The user's mark for the month (alone, or in the sign-in transaction). */
export function shardedMarkPut(tableName: string, mark: MauMark): Put {
  const monthStart = Date.parse(`${mark.month}-01T00:00:00Z`) / 1000;
  return {
    TableName: tableName,
    Item: {
      pk: str(keys.monthShard(mark.month, mauShard(mark.provider, mark.userId))),
      sk: str(keys.user(mark.provider, mark.userId)),
      provider: str(mark.provider),
      userId: str(mark.userId),
      month: str(mark.month),
      firstSeenAt: num(mark.at),
      [TTL_ATTRIBUTE]: num(monthStart + MAU_MARK_RETENTION_SECONDS),
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

/** The two writes that count a user for a month on global tables (alone, or in the sign-in transaction, at home). */
export function shardedMarkItems(tableName: string, mark: MauMark): [TransactWriteItem, TransactWriteItem] {
  const shard = mauShard(mark.provider, mark.userId);
  return [
    { Put: shardedMarkPut(tableName, mark) },
    {
      Update: {
        TableName: tableName,
        Key: { pk: str(keys.monthShard(mark.month, shard)), sk: str(keys.monthCount) },
        UpdateExpression: 'ADD #count :one SET #month = :month',
        ExpressionAttributeNames: { '#count': 'count', '#month': 'month' },
        ExpressionAttributeValues: { ':one': num(1), ':month': str(mark.month) },
      },
    },
  ];
}

export class DynamoShardedMauStore implements MauStore {
  readonly #table: string;
  readonly #near: DynamoDBClient;
  readonly #home: DynamoDBClient;

  /** `near`: the nearest copy (the mark is looked for there); `home`: the primary (counts are written and read there). */
  constructor(options: { tableName: string; near: DynamoDBClient; home: DynamoDBClient }) {
    this.#table = options.tableName;
    this.#near = options.near;
    this.#home = options.home;
  }

  async markActive(mark: MauMark): Promise<boolean> {
    const user = keys.user(mark.provider, mark.userId);
    const marks = [keys.monthShard(mark.month, mauShard(mark.provider, mark.userId)), keys.month(mark.month)];
    const found = await Promise.all(marks.map((pk) => this.#get(this.#near, { pk: str(pk), sk: str(user) })));
    if (found.some((item) => item !== undefined)) return false;
    try {
      const outcome = await transact(this.#home, this.#table, shardedMarkItems(this.#table, mark));
      if (outcome === 'written') return true;
      if (outcome.cancelled[0] === 'ConditionalCheckFailed') return false;
      throw new StoreError(`DynamoDB TransactWriteItems cancelled (${outcome.cancelled.join(', ')})`);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** The month's distinct users: the shards' counters and the single-region layout's (MAU_SHARDS + 1 GetItems at home). */
  async count(month: string): Promise<number> {
    const counters = [keys.month(month), ...Array.from({ length: MAU_SHARDS }, (_, shard) => keys.monthShard(month, shard))];
    const items = await Promise.all(counters.map((pk) => this.#get(this.#home, { pk: str(pk), sk: str(keys.monthCount) })));
    return items.reduce((sum, item) => sum + (item !== undefined ? (getN(item, 'count') ?? 0) : 0), 0);
  }

  async #get(client: DynamoDBClient, key: Item): Promise<Item | undefined> {
    const out = await storeCall('GetItem', this.#table, () => client.send(new GetItemCommand({ TableName: this.#table, Key: key, ConsistentRead: true })));
    return out.Item;
  }
}
