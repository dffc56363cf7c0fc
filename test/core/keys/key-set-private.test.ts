/** The key set keeps its key material in private state: logging or serialising it shows no key. */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { KeySetError, SigningKeysMissingError } from '../../../lambdas/core/errors';
import { generateKeySetSecret, parseKeySet, sealingKey, sealingKeyBytes } from '../../../lambdas/core/keys/key-set';

describe('key set: secrets in private state', () => {
  const secret = generateKeySetSecret(randomBytes, 'k1');
  const doc = JSON.parse(secret) as { keys: Array<{ k: string }>; signing: { keys: Array<{ d: string }> } };
  const material = [...doc.keys.map((k) => k.k), ...doc.signing.keys.map((k) => k.d)];

  test('JSON.stringify, util.inspect and String of a parsed key set show no key material', () => {
    const keys = parseKeySet(secret);
    const shown = [JSON.stringify({ ...keys, byKid: [...keys.byKid.values()] }), inspect(keys, { depth: 10, showHidden: true }), String(keys.current)];
    for (const text of shown) for (const k of material) expect(text).not.toContain(k);
    for (const text of shown) expect(text).not.toContain(Buffer.from(sealingKeyBytes(keys.current)).toString('base64url'));
  });

  test('the key bytes are reachable only through sealingKeyBytes, and only for keys made by sealingKey', () => {
    const keys = parseKeySet(secret);
    expect(Object.keys(keys.current)).toEqual(['kid']);
    expect(sealingKeyBytes(keys.current)).toHaveLength(32);
    expect(() => sealingKeyBytes({ kid: 'forged' })).toThrow(KeySetError);
    expect(() => sealingKey('short', new Uint8Array(16))).toThrow(/32 bytes/);
  });

  test('a missing signing key names the CLI commands that add one, not a source-code call', () => {
    const error = new SigningKeysMissingError();
    expect(error.code).toBe('ERR_KEYSET_NO_SIGNING_KEYS');
    expect(error.message).toContain('npx edge-oauth keys add --signing');
    expect(error.message).toContain('keys promote');
    expect(error.message).not.toMatch(/\(\)|lambdas\//);
  });
});
