/**
 * The dev OpenID Provider: `oidc-provider` 9 (a certified OP) with our own sign-in page,
 * where ANY email signs in, and automatic consent. Accounts live in memory (DevAccounts),
 * so tests can change an email, unverify it, or disable the account between requests.
 * Stands in for the operator's identity provider (Google, Okta, Entra ID... any OpenID
 * Provider: https://openid.net/specs/openid-connect-core-1_0.html), built on
 * https://github.com/panva/node-oidc-provider.
 *
 * The issuer uses the host name `localhost` while the site runs on 127.0.0.1: cookies are
 * not isolated by port, and the IdP's `_session` cookie must not reach the site.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { escapeHtml as esc } from '../../../lambdas/core/shared/html';
import { listenOnLoopback, closeServer } from '../../stack/loopback';
import { DevAccounts } from './accounts';
import type { KoaContext, Provider, ProviderClass } from './oidc-provider';
import { interaction, page, sendHtml } from './pages';

export interface DevIdpClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** For RP-initiated logout; default: the origin of each redirect URI, plus '/'. */
  postLogoutRedirectUris?: string[];
  /**
   * How this client authenticates at the token endpoint; any other method is refused with
   * `invalid_client`, as OpenID Connect Registration 1.0 section 2 requires
   * (`token_endpoint_auth_method`). @default 'client_secret_basic'
   */
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post';
}

export interface DevIdpOptions {
  port?: number;
  /** Host name in the issuer; default 'localhost'. The server itself binds 127.0.0.1. */
  host?: string;
  clients: DevIdpClient[];
  /**
   * The methods discovery lists in `token_endpoint_auth_methods_supported`.
   * @default ['client_secret_basic', 'client_secret_post']
   */
  clientAuthMethods?: ('client_secret_basic' | 'client_secret_post')[];
}

export type FailKind = 'token' | 'userinfo';

export interface DevIdpHandle {
  /** `http://localhost:PORT` */
  issuer: string;
  accounts: DevAccounts;
  /** The next request to that endpoint answers `status` (e.g. 503) instead of the OP. */
  failNext(kind: FailKind, status: number): void;
  close(): Promise<void>;
}


// Dev notices that would print on every start (Node 20 is below the package's supported
// LTS, and the in-memory adapter is exactly what we want). Only these exact ones are dropped.
const QUIET = ['oidc-provider WARNING: Unsupported runtime', 'oidc-provider WARNING: a quick start development-only in-memory adapter'];
async function quietly<T>(fn: () => T | Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && QUIET.some((q) => (args[0] as string).includes(q))) return;
    warn.apply(console, args);
  };
  try {
    return await fn();
  } finally {
    console.warn = warn;
  }
}

let providerClass: Promise<ProviderClass> | undefined;
const loadProvider = (): Promise<ProviderClass> =>
  (providerClass ??= quietly(async () => {
    // @ts-expect-error oidc-provider ships no .d.ts (and is ESM-only); the slice used is typed above
    const mod = await import('oidc-provider');
    return mod.default as ProviderClass;
  }));

const ROUTES = { authorization: '/auth', token: '/token', userinfo: '/me', end_session: '/session/end', jwks: '/jwks' };
const FAIL_PATHS: Record<FailKind, string> = { token: ROUTES.token, userinfo: ROUTES.userinfo };

/**
 * The token endpoint refuses a client authentication method the client did not register,
 * as a real OP does (OpenID Connect Registration 1.0 section 2, `token_endpoint_auth_method`;
 * Okta, Entra ID, Keycloak and Doorkeeper do), where oidc-provider 9 treats
 * client_secret_basic and client_secret_post as one. A Basic header names its client, so
 * it is refused before the request goes on; a body-authenticated request is known only
 * after oidc-provider parsed it, so its answer is replaced (the code is spent, as it would
 * be for a client that then gives up).
 */
