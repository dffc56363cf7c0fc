/**
 * The signed identity assertion: a short-lived JWT (RFC 7519) that the edge adds to every
 * request it lets through, signed (ES256 or EdDSA) with the key set's current signing key,
 * so the origin can verify who the user is against `/auth/.well-known/jwks.json` instead
 * of trusting plain headers (docs/identity-assertion.md). Claims: iss, aud, sub, iat, exp,
 * email, name, provider, groups; `kid` and `typ: JWT` in the protected header.
 *
 * Signed with node:crypto, not jose: this file is in the viewer bundle, which must stay
 * within 60 KB zipped for Lambda@Edge (jose's JWS signing, key import and JWE encryption,
 * seal.ts, were 25 KB of it minified), and a container's first real assertion is signed at
 * 128 MB's CPU share, where jose's key import and signature cost ~1 ms of CPU against
 * ~0.2 ms here with the key object the key-set parse made (keys/signing-keys.ts):
 * docs/performance.md#the-viewer-bundle-without-jose. The token is the one jose's `SignJWT`
 * makes, byte for byte (ES256 signatures are randomised, so up to the signature): the tests
 * (test/assertion/mint.test.ts) keep jose as the reference and verify ours with its
 * `jwtVerify`, as docs/identity-assertion.md tells origins to.
 *
 * The fast path stays fast: a signature still costs tens of µs, so an `AssertionCache`
 * (one per container) keeps the last assertion of each session and hands it out again while
 * more than `reuseMargin(ttl)` seconds of its lifetime remain. A session thus costs one
 * signature per `ttl - reuseMargin(ttl)` seconds per container; a cache hit is a Map lookup
 * and a few string compares.
 *
 * Pure: the clock (`now`, epoch seconds) is an argument; no I/O.
 */
import { sign } from 'node:crypto';
import { groupsOut } from '../access/groups-out';
import { sessionEmail } from '../access/usable-email';
import type { EdgeConfig } from '../config/types';
import type { SessionClaims } from '../session/session-cookie';
import { signingPrivateKey, type SigningKey, type SigningKeySet } from '../keys/signing-keys';

export interface AssertionClaims {
  /** The site's origin, `https://<site.domain>` (or the request's host when no domain is configured). */
  readonly iss: string;
  /** config `assertion.audience`, by default the same as `iss`. */
  readonly aud: string;
  /** The user's id at the provider (the session's `uid`). */
  readonly sub: string;
  /** Epoch seconds. */
  readonly iat: number;
  /** Epoch seconds: `iat + assertion.ttl`. */
  readonly exp: number;
  readonly email?: string;
  readonly name?: string;
  /** The provider's id (config `providers[].id`). */
  readonly provider: string;
  /** The user's groups at the provider (access/groups-out.ts: at most 2 KB, the config's groups first). */
  readonly groups?: readonly string[];
  /** true when some of the user's groups were left out of `groups`. */
  readonly groups_truncated?: true;
}

/** `iss`: the site's origin as the viewer sees it. */
export function assertionIssuer(config: EdgeConfig, scheme: 'https' | 'http', host: string): string {
  return `${scheme}://${(config.site.domain ?? host).toLowerCase()}`;
}

export function assertionClaims(config: EdgeConfig, session: SessionClaims, issuer: string, now: number): AssertionClaims {
  const usable = sessionEmail(config, session.prv, session.email);
  return {
    iss: issuer,
    aud: config.assertion.audience ?? issuer,
    sub: session.uid,
    iat: now,
    exp: now + config.assertion.ttl,
    // Only a usable email (access/usable-email.ts), as the identity headers.
    ...(usable !== undefined && { email: usable }),
    ...(session.name !== undefined && { name: session.name }),
    provider: session.prv,
    ...groupClaims(config, session),
  };
}

function groupClaims(config: EdgeConfig, session: SessionClaims): Pick<AssertionClaims, 'groups' | 'groups_truncated'> {
  if (session.grp === undefined || session.grp.length === 0) return {};
  const out = groupsOut(config, session.prv, session.grp);
  return { groups: out.groups, ...(out.truncated && { groups_truncated: true as const }) };
}

