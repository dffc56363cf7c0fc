/**
 * The key-set secret's `signing` member: asymmetric keys for the identity assertion.
 * Old secrets (no `signing`) stay valid; bad signing keys are refused with a message that
 * names the problem and never the key material.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  generateKeySetSecret,
  parseKeySet,
  retireSigningKeySecret,
  rotateKeySetSecret,
  rotateSigningKeySecret,
  withSigningKeys,
} from '../../lambdas/core/keys/key-set';
import { generateSigningJwk, parseSigningKeys, signingPrivateKey } from '../../lambdas/core/keys/signing-keys';

const OLD_SECRET = JSON.stringify({ current: 'k1', keys: [{ kid: 'k1', k: randomBytes(32).toString('base64url') }] });

function parseError(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected an error');
}

describe('key-set secret with signing keys', () => {
  test('a secret written before signing keys existed still parses, without signing keys', () => {
    const keys = parseKeySet(OLD_SECRET);
    expect(keys.current.kid).toBe('k1');
    expect(keys.signing).toBeUndefined();
  });

  test('generateKeySetSecret writes a sealing key and an ES256 signing key; EdDSA on request', () => {
    const doc = JSON.parse(generateKeySetSecret(randomBytes, 'k1', { kid: 's1' }));
    expect(doc.signing).toEqual({ current: 's1', keys: [expect.objectContaining({ kty: 'EC', crv: 'P-256', kid: 's1', alg: 'ES256', use: 'sig' })] });
    const keys = parseKeySet(JSON.stringify(doc));
    expect(keys.signing!.current).toEqual({ kid: 's1', alg: 'ES256' });

    const ed = parseKeySet(generateKeySetSecret(randomBytes, 'k1', { kid: 'e1', alg: 'EdDSA' }));
    expect(ed.signing!.current).toEqual({ kid: 'e1', alg: 'EdDSA' });
  });

  test('the JWKS lists the public part of every signing key, and nothing private', () => {
    let secret = generateKeySetSecret(randomBytes, 'k1', { kid: 's1' });
    secret = rotateSigningKeySecret(secret, 's2', { alg: 'EdDSA' });
    const { signing } = parseKeySet(secret);
    const jwks = JSON.parse(signing!.jwks) as { keys: Array<Record<string, string>> };
    expect(jwks.keys.map((k) => [k.kid, k.alg, k.kty, k.use])).toEqual([
      ['s1', 'ES256', 'EC', 'sig'],
      ['s2', 'EdDSA', 'OKP', 'sig'],
    ]);
    for (const key of jwks.keys) expect(key.d).toBeUndefined();
    expect(signing!.jwks).not.toContain('"d"');
  });

  test('the private key is not an enumerable part of the parsed key set', () => {
    const secret = generateKeySetSecret(randomBytes, 'k1', { kid: 's1' });
    const keys = parseKeySet(secret);
    const privateKey = signingPrivateKey(keys.signing!.current);
    const { d } = privateKey.export({ format: 'jwk' });
    // The key object is the secret's key (made once, at parse time).
    expect(d).toBe((JSON.parse(secret) as { signing: { keys: Array<{ d: string }> } }).signing.keys[0]!.d);
    expect([privateKey.type, privateKey.asymmetricKeyType]).toEqual(['private', 'ec']);
    expect(JSON.stringify({ ...keys.signing, byKid: [...keys.signing!.byKid.values()] })).not.toContain(d);
  });

  test('bad signing keys are refused with a stable code, a reason, and no key material', () => {
    const good = generateSigningJwk('s1');
    const other = generateSigningJwk('s2');
    const rsa = { ...(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }) as object), kid: 'r1' };
    const p384 = { ...(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'jwk' }) as object), kid: 'p1' };
    const cases: Array<[unknown, RegExp]> = [
      ['not an object', /expected \{"current"/],
      [{ keys: [] }, /no keys/],
      [{ keys: [{ ...good, kid: 'bad kid!' }] }, /keys\[0\]\.kid must match/],
      [{ keys: [good, { ...good }] }, /duplicate kid "s1"/],
      [{ current: 'nope', keys: [good] }, /current "nope" is not among the keys/],
      [{ keys: [rsa] }, /must be an EC P-256 key \(ES256\) or an OKP Ed25519 key \(EdDSA\)/],
      [{ keys: [p384] }, /must be an EC P-256 key/],
      [{ keys: [{ ...good, alg: 'ES384' }] }, /alg "ES384" does not fit its curve \(expected ES256\)/],
      [{ keys: [{ ...good, use: 'enc' }] }, /use must be "sig"/],
      [{ keys: [{ ...good, d: undefined }] }, /is a public key: the secret needs the private key \("d"\)/],
      [{ keys: [{ ...good, x: other.x, y: other.y }] }, /not a valid ES256 private key \(or its public part does not match "d"\)/],
      [{ keys: [{ ...good, d: 'AAAA' }] }, /not a valid ES256 private key/],
    ];
    for (const [signing, reason] of cases) {
      const error = parseError(() => parseKeySet(JSON.stringify({ ...JSON.parse(OLD_SECRET), signing })));
      expect([error.code, error.message]).toEqual(['ERR_KEYSET_INVALID', expect.stringMatching(reason)]);
      expect(error.message).toMatch(/^session key set: signing/);
      expect(error.message).not.toContain(good.d);
      expect(error.message).not.toContain(other.d);
    }
  });

  test('withSigningKeys upgrades an old secret, keeping its sealing keys; a secret that has them is left alone', () => {
    const upgraded = withSigningKeys(OLD_SECRET, { kid: 's1' });
    const doc = JSON.parse(upgraded);
    expect(doc.keys).toEqual(JSON.parse(OLD_SECRET).keys);
    expect(doc.current).toBe('k1');
    expect(parseKeySet(upgraded).signing!.current.kid).toBe('s1');
    expect(withSigningKeys(upgraded, { kid: 's9' })).toBe(upgraded);
  });

  test('signing-key rotation: add (current or only published), promote, retire; sealing rotation keeps signing keys', () => {
    const start = generateKeySetSecret(randomBytes, 'k1', { kid: 's1' });
    const published = rotateSigningKeySecret(start, 's2', { makeCurrent: false });
    expect(parseKeySet(published).signing!.current.kid).toBe('s1');
    expect([...parseKeySet(published).signing!.byKid.keys()]).toEqual(['s1', 's2']);
    const promoted = rotateSigningKeySecret(published, 's2');
    expect(parseKeySet(promoted).signing!.current.kid).toBe('s2');

    expect(parseError(() => retireSigningKeySecret(promoted, 's2')).message).toMatch(/"s2" is current/);
    expect(parseError(() => retireSigningKeySecret(promoted, 's7')).message).toMatch(/no signing key "s7"/);
    const retired = retireSigningKeySecret(promoted, 's1');
    expect([...parseKeySet(retired).signing!.byKid.keys()]).toEqual(['s2']);

    const sealingRotated = rotateKeySetSecret(retired, randomBytes, 'k2');
    expect(parseKeySet(sealingRotated).current.kid).toBe('k2');
    expect(parseKeySet(sealingRotated).signing!.current.kid).toBe('s2');
  });

  test('parseSigningKeys defaults current to the last key', () => {
    const set = parseSigningKeys({ keys: [generateSigningJwk('a'), generateSigningJwk('b', 'EdDSA')] });
    expect(set.current).toEqual({ kid: 'b', alg: 'EdDSA' });
  });
});
