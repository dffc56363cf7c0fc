/**
 * The viewer's small DynamoDB client (lambdas/store/lite/dynamodb.ts) in place of
 * `@aws-sdk/client-dynamodb`, as the viewer bundle has it (esbuild alias, lib/viewer-aliases.ts):
 * the same store code, the same store contracts, on DynamoDB Local. Conditional failures
 * (ConditionalCheckFailedException with the item, TransactionCanceledException with its
 * reasons) and a missing table come back as the SDK gives them.
 */
// The small client's exports over the SDK's: the stores get the small client and its commands;
// the test's table set-up (local/emulators/dynamodb/dynamodb-local.ts) keeps the SDK's CreateTableCommand, sent through the small client.
jest.mock('@aws-sdk/client-dynamodb', () => ({ ...jest.requireActual('@aws-sdk/client-dynamodb'), ...jest.requireActual('../../../lambdas/store/lite/dynamodb') }));

import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { TableNotFoundError } from '../../../lambdas/core/errors';
import { DynamoMauStore } from '../../../lambdas/store/dynamodb/mau';
import { DynamoSessionStore } from '../../../lambdas/store/dynamodb/sessions';
import { DynamoSignInStore } from '../../../lambdas/store/dynamodb/sign-in';
import { DynamoUserStore } from '../../../lambdas/store/dynamodb/users';
import { dynamoStores } from '../../../lambdas/store/stores';
import * as lite from '../../../lambdas/store/lite/dynamodb';
import { createTables, LOCAL_CREDENTIALS } from '../../../local/emulators/dynamodb/dynamodb-local';
import { testConfig } from '../../core/fixtures';
import { testDynamoEndpoint } from '../../support/dynamodb';
import { mauStoreContract } from '../mau.contract';
import { sessionStoreContract } from '../sessions.contract';
import { signInStoreContract } from '../sign-in.contract';
import { userStoreContract } from '../users.contract';

// 100 concurrent transactions on a loaded 2-core machine take tens of seconds (DynamoDB Local).
jest.setTimeout(90_000);

let client: DynamoDBClient;
let suffix = 0;

async function freshTables() {
  const n = `${process.pid}-lite-${++suffix}`;
  const tables = { sessions: `l-sessions-${n}`, users: `l-users-${n}`, mau: `l-mau-${n}` };
  await createTables({ endpoint: testDynamoEndpoint(), names: tables });
  return tables;
}

beforeAll(() => {
  client = new DynamoDBClient({ region: 'us-east-1', endpoint: testDynamoEndpoint(), credentials: LOCAL_CREDENTIALS });
});
afterAll(() => client.destroy());

test('the module under test is the small client, not the SDK', () => {
  expect(DynamoDBClient).toBe(lite.DynamoDBClient);
});

sessionStoreContract('DynamoDB through the small client', async () => {
  let now = 0;
  const tables = await freshTables();
  return { store: new DynamoSessionStore({ tableName: tables.sessions, client, now: () => now }), setNow: (t) => (now = t) };
});
userStoreContract('DynamoDB through the small client', async () => new DynamoUserStore({ tableName: (await freshTables()).users, client }));
mauStoreContract('DynamoDB through the small client', async () => new DynamoMauStore({ tableName: (await freshTables()).mau, client }));
signInStoreContract('DynamoDB through the small client', async () => {
  const tables = await freshTables();
  return {
    signIns: new DynamoSignInStore({ tables, client }),
    sessions: new DynamoSessionStore({ tableName: tables.sessions, client, now: () => 1_800_000_000 }),
    users: new DynamoUserStore({ tableName: tables.users, client }),
    mau: new DynamoMauStore({ tableName: tables.mau, client }),
  };
});

test('a missing table is TableNotFoundError, as through the SDK', async () => {
  const store = new DynamoSessionStore({ tableName: 'no-such-table-lite', client });
  await expect(store.getSession('s1')).rejects.toBeInstanceOf(TableNotFoundError);
});

test('a service error keeps its name, status and fields; the output has $metadata', async () => {
  const tables = await freshTables();
  const out = await client.send(new GetItemCommand({ TableName: tables.sessions, Key: { pk: { S: 'nothing' } } }));
  expect(out.$metadata.httpStatusCode).toBe(200);
  const error = await client.send(new GetItemCommand({ TableName: tables.sessions, Key: { nope: { S: 'x' } } })).catch((e: unknown) => e);
  expect(error).toMatchObject({ name: 'ValidationException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
});

test('dynamoStores.prepare opens connections without a request of the stores (and never fails)', async () => {
  const config = { ...testConfig(), aws: { ...testConfig().aws, tables: await freshTables() } };
  const stores = dynamoStores(config, { dynamodb: testDynamoEndpoint(), credentials: LOCAL_CREDENTIALS });
  stores.prepare(2);
  const dead = dynamoStores(testConfig(), { dynamodb: 'http://127.0.0.1:9', credentials: LOCAL_CREDENTIALS });
  dead.prepare(1);
  await new Promise((r) => setTimeout(r, 200));
  expect(await stores.sessions.getSession('nobody')).toBeUndefined();
});
