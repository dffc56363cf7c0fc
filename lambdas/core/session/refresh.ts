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
import type { RefreshDone, SessionRecord, SessionStore, UserStore } from '../stores';
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
  if (error.code === 'ERR_PROVIDER_UNREACHABLE' || error.code === 'ERR_PROVIDER_TIMEOUT') return 'transient';
  if (error.status !== undefined && (error.status >= 500 || error.status === 429)) return 'transient';
  if (error.code === 'ERR_PROVIDER_DENIED') return 'rejected';
  // An OAuth error names the cause: only those about the user's grant end the session
  // (`invalid_client`, a misconfigured client secret, must not sign everybody out).
  if (error.oauthError !== undefined) return REJECTING_OAUTH_ERRORS.has(error.oauthError) ? 'rejected' : 'transient';
  // A bare 401/403 from a profile API (GitHub's /user...): the token is no longer good.
  if (error.status === 401 || error.status === 403) return 'rejected';
  return 'transient';
}

/** The refresh lease, or the outcome without it (another holds it, the check is no longer due, the store failed). */
async function takeLease(ctx: RefreshContext, sid: string, checkedBefore: number): Promise<{ record: SessionRecord | undefined } | { outcome: RefreshOutcome }> {
  const { now } = ctx;
  try {
    ctx.calls.push('refresh-lease');
    const lease = await ctx.sessions.acquireRefreshLease(sid, { owner: ctx.owner, now, until: now + REFRESH_LEASE_SECONDS, checkedBefore });
    return lease.acquired ? { record: lease.record } : { outcome: { kind: 'no-lease', record: lease.record } };
  } catch (error) {
    ctx.onError?.(error, 'refresh-lease');
    return { outcome: { kind: 'store-failed' } };
  }
}

/** What the provider says of the user now: a refresh (new tokens) when it can, else its profile; a rejection revokes. */
async function askProvider(ctx: RefreshContext, claims: { sid: string; uid: string; prv: string }, tokens: TokenSet, canRefresh: boolean): Promise<{ profile: Profile; next: TokenSet } | { outcome: RefreshOutcome }> {
  let answer: { profile: Profile; next: TokenSet };
  try {
    if (canRefresh) {
      ctx.calls.push('provider-refresh');
      const result = await ctx.provider.refresh(tokens.refreshToken!);
      answer = { profile: result.profile, next: result.tokens };
    } else {
      ctx.calls.push('provider-profile');
      answer = { profile: await ctx.provider.profile(tokens), next: tokens };
    }
  } catch (error) {
    ctx.onError?.(error, 'provider-refresh');
    if (providerFailureKind(error) === 'transient') return { outcome: { kind: 'provider-failed' } };
    await Promise.all([revoke(ctx, claims.sid, 'provider-rejected'), canRefresh && dropKeptRefreshToken(ctx, claims, tokens.refreshToken!)]);
    return { outcome: { kind: 'rejected' } };
  }
  if (answer.profile.id !== claims.uid) {
    await revoke(ctx, claims.sid, 'provider-rejected');
    return { outcome: { kind: 'rejected' } };
  }
  return answer;
}

/** The provider's answer, never weaker than what the session holds where the answer is silent. */
function statedProfile(answered: Profile, record: SessionRecord | undefined): Profile {
  // Never weaker than what sign-in established: an email whose verification the provider does
  // not state keeps the session's standing if unchanged, and is unverified if not (allow-list.ts).
  const profile = recheckedEmail(answered, record);
  // The answer did not speak of the groups (no ID token in a refresh answer, OIDC Core 12.2,
  // and none at userinfo): the session's groups, from the last statement, stand.
  if (profile.groups === undefined && profile.groupsNotRead === true && record?.groups !== undefined) return { ...profile, groups: record.groups };
  return profile;
}

/** The check's result stored (the lease released); a failure lets this request through, the next check retries. */
async function storeRefresh(ctx: RefreshContext, sid: string, done: Omit<RefreshDone, 'owner' | 'at' | 'tokens'>, tokens: { next: TokenSet; old: TokenSet }, userUpdate: Promise<unknown> | undefined): Promise<void> {
  try {
    const sealed = tokens.next !== tokens.old ? sealTokens(tokens.next, ctx.keys) : undefined;
    ctx.calls.push('refresh-complete');
    const [stored] = await Promise.all([ctx.sessions.completeRefresh(sid, { owner: ctx.owner, at: ctx.now, tokens: sealed, ...done }), userUpdate]);
    // Lost the lease (took longer than REFRESH_LEASE_SECONDS and someone else took over): theirs wins.
    if (!stored) ctx.onError?.(new Error('the refresh lease expired before the result was stored'), 'refresh-complete');
  } catch (error) {
    // The provider answered and the user passes: let this request through; the next check retries.
    ctx.onError?.(error, 'refresh-complete');
  }
}

export async function refreshSession(
  ctx: RefreshContext,
  claims: { sid: string; uid: string; prv: string },
  checkedBefore: number,
): Promise<RefreshOutcome> {
  const leased = await takeLease(ctx, claims.sid, checkedBefore);
  if ('outcome' in leased) return leased.outcome;
  const { record } = leased;
  const tokens = openTokens(record?.tokens, ctx.keys);
  const canRefresh = tokens?.refreshToken !== undefined && ctx.provider.supportsRefresh;
  if (tokens === undefined || (!canRefresh && tokens.expiresAt !== undefined && tokens.expiresAt <= ctx.now)) {
    await revoke(ctx, claims.sid, 'no-tokens');
    return { kind: 'no-tokens' };
  }
  const answer = await askProvider(ctx, claims, tokens, canRefresh);
  if ('outcome' in answer) return answer.outcome;
  const profile = statedProfile(answer.profile, record);
  // Only a usable email is passed on and kept (access/usable-email.ts): none (lost, changed and
  // not stated verified, unverified, never verifiable) removes the stored one (`null`), so
  // nothing falls back to the address of the sign-in or the cookie.
  const email = usableEmail(profile);
  // The groups as the provider says now (none said: in none, so a removal always counts),
  // against the allow-list of the current config.
  const groups = profile.groups ?? [];
  const decision = checkAllowList(profile, allowListFor(ctx.config, claims.prv), claims.prv);
  const userUpdate = ctx.users?.updateProfile(claims.prv, claims.uid, { at: ctx.now, email, name: profile.name }).catch((error: unknown) => ctx.onError?.(error, 'user-update'));
  if (!decision.allowed) {
    await Promise.all([revoke(ctx, claims.sid, 'not-allowed'), userUpdate]);
    return { kind: 'denied', reason: decision.reason, email };
  }
  const done = { email: email ?? null, emailVerification: emailVerificationOf(profile), name: profile.name, groups, authFingerprint: authFingerprint(ctx.config) };
  await storeRefresh(ctx, claims.sid, done, { next: answer.next, old: tokens }, userUpdate);
  return { kind: 'refreshed', email, name: profile.name, groups, tokens: answer.next };
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
