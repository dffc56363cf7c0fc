/**
 * Continuous authorization: refresh the user at the provider over the back channel and
 * re-apply the allow-list (emails, domains, groups) under the current config; the user's
 * current groups are stored in the session item for the path rules and the origin.
 *
 * One refresh per session at a time, across containers: a conditional write takes a lease
 * on the session item first (REFRESH_LEASE_SECONDS), so a rotating refresh token is used
 * exactly once and the new one is stored before anybody else refreshes. Whoever does not
 * get the lease goes on with the last known good state (the check was good until it fell
 * due) within the grace period.
 */
import type { EdgeConfig } from '../config/types';
import { ProviderError } from '../errors';
import type { KeySet } from '../keys/key-set';
import { allowListFor, checkAllowList, emailVerificationOf, recheckedEmail, type PolicyDecision } from '../sign-in/allow-list';
import { usableEmail } from '../access/usable-email';
import type { Profile, Provider, TokenSet } from '../providers/types';
import { REFRESH_LEASE_SECONDS } from './due-checks';
import type { SessionRecord, SessionStore, UserStore } from '../stores';
import { openTokens, refreshTokenId, sealTokens } from '../keys/token-sealing';
import { authFingerprint } from '../access/fingerprint';

export interface RefreshContext {
  readonly config: EdgeConfig;
  readonly sessions: SessionStore;
  readonly users?: UserStore | undefined;
  readonly provider: Provider;
  readonly keys: KeySet;
  /** This container's lease owner id. */
  readonly owner: string;
  readonly now: number;
  /** Names of the network calls made, for the request event. */
  readonly calls: string[];
  readonly onError?: ((error: unknown, where: string) => void) | undefined;
}

export type RefreshOutcome =
  /** Checked now; the user still passes. */
  | { readonly kind: 'refreshed'; readonly email?: string | undefined; readonly name?: string | undefined; readonly groups?: readonly string[] | undefined; readonly tokens: TokenSet }
  /** No lease: someone else refreshed, holds the lease, or the session ended; the record as it stands. */
  | { readonly kind: 'no-lease'; readonly record: SessionRecord | undefined }
  /** The user no longer passes the allow-list: the session is revoked. */
  | { readonly kind: 'denied'; readonly reason: Exclude<PolicyDecision, { allowed: true }>['reason']; readonly email?: string | undefined }
  /** The provider refused the grant (revoked, account disabled) or nothing is left to check with: revoked. */
  | { readonly kind: 'rejected' | 'no-tokens' }
  /** The store or the provider could not be reached or answered in a way that says nothing about the user. */
  | { readonly kind: 'store-failed' | 'provider-failed' };

const REJECTING_OAUTH_ERRORS = new Set([
  'invalid_grant',
  'invalid_token',
  'access_denied',
  'unauthorized_client',
  'consent_required',
  'login_required',
  // GitHub's own name for invalid_grant at a refresh (a used, expired or revoked refresh token).
  'bad_refresh_token',
]);

/**
 * Whether a provider failure says the user's grant is gone (end the session) or says
 * nothing about the user (try again later: unreachable, 5xx, 429, a misconfigured client).
 */
export function providerFailureKind(error: unknown): 'rejected' | 'transient' {
  if (!(error instanceof ProviderError)) return 'transient';
  if (error.code === 'ERR_PROVIDER_UNREACHABLE') return 'transient';
  if (error.status !== undefined && (error.status >= 500 || error.status === 429)) return 'transient';
  if (error.code === 'ERR_PROVIDER_DENIED') return 'rejected';
  // An OAuth error names the cause: only those about the user's grant end the session
  // (`invalid_client`, a misconfigured client secret, must not sign everybody out).
  if (error.oauthError !== undefined) return REJECTING_OAUTH_ERRORS.has(error.oauthError) ? 'rejected' : 'transient';
  // A bare 401/403 from a profile API (GitHub's /user...): the token is no longer good.
  if (error.status === 401 || error.status === 403) return 'rejected';
  return 'transient';
}

