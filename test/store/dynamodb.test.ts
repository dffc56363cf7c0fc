/** The store contracts against the DynamoDB implementations, on DynamoDB Local (the real table design from tables.ts). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoMauStore } from '../../lambdas/store/dynamodb/mau';
import { DynamoSessionStore } from '../../lambdas/store/dynamodb/sessions';
import { DynamoSignInStore } from '../../lambdas/store/dynamodb/sign-in';
import { DynamoUserStore } from '../../lambdas/store/dynamodb/users';
import { globalStores } from '../../lambdas/store/global/stores';
import { dynamoStores } from '../../lambdas/store/stores';
import { testConfig } from '../core/fixtures';
import { createTables, LOCAL_CREDENTIALS } from '../../local/emulators/dynamodb/dynamodb-local';
import { testDynamoEndpoint } from '../support/dynamodb';
import { mauStoreContract } from './mau.contract';
import { sessionStoreContract } from './sessions.contract';
import { signInStoreContract } from './sign-in.contract';
import { userStoreContract } from './users.contract';

let client: DynamoDBClient;
let suffix = 0;

/** Fresh tables for each test: the suites assume empty stores. */
async function freshTables() {
  const n = `${process.pid}-${++suffix}`;
  const tables = { sessions: `c-sessions-${n}`, users: `c-users-${n}`, mau: `c-mau-${n}` };
  await createTables({ endpoint: testDynamoEndpoint(), names: tables });
  return tables;
}

beforeAll(() => {
  client = new DynamoDBClient({ region: 'us-east-1', endpoint: testDynamoEndpoint(), credentials: LOCAL_CREDENTIALS });
});
afterAll(() => client.destroy());

sessionStoreContract('DynamoDB', async () => {
  let now = 0;
  const tables = await freshTables();
  return { store: new DynamoSessionStore({ tableName: tables.sessions, client, now: () => now }), setNow: (t) => (now = t) };
});
userStoreContract('DynamoDB', async () => new DynamoUserStore({ tableName: (await freshTables()).users, client }));
mauStoreContract('DynamoDB', async () => new DynamoMauStore({ tableName: (await freshTables()).mau, client }));
signInStoreContract('DynamoDB', async () => {
  const tables = await freshTables();
  return {
    signIns: new DynamoSignInStore({ tables, client }),
    sessions: new DynamoSessionStore({ tableName: tables.sessions, client, now: () => 1_800_000_000 }),
    users: new DynamoUserStore({ tableName: tables.users, client }),
    mau: new DynamoMauStore({ tableName: tables.mau, client }),
  };
});

// The global-table layout (lambdas/store/global/stores.ts) keeps the same contracts; here
// with the nearest copy and the primary being one table (test/store/multi-region.dynamodb.test.ts
// races them across simulated regions).
sessionStoreContract('DynamoDB, global-table layout', async () => {
  let now = 0;
  const tables = await freshTables();
  return { store: globalStores(tables, client, client, () => now).sessions, setNow: (t) => (now = t) };
});
mauStoreContract('DynamoDB, global-table layout (sharded marks)', async () => globalStores(await freshTables(), client, client).mau);
signInStoreContract('DynamoDB, global-table layout', async () => {
  const tables = await freshTables();
  const stores = globalStores(tables, client, client, () => 1_800_000_000);
  return { signIns: stores.signIns, sessions: stores.sessions, users: stores.users, mau: stores.mau };
});

describe('dynamoStores on global tables: the copy in the function region, else the nearest, else the primary', () => {
  const dead = 'http://127.0.0.1:9'; // nothing listens: a call there fails
  const configFor = (tables: { sessions: string; users: string; mau: string }) => ({
    ...testConfig(),
    aws: { ...testConfig().aws, region: 'us-east-1', replicaRegions: ['ap-southeast-2'], tables },
  });
  const mark = { month: '2031-05', provider: 'corp', userId: 'u', at: 1_950_000_000 };
  const timeouts = { connectionTimeout: 500, requestTimeout: 2000, deadlineMs: 4000 };

  test.each([
    ['ap-southeast-2', 'its own region'],
    ['ap-southeast-1', 'the nearest copy (Singapore → Sydney)'],
  ])('a function in %s uses %s', async (region, _what) => {
    const tables = await freshTables();
    const stores = dynamoStores(configFor(tables), { dynamodbByRegion: { 'us-east-1': dead, 'ap-southeast-2': testDynamoEndpoint() }, credentials: LOCAL_CREDENTIALS }, timeouts, region);
    // App User activity is written near only (MAU marks are counted at the primary: dynamodb-sharded-mau.ts).
    await expect(stores.users.touchUser(mark.provider, mark.userId, { at: mark.at, minInterval: 60 })).resolves.toBeUndefined();
  });

  test.each<[string | undefined, string]>([
    ['eu-west-2', 'nearer the primary'],
    [undefined, 'unknown'],
  ])('a function in %s (%s) uses the primary', async (region, _why) => {
    const tables = await freshTables();
    const stores = dynamoStores(configFor(tables), { dynamodbByRegion: { 'us-east-1': testDynamoEndpoint(), 'ap-southeast-2': dead }, credentials: LOCAL_CREDENTIALS }, timeouts, region);
    // App User activity is written near only (MAU marks are counted at the primary: dynamodb-sharded-mau.ts).
    await expect(stores.users.touchUser(mark.provider, mark.userId, { at: mark.at, minInterval: 60 })).resolves.toBeUndefined();
  });
});
