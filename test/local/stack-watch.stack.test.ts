/**
 * The local stack watches the DynamoDB Local it started: killed under the stack, it is logged
 * (how it ended) and started again on the same endpoint with the tables; a part that keeps
 * dying stops the stack with an error instead of leaving everyone on a 503 with no line saying why.
 */
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS, startDynamoDbLocal } from '../../local/emulators/dynamodb/dynamodb-local';
import { startLocalStack } from '../../local/stack/stack';
import { superviseDynamoDbLocal } from '../../local/stack/supervise';

async function waitFor(check: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('DynamoDB Local killed under the stack: the exit is logged, it is restarted on the same endpoint with the tables', async () => {
  const lines: string[] = [];
  const fatal: Error[] = [];
  const stack = await startLocalStack({ partLog: (l) => lines.push(l), onFatal: (e) => fatal.push(e) });
  const client = new DynamoDBClient({ region: 'us-east-1', endpoint: stack.endpoints.dynamodb, credentials: LOCAL_CREDENTIALS });
  try {
    const before = (await client.send(new ListTablesCommand({}))).TableNames;
    const pid = stack.dynamoDbLocalPid()!;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => lines.some((l) => l.includes('is back')), 60_000);
    expect(lines[0]).toBe(`edge-oauth local stack: DynamoDB Local (pid ${pid}) exited (SIGKILL)`);
    expect(lines[1]).toMatch(/^edge-oauth local stack: restarting DynamoDB Local on http:\/\/127\.0\.0\.1:\d+ \(1\/3\); its tables were in memory/);
    expect(stack.dynamoDbLocalPid()).not.toBe(pid);
    expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual(before);
    expect(fatal).toEqual([]);
  } finally {
    client.destroy();
    await stack.close();
  }
}, 120_000);

test('a part that keeps dying: an error for the caller to stop the stack with, not silent restarts', async () => {
  const first = await startDynamoDbLocal();
  const lines: string[] = [];
  const fatal: Error[] = [];
  const watched = superviseDynamoDbLocal(first, { afterRestart: async () => undefined, log: (l) => lines.push(l), onFatal: (e) => fatal.push(e), maxRestarts: 0 });
  try {
    process.kill(first.pid!, 'SIGKILL');
    await waitFor(() => fatal.length > 0, 30_000);
    expect(fatal[0]!.message).toBe('DynamoDB Local exited 1 times in 10 minutes; stopping the stack (sessions cannot be checked without it)');
    expect(lines).toEqual([`edge-oauth local stack: DynamoDB Local (pid ${first.pid}) exited (SIGKILL)`]);
  } finally {
    await watched.close();
  }
}, 60_000);
