/**
 * The global-table simulation itself (local/emulators/dynamodb/replicator.ts): lag, item-level last writer
 * wins, local-only conditions, convergence. The multi-region race tests rely on these.
 */
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS } from '../../local/emulators/dynamodb/dynamodb-local';
import { startGlobalTables, type SimulatedGlobalTables } from '../../local/emulators/dynamodb/multi-region';
import { testDynamoEndpoint } from '../support/dynamodb';

jest.setTimeout(600_000);

const TABLES = { sessions: `r-sessions-${process.pid}`, users: `r-users-${process.pid}`, mau: `r-mau-${process.pid}` };
let sim: SimulatedGlobalTables;
let east: DynamoDBClient;
let west: DynamoDBClient;

beforeAll(async () => {
  sim = await startGlobalTables({ regions: ['us-east-1', 'eu-west-1'], running: { 'us-east-1': testDynamoEndpoint() }, tables: TABLES, lagMs: 300, skewMs: { 'eu-west-1': 5_000 } });
  const client = (region: string) => new DynamoDBClient({ region, endpoint: sim.endpoints[region]!, credentials: LOCAL_CREDENTIALS });
  east = client('us-east-1');
  west = client('eu-west-1');
});
afterAll(async () => {
  east?.destroy();
  west?.destroy();
  await sim?.close();
});

const key = (id: string) => ({ pk: { S: id } });
const read = async (c: DynamoDBClient, id: string) => (await c.send(new GetItemCommand({ TableName: TABLES.users, Key: key(id), ConsistentRead: true }))).Item;
const scan = async (c: DynamoDBClient) =>
  ((await c.send(new ScanCommand({ TableName: TABLES.users }))).Items ?? []).map((i) => JSON.stringify(i, Object.keys(i).sort())).sort();

test('a write reaches the other region after the lag, not before', async () => {
  await east.send(new PutItemCommand({ TableName: TABLES.users, Item: { ...key('lag'), v: { N: '1' } } }));
  expect(await read(west, 'lag')).toBeUndefined();
  await sim.replicator.settle();
  expect((await read(west, 'lag'))?.v).toEqual({ N: '1' });
  await west.send(new DeleteItemCommand({ TableName: TABLES.users, Key: key('lag') }));
  await sim.replicator.settle();
  expect(await read(east, 'lag')).toBeUndefined();
});

test('conditions are checked in one region only: both "create if absent" writes succeed', async () => {
  const put = (c: DynamoDBClient, v: string) =>
    c.send(new PutItemCommand({ TableName: TABLES.users, Item: { ...key('cond'), v: { S: v } }, ConditionExpression: 'attribute_not_exists(pk)' }));
  await Promise.all([put(east, 'east'), put(west, 'west')]);
  await sim.replicator.settle();
  // Last writer wins; eu-west-1's clock is 5 s fast, so it is "last".
  expect((await read(east, 'cond'))?.v).toEqual({ S: 'west' });
  expect((await read(west, 'cond'))?.v).toEqual({ S: 'west' });
});

test('item-level last writer wins: concurrent updates of two attributes do not merge', async () => {
  await east.send(new PutItemCommand({ TableName: TABLES.users, Item: { ...key('merge'), a: { N: '0' }, b: { N: '0' } } }));
  await sim.replicator.settle();
  const set = (c: DynamoDBClient, attr: string) =>
    c.send(new UpdateItemCommand({ TableName: TABLES.users, Key: key('merge'), UpdateExpression: `SET ${attr} = :one`, ExpressionAttributeValues: { ':one': { N: '1' } } }));
  await Promise.all([set(east, 'a'), set(west, 'b')]);
  await sim.replicator.settle();
  const item = await read(east, 'merge');
  expect(item).toEqual(await read(west, 'merge'));
  expect([item?.a?.N, item?.b?.N]).toEqual(['0', '1']); // east's update of `a` is lost
});

test('the regions converge after a burst of racing writes', async () => {
  const writes = [];
  for (let i = 0; i < 40; i++) {
    const c = i % 2 === 0 ? east : west;
    writes.push(c.send(new UpdateItemCommand({ TableName: TABLES.users, Key: key(`burst-${i % 5}`), UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } })));
  }
  await Promise.all(writes);
  await sim.replicator.settle();
  expect(await scan(east)).toEqual(await scan(west));
  expect(sim.replicator.stats.localWrites).toBeGreaterThan(0);
});

test('setLag(Infinity) holds writes back (a partition) until the lag is lowered', async () => {
  sim.replicator.setLag(Infinity);
  await east.send(new PutItemCommand({ TableName: TABLES.users, Item: { ...key('held'), v: { N: '1' } } }));
  await new Promise((r) => setTimeout(r, 800));
  expect(await read(west, 'held')).toBeUndefined();
  sim.replicator.setLag(300);
  await sim.replicator.settle();
  expect(await read(west, 'held')).toBeDefined();
});
