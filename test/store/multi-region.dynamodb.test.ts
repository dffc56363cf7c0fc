/**
 * edge-oauth on global tables, raced across three simulated regions (local/emulators/dynamodb/replicator.ts:
 * one DynamoDB Local per region, last writer wins per item, 300 ms lag, and one region's
 * clock 2 s fast so it wins the races it takes part in). Each race is also run on the
 * single-region layout, to show the simulation bites where global tables bite.
 */
import { DynamoDBClient, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ProviderError } from '../../lambdas/core/errors';
import { sealTokens } from '../../lambdas/core/keys/token-sealing';
import type { Provider, SignInResult } from '../../lambdas/core/providers/types';
import { SessionChecks, type CheckResult } from '../../lambdas/core/session/container-checks';
import type { SessionClaims } from '../../lambdas/core/session/session-cookie';
import type { MauStore, SessionRecord, SessionStore } from '../../lambdas/core/stores';
import { DynamoMauStore } from '../../lambdas/store/dynamodb/mau';
import { DynamoSessionStore } from '../../lambdas/store/dynamodb/sessions';
import { MAU_SHARDS } from '../../lambdas/store/global/sharded-mau';
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
const TABLES = { sessions: `g-sessions-${process.pid}`, users: `g-users-${process.pid}`, mau: `g-mau-${process.pid}` };
const LAG_MS = 300;

let sim: SimulatedGlobalTables;
const clients = {} as Record<Region, DynamoDBClient>;
const stores = {} as Record<Region, Stores>;
const keys = testKeys();
const config = testConfig({ session: { authCheckInterval: '5m', revocationCheckInterval: '60s', checkGracePeriod: '2m' } });

beforeAll(async () => {
  // The primary is the tests' own DynamoDB Local; the two others are started here.
  sim = await startGlobalTables({ regions: [...REGIONS], running: { [HOME]: testDynamoEndpoint() }, tables: TABLES, lagMs: LAG_MS, skewMs: { 'ap-southeast-2': 2_000 } });
  for (const region of REGIONS) {
    clients[region] = new DynamoDBClient({ region, endpoint: sim.endpoints[region]!, credentials: LOCAL_CREDENTIALS });
  }
  for (const region of REGIONS) stores[region] = globalStores(TABLES, clients[region], clients[HOME]);
});
afterAll(async () => {
  for (const c of Object.values(clients)) c.destroy();
  await sim?.close();
});

const T0 = Math.floor(Date.now() / 1000);
let n = 0;
const unique = (prefix: string) => `${prefix}-${++n}-${Math.random().toString(36).slice(2, 8)}`;

