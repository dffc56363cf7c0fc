/**
 * One local stand-in for the identity providers that have no open-source server we can run
 * (GitHub, Google, Microsoft, ...): a node:http server on 127.0.0.1 that answers with each
 * provider's documented response shapes, errors included.
 *
 * The adapters keep their real https endpoints. `server.fetch` (handed to the adapter as
 * `deps.fetch`, the only I/O the core has) sends `https://api.github.com/user` to
 * `http://127.0.0.1:PORT/api.github.com/user`, so production code has no test switch.
 *
 * `authorizationServer()` adds an authorization + token endpoint (codes, client
 * authentication, PKCE, refresh); `oidcIssuer()` adds discovery, JWKS, signed ID tokens and
 * userinfo; `api()` adds a bearer-token API resource. `signIn()` plays the browser.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { ProviderConfig, ProviderType } from '../../lambdas/core/config/types';
import type { CallbackInput, Provider, ProviderDeps, SignInResult } from '../../lambdas/core/providers/types';

export interface FakeRequest {
  readonly method: string;
  /** The URL the adapter asked for (https, real host). */
  readonly url: URL;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly form: URLSearchParams;
}
export interface FakeResponse {
  readonly status?: number;
  readonly json?: unknown;
  /** A plain-text body instead of JSON (e.g. GitLab's throttled "Retry later"). */
  readonly text?: string;
  readonly headers?: Record<string, string>;
}
type Handler = (req: FakeRequest) => FakeResponse | Promise<FakeResponse>;

/** A user at the fake provider. */
export interface FakeUser {
  readonly sub: string;
  /** OIDC: claims in the ID token and at userinfo. */
  readonly claims?: Record<string, unknown>;
  /** OIDC: claims in the ID token only (tid, xms_edov, auth_time, ...). */
  readonly idTokenClaims?: Record<string, unknown>;
  /** OIDC: claims at userinfo only (GitLab's `groups`). */
  readonly userinfoClaims?: Record<string, unknown>;
  /** Non-OIDC: what each API URL answers for this user. */
  readonly api?: Record<string, unknown>;
}

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';

export interface AuthorizationServerOptions {
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  /**
   * The client authentication methods the token endpoint accepts, tried in this order; the
   * first one the request carries is the one checked, as Doorkeeper does (`from_basic`
   * then `from_params`). A method not listed is not looked at: its credentials count as absent.
   */
  readonly clientAuth: ClientAuthMethod | readonly ClientAuthMethod[];
  /**
   * Basic credentials are percent-decoded after base64 (RFC 6749 2.3.1). Doorkeeper (GitLab)
   * does not: it splits the base64-decoded text on the first `:` and compares as is.
   * @default true
   */
  readonly basicPercentDecoded?: boolean;
  /** The client secret the server holds. @default CLIENT_SECRET */
  readonly clientSecret?: string;
  /** Extra fields of the token response (e.g. GitHub's `scope`, Twitch's scope array). */
  readonly tokenFields?: Record<string, unknown> | ((grantType: string) => Record<string, unknown>);
  /**
   * Issue refresh tokens: always (`true`), or when the authorization request and the user's
   * earlier consents say so (Google: `access_type=offline`, first consent or `prompt=consent`).
   */
  readonly refresh?: boolean | ((authorization: URLSearchParams, user: FakeUser, consentedBefore: boolean) => boolean);
  /**
   * `rotate`: each refresh answers a new refresh token and the used one dies (GitLab,
   * GitHub Apps, Twitch); `reuse`: the refresh answer carries no refresh token and the old
   * one keeps working (Google). @default 'rotate'
   */
  readonly refreshRotation?: 'rotate' | 'reuse';
  /** A refresh answer carries a new ID token (no nonce): Google, Microsoft. */
  readonly idTokenOnRefresh?: boolean;
  /** The provider's answer to failed client authentication. @default HTTP 401 `invalid_client` */
  readonly invalidClient?: FakeResponse;
  /** The provider's answer to a bad, used or expired code or refresh token. @default HTTP 400 `invalid_grant` */
  readonly invalidGrant?: FakeResponse | ((grantType: string) => FakeResponse);
  /** `expires_in` of access tokens, seconds; null: the field is left out (GitHub OAuth apps). @default 3600 */
  readonly expiresIn?: number | null;
  /** Answer `invalid_client` to a `code_verifier` when no challenge was sent (LinkedIn). */
  readonly rejectUnexpectedVerifier?: boolean;
  /** The redirect URIs registered for the client. @default [REDIRECT_URI] */
  readonly redirectUris?: readonly string[];
  /**
   * How the authorization endpoint compares `redirect_uri` with the registered ones; a
   * mismatch is an error page, never a redirect (RFC 6749 4.1.2.1), so `authorize()` throws.
   * - `exact`: simple string comparison (RFC 6749 3.1.2.3, RFC 3986 6.2.1): Google, Microsoft,
   *   GitLab (Doorkeeper `URIChecker.matches?`; its loopback-port exception is not modelled,
   *   no test redirects to a loopback address).
   * - `github-wildcard`: GitHub's wildcard matching, on for every OAuth app registered before
   *   it became a setting: the same host or a subdomain of it, the same port, and a path
   *   at or below the callback URL's (docs.github.com, authorizing-oauth-apps#redirect-urls).
   * - `unchecked`: any URI; for providers whose rule we could not confirm (the replica must
   *   not be stricter than the provider).
   * @default 'exact'
   */
  readonly redirectUriMatch?: 'exact' | 'github-wildcard' | 'unchecked';
  /**
   * Scopes the authorization endpoint refuses with `invalid_scope` and RFC 6749 4.1.2.1's description, sent to the redirect URI (the request's other
   * scopes are fine), for providers documented to refuse unknown scopes. @default - none refused
   */
  readonly invalidScope?: (scope: string) => boolean;
}

