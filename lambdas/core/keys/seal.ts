/**
 * Sealed tokens (cookies): compact JWE, `alg: dir`, `enc: A256GCM`, `kid` in the
 * protected header (RFC 7516). Sealing uses jose (not on the hot path). Opening uses
 * node:crypto directly: it runs on every viewer request, and jose's WebCrypto path costs
 * ~50 µs per open where node:crypto's AES-GCM costs ~6 µs (docs/development.md › Measured costs). The format is the
 * standard one either way: tests prove jose opens ours and we open jose's.
 *
 * `open` never throws on bad input: anything malformed, tampered, truncated, oversized,
 * sealed under an unknown key or not JSON yields `undefined` (= sign in again).
 */
import { createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import { CompactEncrypt } from 'jose';
import { sealingKeyBytes, type KeySet, type SealingKey } from './key-set';

/** Browsers keep ~4096 bytes per cookie; nothing longer is ours. */
export const MAX_SEALED_LENGTH = 4000;

const encoder = new TextEncoder();

export async function seal(payload: object, key: SealingKey): Promise<string> {
  return new CompactEncrypt(encoder.encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: key.kid })
    .encrypt(sealingKeyBytes(key));
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
