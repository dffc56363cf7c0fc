/** The local Secrets Manager, driven by the real @aws-sdk/client-secrets-manager client. */
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { startSecretsManager, type SecretsManagerHandle } from '../../local/emulators/secrets-manager';

let sm: SecretsManagerHandle;
let client: SecretsManagerClient;

beforeAll(async () => {
  sm = await startSecretsManager({ secrets: { 'edge-oauth/google': '{"clientSecret":"g-secret"}' } });
  client = new SecretsManagerClient({
    endpoint: sm.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});

afterAll(async () => {
  client.destroy();
  await sm.close();
});

test('GetSecretValue by name returns the documented fields', async () => {
  const out = await client.send(new GetSecretValueCommand({ SecretId: 'edge-oauth/google' }));
  expect(out.Name).toBe('edge-oauth/google');
  expect(out.SecretString).toBe('{"clientSecret":"g-secret"}');
  expect(out.ARN).toMatch(/^arn:aws:secretsmanager:us-east-1:\d{12}:secret:edge-oauth\/google-[A-Za-z0-9]{6}$/);
  expect(out.VersionStages).toEqual(['AWSCURRENT']);
  expect(out.VersionId).toEqual(expect.any(String));
  expect(out.CreatedDate).toBeInstanceOf(Date);
});

test('GetSecretValue by ARN', async () => {
  const { ARN } = await client.send(new DescribeSecretCommand({ SecretId: 'edge-oauth/google' }));
  const out = await client.send(new GetSecretValueCommand({ SecretId: ARN }));
  expect(out.Name).toBe('edge-oauth/google');
  expect(out.SecretString).toBe('{"clientSecret":"g-secret"}');
});

test('an unknown secret is a ResourceNotFoundException', async () => {
  await expect(client.send(new GetSecretValueCommand({ SecretId: 'nope' }))).rejects.toMatchObject({
    name: 'ResourceNotFoundException',
    message: "Secrets Manager can't find the specified secret.",
    $metadata: expect.objectContaining({ httpStatusCode: 400 }),
  });
});

test('PutSecretValue then GetSecretValue gives the new value; the old one is AWSPREVIOUS', async () => {
  await client.send(new CreateSecretCommand({ Name: 'rotating', SecretString: 'v1' }));
  await expect(client.send(new CreateSecretCommand({ Name: 'rotating', SecretString: 'x' }))).rejects.toMatchObject({
    name: 'ResourceExistsException',
  });
  const put = await client.send(new PutSecretValueCommand({ SecretId: 'rotating', SecretString: 'v2' }));
  expect(put.VersionStages).toEqual(['AWSCURRENT']);
  expect((await client.send(new GetSecretValueCommand({ SecretId: 'rotating' }))).SecretString).toBe('v2');
  const previous = await client.send(new GetSecretValueCommand({ SecretId: 'rotating', VersionStage: 'AWSPREVIOUS' }));
  expect(previous.SecretString).toBe('v1');

  sm.put('rotating', 'v3');
  sm.put('from-handle', 'h1');
  expect((await client.send(new GetSecretValueCommand({ SecretId: 'rotating' }))).SecretString).toBe('v3');
  expect((await client.send(new GetSecretValueCommand({ SecretId: 'from-handle' }))).SecretString).toBe('h1');

  const described = await client.send(new DescribeSecretCommand({ SecretId: 'rotating' }));
  expect(Object.values(described.VersionIdsToStages ?? {}).flat().sort()).toEqual(['AWSCURRENT', 'AWSPREVIOUS']);
  const list = await client.send(new ListSecretsCommand({}));
  expect(list.SecretList?.map((s) => s.Name)).toEqual(expect.arrayContaining(['edge-oauth/google', 'rotating', 'from-handle']));
});

test('a request without an Authorization header is refused (so the SDK above did sign)', async () => {
  const res = await fetch(sm.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' },
    body: JSON.stringify({ SecretId: 'edge-oauth/google' }),
  });
  expect(res.status).toBe(400);
  expect(await res.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
});

test('an unknown operation is an UnknownOperationException', async () => {
  const res = await fetch(sm.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'secretsmanager.RotateEverything',
      authorization: 'AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/secretsmanager/aws4_request',
    },
    body: '{}',
  });
  expect(res.status).toBe(400);
  expect(await res.json()).toMatchObject({ __type: 'UnknownOperationException' });
});
