/**
 * Login with Amazon: plain OAuth 2.0 (its OpenID-like profile is its own API).
 *
 * - Endpoints: www.amazon.com/ap/oa (authorization), api.amazon.com/auth/o2/token, and
 *   the customer profile at api.amazon.com/user/profile.
 * - Scope `profile`: gives `user_id`, `name` and `email` (the least scope with all three;
 *   `profile:user_id` alone has no name or email).
 * - PKCE S256 is supported. The client secret goes in the request body: every example in
 *   Amazon's docs sends `client_id` and `client_secret` as form fields
 *   (https://developer.amazon.com/docs/login-with-amazon/authorization-code-grant.html);
 *   HTTP Basic is mentioned in one sentence only, and not confirmed to work.
 * - Amazon documents no verification of the email ("the email address that they have
 *   registered with Amazon", https://developer.amazon.com/docs/login-with-amazon/customer-profile.html;
 *   no `email_verified`): the profile says so (`emailUnverifiable`), and the email never
 *   matches an allow-list. Without an allow-list, Amazon users sign in with it.
 * - Refresh: yes, the code grant returns a refresh token.
 * - New sign-in: Login with Amazon documents no parameter for it; a new sign-in happens
 *   only when the user's Amazon session has ended.
 */
import type { ProviderConfig } from '../config/types';
import { ProviderError } from '../errors';
import { OAuth2Provider, stringField } from './oauth2';
import type { Profile, ProviderDeps } from './types';

export class AmazonProvider extends OAuth2Provider {
  constructor(config: ProviderConfig, deps: ProviderDeps) {
    super(config, deps, {
      issuer: 'https://www.amazon.com',
      authorizationEndpoint: 'https://www.amazon.com/ap/oa',
      tokenEndpoint: 'https://api.amazon.com/auth/o2/token',
      requiredScopes: ['profile'],
      pkce: true,
      tokenEndpointAuth: 'client_secret_post',
      reauthenticationParams: {},
      supportsRefresh: true,
    });
  }

  protected async fetchProfile(accessToken: string): Promise<Profile> {
    const profile = await this.getJson('https://api.amazon.com/user/profile', accessToken);
    const id = stringField(profile, 'user_id');
    if (id === undefined) throw new ProviderError('ERR_PROVIDER_RESPONSE', 'profile: Amazon sent no user_id');
    const name = stringField(profile, 'name');
    const email = stringField(profile, 'email');
    return { id, ...(name !== undefined && { name }), ...(email !== undefined && { email, emailUnverifiable: true }) };
  }
}