interface Grant {
  readonly user: FakeUser;
  readonly params: URLSearchParams;
  readonly consentedBefore: boolean;
  readonly redirectUri: string;
  readonly nonce: string | null;
  readonly challenge: string | null;
}

/** The grant an ID token issued on refresh is made for: no nonce. */
const REFRESHED: Grant = { user: { sub: '' }, params: new URLSearchParams(), consentedBefore: true, redirectUri: '', nonce: null, challenge: null };

export const CLIENT_ID = 'test-client-id';
export const CLIENT_SECRET = 'test-client-secret';
export const REDIRECT_URI = 'https://app.example.com/auth/callback';

export class FakeOAuthServer {
  readonly requests: FakeRequest[] = [];
  /** Sign ID tokens with a key the JWKS does not publish (same `kid`): a forged or tampered token. */
  forgeIdTokens = false;
  readonly #routes = new Map<string, Handler>();
  readonly #overrides = new Map<string, FakeResponse>();
  readonly #grants = new Map<string, Grant>();
  readonly #consented = new Set<string>();
  /**
   * The users shown a consent screen, one entry per screen: at their first authorization, or
   * when the request says `prompt=consent` (Google: "Prompt the user for consent",
   * https://developers.google.com/identity/protocols/oauth2/web-server#creatingclient, `prompt`).
   */
  readonly consentScreens: string[] = [];
  readonly #tokens = new Map<string, FakeUser>();
  #authorization: AuthorizationServerOptions | undefined;
  #idToken: ((user: FakeUser, grant: Grant) => Promise<string>) | undefined;

  private constructor(
    private readonly server: Server,
    readonly base: string,
  ) {}

