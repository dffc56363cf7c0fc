/**
 * Facebook Login, built manually (the redirect flow): plain OAuth 2.0 and the Graph API.
 *
 * - Endpoints: www.facebook.com/v23.0/dialog/oauth, graph.facebook.com/v23.0/oauth/access_token,
 *   and `GET /me?fields=id,name,email` on the same Graph API version.
 * - Scopes `public_profile,email` (comma-separated, as Facebook documents them).
 * - Facebook returns `email` only when the person has a confirmed, reachable address, so an
 *   email it returns is verified; accounts made with a phone number have none.
 * - No PKCE: Facebook documents PKCE only for its OpenID Connect variant of this flow,
 *   marked "still in testing"; state and the app secret protect the code exchange.
 * - Graph API calls carry `appsecret_proof` (HMAC-SHA256 of the token with the app secret),
 *   so the app can turn on "Require App Secret".
 * - New sign-in: `auth_type=reauthenticate` makes Facebook ask for the password again.
 * - No refresh: Facebook issues no refresh tokens.
 * - Token endpoint errors are Graph API errors, `{"error": {"message", "type", "code",
 *   "fbtrace_id"}}` (https://developers.facebook.com/docs/graph-api/guides/error-handling),
 *   not RFC 6749's: they are read as `error` = the type (e.g. `OAuthException`) and
 *   `error_description` = the message, so the error page can show what Facebook said.
 */
import type { ProviderConfig } from '../config/types';
import { ProviderError } from '../errors';
import { fixTokenResponses, OAuth2Provider, stringField } from './oauth2';
import type { Profile, ProviderDeps } from './types';

/** Graph API version; Facebook supports each version for at least two years. */
export const GRAPH_VERSION = 'v23.0';
const GRAPH = `https://graph.facebook.com/${GRAPH_VERSION}`;

export class FacebookProvider extends OAuth2Provider {
  readonly #deps: ProviderDeps;

  constructor(config: ProviderConfig, deps: ProviderDeps) {
    super(config, deps, {
      issuer: 'https://www.facebook.com',
      authorizationEndpoint: `https://www.facebook.com/${GRAPH_VERSION}/dialog/oauth`,
      tokenEndpoint: `${GRAPH}/oauth/access_token`,
      requiredScopes: ['public_profile', 'email'],
      scopeSeparator: ',',
      pkce: false,
      tokenEndpointAuth: 'client_secret_post',
      reauthenticationParams: { auth_type: 'reauthenticate' },
      supportsRefresh: false,
      wrapFetch: fixTokenResponses(`${GRAPH}/oauth/access_token`, graphErrorToOAuth),
    });
    this.#deps = deps;
  }

  protected async fetchProfile(accessToken: string): Promise<Profile> {
    const proof = await appSecretProof(accessToken, await this.#deps.clientSecret());
    const me = await this.getJson(`${GRAPH}/me?fields=id,name,email&appsecret_proof=${proof}`, accessToken);
    const id = stringField(me, 'id');
    if (id === undefined) throw new ProviderError('ERR_PROVIDER_RESPONSE', 'profile: Facebook sent no user id');
    const name = stringField(me, 'name');
    const email = stringField(me, 'email');
    return { id, ...(name !== undefined && { name }), ...(email !== undefined && { email, emailVerified: true }) };
  }
}

/** `appsecret_proof`: hex HMAC-SHA256 of the access token keyed with the app secret (WebCrypto). */
export async function appSecretProof(accessToken: string, appSecret: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', encoder.encode(appSecret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(accessToken)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A Graph API error body as the RFC 6749 error oauth4webapi reads; anything else unchanged. */
export function graphErrorToOAuth(status: number, body: Record<string, unknown>): { status: number; body: Record<string, unknown> } {
  const error = body.error;
  if (typeof error !== 'object' || error === null || Array.isArray(error)) return { status, body };
  const { type, message } = error as { type?: unknown; message?: unknown };
  return {
    status: status >= 400 ? status : 400,
    body: { error: typeof type === 'string' && type !== '' ? type : 'OAuthException', ...(typeof message === 'string' && { error_description: message }) },
  };
}
