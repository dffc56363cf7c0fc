/**
 * Any OpenID Connect issuer, by discovery, with openid-client: the ID token is validated
 * (signature via the issuer's JWKS, with `enableNonRepudiationChecks`; iss, aud, exp,
 * nonce), PKCE S256 and state are
 * checked by the library, and the profile comes from the ID token claims merged with
 * userinfo through the configured claim mapping (Okta, Auth0, Keycloak, Cognito, Entra ID).
 *
 * The built-in OIDC providers (Google, Microsoft, GitLab, LinkedIn, Twitch) are this class
 * with a fixed issuer and `OidcProviderOptions` for what their issuers do differently.
 */
import * as client from 'openid-client';
import type { ProviderConfig } from '../config/types';
import { ProviderError } from '../errors';
import type { AuthorizationRequest, CallbackInput, Profile, Provider, ProviderDeps, SignInResult, TokenSet } from './types';
import { toProviderError } from './errors';
import { chooseClientAuthMethod, clientAuthFor, type ClientAuthMethod } from './client-auth';
import { cleanGroups } from '../access/groups';
import { normalizeEmail } from '../access/usable-email';

const REQUIRED_SCOPES = ['openid', 'email', 'profile'];

/** OIDC `prompt=login` + `max_age=0`: the standard way to ask for a new sign-in. */
export const OIDC_REAUTHENTICATION: Readonly<Record<string, string>> = { prompt: 'login', max_age: '0' };

/** The standard OIDC claim names, used by the built-in OIDC providers whatever the config says. */
export const STANDARD_CLAIMS = { id: 'sub', name: 'name', email: 'email', emailVerified: 'email_verified' } as const;

export function scopesFor(required: readonly string[], extra: readonly string[], separator = ' '): string {
  return [...new Set([...required, ...extra])].join(separator);
}

export interface OidcProviderOptions {
  /** Scopes always asked for; the config's `scopes` are added. @default openid email profile */
  readonly requiredScopes?: readonly string[];
  /** Authorization parameters sent on every sign-in (e.g. Twitch's `claims`). @default - none */
  readonly authorizationParams?: Readonly<Record<string, string>>;
  /** Authorization parameters that ask for a new sign-in. @default prompt=login, max_age=0 */
  readonly reauthenticationParams?: Readonly<Record<string, string>>;
  /**
   * After a re-authentication request, `required`: the ID token must carry an `auth_time`
   * at or after the request; `when-present`: checked only if the issuer sends it (issuers
   * where `auth_time` is an opt-in claim). @default 'required'
   */
  readonly authTime?: 'required' | 'when-present';
  /**
   * Client authentication at the token endpoint, fixed for this provider.
   * @default - the config's `tokenEndpointAuthMethod`, else from discovery (client-auth.ts)
   */
  readonly tokenEndpointAuth?: ClientAuthMethod;
  /** Send a PKCE challenge and verifier. @default true */
  readonly pkce?: boolean;
  /** Send a nonce and require it in the ID token. @default true */
  readonly nonce?: boolean;
  /** Whether the issuer gives refresh tokens to this client. @default true */
  readonly supportsRefresh?: boolean;
  /** Client authentication of this provider's own (Cognito's Basic credentials, cognito.ts). @default - by `tokenEndpointAuth` */
  readonly clientAuth?: client.ClientAuth;
}

export class OidcProvider implements Provider {
  readonly supportsRefresh: boolean;
  #discovered: Promise<client.Configuration> | undefined;
  readonly #deps: ProviderDeps;
  readonly #options: OidcProviderOptions;

  constructor(
    readonly config: ProviderConfig,
    deps: ProviderDeps,
    options: OidcProviderOptions = {},
  ) {
    this.#deps = deps;
    this.#options = options;
    this.supportsRefresh = options.supportsRefresh ?? true;
  }

  get id(): string {
    return this.config.id;
  }
  get type() {
    return this.config.type;
  }
  get displayName(): string {
    return this.config.displayName;
  }

