/**
 * The sign-in flow: state, nonce and PKCE (S256) for every attempt, kept in a sealed,
 * short-lived cookie. Pending attempts are bounded in a way browsers enforce: a flow
 * cookie is one of FLOW_SLOTS fixed names (`<prefix>-flow-0` ...), `Path=/`, so a browser
 * holds at most that many whatever a page makes it do (it keeps one cookie per name and
 * path; a new attempt in a taken slot overwrites it), and the page that starts a sign-in
 * sees the pending ones and picks a free slot. Each value is bounded (the return path is
 * at most 2,048 characters), so the callback request stays under CloudFront's 20 KB.
 *
 * The slot is chosen from the return path (then the next free one), so two tabs that
 * start at once from different pages usually land in different slots and both succeed;
 * the callback finds its attempt by the `state` in every slot. Only edge-oauth's own
 * fixed names are ever written back: no name a client sent is echoed in a Set-Cookie.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { EdgeConfig } from '../config/types';
import { clearCookie, cookieValues, serializeCookie } from '../shared/cookies';
import type { KeySet } from '../keys/key-set';
import { randomToken, type RandomBytes } from '../shared/random';
import { open, seal } from '../keys/seal';
import { flowCookiePrefix } from '../session/session-cookie';
import { sanitizeReturnPath } from './return-path';

/** How long a sign-in attempt may take, in seconds. */
export const FLOW_TTL = 600;

export interface FlowState {
  /** state */
  readonly st: string;
  /** nonce */
  readonly n: string;
  /** PKCE code verifier */
  readonly v: string;
  /** return path (same-origin) */
  readonly r: string;
  /** provider id */
  readonly p: string;
  /** started at, epoch seconds */
  readonly iat: number;
  /** re-authentication was asked */
  readonly ra?: 1;
}

export interface NewFlow {
  readonly flow: FlowState;
  readonly codeChallenge: string;
  /** Set-Cookie value for the flow cookie. */
  readonly setCookie: string;
}

export function codeChallengeOf(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/**
 * Sign-in attempts a browser may have pending at once. Each holds a cookie of at most
 * ~3.1 KB (the largest return path) for 10 minutes: 4 of them and the largest session
 * cookie keep the callback request well under CloudFront's 20,480-byte limit
 * (test/security/flow-bounds.test.ts measures it).
 */
export const FLOW_SLOTS = 4;

/** Flow cookies live on `/`: the page that starts a sign-in must see the pending ones. */
export const FLOW_COOKIE_PATH = '/';

export function flowCookieName(config: EdgeConfig, slot: number): string {
  return `${flowCookiePrefix(config)}${slot}`;
}

/** FNV-1a of the return path: the preferred slot, so concurrent starts from different pages rarely collide. */
function preferredSlot(returnPath: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < returnPath.length; i++) hash = Math.imul(hash ^ returnPath.charCodeAt(i), 0x01000193) >>> 0;
  return hash % FLOW_SLOTS;
}

/** The preferred slot if free, else the next free one, else the preferred one (overwritten). */
export function chooseFlowSlot(config: EdgeConfig, cookieHeaders: readonly string[], returnPath: string): number {
  const preferred = preferredSlot(returnPath);
  for (let i = 0; i < FLOW_SLOTS; i++) {
    const slot = (preferred + i) % FLOW_SLOTS;
    if (cookieValues(cookieHeaders, flowCookieName(config, slot)) === undefined) return slot;
  }
  return preferred;
}

export async function newFlow(
  config: EdgeConfig,
  keys: KeySet,
  input: { providerId: string; returnPath: string; reauthenticate: boolean; now: number; random: RandomBytes; cookieHeaders?: readonly string[] },
): Promise<NewFlow> {
  const flow: FlowState = {
    st: randomToken(input.random),
    n: randomToken(input.random),
    v: randomToken(input.random),
    r: sanitizeReturnPath(input.returnPath),
    p: input.providerId,
    iat: input.now,
    ...(input.reauthenticate && { ra: 1 as const }),
  };
  const sealed = await seal(flow, keys.current);
  return {
    flow,
    codeChallenge: codeChallengeOf(flow.v),
    setCookie: serializeCookie(flowCookieName(config, chooseFlowSlot(config, input.cookieHeaders ?? [], flow.r)), sealed, { maxAge: FLOW_TTL, path: FLOW_COOKIE_PATH }),
  };
}

export type FlowLookup =
  | { status: 'ok'; flow: FlowState; clearCookie: string }
  | { status: 'missing' | 'invalid' | 'expired'; clearCookie?: string };

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The flow that the callback's `state` belongs to, looked up in every slot. Never throws. */
export function readFlow(config: EdgeConfig, keys: KeySet, cookieHeaders: readonly string[], state: string, now: number): FlowLookup {
  if (!/^[A-Za-z0-9_-]{22,128}$/.test(state)) return { status: 'invalid' };
  let found: FlowLookup = { status: 'missing' };
  for (let slot = 0; slot < FLOW_SLOTS; slot++) {
    const name = flowCookieName(config, slot);
    const values = cookieValues(cookieHeaders, name);
    if (values === undefined) continue;
    const clear = clearCookie(name, FLOW_COOKIE_PATH);
    for (const value of values.slice(0, 4)) {
      const flow = open<FlowState>(value, keys);
      if (flow === undefined || typeof flow.st !== 'string' || !sameString(flow.st, state)) continue;
      if (typeof flow.iat !== 'number' || flow.iat + FLOW_TTL <= now) return { status: 'expired', clearCookie: clear };
      if (typeof flow.n !== 'string' || typeof flow.v !== 'string' || typeof flow.p !== 'string' || typeof flow.r !== 'string') continue;
      return { status: 'ok', flow: { ...flow, r: sanitizeReturnPath(flow.r) }, clearCookie: clear };
    }
    // A flow cookie that is not this attempt's: another pending attempt, left alone.
    found = { status: 'invalid' };
  }
  return found;
}

/** Hash of a state, as recorded server-side to make it single-use (the state itself is never stored). */
export function stateHash(state: string): string {
  return createHash('sha256').update(state).digest('base64url');
}
