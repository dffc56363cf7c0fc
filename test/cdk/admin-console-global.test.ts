/**
 * The admin console on global tables (`aws.replicaRegions`, issue #23 item 5): every store
 * call its pages make, through the global-tables stores it runs with, is allowed by the
 * role synthesized for that variant. The calls are recorded on a client that answers like
 * an empty table (no AWS); each is matched to the role's statements by action and resource
 * (the table's ARN, or the index's ARN for a Query on an index). On the single-region
 * variant, test/cdk/admin-console.test.ts checks the role's exact action set.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Template } from 'aws-cdk-lib/assertions';
import { overviewView, userView, usersView } from '../../lambdas/core/admin/views';
import { revokeOneSession, revokeUserSessions } from '../../lambdas/core/session/revoke';
import { globalStores } from '../../lambdas/store/global/stores';
import { EdgeOAuthStack } from '../../lib/edge-oauth-stack';
import { appWithoutBundling, fixtureConfig } from './helpers';

const REPLICAS = ['eu-west-1', 'ap-southeast-2'];
const base = fixtureConfig();
const config = { ...base, aws: { ...base.aws, replicaRegions: REPLICAS }, admin: { emails: ['boss@example.com'] } };
const template = Template.fromStack(new EdgeOAuthStack(appWithoutBundling(), 'Global', { env: { region: 'us-east-1' }, config }));
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: any }>;

/** The table's logical id (the role's resources refer to it). */
const tableId = (name: string) => Object.entries(resources).find(([, r]) => r.Type === 'AWS::DynamoDB::GlobalTable' && r.Properties.TableName === name)![0];

interface Call {
  readonly action: string;
  readonly table: string;
  readonly index?: string | undefined;
}

/** A DynamoDB client that records every call (and each item of a transaction) and answers like an empty table. */
function recordingClient(calls: Call[]): DynamoDBClient {
  const send = async (command: { constructor: { name: string }; input: Record<string, any> }) => {
    const action = command.constructor.name.replace(/Command$/, '');
    if (action === 'TransactWriteItems') {
      for (const item of command.input.TransactItems) for (const [kind, entry] of Object.entries(item as Record<string, any>)) calls.push({ action: `${kind}Item`.replace('UpdateItem', 'UpdateItem'), table: entry.TableName });
      return {};
    }
    calls.push({ action, table: command.input.TableName, index: command.input.IndexName });
    return action === 'Query' ? { Items: [] } : {};
  };
  return { send } as unknown as DynamoDBClient;
}

/** The admin role's statements, as (action, resource JSON) pairs. */
function adminGrants(): { action: string; resource: string }[] {
  const role = Object.entries(resources).find(([id, r]) => r.Type === 'AWS::IAM::Role' && id.startsWith('EdgeOAuthAdminConsoleRole'))![0];
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: { Ref: string }) => x.Ref === role))
    .flatMap((r) => r.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
    .flatMap((s) => [s.Action].flat().flatMap((action) => [s.Resource].flat().map((resource) => ({ action, resource: JSON.stringify(resource) }))));
}

function allowed(call: Call, grants: { action: string; resource: string }[]): boolean {
  const id = tableId(call.table);
  return grants.some((g) => {
    if (g.action !== `dynamodb:${call.action}` || !g.resource.includes(`"${id}"`)) return false;
    // An index is its own resource (…/index/<name>); the table's ARN does not cover it, nor the reverse.
    return call.index !== undefined ? g.resource.includes(`/index/${call.index}`) : !g.resource.includes('/index/');
  });
}

test('every page of the console (overview, users, a user, revoke) makes only calls its synthesized role allows', async () => {
  const calls: Call[] = [];
  const client = recordingClient(calls);
  // The console runs in the primary region: the nearest copy is the primary.
  const stores = globalStores(config.aws.tables, client, client);
  const now = Date.UTC(2031, 5, 15) / 1000;
  await overviewView(stores, now);
  await usersView(stores, {});
  await usersView(stores, { email: 'ada@example.com' });
  const user = { provider: 'corp', userId: 'u-1', email: 'ada@example.com', firstSeenAt: now, lastSeenAt: now, signIns: 1 } as never;
  await userView(stores, user, now);
  await revokeOneSession(stores.sessions, 'sid-1', now);
  await revokeUserSessions(stores.sessions, user, now);
  expect(calls.length).toBeGreaterThan(0);
  const grants = adminGrants();
  const refused = calls.filter((c) => !allowed(c, grants));
  expect(refused).toEqual([]);
});

test('the overview reads a bounded number of items per month (counters, never the marks): no Query on the mau table', async () => {
  const calls: Call[] = [];
  const client = recordingClient(calls);
  await overviewView(globalStores(config.aws.tables, client, client), Date.UTC(2031, 5, 15) / 1000);
  const mau = calls.filter((c) => c.table === config.aws.tables.mau);
  expect(mau.every((c) => c.action === 'GetItem')).toBe(true);
  expect(mau.length).toBe(12 * 17); // twelve months, MAU_SHARDS + 1 counters each, whatever the MAU
});
