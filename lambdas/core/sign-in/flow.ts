/**
 * The sign-in flow: state, nonce and PKCE (S256) for every attempt. Design (docs/sign-in-flow.md):
 *
 * - The `state` is the attempt itself, sealed: nonce, code challenge, return path, provider,
 *   start time (`FlowState`). It is opaque to the provider and to the page, and a callback
 *   can always say where its tab was going, even when its cookie is gone (no dead end).
 * - The browser binding is one small cookie per attempt, named after the attempt
 *   (`<prefix>-flow-<start time><challenge prefix>`, `Path=/`, 10 minutes), holding only the
 *   PKCE verifier (43 characters). Concurrent starts (a browser restoring ten tabs) cannot
 *   see each other's cookies; distinct names mean none overwrites another.
 * - Bounded: every start sees the pending flow cookies (`Path=/`) and deletes the expired
 *   ones and all but the newest MAX_PENDING_FLOWS - 1, so one after another a page can keep
 *   at most MAX_PENDING_FLOWS. Starts that race are bounded by what can race: only a
 *   top-level page load starts a sign-in (not an image, a fetch, a frame, a prefetch:
 *   viewer/sign-in-start.ts), and each cookie is ~80 bytes, so even 150 tabs opened at once
 *   stay under CloudFront's 20,480-byte request (test/security/flow-bounds.test.ts).
 *
 * Why not a few fixed cookie names (the previous design): two tabs that start at once pick
 * a name blind, and the later overwrites the earlier (issue 24). Why not the whole attempt in
 * the cookie: a 2 KB return path made each ~3 KB, so only four fitted under the limit.
 * Only names that match our own pattern exactly are ever written back (evicted).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { EdgeConfig } from '../config/types';
import { clearCookie, cookieValues, parseCookies, serializeCookie } from '../shared/cookies';
import type { KeySet } from '../keys/key-set';
import { randomToken, type RandomBytes } from '../shared/random';
import { open, seal } from '../keys/seal';
import { flowCookiePrefix } from '../session/session-cookie';
import { sanitizeReturnPath } from './return-path';

/** How long a sign-in attempt may take, in seconds. */
export const FLOW_TTL = 600;

/** Pending attempts a start keeps (itself included); older ones are deleted. */
export const MAX_PENDING_FLOWS = 16;

/** A sealed state is ~250 characters plus 4/3 of the return path (at most 2,048). */
export const MAX_STATE_LENGTH = 4000;

/** Flow cookies live on `/`: the page that starts a sign-in must see the pending ones. */
export const FLOW_COOKIE_PATH = '/';

export interface FlowState {
  /** nonce */
  readonly n: string;
  /** PKCE code challenge (S256 of the verifier in this attempt's cookie) */
  readonly c: string;
  /** return path (same-origin) */
  readonly r: string;
  /** provider id */
  readonly p: string;
  /** started at, epoch seconds */
  readonly iat: number;
  /** re-authentication was asked */
  readonly ra?: 1;
  /** started again after a lost attempt: a second loss does not restart by itself */
  readonly rt?: 1;
  /**
   * The consent round trip (kept-refresh-token.ts) for this provider user id: its callback
   * must bring back that user, and never sends the browser to the provider again.
   */
  readonly h?: string;
  /** started by the fragment page (viewer/fragment-pages.ts): the tab may hold a saved fragment */
  readonly fr?: 1;
}

export interface NewFlow {
  readonly flow: FlowState;
  /** The sealed flow: the `state` parameter. */
  readonly state: string;
  readonly codeChallenge: string;
  /** Set-Cookie value for this attempt's cookie. */
  readonly setCookie: string;
  /** Set-Cookie values deleting expired and surplus pending attempts. */
  readonly evictions: readonly string[];
}

