/**
 * A DynamoDB global table, simulated on this machine: two or three DynamoDB Local instances
 * play the regions, and this replicator joins them the way global tables (version
 * 2019.11.21, multi-Region eventual consistency, "MREC") do. It reads each region's stream
 * and applies every local change to the other regions after a configurable lag, resolving
 * conflicts by last writer wins at the item level.
 *
 * What real global tables do, and what is simulated (sources in docs/multi-region.md):
 * - "DynamoDB global tables use a last writer wins reconciliation between concurrent
 *   updates, in which DynamoDB makes a best effort to determine the last writer. This is
 *   performed at the item level."
 *   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html)
 *   Simulated: a whole item (its new image, or its deletion) replaces the other regions'
 *   copy; two attributes updated in two regions at once do not merge, one update is lost.
 * - Conditions, transactions and atomic counters are evaluated in the region that received
 *   the write only ("Transactional operations provide ACID guarantees only within the AWS
 *   Region where the write operation originally takes place",
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html).
 *   Simulated by construction: each region is its own DynamoDB Local.
 * - Replication is asynchronous, "typically within a second" (same HowItWorks page); here
 *   `lagMs`, 500 ms by default, changeable while running (`setLag`, `Infinity` to hold
 *   everything back as in a partition).
 * - "Best effort to determine the last writer": the winner of two concurrent writes is the
 *   one with the later timestamp, where a timestamp is the time the replicator saw the
 *   write plus the region's `skewMs` (a region with a fast clock wins races it wrote
 *   first: more adversarial than a perfect clock). A write a region made just before a
 *   replicated write landed on it is lost to that replicated write. Every outcome is one a
 *   real global table can produce, and every region converges to the same items.
 * TTL deletions: DynamoDB Local runs no TTL sweeper; a test deletes the item in one region
 * when it wants the purge (`expire` in local/emulators/dynamodb/multi-region.ts), and it replicates like any
 * delete, as real TTL deletions do (docs/multi-region.md).
 * What is not simulated: per-table stream retention (24 h), MRSC (multi-Region strong
 * consistency, see the docs).
 */
import { canonicalJson, DynamoJsonError, dynamoJson, type JsonItem } from './wire';

export interface SimulatedRegion {
  /** The region's name, e.g. `us-east-1`. */
  readonly name: string;
  /** Its DynamoDB Local endpoint. */
  readonly endpoint: string;
}

export interface ReplicatorOptions {
  readonly regions: readonly SimulatedRegion[];
  /** Table names, the same in every region (as in a global table); each needs a stream (NEW_AND_OLD_IMAGES). */
  readonly tables: readonly string[];
  /** Replication lag, milliseconds. @default 500 */
  readonly lagMs?: number;
  /** Milliseconds between stream polls. @default 20 */
  readonly pollMs?: number;
  /** A region's clock error, milliseconds, added to its writes' timestamps. @default 0 for every region */
  readonly skewMs?: Readonly<Record<string, number>>;
}

export interface ReplicatorStats {
  /** Local writes seen in the streams. */
  localWrites: number;
  /** Writes applied to another region. */
  applied: number;
  /** Replicated writes not applied: the region held a later write of the item. */
  lostToLater: number;
  /** Local writes overwritten by a concurrent replicated write before they could replicate. */
  overwritten: number;
}

interface Change {
  readonly table: string;
  readonly keyId: string;
  readonly key: JsonItem;
  /** The new image; undefined for a deletion. */
  readonly image: JsonItem | undefined;
  readonly ts: number;
}

interface Delivery extends Change {
  readonly dueAt: number;
}

interface Shard {
  readonly id: string;
  iterator: string | undefined;
  /** The last record read; a new iterator starts after it. */
  lastSeq?: string;
  closed: boolean;
}

interface StreamCursor {
  readonly region: SimulatedRegion;
  readonly table: string;
  arn?: string;
  readonly shards: Map<string, Shard>;
  lastDescribe: number;
}

