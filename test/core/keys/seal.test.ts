import { compactDecrypt, CompactEncrypt } from 'jose';
import { randomBytes } from 'node:crypto';
import { KeySetError } from '../../../lambdas/core/errors';
import { generateKeySetSecret, parseKeySet, rotateKeySetSecret, sealingKeyBytes } from '../../../lambdas/core/keys/key-set';
import { MAX_SEALED_LENGTH, open, seal } from '../../../lambdas/core/keys/seal';
import { testKeys } from '../fixtures';

describe('seal / open (compact JWE, dir + A256GCM)', () => {
  const keys = testKeys('k1');

  test('round trip, with the kid in the protected header', async () => {
    const token = seal({ sid: 's', n: 1 }, keys.current);
    expect(token.split('.')).toHaveLength(5);
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).toEqual({ alg: 'dir', enc: 'A256GCM', kid: 'k1' });
    expect(open(token, keys)).toEqual({ sid: 's', n: 1 });
  });

  test('interoperable: jose opens what we seal, and we open what jose seals', async () => {
    const token = seal({ hello: 'world', name: 'Zoë 名前 ✓' }, keys.current);
    const { plaintext, protectedHeader } = await compactDecrypt(token, sealingKeyBytes(keys.current), {
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
    });
    expect(JSON.parse(new TextDecoder().decode(plaintext))).toEqual({ hello: 'world', name: 'Zoë 名前 ✓' });
    expect(protectedHeader).toEqual({ alg: 'dir', enc: 'A256GCM', kid: 'k1' });

    const byJose = await new CompactEncrypt(new TextEncoder().encode('{"a":[1,2]}'))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: 'k1' })
      .encrypt(sealingKeyBytes(keys.current));
    expect(open(byJose, keys)).toEqual({ a: [1, 2] });
  });

  test('byte for byte the token jose makes with the same key and IV (jose is the reference: we seal with node:crypto)', async () => {
    const payload = { sid: 's', grp: ['a', 'b'], name: 'Zoë' };
    const token = seal(payload, keys.current);
    // Synchronous: a string, not a promise.
    expect(typeof token).toBe('string');
    const [header, encryptedKey, iv, , tag] = token.split('.') as [string, string, string, string, string];
    expect(Buffer.from(header, 'base64url').toString()).toBe('{"alg":"dir","enc":"A256GCM","kid":"k1"}');
    // dir: no encrypted key; a 96-bit IV and a 128-bit tag (RFC 7518 §5.3).
    expect([encryptedKey, Buffer.from(iv, 'base64url').length, Buffer.from(tag, 'base64url').length]).toEqual(['', 12, 16]);
    const byJose = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: 'k1' })
      .setInitializationVector(Buffer.from(iv, 'base64url'))
      .encrypt(sealingKeyBytes(keys.current));
    expect(token).toBe(byJose);
    // A fresh IV each time.
    expect(seal(payload, keys.current).split('.')[2]).not.toBe(iv);
  });

  test('anything tampered, truncated, foreign or odd opens to undefined, never throws', async () => {
    const token = seal({ sid: 's' }, keys.current);
    const [h, , iv, ct, tag] = token.split('.') as [string, string, string, string, string];
    const flip = (s: string, i = 3) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    const other = testKeys('k1');
    const bad = [
      [flip(h, 10), '', iv, ct, tag].join('.'),
      [h, '', flip(iv), ct, tag].join('.'),
      [h, '', iv, flip(ct), tag].join('.'),
      [h, '', iv, ct, flip(tag)].join('.'),
      [h, 'x', iv, ct, tag].join('.'),
      token.slice(0, -1),
      token + '.',
      '',
      '....',
      'a'.repeat(MAX_SEALED_LENGTH + 1),
    ];
    for (const value of bad) expect(open(value, keys)).toBeUndefined();
    expect(open(token, other)).toBeUndefined(); // another deployment's key, same kid
  });

  test('an unknown kid, another algorithm, or extra header fields are refused', async () => {
    const enc = (header: Record<string, string>) =>
      new CompactEncrypt(new TextEncoder().encode('{"a":1}')).setProtectedHeader(header as never).encrypt(sealingKeyBytes(keys.current));
    expect(open(await enc({ alg: 'dir', enc: 'A256GCM', kid: 'nope' }), keys)).toBeUndefined();
    expect(open(await enc({ alg: 'dir', enc: 'A256GCM', kid: 'k1', zip: 'DEF' }).catch(() => 'x'), keys)).toBeUndefined();
    expect(open(await enc({ alg: 'dir', enc: 'A256GCM', kid: 'k1', cty: 'x' }), keys)).toBeUndefined();
  });

  test('a payload that is not a JSON object is refused', async () => {
    for (const text of ['[1]', '"s"', '42', 'null', 'not json']) {
      const token = await new CompactEncrypt(new TextEncoder().encode(text))
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: 'k1' })
        .encrypt(sealingKeyBytes(keys.current));
      expect(open(token, keys)).toBeUndefined();
    }
  });
});

describe('key set and rotation', () => {
  test('add a key: new cookies use it, old ones still open; remove the old key: its cookies no longer open', async () => {
    const v1 = generateKeySetSecret(randomBytes, 'k1');
    const oldCookie = seal({ sid: 'old' }, parseKeySet(v1).current);
    const rotated = rotateKeySetSecret(v1, randomBytes, 'k2');
    const v2 = parseKeySet(rotated);
    expect(v2.current.kid).toBe('k2');
    expect(open(oldCookie, v2)).toEqual({ sid: 'old' });
    const newCookie = seal({ sid: 'new' }, v2.current);
    expect(JSON.parse(Buffer.from(newCookie.split('.')[0]!, 'base64url').toString()).kid).toBe('k2');

    const doc = JSON.parse(rotated) as { current: string; keys: { kid: string }[] };
    const v3 = parseKeySet(JSON.stringify({ ...doc, keys: doc.keys.filter((k) => k.kid !== 'k1') }));
    expect(open(newCookie, v3)).toEqual({ sid: 'new' });
    expect(open(oldCookie, v3)).toBeUndefined();
  });

  test('a malformed key set is a KeySetError that names the problem and never echoes key material', () => {
    const key = Buffer.from(randomBytes(16)).toString('base64url');
    const cases: Array<[string, RegExp]> = [
      ['nope', /not JSON/],
      ['{}', /expected/],
      ['{"keys": []}', /no keys/],
      [JSON.stringify({ keys: [{ kid: 'a', k: key }] }), /keys\[0\]\.k must be 32 bytes/],
      [JSON.stringify({ keys: [{ kid: 'bad kid!', k: key }] }), /keys\[0\]\.kid/],
      [JSON.stringify({ current: 'x', keys: [{ kid: 'a', k: Buffer.alloc(32).toString('base64url') }] }), /current "x"/],
    ];
    for (const [secret, message] of cases) {
      let error: unknown;
      try {
        parseKeySet(secret);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(KeySetError);
      expect((error as KeySetError).code).toBe('ERR_KEYSET_INVALID');
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain(key);
    }
  });
});
