/**
 * The key-set generator custom resource (lib/key-set-generator): its handler run against the
 * local Secrets Manager (local/emulators/secrets-manager.ts) through the real AWS SDK client, its
 * output checked by the real key-set parser the functions use; the custom resource in a
 * synthesized stack, and the bundled code asset that stack stages, run the same way.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KeySetError } from '../../lambdas/core/errors';
import { generateKeySetSecret, parseKeySet, rotateKeySetSecret, rotateSigningKeySecret, sealingKeyBytes } from '../../lambdas/core/keys/key-set';
import { startSecretsManager, type SecretsManagerHandle } from '../../local/emulators/secrets-manager';
import { EdgeOAuthData } from '../../lib/edge-oauth-data';
import { keySetGeneratorBundle, withKeySetGeneratorDirectory } from '../../lib/key-set-generator/code';
import { ensureKeySet, handler, nextKeySetSecret, type KeySetEvent, type KeySetResponse } from '../../lib/key-set-generator/handler';
import { LAMBDA_RUNTIME } from '../../lib/runtime';
import { fixtureConfig, logicalId, nagFindings, ROOT } from './helpers';

const SECRET = 'fixture/session-keys';
const PLACEHOLDER = JSON.stringify({ pending: 'x', placeholder: 'AbCdEf0123456789AbCdEf0123456789' });
const ENV_KEYS = ['AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;

let sm: SecretsManagerHandle;
let client: SecretsManagerClient;
const savedEnv: Partial<Record<(typeof ENV_KEYS)[number], string | undefined>> = {};

beforeAll(async () => {
  sm = await startSecretsManager({ secrets: { [SECRET]: PLACEHOLDER } });
  for (const key of ENV_KEYS) savedEnv[key] = process.env[key];
  // The handler builds its own client, as in Lambda: point the SDK at the local endpoint.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  });
  client = new SecretsManagerClient({ endpoint: sm.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
});

afterAll(async () => {
  client?.destroy();
  await sm?.close();
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
});

const read = async () => (await client.send(new GetSecretValueCommand({ SecretId: SECRET }))).SecretString!;
const event = (RequestType: KeySetEvent['RequestType']): KeySetEvent => ({
  RequestType,
  ...(RequestType !== 'Create' && { PhysicalResourceId: SECRET }),
  ResourceProperties: { SecretId: SECRET },
});

/** Every private value of a key-set secret: sealing keys (`k`) and signing keys (`d`). */
function keyMaterial(secretString: string): string[] {
  const doc = JSON.parse(secretString) as { keys: { k: string }[]; signing?: { keys: { d: string }[] } };
  return [...doc.keys.map((k) => k.k), ...(doc.signing?.keys ?? []).map((k) => k.d)];
}

/** A key set as written before signing keys existed. */
const sealingOnly = (kid = 'k-old') => JSON.stringify({ current: kid, keys: [{ kid, k: randomBytes(32).toString('base64url') }] });