  static async start(): Promise<FakeOAuthServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const fake = new FakeOAuthServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (req, res) => {
      fake.#handle(req).then(
        (r) => {
          res.writeHead(r.status ?? 200, { 'content-type': r.text !== undefined ? 'text/plain' : 'application/json', ...r.headers });
          res.end(r.text ?? (r.json === undefined ? '' : JSON.stringify(r.json)));
        },
        () => res.writeHead(500).end(),
      );
    });
    return fake;
  }

  /** `fetch` for `deps.fetch`: real https URLs, answered by this server. */
  readonly fetch: typeof globalThis.fetch = (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    return globalThis.fetch(`${this.base}/${url.host}${url.pathname}${url.search}`, init);
  };

  deps(overrides: Partial<ProviderDeps> = {}): ProviderDeps {
    return { fetch: this.fetch, clientSecret: async () => CLIENT_SECRET, now: () => Math.floor(Date.now() / 1000), ...overrides };
  }

  on(method: string, url: string, handler: Handler): void {
    this.#routes.set(`${method} ${url}`, handler);
  }

  /** The next request to `url` gets `response` instead (e.g. HTTP 429). */
  /**
   * The user removes the app's access at the provider (Google: "The user has revoked your
   * app's access", https://developers.google.com/identity/protocols/oauth2#expiration): every
   * token of theirs stops working, and their next authorization shows the consent screen.
   * `grant: 'kept'`: only the refresh tokens die (unused six months, pushed out by newer
   * ones), the grant stays, so the next authorization shows no consent.
   */
  revokeTokens(sub: string, grant: 'revoked' | 'kept' = 'revoked'): void {
    for (const [token, user] of this.#tokens) if (user.sub === sub && (grant === 'revoked' || token.startsWith('refresh:'))) this.#tokens.delete(token);
    if (grant === 'revoked') this.#consented.delete(sub);
  }

  failNext(url: string, response: FakeResponse): void {
    this.#overrides.set(url, response);
  }

  /** A bearer-token API resource: answers `user.api[url]` for the token's user. */
  api(url: string): void {
    this.on('GET', url, (req) => {
      const user = this.#tokens.get(req.headers.authorization?.replace(/^Bearer /, '') ?? '');
      if (user === undefined) return { status: 401, json: { message: 'Bad credentials' } };
      return { json: user.api?.[url] ?? {} };
    });
  }

  authorizationServer(options: AuthorizationServerOptions): void {
    this.#authorization = options;
    this.on('POST', options.tokenEndpoint, (req) => this.#token(req, options));
  }

  /**
   * What the authorization endpoint checks before it shows the user anything. Throws (the
   * provider's error page: no redirect) for an unknown client or an unregistered
   * `redirect_uri`; answers the `invalid_scope` callback for a refused scope.
   */
  #checkAuthorization(p: URLSearchParams): URL | undefined {
    if (p.get('client_id') !== CLIENT_ID || p.get('response_type') !== 'code') throw new Error('bad authorization request');
    const options = this.#authorization;
    const redirectUri = p.get('redirect_uri');
    if (redirectUri === null || !redirectUriMatches(redirectUri, options?.redirectUris ?? [REDIRECT_URI], options?.redirectUriMatch ?? 'exact')) {
      throw new Error(`redirect_uri_mismatch: ${redirectUri ?? '(none)'} is not registered for this client`);
    }
    const refused = (p.get('scope') ?? '').split(/[ ,]/).filter((scope) => scope !== '' && options?.invalidScope?.(scope) === true);
    if (refused.length > 0) return callback(p, { error: 'invalid_scope', error_description: 'The requested scope is invalid, unknown, or malformed.' });
    return undefined;
  }

  /** The user consents at the authorization endpoint: returns the callback URL with a code. */
  authorize(authorizationUrl: URL, user: FakeUser): URL {
    const p = authorizationUrl.searchParams;
    const refused = this.#checkAuthorization(p);
    if (refused !== undefined) return refused;
    const code = randomBytes(12).toString('hex');
    const consentedBefore = this.#consented.has(user.sub);
    this.#consented.add(user.sub);
    if (!consentedBefore || (p.get('prompt') ?? '').split(' ').includes('consent')) this.consentScreens.push(user.sub);
    this.#grants.set(code, { user, params: new URLSearchParams(p), consentedBefore, redirectUri: p.get('redirect_uri')!, nonce: p.get('nonce'), challenge: p.get('code_challenge') });
    return callback(p, { code });
  }

  /** The user refuses: `error=access_denied` on the callback, as every provider sends it. */
  deny(authorizationUrl: URL): URL {
    this.#checkAuthorization(authorizationUrl.searchParams);
    return callback(authorizationUrl.searchParams, { error: 'access_denied', error_description: 'The user denied your request.' });
  }

  /** Discovery, JWKS, RS256 ID tokens and userinfo at `discoveryBase` (+ token endpoint). */
  async oidcIssuer(options: {
    discoveryBase: string;
    metadata: Record<string, unknown> & { issuer: string; token_endpoint: string; userinfo_endpoint: string; jwks_uri: string };
    idTokenIssuer?: (user: FakeUser) => string;
    nonceInIdToken?: boolean;
    server: Omit<AuthorizationServerOptions, 'tokenEndpoint' | 'authorizationEndpoint'>;
  }): Promise<void> {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const unpublished = (await generateKeyPair('RS256')).privateKey;
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const { metadata } = options;
    this.on('GET', `${options.discoveryBase}/.well-known/openid-configuration`, () => ({ json: metadata }));
    this.on('GET', metadata.jwks_uri, () => ({ json: { keys: [jwk] } }));
    this.on('GET', metadata.userinfo_endpoint, (req) => {
      const user = this.#tokens.get(req.headers.authorization?.replace(/^Bearer /, '') ?? '');
      return user === undefined ? { status: 401, json: { error: 'invalid_token' } } : { json: { sub: user.sub, ...user.claims, ...user.userinfoClaims } };
    });
    this.authorizationServer({ ...options.server, authorizationEndpoint: String(metadata.authorization_endpoint), tokenEndpoint: metadata.token_endpoint });
    this.#idToken = (user, grant) =>
      new SignJWT({
        ...user.claims,
        ...user.idTokenClaims,
        ...(options.nonceInIdToken !== false && grant.nonce !== null && { nonce: grant.nonce }),
      })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(options.idTokenIssuer?.(user) ?? metadata.issuer)
        .setSubject(user.sub)
        .setAudience(CLIENT_ID)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(this.forgeIdTokens ? unpublished : privateKey);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage): Promise<FakeResponse> {
    const [, host, ...rest] = (req.url ?? '/').split('/');
    const url = new URL(`https://${host}/${rest.join('/')}`);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));
    const request: FakeRequest = { method: req.method ?? 'GET', url, headers, form: new URLSearchParams(Buffer.concat(chunks).toString()) };
    this.requests.push(request);
    const target = `${url.origin}${url.pathname}`;
    const override = this.#overrides.get(target);
    if (override !== undefined) {
      this.#overrides.delete(target);
      return override;
    }
    const handler = this.#routes.get(`${request.method} ${target}`);
    return handler ? handler(request) : { status: 404, json: { message: 'Not Found' } };
  }

  async #token(req: FakeRequest, options: AuthorizationServerOptions): Promise<FakeResponse> {
    const auth = clientCredentials(req, options);
    const invalidClient = options.invalidClient ?? { status: 401, json: { error: 'invalid_client', error_description: 'Client authentication failed.' } };
    if (auth.id !== CLIENT_ID || auth.secret !== (options.clientSecret ?? CLIENT_SECRET)) return invalidClient;
    const f = req.form;
    const invalidGrant = () =>
      typeof options.invalidGrant === 'function' ? options.invalidGrant(f.get('grant_type') ?? '') : (options.invalidGrant ?? invalidGrantResponse());
    let user: FakeUser | undefined;
    let grant: Grant | undefined;
    if (f.get('grant_type') === 'authorization_code') {
      grant = this.#grants.get(f.get('code') ?? '');
      this.#grants.delete(f.get('code') ?? '');
      if (grant === undefined || grant.redirectUri !== f.get('redirect_uri')) return invalidGrant();
      const verifier = f.get('code_verifier');
      if (grant.challenge === null && verifier !== null && options.rejectUnexpectedVerifier) {
        return { status: 401, json: { error: 'invalid_client', error_description: 'Client authentication failed' } };
      }
      if (grant.challenge !== null && (verifier === null || s256(verifier) !== grant.challenge)) return invalidGrant();
      user = grant.user;
    } else if (f.get('grant_type') === 'refresh_token' && options.refresh !== undefined && options.refresh !== false) {
      user = this.#tokens.get(`refresh:${f.get('refresh_token')}`);
      if (user === undefined) return invalidGrant();
      if (options.refreshRotation !== 'reuse') this.#tokens.delete(`refresh:${f.get('refresh_token')}`);
    } else {
      return { status: 400, json: { error: 'unsupported_grant_type' } };
    }
    const accessToken = randomBytes(12).toString('hex');
    this.#tokens.set(accessToken, user);
    const grantType = f.get('grant_type')!;
    const issues = typeof options.refresh === 'function' ? grant === undefined || options.refresh(grant.params, grant.user, grant.consentedBefore) : options.refresh === true;
    const newRefreshToken = issues && (grantType === 'authorization_code' || options.refreshRotation !== 'reuse');
    const refreshToken = newRefreshToken ? randomBytes(12).toString('hex') : undefined;
    if (refreshToken !== undefined) this.#tokens.set(`refresh:${refreshToken}`, user);
    return {
      json: {
        access_token: accessToken,
        token_type: 'bearer',
        ...(options.expiresIn !== null && { expires_in: options.expiresIn ?? 3600 }),
        ...(refreshToken !== undefined && { refresh_token: refreshToken }),
        ...(this.#idToken !== undefined && (grant !== undefined || options.idTokenOnRefresh === true) && { id_token: await this.#idToken(user, grant ?? REFRESHED) }),
        ...(typeof options.tokenFields === 'function' ? options.tokenFields(grantType) : options.tokenFields),
      },
    };
  }
}