describe('MAU: exactly once per user per month across regions, no hot item', () => {
  test("a user's first requests in three regions at once, and 60 users spread over the regions: the count is exact", async () => {
    const month = '2031-01';
    const mark = (region: Region, userId: string) => stores[region].mau.markActive({ month, provider: 'corp', userId, at: T0 });
    const racers = REGIONS.flatMap((r) => [mark(r, 'everywhere'), mark(r, 'everywhere')]);
    const spread = Array.from({ length: 60 }, (_, i) => mark(REGIONS[i % 3]!, `user-${i}`));
    await Promise.all([...racers, ...spread]);
    await sim.replicator.settle(120_000); // every count replicates: a busy machine takes a while
    for (const region of REGIONS) expect(await stores[region].mau.count(month)).toBe(61);
    // Replays (a new container, a retried request) in every region: counted already.
    const replays = await Promise.all([...REGIONS.map((r) => mark(r, 'everywhere')), ...Array.from({ length: 6 }, (_, i) => mark(REGIONS[i % 3]!, `user-${i}`))]);
    expect(replays.every((counted) => !counted)).toBe(true);
    await sim.replicator.settle();
    for (const region of REGIONS) expect(await stores[region].mau.count(month)).toBe(61);
    // The marks and the counters spread over the shards: no hot item.
    const partitions = new Set<string>();
    const items = (await clients[HOME].send(new ScanCommand({ TableName: TABLES.mau }))).Items ?? [];
    for (const item of items) if (item.pk?.S?.startsWith(`MONTH#${month}`) && item.sk?.S === 'COUNT') partitions.add(item.pk.S);
    expect(partitions.size).toBeGreaterThan(MAU_SHARDS / 2);
  });

  test('a month\'s count reads MAU_SHARDS + 1 items, whatever the number of users (never the marks)', async () => {
    const month = '2031-04';
    await Promise.all(Array.from({ length: 120 }, (_, i) => stores[REGIONS[i % 3]!].mau.markActive({ month, provider: 'corp', userId: `n-${i}`, at: T0 })));
    await sim.replicator.settle();
    const calls: string[] = [];
    const counting = new DynamoDBClient({ region: HOME, endpoint: sim.endpoints[HOME]!, credentials: LOCAL_CREDENTIALS });
    const send = counting.send.bind(counting) as (c: unknown) => Promise<unknown>;
    (counting as { send: unknown }).send = (command: { constructor: { name: string } }) => (calls.push(command.constructor.name), send(command));
    const mau = globalStores(TABLES, counting, counting).mau;
    expect(await mau.count(month)).toBe(120);
    const withUsers = calls.splice(0);
    expect(await mau.count('2031-05')).toBe(0);
    expect(withUsers).toEqual(calls);
    expect(withUsers).toEqual(Array(MAU_SHARDS + 1).fill('GetItemCommand'));
    counting.destroy();
  });

  test('a sign-in at home and first requests in other regions, for the same user and month: counted once', async () => {
    const month = '2031-03';
    const claims = { sessionId: unique('sid'), provider: 'corp', userId: 'signer', createdAt: T0, expiresAt: T0 + 3600, purgeAt: T0 + 60 };
    const user = { provider: 'corp', userId: 'signer', at: T0, host: 'app.example.com' };
    const [signIn, far, near] = await Promise.all([
      stores['eu-west-1'].signIns.recordSignIn({ session: claims, user, month }),
      stores['ap-southeast-2'].mau.markActive({ month, provider: 'corp', userId: 'signer', at: T0 }),
      stores['eu-west-1'].mau.markActive({ month, provider: 'corp', userId: 'signer', at: T0 }),
    ]);
    // Whichever of the three reaches home first counts the user (the sign-in need not win the
    // race: on a fast machine a first request's mark can); what must hold is once, everywhere.
    expect([signIn.counted, far, near].filter(Boolean)).toHaveLength(1);
    await sim.replicator.settle();
    for (const region of REGIONS) expect(await stores[region].mau.count(month)).toBe(1);
    // The session item keeps its hard end as its TTL; the activity item carries the purge time that activity moves.
    const raw = async (pk: string) =>
      (await clients[HOME].send(new QueryCommand({ TableName: TABLES.sessions, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: pk } } }))).Items?.[0];
    expect((await raw(`SESSION#${claims.sessionId}`))?.ttl).toEqual({ N: String(T0 + 3600) });
    expect((await raw(`SEEN#${claims.sessionId}`))?.ttl).toEqual({ N: String(T0 + 60) });
    expect((await stores[HOME].sessions.getSession(claims.sessionId))?.purgeAt).toBe(T0 + 60);
  });

  test('the single-region layout (a counter item) miscounts on global tables: concurrent counts in two regions lose one', async () => {
    const month = '2031-02';
    const single = (region: Region): MauStore => new DynamoMauStore({ tableName: TABLES.mau, client: clients[region] });
    await Promise.all([single(HOME).markActive({ month, provider: 'corp', userId: 'a', at: T0 }), single('eu-west-1').markActive({ month, provider: 'corp', userId: 'b', at: T0 })]);
    await sim.replicator.settle();
    expect(await single(HOME).count(month)).toBe(1); // two users, counted once
  });
});

/** A provider with rotating refresh tokens and reuse detection: a used refresh token ends the grant. */
class RotatingProvider implements Provider {
  readonly id = 'corp';
  readonly type = 'oidc' as const;
  readonly displayName = 'Corp';
  readonly config = config.providers[0]!;
  readonly supportsRefresh = true;
  current = 'rt-0';
  grants = 0;
  reused = 0;
  #issued = 0;

  async refresh(refreshToken: string): Promise<SignInResult> {
    await new Promise((r) => setTimeout(r, 30));
    if (refreshToken !== this.current) {
      this.reused++;
      this.current = 'revoked-family';
      throw new ProviderError('ERR_PROVIDER_DENIED', 'token: invalid_grant', { status: 400, oauthError: 'invalid_grant' });
    }
    this.grants++;
    this.current = `rt-${++this.#issued}`;
    return { tokens: { accessToken: `at-${this.#issued}`, refreshToken: this.current }, profile: { id: 'u-1', email: 'ada@example.com', name: 'Ada' } };
  }
  authorizationUrl(): Promise<URL> {
    throw new Error('not used');
  }
  finishSignIn(): Promise<SignInResult> {
    throw new Error('not used');
  }
  profile(): never {
    throw new Error('not used');
  }
}

async function newSession(sessions: SessionStore): Promise<SessionClaims> {
  const sid = unique('sid');
  const tokens = await sealTokens({ accessToken: 'at-0', refreshToken: 'rt-0' }, keys);
  // As a sign-in stores it: the email with the provider's verification (a re-check that does
  // not state it keeps this standing for the same address: sign-in/allow-list.ts recheckedEmail).
  const record: SessionRecord = { sessionId: sid, provider: 'corp', userId: 'u-1', email: 'ada@example.com', emailVerification: 'verified', createdAt: T0, expiresAt: T0 + 86_400, lastSeenAt: T0, lastAuthCheckAt: T0, tokens };
  await sessions.createSession(record);
  return { v: 1, sid, uid: 'u-1', prv: 'corp', iat: T0, email: 'ada@example.com' };
}

/** Two viewer containers in each region. */
function containers(sessionsIn: (region: Region) => SessionStore, provider: Provider) {
  return REGIONS.flatMap((region, i) =>
    [0, 1].map((c) => new SessionChecks({ config, sessions: sessionsIn(region), providers: new Map([['corp', provider]]), random: seededRandom(`${region}-${i}-${c}`) })),
  );
}