/** The handler's behaviour, for the handler in source and for the bundled asset the stack deploys. */
function describeHandler(name: string, run: () => (e: KeySetEvent) => Promise<KeySetResponse>): void {
  describe(name, () => {
    let log: jest.SpyInstance;
    beforeAll(() => sm.put(SECRET, PLACEHOLDER));
    beforeEach(() => {
      log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    });
    afterEach(() => log.mockRestore());

    it('Create replaces the placeholder with a complete key set (sealing and ES256 signing keys), and neither returns nor logs key material', async () => {
      const out = await run()(event('Create'));
      const value = await read();
      const keySet = parseKeySet(value);
      expect(sealingKeyBytes(keySet.current)).toHaveLength(32);
      expect(keySet.signing?.current.alg).toBe('ES256');
      const secrets = keyMaterial(value);
      expect(secrets).toHaveLength(2);
      for (const secret of secrets) {
        expect(JSON.stringify(out)).not.toContain(secret);
        expect(JSON.stringify(log.mock.calls)).not.toContain(secret);
      }
      expect(log).toHaveBeenCalledTimes(1);
      expect(out).toEqual({ PhysicalResourceId: SECRET, Data: { Action: 'generated' } });
    });

    it('Update leaves a complete key set alone (a deploy never rotates keys)', async () => {
      const before = await read();
      const out = await run()(event('Update'));
      expect(out.Data).toEqual({ Action: 'unchanged' });
      expect(await read()).toBe(before);
    });

    it('Update leaves a key set rotated by the operator alone (sealing and signing keys)', async () => {
      const rotated = rotateSigningKeySecret(rotateKeySetSecret(await read(), randomBytes, 'k-operator'), 's-operator');
      sm.put(SECRET, rotated);
      await run()(event('Update'));
      expect(await read()).toBe(rotated);
      expect(parseKeySet(rotated).current.kid).toBe('k-operator');
      expect(parseKeySet(rotated).signing?.current.kid).toBe('s-operator');
    });

    it('Update adds signing keys to a key set written before they existed, keeping its sealing keys', async () => {
      const before = sealingOnly();
      sm.put(SECRET, before);
      const out = await run()(event('Update'));
      expect(out.Data).toEqual({ Action: 'signing-keys-added' });
      const after = await read();
      const { signing, ...sealing } = JSON.parse(after) as Record<string, unknown>;
      expect(sealing).toEqual(JSON.parse(before));
      expect(signing).toBeDefined();
      expect(parseKeySet(after).signing?.current.alg).toBe('ES256');
      for (const secret of keyMaterial(after)) expect(JSON.stringify([out, log.mock.calls])).not.toContain(secret);
      // And the next deploy leaves the completed key set alone.
      expect((await run()(event('Update'))).Data).toEqual({ Action: 'unchanged' });
      expect(await read()).toBe(after);
    });

    it('Update repairs a value that is not a key set', async () => {
      sm.put(SECRET, 'not a key set');
      const out = await run()(event('Update'));
      expect(out.Data).toEqual({ Action: 'generated' });
      expect(parseKeySet(await read()).signing).toBeDefined();
    });

    it('Update refuses (and writes nothing) when the sealing keys are valid but the signing keys are not', async () => {
      const broken = JSON.parse(generateKeySetSecret(randomBytes, 'k-live')) as { signing: { keys: { d: string }[] } };
      broken.signing.keys[0]!.d = broken.signing.keys[0]!.d.slice(0, 10);
      const value = JSON.stringify(broken);
      sm.put(SECRET, value);
      const error = await run()(event('Update')).catch((e: unknown) => e as Error);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/signing\.keys\[0\].*sealing keys are valid/s);
      for (const secret of keyMaterial(value)) expect((error as Error).message).not.toContain(secret);
      expect(await read()).toBe(value);
    });

    it('Delete touches nothing (the secret has its own removal policy)', async () => {
      const before = await read();
      const out = await run()(event('Delete'));
      expect(out).toEqual({ PhysicalResourceId: SECRET });
      expect(await read()).toBe(before);
    });
  });
}

describeHandler('key-set generator (lib/key-set-generator/handler.ts)', () => handler);

describe('nextKeySetSecret: decided by parseKeySet, the parser the functions use', () => {
  const key = (n = 32) => Buffer.alloc(n, 7).toString('base64url');
  const complete = generateKeySetSecret(randomBytes, 'a');
  const notKeySets: Array<[string, string | undefined]> = [
    ['no value', undefined],
    ['not JSON', '{'],
    ['the placeholder', PLACEHOLDER],
    ['a JSON array', '[]'],
    ['no keys', JSON.stringify({ current: 'a', keys: [] })],
    ['31-byte key', JSON.stringify({ current: 'a', keys: [{ kid: 'a', k: key(31) }] })],
    ['33-byte key', JSON.stringify({ current: 'a', keys: [{ kid: 'a', k: key(33) }] })],
    ['duplicate kid', JSON.stringify({ current: 'a', keys: [{ kid: 'a', k: key() }, { kid: 'a', k: key() }] })],
    ['unknown current', JSON.stringify({ current: 'b', keys: [{ kid: 'a', k: key() }] })],
    ['bad kid', JSON.stringify({ current: 'a b', keys: [{ kid: 'a b', k: key() }] })],
    ['bad sealing keys and bad signing keys', JSON.stringify({ current: 'b', keys: [{ kid: 'a', k: key() }], signing: { keys: [] } })],
  ];

  it.each(notKeySets)('%s: a fresh, complete key set', (_name, value) => {
    if (value !== undefined) expect(() => parseKeySet(value)).toThrow(KeySetError);
    const change = nextKeySetSecret(value);
    expect(change.action).toBe('generated');
    expect(parseKeySet((change as { value: string }).value).signing).toBeDefined();
  });

  it.each([
    ['with a current', sealingOnly('a')],
    ['without a current: the last key is', JSON.stringify({ keys: [{ kid: 'a', k: key() }] })],
  ])('sealing keys only (%s): signing keys added, sealing keys kept', (_name, value) => {
    const change = nextKeySetSecret(value);
    expect(change.action).toBe('signing-keys-added');
    const after = (change as { value: string }).value;
    expect(sealingKeyBytes(parseKeySet(after).current)).toEqual(sealingKeyBytes(parseKeySet(value).current));
    expect(parseKeySet(after).signing).toBeDefined();
  });

  it('a complete key set: unchanged', () => {
    expect(nextKeySetSecret(complete)).toEqual({ action: 'unchanged' });
  });

  it.each([
    ['an empty signing key list', { keys: [] }],
    ['a public signing key', { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 's1' }] }],
    ['an unknown current signing key', { current: 's9', keys: (JSON.parse(complete) as { signing: { keys: unknown[] } }).signing.keys }],
  ])('valid sealing keys with %s: refused with parseKeySet\'s reason', (_name, signing) => {
    const value = JSON.stringify({ ...(JSON.parse(complete) as object), signing });
    expect(() => parseKeySet(value)).toThrow(KeySetError);
    expect(() => nextKeySetSecret(value)).toThrow(/session key set: signing.*sealing keys are valid/s);
  });

  it('ensureKeySet writes only when there is a change', async () => {
    const puts: string[] = [];
    const access = (value: string | undefined) => ({ get: async () => value, put: async (_id: string, v: string) => void puts.push(v) });
    expect(await ensureKeySet(SECRET, access(complete))).toEqual({ action: 'unchanged' });
    expect(puts).toEqual([]);
    expect(await ensureKeySet(SECRET, access(undefined))).toEqual({ action: 'generated' });
    expect(puts).toHaveLength(1);
  });
});

