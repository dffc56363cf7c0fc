/**
 * What a sign-in writes (SignInStore): the session item (with the sealed tokens, first
 * activity and first check), the App User's sign-in, and the month the user is counted in.
 */
import { checkSettings } from '../session/due-checks';
import { purgeAt } from '../session/inactivity';
import { monthOf } from '../session/monthly-active-users';
import type { EdgeConfig } from '../config/types';
import type { KeySet } from '../keys/key-set';
import type { Profile, TokenSet } from '../providers/types';
import { authFingerprint } from '../access/fingerprint';
import { MAX_COOKIE_AGE, type SessionClaims } from '../session/session-cookie';
import type { SignInRecord } from '../stores';
import { emailVerificationOf } from './allow-list';
import { sealTokens } from '../keys/token-sealing';

export interface SignInRequest {
  readonly host: string;
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
}

/**
 * `profile`: what the provider said at sign-in; its groups are stored all of them (the
 * cookie may carry none: `gs`).
 */
export function signInRecord(
  config: EdgeConfig,
  keys: KeySet,
  claims: SessionClaims,
  tokens: TokenSet,
  req: SignInRequest,
  profile: Pick<Profile, 'groups' | 'emailVerified' | 'emailUnverifiable'> = {},
): SignInRecord {
  const expiresAt = claims.exp ?? claims.iat + MAX_COOKIE_AGE;
  const groups = profile.groups;
  const userAgent = req.userAgent?.slice(0, 256);
  return {
    session: {
      sessionId: claims.sid,
      provider: claims.prv,
      userId: claims.uid,
      ...(claims.email !== undefined && { email: claims.email, emailVerification: emailVerificationOf(profile) }),
      ...(claims.name !== undefined && { name: claims.name }),
      ...(groups !== undefined && { groups }),
      createdAt: claims.iat,
      expiresAt,
      purgeAt: purgeAt(checkSettings(config), claims.iat, expiresAt),
      lastSeenAt: claims.iat,
      lastAuthCheckAt: claims.iat,
      authFingerprint: authFingerprint(config),
      tokens: sealTokens(tokens, keys),
      ...(req.ip !== undefined && { ip: req.ip }),
      ...(userAgent !== undefined && { userAgent }),
      host: req.host,
    },
    user: { provider: claims.prv, userId: claims.uid, email: claims.email, name: claims.name, at: claims.iat, ip: req.ip, userAgent, host: req.host },
    month: monthOf(claims.iat),
  };
}