const ask = (all: SessionChecks[], claims: SessionClaims, now: number) =>
  Promise.all(all.map((checks) => checks.check({ claims, keys, now, host: 'app.example.com' }) as Promise<CheckResult>));

describe('one refresh at a time per session across regions (rotating refresh tokens)', () => {
  test('six containers in three regions, a refresh due in all at once, four times: never two grants at once, nobody signed out', async () => {
    const provider = new RotatingProvider();
    const claims = await newSession(stores[HOME].sessions);
    const all = containers((r) => stores[r].sessions, provider);
    for (const result of await ask(all, claims, T0 + 1)) expect(result.status).toBe('ok');
    for (let round = 1; round <= 4; round++) {
      const now = T0 + round * 301;
      const before = provider.grants;
      const results = await ask(all, claims, now);
      expect(results.map((r) => r.status)).toEqual(Array(6).fill('ok'));
      // At most one grant a round. (A round that starts before the last result reached a
      // region's copy may have none: the lease at home sees the check was done since, and
      // the container goes on with the newer state; the next request refreshes.)
      expect(provider.grants - before).toBeLessThanOrEqual(1);
      if (round % 2 === 0) await sim.replicator.settle(); // half the rounds start before the last result reached every region
    }
    expect(provider.grants).toBeGreaterThanOrEqual(2);
    expect(provider.reused).toBe(0);
    await sim.replicator.settle();
    for (const region of REGIONS) expect((await stores[region].sessions.getSession(claims.sid))?.revokedAt).toBeUndefined();
  });

  test('the single-region layout (lease in each region’s own copy) refreshes twice and signs the user out', async () => {
    const provider = new RotatingProvider();
    const local = (region: Region) => new DynamoSessionStore({ tableName: TABLES.sessions, client: clients[region] });
    const claims = await newSession(local(HOME));
    await sim.replicator.settle();
    const all = containers(local, provider);
    await ask(all, claims, T0 + 1);
    const results = await ask(all, claims, T0 + 301);
    expect(provider.reused).toBeGreaterThan(0);
    expect(results.some((r) => r.status === 'signin')).toBe(true);
  });
});

describe('revocation reaches every region within replication lag + revocationCheckInterval', () => {
  test('a logout in one region; the session in use in another: seen at the next check after the lag, and never undone by activity there', async () => {
    const provider = new RotatingProvider();
    const claims = await newSession(stores[HOME].sessions);
    const sydney = new SessionChecks({ config, sessions: stores['ap-southeast-2'].sessions, providers: new Map([['corp', provider]]), random: seededRandom('syd') });
    const check = (now: number) => sydney.check({ claims, keys, now, host: 'app.example.com' }) as Promise<CheckResult>;
    expect((await check(T0 + 1)).status).toBe('ok');
    const revokedAt = Date.now();
    // The revocation (written at home) races an activity write in Sydney, whose clock is fast.
    await Promise.all([stores['eu-west-1'].sessions.revokeSession(claims.sid, T0 + 61, 'logout'), check(T0 + 61)]);
    await sim.replicator.settle();
    const seenWithin = Date.now() - revokedAt;
    expect(await check(T0 + 121)).toMatchObject({ status: 'signin', reason: 'session-revoked' });
    for (const region of REGIONS) expect((await stores[region].sessions.getSession(claims.sid))?.revokedReason).toBe('logout');
    expect(seenWithin).toBeLessThan(LAG_MS + 15_000); // the simulated lag, plus this busy machine's polling
  });

  test('the single-region layout on global tables: an activity write in another region undoes the revocation', async () => {
    const local = (region: Region) => new DynamoSessionStore({ tableName: TABLES.sessions, client: clients[region] });
    const claims = await newSession(local(HOME));
    await sim.replicator.settle();
    await Promise.all([
      local(HOME).revokeSession(claims.sid, T0 + 61, 'operator'),
      local('ap-southeast-2').touchSession(claims.sid, { at: T0 + 61, minInterval: 60 }),
    ]);
    await sim.replicator.settle();
    expect((await local(HOME).getSession(claims.sid))?.revokedAt).toBeUndefined(); // lost everywhere
  });
});

describe('a session that has not reached the nearest copy yet', () => {
  test('the first requests right after sign-in, in a far region, read it at home: nobody is sent to sign in again', async () => {
    sim.replicator.setLag(Infinity);
    try {
      const claims = await newSession(stores[HOME].sessions);
      const far = new SessionChecks({ config, sessions: stores['ap-southeast-2'].sessions, providers: new Map(), random: seededRandom('far') });
      const results = await Promise.all([1, 2, 3].map(() => far.check({ claims, keys, now: T0 + 1, host: 'app.example.com' })));
      for (const r of results) expect(r.status).toBe('ok');
      const near = await clients['ap-southeast-2'].send(
        new QueryCommand({ TableName: TABLES.sessions, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: `SESSION#${claims.sid}` } } }),
      );
      expect(near.Count).toBe(0); // indeed not replicated
    } finally {
      sim.replicator.setLag(LAG_MS);
    }
  });
});
