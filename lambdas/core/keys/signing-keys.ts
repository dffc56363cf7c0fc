/**
 * The asymmetric signing keys of the key set: they sign the identity assertion
 * (assertion.ts); their public halves are served at `/auth/.well-known/jwks.json` (jwks.ts).
 * They live in the key-set secret (keys/key-set.ts) under `signing`, as private JWKs (RFC 7517):
 *
 *   "signing": { "current": "s2", "keys": [
 *     { "kty": "EC", "crv": "P-256", "x": "...", "y": "...", "d": "...", "kid": "s1", "alg": "ES256" },
 *     { "kty": "OKP", "crv": "Ed25519", "x": "...", "d": "...", "kid": "s2", "alg": "EdDSA" } ] }
 *
 * `current` signs new assertions; every listed key is published, so assertions signed by
 * an older key keep verifying until that key is removed (rotation: see keys/key-set.ts).
 *
 * The public JWKs are derived from the private keys, and each key is checked with a
 * sign/verify round at parse time: a secret whose `x`/`y` do not belong to its `d` is
 * refused here, instead of producing assertions nobody can verify.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { KeySetError } from '../errors';

/** JWS algorithms edge-oauth signs with: ES256 (ECDSA P-256 + SHA-256) and EdDSA (Ed25519). */
export const SIGNING_ALGS = ['ES256', 'EdDSA'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

export interface SigningKey {
  readonly kid: string;
  readonly alg: SigningAlg;
}

export interface SigningKeySet {
  /** Signs new assertions. */
  readonly current: SigningKey;
  readonly byKid: ReadonlyMap<string, SigningKey>;
  /** The JWK Set document (RFC 7517 §5) with the public key of every signing key, serialised. */
  readonly jwks: string;
}

/** Same rule as the sealing keys' kids (keys/key-set.ts). */
const KID = /^[A-Za-z0-9_.-]{1,64}$/;
const WHERE = 'session key set: signing';

/**
 * The private halves, kept out of the key objects: logging or serialising a key set shows
 * no secret. Each is the node:crypto KeyObject made once from the private JWK when the key
 * set is parsed (`createPrivateKey({ key: jwk, format: 'jwk' })`, the same one the parse
 * checks with a signature), so signing an assertion imports nothing (viewer/assertion.ts).
 */
const privateParts = new WeakMap<SigningKey, KeyObject>();

export function signingPrivateKey(key: SigningKey): KeyObject {
  const privateKey = privateParts.get(key);
  if (privateKey === undefined) throw new KeySetError(`${WHERE}: key "${key.kid}" was not parsed by parseSigningKeys`);
  return privateKey;
}

/** The algorithm a JWK's key type and curve imply, or undefined for keys we do not sign with. */
function algFor(entry: Record<string, unknown>): SigningAlg | undefined {
  if (entry.kty === 'EC' && entry.crv === 'P-256') return 'ES256';
  if (entry.kty === 'OKP' && entry.crv === 'Ed25519') return 'EdDSA';
  return undefined;
}

const PROBE = Buffer.from('edge-oauth signing key check');

function parseOne(entry: unknown, index: number): { key: SigningKey; publicJwk: JsonWebKey; privateKey: KeyObject } {
  const at = `${WHERE}.keys[${index}]`;
  if (typeof entry !== 'object' || entry === null) throw new KeySetError(`${at} must be a private JWK object`);
  const e = entry as Record<string, unknown>;
  const { kid } = e;
  if (typeof kid !== 'string' || !KID.test(kid)) throw new KeySetError(`${at}.kid must match ${KID}`);
  const alg = algFor(e);
  if (alg === undefined) {
    throw new KeySetError(`${at} ("${kid}") must be an EC P-256 key (ES256) or an OKP Ed25519 key (EdDSA)`);
  }
  if (e.alg !== undefined && e.alg !== alg) throw new KeySetError(`${at} ("${kid}"): alg "${String(e.alg)}" does not fit its curve (expected ${alg})`);
  if (e.use !== undefined && e.use !== 'sig') throw new KeySetError(`${at} ("${kid}"): use must be "sig"`);
  if (typeof e.d !== 'string') throw new KeySetError(`${at} ("${kid}") is a public key: the secret needs the private key ("d")`);
  const material = alg === 'ES256' ? { kty: 'EC', crv: 'P-256', x: e.x, y: e.y, d: e.d } : { kty: 'OKP', crv: 'Ed25519', x: e.x, d: e.d };
  let publicJwk: JsonWebKey;
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: material as JsonWebKey, format: 'jwk' });
    const publicKey = createPublicKey(privateKey);
    const digest = alg === 'ES256' ? 'sha256' : null;
    if (!verify(digest, PROBE, publicKey, sign(digest, PROBE, privateKey))) throw new Error('mismatch');
    publicJwk = publicKey.export({ format: 'jwk' });
  } catch {
    // The cause is dropped on purpose: it may quote the key material.
    throw new KeySetError(`${at} ("${kid}") is not a valid ${alg} private key (or its public part does not match "d")`);
  }
  return { key: { kid, alg }, publicJwk, privateKey };
}

/** Parses the `signing` member of the key-set secret. Messages name the problem, never a key's value. */
export function parseSigningKeys(doc: unknown): SigningKeySet {
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { keys?: unknown }).keys)) {
    throw new KeySetError(`${WHERE}: expected {"current": "<kid>", "keys": [<private JWK with "kid">, ...]}`);
  }
  const { keys, current } = doc as { keys: unknown[]; current?: unknown };
  const byKid = new Map<string, SigningKey>();
  const published: JsonWebKey[] = [];
  keys.forEach((entry, index) => {
    const { key, publicJwk, privateKey } = parseOne(entry, index);
    if (byKid.has(key.kid)) throw new KeySetError(`${WHERE}: duplicate kid "${key.kid}"`);
    byKid.set(key.kid, key);
    privateParts.set(key, privateKey);
    published.push({ ...publicJwk, kid: key.kid, alg: key.alg, use: 'sig' });
  });
  if (byKid.size === 0) throw new KeySetError(`${WHERE}: no keys`);
  const currentKid = typeof current === 'string' ? current : [...byKid.keys()].at(-1)!;
  const currentKey = byKid.get(currentKid);
  if (currentKey === undefined) throw new KeySetError(`${WHERE}: current "${currentKid}" is not among the keys`);
  return { current: currentKey, byKid, jwks: JSON.stringify({ keys: published }) };
}

/** A fresh private signing JWK (with `kid`, `alg` and `use`), as stored in the secret. */
export function generateSigningJwk(kid: string, alg: SigningAlg = 'ES256'): JWK & { kid: string } {
  if (!KID.test(kid)) throw new KeySetError(`${WHERE}: kid "${kid}" must match ${KID}`);
  const { privateKey } = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  return { ...(privateKey.export({ format: 'jwk' }) as JWK), kid, alg, use: 'sig' };
}
