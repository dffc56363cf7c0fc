/**
 * `deployedDeps` (lambdas/runtime/deployed.ts), the wiring of every deployed function, pointed at
 * the local peers as local/stack/stack.ts does: its key set comes from Secrets Manager and its stores
 * reach DynamoDB with the credentials passed in, with nothing written to process.env.
 * (The integration tests run the same wiring through local/stack/stack.ts.)
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { generateKeySetSecret } from '../../lambdas/core/keys/key-set';
import { consoleLogger } from '../../lambdas/runtime/console-logger';
import { deployedDeps, type DeployedOverrides } from '../../lambdas/runtime/deployed';
import { createTables, LOCAL_CREDENTIALS } from '../../local/emulators/dynamodb/dynamodb-local';
import { startSecretsManager, type SecretsManagerHandle } from '../../local/emulators/secrets-manager';
import { devConfig } from '../../local/stack/stack';
import { testDynamoEndpoint } from '../support/dynamodb';

const suffix = randomUUID().slice(0, 8);
const config = devConfig('https://idp.example.com', {}, { sessions: `sessions-${suffix}`, users: `users-${suffix}`, mau: `mau-${suffix}` });
let sm: SecretsManagerHandle;
let local: DeployedOverrides;

beforeAll(async () => {
  sm = await startSecretsManager({});
  sm.put(config.aws.sessionKeysSecretId, generateKeySetSecret(randomBytes, 'deployed-1', { kid: 'deployed-signing-1' }));
  await createTables({ endpoint: testDynamoEndpoint(), region: config.aws.region, names: config.aws.tables });
  local = { dynamodbEndpoint: testDynamoEndpoint(), secretsManagerEndpoint: sm.endpoint, credentials: LOCAL_CREDENTIALS, log: null };
});
afterAll(() => sm.close());

test('with local endpoints and credentials, the key set and the stores work, and process.env is left alone', async () => {
  const before = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  const deps = deployedDeps(config, local);
  const keys = await deps.keys();
  expect(keys.current.kid).toBe('deployed-1');
  expect(keys.signing?.current.kid).toBe('deployed-signing-1');
  expect(await deps.users.getUser('dev', 'nobody')).toBeUndefined();
  expect(await deps.mau.markActive({ provider: 'dev', userId: 'u1', month: '2026-01', at: 1 })).toBe(true);
  expect(await deps.mau.count('2026-01')).toBe(1);
  expect({ id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY }).toEqual(before);
});

test('the request log: consoleLogger when deployed, none when the local stack is given none', () => {
  expect(deployedDeps(config).log).toBe(consoleLogger);
  expect('log' in deployedDeps(config, local)).toBe(false);
});

test('a clock passed in is the handlers\' clock', () => {
  const clock = () => 1_700_000_000_000;
  expect(deployedDeps(config, { ...local, clock }).clock).toBe(clock);
});