  /** The issuer's metadata, discovered once per container; a failure is retried on the next call. */
  protected discover(): Promise<client.Configuration> {
    if (this.#discovered === undefined) {
      const deps = this.#deps;
      const configured = this.#options.tokenEndpointAuth ?? this.config.tokenEndpointAuthMethod;
      // The method follows the discovered metadata (`as`), checked once right after discovery.
      const clientAuth: client.ClientAuth =
        this.#options.clientAuth ??
        ((as, c, body, headers) => clientAuthFor(chooseClientAuthMethod(as.token_endpoint_auth_methods_supported, configured), deps.clientSecret)(as, c, body, headers));
      this.#discovered = this.clientRegistration()
        .then(({ issuer, clientId }) =>
          client.discovery(new URL(issuer), clientId, undefined, clientAuth, {
            execute: this.config.allowInsecureRequests ? [client.allowInsecureRequests] : [],
            [client.customFetch]: (url, options) => deps.fetch(url, options as RequestInit),
            timeout: 4,
          }),
        )
        .then((configuration) => {
          if (this.#options.clientAuth === undefined) chooseClientAuthMethod(configuration.serverMetadata().token_endpoint_auth_methods_supported, configured);
          // openid-client checks an ID token's claims but, by default, not its signature
          // ("not mandatory since the TLS server validation is used to validate the issuer",
          // panva/openid-client src/index.ts, enableNonRepudiationChecks). We check it too,
          // against the issuer's JWKS (cached per container), so what this file says is true.
          client.enableNonRepudiationChecks(configuration);
          return configuration;
        })
        .catch((error: unknown) => {
          this.#discovered = undefined;
          throw toProviderError(error, 'discovery');
        });
    }
    return this.#discovered;
  }

  /**
   * The issuer and this client's id at it. @default - the config's `issuer` and `clientId`
   * (a managed Cognito pool's are read at run time: cognito.ts)
   */
  protected async clientRegistration(): Promise<{ issuer: string; clientId: string }> {
    const issuer = this.config.issuer;
    if (issuer === undefined) throw new ProviderError('ERR_PROVIDER_FAILED', 'no issuer configured');
    return { issuer, clientId: this.config.clientId };
  }

  async authorizationUrl(request: AuthorizationRequest): Promise<URL> {
    const configuration = await this.discover();
    const options = this.#options;
    const params: Record<string, string> = {
      ...options.authorizationParams,
      redirect_uri: request.redirectUri,
      scope: scopesFor(options.requiredScopes ?? REQUIRED_SCOPES, this.config.scopes),
      state: request.state,
    };
    if (options.nonce !== false) params.nonce = request.nonce;
    if (options.pkce !== false) {
      params.code_challenge = request.codeChallenge;
      params.code_challenge_method = 'S256';
    }
    if (request.reauthenticate) Object.assign(params, options.reauthenticationParams ?? OIDC_REAUTHENTICATION);
    return client.buildAuthorizationUrl(configuration, params);
  }

  async finishSignIn(input: CallbackInput): Promise<SignInResult> {
    const configuration = await this.discover();
    const options = this.#options;
    try {
      const response = await client.authorizationCodeGrant(
        configuration,
        input.callbackUrl,
        {
          ...(options.pkce !== false && { pkceCodeVerifier: input.codeVerifier }),
          ...(options.nonce !== false && { expectedNonce: input.nonce }),
          expectedState: input.state,
          idTokenExpected: true,
        },
        { redirect_uri: input.redirectUri },
      );
      const claims: Record<string, unknown> = response.claims() ?? {};
      if (input.authenticatedAfter !== undefined) this.checkReauthenticated(claims, input.authenticatedAfter);
      const tokens = tokenSet(response, this.#deps.now());
      const userinfo = await client.fetchUserInfo(configuration, tokens.accessToken, String(claims.sub));
      const merged = mergeClaims(claims, userinfo, this.config.claims);
      return { tokens, profile: await this.withGroups(this.mapProfile(merged, claims), merged, tokens.accessToken) };
    } catch (error) {
      throw toProviderError(error, 'token');
    }
  }

  async refresh(refreshToken: string): Promise<SignInResult> {
    if (!this.supportsRefresh) throw new ProviderError('ERR_PROVIDER_FAILED', 'refresh: this provider issues no refresh tokens');
    const configuration = await this.discover();
    try {
      const response = await client.refreshTokenGrant(configuration, refreshToken);
      const tokens = tokenSet(response, this.#deps.now(), refreshToken);
      const claims = response.claims();
      const userinfo = await client.fetchUserInfo(configuration, tokens.accessToken, claims?.sub ?? client.skipSubjectCheck);
      const merged = mergeClaims(claims, userinfo, this.config.claims);
      return { tokens, profile: await this.withGroups(this.mapProfile(merged, claims), merged, tokens.accessToken) };
    } catch (error) {
      throw toProviderError(error, 'refresh');
    }
  }

  async profile(tokens: TokenSet): Promise<Profile> {
    const configuration = await this.discover();
    try {
      const userinfo = await client.fetchUserInfo(configuration, tokens.accessToken, client.skipSubjectCheck);
      return await this.withGroups(this.mapProfile(userinfo, undefined), userinfo, tokens.accessToken);
    } catch (error) {
      throw toProviderError(error, 'userinfo');
    }
  }

  /** Re-authentication was asked: the provider must say the user signed in after we asked. */
  private checkReauthenticated(claims: Record<string, unknown>, after: number): void {
    const authTime = claims.auth_time;
    if (authTime === undefined && this.#options.authTime === 'when-present') return;
    if (typeof authTime !== 'number' || authTime < after - 5) {
      throw new ProviderError('ERR_PROVIDER_RESPONSE', 'the provider did not re-authenticate the user');
    }
  }

  /**
   * Maps claims to the profile through the configured claim names. `claims`: the ID token's
   * merged with userinfo's (mergeClaims); `idToken`: the validated ID token's claims alone,
   * for what must come from it (Google's `hd`); undefined on a re-check from userinfo only,
   * or a refresh that brought no ID token.
   */
  protected mapProfile(claims: Record<string, unknown>, idToken?: Readonly<Record<string, unknown>>): Profile {
    const { claims: mapping } = this.config;
    const id = claims[mapping.id];
    if (typeof id !== 'string' && typeof id !== 'number') {
      throw new ProviderError('ERR_PROVIDER_RESPONSE', `the "${mapping.id}" claim (user id) is missing`);
    }
    const name = claims[mapping.name];
    const email = claims[mapping.email];
    const verified = claims[mapping.emailVerified];
    return {
      id: String(id),
      ...(typeof name === 'string' && { name }),
      ...(typeof email === 'string' && { email }),
      ...(typeof verified === 'boolean' && { emailVerified: verified }),
      ...(verified === 'true' && { emailVerified: true }),
      ...(verified === 'false' && { emailVerified: false }),
      // The groups claim (config `claims.groups`); absent: in no group (session/refresh.ts).
      ...(mapping.groups !== undefined && claims[mapping.groups] !== undefined && { groups: cleanGroups(this.config.type, claims[mapping.groups]) }),
      // Absent, and no ID token to say so (a refresh answer without one, OIDC Core 12.2, or
      // userinfo alone): the issuer did not speak of the groups; the session's stand.
      ...(mapping.groups !== undefined && claims[mapping.groups] === undefined && idToken === undefined && { groupsNotRead: true as const }),
    };
  }

  /**
   * The profile with the user's groups where they are not (only) a claim: Microsoft Graph
   * past the groups overage (microsoft.ts). @default - the profile as mapped
   */
  protected async withGroups(profile: Profile, _claims: Record<string, unknown>, _accessToken: string): Promise<Profile> {
    return profile;
  }
}

/**
 * The ID token's claims merged with userinfo's (userinfo wins: OIDC Core 5.3.2 returns the
 * current claims), except that an email and its verification come from the same statement:
 * `email_verified` is read from the source that gave the address, and from either only when
 * both give the same one. An ID token's `email_verified: true` never vouches for another
 * address that userinfo returned, and userinfo's never for the ID token's.
 */
export function mergeClaims(
  idToken: Readonly<Record<string, unknown>> | undefined,
  userinfo: Readonly<Record<string, unknown>>,
  mapping: { readonly email: string; readonly emailVerified: string },
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...idToken, ...userinfo };
  if (idToken === undefined) return merged;
  const fromUserinfo = userinfo[mapping.email];
  const fromIdToken = idToken[mapping.email];
  if (typeof fromUserinfo === 'string' && typeof fromIdToken === 'string' && normalizeEmail(fromUserinfo) === normalizeEmail(fromIdToken)) return merged;
  // One source gave the address (userinfo when it has one, else the ID token): its statement alone.
  const source = typeof fromUserinfo === 'string' ? userinfo : idToken;
  delete merged[mapping.emailVerified];
  if (source[mapping.emailVerified] !== undefined) merged[mapping.emailVerified] = source[mapping.emailVerified];
  return merged;
}

export function tokenSet(response: client.TokenEndpointResponse, now: number, previousRefreshToken?: string): TokenSet {
  const refreshToken = response.refresh_token ?? previousRefreshToken;
  return {
    accessToken: response.access_token,
    ...(refreshToken !== undefined && { refreshToken }),
    ...(typeof response.expires_in === 'number' && { expiresAt: now + response.expires_in }),
    ...(response.scope !== undefined && { scope: response.scope }),
  };
}