export class Replicator {
  readonly stats: ReplicatorStats = { localWrites: 0, applied: 0, lostToLater: 0, overwritten: 0 };
  readonly #regions: readonly SimulatedRegion[];
  readonly #cursors: StreamCursor[];
  readonly #pollMs: number;
  readonly #skew: Readonly<Record<string, number>>;
  #lagMs: number;
  /** Per region: pending deliveries, in order. */
  readonly #queues = new Map<string, Delivery[]>();
  /** Per region + table + key: the timestamp of the write the region holds. */
  readonly #ts = new Map<string, number>();
  /** Per region + table + key: the image the region holds (canonical JSON; '' for none). */
  readonly #images = new Map<string, string>();
  /** Per region + table + key: replicated writes applied and not yet seen in that region's stream. */
  readonly #expected = new Map<string, string[]>();
  #running = false;
  #loop: Promise<void> | undefined;
  #quietRounds = 0;
  #failure: Error | undefined;

  constructor(options: ReplicatorOptions) {
    if (options.regions.length < 2) throw new Error('Replicator: at least two regions');
    this.#regions = options.regions;
    this.#lagMs = options.lagMs ?? 500;
    this.#pollMs = options.pollMs ?? 20;
    this.#skew = options.skewMs ?? {};
    this.#cursors = options.regions.flatMap((region) => options.tables.map((table) => ({ region, table, shards: new Map(), lastDescribe: 0 })));
    for (const r of options.regions) this.#queues.set(r.name, []);
  }

