/**
 * The user's OAuth tokens at rest: sealed with the session key set (the same compact JWE as
 * the cookie) and stored in the session item, never in the cookie. Only the edge (to refresh
 * the user, or to pass the tokens to the origin) and the callback (at sign-in) open or seal
 * them. A value sealed under a key that has since left the key set opens to `undefined`.
 */
import { createHash } from 'node:crypto';
import type { KeySet } from './key-set';
import type { TokenSet } from '../providers/types';
import { open, seal } from './seal';
import type { KeptRefreshToken } from '../stores';

/** Provider tokens can be long (Entra ID access tokens with groups): a generous bound for server-side values. */
export const MAX_SEALED_TOKENS_LENGTH = 32_000;

interface SealedTokenPayload {
  at: string;
  rt?: string;
  exp?: number;
}

export function sealTokens(tokens: TokenSet, keys: KeySet): string {
  const payload: SealedTokenPayload = {
    at: tokens.accessToken,
    ...(tokens.refreshToken !== undefined && { rt: tokens.refreshToken }),
    ...(tokens.expiresAt !== undefined && { exp: tokens.expiresAt }),
  };
  return seal(payload, keys.current);
}

/** The tokens, or undefined when the value is missing, tampered with or sealed under an unknown key. */
export function openTokens(sealed: string | undefined, keys: KeySet): TokenSet | undefined {
  if (sealed === undefined) return undefined;
  const payload = open<Partial<SealedTokenPayload>>(sealed, keys, MAX_SEALED_TOKENS_LENGTH);
  if (payload === undefined || typeof payload.at !== 'string') return undefined;
  return {
    accessToken: payload.at,
    ...(typeof payload.rt === 'string' && { refreshToken: payload.rt }),
    ...(typeof payload.exp === 'number' && { expiresAt: payload.exp }),
  };
}

/*
 * A refresh token kept with the App User (providers whose refresh tokens outlive a session:
 * Google). Sealed like session tokens, and bound to its user: opened for another provider or
 * user id (an item copied across users), it is nothing. Its `id` names the token without
 * revealing it, so a refused one is dropped only if it is still the one kept.
 */

interface KeptPayload {
  krt: string;
  prv: string;
  uid: string;
}

export function refreshTokenId(refreshToken: string): string {
  return createHash('sha256').update(refreshToken).digest('base64url').slice(0, 22);
}

export function sealKeptRefreshToken(refreshToken: string, user: { provider: string; userId: string }, keys: KeySet): KeptRefreshToken {
  const payload: KeptPayload = { krt: refreshToken, prv: user.provider, uid: user.userId };
  return { sealed: seal(payload, keys.current), id: refreshTokenId(refreshToken) };
}

/** The kept refresh token, or undefined (missing, tampered, another user's, sealed under a key no longer held). */
export function openKeptRefreshToken(sealed: string | undefined, user: { provider: string; userId: string }, keys: KeySet): string | undefined {
  if (sealed === undefined) return undefined;
  const payload = open<Partial<KeptPayload>>(sealed, keys, MAX_SEALED_TOKENS_LENGTH);
  if (payload === undefined || typeof payload.krt !== 'string' || payload.prv !== user.provider || payload.uid !== user.userId) return undefined;
  return payload.krt;
}
