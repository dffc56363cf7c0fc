/**
 * A refresh token kept per user, for providers whose refresh tokens outlive a session and
 * come only with a consent screen (`Provider.keepsRefreshToken`: Google with offline access).
 * Design and trade-off: docs/providers/google.md ("Refresh without a consent screen").
 *
 * Google returns a refresh token only when its consent screen was shown (the user's first
 * authorization, or `prompt=consent`;
 * https://developers.google.com/identity/protocols/oauth2/web-server#offline), and each one
 * stays valid across sessions until the user revokes access, it goes unused for six months,
 * or newer ones for the same account and client push it out
 * (https://developers.google.com/identity/protocols/oauth2#expiration). So the sign-in asks
 * for no consent, and at the callback:
 *
 * - the answer has a refresh token: the session uses it, and it is kept with the App User
 *   (sealed, bound to the user: keys/token-sealing.ts), replacing the kept one;
 * - it has none: the kept one, once a refresh with it proves Google still honours it (a
 *   refused one is dropped, so a revoked token never starts a session that dies at its first
 *   check); a provider that cannot be reached says nothing, and the kept one is used as is;
 * - none is kept (a first sign-in with this code, revoked, evicted): the browser goes back to
 *   the provider once with `prompt=consent` for that account, for the same deep link; that
 *   attempt is marked (`FlowState.h`), so its callback never goes back again: without a
 *   refresh token then, the session has only its access token (the provider's fault; logged).
 */
import type { KeySet } from '../keys/key-set';
import { openKeptRefreshToken, sealKeptRefreshToken } from '../keys/token-sealing';
import type { Provider, TokenSet } from '../providers/types';
import { providerFailureKind } from '../session/refresh';
import type { KeptRefreshToken, UserStore } from '../stores';

export interface KeptTokenContext {
  readonly keys: KeySet;
  readonly users?: UserStore | undefined;
  readonly onError?: ((error: unknown, where: string) => void) | undefined;
}

export type RefreshTokenPlan =
  /** Sign in with these tokens; `keep`: write it with the App User. */
  | { readonly kind: 'use'; readonly tokens: TokenSet; readonly keep?: KeptRefreshToken }
  /** Send the browser to the provider once more, with its consent screen, for this user. */
  | { readonly kind: 'consent' };

/**
 * What the session's tokens are. `consentAsked`: this callback ends the consent round trip
 * (never another one).
 */
export async function planRefreshToken(
  ctx: KeptTokenContext,
  provider: Provider,
  userId: string,
  tokens: TokenSet,
  consentAsked: boolean,
): Promise<RefreshTokenPlan> {
  if (provider.keepsRefreshToken !== true) return { kind: 'use', tokens };
  const user = { provider: provider.id, userId };
  if (tokens.refreshToken !== undefined) {
    return { kind: 'use', tokens, keep: sealKeptRefreshToken(tokens.refreshToken, user, ctx.keys) };
  }
  const kept = await ctx.users?.getRefreshToken(provider.id, userId);
  const refreshToken = openKeptRefreshToken(kept?.sealed, user, ctx.keys);
  if (refreshToken !== undefined && (await stillHonoured(ctx, provider, userId, refreshToken))) {
    return { kind: 'use', tokens: { ...tokens, refreshToken } };
  }
  // Kept but not usable (refused, another user's, sealed under a key no longer held): dropped.
  if (kept !== undefined) {
    await ctx.users?.dropRefreshToken(provider.id, userId, kept.id).catch((error: unknown) => ctx.onError?.(error, 'refresh-token-drop'));
  }
  if (!consentAsked) return { kind: 'consent' };
  ctx.onError?.(new Error(`${provider.displayName} returned no refresh token, even after its consent screen: the session has only its access token`), 'refresh-token-missing');
  return { kind: 'use', tokens };
}

/** A refresh with the kept token: refused (revoked, expired, evicted, another user's): false; unreachable: true (it says nothing). */
async function stillHonoured(ctx: KeptTokenContext, provider: Provider, userId: string, refreshToken: string): Promise<boolean> {
  try {
    const result = await provider.refresh(refreshToken);
    return result.profile.id === userId;
  } catch (error) {
    ctx.onError?.(error, 'kept-refresh-token');
    return providerFailureKind(error) === 'transient';
  }
}