  /** Starts reading the streams from their beginning (TRIM_HORIZON). */
  async start(): Promise<void> {
    for (const cursor of this.#cursors) await this.#describe(cursor);
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#loop;
  }

  /** Changes the lag of writes seen from now on (`Infinity`: hold them back until the lag is lowered). */
  setLag(ms: number): void {
    this.#lagMs = ms;
    if (Number.isFinite(ms)) for (const queue of this.#queues.values()) for (let i = 0; i < queue.length; i++) queue[i] = { ...queue[i]!, dueAt: Math.min(queue[i]!.dueAt, Date.now() + ms) };
  }

  /** Resolves once every write seen so far is replicated and the streams are quiet (the regions have converged). */
  async settle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.#quietRounds = 0;
    for (;;) {
      if (this.#failure) throw this.#failure;
      const pending = [...this.#queues.values()].some((q) => q.length > 0) || [...this.#expected.values()].some((q) => q.length > 0);
      if (!pending && this.#quietRounds >= 3) return;
      if (Date.now() > deadline) throw new Error('Replicator.settle: still replicating after the timeout');
      await sleep(this.#pollMs);
    }
  }

  async #run(): Promise<void> {
    while (this.#running) {
      try {
        let seen = 0;
        for (const cursor of this.#cursors) seen += await this.#poll(cursor);
        await this.#deliver();
        this.#quietRounds = seen === 0 ? this.#quietRounds + 1 : 0;
      } catch (error) {
        this.#failure = error as Error;
      }
      await sleep(this.#pollMs);
    }
  }

  async #describe(cursor: StreamCursor): Promise<void> {
    cursor.lastDescribe = Date.now();
    if (cursor.arn === undefined) {
      const table = await call(cursor.region.endpoint, 'DynamoDB_20120810.DescribeTable', { TableName: cursor.table });
      const arn = (table as { Table?: { LatestStreamArn?: string } }).Table?.LatestStreamArn;
      if (arn === undefined) throw new Error(`Replicator: table ${cursor.table} in ${cursor.region.name} has no stream`);
      cursor.arn = arn;
    }
    const out = (await call(cursor.region.endpoint, 'DynamoDBStreams_20120810.DescribeStream', { StreamArn: cursor.arn })) as {
      StreamDescription: { Shards: { ShardId: string }[] };
    };
    for (const { ShardId } of out.StreamDescription.Shards) {
      if (!cursor.shards.has(ShardId)) cursor.shards.set(ShardId, { id: ShardId, iterator: undefined, closed: false });
    }
  }

  /** A shard iterator after the last record read (from the start when none was). */
  async #iterator(cursor: StreamCursor, shard: Shard): Promise<string | undefined> {
    const it = (await call(cursor.region.endpoint, 'DynamoDBStreams_20120810.GetShardIterator', {
      StreamArn: cursor.arn,
      ShardId: shard.id,
      ...(shard.lastSeq === undefined ? { ShardIteratorType: 'TRIM_HORIZON' } : { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: shard.lastSeq }),
    })) as { ShardIterator?: string };
    return it.ShardIterator;
  }

  /** Reads new records of one region's table; returns how many. */
  async #poll(cursor: StreamCursor): Promise<number> {
    if (Date.now() - cursor.lastDescribe > 1000) await this.#describe(cursor);
    let count = 0;
    for (const shard of cursor.shards.values()) {
      if (shard.closed) continue;
      shard.iterator ??= await this.#iterator(cursor, shard);
      if (shard.iterator === undefined) continue;
      let out: { Records?: { eventName: string; dynamodb: { Keys: JsonItem; NewImage?: JsonItem; SequenceNumber: string } }[]; NextShardIterator?: string };
      try {
        out = (await call(cursor.region.endpoint, 'DynamoDBStreams_20120810.GetRecords', { ShardIterator: shard.iterator })) as typeof out;
      } catch (error) {
        // DynamoDB Local answers an iterator on a shard with no records yet (or an old
        // iterator) with these: ask for a new one next round.
        if (error instanceof DynamoJsonError && (error.type === 'TrimmedDataAccessException' || error.type === 'ExpiredIteratorException')) {
          shard.iterator = undefined;
          continue;
        }
        throw error;
      }
      shard.iterator = out.NextShardIterator;
      if (shard.iterator === undefined) shard.closed = true;
      for (const record of out.Records ?? []) {
        count++;
        shard.lastSeq = record.dynamodb.SequenceNumber;
        this.#observe(cursor.region.name, cursor.table, record.dynamodb.Keys, record.eventName === 'REMOVE' ? undefined : record.dynamodb.NewImage);
      }
    }
    return count;
  }

  /** One stream record of `region`: a replicated write coming back, or a local write to send on. */
  #observe(region: string, table: string, key: JsonItem, image: JsonItem | undefined): void {
    const keyId = `${table}|${canonicalJson(key)}`;
    const at = `${region}|${keyId}`;
    const imageJson = image === undefined ? '' : canonicalJson(image);
    const expected = this.#expected.get(at);
    if (expected !== undefined && expected.length > 0) {
      if (expected[0] === imageJson) {
        expected.shift();
        return;
      }
      // A local write recorded before a replicated write that we already applied over it:
      // in this region it was replaced, so it is the earlier writer everywhere.
      this.stats.overwritten++;
      return;
    }
    if (this.#images.get(at) === imageJson) return; // nothing changed
    this.stats.localWrites++;
    const ts = Math.max(Date.now() + (this.#skew[region] ?? 0), (this.#ts.get(at) ?? -Infinity) + 0.001);
    this.#ts.set(at, ts);
    this.#images.set(at, imageJson);
    for (const other of this.#regions) {
      if (other.name === region) continue;
      const queue = this.#queues.get(other.name)!;
      const last = queue.at(-1)?.dueAt ?? 0;
      queue.push({ table, keyId, key, image, ts, dueAt: Math.max(last, Date.now() + this.#lagMs) });
    }
  }

  async #deliver(): Promise<void> {
    for (const region of this.#regions) {
      const queue = this.#queues.get(region.name)!;
      while (queue.length > 0 && queue[0]!.dueAt <= Date.now()) {
        await this.#apply(region, queue[0]!);
        queue.shift();
      }
    }
  }

  /** Last writer wins: applies `change` unless the region holds a later write of the item. */
  async #apply(region: SimulatedRegion, change: Change): Promise<void> {
    const at = `${region.name}|${change.keyId}`;
    if ((this.#ts.get(at) ?? -Infinity) > change.ts) {
      this.stats.lostToLater++;
      return;
    }
    const imageJson = change.image === undefined ? '' : canonicalJson(change.image);
    const out = (
      change.image === undefined
        ? await call(region.endpoint, 'DynamoDB_20120810.DeleteItem', { TableName: change.table, Key: change.key, ReturnValues: 'ALL_OLD' })
        : await call(region.endpoint, 'DynamoDB_20120810.PutItem', { TableName: change.table, Item: change.image, ReturnValues: 'ALL_OLD' })
    ) as { Attributes?: JsonItem };
    const before = out.Attributes === undefined ? '' : canonicalJson(out.Attributes);
    // DynamoDB writes no stream record for a write that changes nothing.
    if (before !== imageJson) {
      const expected = this.#expected.get(at) ?? [];
      expected.push(imageJson);
      this.#expected.set(at, expected);
    }
    this.#ts.set(at, change.ts);
    this.#images.set(at, imageJson);
    this.stats.applied++;
  }
}

/** One DynamoDB or DynamoDB Streams call in the JSON protocol (DynamoDB Local checks no signature). */
async function call(endpoint: string, target: string, body: unknown): Promise<unknown> {
  return dynamoJson(endpoint, target, body);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