/**
 * Seconds of remaining lifetime below which a cached assertion is not handed out again:
 * min(60, ttl/2). 60 s covers the trip to the origin and ordinary clock skew; with the
 * default ttl of 300 s, each session is signed at most once per 240 s per container.
 */
export function reuseMargin(ttl: number): number {
  return Math.min(60, Math.floor(ttl / 2));
}

/**
 * The compact JWS (RFC 7515 §7.1) of the claims: base64url of the protected header
 * `{"alg":...,"kid":...,"typ":"JWT"}`, of the claims' JSON, and of the signature over the
 * two joined by a dot. ES256 (RFC 7518 §3.4): ECDSA P-256 over SHA-256, the signature as R || S,
 * 32 bytes each (`ieee-p1363`, not node's default DER). EdDSA (RFC 8037 §3.1): Ed25519 over
 * the input itself (no digest). These are the two algorithms keys/signing-keys.ts accepts.
 */
export function signAssertion(signingKey: SigningKey, claims: AssertionClaims): string {
  const header = Buffer.from(JSON.stringify({ alg: signingKey.alg, kid: signingKey.kid, typ: 'JWT' })).toString('base64url');
  const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const key = signingPrivateKey(signingKey);
  const data = Buffer.from(input, 'ascii');
  const signature = signingKey.alg === 'ES256' ? sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' }) : sign(null, data, key);
  return `${input}.${signature.toString('base64url')}`;
}

interface Entry {
  readonly token: string;
  readonly iat: number;
  readonly exp: number;
  readonly session: SessionClaims;
  /** What else shaped the token: the signing key, the issuer, the audience and lifetime. */
  readonly kid: string;
  readonly issuer: string;
  readonly audience: string | undefined;
  readonly ttl: number;
}

export interface AssertionCacheOptions {
  /** Assertions kept, one per session (~0.7 KB each); the oldest goes first. @default 5000 */
  readonly maxEntries?: number;
}

/** Per-container memory of minted assertions. Create one per config. */
export class AssertionCache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  #signatures = 0;

  constructor(options: AssertionCacheOptions = {}) {
    this.#maxEntries = Math.max(1, options.maxEntries ?? 5000);
  }

  /** Signatures made so far (tests and benchmarks check that the fast path makes none). */
  get signatures(): number {
    return this.#signatures;
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * The assertion for `session`: the cached one while it is fresh, else a new one signed
   * with the current key (synchronously, so concurrent requests of a session cannot sign
   * twice). One entry per session id, reused only when the current kid, the issuer, the
   * audience and the lifetime are the ones it was signed with, so a rotation signs anew at once.
   * Keyed by the session id alone: it is the same string object on every request of a
   * session (the opened cookie's claims), whose hash V8 keeps, where a key built per request
   * was hashed anew each time. A session cookie is host-only, so one session has one issuer.
   */
  assertionFor(config: EdgeConfig, signing: SigningKeySet, session: SessionClaims, issuer: string, now: number): string {
    const { audience, ttl } = config.assertion;
    const kid = signing.current.kid;
    const key = session.sid;
    const hit = this.#entries.get(key);
    if (
      hit !== undefined &&
      hit.kid === kid &&
      hit.issuer === issuer &&
      hit.audience === audience &&
      hit.ttl === ttl &&
      now >= hit.iat &&
      hit.exp - now > reuseMargin(ttl) &&
      sameIdentity(hit.session, session)
    ) {
      return hit.token;
    }
    const claims = assertionClaims(config, session, issuer, now);
    const token = signAssertion(signing.current, claims);
    this.#signatures++;
    this.#entries.delete(key); // re-insert at the end: the Map's order is the eviction order
    if (this.#entries.size >= this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, { token, iat: claims.iat, exp: claims.exp, session, kid, issuer, audience, ttl });
    return token;
  }
}

/** The cached token still says the same about the user (a session's claims could be refreshed under the same id). */
function sameIdentity(a: SessionClaims, b: SessionClaims): boolean {
  return a === b || (a.uid === b.uid && a.prv === b.prv && a.email === b.email && a.name === b.name && a.grp === b.grp);
}
