/**
 * GitLab: OpenID Connect at https://gitlab.com, or at a self-managed instance given as
 * `issuer` in the config (discovery at <issuer>/.well-known/openid-configuration).
 *
 * - Scopes `openid profile email`; `sub` (the numeric user id), `name`, `email` and
 *   `email_verified` come from the ID token and userinfo.
 * - New sign-in: `prompt=login` and `max_age=0`; GitLab's ID token carries `auth_time`,
 *   so the new sign-in is checked.
 * - Refresh: yes, GitLab issues refresh tokens (its access tokens last two hours).
 */
import type { ProviderConfig } from '../config/types';
import { OidcProvider, STANDARD_CLAIMS } from './oidc';
import type { ProviderDeps } from './types';

export const GITLAB_ISSUER = 'https://gitlab.com';

export class GitLabProvider extends OidcProvider {
  constructor(config: ProviderConfig, deps: ProviderDeps) {
    super({ ...config, issuer: config.issuer ?? GITLAB_ISSUER, claims: STANDARD_CLAIMS }, deps, {
      requiredScopes: ['openid', 'profile', 'email'],
    });
  }
}
