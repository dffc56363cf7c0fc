/**
 * Amazon Cognito user pools: OpenID Connect at https://cognito-idp.<region>.amazonaws.com/<pool id>
 * ("The issuer is https://cognito-idp.<Region>.amazonaws.com/<your user pool ID>",
 * https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-id-token.html;
 * discovery at <issuer>/.well-known/openid-configuration,
 * https://docs.aws.amazon.com/cognito/latest/developerguide/federation-endpoints.html).
 * The pool is the stack's own (config with no client: its pool and client ids come from the
 * secret the deploy wrote, `registeredClient`) or the operator's (`userPoolId`, `clientId`).
 *
 * - Scopes `openid email profile`; PKCE S256 and a nonce (authorization endpoint:
 *   https://docs.aws.amazon.com/cognito/latest/developerguide/authorization-endpoint.html).
 * - Client authentication: HTTP Basic, "Base64Encode(client_id:client_secret)" as the token
 *   endpoint documents it (https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html),
 *   the id and secret as they are: not RFC 6749's form-urlencoding (which would send the `_`
 *   Cognito allows in ids and secrets, pattern `[\w+]+` in API_UserPoolClientType, as `%5F`),
 *   since the page does not say Cognito decodes it.
 * - Profile: `sub`, `email`, `email_verified` (a boolean in the ID token, the string "true" at
 *   userInfo: https://docs.aws.amazon.com/cognito/latest/developerguide/userinfo-endpoint.html), `name`.
 * - Groups: the ID token's `cognito:groups`, "an array of the names of user pool groups that
 *   have your user as a member" (the ID token page above); userInfo does not carry it, so a
 *   re-check refreshes (the refresh answer has a new ID token) rather than asking userInfo.
 * - Refresh: the code grant always returns a refresh token; it lasts the app client's
 *   RefreshTokenValidity (30 days by default) and is not rotated unless rotation is turned on
 *   (https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-refresh-token.html):
 *   an answer without one keeps the one we hold (oidc.ts tokenSet). A disabled or deleted
 *   user's refresh fails, which ends their session at the next re-check.
 * - New sign-in: `prompt=login` (managed login), and the ID token's `auth_time` is checked.
 * - Logout at Cognito (config `endProviderSession`): GET <domain>/logout?client_id=&logout_uri=,
 *   the logout_uri being one of the client's sign-out URLs
 *   (https://docs.aws.amazon.com/cognito/latest/developerguide/logout-endpoint.html). The
 *   domain is the one of the discovered authorization endpoint.
 */
import * as client from 'openid-client';
import type { ProviderConfig } from '../config/types';
import { userPoolRegion } from '../config/cognito';
import { ProviderError } from '../errors';
import { OidcProvider, STANDARD_CLAIMS } from './oidc';
import type { ProviderDeps } from './types';

export const COGNITO_GROUPS_CLAIM = 'cognito:groups';

/** The issuer of a user pool: under `endpoint` (the local stand-in) or Cognito's regional one. */
export function cognitoIssuer(userPoolId: string, endpoint?: string): string {
  return `${endpoint ?? `https://cognito-idp.${userPoolRegion(userPoolId)}.amazonaws.com`}/${userPoolId}`;
}

/** `Authorization: Basic base64(client_id:client_secret)`, as Cognito's token endpoint documents it. */
export function cognitoBasicAuth(clientSecret: () => Promise<string>): client.ClientAuth {
  return async (_as, c, _body, headers) => {
    headers.set('authorization', `Basic ${btoa(`${c.client_id}:${await clientSecret()}`)}`);
  };
}

export class CognitoProvider extends OidcProvider {
  readonly #deps: ProviderDeps;

  constructor(config: ProviderConfig, deps: ProviderDeps) {
    super({ ...config, claims: { ...STANDARD_CLAIMS, groups: COGNITO_GROUPS_CLAIM } }, deps, {
      requiredScopes: ['openid', 'email', 'profile'],
      reauthenticationParams: { prompt: 'login' },
      clientAuth: cognitoBasicAuth(deps.clientSecret),
    });
    this.#deps = deps;
  }

  protected override async clientRegistration(): Promise<{ issuer: string; clientId: string }> {
    const settings = this.config.cognito;
    if (settings?.managed !== undefined || settings?.userPoolId === undefined) {
      if (this.#deps.registeredClient === undefined) throw new ProviderError('ERR_PROVIDER_FAILED', 'the managed user pool\'s client is not wired');
      const { userPoolId, clientId } = await this.#deps.registeredClient();
      return { issuer: cognitoIssuer(userPoolId, settings?.idpEndpoint), clientId };
    }
    return { issuer: cognitoIssuer(settings.userPoolId, settings.idpEndpoint), clientId: this.config.clientId };
  }

  async endSessionUrl(returnTo: string): Promise<URL> {
    const configuration = await this.discover();
    const authorize = configuration.serverMetadata().authorization_endpoint;
    if (authorize === undefined) throw new ProviderError('ERR_PROVIDER_RESPONSE', 'discovery: no authorization_endpoint (does the user pool have a domain?)');
    const url = new URL('/logout', authorize);
    url.searchParams.set('client_id', configuration.clientMetadata().client_id);
    url.searchParams.set('logout_uri', returnTo);
    return url;
  }
}
