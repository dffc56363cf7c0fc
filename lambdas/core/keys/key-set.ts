/**
 * The session key set: symmetric keys for sealing cookies, each with a key id (kid).
 * Several keys are accepted when opening; `current` seals new cookies. Rotation:
 * add a key and make it current (old cookies still open), later remove the old key
 * (its cookies then mean "sign in again"). See SECURITY.md.
 *
 * Secret JSON (Secrets Manager):
 *   { "current": "k2", "keys": [ { "kid": "k1", "k": "<base64url, 32 bytes>" }, { "kid": "k2", "k": "..." } ],
 *     "signing": { "current": "s1", "keys": [ { "kty": "EC", "crv": "P-256", "x", "y", "d", "kid": "s1", "alg": "ES256" } ] } }
 *
 * `signing` (optional, so older secrets stay valid) holds the asymmetric keys of the
 * identity assertion, as private JWKs: see keys/signing-keys.ts. Without it, the edge refuses
 * to run while `assertion.enabled` is true (SigningKeysMissingError). Signing-key rotation:
 * `rotateSigningKeySecret` adds a key and makes it current (every listed key stays in the
 * JWKS, so assertions signed before keep verifying); after the overlap (at least the
 * assertion ttl plus the JWKS cache age), `retireSigningKeySecret` removes the old one.
 */
import { KeySetError } from '../errors';
import { generateSigningJwk, parseSigningKeys, type SigningAlg, type SigningKeySet } from './signing-keys';

/** A sealing key: its id only. The key bytes are private state (`sealingKeyBytes`), so logging or serialising a key set shows no key. */
export interface SealingKey {
  readonly kid: string;
}

/** The key bytes (32, AES-256-GCM), kept out of the key objects (like the signing keys' private halves). */
const keyBytes = new WeakMap<SealingKey, Uint8Array>();

/** A sealing key from its id and its 32 bytes. */
export function sealingKey(kid: string, raw: Uint8Array): SealingKey {
  if (raw.length !== 32) throw new KeySetError(`session key set: key "${kid}" must be 32 bytes`);
  const key: SealingKey = Object.freeze({ kid });
  keyBytes.set(key, raw);
  return key;
}

/** The 32 bytes of a sealing key (seal.ts and the tests that prove interop with jose). */
export function sealingKeyBytes(key: SealingKey): Uint8Array {
  const raw = keyBytes.get(key);
  if (raw === undefined) throw new KeySetError(`session key set: key "${key.kid}" was not made by sealingKey()`);
  return raw;
}

export interface KeySet {
  readonly current: SealingKey;
  readonly byKid: ReadonlyMap<string, SealingKey>;
  /** Asymmetric keys for the identity assertion; absent in secrets written before they existed. */
  readonly signing?: SigningKeySet;
}

/**
 * How long a container keeps the key set before re-reading it from Secrets Manager (the
 * one definition: the secret reader's cache, the JWKS `max-age`, and the CLI's "wait two
 * cache lifetimes" rule all use it).
 */
export const KEY_SET_CACHE_SECONDS = 300;

const KID = /^[A-Za-z0-9_.-]{1,64}$/;

/** Parses the key-set secret. Error messages name the problem, never a key's value. */
export function parseKeySet(secretString: string): KeySet {
  let doc: unknown;
  try {
    doc = JSON.parse(secretString);
  } catch {
    throw new KeySetError('session key set: the secret is not JSON');
  }
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { keys?: unknown }).keys)) {
    throw new KeySetError('session key set: expected {"current": "<kid>", "keys": [{"kid", "k"}]}');
  }
  const { keys, current } = doc as { keys: unknown[]; current?: unknown };
  const byKid = new Map<string, SealingKey>();
  keys.forEach((entry, index) => {
    const { kid, k } = (entry ?? {}) as { kid?: unknown; k?: unknown };
    if (typeof kid !== 'string' || !KID.test(kid)) throw new KeySetError(`session key set: keys[${index}].kid must match ${KID}`);
    if (byKid.has(kid)) throw new KeySetError(`session key set: duplicate kid "${kid}"`);
    const raw = typeof k === 'string' ? Buffer.from(k, 'base64url') : undefined;
    if (raw === undefined || raw.length !== 32) throw new KeySetError(`session key set: keys[${index}].k must be 32 bytes, base64url`);
    byKid.set(kid, sealingKey(kid, new Uint8Array(raw)));
  });
  if (byKid.size === 0) throw new KeySetError('session key set: no keys');
  const currentKid = typeof current === 'string' ? current : keys.length > 0 ? ((keys[keys.length - 1] as { kid: string }).kid) : '';
  const currentKey = byKid.get(currentKid);
  if (currentKey === undefined) throw new KeySetError(`session key set: current "${currentKid}" is not among the keys`);
  const { signing } = doc as { signing?: unknown };
  return { current: currentKey, byKid, ...(signing !== undefined && { signing: parseSigningKeys(signing) }) };
}

export interface SigningKeyOptions {
  /** @default - `s` + the time in base 36 */
  readonly kid?: string;
  /** @default 'ES256' */
  readonly alg?: SigningAlg;
}

const defaultSigningKid = () => `s${Date.now().toString(36)}`;

