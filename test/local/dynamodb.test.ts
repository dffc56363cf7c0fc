/** createTables against the run's DynamoDB Local (test/support/global-setup.ts), and the starter's errors. */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { buildSync } from 'esbuild';
import { createTables } from '../../local/emulators/dynamodb/dynamodb-local';
import { SESSION_LIST_ATTRIBUTES } from '../../lambdas/store/dynamodb/tables';
import { testDynamoEndpoint } from '../support/dynamodb';
import { must } from '../support/must';

const suffix = randomUUID().slice(0, 8);
const names = { sessions: `sessions-${suffix}`, users: `users-${suffix}`, mau: `mau-${suffix}` };
let client: DynamoDBClient;

beforeAll(() => {
  client = new DynamoDBClient({
    endpoint: testDynamoEndpoint(),
    region: 'us-east-1',
    credentials: { accessKeyId: 'anotherKey', secretAccessKey: 'x' },
  });
});
afterAll(() => client.destroy());

test('a users table from before byLastSeen (npm start --data-dir) gets the index added', async () => {
  const old = { ...names, users: `old-users-${suffix}` };
  await client.send(
    new CreateTableCommand({
      TableName: old.users,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'email', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [{ IndexName: 'byEmail', KeySchema: [{ AttributeName: 'email', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
    }),
  );
  await createTables({ endpoint: testDynamoEndpoint(), names: old });
  const users = (await client.send(new DescribeTableCommand({ TableName: old.users }))).Table!;
  expect(users.GlobalSecondaryIndexes!.map((i) => i.IndexName).sort()).toEqual(['byEmail', 'byLastSeen']);
});

test('createTables is idempotent and builds the keys, GSIs and TTL of lambdas/store/dynamodb/tables.ts', async () => {
  await createTables({ endpoint: testDynamoEndpoint(), names });
  await createTables({ endpoint: testDynamoEndpoint(), names }); // again: no error

  const sessions = (await client.send(new DescribeTableCommand({ TableName: names.sessions }))).Table!;
  expect(sessions.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
  expect(sessions.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
  expect(sessions.GlobalSecondaryIndexes).toEqual([
    expect.objectContaining({
      IndexName: 'byUser',
      KeySchema: [
        { AttributeName: 'userKey', KeyType: 'HASH' },
        { AttributeName: 'createdAt', KeyType: 'RANGE' },
      ],
      // What the operator tools read, never the sealed tokens (issue #15: activity writes stay small in the index).
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...SESSION_LIST_ATTRIBUTES] },
    }),
  ]);

  const users = (await client.send(new DescribeTableCommand({ TableName: names.users }))).Table!;
  expect(users.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.Projection?.ProjectionType])).toEqual([['byEmail', 'ALL'], ['byLastSeen', 'ALL']]);

  const mau = (await client.send(new DescribeTableCommand({ TableName: names.mau }))).Table!;
  expect(mau.KeySchema).toEqual([
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ]);
  expect(mau.GlobalSecondaryIndexes ?? []).toEqual([]);

  for (const [table, enabled] of [[names.sessions, true], [names.users, false], [names.mau, true]] as const) {
    const ttl = (await client.send(new DescribeTimeToLiveCommand({ TableName: table }))).TimeToLiveDescription;
    if (enabled) expect(ttl).toEqual({ AttributeName: 'ttl', TimeToLiveStatus: 'ENABLED' });
    else expect(ttl?.TimeToLiveStatus).toBe('DISABLED');
  }
});

test('one shared database: a client with other dummy credentials sees the same items', async () => {
  await createTables({ endpoint: testDynamoEndpoint(), names });
  await client.send(new PutItemCommand({ TableName: names.users, Item: { pk: { S: 'USER#google#1' }, email: { S: 'a@example.com' } } }));
  const other = new DynamoDBClient({
    endpoint: testDynamoEndpoint(),
    region: 'eu-west-1',
    credentials: { accessKeyId: 'yetAnother', secretAccessKey: 'y' },
  });
  const got = await other.send(new GetItemCommand({ TableName: names.users, Key: { pk: { S: 'USER#google#1' } } }));
  other.destroy();
  expect(got.Item?.email?.S).toBe('a@example.com');
});

test('a missing java gives the install hint', () => {
  // jest gives tests a copy of process.env, so PATH must change in a real child process:
  // bundle local/emulators/dynamodb/dynamodb-local.ts (packages stay external) and run it with a PATH without java.
  const { outputFiles } = buildSync({
    entryPoints: [join(__dirname, '../../local/emulators/dynamodb/dynamodb-local.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    packages: 'external',
    write: false,
  });
  const run = `${must(outputFiles[0], 'the esbuild output file').text}
module.exports.startDynamoDbLocal({}).then(
  () => { console.log('started?'); process.exit(1); },
  (err) => { console.log(err.message); process.exit(0); });`;
  const out = spawnSync(process.execPath, ['-e', run], {
    cwd: join(__dirname, '../..'), // `node -e` resolves packages from the working directory
    env: { PATH: '/nonexistent' },
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(out.stdout).toContain('DynamoDB Local needs Java 17+: apt-get install -y default-jre-headless');
  expect(out.status).toBe(0);
});
