/** The session-check settings, read once from the config (session.* and originTokens.enabled). */
import type { EdgeConfig } from '../config/types';

export interface CheckSettings {
  readonly revocationCheckInterval: number;
  readonly inactivityTimeout: number;
  readonly activityWriteInterval: number;
  readonly authCheckInterval: number;
  readonly checkGracePeriod: number;
  /** Tokens go to the origin: an access token about to expire is refreshed too. */
  readonly tokensToOrigin: boolean;
}

export function checkSettings(config: EdgeConfig): CheckSettings {
  const s = config.session;
  return {
    revocationCheckInterval: s.revocationCheckInterval,
    inactivityTimeout: s.inactivityTimeout,
    activityWriteInterval: s.activityWriteInterval,
    authCheckInterval: s.authCheckInterval,
    checkGracePeriod: s.checkGracePeriod,
    tokensToOrigin: config.originTokens.enabled,
  };
}
