/**
 * What the session cookie carries, so the edge can decide in memory: session id, user
 * id, name, email, provider, issued-at and the deadlines. Tokens never go in the cookie.
 */
import type { EdgeConfig } from '../config/types';
import type { KeySet } from '../keys/key-set';
import { BoundedMap } from '../shared/bounded-map';
import { open } from '../keys/seal';
import { cookieValues } from '../shared/cookies';

export interface SessionClaims {
  /** Format version. */
  readonly v: 1;
  /** Session id (random, 128 bits). */
  readonly sid: string;
  /** The provider's user id. */
  readonly uid: string;
  /** Provider id (config `providers[].id`). */
  readonly prv: string;
  readonly name?: string;
  readonly email?: string;
  /** The user's groups at the provider (access/groups.ts), when they fit the cookie. */
  readonly grp?: readonly string[];
  /** 1: the user's groups did not fit the cookie; they are in the session item only. */
  readonly gs?: 1;
  /** Issued at (sign-in), epoch seconds. */
  readonly iat: number;
  /** Hard deadline (maximum duration), epoch seconds; absent when there is none. */
  readonly exp?: number;
}

/** Chrome caps cookie lifetimes at 400 days; a session without a maximum duration uses that. */
export const MAX_COOKIE_AGE = 400 * 86400;

export function sessionCookieName(config: EdgeConfig): string {
  return config.session.cookiePrefix;
}

export function flowCookiePrefix(config: EdgeConfig): string {
  return `${config.session.cookiePrefix}-flow-`;
}

/** True for the names of edge-oauth's own cookies (removed before the origin sees the Cookie header). All start with `session.cookiePrefix`. */
export function isOwnCookie(config: EdgeConfig, name: string): boolean {
  return ownCookieTest(config)(name);
}

/** isOwnCookie for one config, its two names built once (the viewer calls it on every request). */
export function ownCookieTest(config: EdgeConfig): (name: string) => boolean {
  const session = sessionCookieName(config);
  const flow = flowCookiePrefix(config);
  return (name) => name === session || name.startsWith(flow);
}

/**
 * Code points of the display name kept in the cookie (at most ~1 KB sealed): a provider's
 * name has no length limit, and a cookie over 4096 bytes is dropped by the browser (a
 * sign-in loop). Cut by code point, so no surrogate pair is split.
 */
export const MAX_NAME_LENGTH = 256;

/**
 * UTF-8 bytes of the claims' JSON up to which the groups ride in the cookie: sealed
 * (base64url, ×4/3, plus ~100 bytes of JOSE header, IV and tag) that stays under
 * MAX_SEALED_LENGTH (4000). Past it the cookie says `gs: 1` and the groups live only in
 * the session item, read with the session checks (a user in 500 groups still signs in).
 */
export const MAX_CLAIMS_JSON_BYTES = 2800;

export function newSessionClaims(
  config: EdgeConfig,
  input: { sid: string; uid: string; prv: string; name?: string | undefined; email?: string | undefined; groups?: readonly string[] | undefined; now: number },
): SessionClaims {
  const { maxDuration } = config.session;
  const claims: SessionClaims = {
    v: 1,
    sid: input.sid,
    uid: input.uid,
    prv: input.prv,
    ...(input.name !== undefined && { name: Array.from(input.name).slice(0, MAX_NAME_LENGTH).join('') }),
    ...(input.email !== undefined && { email: input.email }),
    iat: input.now,
    ...(maxDuration > 0 && { exp: input.now + maxDuration }),
  };
  const groups = input.groups;
  if (groups === undefined || groups.length === 0) return claims;
  const withGroups = { ...claims, grp: groups };
  return Buffer.byteLength(JSON.stringify(withGroups)) <= MAX_CLAIMS_JSON_BYTES ? withGroups : { ...claims, gs: 1 };
}

/**
 * The user's groups as the cookie knows them: its list, none (a session from before
 * groups, or a user in none), or undefined: kept server-side only (`gs`).
 */
export function cookieGroups(claims: SessionClaims): readonly string[] | undefined {
  return claims.grp ?? (claims.gs === 1 ? undefined : NO_GROUPS);
}

const NO_GROUPS: readonly string[] = Object.freeze([]);

