/**
 * Sealed tokens (cookies): compact JWE, `alg: dir`, `enc: A256GCM`, `kid` in the
 * protected header (RFC 7516 §3.1 and §5.1, RFC 7518 §4.5 and §5.3). Both directions use
 * node:crypto directly, not jose: `open` runs on every viewer request (jose's WebCrypto path
 * costs ~50 µs per open where node:crypto's AES-GCM costs ~6 µs: docs/development.md ›
 * Measured costs), and `seal` is in the viewer bundle, which must stay within 60 KB zipped
 * for Lambda@Edge, and runs at 128 MB's CPU share (sign-in starts, the first sign-in of a
 * container). jose's JWE encryption and JWS signing (assertion.ts) were 25 KB of that bundle
 * minified (62,646 B zipped with them, 53,713 B without), and its first seal in a process cost
 * ~4 ms of CPU against ~1 ms here: docs/performance.md#the-viewer-bundle-without-jose. The
 * format is the standard one: the tests (test/core/keys/seal.test.ts) keep jose as the
 * reference, and prove that jose opens ours, we open jose's, and both make the same bytes.
 *
 * `open` never throws on bad input: anything malformed, tampered, truncated, oversized,
 * sealed under an unknown key or not JSON yields `undefined` (= sign in again).
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { sealingKeyBytes, type KeySet, type SealingKey } from './key-set';

/** Browsers keep ~4096 bytes per cookie; nothing longer is ours. */
export const MAX_SEALED_LENGTH = 4000;

/**
 * The compact JWE of `JSON.stringify(payload)` (RFC 7516 §5.1 with `dir`): the protected
 * header `{"alg":"dir","enc":"A256GCM","kid":...}` in base64url, an empty encrypted key, a
 * fresh random 96-bit IV, the ciphertext and the 128-bit tag (RFC 7518 §5.3); the AAD is the
 * ASCII of the encoded header. The IV is the cipher's nonce, drawn from the CSPRNG as jose
 * drew it, not a decision the core's callers pass in (lambdas/core/README.md).
 */
export function seal(payload: object, key: SealingKey): string {
  const header = Buffer.from(JSON.stringify({ alg: 'dir', enc: 'A256GCM', kid: key.kid })).toString('base64url');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKeyBytes(key), iv, { authTagLength: 16 });
  cipher.setAAD(Buffer.from(header, 'ascii'));
  const cipherText = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
  return `${header}..${iv.toString('base64url')}.${cipherText.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
}

/** A protected header that names one of our keys: the key object and the header's bytes (the AAD). */
interface HeaderKey {
  readonly key: KeyObject;
  readonly aad: Buffer;
}

/** Per key set: the parsed protected header text → key object and AAD, so a hot cookie costs no JSON.parse of its header. */
const headerCache = new WeakMap<KeySet, Map<string, HeaderKey | null>>();

function keyForHeader(keys: KeySet, header: string): HeaderKey | null {
  let cache = headerCache.get(keys);
  if (cache === undefined) {
    cache = new Map();
    headerCache.set(keys, cache);
  }
  const hit = cache.get(header);
  if (hit !== undefined) return hit;
  let key: HeaderKey | null = null;
  try {
    const h = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>;
    const sealing = typeof h.kid === 'string' ? keys.byKid.get(h.kid) : undefined;
    const extra = Object.keys(h).some((name) => name !== 'alg' && name !== 'enc' && name !== 'kid');
    if (h.alg === 'dir' && h.enc === 'A256GCM' && sealing !== undefined && !extra) {
      key = { key: createSecretKey(sealingKeyBytes(sealing)), aad: Buffer.from(header, 'ascii') };
    }
  } catch {
    key = null;
  }
  // Bounded: only a handful of kids exist; garbage headers are not remembered past the bound.
  if (cache.size < 64) cache.set(header, key);
  return key;
}

const B64URL = /^[A-Za-z0-9_-]*$/;

/** `maxLength`: cookies are bounded by MAX_SEALED_LENGTH; server-side values (sealed tokens) may pass a larger bound. */
export function open<T = Record<string, unknown>>(token: string, keys: KeySet, maxLength = MAX_SEALED_LENGTH): T | undefined {
  if (token.length > maxLength) return undefined;
  const parts = token.split('.');
  if (parts.length !== 5) return undefined;
  const [header, encryptedKey, ivText, cipherText, tagText] = parts as [string, string, string, string, string];
  if (encryptedKey !== '' || ivText.length !== 16 || tagText.length !== 22) return undefined;
  if (!B64URL.test(ivText) || !B64URL.test(tagText) || !B64URL.test(cipherText)) return undefined;
  const hk = keyForHeader(keys, header);
  if (hk === null) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', hk.key, Buffer.from(ivText, 'base64url'), { authTagLength: 16 });
    decipher.setAAD(hk.aad);
    decipher.setAuthTag(Buffer.from(tagText, 'base64url'));
    // GCM is a stream mode: update() returns all the plaintext; final() only checks the tag
    // (it throws on a mismatch) and returns nothing, so no concat is needed. The ciphertext is
    // handed over as base64url text (decoded inside, one Buffer fewer per request).
    const plain = decipher.update(cipherText, 'base64url');
    decipher.final();
    const value: unknown = JSON.parse(plain.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}
