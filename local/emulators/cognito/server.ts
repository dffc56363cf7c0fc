/**
 * A local stand-in for Amazon Cognito user pools, for the local stack and the tests: one
 * node:http server with
 * - per pool, the issuer `<base>/<pool id>` (Cognito: https://cognito-idp.<region>.amazonaws.com/<pool id>)
 *   with its discovery document and JWKS
 *   (https://docs.aws.amazon.com/cognito/latest/developerguide/federation-endpoints.html);
 * - the pool domain's endpoints at the root, as on `<prefix>.auth.<region>.amazoncognito.com`:
 *   /oauth2/authorize (then /login, a plain sign-in form with the "change your temporary
 *   password" step of an invited user), /oauth2/token, /oauth2/userInfo, /logout;
 * - the admin JSON API the CLI calls (cognito-admin.ts).
 *
 * As strict as Cognito for what edge-oauth uses (each rule from the page cited):
 * - authorize (authorization-endpoint.html): an unknown client_id or a redirect_uri that is
 *   not one of the client's callback URLs (exact match) is an error page, never a redirect;
 *   a scope the client does not allow is `error=invalid_scope` back at the redirect_uri.
 * - token (token-endpoint.html): `application/x-www-form-urlencoded` only; a client with a
 *   secret must authenticate, with `Authorization: Basic base64(client_id:client_secret)`
 *   taken literally (no percent-decoding: the page documents none) or client_secret in the
 *   body; else 400 `invalid_client`. A code is single-use, bound to its client and
 *   redirect_uri, expires after 5 minutes, and needs the PKCE verifier when it was given a
 *   challenge (S256): else `invalid_grant`. A refresh token lasts the client's validity and
 *   stops working for a disabled or deleted user; its answer has no new refresh token.
 * - tokens (amazon-cognito-user-pools-using-the-id-token.html): RS256; the ID token has
 *   iss, aud (the client id), token_use "id", auth_time, nonce, email, email_verified (boolean),
 *   cognito:username and cognito:groups (when the user has any).
 * - userInfo (userinfo-endpoint.html): needs an access token with `openid`; answers sub,
 *   email, email_verified as the string "true"/"false", username. No groups.
 * - logout (logout-endpoint.html): client_id and a logout_uri that is one of the client's
 *   sign-out URLs (exact), else an error page; the pool's session cookie is cleared.
 * Not emulated: MFA, passkeys, the managed login pages' look, SigV4 signature checks.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import * as jose from 'jose';
import { closeServer, listenOnLoopback } from '../../stack/loopback';
import { cookie, json, loginForm, page, readBody, redirect } from './http';
import { CognitoApiError, CognitoPools, meetsPasswordPolicy, type Invitation, type PoolClient, type PoolUser } from './admin';

export interface CognitoEmulatorOptions {
  readonly port?: number;
  /** Host name of its URLs (the site runs on 127.0.0.1: another name keeps cookies apart). @default 'localhost' */
  readonly host?: string;
  readonly region?: string;
  /** Wall clock in ms. @default Date.now */
  readonly clock?: () => number;
}

export interface CognitoEmulator {
  /** `http://localhost:PORT`: the issuer is `<endpoint>/<pool id>`; the admin API is POST `<endpoint>/`. */
  readonly endpoint: string;
  readonly pools: CognitoPools;
  /** Each invitation Cognito would email (a temporary password), as it is made. */
  onInvitation(listener: (invitation: Invitation) => void): void;
  close(): Promise<void>;
}

interface Grant {
  readonly client: PoolClient;
  readonly user: PoolUser;
  readonly authTime: number;
}
interface Code extends Grant {
  readonly redirectUri: string;
  readonly scope: string;
  readonly nonce?: string;
  readonly challenge?: string;
  readonly expiresAt: number;
}
interface Refresh extends Grant {
  readonly scope: string;
  readonly expiresAt: number;
}

const SESSION_COOKIE = 'cognito';
const FORM = 'application/x-www-form-urlencoded';

