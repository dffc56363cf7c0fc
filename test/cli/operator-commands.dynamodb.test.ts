/**
 * The operator commands (users, sessions, mau) run in process against DynamoDB Local:
 * tables for people, JSON for scripts, clear messages when a table or a user is missing.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { buildProgram } from '../../bin/cli';
import { DynamoMauStore } from '../../lambdas/store/dynamodb/mau';
import { DynamoSessionStore } from '../../lambdas/store/dynamodb/sessions';
import { DynamoUserStore } from '../../lambdas/store/dynamodb/users';
import { createTables, LOCAL_CREDENTIALS } from '../../local/emulators/dynamodb/dynamodb-local';
import { testDynamoEndpoint } from '../support/dynamodb';

const now = Math.floor(Date.now() / 1000);
const month = new Date(now * 1000).toISOString().slice(0, 7);
const tables = { sessions: `cli-sessions-${process.pid}`, users: `cli-users-${process.pid}`, mau: `cli-mau-${process.pid}` };
let configFile: string;
let client: DynamoDBClient;

function writeConfig(names: typeof tables): string {
  const file = join(mkdtempSync(join(tmpdir(), 'edge-oauth-cli-')), 'edge-oauth.config.jsonc');
  const config = {
    providers: [{ id: 'dev', type: 'oidc', issuer: 'https://idp.example.com', clientId: 'c', clientSecret: 's' }],
    aws: { region: 'eu-west-1', tables: names },
  };
  writeFileSync(file, `// test config\n${JSON.stringify(config)}`);
  return file;
}

async function cli(...args: string[]): Promise<string> {
  const out: string[] = [];
  await buildProgram({ out: (l) => out.push(l), err: (l) => out.push(l) }).parseAsync(['node', 'edge-oauth', ...args]);
  return out.join('\n');
}
const local = (...args: string[]) => cli(...args, '--endpoint', testDynamoEndpoint(), '--config', configFile);

beforeAll(async () => {
  await createTables({ endpoint: testDynamoEndpoint(), region: 'eu-west-1', names: tables });
  configFile = writeConfig(tables);
  client = new DynamoDBClient({ region: 'eu-west-1', endpoint: testDynamoEndpoint(), credentials: LOCAL_CREDENTIALS });
  const users = new DynamoUserStore({ tableName: tables.users, client });
  const sessions = new DynamoSessionStore({ tableName: tables.sessions, client });
  const mau = new DynamoMauStore({ tableName: tables.mau, client });
  await users.upsertOnSignIn({ provider: 'dev', userId: 'u-ada', email: 'ada@example.com', name: 'Ada Lovelace', at: now - 60, ip: '203.0.113.5', host: 'app.example.com' });
  await users.upsertOnSignIn({ provider: 'github', userId: '4242', email: 'ada@example.com', name: 'ada', at: now - 30, host: 'app.example.com' });
  for (const [sid, userId, provider] of [['s-1', 'u-ada', 'dev'], ['s-2', 'u-ada', 'dev'], ['s-3', '4242', 'github']] as const) {
    await sessions.createSession({ sessionId: sid, provider, userId, createdAt: now - 60, expiresAt: now + 3600, lastSeenAt: now - 60, lastAuthCheckAt: now - 60, tokens: 'sealed', host: 'app.example.com' });
  }
  await mau.markActive({ month, provider: 'dev', userId: 'u-ada', at: now });
});
afterAll(() => client?.destroy());

test('users list: a table for people, JSON for scripts, --email across providers', async () => {
  const table = await local('users', 'list');
  expect(table.split('\n')[0]).toMatch(/^USER\s+EMAIL\s+NAME\s+LAST SEEN \(UTC\)\s+SIGN-INS\s+HOSTS$/);
  expect(table).toMatch(/dev:u-ada\s+ada@example\.com\s+Ada Lovelace/);
  const json = JSON.parse(await local('users', 'list', '--email', 'ADA@example.com', '--json')) as Array<{ id: string }>;
  expect(json.map((u) => u.id).sort()).toEqual(['dev:u-ada', 'github:4242']);
});

test('users show: the user and their sessions; never the sealed tokens', async () => {
  const shown = await local('users', 'show', 'dev:u-ada');
  expect(shown).toMatch(/^user\s+dev:u-ada$/m);
  expect(shown).toMatch(/last IP\s+203\.0\.113\.5/);
  expect(shown).toMatch(/s-1\s+active/);
  const json = await local('users', 'show', 'USER#dev#u-ada', '--json');
  expect(JSON.parse(json)[0].sessions).toHaveLength(2);
  expect(json).not.toContain('sealed');
});

test('sessions revoke one; users revoke all of a user (by id); sessions list shows why', async () => {
  expect(await local('sessions', 'revoke', 's-1')).toBe('revoked session s-1 of dev:u-ada; it stops working within the revocation check interval');
  expect(await local('users', 'revoke', 'github:4242')).toMatch(/^github:4242 \(ada@example\.com\): revoked 1 active session/);
  const list = await local('sessions', 'list', 'ada@example.com');
  expect(list).toMatch(/s-1\s+revoked \(operator\)/);
  expect(list).toMatch(/s-2\s+active/);
  expect(list).toMatch(/s-3\s+revoked \(operator\)/);
});

test('mau: the month\'s count, --json', async () => {
  expect(await local('mau', '--month', month)).toBe(`${month}: 1 monthly active user(s)`);
  expect(JSON.parse(await local('mau', '--json'))).toEqual({ month, count: 1 });
  expect(JSON.parse(await local('mau', '--month', '1999-01', '--json'))).toEqual({ month: '1999-01', count: 0 });
});

test('clear messages: a missing table, a missing user or session, a bad argument', async () => {
  const missing = writeConfig({ sessions: 'nope-sessions', users: 'nope-users', mau: 'nope-mau' });
  await expect(cli('users', 'list', '--endpoint', testDynamoEndpoint(), '--config', missing)).rejects.toThrow(
    `table "nope-users" not found in eu-west-1 (endpoint ${testDynamoEndpoint()}). Check --region, --endpoint and the table names in --config.`,
  );
  await expect(local('users', 'show', 'nobody@example.com')).rejects.toThrow('no App User matches "nobody@example.com"');
  await expect(local('users', 'show', 'just-an-id')).rejects.toThrow('"just-an-id" is not a user: use <provider>:<user id>');
  await expect(local('sessions', 'revoke', 's-nope')).rejects.toThrow('no session "s-nope" (or it has expired)');
  await expect(local('mau', '--month', '2026-13')).rejects.toThrow('--month: "2026-13" is not a month such as 2026-03');
  await expect(cli('users', 'list', '--endpoint', 'http://127.0.0.1:9', '--config', configFile)).rejects.toThrow(/^cannot use DynamoDB in eu-west-1 \(endpoint http:\/\/127\.0\.0\.1:9\): DynamoDB Scan failed/);
});