export function codeChallengeOf(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;
/** After the prefix: the start time (base 36, 6 digits) and 12 characters of the challenge. */
const NAME_TAIL = /^([0-9a-z]{6})([A-Za-z0-9_-]{12})$/;

/** An attempt's short id (start time, base 36, and 12 characters of the challenge): public, like the cookie name it ends. */
export function attemptId(flow: Pick<FlowState, 'iat' | 'c'>): string {
  return `${flow.iat.toString(36).padStart(6, '0').slice(-6)}${flow.c.slice(0, 12)}`;
}

export function flowCookieName(config: EdgeConfig, flow: Pick<FlowState, 'iat' | 'c'>): string {
  return `${flowCookiePrefix(config)}${attemptId(flow)}`;
}

/** Pending flow cookies in a request (our exact name pattern only), newest first. */
function pendingFlows(config: EdgeConfig, cookieHeaders: readonly string[]): { name: string; iat: number }[] {
  const prefix = flowCookiePrefix(config);
  const out: { name: string; iat: number }[] = [];
  for (const name of parseCookies(cookieHeaders).keys()) {
    const tail = name.startsWith(prefix) ? NAME_TAIL.exec(name.slice(prefix.length)) : null;
    if (tail !== null) out.push({ name, iat: parseInt(tail[1]!, 36) });
  }
  return out.sort((a, b) => b.iat - a.iat || (a.name < b.name ? -1 : 1));
}

/** Deletions that leave at most MAX_PENDING_FLOWS - 1 unexpired pending attempts. */
export function flowEvictions(config: EdgeConfig, cookieHeaders: readonly string[], now: number): string[] {
  const evict: string[] = [];
  let kept = 0;
  for (const { name, iat } of pendingFlows(config, cookieHeaders)) {
    if (iat + FLOW_TTL > now && kept < MAX_PENDING_FLOWS - 1) kept++;
    else evict.push(clearCookie(name, FLOW_COOKIE_PATH));
  }
  return evict;
}

export function newFlow(
  config: EdgeConfig,
  keys: KeySet,
  input: {
    providerId: string; returnPath: string; reauthenticate: boolean; retry?: boolean; consentFor?: string; fragmentPage?: boolean;
    now: number; random: RandomBytes; cookieHeaders?: readonly string[];
  },
): NewFlow {
  const verifier = randomToken(input.random);
  const flow: FlowState = {
    n: randomToken(input.random),
    c: codeChallengeOf(verifier),
    r: sanitizeReturnPath(input.returnPath),
    p: input.providerId,
    iat: input.now,
    ...(input.reauthenticate && { ra: 1 as const }),
    ...(input.retry === true && { rt: 1 as const }),
    ...(input.consentFor !== undefined && { h: input.consentFor }),
    ...(input.fragmentPage === true && { fr: 1 as const }),
  };
  return {
    flow,
    state: seal(flow, keys.current),
    codeChallenge: flow.c,
    setCookie: serializeCookie(flowCookieName(config, flow), verifier, { maxAge: FLOW_TTL, path: FLOW_COOKIE_PATH }),
    evictions: flowEvictions(config, input.cookieHeaders ?? [], input.now),
  };
}

export type FlowLookup =
  | { status: 'ok'; flow: FlowState; verifier: string; clearCookie: string }
  /** The attempt is ours (the state opens) but this browser no longer holds it, or it is too old. */
  | { status: 'missing' | 'expired'; flow: FlowState; clearCookie?: string }
  /** Not a state we sealed. */
  | { status: 'invalid' };

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function isFlow(value: unknown): value is FlowState {
  const f = value as Partial<FlowState> | undefined;
  return typeof f === 'object' && f !== null && typeof f.n === 'string' && typeof f.c === 'string' && TOKEN.test(f.c) &&
    typeof f.r === 'string' && typeof f.p === 'string' && typeof f.iat === 'number' && Number.isSafeInteger(f.iat) && f.iat >= 0 &&
    (f.h === undefined || typeof f.h === 'string');
}

/** The attempt the callback's `state` seals, and its verifier from this browser's cookie. Never throws. */
export function readFlow(config: EdgeConfig, keys: KeySet, cookieHeaders: readonly string[], state: string, now: number): FlowLookup {
  if (state.length > MAX_STATE_LENGTH || !/^[A-Za-z0-9_.-]+$/.test(state)) return { status: 'invalid' };
  const opened = open<FlowState>(state, keys);
  if (!isFlow(opened)) return { status: 'invalid' };
  const flow: FlowState = { ...opened, r: sanitizeReturnPath(opened.r) };
  const name = flowCookieName(config, flow);
  const values = cookieValues(cookieHeaders, name);
  const clear = values === undefined ? {} : { clearCookie: clearCookie(name, FLOW_COOKIE_PATH) };
  if (flow.iat + FLOW_TTL <= now || flow.iat > now + 300) return { status: 'expired', flow, ...clear };
  const verifier = values?.slice(0, 4).find((v) => TOKEN.test(v) && sameString(codeChallengeOf(v), flow.c));
  if (verifier === undefined) return { status: 'missing', flow, ...clear };
  return { status: 'ok', flow, verifier, clearCookie: clearCookie(name, FLOW_COOKIE_PATH) };
}

/** Hash of a state, as recorded server-side to make it single-use (the state itself is never stored). */
export function stateHash(state: string): string {
  return createHash('sha256').update(state).digest('base64url');
}
