/**
 * DynamoDB MauStore (the mau table): per month, a COUNT item and one mark per counted user.
 * Counting is one transaction: put the user's mark if it does not exist AND add 1 to the
 * count. A failed condition on the mark cancels both: the user was already counted. So a
 * user is counted exactly once per month whatever the concurrency (containers, sessions,
 * host names); transactions that merely conflict with another are retried.
 */
import { DynamoDBClient, GetItemCommand, TransactWriteItemsCommand, TransactionCanceledException, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { StoreError } from '../../core/errors';
import type { MauMark, MauStore } from '../../core/stores';
import { getN, num, storeCall, str } from './attrs';
import { keys, TTL_ATTRIBUTE } from './tables';

/** Marks are kept this long after their month starts (the counts are kept). */
export const MAU_MARK_RETENTION_SECONDS = 400 * 86400;

/** The two writes that count a user for a month (alone, or in the sign-in transaction). */
export function markItems(tableName: string, mark: MauMark): [TransactWriteItem, TransactWriteItem] {
  const monthStart = Date.parse(`${mark.month}-01T00:00:00Z`) / 1000;
  return [
    {
      Put: {
        TableName: tableName,
        Item: {
          pk: str(keys.month(mark.month)),
          sk: str(keys.user(mark.provider, mark.userId)),
          provider: str(mark.provider),
          userId: str(mark.userId),
          firstSeenAt: num(mark.at),
          [TTL_ATTRIBUTE]: num(monthStart + MAU_MARK_RETENTION_SECONDS),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Update: {
        TableName: tableName,
        Key: { pk: str(keys.month(mark.month)), sk: str(keys.monthCount) },
        UpdateExpression: 'ADD #count :one SET #month = :month',
        ExpressionAttributeNames: { '#count': 'count', '#month': 'month' },
        ExpressionAttributeValues: { ':one': num(1), ':month': str(mark.month) },
      },
    },
  ];
}

export type TransactionOutcome = 'written' | { cancelled: readonly (string | undefined)[] };

/**
 * Runs a transaction; retries the ones cancelled only by conflicts with concurrent
 * transactions (a few times, with jitter); returns the cancellation reasons otherwise.
 */
export async function transact(client: DynamoDBClient, table: string, items: TransactWriteItem[], attempts = 6): Promise<TransactionOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      await storeCall('TransactWriteItems', table, () => client.send(new TransactWriteItemsCommand({ TransactItems: items })));
      return 'written';
    } catch (error) {
      const cause = error instanceof StoreError ? error.cause : error;
      const reasons = cause instanceof TransactionCanceledException ? (cause.CancellationReasons ?? []).map((r) => r.Code) : undefined;
      const conflict = reasons?.includes('TransactionConflict') || (cause as { name?: string })?.name === 'TransactionConflictException';
      if (conflict && attempt < attempts) {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
        continue;
      }
      if (reasons !== undefined && !conflict) return { cancelled: reasons };
      throw error;
    }
  }
}

export class DynamoMauStore implements MauStore {
  readonly #table: string;
  readonly #client: DynamoDBClient;

  constructor(options: { tableName: string; client: DynamoDBClient }) {
    this.#table = options.tableName;
    this.#client = options.client;
  }

  async markActive(mark: MauMark): Promise<boolean> {
    const outcome = await transact(this.#client, this.#table, markItems(this.#table, mark));
    if (outcome === 'written') return true;
    if (outcome.cancelled[0] === 'ConditionalCheckFailed') return false;
    throw new StoreError(`DynamoDB TransactWriteItems cancelled (${outcome.cancelled.join(', ')})`);
  }

  async count(month: string): Promise<number> {
    const out = await storeCall('GetItem', this.#table, () =>
      this.#client.send(
        new GetItemCommand({ TableName: this.#table, Key: { pk: str(keys.month(month)), sk: str(keys.monthCount) }, ConsistentRead: true }),
      ),
    );
    return out.Item !== undefined ? (getN(out.Item, 'count') ?? 0) : 0;
  }
}
