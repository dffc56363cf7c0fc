/**
 * The one factory of the four stores, for the deployed functions (lambdas/runtime/deployed.ts),
 * the local stack (through the same runtime) and the operator CLI (bin/store-options.ts).
 * Here, and only here, is the choice between one region (lambdas/store/dynamodb/) and global
 * tables (lambdas/store/global/, docs/multi-region.md): with `aws.replicaRegions`, what may
 * be done near goes to the `near` copy and the rest to the primary (global/regional.ts).
 * The stores and the SDK behind them load on first use (lazy.ts): a warm fast path never pays.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EdgeConfig, TableNames } from '../core/config/types';
import type { Stores } from '../core/stores';
import { DYNAMODB_TIMEOUTS, dynamoClients, type AwsEndpoints, type DynamoTimeouts } from './aws/clients';
import { nearestRegion } from './global/regions';
import { lazyLoader, lazyMauStore, lazySessionStore, lazySignInStore, lazyUserStore } from './lazy';

/** Where the stores live: the tables, the primary region, the copy read near, and whether the tables are global. */
export interface StoreSite {
  readonly tables: TableNames;
  readonly primary: string;
  /** The copy used for what may be done near (the primary itself with one region). */
  readonly near: string;
  /** Global tables (`aws.replicaRegions`): their layout, and the writes that need one region at the primary. */
  readonly global: boolean;
}

/** The regions holding the tables: the primary first, then the replicas. */
export function tableRegions(config: EdgeConfig): readonly string[] {
  return [config.aws.region, ...config.aws.replicaRegions];
}

/** A function's site: the copy in `executingRegion` (Lambda's `AWS_REGION`), else the nearest, else the primary. */
export function storeSite(config: EdgeConfig, executingRegion?: string): StoreSite {
  const global = config.aws.replicaRegions.length > 0;
  return {
    tables: config.aws.tables,
    primary: config.aws.region,
    near: global ? nearestRegion(executingRegion, tableRegions(config)) : config.aws.region,
    global,
  };
}

/** The four stores, and a way to get them and their connections ready before the first request. */
export interface OpenedStores extends Stores {
  /**
   * Creates the client of the region the session checks use, loads the stores a signed-in
   * request's checks call (sessions, users, MAU: their modules and objects), and (with the
   * viewer's small client, lambdas/store/lite/) opens `connections` to that region and derives
   * its request-signing key: the viewer awaits this at init, at full CPU, so its first
   * request's checks find them ready. Sends nothing a store would (no read, no write).
   * Resolves when the connections have answered, failed or timed out; never rejects.
   */
  prepare(connections: number): Promise<void>;
}

const prepareIn =
  (site: StoreSite, client: () => Promise<DynamoDBClient>, load: ReadonlyArray<() => Promise<unknown>>) =>
  (connections: number): Promise<void> =>
    Promise.allSettled([client().then((c) => (c as { preconnect?: (n: number) => Promise<void> | void }).preconnect?.(connections)), ...load.map((l) => l()), dryRunChecks(site)]).then(() => undefined);

/** A client that sends nothing: every call fails before any I/O. */
const NOTHING_SENT = { send: () => Promise.reject(new Error('dry run: nothing is sent')) } as unknown as DynamoDBClient;

/**
 * The calls a signed-in request's checks make (session touch, user touch, MAU mark), made once
 * on stores of the same kind (one region or global) whose client sends nothing: the stores'
 * request-building code (update expressions, conditions, keys, the error path) runs now, each
 * call failing at `send`. No store is read or written; the failures are the expected outcome.
 */
async function dryRunChecks(site: StoreSite): Promise<void> {
  const stores = openStores(site, () => Promise.resolve(NOTHING_SENT));
  const at = Math.floor(Date.now() / 1000);
  const who = 'dry-run';
  await Promise.allSettled([
    stores.sessions.touchSession(who, { at, minInterval: 60, activeAfter: at - 3600, purgeAt: at + 3600 }),
    stores.users.touchUser(who, who, { at, minInterval: 60, ip: '192.0.2.1', userAgent: who, host: 'dry-run.invalid' }),
    stores.mau.markActive({ month: new Date(at * 1000).toISOString().slice(0, 7), provider: who, userId: who, at }),
  ]);
}

/** The four stores at `site`, with a DynamoDB client per region from `clientIn` (asked once per region, on first use). */
export function openStores(site: StoreSite, clientIn: (region: string) => Promise<DynamoDBClient>): OpenedStores {
  const { tables } = site;
  const home = lazyLoader(() => clientIn(site.primary));
  if (site.global) {
    const near = site.near === site.primary ? home : lazyLoader(() => clientIn(site.near));
    const stores = lazyLoader(async () => (await import('./global/stores')).globalStores(tables, await near(), await home()));
    return {
      sessions: lazySessionStore(async () => (await stores()).sessions),
      users: lazyUserStore(async () => (await stores()).users),
      mau: lazyMauStore(async () => (await stores()).mau),
      signIns: lazySignInStore(async () => (await stores()).signIns),
      prepare: prepareIn(site, near, [stores]),
    };
  }
  const sessions = lazyLoader(async () => new (await import('./dynamodb/sessions')).DynamoSessionStore({ tableName: tables.sessions, client: await home() }));
  const users = lazyLoader(async () => new (await import('./dynamodb/users')).DynamoUserStore({ tableName: tables.users, client: await home() }));
  const mau = lazyLoader(async () => new (await import('./dynamodb/mau')).DynamoMauStore({ tableName: tables.mau, client: await home() }));
  return {
    prepare: prepareIn(site, home, [sessions, users, mau]),
    sessions: lazySessionStore(sessions),
    users: lazyUserStore(users),
    mau: lazyMauStore(mau),
    signIns: lazySignInStore(async () => new (await import('./dynamodb/sign-in')).DynamoSignInStore({ tables, client: await home() })),
  };
}

/** The four stores of a function running in `executingRegion`, on AWS or at `endpoints` (the local stack). */
export function dynamoStores(config: EdgeConfig, endpoints: AwsEndpoints = {}, timeouts: DynamoTimeouts = DYNAMODB_TIMEOUTS, executingRegion?: string): OpenedStores {
  return openStores(storeSite(config, executingRegion), dynamoClients(endpoints, timeouts));
}
