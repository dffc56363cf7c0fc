/**
 * The authorizer on the real session store: DynamoDB Local (started by the test run), the
 * DynamoDB stores of lambdas/store, the table design of tables.ts. A session written as the
 * callback writes it is allowed; an operator's revocation, the inactivity timeout and the
 * MAU mark go through the same items the edge uses.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createAuthorizerHandler, UNAUTHORIZED_MESSAGE, type SimpleAuthorizerResult } from '../../lambdas/authorizer/handler';
import { seal } from '../../lambdas/core/keys/seal';
import { newSessionClaims } from '../../lambdas/core/session/session-cookie';
import { DynamoMauStore } from '../../lambdas/store/dynamodb/mau';
import { DynamoSessionStore } from '../../lambdas/store/dynamodb/sessions';
import { DynamoUserStore } from '../../lambdas/store/dynamodb/users';
import { createTables, LOCAL_CREDENTIALS } from '../../local/emulators/dynamodb/dynamodb-local';
import { seededRandom, testConfig, testKeys } from '../core/fixtures';
import { testDynamoEndpoint } from '../support/dynamodb';
import { httpEventV2, restEvent } from './events';

const T0 = 1_800_000_000;
let client: DynamoDBClient;
let suffix = 0;

beforeAll(() => {
  client = new DynamoDBClient({ region: 'us-east-1', endpoint: testDynamoEndpoint(), credentials: LOCAL_CREDENTIALS });
});
afterAll(() => client.destroy());

async function setup(session: Record<string, unknown> = {}) {
  const n = `${process.pid}-${++suffix}`;
  const tables = { sessions: `az-sessions-${n}`, users: `az-users-${n}`, mau: `az-mau-${n}` };
  await createTables({ endpoint: testDynamoEndpoint(), names: tables });
  const config = testConfig({ session, aws: { region: 'us-east-1', tables } });
  const keys = testKeys();
  const clock = { now: T0 };
  const stores = {
    sessions: new DynamoSessionStore({ tableName: tables.sessions, client, now: () => clock.now }),
    users: new DynamoUserStore({ tableName: tables.users, client }),
    mau: new DynamoMauStore({ tableName: tables.mau, client }),
  };
  const authorize = createAuthorizerHandler({ config, keys: async () => keys, providers: new Map(), random: seededRandom('ddb'), clock: () => clock.now * 1000, ...stores });
  const claims = newSessionClaims(config, { sid: `sid-${n}-0123456789abcdef`, uid: 'u-1', prv: 'corp', name: 'Ada', email: 'ada@example.com', now: T0 });
  await stores.sessions.createSession({
    sessionId: claims.sid,
    provider: 'corp',
    userId: 'u-1',
    email: 'ada@example.com',
    name: 'Ada',
    createdAt: T0,
    expiresAt: claims.exp ?? T0 + 400 * 86400,
    lastSeenAt: T0,
    lastAuthCheckAt: T0,
  });
  const cookie = `edge-oauth=${await seal(claims, keys.current)}`;
  return { authorize, stores, clock, claims, cookie };
}

const allowed = async (p: Promise<unknown>) => ((await p) as SimpleAuthorizerResult).isAuthorized;

test('a stored session is allowed; an operator\'s revocation ends it at the API', async () => {
  const { authorize, stores, clock, claims, cookie } = await setup({ revocationCheckInterval: '60s' });
  expect(await allowed(authorize(httpEventV2({ cookies: [cookie] })))).toBe(true);
  await stores.sessions.revokeSession(claims.sid, clock.now, 'operator');
  clock.now += 1;
  // api.cacheTtl defaults to the whole interval: the authorizer re-reads on every invocation.
  await expect(authorize(restEvent({ cookies: [cookie] }))).rejects.toThrow(UNAUTHORIZED_MESSAGE);
});

test('activity is recorded on the session item (bounded writes) and the inactivity timeout applies', async () => {
  const { authorize, stores, clock, claims, cookie } = await setup({ inactivityTimeout: '10m', activityWriteInterval: '60s' });
  clock.now = T0 + 5 * 60;
  expect(await allowed(authorize(httpEventV2({ cookies: [cookie] })))).toBe(true);
  expect((await stores.sessions.getSession(claims.sid))?.lastSeenAt).toBe(T0 + 5 * 60);
  clock.now += 11 * 60 + 1;
  expect(await allowed(authorize(httpEventV2({ cookies: [cookie] })))).toBe(false); // an HTTP API refuses (403)
  expect((await stores.sessions.getSession(claims.sid))?.revokedReason).toBe('inactive');
});

test('the monthly active user is counted once, in the MAU table', async () => {
  const { authorize, stores, clock, cookie } = await setup();
  clock.now = Date.UTC(2027, 1, 3) / 1000; // a later month than the sign-in
  expect(await allowed(authorize(httpEventV2({ cookies: [cookie] })))).toBe(true);
  expect(await allowed(authorize(httpEventV2({ cookies: [cookie] })))).toBe(true);
  expect(await stores.mau.count('2027-02')).toBe(1);
});
