/**
 * The dev OpenID Provider: `oidc-provider` 9 (a certified OP) with our own sign-in page,
 * where ANY email signs in, and automatic consent. Accounts live in memory (DevAccounts),
 * so tests can change an email, unverify it, or disable the account between requests.
 *
 * The issuer uses the host name `localhost` while the site runs on 127.0.0.1: cookies are
 * not isolated by port, and the IdP's `_session` cookie must not reach the site.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { escapeHtml as esc } from '../../../lambdas/core/shared/html';
import { listenOnLoopback, closeServer } from '../../stack/loopback';

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

export interface DevAccount {
  readonly sub: string;
  email: string;
  name?: string;
  emailVerified: boolean;
  /** The `groups` claim (the sign-in form's "Groups" field, comma-separated). */
  groups?: string[];
  disabled: boolean;
}

/** The in-memory account store. Getters return copies; change accounts through update(). */
export class DevAccounts {
  private readonly bySub = new Map<string, DevAccount>();

  get(sub: string): DevAccount | undefined {
    const a = this.bySub.get(sub);
    return a && { ...a };
  }

  findByEmail(email: string): DevAccount | undefined {
    const a = this.live(email);
    return a && { ...a };
  }

  update(sub: string, patch: { email?: string; name?: string; emailVerified?: boolean; groups?: string[] }): DevAccount {
    const a = this.must(sub);
    if (patch.email !== undefined) a.email = patch.email.trim();
    if (patch.name !== undefined) a.name = patch.name;
    if (patch.emailVerified !== undefined) a.emailVerified = patch.emailVerified;
    if (patch.groups !== undefined) a.groups = [...patch.groups];
    return { ...a };
  }

  /** A disabled account cannot sign in, refresh, or read userinfo (findAccount → undefined). */
  disable(sub: string): void {
    this.must(sub).disabled = true;
  }

  enable(sub: string): void {
    this.must(sub).disabled = false;
  }

  /** The sign-in form: the account for this email (created on first sign-in) with the form's claims. */
  signIn(email: string, name: string | undefined, emailVerified: boolean, groups: string[] = []): DevAccount {
    let a = this.live(email);
    if (!a) {
      // Stable per email on first sign-in. An account whose email was changed keeps its sub,
      // so a later sign-in with its old email must not collide with it.
      const base = `u-${createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 16)}`;
      let sub = base;
      for (let i = 2; this.bySub.has(sub); i++) sub = `${base}-${i}`;
      a = { sub, email: email.trim(), emailVerified, disabled: false };
      this.bySub.set(sub, a);
    }
    if (name) a.name = name;
    a.emailVerified = emailVerified;
    a.groups = groups;
    return { ...a };
  }

  private live(email: string): DevAccount | undefined {
    const wanted = email.trim().toLowerCase();
    return [...this.bySub.values()].find((a) => a.email.toLowerCase() === wanted);
  }

  private must(sub: string): DevAccount {
    const a = this.bySub.get(sub);
    if (!a) throw new Error(`dev IdP: no account ${sub}`);
    return a;
  }
}

// ---- the slice of oidc-provider's API used here (the package ships no type declarations)
type Req = IncomingMessage;
type Res = ServerResponse;
interface Interaction {
  uid: string;
  prompt: { name: string; details: Record<string, unknown> };
  params: Record<string, unknown>;
  session?: { accountId?: string };
  grantId?: string;
}
interface Grant {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  addResourceScope(indicator: string, scope: string): void;
  save(): Promise<string>;
}
type KoaContext = {
  path: string;
  method: string;
  query: Record<string, string | string[] | undefined>;
  type: string;
  body: unknown;
  status: number;
  headers: Record<string, string | undefined>;
  set(name: string, value: string): void;
  oidc?: { client?: { clientId: string } };
};
interface Provider {
  callback(): (req: Req, res: Res) => void;
  interactionDetails(req: Req, res: Res): Promise<Interaction>;
  interactionFinished(req: Req, res: Res, result: object, o: { mergeWithLastSubmission: boolean }): Promise<void>;
  Grant: { new (init: { accountId?: string; clientId: string }): Grant; find(id: string): Promise<Grant | undefined> };
  use(middleware: (ctx: KoaContext, next: () => Promise<void>) => Promise<void>): void;
  on(event: 'server_error', listener: (ctx: unknown, err: Error) => void): void;
}
type ProviderClass = new (issuer: string, configuration: object) => Provider;

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

