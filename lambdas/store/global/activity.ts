/**
 * A session's last activity in its own item (`SEEN#<session id>`, sessions table), for
 * global tables (lambdas/store/global/regional.ts). Every region writes it, the session item
 * itself is written in the primary region only: global tables resolve concurrent writes
 * by last writer wins over the whole item, so an activity write in one region must never
 * touch the item a revocation or a refresh writes in another (it would undo them).
 * Two activity writes racing in two regions lose nothing that matters: both are "now".
 */
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand, type Put } from '@aws-sdk/client-dynamodb';
import { getN, itemOfFailedCondition, num, storeCall, str, UpdateBuilder, type Item } from '../dynamodb/attrs';
import { keys, TTL_ATTRIBUTE } from '../dynamodb/tables';

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

/** The purge time of an activity item first written without one (the 400-day cookie cap). */
export const FALLBACK_PURGE_SECONDS = 400 * 86400;

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
   * Creates the activity item when this region's copy has none (a sign-in a moment ago
   * whose item has not replicated here yet). The caller decides from the session item's
   * own sign-in time that the session is active; an item already here (replicated
   * meanwhile) is left alone. Returns whether it wrote. UpdateItem: the viewer function
   * holds UpdateItem, not PutItem, on the sessions table (lib/grants.ts).
   */
  async createIfAbsent(sessionId: string, activity: Activity): Promise<boolean> {
    const update = new UpdateBuilder().set('lastSeenAt', num(activity.lastSeenAt)).set('sessionId', str(sessionId)).set(TTL_ATTRIBUTE, num(activity.purgeAt));
    try {
      await storeCall('UpdateItem', this.#table, () =>
        this.#client.send(new UpdateItemCommand({ TableName: this.#table, Key: this.#key(sessionId), ...update.build('attribute_not_exists(pk)') })),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Records activity at `at` on the item this region holds, unless the recorded one is
   * newer than `at - minInterval` (bounded writes, as in a single region) or at or before
   * `activeAfter` (inactive: it must not come back to life). It never creates the item: a
   * missing one (purged by TTL once the session went inactive, or not replicated here yet)
   * says nothing about the session's activity, so the caller decides (`missing`) from the
   * session item. `purgeAt`: when DynamoDB may delete the item; without it the item's own stays.
   * Returns whether it wrote, the activity after the call, and (when it wrote) the one before.
   */
  async touch(sessionId: string, touch: { at: number; minInterval: number; activeAfter?: number | undefined; purgeAt?: number | undefined }): Promise<{ written: boolean; activity: Activity | undefined; previous?: Activity | undefined; missing?: true }> {
    const { at } = touch;
    const purge = touch.purgeAt !== undefined ? num(touch.purgeAt) : undefined;
    const update = new UpdateBuilder().set('lastSeenAt', num(at)).set('sessionId', str(sessionId)).set(TTL_ATTRIBUTE, purge ?? num(at + FALLBACK_PURGE_SECONDS), purge === undefined);
    const seen = update.name('lastSeenAt');
    const active = touch.activeAfter !== undefined ? ` AND ${seen} > ${update.value('active', num(touch.activeAfter))}` : '';
    const condition = `attribute_exists(${seen}) AND ${seen} <= ${update.value('stale', num(at - touch.minInterval))}${active}`;
    try {
      const out = await storeCall('UpdateItem', this.#table, () =>
        this.#client.send(
          new UpdateItemCommand({
            TableName: this.#table,
            Key: this.#key(sessionId),
            ...update.build(condition),
            ReturnValues: 'ALL_OLD',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      const previous = activityOf(out.Attributes);
      return { written: true, activity: { lastSeenAt: at, purgeAt: touch.purgeAt ?? previous?.purgeAt ?? at + FALLBACK_PURGE_SECONDS }, previous };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const activity = activityOf(itemOfFailedCondition(error));
      return activity !== undefined ? { written: false, activity } : { written: false, activity, missing: true };
    }
  }

  #key(sessionId: string): Item {
    return { pk: str(keys.seen(sessionId)) };
  }
}
