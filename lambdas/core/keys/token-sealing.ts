/**
 * The user's OAuth tokens at rest: sealed with the session key set (the same compact JWE as
 * the cookie) and stored in the session item, never in the cookie. Only the edge (to refresh
 * the user, or to pass the tokens to the origin) and the callback (at sign-in) open or seal
 * them. A value sealed under a key that has since left the key set opens to `undefined`.
 */
import type { KeySet } from './key-set';
import type { TokenSet } from '../providers/types';
import { open, seal } from './seal';

/** Provider tokens can be long (Entra ID access tokens with groups): a generous bound for server-side values. */
export const MAX_SEALED_TOKENS_LENGTH = 32_000;

interface SealedTokenPayload {
  at: string;
  rt?: string;
  exp?: number;
}

export async function sealTokens(tokens: TokenSet, keys: KeySet): Promise<string> {
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
