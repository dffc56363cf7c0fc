/**
 * The session check every way in makes, the site's viewer-request function and the API
 * Gateway authorizer alike: the sealed cookie (session/session-cookie.ts: integrity, deadlines, a known
 * provider), then the server-side checks when due (session/container-checks.ts: revocation,
 * inactivity, maximum duration, continuous authorization with the allow-list, MAU). One
 * function, so what lets a request into the site and into an API cannot drift apart; the
 * callers only render the answer (a redirect or a page; an allow or a 401).
 */
import type { EdgeConfig } from '../config/types';
import type { KeySet } from '../keys/key-set';
import { readSession, type SessionClaims } from './session-cookie';
import type { CheckResult, SessionChecks } from './container-checks';

export interface SessionCheckContext {
  readonly config: EdgeConfig;
  readonly keys: KeySet;
  /** Epoch seconds. */
  readonly now: number;
  /** The container's session checks. @default - the cookie alone decides */
  readonly checks?: SessionChecks | undefined;
  /** When the request arrived (a monotonic clock, ns), for `timeLeftMs`. */
  readonly startedNs?: bigint | undefined;
  /** Milliseconds left for a due session check of a request that arrived at `startedNs` (session/check-budget.ts). @default - no limit but the calls' own */
  readonly timeLeftMs?: ((startedNs: bigint) => number) | undefined;
}

export interface SessionCheckRequest {
  /** Every `Cookie` header value of the request. */
  readonly cookieHeaders: readonly string[];
  /** The host the request was made to (App User "hosts"). */
  readonly host: string;
  /** The client's IP and user agent (App User last seen). */
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
}

export type SessionCheck =
  /** No session cookie. */
  | { readonly status: 'none' }
  /** A session cookie that does not open (tampered, unknown key, unknown provider...). */
  | { readonly status: 'invalid' }
  /** A genuine cookie past its deadline (the maximum duration, under the current config). */
  | { readonly status: 'expired'; readonly claims: SessionClaims }
  /** A genuine, live cookie, and what the due server-side checks said (undefined: no checks configured). */
  | { readonly status: 'valid'; readonly claims: SessionClaims; readonly result: CheckResult | undefined };

/**
 * The session of a request. No network on the fast path (a valid cookie, nothing due);
 * never throws for anything the client sent.
 */
export async function checkSession(ctx: SessionCheckContext, req: SessionCheckRequest): Promise<SessionCheck> {
  const lookup = readSession(ctx.config, ctx.keys, req.cookieHeaders, ctx.now);
  if (lookup.status !== 'valid') return lookup;
  const { claims } = lookup;
  if (ctx.checks === undefined) return { status: 'valid', claims, result: undefined };
  const check = { claims, keys: ctx.keys, now: ctx.now, host: req.host, ip: req.ip, userAgent: req.userAgent };
  const result = ctx.checks.cached(check) ?? (await (ctx.timeLeftMs !== undefined && ctx.startedNs !== undefined ? ctx.checks.checkWithin(check, ctx.timeLeftMs(ctx.startedNs)) : ctx.checks.check(check)));
  return { status: 'valid', claims, result };
}
