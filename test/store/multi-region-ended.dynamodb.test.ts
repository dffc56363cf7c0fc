/**
 * On global tables an ended session never comes back (issue #23, item 4): inactive,
 * revoked, past its maximum duration, whichever write fails, lags or is purged by TTL.
 * Three simulated regions (local/emulators/dynamodb/multi-region.ts: one DynamoDB Local each, last writer
 * wins per item, one region's clock 2 s fast). A failed write is a client whose calls fail
 * (the home region unreachable, or this region refusing the tombstone); a late write is
 * held back by the replicator (`setLag(Infinity)`); a TTL purge is `sim.expire`, a delete
 * in one region that replicates like TTL's own. Every "later request" is a new container
 * (no cache), in every region.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SessionChecks, type CheckResult } from '../../lambdas/core/session/container-checks';
import type { SessionClaims } from '../../lambdas/core/session/session-cookie';
import type { Stores } from '../../lambdas/core/stores';
import { globalStores } from '../../lambdas/store/global/stores';
import { LOCAL_CREDENTIALS } from '../../local/emulators/dynamodb/dynamodb-local';
import { startGlobalTables, type SimulatedGlobalTables } from '../../local/emulators/dynamodb/multi-region';
import { seededRandom, testConfig, testKeys } from '../core/fixtures';
import { testDynamoEndpoint } from '../support/dynamodb';

jest.setTimeout(600_000);

const HOME = 'us-east-1';
const REGIONS = [HOME, 'eu-west-1', 'ap-southeast-2'] as const;
type Region = (typeof REGIONS)[number];
const TABLES = { sessions: `e-sessions-${process.pid}`, users: `e-users-${process.pid}`, mau: `e-mau-${process.pid}` };
const LAG_MS = 300;
const IDLE = 3600 + 60; // inactivityTimeout + activityWriteInterval (core/session/inactivity.ts idleLimit)

let sim: SimulatedGlobalTables;
const clients = {} as Record<Region, DynamoDBClient>;
const stores = {} as Record<Region, Stores>;
const keys = testKeys();
const config = testConfig({ session: { inactivityTimeout: '1h', revocationCheckInterval: '60s' } });
/** The primary, unreachable from where the function runs (connection refused). */
let unreachableHome: DynamoDBClient;