export async function startCognitoEmulator(options: CognitoEmulatorOptions = {}): Promise<CognitoEmulator> {
  const pools = new CognitoPools(options.region ?? 'us-east-1');
  const clock = options.clock ?? Date.now;
  const seconds = () => Math.floor(clock() / 1000);
  const { privateKey, publicKey } = await jose.generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  const jwk = { ...(await jose.exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const codes = new Map<string, Code>();
  const refreshTokens = new Map<string, Refresh>();
  const sessions = new Map<string, { user: PoolUser; poolId: string; authTime: number }>();
  const accessTokens = new Map<string, { user: PoolUser; scope: string; expiresAt: number }>();
  const operations = pools.operations();
  let base = '';

  const sign = (claims: Record<string, unknown>) => new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(privateKey);
  const issuer = (poolId: string) => `${base}/${poolId}`;
  const liveUser = (g: Grant) => {
    const pool = pools.pools.get(g.client.userPoolId);
    const user = pool?.users.get(g.user.email.toLowerCase());
    return user === g.user && user.enabled ? user : undefined;
  };

  async function tokens(grant: Grant, scope: string, nonce?: string): Promise<Record<string, unknown>> {
    const now = seconds();
    const { user, client } = grant;
    const groups = [...user.groups];
    const idToken = await sign({
      sub: user.sub, aud: client.clientId, iss: issuer(client.userPoolId), token_use: 'id', auth_time: grant.authTime, iat: now, exp: now + 3600,
      email: user.email, email_verified: user.emailVerified, 'cognito:username': user.sub,
      ...(groups.length > 0 && { 'cognito:groups': groups }), ...(nonce !== undefined && { nonce }),
    });
    const accessToken = await sign({ sub: user.sub, iss: issuer(client.userPoolId), client_id: client.clientId, token_use: 'access', scope, auth_time: grant.authTime, iat: now, exp: now + 3600, username: user.sub });
    accessTokens.set(accessToken, { user, scope, expiresAt: now + 3600 });
    return { id_token: idToken, access_token: accessToken, expires_in: 3600, token_type: 'Bearer' };
  }

  /** The client's credentials, as Cognito takes them; undefined when they do not authenticate it. */
  function authenticate(req: IncomingMessage, form: URLSearchParams): PoolClient | undefined {
    const header = req.headers.authorization;
    let id = form.get('client_id') ?? undefined;
    let secret = form.get('client_secret') ?? undefined;
    if (header !== undefined) {
      if (!header.startsWith('Basic ')) return undefined;
      const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) return undefined;
      [id, secret] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
    }
    const client = id !== undefined ? pools.clients.get(id) : undefined;
    if (client === undefined) return undefined;
    return client.clientSecret === undefined || client.clientSecret === secret ? client : undefined;
  }

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!String(req.headers['content-type'] ?? '').startsWith(FORM)) return json(res, 400, { error: 'invalid_request' });
    const form = new URLSearchParams(await readBody(req));
    const client = authenticate(req, form);
    if (client === undefined) return json(res, 400, { error: 'invalid_client' });
    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') {
      const code = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      if (code === undefined || code.client !== client || code.expiresAt < seconds() || code.redirectUri !== form.get('redirect_uri')) return json(res, 400, { error: 'invalid_grant' });
      if (code.challenge !== undefined && createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url') !== code.challenge) return json(res, 400, { error: 'invalid_grant' });
      const refresh = randomBytes(48).toString('base64url');
      refreshTokens.set(refresh, { ...code, expiresAt: seconds() + client.refreshTokenValidity });
      return json(res, 200, { ...(await tokens(code, code.scope, code.nonce)), refresh_token: refresh });
    }
    if (grantType === 'refresh_token') {
      const grant = refreshTokens.get(form.get('refresh_token') ?? '');
      if (grant === undefined || grant.client !== client || grant.expiresAt < seconds() || liveUser(grant) === undefined) return json(res, 400, { error: 'invalid_grant' });
      return json(res, 200, await tokens(grant, grant.scope));
    }
    return json(res, 400, { error: 'unsupported_grant_type' });
  }

  function authorize(url: URL, res: ServerResponse): void {
    const q = url.searchParams;
    const client = pools.clients.get(q.get('client_id') ?? '');
    const redirectUri = q.get('redirect_uri') ?? '';
    if (client === undefined || !client.callbackUrls.includes(redirectUri)) return page(res, 400, 'An error was encountered with the requested page.', 'redirect_mismatch');
    const back = new URL(redirectUri);
    if (q.get('state') !== null) back.searchParams.set('state', q.get('state')!);
    const scopes = (q.get('scope') ?? '').split(' ').filter(Boolean);
    if (q.get('response_type') !== 'code' || scopes.some((s) => !client.scopes.includes(s))) {
      back.searchParams.set('error', q.get('response_type') !== 'code' ? 'unsupported_response_type' : 'invalid_scope');
      return redirect(res, back.href);
    }
    if (q.get('code_challenge') !== null && q.get('code_challenge_method') !== 'S256') {
      back.searchParams.set('error', 'invalid_request');
      return redirect(res, back.href);
    }
    redirect(res, `${base}/login?${q.toString()}`);
  }

  function issueCode(q: URLSearchParams, user: PoolUser, authTime: number, res: ServerResponse, setCookie?: string): void {
    const client = pools.clients.get(q.get('client_id') ?? '')!;
    const code = randomUUID();
    codes.set(code, {
      client, user, authTime, redirectUri: q.get('redirect_uri')!, scope: q.get('scope') ?? 'openid', expiresAt: seconds() + 300,
      ...(q.get('nonce') !== null && { nonce: q.get('nonce')! }), ...(q.get('code_challenge') !== null && { challenge: q.get('code_challenge')! }),
    });
    const back = new URL(q.get('redirect_uri')!);
    back.searchParams.set('code', code);
    if (q.get('state') !== null) back.searchParams.set('state', q.get('state')!);
    redirect(res, back.href, setCookie);
  }

  async function login(req: IncomingMessage, url: URL, res: ServerResponse): Promise<void> {
    const q = url.searchParams;
    const client = pools.clients.get(q.get('client_id') ?? '');
    if (client === undefined || !client.callbackUrls.includes(q.get('redirect_uri') ?? '')) return page(res, 400, 'An error was encountered with the requested page.', 'redirect_mismatch');
    const pool = pools.pools.get(client.userPoolId)!;
    if (req.method === 'GET') {
      const session = sessions.get(cookie(req, SESSION_COOKIE) ?? '');
      const user = session !== undefined && session.poolId === pool.id && q.get('prompt') !== 'login' ? pool.users.get(session.user.email.toLowerCase()) : undefined;
      if (user !== undefined && user === session!.user && user.enabled) return issueCode(q, user, session!.authTime, res);
      return loginForm(res, q);
    }
    const form = new URLSearchParams(await readBody(req));
    const user = pool.users.get((form.get('username') ?? '').toLowerCase());
    if (user === undefined || user.password !== form.get('password')) return loginForm(res, q, 'Incorrect username or password.');
    if (!user.enabled) return loginForm(res, q, 'User is disabled.');
    if (user.status === 'FORCE_CHANGE_PASSWORD') {
      const next = form.get('new_password');
      if (next === null) return loginForm(res, q, undefined, user.email);
      if (!meetsPasswordPolicy(next)) return loginForm(res, q, 'Password does not conform to policy: 8 characters or more, with a lowercase and an uppercase letter, a number and a symbol.', user.email);
      user.password = next;
      user.status = 'CONFIRMED';
    }
    const sid = randomBytes(24).toString('base64url');
    const authTime = seconds();
    sessions.set(sid, { user, poolId: pool.id, authTime });
    issueCode(q, user, authTime, res, `${SESSION_COOKIE}=${sid}; Path=/; HttpOnly; SameSite=Lax`);
  }

  function logout(req: IncomingMessage, url: URL, res: ServerResponse): void {
    const client = pools.clients.get(url.searchParams.get('client_id') ?? '');
    const to = url.searchParams.get('logout_uri') ?? '';
    if (client === undefined || !client.logoutUrls.includes(to)) return page(res, 400, 'An error was encountered with the requested page.', 'Required String parameter \'redirect_uri\' is not present (logout_uri is not a sign-out URL of the client)');
    sessions.delete(cookie(req, SESSION_COOKIE) ?? '');
    redirect(res, to, `${SESSION_COOKIE}=; Path=/; Max-Age=0`);
  }

  function userInfo(req: IncomingMessage, res: ServerResponse): void {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const entry = bearer !== undefined ? accessTokens.get(bearer) : undefined;
    if (entry === undefined || entry.expiresAt < seconds() || !entry.scope.split(' ').includes('openid') || !entry.user.enabled) {
      res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"', 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ error: 'invalid_token' }));
    }
    const u = entry.user;
    json(res, 200, { sub: u.sub, email: u.email, email_verified: String(u.emailVerified), username: u.sub });
  }

  async function admin(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
      res.end(JSON.stringify(body));
    };
    try {
      const body = await readBody(req);
      if (!req.headers.authorization) throw new CognitoApiError('MissingAuthenticationTokenException', 'Missing Authentication Token');
      const target = String(req.headers['x-amz-target'] ?? '');
      const name = target.startsWith('AWSCognitoIdentityProviderService.') ? target.slice('AWSCognitoIdentityProviderService.'.length) : '';
      const op = Object.hasOwn(operations, name) ? operations[name] : undefined;
      if (op === undefined) throw new CognitoApiError('UnknownOperationException', `Unknown operation ${target}`);
      let input: unknown;
      try {
        input = JSON.parse(body || '{}');
      } catch {
        throw new CognitoApiError('SerializationException', 'Malformed JSON request body.');
      }
      send(200, op(input as Record<string, unknown>));
    } catch (error) {
      if (error instanceof CognitoApiError) send(error.status, { __type: error.type, message: error.message });
      else send(500, { __type: 'InternalErrorException', message: 'Internal error.' });
    }
  }

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', base);
      const wellKnown = /^\/([\w-]+_[0-9a-zA-Z]+)\/\.well-known\/(openid-configuration|jwks\.json)$/.exec(url.pathname);
      if (req.method === 'POST' && url.pathname === '/' && req.headers['x-amz-target'] !== undefined) return admin(req, res);
      if (wellKnown !== null && pools.pools.has(wellKnown[1]!)) return json(res, 200, wellKnown[2] === 'jwks.json' ? { keys: [jwk] } : discovery(base, issuer(wellKnown[1]!)));
      if (url.pathname === '/oauth2/authorize' && req.method === 'GET') return authorize(url, res);
      if (url.pathname === '/login') return login(req, url, res);
      if (url.pathname === '/oauth2/token' && req.method === 'POST') return token(req, res);
      if (url.pathname === '/oauth2/userInfo') return userInfo(req, res);
      if (url.pathname === '/logout' && req.method === 'GET') return logout(req, url, res);
      json(res, 404, { error: 'not found' });
    })().catch(() => {
      if (!res.headersSent) json(res, 500, { error: 'server_error' });
    });
  });
  base = `http://${options.host ?? 'localhost'}:${await listenOnLoopback(server, options.port)}`;
  return { endpoint: base, pools, onInvitation: (listener) => void (pools.onInvitation = listener), close: () => closeServer(server) };
}

/** The discovery document's fields Cognito publishes (federation-endpoints.html); its domain endpoints at `domain`. */
function discovery(domain: string, issuer: string): object {
  return {
    issuer,
    authorization_endpoint: `${domain}/oauth2/authorize`,
    token_endpoint: `${domain}/oauth2/token`,
    userinfo_endpoint: `${domain}/oauth2/userInfo`,
    revocation_endpoint: `${domain}/oauth2/revoke`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    response_types_supported: ['code', 'token'],
    scopes_supported: ['openid', 'email', 'phone', 'profile'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
  };
}
