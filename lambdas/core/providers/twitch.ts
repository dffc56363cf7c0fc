/**
 * Twitch: OpenID Connect at https://id.twitch.tv/oauth2.
 *
 * - Scopes `openid user:read:email`; the email claims come only with `user:read:email` and
 *   when asked for in the `claims` parameter, which we send for the ID token and userinfo.
 *   Twitch has no `name` claim: the name is `preferred_username` (the display name).
 *   Userinfo needs no Helix call, so no `Client-Id` header is involved.
 * - Twitch returns the token response's `scope` as a JSON array, which RFC 6749 (and so
 *   oauth4webapi) does not allow; it is joined into the standard string first.
 * - No PKCE: Twitch does not document it. The client secret goes in the body.
 * - New sign-in: `force_verify=true` shows Twitch's authorization page again; Twitch sends
 *   no `auth_time`, so this cannot be proven.
 * - Refresh: yes; the refresh token may change at each refresh, the newest is kept.
 * - Token endpoint errors are Twitch's own `{"status": 400, "message": "Invalid refresh
 *   token"}` (twitchdev/issues#1037, #1042), not RFC 6749's: read as `invalid_grant` for a
 *   bad code or refresh token (so a spent grant ends the session), `invalid_client` for the
 *   client, else `invalid_request`, with Twitch's message as the description.
 */
import type { ProviderConfig } from '../config/types';
import { fixTokenResponses } from './oauth2';
import { OidcProvider } from './oidc';
import type { ProviderDeps } from './types';

export const TWITCH_ISSUER = 'https://id.twitch.tv/oauth2';
const TOKEN_ENDPOINT = `${TWITCH_ISSUER}/token`;
const WANTED = { email: null, email_verified: null, preferred_username: null };

export class TwitchProvider extends OidcProvider {
  constructor(config: ProviderConfig, deps: ProviderDeps) {
    const joinScopes = fixTokenResponses(TOKEN_ENDPOINT, (status, body) =>
      status >= 400 ? twitchErrorToOAuth(status, body) : { status, body: Array.isArray(body.scope) ? { ...body, scope: body.scope.join(' ') } : body },
    );
    super(
      {
        ...config,
        issuer: TWITCH_ISSUER,
        claims: { id: 'sub', name: 'preferred_username', email: 'email', emailVerified: 'email_verified' },
        allowInsecureRequests: false,
      },
      { ...deps, fetch: joinScopes(deps.fetch) },
      {
        requiredScopes: ['openid', 'user:read:email'],
        authorizationParams: { claims: JSON.stringify({ id_token: WANTED, userinfo: WANTED }) },
        pkce: false,
        tokenEndpointAuth: 'client_secret_post',
        reauthenticationParams: { force_verify: 'true' },
        authTime: 'when-present',
        supportsRefresh: true,
      },
    );
  }
}

/** Twitch's `{status, message}` error body as the RFC 6749 error oauth4webapi reads. */
export function twitchErrorToOAuth(status: number, body: Record<string, unknown>): { status: number; body: Record<string, unknown> } {
  if (typeof body.error === 'string' && body.message === undefined) return { status, body };
  const message = typeof body.message === 'string' ? body.message : undefined;
  const error = message === undefined ? 'invalid_request'
    : /invalid (refresh token|grant|authorization code|code)/i.test(message) ? 'invalid_grant'
    : /client/i.test(message) ? 'invalid_client'
    : 'invalid_request';
  return { status, body: { error, ...(message !== undefined && { error_description: message }) } };
}