/**
 * `refresh` for a provider that issues a refresh token only when the authorization request
 * asked for `scope` (Microsoft: `offline_access`, "your app must explicitly request the
 * offline_access scope to receive refresh tokens",
 * https://learn.microsoft.com/entra/identity-platform/scopes-oidc#offline_access).
 */
export function refreshWithScope(scope: string): (authorization: URLSearchParams) => boolean {
  return (authorization) => (authorization.get('scope') ?? '').split(' ').includes(scope);
}

export const invalidGrant = invalidGrantResponse;
function invalidGrantResponse(): FakeResponse {
  return { status: 400, json: { error: 'invalid_grant', error_description: 'The provided authorization grant is invalid or expired.' } };
}

function callback(params: URLSearchParams, fields: Record<string, string>): URL {
  const url = new URL(params.get('redirect_uri')!);
  for (const [k, v] of Object.entries(fields)) url.searchParams.set(k, v);
  const state = params.get('state');
  if (state !== null) url.searchParams.set('state', state);
  return url;
}

/** Whether `uri` is one of `registered` under the provider's rule (AuthorizationServerOptions.redirectUriMatch). */
export function redirectUriMatches(uri: string, registered: readonly string[], rule: 'exact' | 'github-wildcard' | 'unchecked'): boolean {
  if (rule === 'unchecked') return true;
  if (rule === 'exact') return registered.includes(uri);
  let asked: URL;
  try {
    asked = new URL(uri);
  } catch {
    return false;
  }
  return registered.some((r) => {
    const cb = new URL(r);
    const host = asked.hostname === cb.hostname || asked.hostname.endsWith(`.${cb.hostname}`);
    const path = asked.pathname === cb.pathname || asked.pathname.startsWith(cb.pathname.endsWith('/') ? cb.pathname : `${cb.pathname}/`);
    // The scheme is not compared: GitHub's rule does not mention it (not confirmed either way).
    return host && asked.port === cb.port && path;
  });
}