describe('the custom resource in a stack, and its code asset', () => {
  let outdir: string;
  let runDir: string;
  let resources: Record<string, { Type: string; Properties?: any }>;
  let stack: Stack;
  let assetDir: string;

  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-oauth-key-set-generator-test-'));
    const app = new App({ outdir });
    stack = new Stack(app, 'Data', { env: { region: 'us-east-1' } });
    new EdgeOAuthData(stack, 'Data', { config: fixtureConfig() });
    resources = Template.fromStack(stack).toJSON().Resources;
    const fn = Object.values(resources).find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Handler === '__entrypoint__.handler')!;
    assetDir = path.join(outdir, `asset.${(fn.Properties.Code.S3Key as string).replace(/\.zip$/, '')}`);
    // A copy inside the project, so that the bundle's `require('@aws-sdk/...')` finds node_modules.
    fs.mkdirSync(path.join(ROOT, 'test-output'), { recursive: true });
    runDir = fs.mkdtempSync(path.join(ROOT, 'test-output', 'key-set-generator-'));
    fs.copyFileSync(path.join(assetDir, 'index.js'), path.join(runDir, 'index.js'));
  });

  afterAll(() => {
    for (const dir of [outdir, runDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('one Custom::EdgeOAuthKeySet on the key-set secret, with the code hash as a property (a new handler runs on the deploy that brings it)', () => {
    const crs = Object.values(resources).filter((r) => r.Type === 'Custom::EdgeOAuthKeySet');
    expect(crs).toHaveLength(1);
    const keySet = logicalId(resources, 'AWS::SecretsManager::Secret', 'DataSessionKeySet');
    expect(crs[0]!.Properties).toEqual({
      ServiceToken: expect.anything(),
      SecretId: { Ref: keySet },
      CodeHash: keySetGeneratorBundle().hash,
    });
  });

  it('its function: the one runtime, the CDK entrypoint over the bundled handler; its role may get/put that secret only', () => {
    const fns = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(fns).toHaveLength(1);
    expect(fns[0]!.Properties.Runtime).toBe(LAMBDA_RUNTIME.name);
    const keySet = logicalId(resources, 'AWS::SecretsManager::Secret', 'DataSessionKeySet');
    const role = Object.values(resources).find((r) => r.Type === 'AWS::IAM::Role')!;
    expect(role.Properties.Policies[0].PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'], Resource: { Ref: keySet } },
    ]);
    expect(nagFindings(stack)).toEqual([]);
  });

  it('the asset holds the CDK entrypoint and the bundle: one file, the AWS SDK external, the key-set code of lambdas/core inside', () => {
    expect(fs.readdirSync(assetDir).sort()).toEqual(['__entrypoint__.js', 'index.js']);
    const js = fs.readFileSync(path.join(assetDir, 'index.js'), 'utf8');
    expect(js).toBe(Buffer.from(keySetGeneratorBundle().code).toString('utf8'));
    expect(js).toMatch(/require\("@aws-sdk\/client-secrets-manager"\)/);
    expect(js).not.toMatch(/@smithy\/|class SecretsManagerClient/);
    expect(js).toContain('lambdas/core/keys/key-set.ts');
    expect(js).not.toContain(ROOT); // no absolute paths: the same asset hash on every machine
  });

  it('the code directory is temporary: it exists while the provider copies it, and is gone after', () => {
    let seen = '';
    const files = withKeySetGeneratorDirectory((dir) => ((seen = dir), fs.readdirSync(dir)));
    expect(files).toEqual(['index.js']);
    expect(fs.existsSync(seen)).toBe(false);
  });

  describeHandler('the bundled asset', () => (jest.requireActual(path.join(runDir, 'index.js')) as { handler: typeof handler }).handler);
});