/** A client of `region` whose writes of the session's tombstone fail (the near write fails too). */
function refusingTombstones(region: Region): DynamoDBClient {
  const client = new DynamoDBClient({ region, endpoint: sim.endpoints[region]!, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  (client as { send: unknown }).send = (command: { input?: { Key?: { pk?: { S?: string } } }; constructor: { name: string } }) =>
    command.constructor.name === 'UpdateItemCommand' && command.input?.Key?.pk?.S?.startsWith('ENDED#') ? Promise.reject(new Error('simulated failure')) : send(command);
  return client;
}

beforeAll(async () => {
  sim = await startGlobalTables({ regions: [...REGIONS], running: { [HOME]: testDynamoEndpoint() }, tables: TABLES, lagMs: LAG_MS, skewMs: { 'ap-southeast-2': 2_000 } });
  for (const region of REGIONS) clients[region] = new DynamoDBClient({ region, endpoint: sim.endpoints[region]!, credentials: LOCAL_CREDENTIALS });
  for (const region of REGIONS) stores[region] = globalStores(TABLES, clients[region], clients[HOME]);
  unreachableHome = new DynamoDBClient({ region: HOME, endpoint: 'http://127.0.0.1:9', credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
});
afterAll(async () => {
  for (const c of [...Object.values(clients), unreachableHome]) c?.destroy();
  await sim?.close();
});

const T0 = Math.floor(Date.now() / 1000);
let n = 0;

async function signIn(expiresIn = 86_400): Promise<SessionClaims> {
  const sid = `ended-${++n}-${Math.random().toString(36).slice(2, 8)}`;
  await stores[HOME].sessions.createSession({ sessionId: sid, provider: 'corp', userId: 'u-1', email: 'ada@example.com', createdAt: T0, expiresAt: T0 + expiresIn, lastSeenAt: T0 });
  await sim.replicator.settle();
  return { v: 1, sid, uid: 'u-1', prv: 'corp', iat: T0, exp: T0 + expiresIn };
}

/** A request in a new container of `region` (nothing cached). */
function request(sessions: Stores, claims: SessionClaims, now: number): Promise<CheckResult> {
  const checks = new SessionChecks({ config, sessions: sessions.sessions, providers: new Map(), random: seededRandom(`c-${++n}`) });
  return checks.check({ claims, keys, now, host: 'app.example.com' }) as Promise<CheckResult>;
}

/** Two later requests in each region, one after the other (the second sees what the first wrote), then one more after replication. */
async function laterRequests(claims: SessionClaims, now: number, storesIn: (r: Region) => Stores = (r) => stores[r], regions: readonly Region[] = REGIONS): Promise<string[]> {
  const out: string[] = [];
  for (const region of regions) for (const dt of [0, 61]) out.push((await request(storesIn(region), claims, now + dt)).status);
  await sim.replicator.settle();
  for (const region of regions) out.push((await request(storesIn(region), claims, now + 200)).status);
  return out;
}

const hasItem = async (region: Region, pk: string) =>
  (await clients[region].send(new GetItemCommand({ TableName: TABLES.sessions, Key: { pk: { S: pk } }, ConsistentRead: true }))).Item !== undefined;

describe('inactive', () => {
  test('every write of the end fails (home unreachable, the tombstone refused) and TTL purges the activity: no request in any region revives it', async () => {
    const claims = await signIn();
    const cutOff = globalStores(TABLES, refusingTombstones('eu-west-1'), unreachableHome);
    expect(await request(cutOff, claims, T0 + IDLE + 10)).toMatchObject({ status: 'signin', reason: 'session-inactive' });
    // The activity item's TTL is its inactivity time: DynamoDB may now delete it, here or anywhere.
    await sim.expire('eu-west-1', TABLES.sessions, { pk: { S: `SEEN#${claims.sid}` } });
    await sim.replicator.settle();
    // Home still unreachable, and every tombstone still refused: only the facts decide.
    const far = ['eu-west-1', 'ap-southeast-2'] as const;
    expect(await laterRequests(claims, T0 + IDLE + 100, (r) => globalStores(TABLES, refusingTombstones(r), unreachableHome), far)).toEqual(Array(6).fill('signin'));
    for (const region of REGIONS) expect(await hasItem(region, `SEEN#${claims.sid}`)).toBe(false);
    // Home back: still ended.
    expect(await laterRequests(claims, T0 + IDLE + 500)).toEqual(Array(9).fill('signin'));
  });

  test('judged inactive where a late activity write had not arrived, the revoke at home failing: the late write does not revive it', async () => {
    const claims = await signIn();
    sim.replicator.setLag(Infinity);
    try {
      // Sydney sees the session just before the limit and records activity; held back.
      expect((await request(stores['ap-southeast-2'], claims, T0 + IDLE - 30)).status).toBe('ok');
      // Ireland still holds the sign-in time only: inactive, and home cannot be reached.
      const cutOff = globalStores(TABLES, clients['eu-west-1'], unreachableHome);
      expect(await request(cutOff, claims, T0 + IDLE + 10)).toMatchObject({ status: 'signin', reason: 'session-inactive' });
    } finally {
      sim.replicator.setLag(LAG_MS);
    }
    await sim.replicator.settle();
    expect(await laterRequests(claims, T0 + IDLE + 20)).toEqual(Array(9).fill('signin'));
  });
});

describe('revoked', () => {
  test('a logout where home is unreachable, racing activity in a region with a fast clock: revoked in every region, for good', async () => {
    const claims = await signIn();
    const cutOff = globalStores(TABLES, clients['eu-west-1'], unreachableHome);
    await Promise.all([cutOff.sessions.revokeSession(claims.sid, T0 + 100, 'logout'), request(stores['ap-southeast-2'], claims, T0 + 100)]);
    await sim.replicator.settle();
    const later = await Promise.all(REGIONS.map((r) => request(stores[r], claims, T0 + 200)));
    for (const result of later) expect(result).toMatchObject({ status: 'signin', reason: 'session-revoked' });
    expect(await laterRequests(claims, T0 + 300)).toEqual(Array(9).fill('signin'));
    // The admin console (at home) lists it as revoked too.
    const listed = await stores[HOME].sessions.listSessionsOfUser('corp', 'u-1');
    expect(listed.find((r) => r.sessionId === claims.sid)?.revokedReason).toBe('logout');
  });

  test('a revocation both of whose writes fail is an error (the caller knows it did not hold)', async () => {
    const claims = await signIn();
    const nowhere = globalStores(TABLES, refusingTombstones('eu-west-1'), unreachableHome);
    await expect(nowhere.sessions.revokeSession(claims.sid, T0 + 100, 'logout')).rejects.toThrow();
  });
});

describe('past its maximum duration', () => {
  test('its items purged by TTL at its end (in one region, replicated): ended everywhere, and no request brings an activity item back', async () => {
    const claims = await signIn(600);
    expect((await request(stores['ap-southeast-2'], claims, T0 + 590)).status).toBe('ok');
    await sim.replicator.settle();
    // Both items' TTL is the session's end (a touch caps the activity item's at it).
    await sim.expire('eu-west-1', TABLES.sessions, { pk: { S: `SESSION#${claims.sid}` } });
    await sim.expire('eu-west-1', TABLES.sessions, { pk: { S: `SEEN#${claims.sid}` } });
    await sim.replicator.settle();
    expect(await laterRequests(claims, T0 + 601)).toEqual(Array(9).fill('signin'));
    for (const region of REGIONS) expect(await hasItem(region, `SEEN#${claims.sid}`)).toBe(false);
  });
});
