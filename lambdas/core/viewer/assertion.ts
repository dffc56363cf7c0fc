/**
 * The signed identity assertion: a short-lived JWT (RFC 7519) that the edge adds to every
 * request it lets through, signed (ES256 or EdDSA) with the key set's current signing key,
 * so the origin can verify who the user is against `/auth/.well-known/jwks.json` instead
 * of trusting plain headers (docs/identity-assertion.md). Claims: iss, aud, sub, iat, exp,
 * email, name, provider, groups; `kid` and `typ: JWT` in the protected header.
 *
 * The fast path stays fast: signing costs ~0.2-0.3 ms (jose, WebCrypto), so an
 * `AssertionCache` (one per container) keeps the last assertion of each session and hands
 * it out again while more than `reuseMargin(ttl)` seconds of its lifetime remain. A
 * session thus costs one signature per `ttl - reuseMargin(ttl)` seconds per container; a
 * cache hit is a Map lookup and a few string compares.
 *
 * Pure: the clock (`now`, epoch seconds) is an argument; no I/O.
 */
import { importJWK, SignJWT } from 'jose';
import { groupsOut } from '../access/groups-out';
import { sessionEmail } from '../access/usable-email';
import type { EdgeConfig } from '../config/types';
import type { SessionClaims } from '../session/session-cookie';
import { privateJwk, type SigningKey, type SigningKeySet } from '../keys/signing-keys';

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

export async function signAssertion(key: CryptoKey, signingKey: SigningKey, claims: AssertionClaims): Promise<string> {
  return new SignJWT({ ...claims }).setProtectedHeader({ alg: signingKey.alg, kid: signingKey.kid, typ: 'JWT' }).sign(key);
}

interface Entry {
  readonly token: string;
  readonly iat: number;
  readonly exp: number;
  readonly session: SessionClaims;
}

export interface AssertionCacheOptions {
  /** Assertions kept, one per session (~0.7 KB each); the oldest goes first. @default 5000 */
  readonly maxEntries?: number;
}

/** Per-container memory of minted assertions and imported signing keys. Create one per config. */
export class AssertionCache {
  readonly #entries = new Map<string, Entry>();
  readonly #pending = new Map<string, Promise<string>>();
  readonly #cryptoKeys = new WeakMap<SigningKey, Promise<CryptoKey>>();
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
   * The assertion for `session`: the cached one while it is fresh (a string, no await
   * needed), else a new one signed with the current key (a promise). Keyed by the current
   * kid, the session id and what else shapes the token, so a rotation signs anew at once.
   */
  assertionFor(config: EdgeConfig, signing: SigningKeySet, session: SessionClaims, issuer: string, now: number): string | Promise<string> {
    const { audience, ttl } = config.assertion;
    const key = `${signing.current.kid}\n${issuer}\n${audience ?? ''}\n${ttl}\n${session.sid}`;
    const hit = this.#entries.get(key);
    if (hit !== undefined && now >= hit.iat && hit.exp - now > reuseMargin(ttl) && sameIdentity(hit.session, session)) return hit.token;
    const inflight = this.#pending.get(key);
    if (inflight !== undefined) return inflight;
    const minting = this.#mint(key, signing.current, assertionClaims(config, session, issuer, now), session).finally(() => this.#pending.delete(key));
    this.#pending.set(key, minting);
    return minting;
  }

  async #mint(key: string, signingKey: SigningKey, claims: AssertionClaims, session: SessionClaims): Promise<string> {
    const token = await signAssertion(await this.#cryptoKey(signingKey), signingKey, claims);
    this.#signatures++;
    this.#entries.delete(key); // re-insert at the end: the Map's order is the eviction order
    if (this.#entries.size >= this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, { token, iat: claims.iat, exp: claims.exp, session });
    return token;
  }

  /** jose's importJWK once per signing key per container (the key set object lives as long as its secret value). */
  #cryptoKey(signingKey: SigningKey): Promise<CryptoKey> {
    let imported = this.#cryptoKeys.get(signingKey);
    if (imported === undefined) {
      imported = importJWK(privateJwk(signingKey), signingKey.alg) as Promise<CryptoKey>;
      // A failed import is not remembered: the next request tries again.
      imported.catch(() => this.#cryptoKeys.delete(signingKey));
      this.#cryptoKeys.set(signingKey, imported);
    }
    return imported;
  }
}

/** The cached token still says the same about the user (a session's claims could be refreshed under the same id). */
function sameIdentity(a: SessionClaims, b: SessionClaims): boolean {
  return a === b || (a.uid === b.uid && a.prv === b.prv && a.email === b.email && a.name === b.name && a.grp === b.grp);
}
