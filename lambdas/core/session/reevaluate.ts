/**
 * Re-evaluation after a config change (issue #16): a session record whose authorization
 * fingerprint (access/fingerprint.ts) is not the container's is evaluated again under the
 * container's config at its next due sync (session/container-checks.ts), so a deploy that
 * narrows an allow-list ends the sessions it no longer admits within
 * `session.revocationCheckInterval`, whatever `session.authCheckInterval` says.
 *
 * 1. The allow-list applied to what the session knows (its stored email, the provider's
 *    verification of it, its groups: sign-in/allow-list.ts checkStoredSession). No
 *    network; a session it refuses is revoked (`not-allowed`).
 * 2. When the provider can refresh and the session holds a refresh token: the provider
 *    re-checked over the back channel as the check interval would (session/refresh.ts),
 *    under the same one-at-a-time lease. A check made by another container within
 *    RECHECK_FRESH_SECONDS is taken as current instead of asking again.
 * 3. The new fingerprint stored (by completeRefresh, or setAuthFingerprint).
 *
 * When the provider or the store fails at step 2 or 3, the session goes on with what step
 * 1 decided (the config's allow-list applied to what the sign-in or the last check
 * established), and the fingerprint is not stored: the next due sync tries again.
 * During a deploy, containers of the old and the new config both run for a while; each
 * re-evaluates under its own config, so a session may be evaluated more than once then.
 */
import { authFingerprint } from '../access/fingerprint';
import type { Provider } from '../providers/types';
import { checkStoredSession } from '../sign-in/allow-list';
import type { SessionRecord } from '../stores';
import { refreshSession, revoke, type RefreshContext, type RefreshOutcome } from './refresh';

/** A back-channel check at most this old (by any container) is taken as current by a re-evaluation. */
export const RECHECK_FRESH_SECONDS = 60;

export type ReevaluationOutcome =
  | RefreshOutcome
  /** The config admits the session; its fingerprint is stored. */
  | { readonly kind: 'kept' }
  /** The config admits what the session knows; the provider or the store could not confirm it (or another container is asking right now): retried at the next due sync. */
  | { readonly kind: 'unconfirmed'; readonly failed?: 'store-failed' | 'provider-failed' };

export interface ReevaluationContext extends Omit<RefreshContext, 'provider'> {
  /** Set when the provider is to be asked (it can refresh, the session has a refresh token, no backoff). */
  readonly provider?: Provider | undefined;
  /** The provider is to be asked, but not yet (a failed attempt's backoff): the stored check only, nothing stored. */
  readonly deferred?: boolean | undefined;
}

export async function reevaluateSession(ctx: ReevaluationContext, claims: { sid: string; uid: string; prv: string }, record: SessionRecord): Promise<ReevaluationOutcome> {
  const fingerprint = authFingerprint(ctx.config);
  let known = record;
  const stored = checkStoredSession(ctx.config, known);
  if (!stored.allowed) {
    await revoke(ctx, claims.sid, 'not-allowed');
    return { kind: 'denied', reason: stored.reason, email: known.email };
  }
  if (ctx.deferred === true) return { kind: 'unconfirmed' };
  if (ctx.provider !== undefined) {
    const outcome = await refreshSession({ ...ctx, provider: ctx.provider }, claims, ctx.now - RECHECK_FRESH_SECONDS);
    if (outcome.kind === 'provider-failed' || outcome.kind === 'store-failed') return { kind: 'unconfirmed', failed: outcome.kind };
    if (outcome.kind !== 'no-lease') return outcome;
    const current = outcome.record;
    // Ended, or evaluated under this config by another container: the caller applies the record.
    if (current === undefined || current.revokedAt !== undefined || current.authFingerprint === fingerprint) return outcome;
    // Another container is asking the provider right now: its answer comes with a later sync.
    if (current.leaseUntil !== undefined && current.leaseUntil >= ctx.now) return { kind: 'unconfirmed' };
    // Checked at the provider within RECHECK_FRESH_SECONDS (or signed in): that answer, under this config.
    known = current;
    const again = checkStoredSession(ctx.config, known);
    if (!again.allowed) {
      await revoke(ctx, claims.sid, 'not-allowed');
      return { kind: 'denied', reason: again.reason, email: known.email };
    }
  }
  try {
    ctx.calls.push('session-evaluated');
    // false: revoked or gone meanwhile; the next sync sees it.
    await ctx.sessions.setAuthFingerprint(claims.sid, fingerprint);
  } catch (error) {
    ctx.onError?.(error, 'session-evaluated');
    return { kind: 'unconfirmed', failed: 'store-failed' };
  }
  return { kind: 'kept' };
}
