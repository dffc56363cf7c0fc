/**
 * `edge-oauth logs` in process, through the real @aws-sdk/client-cloudwatch-logs, against the
 * local CloudWatch Logs (local/emulators/cloudwatch-logs.ts): log groups found in every region,
 * lines merged in time order, filters (user, session as its hash, decision), paging, bounds,
 * follow, and the errors an operator meets (missing permission, unknown region).
 */
import { createHash } from 'node:crypto';
import { CloudWatchLogsClient, DescribeLogGroupsCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { buildProgram } from '../../bin/cli';
import { runLogs, type LogsOptions } from '../../bin/logs-command';
import { startCloudWatchLogs, type CloudWatchLogsHandle } from '../../local/emulators/cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoUserStore } from '../../lambdas/store/dynamodb/users';
import { createTables, LOCAL_CREDENTIALS } from '../../local/emulators/dynamodb/dynamodb-local';
import { testDynamoEndpoint } from '../support/dynamodb';

const EDGE = '/aws/lambda/us-east-1.EdgeOAuthStack-EdgeOAuthViewerRequestA1B2-x1y2z3';
const CALLBACK = 'EdgeOAuthStack-EdgeOAuthCallbackLogsC3D4-q9w8e7';
const OTHER = '/aws/lambda/us-east-1.OtherStack-Viewer-abc';
const SID = 'sess-0b8d1f6a';
const HASH = createHash('sha256').update(SID).digest('hex').slice(0, 16);

let logs: CloudWatchLogsHandle;
const now = Date.now();
const ago = (minutes: number) => now - minutes * 60_000;

function line(t: number, fields: Record<string, unknown>): { timestamp: number; message: string } {
  const json = JSON.stringify({ event: 'edge_oauth_request', time: new Date(t).toISOString(), host: 'app.example.com', method: 'GET', path: '/', durationUs: 40, ...fields });
  // Lambda's text log format: time, request id, level, message.
  return { timestamp: t, message: `${new Date(t).toISOString()}\t6c1f0e3a-req\tINFO\t${json}\n` };
}

beforeAll(async () => {
  logs = await startCloudWatchLogs({ pageEvents: 2 });
  logs.put('eu-west-1', EDGE, [
    line(ago(30), { decision: 'allow', reason: 'session', userId: '42', provider: 'github', sessionHash: HASH }),
    line(ago(10), { decision: 'block', reason: 'store-unavailable', status: 503, userId: '42', provider: 'github', sessionHash: HASH }),
    { timestamp: ago(9), message: 'START RequestId: 6c1f Version: 3' },
  ]);
  logs.put('ap-southeast-2', EDGE, [
    line(ago(20), { decision: 'redirect', reason: 'no-session', status: 302 }),
    line(ago(5), { decision: 'block', reason: 'provider-timeout', status: 504 }),
  ]);
  logs.put('us-east-1', CALLBACK, [line(ago(25), { decision: 'block', reason: 'not-on-allow-list', status: 403, path: '/auth/callback' })]);
  logs.put('us-east-1', OTHER, [line(ago(1), { decision: 'allow', reason: 'other-stack' })]);
  logs.put('eu-west-1', EDGE.replace('A1B2', 'OLD0'), [line(ago(120), { decision: 'allow', reason: 'too-old' })]);
});
afterAll(() => logs?.close());

async function run(...args: string[]): Promise<{ out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  await buildProgram({ out: (l) => out.push(l), err: (l) => err.push(l) }).parseAsync(['node', 'edge-oauth', 'logs', '--endpoint', logs.endpoint, ...args]);
  return { out, err };
}

test('finds the edge groups in every region and the callback group at home, merges them in time order, leaves other stacks out', async () => {
  const { out, err } = await run('--regions', 'eu-west-1,ap-southeast-2,us-east-1', '--json');
  const got = out.map((l) => JSON.parse(l) as { region: string; reason: string; logGroup: string });
  expect(got.map((g) => `${g.region} ${g.reason}`)).toEqual([
    'eu-west-1 session',
    'us-east-1 not-on-allow-list',
    'ap-southeast-2 no-session',
    'eu-west-1 store-unavailable',
    'ap-southeast-2 provider-timeout',
  ]);
  expect(got[1]!.logGroup).toBe(CALLBACK);
  expect(err.some((l) => /^looking for log groups: 3\/3 regions/.test(l))).toBe(true);
  expect(err.some((l) => /^reading: \d\/\d log groups/.test(l))).toBe(true);
  expect(err).toContain('5 line(s) from 4 log group(s) in 3 region(s)');
});

test('--decision block, readable: one line per event with region, reason, status', async () => {
  const { out } = await run('--regions', 'eu-west-1,ap-southeast-2', '--decision', 'block');
  expect(out).toHaveLength(3);
  expect(out[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} {2}us-east-1\s+block\s+not-on-allow-list {2}403 {2}GET app\.example\.com\/auth\/callback/);
  expect(out[1]).toMatch(/eu-west-1\s+block\s+store-unavailable {2}503 .* github:42 .*session [0-9a-f]{16}/);
});

test('--session hashes the given id (the log holds only the hash); --user <provider>:<id> needs no table', async () => {
  const bySession = await run('--regions', 'eu-west-1', '--session', SID, '--json');
  expect(bySession.out.map((l) => (JSON.parse(l) as { reason: string }).reason)).toEqual(['session', 'store-unavailable']);
  const byUser = await run('--regions', 'eu-west-1,ap-southeast-2', '--user', 'github:42', '--decision', 'block', '--json');
  expect(byUser.out.map((l) => (JSON.parse(l) as { reason: string }).reason)).toEqual(['store-unavailable']);
  const noOne = await run('--regions', 'eu-west-1', '--session', 'another-session');
  expect(noOne.out).toEqual([]);
});

test('--since bounds the scan; --max-events keeps the newest and says more lines match', async () => {
  const { out } = await run('--regions', 'eu-west-1', '--since', '3h', '--json');
  expect(out.map((l) => (JSON.parse(l) as { reason: string }).reason)).toContain('too-old');
  const bounded = await run('--regions', 'eu-west-1,ap-southeast-2', '--max-events', '2', '--json');
  expect(bounded.out).toHaveLength(2);
  expect(bounded.out.map((l) => (JSON.parse(l) as { reason: string }).reason)).toEqual(['store-unavailable', 'provider-timeout']);
  expect(bounded.err.join('\n')).toMatch(/more lines match: narrow --since.*raise --max-events \(now 2\)/);
});

test('bad options are named before any call: an unknown region, a bad duration, a bad decision', async () => {
  const before = logs.calls.length;
  await expect(run('--regions', 'eu-west-1,mars-north-1')).rejects.toMatchObject({ code: 'ERR_CLI', message: expect.stringContaining('--regions: "mars-north-1" is not an AWS region') });
  await expect(run('--since', 'yesterday')).rejects.toThrow('--since: "yesterday" is neither a duration');
  await expect(run('--decision', 'deny')).rejects.toThrow('--decision: "deny" is not one of allow, block, redirect, special');
  await expect(run('--user', 'ada')).rejects.toThrow('--user: "ada" is neither an email nor <provider>:<user id>');
  expect(logs.calls.length).toBe(before);
});

test('a missing permission is named with the action and the region; a region not enabled is skipped with a note', async () => {
  const denied = await startCloudWatchLogs();
  try {
    denied.put('eu-west-1', EDGE, [line(ago(1), { decision: 'allow', reason: 'session' })]);
    denied.disable('me-south-1');
    const ok = await run2(denied, '--regions', 'eu-west-1,me-south-1');
    expect(ok.err).toContain('me-south-1: not enabled for this account (UnrecognizedClientException): skipped');
    expect(ok.out).toHaveLength(1);
    denied.deny('eu-west-1', 'FilterLogEvents');
    await expect(run2(denied, '--regions', 'eu-west-1')).rejects.toThrow(/missing permission in eu-west-1: logs:FilterLogEvents was refused \(User: .* is not authorized/);
  } finally {
    await denied.close();
  }
});

test('no log group of the stack anywhere: a clear message', async () => {
  await expect(run('--regions', 'eu-west-1', '--stack', 'NoSuchStack')).rejects.toThrow('no log groups of stack "NoSuchStack" in 1 region(s)');
});

test('--follow prints lines logged after the first scan, once each, until stopped', async () => {
  const out: string[] = [];
  const controller = new AbortController();
  const options: LogsOptions = { since: '15m', regions: 'ap-southeast-2', stack: 'EdgeOAuthStack', maxEvents: '100', follow: true, json: true, endpoint: logs.endpoint };
  const done = runLogs(options, { out: (l) => out.push(l), err: () => undefined }, controller.signal, 50);
  await waitFor(() => out.length === 1);
  logs.put('ap-southeast-2', EDGE, [line(Date.now(), { decision: 'allow', reason: 'followed' })]);
  await waitFor(() => out.length === 2);
  await new Promise((r) => setTimeout(r, 200));
  controller.abort();
  await done;
  expect(out.map((l) => (JSON.parse(l) as { reason: string }).reason)).toEqual(['provider-timeout', 'followed']);
});

test('--user EMAIL: every App User with that email (across providers), looked up in the App Users table', async () => {
  const tables = { sessions: `logs-sessions-${process.pid}`, users: `logs-users-${process.pid}`, mau: `logs-mau-${process.pid}` };
  await createTables({ endpoint: testDynamoEndpoint(), region: 'eu-west-1', names: tables });
  const client = new DynamoDBClient({ region: 'eu-west-1', endpoint: testDynamoEndpoint(), credentials: LOCAL_CREDENTIALS });
  try {
    const users = new DynamoUserStore({ tableName: tables.users, client });
    const at = Math.floor(now / 1000);
    await users.upsertOnSignIn({ provider: 'github', userId: '42', email: 'ada@example.com', name: 'Ada', at, host: 'app.example.com' });
    await users.upsertOnSignIn({ provider: 'google', userId: '1077', email: 'ada@example.com', name: 'Ada', at, host: 'app.example.com' });
    logs.put('eu-central-1', EDGE, [line(ago(3), { decision: 'block', reason: 'session-revoked', userId: '1077', provider: 'google' }), line(ago(2), { decision: 'allow', reason: 'session', userId: '1077', provider: 'github' })]);
    const config = join(mkdtempSync(join(tmpdir(), 'edge-oauth-logs-')), 'edge-oauth.config.jsonc');
    writeFileSync(config, JSON.stringify({ providers: [{ type: 'github', clientId: 'c', clientSecret: 's' }], aws: { region: 'eu-west-1', tables } }));
    const { out } = await run('--regions', 'eu-west-1,eu-central-1', '--user', 'ADA@example.com', '--dynamodb-endpoint', testDynamoEndpoint(), '--config', config, '--json');
    // github:42 in eu-west-1 and google:1077 in eu-central-1; not github:1077 (another person).
    expect(out.map((l) => { const e = JSON.parse(l) as { provider: string; userId: string; reason: string }; return `${e.provider}:${e.userId} ${e.reason}`; })).toEqual([
      'github:42 session',
      'github:42 store-unavailable',
      'google:1077 session-revoked',
    ]);
  } finally {
    client.destroy();
  }
});

describe('the stand-in is as strict as the API reference', () => {
  let client: CloudWatchLogsClient;
  beforeAll(() => {
    client = new CloudWatchLogsClient({ region: 'eu-west-1', endpoint: logs.endpoint, credentials: LOCAL_CREDENTIALS });
  });
  afterAll(() => client.destroy());

  test('limits: DescribeLogGroups 1-50, FilterLogEvents 1-10000; name pattern', async () => {
    await expect(client.send(new DescribeLogGroupsCommand({ limit: 51 }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(client.send(new FilterLogEventsCommand({ logGroupName: EDGE, limit: 0 }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(client.send(new FilterLogEventsCommand({ logGroupName: EDGE, limit: 10_001 }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'bad name' }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  test('exactly one of logGroupName and logGroupIdentifier; an unknown group is ResourceNotFoundException', async () => {
    await expect(client.send(new FilterLogEventsCommand({}))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(client.send(new FilterLogEventsCommand({ logGroupName: EDGE, logGroupIdentifier: EDGE }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(client.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/none' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  test('a page may be partly full with a nextToken; a token from another request, or made up, is refused', async () => {
    const first = await client.send(new FilterLogEventsCommand({ logGroupName: EDGE, limit: 1 }));
    expect(first.events).toHaveLength(1);
    expect(first.nextToken).toBeDefined();
    await expect(client.send(new FilterLogEventsCommand({ logGroupName: EDGE, limit: 2, nextToken: first.nextToken }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(client.send(new FilterLogEventsCommand({ logGroupName: EDGE, limit: 1, nextToken: 'made-up' }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    const second = await client.send(new FilterLogEventsCommand({ logGroupName: EDGE, limit: 1, nextToken: first.nextToken }));
    expect(second.events?.[0]?.timestamp).toBeGreaterThan(first.events![0]!.timestamp!);
  });

  test('a filter pattern it does not understand is refused, never ignored', async () => {
    await expect(client.send(new FilterLogEventsCommand({ logGroupName: EDGE, filterPattern: "{ $.durationUs > 10 }" }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });
});

async function run2(handle: CloudWatchLogsHandle, ...args: string[]): Promise<{ out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  await buildProgram({ out: (l) => out.push(l), err: (l) => err.push(l) }).parseAsync(['node', 'edge-oauth', 'logs', '--endpoint', handle.endpoint, ...args]);
  return { out, err };
}

async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
