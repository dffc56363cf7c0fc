/**
 * Google: OpenID Connect at https://accounts.google.com (the generic adapter, fixed issuer).
 *
 * - Scopes `openid email profile`; the profile is `sub`, `name`, `email`, `email_verified`.
 * - New sign-in: Google supports no `prompt=login` (only none, consent, select_account), so
 *   we send `prompt=select_account` and the standard `max_age=0`. Google puts `auth_time`
 *   in the ID token only for a verified app with "Session age claims" turned on; when it
 *   is there it is checked, otherwise the new sign-in cannot be proven.
 * - No refresh: refresh tokens need `access_type=offline`, a long-lived credential this
 *   front door does not need; a lapsed check sends the user through Google again.
 */
import type { ProviderConfig } from '../config/types';
import { OidcProvider, STANDARD_CLAIMS } from './oidc';
import type { ProviderDeps } from './types';

export const GOOGLE_ISSUER = 'https://accounts.google.com';

export class GoogleProvider extends OidcProvider {
  constructor(config: ProviderConfig, deps: ProviderDeps) {
    super({ ...config, issuer: GOOGLE_ISSUER, claims: STANDARD_CLAIMS, allowInsecureRequests: false }, deps, {
      reauthenticationParams: { prompt: 'select_account', max_age: '0' },
      authTime: 'when-present',
      supportsRefresh: false,
    });
  }
}
