/**
 * The far edge: a viewer-request container far from the tables' primary region (Sydney
 * against us-east-1), one signed-in viewer at one request per second for ten minutes,
 * with the deployed store wiring (lambdas/store/stores.ts `dynamoStores`) and the default
 * session settings (revocation checks and activity writes once a minute).
 *
 * DynamoDB Local sits behind latency-injecting proxies: 150 ms round trip to the primary,
 * 2 ms to a replica in the container's own region. Without a replica, every due check pays
 * the far round trip; with one (`aws.replicaRegions`), only what must happen at home does
 * (nothing in this session: no refresh, no logout). Both "regions" are the same DynamoDB
 * Local here: the measure is latency, not replication (the race tests cover that).
 *
 * Time is simulated: the handler's clock advances one second per request, so the ten
 * minutes take a few seconds; each request's latency is real wall time.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { EdgeConfig } from '../lambdas/core/config/types';
import type { KeySet } from '../lambdas/core/keys/key-set';
import { createProviders } from '../lambdas/core/providers';
import { createViewerHandler } from '../lambdas/edge/handler';
import { dynamoStores } from '../lambdas/store/stores';
import { createTables, LOCAL_CREDENTIALS, startDynamoDbLocal } from '../local/emulators/dynamodb/dynamodb-local';
import { benchSession, eventFactory, OTHER_COOKIES } from './fixtures';
import { startLatencyProxy } from './latency-proxy';

export const FAR_RTT_MS = 150;
export const NEAR_RTT_MS = 2;
const PRIMARY = 'us-east-1';
const VIEWER_REGION = 'ap-southeast-2';
const SESSION_SECONDS = 600;

export interface LatencySummary {
  p50Ms: number;
  p99Ms: number;
}

export interface FarEdgeResults {
  rttMs: number;
  withoutReplica: LatencySummary;
  withReplica: LatencySummary;
  /** Requests per run (one per simulated second). */
  requests: number;
  /** Requests over 1 ms (the ones with a due check: store calls), per run. */
  requestsOver1Ms: { withoutReplica: number; withReplica: number };
  /** Round trip to the replica in the with-replica run. */
  replicaRttMs: number;
  /** The machine's 1-minute load average before and after: DynamoDB Local's own time grows with it. */
  loadAverage: [number, number];
}

export async function farEdgeBench(baseConfig: EdgeConfig, keys: KeySet): Promise<FarEdgeResults> {
  const loadBefore = Math.round(os.loadavg()[0]! * 100) / 100;
  const dynamo = await startDynamoDbLocal({ startTimeoutMs: 300_000 });
  const far = await startLatencyProxy(dynamo.endpoint, FAR_RTT_MS);
  const near = await startLatencyProxy(dynamo.endpoint, NEAR_RTT_MS);
  try {
    const tables = { sessions: 'far-sessions', users: 'far-users', mau: 'far-mau' };
    await createTables({ endpoint: dynamo.endpoint, names: tables });
    const session = { ...baseConfig.session, revocationCheckInterval: 60, activityWriteInterval: 60, authCheckInterval: 0 };
    const single: EdgeConfig = { ...baseConfig, session, aws: { ...baseConfig.aws, region: PRIMARY, replicaRegions: [], tables } };
    const global: EdgeConfig = { ...single, aws: { ...single.aws, replicaRegions: [VIEWER_REGION] } };
    const endpoints = { [PRIMARY]: far.url, [VIEWER_REGION]: near.url };
    // A first, untimed pass of each: DynamoDB Local (a JVM) compiles its code paths on first
    // use, which is not what a warm DynamoDB endpoint costs.
    await run(single, keys, endpoints, dynamo.endpoint);
    await run(global, keys, endpoints, dynamo.endpoint);
    const withoutReplica = await run(single, keys, endpoints, dynamo.endpoint);
    const withReplica = await run(global, keys, endpoints, dynamo.endpoint);
    return {
      rttMs: FAR_RTT_MS,
      withoutReplica: withoutReplica.summary,
      withReplica: withReplica.summary,
      requests: SESSION_SECONDS,
      requestsOver1Ms: { withoutReplica: withoutReplica.over1Ms, withReplica: withReplica.over1Ms },
      replicaRttMs: NEAR_RTT_MS,
      loadAverage: [loadBefore, Math.round(os.loadavg()[0]! * 100) / 100],
    };
  } finally {
    await far.close();
    await near.close();
    await dynamo.close();
  }
}

async function run(config: EdgeConfig, keys: KeySet, endpoints: Record<string, string>, direct: string): Promise<{ summary: LatencySummary; over1Ms: number }> {
  const startMs = Date.now();
  let nowMs = startMs;
  // The session, written straight into the table (no latency): signed in a minute ago.
  const setup = dynamoStores(config, { dynamodb: direct, credentials: LOCAL_CREDENTIALS }, { connectionTimeout: 10_000, requestTimeout: 60_000, deadlineMs: 120_000 });
  const fixture = await benchSession(config, keys, Math.floor(startMs / 1000), String(randomBytes(6).readUIntBE(0, 6)));
  const c = fixture.claims;
  await setup.sessions.createSession({ sessionId: c.sid, provider: c.prv, userId: c.uid, createdAt: c.iat, expiresAt: c.exp ?? c.iat + 86400, lastSeenAt: c.iat });
  await setup.users.upsertOnSignIn({ provider: c.prv, userId: c.uid, at: c.iat, host: 'app.example.com' });

  // The viewer container: the deployed wiring, executing in the viewer's region.
  const stores = dynamoStores(config, { dynamodbByRegion: endpoints, credentials: LOCAL_CREDENTIALS }, undefined, VIEWER_REGION);
  const handler = createViewerHandler({
    config,
    keys: async () => keys,
    providers: createProviders(config, { fetch: globalThis.fetch, now: () => Math.floor(nowMs / 1000), readSecret: async () => 'unused' }),
    random: randomBytes,
    clock: () => nowMs,
    sessions: stores.sessions,
    users: stores.users,
    mau: stores.mau,
  });
  const event = eventFactory('/reports/2026?q=1', `${OTHER_COOKIES}; ${fixture.cookiePair}`);
  const latencies: number[] = [];
  let over1Ms = 0;
  for (let second = 0; second < SESSION_SECONDS; second++) {
    nowMs = startMs + second * 1000;
    const t0 = performance.now();
    const out = await handler(event());
    const ms = performance.now() - t0;
    latencies.push(ms);
    if (ms > 1) over1Ms++;
    if (!('uri' in out)) throw new Error(`far edge: request ${second} was not forwarded: ${JSON.stringify(out).slice(0, 200)}`);
  }
  latencies.sort((a, b) => a - b);
  const at = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)]! * 100) / 100;
  return { summary: { p50Ms: at(0.5), p99Ms: at(0.99) }, over1Ms };
}
