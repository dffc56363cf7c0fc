/**
 * The MauStore for global tables: exactly once per user per month across regions, with no
 * hot item.
 *
 * A global table checks a condition in the region that took the write only, and settles
 * concurrent writes of one item by last writer wins. So a counter item cannot be kept
 * exact (two regions adding 1 at once leave +1, and both may count the same user). Here a
 * user's month is one item whose key is the user and the month: the first requests of a
 * user in two regions at once write the same key, replication keeps one of the two
 * (identical but for `firstSeenAt`), and the month's count is the number of such items,
 * counted when asked (`count`, an operator's call). The marks of a month are spread over
 * MAU_SHARDS partitions by a hash of the user, so no partition takes every mark.
 * `markActive` returns true when this region had no mark yet: "counted here first". The
 * number reported by `count` is what is exact.
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  type Put,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { MauMark, MauStore } from '../../core/stores';
import { MAU_MARK_RETENTION_SECONDS } from '../dynamodb/mau';
import { getS, num, storeCall, str, type Item } from '../dynamodb/attrs';
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

export class DynamoShardedMauStore implements MauStore {
  readonly #table: string;
  readonly #client: DynamoDBClient;

  constructor(options: { tableName: string; client: DynamoDBClient }) {
    this.#table = options.tableName;
    this.#client = options.client;
  }

  async markActive(mark: MauMark): Promise<boolean> {
    try {
      await storeCall('PutItem', this.#table, () => this.#client.send(new PutItemCommand(shardedMarkPut(this.#table, mark))));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * The month's distinct users: the marks in every shard, plus the marks written before
   * the tables went multi-region (the single-region layout, `MONTH#<YYYY-MM>`), each user once.
   */
  async count(month: string): Promise<number> {
    const users = new Set<string>();
    const partitions = [keys.month(month), ...Array.from({ length: MAU_SHARDS }, (_, shard) => keys.monthShard(month, shard))];
    await Promise.all(partitions.map((pk) => this.#usersIn(pk, users)));
    return users.size;
  }

  async #usersIn(pk: string, users: Set<string>): Promise<void> {
    let start: Item | undefined;
    do {
      const input: QueryCommandInput = {
        TableName: this.#table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :user)',
        ExpressionAttributeValues: { ':pk': str(pk), ':user': str('USER#') },
        ProjectionExpression: 'sk',
        ...(start !== undefined && { ExclusiveStartKey: start }),
      };
      const page = await storeCall('Query', this.#table, () => this.#client.send(new QueryCommand(input)));
      for (const item of page.Items ?? []) users.add(getS(item, 'sk')!);
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
  }
}
