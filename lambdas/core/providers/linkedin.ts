/**
 * LinkedIn: "Sign In with LinkedIn using OpenID Connect", issuer https://www.linkedin.com/oauth.
 *
 * - Scopes `openid profile email`; the profile is `sub`, `name`, `email`, `email_verified`
 *   (userinfo at api.linkedin.com/v2/userinfo, found by discovery).
 * - What LinkedIn does differently from the standard, and so is configured here:
 *   it puts no `nonce` in the ID token (so none is sent or expected); a web app's token
 *   request fails with `invalid_client` when it carries a PKCE `code_verifier` (so no PKCE;
 *   state and the client secret protect the code exchange); and the client secret must be
 *   in the request body (`client_secret_post`).
 * - New sign-in: LinkedIn documents no parameter for it.
 * - No refresh: LinkedIn gives refresh tokens only to selected partners.
 */
import type { ProviderConfig } from '../config/types';
import { OidcProvider, STANDARD_CLAIMS } from './oidc';
import type { ProviderDeps } from './types';

export const LINKEDIN_ISSUER = 'https://www.linkedin.com/oauth';

export class LinkedInProvider extends OidcProvider {
  constructor(config: ProviderConfig, deps: ProviderDeps) {
    super({ ...config, issuer: LINKEDIN_ISSUER, claims: STANDARD_CLAIMS, allowInsecureRequests: false }, deps, {
      requiredScopes: ['openid', 'profile', 'email'],
      nonce: false,
      pkce: false,
      tokenEndpointAuth: 'client_secret_post',
      reauthenticationParams: {},
      authTime: 'when-present',
      supportsRefresh: false,
    });
  }
}
