/**
 * Provider-controlled text in the CLI's human output (issue #16, defect 7): a display name
 * with a newline broke the `users list` table, and one with terminal escape sequences would
 * run them in the operator's terminal. Every human-readable output escapes control
 * characters; JSON output keeps the exact values.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { buildProgram } from '../../bin/cli';
import { printable, printableLines } from '../../bin/printable';
import { DynamoSessionStore } from '../../lambdas/store/dynamodb/sessions';
import { DynamoUserStore } from '../../lambdas/store/dynamodb/users';
import { createTables, LOCAL_CREDENTIALS } from '../../local/emulators/dynamodb/dynamodb-local';
import { testDynamoEndpoint } from '../support/dynamodb';

const now = Math.floor(Date.now() / 1000);
const tables = { sessions: `pr-sessions-${process.pid}`, users: `pr-users-${process.pid}`, mau: `pr-mau-${process.pid}` };
const HOSTILE_NAME = 'Eve\nfake:row  admin@example.com\u001b]0;pwned\u0007\u001b[31mred\u009b2J\u202eevil';
const HOSTILE_UA = 'Mozilla\r\n\u001b[2Jclear';
let configFile: string;
let client: DynamoDBClient;

/** Raw control characters a terminal would act on (anything but the newlines between lines). */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

async function cli(...args: string[]): Promise<string[]> {
  const out: string[] = [];
  await buildProgram({ out: (l) => out.push(l), err: (l) => out.push(l) }).parseAsync(['node', 'edge-oauth', ...args, '--endpoint', testDynamoEndpoint(), '--config', configFile]);
  return out;
}

beforeAll(async () => {
  await createTables({ endpoint: testDynamoEndpoint(), region: 'eu-west-1', names: tables });
  configFile = join(mkdtempSync(join(tmpdir(), 'edge-oauth-cli-')), 'edge-oauth.config.jsonc');
  writeFileSync(configFile, JSON.stringify({ providers: [{ id: 'dev', type: 'oidc', issuer: 'https://idp.example.com', clientId: 'c', clientSecret: 's' }], aws: { region: 'eu-west-1', tables } }));
  client = new DynamoDBClient({ region: 'eu-west-1', endpoint: testDynamoEndpoint(), credentials: LOCAL_CREDENTIALS });
  const users = new DynamoUserStore({ tableName: tables.users, client });
  const sessions = new DynamoSessionStore({ tableName: tables.sessions, client });
  await users.upsertOnSignIn({ provider: 'dev', userId: 'u-eve', email: 'eve@example.com', name: HOSTILE_NAME, at: now - 60, ip: '203.0.113.5', userAgent: HOSTILE_UA, host: 'app.example.com' });
  await users.upsertOnSignIn({ provider: 'dev', userId: 'u-bob', email: 'bob@example.com', name: 'Bob', at: now - 30, host: 'app.example.com' });
  await sessions.createSession({ sessionId: 's-eve', provider: 'dev', userId: 'u-eve', createdAt: now - 60, expiresAt: now + 3600, lastSeenAt: now - 60, lastAuthCheckAt: now - 60, tokens: 'sealed', host: 'app.example.com\u001b[0m' });
});
afterAll(() => client?.destroy());

test('users list: one row per user, the name escaped, nothing a terminal would act on', async () => {
  const lines = (await cli('users', 'list')).join('\n').split('\n');
  expect(lines).toHaveLength(3); // the header and two users: the newline in the name made no row
  expect(lines.filter((l) => RAW_CONTROL.test(l))).toEqual([]);
  expect(lines.find((l) => l.startsWith('dev:u-eve'))).toContain('Eve\\u000afake:row  admin@example.com\\u001b]0;pwned\\u0007\\u001b[31mred\\u009b2J\\u202eevil');
});

test('users show, sessions list and users revoke: escaped too', async () => {
  for (const args of [['users', 'show', 'dev:u-eve'], ['sessions', 'list', 'dev:u-eve'], ['users', 'revoke', 'dev:u-eve']]) {
    const text = (await cli(...args)).join('\n');
    expect({ args, raw: RAW_CONTROL.test(text) }).toEqual({ args, raw: false });
  }
});

test('JSON output keeps the exact values (a script gets what the provider sent)', async () => {
  const json = JSON.parse((await cli('users', 'list', '--json')).join('\n')) as Array<{ id: string; name?: string }>;
  expect(json.find((u) => u.id === 'dev:u-eve')?.name).toBe(HOSTILE_NAME);
});

test('printable (property): no unsafe character survives; printableLines keeps newlines; both are JSON-value-preserving', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => {
      expect(RAW_CONTROL.test(printable(s)) || printable(s).includes('\n')).toBe(false);
      expect(RAW_CONTROL.test(printableLines(s))).toBe(false);
      const json = JSON.stringify({ s });
      expect(JSON.parse(printableLines(json))).toEqual({ s });
    }),
    { numRuns: 500 },
  );
});
