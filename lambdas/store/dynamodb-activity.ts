/**
 * A session's last activity in its own item (`SEEN#<session id>`, sessions table), for
 * global tables (lambdas/store/regional.ts). Every region writes it, the session item
 * itself is written in the primary region only: global tables resolve concurrent writes
 * by last writer wins over the whole item, so an activity write in one region must never
 * touch the item a revocation or a refresh writes in another (it would undo them).
 * Two activity writes racing in two regions lose nothing that matters: both are "now".
 */
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand, type Put } from '@aws-sdk/client-dynamodb';
import { getN, itemOfFailedCondition, num, storeCall, str, UpdateBuilder, type Item } from './dynamodb-attrs';
import { keys, TTL_ATTRIBUTE } from './tables';

/** What the activity item says: the last activity and when the session may be deleted. */
export interface Activity {
  readonly lastSeenAt: number;
  readonly purgeAt: number;
}

/** The activity item of a new session (alone, or in the sign-in transaction). */
export function putActivity(tableName: string, sessionId: string, activity: Activity): Put {
  return {
    TableName: tableName,
    Item: { pk: str(keys.seen(sessionId)), sessionId: str(sessionId), lastSeenAt: num(activity.lastSeenAt), [TTL_ATTRIBUTE]: num(activity.purgeAt) },
  };
}

const activityOf = (item: Item | undefined): Activity | undefined => {
  const lastSeenAt = item !== undefined ? getN(item, 'lastSeenAt') : undefined;
  return lastSeenAt !== undefined ? { lastSeenAt, purgeAt: getN(item!, TTL_ATTRIBUTE) ?? Infinity } : undefined;
};

export class DynamoActivity {
  readonly #table: string;
  readonly #client: DynamoDBClient;

  constructor(options: { tableName: string; client: DynamoDBClient }) {
    this.#table = options.tableName;
    this.#client = options.client;
  }

  /** The recorded activity in this region's copy (strongly consistent there), if any. */
  async get(sessionId: string): Promise<Activity | undefined> {
    const out = await storeCall('GetItem', this.#table, () =>
      this.#client.send(new GetItemCommand({ TableName: this.#table, Key: this.#key(sessionId), ConsistentRead: true })),
    );
    return activityOf(out.Item);
  }

  async create(sessionId: string, activity: Activity): Promise<void> {
    await storeCall('PutItem', this.#table, () => this.#client.send(new PutItemCommand(putActivity(this.#table, sessionId, activity))));
  }

  /**
   * Records activity at `at` unless the recorded one is newer than `at - minInterval`
   * (bounded writes, as in a single region). `purgeAt`: when DynamoDB may delete the item.
   * Returns whether it wrote, and the last activity after the call.
   */
  async touch(sessionId: string, at: number, minInterval: number, purgeAt: number): Promise<{ written: boolean; activity: Activity | undefined }> {
    const update = new UpdateBuilder().set('lastSeenAt', num(at)).set('sessionId', str(sessionId)).set(TTL_ATTRIBUTE, num(purgeAt));
    const seen = update.name('lastSeenAt');
    const condition = `attribute_not_exists(${seen}) OR ${seen} <= ${update.value('stale', num(at - minInterval))}`;
    try {
      await storeCall('UpdateItem', this.#table, () =>
        this.#client.send(
          new UpdateItemCommand({ TableName: this.#table, Key: this.#key(sessionId), ...update.build(condition), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
        ),
      );
      return { written: true, activity: { lastSeenAt: at, purgeAt } };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { written: false, activity: activityOf(itemOfFailedCondition(error)) };
    }
  }

  #key(sessionId: string): Item {
    return { pk: str(keys.seen(sessionId)) };
  }
}
