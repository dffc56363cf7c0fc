/**
 * The plain OAuth 2.0 code flow shared by the providers that are not OpenID Connect
 * (GitHub, Amazon, Facebook): each declares its endpoints, scopes, PKCE support, client
 * authentication, how to ask for a new sign-in, and reads the profile from its own API.
 *
 * The protocol work is openid-client's (itself oauth4webapi) on a hand-made server
 * metadata, not hand-written: authorization URL, callback validation (state, `error=`),
 * the code grant, the refresh grant and bearer requests. Only what those libraries
 * rightly refuse as non-standard is adapted, in `fixTokenResponses`.
 */
import * as client from 'openid-client';
import type { ProviderConfig } from '../config/types';
import { ProviderError } from '../errors';
import type { AuthorizationRequest, CallbackInput, Profile, Provider, ProviderDeps, SignInResult, TokenSet } from './types';
import { rateLimited, toProviderError } from './errors';
import { scopesFor, tokenSet } from './oidc';

export interface OAuth2Spec {
  /** The provider's identifier for openid-client; no `iss` is sent on these callbacks. */
  readonly issuer: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly requiredScopes: readonly string[];
  /** @default ' ' */
  readonly scopeSeparator?: string;
  /** The provider documents PKCE S256 for this flow. */
  readonly pkce: boolean;
  readonly tokenEndpointAuth: 'client_secret_basic' | 'client_secret_post';
  /** Authorization parameters that ask for a new sign-in (none can be verified afterwards). */
  readonly reauthenticationParams: Readonly<Record<string, string>>;
  readonly supportsRefresh: boolean;
  /** Adapts the fetch used for the token endpoint (see `fixTokenResponses`). */
  readonly wrapFetch?: (fetch: typeof globalThis.fetch) => typeof globalThis.fetch;
}

export abstract class OAuth2Provider implements Provider {
  readonly supportsRefresh: boolean;
  readonly #spec: OAuth2Spec;
  readonly #deps: ProviderDeps;
  readonly #configuration: client.Configuration;

  constructor(
    readonly config: ProviderConfig,
    deps: ProviderDeps,
    spec: OAuth2Spec,
  ) {
    this.#spec = spec;
    this.#deps = deps;
    this.supportsRefresh = spec.supportsRefresh;
    const method = spec.tokenEndpointAuth === 'client_secret_post' ? client.ClientSecretPost : client.ClientSecretBasic;
    const clientAuth: client.ClientAuth = async (as, c, body, headers) => method(await deps.clientSecret())(as, c, body, headers);
    const metadata = { issuer: spec.issuer, authorization_endpoint: spec.authorizationEndpoint, token_endpoint: spec.tokenEndpoint };
    this.#configuration = new client.Configuration(metadata, config.clientId, undefined, clientAuth);
    const fetch = spec.wrapFetch ? spec.wrapFetch(deps.fetch) : deps.fetch;
    this.#configuration[client.customFetch] = (url, options) => fetch(url, options as RequestInit);
    this.#configuration.timeout = 4;
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

  /** Reads the profile from the provider's API with an access token. */
  protected abstract fetchProfile(accessToken: string): Promise<Profile>;

  async authorizationUrl(request: AuthorizationRequest): Promise<URL> {
    const spec = this.#spec;
    const params: Record<string, string> = {
      redirect_uri: request.redirectUri,
      scope: scopesFor(spec.requiredScopes, this.config.scopes, spec.scopeSeparator),
      state: request.state,
    };
    if (spec.pkce) {
      params.code_challenge = request.codeChallenge;
      params.code_challenge_method = 'S256';
    }
    if (request.reauthenticate) Object.assign(params, spec.reauthenticationParams);
    return client.buildAuthorizationUrl(this.#configuration, params);
  }

  async finishSignIn(input: CallbackInput): Promise<SignInResult> {
    let tokens: TokenSet;
    try {
      const response = await client.authorizationCodeGrant(
        this.#configuration,
        input.callbackUrl,
        { ...(this.#spec.pkce && { pkceCodeVerifier: input.codeVerifier }), expectedState: input.state },
        { redirect_uri: input.redirectUri },
      );
      tokens = tokenSet(response, this.#deps.now());
    } catch (error) {
      throw toProviderError(error, 'token');
    }
    return { tokens, profile: await this.profile(tokens) };
  }

  async refresh(refreshToken: string): Promise<SignInResult> {
    if (!this.supportsRefresh) throw new ProviderError('ERR_PROVIDER_FAILED', 'refresh: this provider issues no refresh tokens');
    let tokens: TokenSet;
    try {
      const response = await client.refreshTokenGrant(this.#configuration, refreshToken);
      tokens = tokenSet(response, this.#deps.now(), refreshToken);
    } catch (error) {
      throw toProviderError(error, 'refresh');
    }
    return { tokens, profile: await this.profile(tokens) };
  }

  async profile(tokens: TokenSet): Promise<Profile> {
    try {
      return await this.fetchProfile(tokens.accessToken);
    } catch (error) {
      throw toProviderError(error, 'profile');
    }
  }

  /** GET an API resource with the access token; non-2xx answers become ProviderErrors. */
  protected async getJson(url: string, accessToken: string, headers: Record<string, string> = {}): Promise<unknown> {
    return (await this.getJsonWithHeaders(url, accessToken, headers)).body;
  }

  /** `getJson`, with the response headers (paging links, notices). */
  protected async getJsonWithHeaders(url: string, accessToken: string, headers: Record<string, string> = {}): Promise<{ body: unknown; headers: Headers }> {
    const response = await client.fetchProtectedResource(
      this.#configuration,
      accessToken,
      new URL(url),
      'GET',
      undefined,
      new Headers({ accept: 'application/json', ...headers }),
    );
    const step = `profile (${new URL(url).pathname})`;
    if (response.status === 429) throw rateLimited(step);
    if (!response.ok) throw new ProviderError('ERR_PROVIDER_FAILED', `${step}: HTTP ${response.status}`, { status: response.status });
    try {
      return { body: await response.json(), headers: response.headers };
    } catch {
      throw new ProviderError('ERR_PROVIDER_RESPONSE', `${step}: the body is not JSON`);
    }
  }
}

/**
 * Wraps `fetch` so token endpoint answers that break RFC 6749 in known, harmless ways are
 * made standard before oauth4webapi validates them: `fix` gets the status and the JSON
 * body and returns what to hand on. Other requests pass through untouched.
 */
export function fixTokenResponses(
  tokenEndpoint: string,
  fix: (status: number, body: Record<string, unknown>) => { status: number; body: Record<string, unknown> },
): (fetch: typeof globalThis.fetch) => typeof globalThis.fetch {
  return (fetch) => async (input, init) => {
    const response = await fetch(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.split('?')[0] !== tokenEndpoint) return response;
    let body: unknown;
    try {
      body = await response.clone().json();
    } catch {
      return response;
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return response;
    const fixed = fix(response.status, body as Record<string, unknown>);
    const headers = new Headers(response.headers);
    headers.delete('content-length');
    headers.delete('content-encoding');
    return new Response(JSON.stringify(fixed.body), { status: fixed.status, headers });
  };
}

/** Reads a string field of an API answer, or undefined. */
export function stringField(value: unknown, key: string): string | undefined {
  const field = (value as Record<string, unknown> | null)?.[key];
  return typeof field === 'string' && field !== '' ? field : undefined;
}
