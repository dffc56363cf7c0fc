/**
 * The DynamoDB actions granted to the functions (lib/grants.ts TABLE_ACCESS) are the ones
 * lambdas/store performs, and no more (issue #15: `ConditionCheckItem` was granted, and no
 * store ever wrote a ConditionCheck). Each action is found in the store code as the command
 * or the transaction entry that needs it; an action with no such use fails here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TABLE_ACCESS } from '../../lib/grants';
import { ROOT } from './helpers';

/** What in the store code needs each action (a command, or an entry of TransactWriteItems). */
const USES: Record<string, RegExp> = {
  'dynamodb:GetItem': /\bGetItemCommand\b/,
  'dynamodb:PutItem': /\bPutItemCommand\b|\bPut: /,
  'dynamodb:UpdateItem': /\bUpdateItemCommand\b|\bUpdate: /,
  'dynamodb:DeleteItem': /\bDeleteItemCommand\b|\bDelete: /,
  // A ConditionCheck entry of TransactWriteItems (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html).
  'dynamodb:ConditionCheckItem': /\bConditionCheck: /,
  'dynamodb:Query': /\bQueryCommand\b/,
  'dynamodb:Scan': /\bScanCommand\b/,
};

// The DynamoDB stores: one region (lambdas/store/dynamodb/) and global tables (lambdas/store/global/).
const storeCode = ['dynamodb', 'global']
  .flatMap((folder) =>
    fs
      .readdirSync(path.join(ROOT, 'lambdas', 'store', folder))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => fs.readFileSync(path.join(ROOT, 'lambdas', 'store', folder, f), 'utf8')),
  )
  .join('\n');

const granted = [...new Set(Object.values(TABLE_ACCESS).flatMap((perTable) => Object.values(perTable).flat()))].sort();

test.each(granted)('%s is used by lambdas/store', (action) => {
  expect(USES[action]).toBeDefined();
  expect(storeCode).toMatch(USES[action]!);
});

test('the functions never get the operator-only actions (Query, Scan, DeleteItem) nor ConditionCheckItem', () => {
  for (const action of ['dynamodb:Query', 'dynamodb:Scan', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem']) expect(granted).not.toContain(action);
});
