/**
 * jest globalSetup: ONE DynamoDB Local for the whole run (it takes ~3.5 s and ~220 MB).
 * Its endpoint reaches the test workers through process.env (workers are spawned after
 * this runs and inherit the environment); the handle stays on globalThis for teardown,
 * which runs in this same context.
 * If EDGE_OAUTH_TEST_DYNAMODB_ENDPOINT is already set, that server is used and none started.
 */
import { startDynamoDbLocal, type DynamoDbLocalHandle } from '../../local/emulators/dynamodb/dynamodb-local';

export const ENDPOINT_ENV = 'EDGE_OAUTH_TEST_DYNAMODB_ENDPOINT';

declare global {
  var __edgeOauthDynamoDb: DynamoDbLocalHandle | undefined;
}

export default async function globalSetup(): Promise<void> {
  if (process.env[ENDPOINT_ENV]) return;
  // ~3.5 s on a quiet machine; a JVM start on a loaded 2-core machine has taken over 30 s (the default).
  const dynamo = await startDynamoDbLocal({ startTimeoutMs: 120_000 });
  globalThis.__edgeOauthDynamoDb = dynamo;
  process.env[ENDPOINT_ENV] = dynamo.endpoint;
}
