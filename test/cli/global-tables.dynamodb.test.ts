/** The operator commands on a global-table deployment (aws.replicaRegions): the multi-region layout (docs/multi-region.md). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { buildProgram } from '../../bin/cli';
import { openStores } from '../../bin/store-options';
import { globalStores } from '../../lambdas/store/global/stores';
import { createTables, LOCAL_CREDENTIALS } from '../../local/emulators/dynamodb/dynamodb-local';
import { testDynamoEndpoint } from '../support/dynamodb';

const now = Math.floor(Date.now() / 1000);
const month = new Date(now * 1000).toISOString().slice(0, 7);
const tables = { sessions: `cligt-sessions-${process.pid}`, users: `cligt-users-${process.pid}`, mau: `cligt-mau-${process.pid}` };
let configFile: string;
let client: DynamoDBClient;

beforeAll(async () => {
  await createTables({ endpoint: testDynamoEndpoint(), names: tables });
  client = new DynamoDBClient({ region: 'us-east-1', endpoint: testDynamoEndpoint(), credentials: LOCAL_CREDENTIALS });
  configFile = join(mkdtempSync(join(tmpdir(), 'edge-oauth-cli-')), 'edge-oauth.config.jsonc');
  const config = {
    providers: [{ id: 'dev', type: 'oidc', issuer: 'https://idp.example.com', clientId: 'c', clientSecret: 's' }],
    aws: { region: 'us-east-1', replicaRegions: ['eu-west-1'], tables },
  };
  writeFileSync(configFile, JSON.stringify(config));
});
afterAll(() => client.destroy());

test('mau reads the sharded counters (one increment per user and month, with its mark), each user once', async () => {
  const edge = globalStores(tables, client, client);
  for (const userId of ['a', 'b', 'c', 'a']) await edge.mau.markActive({ month, provider: 'dev', userId, at: now });
  const stores = openStores({ config: configFile, endpoint: testDynamoEndpoint() });
  try {
    expect(await stores.mau.count(month)).toBe(3);
  } finally {
    stores.close();
  }
  const out: string[] = [];
  await buildProgram({ out: (l) => out.push(l), err: (l) => out.push(l) }).parseAsync(['node', 'edge-oauth', 'mau', '--month', month, '--json', '--endpoint', testDynamoEndpoint(), '--config', configFile]);
  expect(out.join('\n')).toContain('3');
});

test('sessions show the last activity from the activity item', async () => {
  const edge = globalStores(tables, client, client);
  await edge.sessions.createSession({ sessionId: 'sid-cli-1', provider: 'dev', userId: 'u-1', createdAt: now - 600, expiresAt: now + 3600, lastSeenAt: now - 600 });
  await edge.sessions.touchSession('sid-cli-1', { at: now, minInterval: 60 });
  const stores = openStores({ config: configFile, endpoint: testDynamoEndpoint() });
  try {
    const [record] = await stores.sessions.listSessionsOfUser('dev', 'u-1');
    expect(record?.lastSeenAt).toBe(now);
  } finally {
    stores.close();
  }
});