function enforceClientAuthMethod(registered: ReadonlyMap<string, string>) {
  // The answer oidc-provider gives a failed client authentication (oidc-provider/lib/shared/client_auth.js):
  // 401, the JSON error, and a Basic challenge only when an Authorization header was sent.
  const refuse = (ctx: KoaContext, used: string) => {
    const description = `client authentication failed (${used} is not this client's token_endpoint_auth_method)`;
    ctx.status = 401;
    ctx.type = 'json';
    if (used === 'client_secret_basic') ctx.set('www-authenticate', `Basic realm="dev-idp", error="invalid_client", error_description="${description}"`);
    ctx.set('cache-control', 'no-store');
    ctx.body = { error: 'invalid_client', error_description: description };
  };
  return async (ctx: KoaContext, next: () => Promise<void>): Promise<void> => {
    if (ctx.path !== ROUTES.token || ctx.method !== 'POST') return next();
    const basic = /^Basic (.+)$/i.exec(ctx.headers.authorization ?? '');
    if (basic !== null) {
      const text = Buffer.from(basic[1]!, 'base64').toString();
      let clientId = text.slice(0, Math.max(0, text.indexOf(':')));
      try {
        clientId = decodeURIComponent(clientId.replace(/\+/g, ' '));
      } catch {
        // not form-urlencoded: compare as is
      }
      const method = registered.get(clientId);
      if (method !== undefined && method !== 'client_secret_basic') return refuse(ctx, 'client_secret_basic');
      return next();
    }
    await next();
    const clientId = ctx.oidc?.client?.clientId;
    if (clientId !== undefined && registered.get(clientId) === 'client_secret_basic' && ctx.status < 300) refuse(ctx, 'client_secret_post');
  };
}

type Failures = Record<FailKind, number[]>;

/** The next failure queued for this path (failNext), answered instead of the OP; false when none. */
function answeredFailure(failures: Failures, path: string, req: IncomingMessage, res: ServerResponse): boolean {
  for (const kind of ['token', 'userinfo'] as const) {
    const status = path === FAIL_PATHS[kind] ? failures[kind].shift() : undefined;
    if (status !== undefined) {
      req.resume();
      const body = JSON.stringify({ error: 'temporarily_unavailable', error_description: `dev IdP: failNext('${kind}', ${status})` });
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(body);
      return true;
    }
  }
  return false;
}

/** The IdP's server: queued failures first, then our interaction pages, then the OP once it is built (`op()`). */
function idpServer(failures: Failures, accounts: DevAccounts, op: () => Provider | undefined) {
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://idp').pathname;
    if (answeredFailure(failures, path, req, res)) return;
    const provider = op();
    if (path.startsWith('/interaction/') && provider) {
      interaction(provider, accounts, req, res, path).catch((err: Error & { error_description?: string }) => {
        // Typically an expired or missing interaction cookie: the user starts over at the site.
        const text = err.error_description ?? err.message;
        if (!res.headersSent) sendHtml(res, 400, page('Sign-in error', `<h1>Sign-in error</h1><p>${esc(text)}</p>`));
      });
      return;
    }
    if (provider) (handler ??= provider.callback())(req, res);
    else res.writeHead(503).end(); // not constructed yet (nobody knows the port yet anyway)
  });
}

/** The registered clients, in oidc-provider's client metadata. */
function clientMetadata(opts: DevIdpOptions) {
  return opts.clients.map((c) => ({
    client_id: c.clientId,
    client_secret: c.clientSecret,
    redirect_uris: c.redirectUris,
    post_logout_redirect_uris: c.postLogoutRedirectUris ?? [...new Set(c.redirectUris.map((u) => `${new URL(u).origin}/`))],
    response_types: ['code'],
    grant_types: ['authorization_code', 'refresh_token'],
    // oidc-provider 9 accepts either of these whatever is registered: enforced in front (enforceClientAuthMethod).
    token_endpoint_auth_method: c.tokenEndpointAuthMethod ?? 'client_secret_basic',
  }));
}

/** oidc-provider's findAccount: a live account's claims, read at each use (tests change them between requests). */
function findAccount(accounts: DevAccounts) {
  return async (_ctx: unknown, sub: string) => {
    if (!accounts.get(sub) || accounts.get(sub)?.disabled) return undefined;
    return {
      accountId: sub,
      claims: async () => {
        const a = accounts.get(sub);
        return { sub, email: a?.email, email_verified: a?.emailVerified, name: a?.name, groups: a?.groups?.length ? a.groups : undefined };
      },
    };
  };
}

