/**
 * The end of a session on global tables (`ENDED#<session id>`, sessions table): a tombstone
 * written in the region that decided the end (revoked, inactive), beside the revocation of
 * the session item at home. Why a separate item:
 * - Global tables settle concurrent writes of one item by last writer wins, and check a
 *   condition against the item as it stands in the region that took the write only
 *   ("Conditional writes evaluate the condition expression against the version of the item
 *   in the Region", MREC section of
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html).
 *   An end written into the activity item could be replaced by an activity write another
 *   region made at the same time; written only into the session item, it is lost when the
 *   write at home fails (home unreachable from this region).
 * - This item is only ever written to say "ended" (no other writer, no other value), so
 *   whichever of two concurrent writes wins, it still says ended: under last writer wins it
 *   is monotonic. Its first time and reason stay (`if_not_exists`) in the region that took
 *   the write; a replicated one from elsewhere may replace them with its own (still ended).
 * - It expires (TTL) 400 days after the end: no cookie lives longer (browsers cap cookies
 *   at 400 days, RFC 6265bis), and the session item's own end (`expiresAt`) comes earlier.
 * UpdateItem (not PutItem): the functions hold UpdateItem on the sessions table already.
 */
import { GetItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RevocationReason } from '../../core/stores';
import { getN, getS, num, storeCall, str, UpdateBuilder, type Item } from '../dynamodb/attrs';
import { keys, TTL_ATTRIBUTE } from '../dynamodb/tables';

/** What the tombstone says. */
export interface SessionEnd {
  readonly endedAt: number;
  readonly reason?: RevocationReason | undefined;
}

/** How long a tombstone is kept after the end, seconds: the longest a cookie can live. */
export const END_RETENTION_SECONDS = 400 * 86400;

export class DynamoSessionEnds {
  readonly #table: string;
  readonly #client: DynamoDBClient;

  constructor(options: { tableName: string; client: DynamoDBClient }) {
    this.#table = options.tableName;
    this.#client = options.client;
  }

  /** The session's end in this region's copy (strongly consistent there), if any. */
  async get(sessionId: string): Promise<SessionEnd | undefined> {
    const out = await storeCall('GetItem', this.#table, () =>
      this.#client.send(new GetItemCommand({ TableName: this.#table, Key: this.#key(sessionId), ConsistentRead: true })),
    );
    const endedAt = out.Item !== undefined ? getN(out.Item, 'endedAt') : undefined;
    if (endedAt === undefined) return undefined;
    const reason = getS(out.Item!, 'reason') as RevocationReason | undefined;
    return { endedAt, ...(reason !== undefined && { reason }) };
  }

  /** Records the end (idempotent: the first time and reason stay). */
  async end(sessionId: string, at: number, reason?: RevocationReason): Promise<void> {
    const update = new UpdateBuilder()
      .set('sessionId', str(sessionId))
      .set('endedAt', num(at), true)
      .set('reason', reason !== undefined ? str(reason) : undefined, true)
      .set(TTL_ATTRIBUTE, num(at + END_RETENTION_SECONDS), true);
    await storeCall('UpdateItem', this.#table, () =>
      this.#client.send(new UpdateItemCommand({ TableName: this.#table, Key: this.#key(sessionId), ...update.build() })),
    );
  }

  #key(sessionId: string): Item {
    return { pk: str(keys.ended(sessionId)) };
  }
}
