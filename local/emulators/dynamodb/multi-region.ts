/**
 * Global tables on this machine (stands in for DynamoDB global tables,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GlobalTables.html): one DynamoDB Local per simulated region, the three tables
 * (with streams) in each, joined by the last-writer-wins replicator (local/emulators/dynamodb/replicator.ts).
 * The multi-region race tests (test/store/multi-region.dynamodb.test.ts) and the bench use it.
 */
import { createTables, startDynamoDbLocal, type DynamoDbLocalHandle } from './dynamodb-local';
import { dynamoJson, type JsonItem } from './wire';
import { Replicator, type ReplicatorOptions, type SimulatedRegion } from './replicator';

export interface SimulatedGlobalTables {
  /** The regions, in the order asked; endpoints by region name in `endpoints`. */
  readonly regions: readonly SimulatedRegion[];
  readonly endpoints: Readonly<Record<string, string>>;
  readonly replicator: Replicator;
  /**
   * Deletes an item in one region the way TTL does once its time has passed: a delete made
   * by the service in that region, which the replicator carries to the others like any
   * write ("TTL deletions that are replicated to global table regions",
   * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ttl-expired-items.html).
   * DynamoDB Local runs no TTL sweeper; the real one "typically deletes expired items
   * within two days of expiration" (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html),
   * so a test calls this at the moment it wants the deletion to happen.
   */
  expire(region: string, table: string, key: JsonItem): Promise<void>;
  close(): Promise<void>;
}

export interface GlobalTablesOptions extends Pick<ReplicatorOptions, 'lagMs' | 'pollMs' | 'skewMs'> {
  readonly regions: readonly string[];
  readonly tables: { sessions: string; users: string; mau: string };
  /** @default 300000 (the machine may be busy) */
  readonly startTimeoutMs?: number;
  /** Regions played by DynamoDB Local instances already running (e.g. the tests' own), by name. */
  readonly running?: Readonly<Record<string, string>>;
}

export async function startGlobalTables(options: GlobalTablesOptions): Promise<SimulatedGlobalTables> {
  const started: DynamoDbLocalHandle[] = [];
  try {
    // One at a time: several JVMs starting at once on a small machine take longer in all.
    const regions: SimulatedRegion[] = [];
    for (const name of options.regions) {
      let endpoint = options.running?.[name];
      if (endpoint === undefined) {
        const handle = await startDynamoDbLocal({ startTimeoutMs: options.startTimeoutMs ?? 300_000 });
        started.push(handle);
        endpoint = handle.endpoint;
      }
      regions.push({ name, endpoint });
    }
    for (const region of regions) await createTables({ endpoint: region.endpoint, names: options.tables, streams: true });
    const replicator = new Replicator({ ...options, regions, tables: Object.values(options.tables) });
    await replicator.start();
    return {
      regions,
      endpoints: Object.fromEntries(regions.map((r) => [r.name, r.endpoint])),
      replicator,
      expire: async (region, table, key) => {
        const endpoint = regions.find((r) => r.name === region)?.endpoint;
        if (endpoint === undefined) throw new Error(`expire: no region ${region}`);
        await dynamoJson(endpoint, 'DynamoDB_20120810.DeleteItem', { TableName: table, Key: key });
      },
      close: async () => {
        await replicator.stop();
        await Promise.all(started.map((h) => h.close()));
      },
    };
  } catch (error) {
    await Promise.all(started.map((h) => h.close()));
    throw error;
  }
}
