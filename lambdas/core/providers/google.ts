/**
 * Google: OpenID Connect at https://accounts.google.com (the generic adapter, fixed issuer).
 *
 * - Scopes `openid email profile`; the profile is `sub`, `name`, `email`, `email_verified`.
 * - New sign-in: Google supports no `prompt=login` (only none, consent, select_account), so
 *   we send `prompt=select_account` and the standard `max_age=0`. Google puts `auth_time`
 *   in the ID token only for a verified app with "Session age claims" turned on; when it
 *   is there it is checked, otherwise the new sign-in cannot be proven.
 * - The client secret goes in the body (`client_secret_post`), as Google documents the code
 *   exchange (https://developers.google.com/identity/protocols/oauth2/web-server#exchange-authorize-code);
 *   HTTP Basic would form-urlencode the `-` of every `GOCSPX-` secret, and Google does not
 *   document decoding it.
 * - Workspace domains (`hostedDomains`): the ID token's `hd` claim, never userinfo's ("The domain associated
 *   with the Google Workspace or Cloud organization of the user. Provided only if the user
 *   belongs to a Google Cloud organization") must be one of them; an email domain proves
 *   nothing (a consumer account can have a verified address at any domain); the claim is in
 *   "An ID token's payload" (https://developers.google.com/identity/openid-connect/openid-connect#an-id-tokens-payload),
 *   and only the signed, validated ID token is read for it. With exactly
 *   one domain, `hd=<domain>` is also sent, which only streamlines Google's account picker:
 *   "Don't rely on this UI optimization to control who can access your app... Be sure to
 *   validate that the returned ID token has an hd claim value that matches what you expect"
 *   (https://developers.google.com/identity/openid-connect/openid-connect#hd-param).
 * - Refresh only when the session settings need it (`offlineAccess`: authCheckInterval > 0
 *   or tokens sent to the origin), since Google's access token lasts an hour: then
 *   `access_type=offline` ("instructs the Google authorization server to return a refresh
 *   token and an access token the first time that your application exchanges an
 *   authorization code", https://developers.google.com/identity/protocols/oauth2/web-server#offline)
 *   and NO `prompt`: a returning user gets a plain sign-in. Google sends a refresh token only
 *   when its consent screen was shown (the user's first authorization of these scopes, or
 *   `prompt=consent`), so the one it sends is kept, sealed, with the App User, and a sign-in
 *   whose answer has none uses the kept one (`keepsRefreshToken`; sign-in/kept-refresh-token.ts).
 *   Its refresh tokens outlive a session: they stop working when the user revokes access,
 *   after six months unused, or when newer ones for the same account and client push them
 *   out (https://developers.google.com/identity/protocols/oauth2#expiration). Only when none
 *   is kept does the callback send the browser back once with `prompt=consent` and
 *   `login_hint=<sub>` ("Set the parameter value to an email address or sub identifier",
 *   web-server#creatingclient, `login_hint`). `include_granted_scopes` is not sent: it
 *   changes which scopes a token carries, not whether one is returned. Google does not rotate
 *   refresh tokens: a refresh answer has none, and the one we hold is kept. Without those
 *   settings no refresh token is asked for (a long-lived credential nothing needs).
 */
import type { ProviderConfig } from '../config/types';
import { ProviderError } from '../errors';
import { OidcProvider, STANDARD_CLAIMS } from './oidc';
import type { AuthorizationRequest, Profile, ProviderDeps } from './types';

export const GOOGLE_ISSUER = 'https://accounts.google.com';

export class GoogleProvider extends OidcProvider {
  readonly #hostedDomains: readonly string[] | undefined;
  /** With offline access: the refresh token is kept per user (sign-in/kept-refresh-token.ts). */
  readonly keepsRefreshToken: boolean;

  constructor(config: ProviderConfig, deps: ProviderDeps) {
    const domains = config.hostedDomains;
    const offline = config.offlineAccess === true;
    super({ ...config, issuer: GOOGLE_ISSUER, claims: STANDARD_CLAIMS, allowInsecureRequests: false }, deps, {
      authorizationParams: {
        ...(domains?.length === 1 && { hd: domains[0]! }),
        ...(offline && { access_type: 'offline' }),
      },
      reauthenticationParams: { prompt: 'select_account', max_age: '0' },
      authTime: 'when-present',
      tokenEndpointAuth: 'client_secret_post',
      supportsRefresh: offline,
    });
    this.#hostedDomains = domains;
    this.keepsRefreshToken = offline;
  }

  /** The consent round trip: `prompt=consent` for the account just signed in (`login_hint`). */
  override async authorizationUrl(request: AuthorizationRequest): Promise<URL> {
    const url = await super.authorizationUrl(request);
    if (request.consent !== undefined && this.keepsRefreshToken) {
      const prompt = new Set([...(url.searchParams.get('prompt') ?? '').split(' ').filter(Boolean), 'consent']);
      url.searchParams.set('prompt', [...prompt].join(' '));
      url.searchParams.set('login_hint', request.consent.loginHint);
    }
    return url;
  }

  protected override mapProfile(claims: Record<string, unknown>, idToken?: Readonly<Record<string, unknown>>): Profile {
    const profile = super.mapProfile(claims, idToken);
    const domains = this.#hostedDomains;
    if (domains === undefined) return profile;
    // The validated ID token's `hd` only: userinfo's never overrides or stands in for it. A
    // re-check without an ID token (userinfo only) therefore fails here (fail closed); with
    // hostedDomains, re-checks refresh, and Google's refresh answer carries a new ID token.
    const hd = typeof idToken?.hd === 'string' ? idToken.hd.toLowerCase() : undefined;
    if (hd === undefined || !domains.includes(hd)) {
      const shown = hd === undefined ? 'none: not a Google Workspace account' : hd.replace(/[^a-z0-9.-]/g, '').slice(0, 64);
      throw new ProviderError('ERR_PROVIDER_DENIED', `the Google account's hosted domain (hd: ${shown}) is not one this site admits`);
    }
    return profile;
  }
}