/** RP-initiated logout: the confirmation form submits itself (signing out of the site signs out of the dev IdP). */
const RP_INITIATED_LOGOUT = {
  enabled: true,
  logoutSource: async (ctx: KoaContext, form: string) => {
    ctx.body = page('Sign out - edge-oauth dev IdP', `${form.replace('</form>', '<input type="hidden" name="logout" value="yes"></form>')}
<p>Signing out...</p><button form="op.logoutForm" type="submit">Sign out</button><script>document.forms[0].submit()</script>`);
  },
  postLogoutSuccessSource: async (ctx: KoaContext) => {
    ctx.body = page('Signed out - edge-oauth dev IdP', '<h1>Signed out</h1><p>You are signed out of the dev identity provider.</p>');
  },
};

/** oidc-provider's configuration (https://github.com/panva/node-oidc-provider/blob/main/docs/README.md#configuration-options). */
function providerConfiguration(opts: DevIdpOptions, accounts: DevAccounts) {
  // A fresh RSA key per start (RS256 is the ID token default), so no dev-keystore warning.
  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  return {
    clients: clientMetadata(opts),
    clientAuthMethods: opts.clientAuthMethods ?? ['client_secret_basic', 'client_secret_post'],
    jwks: { keys: [{ ...jwk, kid: 'dev-idp-rs256', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: ['edge-oauth-dev-idp-cookie-key-not-a-secret'] },
    routes: ROUTES,
    responseTypes: ['code'],
    pkce: { required: () => true }, // oidc-provider 9 only implements S256
    scopes: ['openid', 'email', 'profile', 'offline_access'],
    // `groups` with the profile scope edge-oauth asks for: at userinfo (like GitLab's), not in the ID token.
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
    findAccount: findAccount(accounts),
    interactions: { url: async (_ctx: unknown, i: { uid: string }) => `/interaction/${i.uid}` },
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(t: string): boolean }, code: { scopes: Set<string> }) =>
      client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    rotateRefreshToken: true,
    features: { devInteractions: { enabled: false }, userinfo: { enabled: true }, rpInitiatedLogout: RP_INITIATED_LOGOUT },
    // Explicit values: the defaults are functions that print a notice on first use.
    ttl: { AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, RefreshToken: 14 * 86400, Interaction: 3600, Session: 14 * 86400, Grant: 14 * 86400 },
    clientBasedCORS: () => true,
    renderError: async (ctx: KoaContext, out: Record<string, string>) => {
      ctx.type = 'html';
      ctx.body = page('Error - edge-oauth dev IdP', `<h1>Error</h1>${Object.entries(out).map(([k, v]) => `<p><strong>${esc(k)}</strong>: ${esc(String(v))}</p>`).join('')}`);
    },
  };
}

/**
 * offline_access without prompt=consent is silently dropped by oidc-provider (OIDC Core
 * 11). Real providers (Google's access_type=offline...) don't demand it, and our flow
 * doesn't send it: add `consent` to the prompt (consent is automatic here anyway).
 */
async function consentForOfflineAccess(ctx: KoaContext, next: () => Promise<void>): Promise<void> {
  if (ctx.path === ROUTES.authorization && ctx.method === 'GET') {
    const scope = typeof ctx.query.scope === 'string' ? ctx.query.scope.split(' ') : [];
    const prompts = new Set(typeof ctx.query.prompt === 'string' ? ctx.query.prompt.split(' ').filter(Boolean) : []);
    if (scope.includes('offline_access') && !prompts.has('none') && !prompts.has('consent')) {
      ctx.query = { ...ctx.query, prompt: [...prompts, 'consent'].join(' ') };
    }
  }
  await next();
}

export async function startDevIdp(opts: DevIdpOptions): Promise<DevIdpHandle> {
  const Provider = await loadProvider();
  const accounts = new DevAccounts();
  const failures: Failures = { token: [], userinfo: [] };
  let provider: Provider | undefined;
  const server = idpServer(failures, accounts, () => provider);
  const issuer = `http://${opts.host ?? 'localhost'}:${await listenOnLoopback(server, opts.port)}`;
  const op = await quietly(() => new Provider(issuer, providerConfiguration(opts, accounts)));
  op.use(consentForOfflineAccess);
  op.use(enforceClientAuthMethod(new Map(opts.clients.map((c) => [c.clientId, c.tokenEndpointAuthMethod ?? 'client_secret_basic']))));
  op.on('server_error', (_ctx, err) => console.error('dev IdP server_error:', err));
  provider = op;
  return {
    issuer,
    accounts,
    failNext(kind, status) {
      failures[kind].push(status);
    },
    close: () => closeServer(server),
  };
}
