/**
 * `edge-oauth users invite|disable|remove` against the local Cognito stand-in (the admin JSON
 * API the real SDK client speaks), the local Secrets Manager and DynamoDB Local, on the
 * local stack `npm start -- --config` runs.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { buildProgram } from '../../bin/cli';
import { DynamoSessionStore } from '../../lambdas/store/dynamodb/sessions';
import { DynamoUserStore } from '../../lambdas/store/dynamodb/users';
import { LOCAL_CREDENTIALS } from '../../local/emulators/dynamodb/dynamodb-local';
import type { LocalStack } from '../../local/stack/stack';
import { startStack } from '../e2e/journey';
import { testDynamoEndpoint } from '../support/dynamodb';

const suffix = `${process.pid}-${Date.now() % 100000}`;
const tables = { sessions: `pool-sessions-${suffix}`, users: `pool-users-${suffix}`, mau: `pool-mau-${suffix}` };
const configText = JSON.stringify({
  site: { name: 'Team site' },
  providers: [{ id: 'team', type: 'cognito' }],
  paths: [{ prefix: '/admin/', allow: { groups: ['team:admins'] } }],
  aws: { tables },
});

let stack: LocalStack;
let configFile: string;
const write = (text: string) => {
  const file = join(mkdtempSync(join(tmpdir(), 'edge-oauth-pool-')), 'edge-oauth.config.jsonc');
  writeFileSync(file, text);
  return file;
};

async function cli(...args: string[]): Promise<{ out: string; error?: string }> {
  const out: string[] = [];
  try {
    await buildProgram({ out: (l) => out.push(l), err: (l) => out.push(l) }).parseAsync(['node', 'edge-oauth', ...args]);
    return { out: out.join('\n') };
  } catch (error) {
    return { out: out.join('\n'), error: (error as Error).message };
  }
}
const endpoints = () => ['--endpoint', stack.endpoints.dynamodb, '--secrets-endpoint', stack.secretsManager.endpoint, '--cognito-endpoint', stack.cognito!.emulator.endpoint];
const local = (...args: string[]) => cli(...args, '--config', configFile, ...endpoints());

beforeAll(async () => {
  stack = await startStack({ dynamoEndpoint: testDynamoEndpoint(), configText });
  configFile = write(configText);
});
afterAll(() => stack?.close());

const pool = () => stack.cognito!.emulator.pools.pools.get(stack.cognito!.pools.get('team')!)!;

test('invite: Cognito "emails" a temporary password; --group adds them to a group the config names', async () => {
  const { out, error } = await local('users', 'invite', 'ada@example.com', '--group', 'admins');
  expect(error).toBeUndefined();
  expect(out).toBe(`invited ada@example.com to team (user pool ${pool().id}) in admins: Cognito emails them a temporary password`);
  const user = pool().users.get('ada@example.com')!;
  expect(user).toMatchObject({ status: 'FORCE_CHANGE_PASSWORD', emailVerified: true, enabled: true });
  expect([...user.groups]).toEqual(['admins']);
  expect(stack.cognito!.emulator.pools.invitations.map((i) => i.email)).toContain('ada@example.com');
});

test('clear errors: the address is taken, a group that does not exist, an unknown provider, no config', async () => {
  expect((await local('users', 'invite', 'ada@example.com')).error).toMatch(/that email is already in user pool/);
  expect((await local('users', 'invite', 'bob@example.com', '--group', 'nope')).error).toMatch(/bob@example.com was invited, but group "nope" does not exist/);
  expect((await local('users', 'invite', 'x@example.com', '--provider', 'other')).error).toBe('no cognito provider "other"; the config has: team');
  expect((await local('users', 'disable', 'nobody@example.com')).error).toMatch(/no such user in user pool/);
});

test('a pool of the operator\'s own, or a pool without the stack\'s tag, is not managed by this stack', async () => {
  const own = write(JSON.stringify({ providers: [{ id: 'team', type: 'cognito', userPoolId: pool().id, clientId: 'abc', clientSecret: 'edge-oauth/own' }], aws: { tables } }));
  expect((await cli('users', 'invite', 'x@example.com', '--config', own, ...endpoints())).error).toMatch(
    /^the user pool of provider "team" \(us-east-1_\w+\) is not managed by this stack: it is your own pool/,
  );
  const none = write(JSON.stringify({ providers: [{ type: 'github', clientId: 'a', clientSecret: 's' }] }));
  expect((await cli('users', 'invite', 'x@example.com', '--config', none, ...endpoints())).error).toMatch(/the config has no "cognito" provider/);
  const untagged = stack.cognito!.emulator.pools.createPool('someone-else');
  stack.secretsManager.put('edge-oauth/cognito/other', JSON.stringify({ userPoolId: untagged.id, clientId: 'x', clientSecret: 'y' }));
  const other = write(JSON.stringify({ providers: [{ id: 'other', type: 'cognito' }], aws: { tables } }));
  expect((await cli('users', 'invite', 'x@example.com', '--config', other, ...endpoints())).error).toBe(
    `user pool ${untagged.id} is not managed by this stack: it lacks the tag edge-oauth:provider=other that the stack puts on the pool it creates`,
  );
});

test('disable and remove: Cognito first, then every edge-oauth session of the user is revoked', async () => {
  await local('users', 'invite', 'cy@example.com');
  const sub = pool().users.get('cy@example.com')!.sub;
  const client = new DynamoDBClient({ region: 'us-east-1', endpoint: stack.endpoints.dynamodb, credentials: LOCAL_CREDENTIALS });
  const now = Math.floor(Date.now() / 1000);
  await new DynamoUserStore({ tableName: tables.users, client }).upsertOnSignIn({ provider: 'team', userId: sub, email: 'cy@example.com', at: now, host: '127.0.0.1' });
  const sessions = new DynamoSessionStore({ tableName: tables.sessions, client });
  await sessions.createSession({ sessionId: 's-cy', provider: 'team', userId: sub, createdAt: now, expiresAt: now + 3600, lastSeenAt: now, lastAuthCheckAt: now, tokens: 'sealed', host: '127.0.0.1' });

  const disabled = await local('users', 'disable', 'cy@example.com');
  expect(disabled.out).toBe(`disabled cy@example.com in user pool ${pool().id} (team:${sub}); revoked 1 active session(s); they stop working within the revocation check interval`);
  expect(pool().users.get('cy@example.com')!.enabled).toBe(false);
  expect((await sessions.getSession('s-cy'))?.revokedAt).toBeDefined();

  const removed = await local('users', 'remove', 'cy@example.com', '--json');
  expect(JSON.parse(removed.out)).toMatchObject({ email: 'cy@example.com', action: 'remove', sub, revokedSessions: 0 });
  expect(pool().users.has('cy@example.com')).toBe(false);
  client.destroy();
});