export async function refreshSession(
  ctx: RefreshContext,
  claims: { sid: string; uid: string; prv: string },
  checkedBefore: number,
): Promise<RefreshOutcome> {
  const { sessions, now, calls } = ctx;
  let record: SessionRecord | undefined;
  try {
    calls.push('refresh-lease');
    const lease = await sessions.acquireRefreshLease(claims.sid, { owner: ctx.owner, now, until: now + REFRESH_LEASE_SECONDS, checkedBefore });
    if (!lease.acquired) return { kind: 'no-lease', record: lease.record };
    record = lease.record;
  } catch (error) {
    ctx.onError?.(error, 'refresh-lease');
    return { kind: 'store-failed' };
  }

  const tokens = openTokens(record?.tokens, ctx.keys);
  const canRefresh = tokens?.refreshToken !== undefined && ctx.provider.supportsRefresh;
  if (tokens === undefined || (!canRefresh && tokens.expiresAt !== undefined && tokens.expiresAt <= now)) {
    await revoke(ctx, claims.sid, 'no-tokens');
    return { kind: 'no-tokens' };
  }

  let profile: Profile;
  let next: TokenSet = tokens;
  try {
    if (canRefresh) {
      calls.push('provider-refresh');
      const result = await ctx.provider.refresh(tokens.refreshToken!);
      profile = result.profile;
      next = result.tokens;
    } else {
      calls.push('provider-profile');
      profile = await ctx.provider.profile(tokens);
    }
  } catch (error) {
    ctx.onError?.(error, 'provider-refresh');
    if (providerFailureKind(error) === 'transient') return { kind: 'provider-failed' };
    await Promise.all([revoke(ctx, claims.sid, 'provider-rejected'), canRefresh && dropKeptRefreshToken(ctx, claims, tokens.refreshToken!)]);
    return { kind: 'rejected' };
  }
  if (profile.id !== claims.uid) {
    await revoke(ctx, claims.sid, 'provider-rejected');
    return { kind: 'rejected' };
  }
  // Never weaker than what sign-in established: an email whose verification the provider does
  // not state keeps the session's standing if unchanged, and is unverified if not (allow-list.ts).
  profile = recheckedEmail(profile, record);
  // The answer did not speak of the groups (no ID token in a refresh answer, OIDC Core 12.2,
  // and none at userinfo): the session's groups, from the last statement, stand.
  if (profile.groups === undefined && profile.groupsNotRead === true && record?.groups !== undefined) profile = { ...profile, groups: record.groups };

  // Only a usable email is passed on and kept (access/usable-email.ts): none (lost, changed and
  // not stated verified, unverified, never verifiable) removes the stored one (`null`), so
  // nothing falls back to the address of the sign-in or the cookie.
  const email = usableEmail(profile);
  // The groups as the provider says now (none said: in none, so a removal always counts),
  // against the allow-list of the current config.
  const groups = profile.groups ?? [];
  const decision = checkAllowList(profile, allowListFor(ctx.config, claims.prv), claims.prv);
  const userUpdate = ctx.users?.updateProfile(claims.prv, claims.uid, { at: now, email, name: profile.name }).catch((error: unknown) => ctx.onError?.(error, 'user-update'));
  if (!decision.allowed) {
    await Promise.all([revoke(ctx, claims.sid, 'not-allowed'), userUpdate]);
    return { kind: 'denied', reason: decision.reason, email };
  }
  try {
    const sealed = next !== tokens ? await sealTokens(next, ctx.keys) : undefined;
    calls.push('refresh-complete');
    const done = { owner: ctx.owner, at: now, tokens: sealed, email: email ?? null, emailVerification: emailVerificationOf(profile), name: profile.name, groups, authFingerprint: authFingerprint(ctx.config) };
    const [stored] = await Promise.all([sessions.completeRefresh(claims.sid, done), userUpdate]);
    // Lost the lease (took longer than REFRESH_LEASE_SECONDS and someone else took over): theirs wins.
    if (!stored) ctx.onError?.(new Error('the refresh lease expired before the result was stored'), 'refresh-complete');
  } catch (error) {
    // The provider answered and the user passes: let this request through; the next check retries.
    ctx.onError?.(error, 'refresh-complete');
  }
  return { kind: 'refreshed', email, name: profile.name, groups, tokens: next };
}

/**
 * A refused refresh token is dropped from the user too when it is the one kept there
 * (Provider.keepsRefreshToken: Google), so the next sign-in asks for consent instead of
 * starting a session with it (sign-in/kept-refresh-token.ts). A newer one kept meanwhile stays.
 */
async function dropKeptRefreshToken(ctx: RefreshContext, claims: { uid: string; prv: string }, refreshToken: string): Promise<void> {
  if (ctx.provider.keepsRefreshToken !== true || ctx.users === undefined) return;
  try {
    ctx.calls.push('user-refresh-token-drop');
    await ctx.users.dropRefreshToken(claims.prv, claims.uid, refreshTokenId(refreshToken));
  } catch (error) {
    ctx.onError?.(error, 'refresh-token-drop');
  }
}

/** Revokes the session; a failure is logged and does not change the answer. */
export async function revoke(ctx: Pick<RefreshContext, 'sessions' | 'now' | 'calls' | 'onError'>, sessionId: string, reason: 'not-allowed' | 'provider-rejected' | 'no-tokens'): Promise<void> {
  try {
    ctx.calls.push('session-revoke');
    await ctx.sessions.revokeSession(sessionId, ctx.now, reason);
  } catch (error) {
    // The answer to this request does not depend on it; the cookie is cleared either way.
    ctx.onError?.(error, 'session-revoke');
  }
}