/** Seconds the session cookie lives in the browser. */
export function sessionCookieMaxAge(claims: SessionClaims): number {
  return claims.exp !== undefined ? Math.max(0, claims.exp - claims.iat) : MAX_COOKIE_AGE;
}

function isClaims(value: Record<string, unknown>): value is Record<string, unknown> & SessionClaims {
  return (
    value.v === 1 &&
    typeof value.sid === 'string' &&
    typeof value.uid === 'string' &&
    typeof value.prv === 'string' &&
    typeof value.iat === 'number' &&
    (value.exp === undefined || typeof value.exp === 'number') &&
    (value.name === undefined || typeof value.name === 'string') &&
    (value.email === undefined || typeof value.email === 'string') &&
    (value.grp === undefined || (Array.isArray(value.grp) && value.grp.every((g) => typeof g === 'string'))) &&
    (value.gs === undefined || value.gs === 1)
  );
}

/**
 * Session cookies already opened, per key set: the exact cookie text → its frozen claims.
 * `open` is a pure function of (cookie, key set), so remembering its successful results
 * changes no decision: the deadlines in `readSession` are checked on every request, a new
 * key set (rotation, removal) starts with an empty cache, and a cookie that does not open
 * or is not session claims is never remembered. A browser sends the same cookie on every
 * request of a session, so a warm container decrypts it once, not on every request
 * (profiled: AES-GCM + JSON.parse were ~60% of the fast path; bench/, docs/performance.md).
 */
const openedCookies = new WeakMap<KeySet, BoundedMap<string, OpenedCookie>>();
/** ~0.5 KB each (the cookie text and its claims): at most ~1 MB of a 128 MB edge function. */
const OPENED_COOKIES_MAX = 2000;

interface OpenedCookie {
  readonly value: string;
  readonly claims: SessionClaims;
}

/**
 * The cache key of a cookie value: its last 22 characters, the AES-GCM tag in a sealed
 * cookie (lambdas/core/keys/seal.ts). Hashing a ~400-character value for a Map lookup cost
 * more than the rest of the lookup; a hit still requires the whole value to be equal, so a
 * forged value that copies a genuine tag is opened (and refused), never served from the cache.
 */
function cacheKey(value: string): string {
  return value.length > 22 ? value.slice(value.length - 22) : value;
}

function openSessionCookie(value: string, keys: KeySet): SessionClaims | undefined {
  let cache = openedCookies.get(keys);
  if (cache === undefined) openedCookies.set(keys, (cache = new BoundedMap(OPENED_COOKIES_MAX)));
  const key = cacheKey(value);
  const hit = cache.get(key);
  if (hit !== undefined && hit.value === value) return hit.claims;
  const payload = open(value, keys);
  if (payload === undefined || !isClaims(payload)) return undefined;
  const claims = Object.freeze(payload) as SessionClaims;
  cache.set(key, { value, claims });
  return claims;
}

export type SessionLookup =
  | { status: 'valid'; claims: SessionClaims }
  | { status: 'none' }
  | { status: 'invalid' }
  | { status: 'expired'; claims: SessionClaims };

/**
 * The session from the Cookie header(s). Every value of a duplicated cookie name is tried
 * (at most a few); a value that does not open is ignored. Never throws.
 */
export function readSession(config: EdgeConfig, keys: KeySet, cookieHeaders: readonly string[], now: number): SessionLookup {
  if (cookieHeaders.length === 0) return { status: 'none' };
  const values = cookieValues(cookieHeaders, sessionCookieName(config));
  if (values === undefined) return { status: 'none' };
  let expired: SessionClaims | undefined;
  for (const value of values.slice(0, 4)) {
    const payload = openSessionCookie(value, keys);
    if (payload === undefined) continue;
    if (payload.iat > now + 300) continue;
    if (payload.exp !== undefined && payload.exp <= now) {
      expired = payload;
      continue;
    }
    if (config.session.maxDuration > 0 && payload.iat + config.session.maxDuration <= now) {
      // The maximum duration was shortened after this cookie was issued: the current config wins.
      expired = payload;
      continue;
    }
    if (!config.providers.some((p) => p.id === payload.prv)) continue;
    return { status: 'valid', claims: payload };
  }
  return expired !== undefined ? { status: 'expired', claims: expired } : { status: 'invalid' };
}