/** The client id and secret the request carries in the first accepted method it uses. */
function clientCredentials(req: FakeRequest, options: AuthorizationServerOptions): { id?: string | null | undefined; secret?: string | null | undefined } {
  const methods = typeof options.clientAuth === 'string' ? [options.clientAuth] : options.clientAuth;
  for (const method of methods) {
    if (method === 'client_secret_post') {
      if (req.form.has('client_secret')) return { id: req.form.get('client_id'), secret: req.form.get('client_secret') };
      continue;
    }
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    if (basic === null) continue;
    const text = Buffer.from(basic[1]!, 'base64').toString();
    const colon = text.indexOf(':');
    if (colon < 0) return {};
    const [id, secret] = [text.slice(0, colon), text.slice(colon + 1)];
    if (options.basicPercentDecoded === false) return { id, secret };
    const decode = (v: string) => {
      try {
        return decodeURIComponent(v.replace(/\+/g, ' '));
      } catch {
        return null;
      }
    };
    return { id: decode(id), secret: decode(secret) };
  }
  return {};
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** What the edge keeps between the redirect and the callback. */
export function newFlow(): { state: string; nonce: string; codeVerifier: string; codeChallenge: string } {
  const codeVerifier = randomBytes(32).toString('base64url');
  return { state: randomBytes(16).toString('base64url'), nonce: randomBytes(16).toString('base64url'), codeVerifier, codeChallenge: s256(codeVerifier) };
}

/** The provider's authorization URL for `redirectUri` (a callback URL the client may not have registered). */
export async function authorizationUrlFor(provider: Provider, redirectUri: string): Promise<URL> {
  return provider.authorizationUrl({ redirectUri, reauthenticate: false, ...newFlow() });
}

/** Plays the browser: authorization URL, the user's answer at the provider, then the callback. */
export async function signIn(
  provider: Provider,
  server: FakeOAuthServer,
  user: FakeUser | 'deny',
  options: { reauthenticate?: boolean; authenticatedAfter?: number; consent?: { loginHint: string } } = {},
): Promise<{ url: URL; finish: () => Promise<SignInResult> }> {
  const flow = newFlow();
  const url = await provider.authorizationUrl({ redirectUri: REDIRECT_URI, reauthenticate: options.reauthenticate ?? false, consent: options.consent, ...flow });
  const callbackUrl = user === 'deny' ? server.deny(url) : server.authorize(url, user);
  const input: CallbackInput = {
    callbackUrl,
    redirectUri: REDIRECT_URI,
    codeVerifier: flow.codeVerifier,
    state: flow.state,
    nonce: flow.nonce,
    ...(options.authenticatedAfter !== undefined && { authenticatedAfter: options.authenticatedAfter }),
  };
  return { url, finish: () => provider.finishSignIn(input) };
}

/** A provider entry as `parseConfig` resolves it. */
export function providerConfig(type: ProviderType, overrides: Partial<ProviderConfig> = {}): ProviderConfig {
  return {
    id: type,
    type,
    displayName: type,
    clientId: CLIENT_ID,
    clientSecret: { secretId: `edge-oauth/${type}-client-secret` },
    scopes: [],
    claims: { id: 'sub', name: 'name', email: 'email', emailVerified: 'email_verified' },
    allowInsecureRequests: false,
    ...overrides,
  };
}