function page(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>body{font:15px/1.5 system-ui,sans-serif;max-width:26rem;margin:3rem auto;padding:0 1rem}
label{display:block;margin:.6rem 0}input[type=email],input[type=text]{display:block;width:100%;padding:.4rem;box-sizing:border-box}
button{padding:.5rem 1.2rem}.error{color:#a00}</style></head><body>${body}</body></html>`;
}

function loginPage(i: Interaction, error?: string): string {
  const hint = typeof i.params.login_hint === 'string' ? i.params.login_hint : '';
  return page(
    'Sign in - edge-oauth dev IdP',
    `<h1>Dev identity provider</h1><p>Sign in to <strong>${esc(String(i.params.client_id))}</strong>. Any email works.</p>
${error ? `<p class="error">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(i.uid)}/login" autocomplete="off">
<label>Email <input name="email" type="email" required autofocus value="${esc(hint)}"></label>
<label>Name (optional) <input name="name" type="text"></label>
<label>Groups (optional, comma-separated) <input name="groups" type="text" placeholder="eng, admins"></label>
<label><input name="email_verified" type="checkbox" value="true" checked> Email verified</label>
<button type="submit">Sign in</button></form>
<p><a href="/interaction/${esc(i.uid)}/abort">Cancel</a></p>`,
  );
}

/** The form's "Groups": comma-separated, trimmed, each once, empty ones dropped (at most 1000). */
export function parseGroups(field: string): string[] {
  return [...new Set(field.split(',').map((g) => g.trim()).filter((g) => g !== ''))].slice(0, 1000);
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    if ((size += chunk.length) > 65536) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** GET /interaction/:uid, POST /interaction/:uid/login, GET /interaction/:uid/abort */
async function interaction(provider: Provider, accounts: DevAccounts, req: IncomingMessage, res: ServerResponse, path: string) {
  const m = /^\/interaction\/([\w-]+)(\/login|\/abort)?$/.exec(path);
  const details = m && (await provider.interactionDetails(req, res));
  if (!m || !details || details.uid !== m[1]) return sendHtml(res, 404, page('Not found', '<p>No such interaction.</p>'));
  const [, , action] = m;

  if (action === '/abort') {
    return provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'End-User aborted interaction' }, { mergeWithLastSubmission: false });
  }
  if (action === '/login' && req.method === 'POST') {
    const form = await readForm(req);
    const email = (form.get('email') ?? '').trim();
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) return sendHtml(res, 400, loginPage(details, 'Enter an email address.'));
    const account = accounts.signIn(email, form.get('name')?.trim() || undefined, form.has('email_verified'), parseGroups(form.get('groups') ?? ''));
    if (account.disabled) {
      return provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'account disabled' }, { mergeWithLastSubmission: false });
    }
    return provider.interactionFinished(req, res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false });
  }
  if (!action && req.method === 'GET' && details.prompt.name === 'login') return sendHtml(res, 200, loginPage(details));
  if (!action && req.method === 'GET' && details.prompt.name === 'consent') {
    // Automatic consent: grant exactly what is missing, no page.
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
    const existing = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
    const grant = existing ?? new provider.Grant({ ...(details.session?.accountId !== undefined && { accountId: details.session.accountId }), clientId: String(details.params.client_id) });
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: existing ? {} : { grantId } }, { mergeWithLastSubmission: true });
  }
  return sendHtml(res, 400, page('Unexpected', `<p>Unexpected interaction ${esc(details.prompt.name)}.</p>`));
}

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

export async function startDevIdp(opts: DevIdpOptions): Promise<DevIdpHandle> {
  const Provider = await loadProvider();
  const accounts = new DevAccounts();
  const failures: Record<FailKind, number[]> = { token: [], userinfo: [] };
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  let provider: Provider | undefined;

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://idp').pathname;
    for (const kind of ['token', 'userinfo'] as const) {
      const status = path === FAIL_PATHS[kind] ? failures[kind].shift() : undefined;
      if (status !== undefined) {
        req.resume();
        const body = JSON.stringify({ error: 'temporarily_unavailable', error_description: `dev IdP: failNext('${kind}', ${status})` });
        res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(body);
        return;
      }
    }
    if (path.startsWith('/interaction/') && provider) {
      interaction(provider, accounts, req, res, path).catch((err: Error & { error_description?: string }) => {
        // Typically an expired or missing interaction cookie: the user starts over at the site.
        const text = err.error_description ?? err.message;
        if (!res.headersSent) sendHtml(res, 400, page('Sign-in error', `<h1>Sign-in error</h1><p>${esc(text)}</p>`));
      });
      return;
    }
    if (handler) handler(req, res);
    else res.writeHead(503).end(); // not constructed yet (nobody knows the port yet anyway)
  });
  const issuer = `http://${opts.host ?? 'localhost'}:${await listenOnLoopback(server, opts.port)}`;

  // A fresh RSA key per start (RS256 is the ID token default), so no dev-keystore warning.
  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const configuration = {
    clients: opts.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      post_logout_redirect_uris: c.postLogoutRedirectUris ?? [...new Set(c.redirectUris.map((u) => `${new URL(u).origin}/`))],
      response_types: ['code'],
      grant_types: ['authorization_code', 'refresh_token'],
      // oidc-provider 9 accepts either of these whatever is registered: enforced in front (below).
      token_endpoint_auth_method: c.tokenEndpointAuthMethod ?? 'client_secret_basic',
    })),
    clientAuthMethods: opts.clientAuthMethods ?? ['client_secret_basic', 'client_secret_post'],
    jwks: { keys: [{ ...jwk, kid: 'dev-idp-rs256', use: 'sig', alg: 'RS256' }] },
    cookies: { keys: ['edge-oauth-dev-idp-cookie-key-not-a-secret'] },
    routes: ROUTES,
    responseTypes: ['code'],
    pkce: { required: () => true }, // oidc-provider 9 only implements S256
    scopes: ['openid', 'email', 'profile', 'offline_access'],
    // `groups` with the profile scope edge-oauth asks for: at userinfo (like GitLab's), not in the ID token.
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
    findAccount: async (_ctx: unknown, sub: string) => {
      if (!accounts.get(sub) || accounts.get(sub)?.disabled) return undefined;
      return {
        accountId: sub,
        claims: async () => {
          const a = accounts.get(sub);
          return { sub, email: a?.email, email_verified: a?.emailVerified, name: a?.name, groups: a?.groups?.length ? a.groups : undefined };
        },
      };
    },
    interactions: { url: async (_ctx: unknown, i: { uid: string }) => `/interaction/${i.uid}` },
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(t: string): boolean }, code: { scopes: Set<string> }) =>
      client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    rotateRefreshToken: true,
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        // The confirmation form submits itself: signing out of the site signs out of the dev IdP.
        logoutSource: async (ctx: KoaContext, form: string) => {
          ctx.body = page('Sign out - edge-oauth dev IdP', `${form.replace('</form>', '<input type="hidden" name="logout" value="yes"></form>')}
<p>Signing out...</p><button form="op.logoutForm" type="submit">Sign out</button><script>document.forms[0].submit()</script>`);
        },
        postLogoutSuccessSource: async (ctx: KoaContext) => {
          ctx.body = page('Signed out - edge-oauth dev IdP', '<h1>Signed out</h1><p>You are signed out of the dev identity provider.</p>');
        },
      },
    },
    // Explicit values: the defaults are functions that print a notice on first use.
    ttl: { AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, RefreshToken: 14 * 86400, Interaction: 3600, Session: 14 * 86400, Grant: 14 * 86400 },
    clientBasedCORS: () => true,
    renderError: async (ctx: KoaContext, out: Record<string, string>) => {
      ctx.type = 'html';
      ctx.body = page('Error - edge-oauth dev IdP', `<h1>Error</h1>${Object.entries(out).map(([k, v]) => `<p><strong>${esc(k)}</strong>: ${esc(String(v))}</p>`).join('')}`);
    },
  };
  const op = await quietly(() => new Provider(issuer, configuration));

  // offline_access without prompt=consent is silently dropped by oidc-provider (OIDC Core
  // 11). Real providers (Google's access_type=offline...) don't demand it, and our flow
  // doesn't send it: add `consent` to the prompt (consent is automatic here anyway).
  op.use(async (ctx, next) => {
    if (ctx.path === ROUTES.authorization && ctx.method === 'GET') {
      const scope = typeof ctx.query.scope === 'string' ? ctx.query.scope.split(' ') : [];
      const prompts = new Set(typeof ctx.query.prompt === 'string' ? ctx.query.prompt.split(' ').filter(Boolean) : []);
      if (scope.includes('offline_access') && !prompts.has('none') && !prompts.has('consent')) {
        ctx.query = { ...ctx.query, prompt: [...prompts, 'consent'].join(' ') };
      }
    }
    await next();
  });
  op.use(enforceClientAuthMethod(new Map(opts.clients.map((c) => [c.clientId, c.tokenEndpointAuthMethod ?? 'client_secret_basic']))));
  op.on('server_error', (_ctx, err) => console.error('dev IdP server_error:', err));
  provider = op;
  handler = op.callback();

  return {
    issuer,
    accounts,
    failNext(kind, status) {
      failures[kind].push(status);
    },
    close: () => closeServer(server),
  };
}