/**
 * A new key-set secret: one fresh sealing key and one fresh signing key (ES256 unless
 * `signing.alg` says otherwise). What the CLI, the local stack, the CDK key-set generator
 * and tests write into a new secret.
 */
export function generateKeySetSecret(
  randomBytes: (n: number) => Uint8Array,
  kid = `k${Date.now().toString(36)}`,
  signing: SigningKeyOptions = {},
): string {
  const signingKid = signing.kid ?? defaultSigningKid();
  return JSON.stringify({
    current: kid,
    keys: [{ kid, k: Buffer.from(randomBytes(32)).toString('base64url') }],
    signing: { current: signingKid, keys: [generateSigningJwk(signingKid, signing.alg)] },
  });
}

interface SecretDoc {
  current?: string;
  keys: unknown[];
  signing?: { current?: string; keys: Array<{ kid: string }> };
}

/** Parses (validating) and returns the secret's JSON for editing. */
function editable(secretString: string): SecretDoc {
  parseKeySet(secretString);
  return JSON.parse(secretString) as SecretDoc;
}

function finish(doc: SecretDoc): string {
  const text = JSON.stringify(doc);
  parseKeySet(text);
  return text;
}

/**
 * Adds signing keys to a key-set secret that has none (a secret written before the identity
 * assertion existed); returns a secret that already has them unchanged. Sealing keys are
 * never touched, so no session is lost. What a deploy runs on an existing secret.
 */
export function withSigningKeys(secretString: string, signing: SigningKeyOptions = {}): string {
  const doc = editable(secretString);
  if (doc.signing !== undefined) return secretString;
  const kid = signing.kid ?? defaultSigningKid();
  doc.signing = { current: kid, keys: [generateSigningJwk(kid, signing.alg)] };
  return finish(doc);
}

/**
 * Adds a fresh signing key and makes it current (signing-key rotation step 1). The old
 * keys stay listed in the JWKS. With `makeCurrent: false` the key is only published: make
 * it current by a second call once verifiers have had time to fetch the new JWKS.
 */
export function rotateSigningKeySecret(secretString: string, kid: string, options: { alg?: SigningAlg; makeCurrent?: boolean } = {}): string {
  const doc = editable(secretString);
  const signing = (doc.signing ??= { keys: [] });
  if (signing.keys.some((k) => k.kid === kid)) {
    if (options.makeCurrent === false) return secretString;
    signing.current = kid;
    return finish(doc);
  }
  const previous = signing.current ?? signing.keys.at(-1)?.kid;
  signing.keys.push(generateSigningJwk(kid, options.alg));
  signing.current = options.makeCurrent === false && previous !== undefined ? previous : kid;
  return finish(doc);
}

/** Removes a signing key that is not current (signing-key rotation step 2: its assertions stop verifying). */
export function retireSigningKeySecret(secretString: string, kid: string): string {
  const doc = editable(secretString);
  const signing = doc.signing;
  const currentKid = parseKeySet(secretString).signing?.current.kid;
  if (signing === undefined || !signing.keys.some((k) => k.kid === kid)) throw new KeySetError(`session key set: no signing key "${kid}"`);
  if (kid === currentKid) throw new KeySetError(`session key set: signing key "${kid}" is current; rotate to another key first`);
  signing.keys = signing.keys.filter((k) => k.kid !== kid);
  return finish(doc);
}

/**
 * Adds a fresh key to a key-set secret and makes it current (rotation in one step: for tests
 * and fresh key sets). With `makeCurrent: false` the key is only added (safe rotation step 1:
 * every key opens, so containers learn it first); `promoteSealingKeySecret` makes it current.
 */
export function rotateKeySetSecret(
  secretString: string,
  randomBytes: (n: number) => Uint8Array,
  kid: string,
  options: { makeCurrent?: boolean } = {},
): string {
  const doc = JSON.parse(secretString) as { current?: string; keys: { kid: string; k: string }[] };
  const previous = parseKeySet(secretString).current.kid;
  if (!KID.test(kid)) throw new KeySetError(`session key set: kid "${kid}" must match ${KID}`);
  doc.keys.push({ kid, k: Buffer.from(randomBytes(32)).toString('base64url') });
  // Pinned when not making it current: without "current" the last key would be current.
  doc.current = options.makeCurrent === false ? previous : kid;
  parseKeySet(JSON.stringify(doc));
  return JSON.stringify(doc);
}

/** Makes a listed sealing key current (safe rotation step 2: new cookies are sealed with it). */
export function promoteSealingKeySecret(secretString: string, kid: string): string {
  const doc = editable(secretString);
  if (!parseKeySet(secretString).byKid.has(kid)) throw new KeySetError(`session key set: no sealing key "${kid}"`);
  doc.current = kid;
  return finish(doc);
}

/** Removes a sealing key that is not current (safe rotation step 3: its cookies then mean "sign in again"). */
export function retireSealingKeySecret(secretString: string, kid: string): string {
  const doc = editable(secretString);
  const keys = parseKeySet(secretString);
  if (!keys.byKid.has(kid)) throw new KeySetError(`session key set: no sealing key "${kid}"`);
  if (kid === keys.current.kid) throw new KeySetError(`session key set: sealing key "${kid}" is current; make another key current first`);
  doc.keys = doc.keys.filter((k) => (k as { kid?: unknown }).kid !== kid);
  doc.current = keys.current.kid;
  return finish(doc);
}
