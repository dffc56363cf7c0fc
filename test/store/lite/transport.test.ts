/**
 * The small client's bounds and retries (lambdas/store/lite/aws-json.ts) keep what the SDK
 * clients gave the viewer: the call deadline ends a call whatever its attempts, the
 * per-attempt request timeout is a retried TimeoutError, a 5xx or throttling answer is retried
 * up to maxAttempts, a client error is not; and the secret reader (lambdas/store/aws/secrets.ts)
 * reads the local Secrets Manager (local/emulators/secrets-manager.ts) through it, refusing unsigned requests.
 */
jest.mock('@aws-sdk/client-secrets-manager', () => jest.requireActual('../../../lambdas/store/lite/secrets-manager'));

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StoreError } from '../../../lambdas/core/errors';
import { AwsJsonClient, retryKind } from '../../../lambdas/store/lite/aws-json';
import { DynamoDBClient, GetItemCommand } from '../../../lambdas/store/lite/dynamodb';
import { createSecretReader, SECRETS_MANAGER_TIMEOUTS } from '../../../lambdas/store/aws/secrets';
import { withCallDeadline } from '../../../lambdas/store/aws/clients';
import { LOCAL_CREDENTIALS } from '../../../local/emulators/dynamodb/dynamodb-local';
import { startSecretsManager } from '../../../local/emulators/secrets-manager';
import { startSilentServer, type SilentServer } from '../../support/silent-server';

let silent: SilentServer;
beforeAll(async () => {
  silent = await startSilentServer();
});
afterAll(() => silent.close());

/** A peer answering from a script: one [status, body] per request, the last repeated. */
async function scripted(answers: Array<[number, object]>): Promise<{ endpoint: string; requests: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const [status, body] = answers[Math.min(n++, answers.length - 1)]!;
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => n, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

const get = new GetItemCommand({ TableName: 't', Key: { pk: { S: 'x' } } });

test('the call deadline ends a call whose attempts alone could run 2 × 8 s', async () => {
  const client = withCallDeadline(new DynamoDBClient({ region: 'us-east-1', endpoint: silent.endpoint, credentials: LOCAL_CREDENTIALS, maxAttempts: 2, requestHandler: { connectionTimeout: 1000, requestTimeout: 8000 } }), 400);
  const started = Date.now();
  const error = await client.send(get).catch((e: unknown) => e);
  expect(error).toMatchObject({ name: 'AbortError' });
  expect(Date.now() - started).toBeGreaterThanOrEqual(350);
  expect(Date.now() - started).toBeLessThan(2000);
});

test('an attempt past requestTimeout is a TimeoutError, retried up to maxAttempts', async () => {
  const before = silent.connections();
  const client = new DynamoDBClient({ region: 'us-east-1', endpoint: silent.endpoint, credentials: LOCAL_CREDENTIALS, maxAttempts: 2, requestHandler: { connectionTimeout: 1000, requestTimeout: 150 } });
  const error = await client.send(get).catch((e: unknown) => e);
  expect(error).toMatchObject({ name: 'TimeoutError' });
  expect(silent.connections() - before).toBe(2);
  client.destroy();
});

test.each<[string, Array<[number, object]>, number, string | undefined]>([
  ['a 500, then success', [[500, { __type: 'InternalServerError', message: 'x' }], [200, {}]], 2, undefined],
  ['throttling, then success', [[400, { __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message: 'slow down' }], [200, {}]], 2, undefined],
  ['a client error (not retried)', [[400, { __type: 'com.amazonaws.dynamodb.v20120810#ValidationException', message: 'bad' }]], 1, 'ValidationException'],
  ['500s past maxAttempts', [[503, { __type: 'ServiceUnavailable', message: 'x' }]], 2, 'ServiceUnavailable'],
])('%s: %i request(s)', async (_what, answers, requests, errorName) => {
  const peer = await scripted(answers);
  const client = new DynamoDBClient({ region: 'us-east-1', endpoint: peer.endpoint, credentials: LOCAL_CREDENTIALS, maxAttempts: 2 });
  const outcome = await client.send(get).then(() => undefined, (e: { name: string }) => e.name);
  expect(outcome).toBe(errorName);
  expect(peer.requests()).toBe(requests);
  client.destroy();
  await peer.close();
});

test('what the SDK retries: throttling codes and 429, transient codes, 5xx, network errors; not client errors', () => {
  expect(retryKind({ name: 'ThrottlingException' })).toBe('throttling');
  expect(retryKind({ name: 'X', $metadata: { httpStatusCode: 429 } })).toBe('throttling');
  expect(retryKind({ name: 'TimeoutError' })).toBe('transient');
  expect(retryKind({ name: 'Error', code: 'ECONNRESET' })).toBe('transient');
  expect(retryKind({ name: 'X', $metadata: { httpStatusCode: 502 } })).toBe('transient');
  expect(retryKind({ name: 'ConditionalCheckFailedException', $metadata: { httpStatusCode: 400 } })).toBeUndefined();
  expect(retryKind({ name: 'AbortError' })).toBeUndefined();
});

test('no credentials anywhere: a CredentialsProviderError, not an unsigned request', async () => {
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, key: process.env.AWS_SECRET_ACCESS_KEY };
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
  try {
    const client = new AwsJsonClient({ service: 'dynamodb', targetPrefix: 'DynamoDB_20120810', contentType: 'application/x-amz-json-1.0', endpointEnv: 'DYNAMODB' }, { region: 'us-east-1', endpoint: silent.endpoint });
    await expect(client.call('GetItem', {})).rejects.toMatchObject({ name: 'CredentialsProviderError' });
  } finally {
    if (saved.id !== undefined) process.env.AWS_ACCESS_KEY_ID = saved.id;
    if (saved.key !== undefined) process.env.AWS_SECRET_ACCESS_KEY = saved.key;
  }
});

describe('the secret reader through the small Secrets Manager client', () => {
  test('reads a secret from the local Secrets Manager, signed; a missing one is a StoreError naming it', async () => {
    const sm = await startSecretsManager({ secrets: { 'edge-oauth/session-keys': '{"k":"v"}' } });
    try {
      const read = createSecretReader({ region: 'us-east-1', endpoint: sm.endpoint, credentials: LOCAL_CREDENTIALS });
      expect(await read({ secretId: 'edge-oauth/session-keys', jsonKey: 'k' })).toBe('v');
      const missing = await read({ secretId: 'nope' }).catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(StoreError);
      expect((missing as Error).message).toContain('"nope" (ResourceNotFoundException)');
    } finally {
      await sm.close();
    }
  });

  test('a Secrets Manager that never answers fails within SECRETS_MANAGER_TIMEOUTS.deadlineMs', async () => {
    const read = createSecretReader({ region: 'us-east-1', endpoint: silent.endpoint, credentials: LOCAL_CREDENTIALS });
    const started = Date.now();
    await expect(read({ secretId: 'edge-oauth/session-keys' })).rejects.toBeInstanceOf(StoreError);
    expect(Date.now() - started).toBeLessThan(SECRETS_MANAGER_TIMEOUTS.deadlineMs + 700);
  }, 10_000);
});
