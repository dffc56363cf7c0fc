/**
 * GitLab: OpenID Connect at https://gitlab.com, or at a self-managed instance given as
 * `issuer` in the config (discovery at <issuer>/.well-known/openid-configuration).
 *
 * - Scopes `openid profile email`; `sub` (the numeric user id), `name`, `email` and
 *   `email_verified` come from the ID token and userinfo.
 * - New sign-in: `prompt=login` and `max_age=0`; GitLab's ID token carries `auth_time`,
 *   so the new sign-in is checked.
 * - Refresh: yes, GitLab issues refresh tokens (its access tokens last two hours); they
 *   rotate: the used one stops working.
 * - Client secret in the body (`client_secret_post`), never HTTP Basic: GitLab's OAuth
 *   server (Doorkeeper) base64-decodes Basic credentials but never percent-decodes them
 *   (doorkeeper lib/doorkeeper/oauth/client/credentials.rb: `Base64.decode64(...).split(/:/, 2)`),
 *   while RFC 6749 2.3.1 (and so openid-client) form-urlencodes them: the `-` of every
 *   `gloas-...` secret goes out as `%2D` and GitLab answers `invalid_client`. GitLab's own
 *   docs send the secret in the body (https://docs.gitlab.com/api/oauth2/).
 * - Groups: the userinfo `groups` claim, full paths such as `my-group/sub-group`.
 */
import type { ProviderConfig } from '../config/types';
import { OidcProvider, STANDARD_CLAIMS } from './oidc';
import type { ProviderDeps } from './types';

export const GITLAB_ISSUER = 'https://gitlab.com';
/**
 * The user's groups: full paths of the groups they are a direct or inherited member of,
 * at userinfo only. gitlabhq `config/initializers/doorkeeper_openid_connect.rb`:
 * `o.claim(:groups) { |user| user.membership_groups.joins(:route).with_route.map(&:full_path) }`;
 * doc/integration/openid_connect_provider.md: "All other claims are available from the
 * `/oauth/userinfo` endpoint" (only sub, sub_legacy, email, email_verified and
 * groups_direct are in the ID token). Read at sign-in and at every refresh (userinfo).
 */
export const GITLAB_GROUPS_CLAIM = 'groups';

export class GitLabProvider extends OidcProvider {
  constructor(config: ProviderConfig, deps: ProviderDeps) {
    super({ ...config, issuer: config.issuer ?? GITLAB_ISSUER, claims: { ...STANDARD_CLAIMS, groups: GITLAB_GROUPS_CLAIM } }, deps, {
      requiredScopes: ['openid', 'profile', 'email'],
      tokenEndpointAuth: 'client_secret_post',
    });
  }
}
