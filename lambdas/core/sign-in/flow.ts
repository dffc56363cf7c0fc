/**
 * The sign-in flow: state, nonce and PKCE (S256) for every attempt, kept in a sealed,
 * short-lived cookie scoped to the callback path. Each attempt has its own cookie, named
 * after its state, so two tabs signing in at once both succeed; the callback consumes
 * exactly the cookie that matches the `state` it receives.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { EdgeConfig } from '../config/types';
import { clearCookie, isCookieName, parseCookies, serializeCookie } from '../shared/cookies';
import type { KeySet } from '../keys/key-set';
import { randomToken, type RandomBytes } from '../shared/random';
import { open, seal } from '../keys/seal';
import { flowCookiePrefix } from '../session/session-cookie';
import { CALLBACK_PATH } from '../viewer/special-paths';
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

export function flowCookieName(config: EdgeConfig, state: string): string {
  // The state is random base64url; its first 22 characters (128 bits) name the cookie.
  return flowCookiePrefix(config) + state.slice(0, 22);
}

export async function newFlow(
  config: EdgeConfig,
  keys: KeySet,
  input: { providerId: string; returnPath: string; reauthenticate: boolean; now: number; random: RandomBytes },
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
    setCookie: serializeCookie(flowCookieName(config, flow.st), sealed, { maxAge: FLOW_TTL, path: CALLBACK_PATH }),
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

/** The flow that the callback's `state` belongs to. Never throws. */
export function readFlow(config: EdgeConfig, keys: KeySet, cookieHeaders: readonly string[], state: string, now: number): FlowLookup {
  if (!/^[A-Za-z0-9_-]{22,128}$/.test(state)) return { status: 'invalid' };
  const name = flowCookieName(config, state);
  const values = parseCookies(cookieHeaders).get(name);
  if (values === undefined) return { status: 'missing' };
  const clear = clearCookie(name, CALLBACK_PATH);
  for (const value of values.slice(0, 4)) {
    const flow = open<FlowState>(value, keys);
    if (flow === undefined || typeof flow.st !== 'string' || !sameString(flow.st, state)) continue;
    if (typeof flow.iat !== 'number' || flow.iat + FLOW_TTL <= now) return { status: 'expired', clearCookie: clear };
    if (typeof flow.n !== 'string' || typeof flow.v !== 'string' || typeof flow.p !== 'string' || typeof flow.r !== 'string') continue;
    return { status: 'ok', flow: { ...flow, r: sanitizeReturnPath(flow.r) }, clearCookie: clear };
  }
  return { status: 'invalid', clearCookie: clear };
}

/** Hash of a state, as recorded server-side to make it single-use (the state itself is never stored). */
export function stateHash(state: string): string {
  return createHash('sha256').update(state).digest('base64url');
}

/**
 * Sign-in attempts a browser may have pending at once. Each holds a ~400-byte cookie for
 * 10 minutes; past this many, starting another clears the older ones, so a burst of
 * attempts can never push the callback request past CloudFront's 20 KB header limit.
 */
export const MAX_PENDING_FLOWS = 4;

/** Set-Cookie values that clear the pending flow cookies when there are already too many. */
export function clearExcessFlows(config: EdgeConfig, cookieHeaders: readonly string[]): string[] {
  const prefix = flowCookiePrefix(config);
  const names = [...parseCookies(cookieHeaders).keys()].filter((name) => name.startsWith(prefix) && isCookieName(name));
  return names.length >= MAX_PENDING_FLOWS ? names.map((name) => clearCookie(name, CALLBACK_PATH)) : [];
}
