/**
 * `edge-oauth keys` runs in process against the local Secrets Manager: listing never shows key
 * material, the three-step rotation keeps old cookies opening until the old key is retired,
 * the current key cannot be retired, changes soon after another ask for --yes, and the
 * failures an operator meets have clear messages.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { buildProgram } from '../../bin/cli';
import { generateKeySetSecret, parseKeySet } from '../../lambdas/core/keys/key-set';
import { open, seal } from '../../lambdas/core/keys/seal';
import { LOCAL_CREDENTIALS } from '../../local/emulators/dynamodb/dynamodb-local';
import { startSecretsManager, type SecretsManagerHandle } from '../../local/emulators/secrets-manager';

let sm: SecretsManagerHandle;
let client: SecretsManagerClient;
let counter = 0;

interface SecretDoc {
  current?: string;
  keys: Array<{ kid: string; k: string }>;
  signing?: { current?: string; keys: Array<{ kid: string; d: string; x: string }> };
}

/** A new secret holding `value`, and a config file naming it. */
function freshSecret(value: string): { secretId: string; config: string } {
  const secretId = `cli-keys/${process.pid}-${++counter}`;
  sm.put(secretId, value);
  const config = join(mkdtempSync(join(tmpdir(), 'edge-oauth-keys-')), 'edge-oauth.config.jsonc');
  const doc = {
    providers: [{ id: 'dev', type: 'oidc', issuer: 'https://idp.example.com', clientId: 'c', clientSecret: 's' }],
    aws: { region: 'eu-west-1', sessionKeysSecretId: secretId },
  };
  writeFileSync(config, `// test config\n${JSON.stringify(doc)}`);
  return { secretId, config };
}

async function run(...args: string[]): Promise<{ out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  await buildProgram({ out: (l) => out.push(l), err: (l) => err.push(l) }).parseAsync(['node', 'edge-oauth', ...args]);
  return { out: out.join('\n'), err: err.join('\n') };
}

/** `edge-oauth keys <args> --secrets-endpoint <local> --config <config>`. */
const keysCli = (config: string, ...args: string[]) => run('keys', ...args, '--secrets-endpoint', sm.endpoint, '--config', config);

