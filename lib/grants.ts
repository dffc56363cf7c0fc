/** The IAM grants of edge-oauth's functions: exact secret ARNs, and per table only the actions listed in TABLE_ACCESS. */
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { TableRole } from './edge-oauth-data';

/**
 * The DynamoDB actions each function uses, per table. Keep in step with lambdas/store
 * (GetItem with ConsistentRead, conditional PutItem, UpdateItem; no Query, Scan or Delete:
 * those are the operator CLI's; test/cdk/table-access.test.ts compares). Transactions need
 * the per-item actions only: "Permissions for Put, Update, Delete, and Get actions are
 * governed by the permissions used for the underlying PutItem, UpdateItem, DeleteItem, and
 * GetItem operations. For the ConditionCheck action, you can use the
 * dynamodb:ConditionCheckItem permission" (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html),
 * and no store writes a ConditionCheck.
 */
export const TABLE_ACCESS: Record<'viewerRequest' | 'callback' | 'admin', Record<TableRole, readonly string[]>> = {
  // Session checks (revocation, inactivity, last activity, refresh lease), logout
  // (revocation), the continuous-authorization App User update, the monthly MAU mark
  // (on global tables: looked for near with GetItem, then counted at home).
  viewerRequest: {
    sessions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    users: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    mau: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  },
  // Sign-in: the single-use state, the session, the App User upsert, the MAU mark.
  callback: {
    sessions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    users: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    mau: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
  },
  // The admin console (lib/admin-console.ts): its own session check and revoke, reading
  // users and MAU counts (counter items, one region or global: never the marks, so no
  // Query on the mau table), and dropping a user's kept refresh token when all of their
  // sessions are revoked. Its Query on the indexes is granted on the index ARNs there.
  // test/cdk/admin-console-global.test.ts runs every page against the synthesized role.
  admin: {
    sessions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    users: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    mau: ['dynamodb:GetItem'],
  },
};

/**
 * Grants `access` (actions per table role) on the table ARNs, and on their replicas' ARNs
 * (global tables: a function uses the copy nearest to it); a role with no actions gets nothing.
 */
export function grantTables(
  grantee: iam.IGrantable,
  tables: Record<TableRole, dynamodb.ITable>,
  access: Record<TableRole, readonly string[]>,
  replicaArns: (role: TableRole) => string[] = () => [],
): void {
  for (const [role, actions] of Object.entries(access) as [TableRole, readonly string[]][]) {
    if (actions.length === 0) continue;
    iam.Grant.addToPrincipal({ grantee, actions: [...actions], resourceArns: [tables[role].tableArn, ...replicaArns(role)] });
  }
}

/** `secretsmanager:GetSecretValue` on exactly these secret ARNs. */
export function grantGetSecretValue(grantee: iam.IGrantable, resourceArns: string[]): void {
  iam.Grant.addToPrincipal({ grantee, actions: ['secretsmanager:GetSecretValue'], resourceArns });
}