async function secretOf(secretId: string): Promise<string> {
  return (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString!;
}

/** Every piece of private key material in a secret. */
function materialOf(secret: string): string[] {
  const doc = JSON.parse(secret) as SecretDoc;
  return [...doc.keys.map((k) => k.k), ...(doc.signing?.keys.map((k) => k.d) ?? [])];
}

beforeAll(async () => {
  sm = await startSecretsManager();
  client = new SecretsManagerClient({ region: 'eu-west-1', endpoint: sm.endpoint, credentials: LOCAL_CREDENTIALS });
});
afterAll(async () => {
  client?.destroy();
  await sm?.close();
});
afterEach(() => jest.restoreAllMocks());

test('list: kids, algorithms and which key is current, for sealing and signing; never key material', async () => {
  const initial = rotateForList();
  const { secretId, config } = freshSecret(initial);
  const table = await keysCli(config, 'list');
  expect(table.out).toMatch(new RegExp(`^key set "${secretId}" in eu-west-1, last changed \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC$`, 'm'));
  expect(table.out).toMatch(/^USE\s+KID\s+ALG\s+CURRENT$/m);
  expect(table.out).toMatch(/^sealing\s+k1\s+A256GCM$/m);
  expect(table.out).toMatch(/^sealing\s+k2\s+A256GCM\s+yes$/m);
  expect(table.out).toMatch(/^signing\s+s1\s+ES256\s+yes$/m);

  const json = await keysCli(config, 'list', '--json');
  expect(JSON.parse(json.out)).toEqual({
    secretId,
    region: 'eu-west-1',
    changedAt: expect.stringMatching(/Z$/),
    sealing: { current: 'k2', keys: [{ kid: 'k1', alg: 'A256GCM', current: false }, { kid: 'k2', alg: 'A256GCM', current: true }] },
    signing: { current: 's1', keys: [{ kid: 's1', alg: 'ES256', current: true }] },
  });

  const printed = [table.out, table.err, json.out, json.err].join('\n');
  for (const material of materialOf(initial)) expect(printed).not.toContain(material);
  expect(printed).not.toMatch(/"(k|d)"\s*:/);
});

/** A key set with two sealing keys (k2 current) and one signing key. */
function rotateForList(): string {
  const doc = JSON.parse(generateKeySetSecret(randomBytes, 'k1', { kid: 's1' })) as SecretDoc;
  doc.keys.push({ kid: 'k2', k: randomBytes(32).toString('base64url') });
  doc.current = 'k2';
  return JSON.stringify(doc);
}

test('add → promote → retire: a cookie sealed with the old key opens until the old key is retired', async () => {
  const { secretId, config } = freshSecret(generateKeySetSecret(randomBytes, 'k1', { kid: 's1' }));
  const keysNow = async () => parseKeySet(await secretOf(secretId));
  const old = await keysNow();
  const cookie = await seal({ sid: 'session-1' }, old.current);

  // 1. add: listed (so it opens), not current (k1 still seals).
  const added = await keysCli(config, 'add', '--kid', 'k2');
  expect(added.out).toContain(`added sealing key "k2" to "${secretId}" (eu-west-1), not current: "k1" still seals.`);
  expect(added.out).toContain('edge-oauth keys promote k2');
  let set = await keysNow();
  expect(set.current.kid).toBe('k1');
  expect([...set.byKid.keys()]).toEqual(['k1', 'k2']);
  expect(open(cookie, set)).toEqual({ sid: 'session-1' });

  // 2. promote right after the add: refused without --yes (containers cache for 5 minutes).
  await expect(keysCli(config, 'promote', 'k2')).rejects.toThrow(
    /^the key set last changed 0 minute\(s\) ago, and containers cache it for 5 minutes: a container that does not know "k2" yet refuses what it seals .*re-run with --yes if "k2" was added at least 10 minutes ago\.$/,
  );
  expect((await keysNow()).current.kid).toBe('k1');
  const promoted = await keysCli(config, 'promote', 'k2', '--yes');
  expect(promoted.out).toContain(`"k2" is now the current sealing key of "${secretId}"`);
  expect(promoted.out).toContain('Cookies sealed with "k1" still open until you retire it');
  set = await keysNow();
  expect(set.current.kid).toBe('k2');
  expect(open(cookie, set)).toEqual({ sid: 'session-1' });
  const newCookie = await seal({ sid: 'session-2' }, set.current);
  expect(await keysCli(config, 'promote', 'k2')).toEqual({ out: '"k2" is already the current sealing key; nothing changed', err: '' });

  // 3. retire: never the current key; the old one with a warning; then its cookie no longer opens.
  await expect(keysCli(config, 'retire', 'k2', '--yes')).rejects.toThrow('"k2" is the current sealing key: promote another key first');
  await expect(keysCli(config, 'retire', 'k1')).rejects.toThrow(/may still seal with "k1" if it was current before that change\. .*--yes if "k1" stopped being current at least 10 minutes ago\.$/);
  expect(open(cookie, await keysNow())).toEqual({ sid: 'session-1' });
  const retired = await keysCli(config, 'retire', 'k1', '--yes');
  expect(retired.err).toBe('warning: sessions whose cookie was sealed with "k1" must sign in again (their cookies, and the tokens stored under that key, no longer open).');
  expect(retired.out).toContain(`retired sealing key "k1" from "${secretId}"`);
  set = await keysNow();
  expect([...set.byKid.keys()]).toEqual(['k2']);
  expect(open(cookie, set)).toBeUndefined();
  expect(open(newCookie, set)).toEqual({ sid: 'session-2' });
  expect(set.signing?.current.kid).toBe('s1'); // the signing keys are untouched
});

test('promote needs no --yes once the key set has not changed for 10 minutes', async () => {
  const { secretId, config } = freshSecret(generateKeySetSecret(randomBytes, 'k1', { kid: 's1' }));
  await keysCli(config, 'add', '--kid', 'k2');
  const realNow = Date.now();
  jest.spyOn(Date, 'now').mockReturnValue(realNow + 9 * 60_000);
  await expect(keysCli(config, 'promote', 'k2')).rejects.toThrow(/last changed 9 minute\(s\) ago/);
  jest.spyOn(Date, 'now').mockReturnValue(realNow + 11 * 60_000);
  await keysCli(config, 'promote', 'k2');
  expect(parseKeySet(await secretOf(secretId)).current.kid).toBe('k2');
});

test('signing keys: add (published, not current), promote, refuse to retire the current one, retire the old one', async () => {
  const initial = generateKeySetSecret(randomBytes, 'k1', { kid: 's1' });
  const { secretId, config } = freshSecret(initial);
  const keysNow = async () => parseKeySet(await secretOf(secretId));

  const added = await keysCli(config, 'add', '--signing', '--kid', 's2', '--alg', 'EdDSA');
  expect(added.out).toContain(`added signing key "s2" to "${secretId}" (eu-west-1), not current: "s1" still signs.`);
  expect(added.out).toContain('edge-oauth keys promote s2 --signing');
  let set = await keysNow();
  expect(set.signing?.current.kid).toBe('s1');
  expect((JSON.parse(set.signing!.jwks) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid)).toEqual(['s1', 's2']);
  expect(set.signing?.byKid.get('s2')?.alg).toBe('EdDSA');

  await expect(keysCli(config, 'promote', 's2')).rejects.toThrow('no sealing key "s2" in secret'); // --signing forgotten
  await expect(keysCli(config, 'promote', 's2', '--signing')).rejects.toThrow(/verifiers may not have it in their JWKS/);
  const promoted = await keysCli(config, 'promote', 's2', '--signing', '--yes');
  expect(promoted.out).toContain('"s2" is now the current signing key');
  expect(promoted.out).toContain('"s1" stays in the JWKS until you retire it');
  set = await keysNow();
  expect(set.signing?.current.kid).toBe('s2');
  expect(set.current.kid).toBe('k1'); // the sealing keys are untouched

  await expect(keysCli(config, 'retire', 's2', '--signing', '--yes')).rejects.toThrow('"s2" is the current signing key');
  const retired = await keysCli(config, 'retire', 's1', '--signing', '--yes');
  expect(retired.err).toContain('identity assertions signed with "s1" no longer verify');
  set = await keysNow();
  expect([...set.signing!.byKid.keys()]).toEqual(['s2']);

  const listed = await keysCli(config, 'list');
  expect(listed.out).toMatch(/^signing\s+s2\s+EdDSA\s+yes$/m);
  for (const material of [...materialOf(initial), ...materialOf(await secretOf(secretId))]) expect(listed.out).not.toContain(material);
});

test('--json for add, promote and retire; warnings stay on stderr', async () => {
  const { secretId, config } = freshSecret(generateKeySetSecret(randomBytes, 'k1', { kid: 's1' }));
  const added = await keysCli(config, 'add', '--json');
  const { kid } = JSON.parse(added.out) as { kid: string };
  expect(kid).toMatch(/^k[0-9a-z]+$/);
  expect(JSON.parse(added.out)).toEqual({ action: 'added', kind: 'sealing', kid, current: false, secretId, region: 'eu-west-1' });
  expect(JSON.parse((await keysCli(config, 'promote', kid, '--yes', '--json')).out)).toEqual({ action: 'promoted', kind: 'sealing', kid, current: true, previous: 'k1' });
  expect(JSON.parse((await keysCli(config, 'promote', kid, '--json')).out)).toEqual({ action: 'unchanged', kind: 'sealing', kid, current: true, previous: kid });
  const retired = await keysCli(config, 'retire', 'k1', '--yes', '--json');
  expect(JSON.parse(retired.out)).toEqual({ action: 'retired', kind: 'sealing', kid: 'k1' });
  expect(retired.err).toMatch(/^warning: sessions whose cookie was sealed with "k1" must sign in again/);

  const signing = JSON.parse((await keysCli(config, 'add', '--signing', '--json')).out) as { kid: string };
  expect(signing).toEqual({ action: 'added', kind: 'signing', kid: expect.stringMatching(/^s[0-9a-z]+$/), current: false, secretId, region: 'eu-west-1' });
});

test('older key sets: without "current", add keeps the implicit current key; without signing keys, the first one added is current', async () => {
  const legacy = JSON.parse(generateKeySetSecret(randomBytes, 'k1')) as SecretDoc;
  delete legacy.current;
  delete legacy.signing;
  const { secretId, config } = freshSecret(JSON.stringify(legacy));
  const listed = await keysCli(config, 'list');
  expect(listed.out).toContain('no signing keys');

  await keysCli(config, 'add', '--kid', 'k2');
  expect(parseKeySet(await secretOf(secretId)).current.kid).toBe('k1');
  const signing = await keysCli(config, 'add', '--signing', '--kid', 's1');
  expect(signing.out).toContain('added signing key "s1"');
  expect(signing.out).toContain('it is current: the key set had no signing keys');
  expect(parseKeySet(await secretOf(secretId)).signing?.current.kid).toBe('s1');
});

test('clear messages: a missing secret, an unknown or duplicate kid, a bad kid, a value that is not a key set, Secrets Manager out of reach', async () => {
  const { config } = freshSecret(generateKeySetSecret(randomBytes, 'k1', { kid: 's1' }));
  const placeholder = freshSecret('placeholder');
  const notKeySet = freshSecret('{"placeholder": true}');

  const nowhere = join(mkdtempSync(join(tmpdir(), 'edge-oauth-keys-')), 'edge-oauth.config.jsonc');
  writeFileSync(nowhere, JSON.stringify({ providers: [{ id: 'dev', type: 'oidc', issuer: 'https://idp.example.com', clientId: 'c', clientSecret: 's' }], aws: { region: 'eu-west-1', sessionKeysSecretId: 'nope/keys' } }));
  await expect(keysCli(nowhere, 'list')).rejects.toThrow(
    `secret "nope/keys" not found in eu-west-1 (endpoint ${sm.endpoint}). Check --region, --secrets-endpoint and aws.sessionKeysSecretId in --config.`,
  );
  await expect(keysCli(placeholder.config, 'list')).rejects.toThrow(`secret "${placeholder.secretId}" in eu-west-1 (endpoint ${sm.endpoint}) is not a valid key set: session key set: the secret is not JSON`);
  await expect(keysCli(notKeySet.config, 'add')).rejects.toThrow(/is not a valid key set: session key set: expected/);
  await expect(keysCli(config, 'promote', 'k9', '--yes')).rejects.toThrow(/^no sealing key "k9" in secret "cli-keys\/.*" \(sealing keys: k1\)$/);
  await expect(keysCli(config, 'retire', 's9', '--signing')).rejects.toThrow(/^no signing key "s9" in secret .* \(signing keys: s1\)$/);
  await expect(keysCli(config, 'add', '--kid', 'k1')).rejects.toThrow(/^there is already a sealing key "k1"/);
  await expect(keysCli(config, 'add', '--signing', '--kid', 's1')).rejects.toThrow(/^there is already a signing key "s1"/);
  await expect(keysCli(config, 'add', '--kid', 'bad kid')).rejects.toThrow('session key set: kid "bad kid" must match');
  await expect(keysCli(config, 'add', '--signing', '--kid', 'bad/kid')).rejects.toThrow('kid "bad/kid" must match');
  await expect(keysCli(config, 'add', '--signing', '--alg', 'RS256')).rejects.toThrow('--alg: "RS256" is not one of ES256, EdDSA');
  await expect(keysCli(config, 'add', '--alg', 'EdDSA')).rejects.toThrow('--alg is for signing keys: add --signing');
  await expect(run('keys', 'list', '--secrets-endpoint', 'http://127.0.0.1:9', '--config', config)).rejects.toThrow(
    /^cannot use Secrets Manager in eu-west-1 \(endpoint http:\/\/127\.0\.0\.1:9\): GetSecretValue failed \(.*\)\. Check the endpoint, the region and your AWS credentials\.$/,
  );
});
