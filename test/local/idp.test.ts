/**
 * The dev OpenID Provider, driven with plain fetch the way a browser would: a cookie jar,
 * the interaction redirects, the sign-in form. Then the back channel: token, userinfo, refresh.
 */
import { createHash, randomBytes } from 'node:crypto';
import { startDevIdp, type DevIdpHandle } from '../../local/emulators/idp/provider';
import { must } from '../support/must';

const REDIRECT_URI = 'http://127.0.0.1:9/auth/callback';
const CLIENT = { clientId: 'edge-oauth-test', clientSecret: 'test-secret', redirectUris: [REDIRECT_URI] };
const basic = `Basic ${Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64')}`;

/** Just enough of a browser cookie jar: name + path, path-prefix matching, deletion by Max-Age=0/Expires. */
class CookieJar {
  private readonly cookies = new Map<string, { name: string; value: string; path: string }>();

  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [first, ...attrs] = line.split(';').map((s) => s.trim());
      const pair = must(first, 'the name=value of a Set-Cookie header');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const attr = (n: string) => attrs.find((a) => a.toLowerCase().startsWith(`${n}=`))?.split('=')[1];
      const path = attr('path') ?? '/';
      const expires = attr('expires');
      const gone = attr('max-age') === '0' || (expires !== undefined && Date.parse(expires) <= Date.now()) || value === '';
      if (gone) this.cookies.delete(`${name} ${path}`);
      else this.cookies.set(`${name} ${path}`, { name, value, path });
    }
  }

  header(url: URL): string {
    return [...this.cookies.values()]
      .filter((c) => url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }
}

interface SignIn {
  email: string;
  name?: string;
  emailVerified?: boolean;
}

/** Follows redirects like a browser; fills the sign-in form whenever it appears. */
async function authorize(idp: DevIdpHandle, jar: CookieJar, params: Record<string, string>, signIn?: SignIn) {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(8).toString('hex');
  const query = new URLSearchParams({
    client_id: CLIENT.clientId,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: 'openid email profile offline_access',
    state,
    nonce: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...params,
  });
  for (const [k, v] of Object.entries(params)) if (v === '') query.delete(k); // '' = leave the parameter out
  let url = new URL(`${idp.issuer}/auth?${query}`);
  let init: RequestInit = {};
  let formsShown = 0;
  for (let hops = 0; hops < 20; hops++) {
    if (url.href.startsWith(REDIRECT_URI)) {
      return { callback: url.searchParams, verifier, state, formsShown };
    }
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...init.headers, cookie: jar.header(url) } });
    jar.store(res);
    init = {};
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get('location')!, url);
      continue;
    }
    const html = await res.text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (res.status !== 200 || !action || !signIn) throw new Error(`unexpected page ${res.status} at ${url}: ${html.slice(0, 300)}`);
    expect(html).toContain('<input name="email"');
    expect(html).toMatch(/<input name="email_verified" type="checkbox" value="true" checked>/);
    formsShown++;
    const form = new URLSearchParams({ email: signIn.email, name: signIn.name ?? '' });
    if (signIn.emailVerified !== false) form.set('email_verified', 'true');
    url = new URL(action, url);
    init = { method: 'POST', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
  }
  throw new Error('too many redirects');
}

async function token(idp: DevIdpHandle, body: Record<string, string>) {
  const res = await fetch(`${idp.issuer}/token`, {
    method: 'POST',
    headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body).toString(),
  });
  return { status: res.status, json: (await res.json()) as Record<string, string> };
}

async function userinfo(idp: DevIdpHandle, accessToken: string) {
  const res = await fetch(`${idp.issuer}/me`, { headers: { authorization: `Bearer ${accessToken}` } });
  return { status: res.status, json: res.status === 200 ? ((await res.json()) as Record<string, unknown>) : undefined };
}

/** Sign in from scratch and exchange the code. */
async function signInAndExchange(idp: DevIdpHandle, signIn: SignIn) {
  const jar = new CookieJar();
  const { callback, verifier } = await authorize(idp, jar, {}, signIn);
  const tokens = await token(idp, { grant_type: 'authorization_code', code: callback.get('code')!, redirect_uri: REDIRECT_URI, code_verifier: verifier });
  expect(tokens.status).toBe(200);
  return { jar, tokens: tokens.json };
}

const payload = (jwt: string) => JSON.parse(Buffer.from(must(jwt.split('.')[1], 'the payload of a JWT'), 'base64url').toString('utf8'));

let idp: DevIdpHandle;
beforeAll(async () => {
  idp = await startDevIdp({ clients: [CLIENT] });
});
afterAll(() => idp.close());

test('the discovery document describes a localhost issuer with PKCE S256 and our scopes', async () => {
  expect(idp.issuer).toMatch(/^http:\/\/localhost:\d+$/);
  const doc = await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json();
  expect(doc).toMatchObject({
    issuer: idp.issuer,
    authorization_endpoint: `${idp.issuer}/auth`,
    token_endpoint: `${idp.issuer}/token`,
    userinfo_endpoint: `${idp.issuer}/me`,
    end_session_endpoint: `${idp.issuer}/session/end`,
    code_challenge_methods_supported: ['S256'],
    response_types_supported: ['code'],
  });
  expect(doc.scopes_supported).toEqual(expect.arrayContaining(['openid', 'email', 'profile', 'offline_access']));
  expect(doc.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['client_secret_basic', 'client_secret_post']));
  expect(doc.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token']));
});

test('authorization code + PKCE: sign-in form, tokens, userinfo with email and name', async () => {
  const jar = new CookieJar();
  const { callback, verifier, state, formsShown } = await authorize(idp, jar, {}, { email: 'Ann@Example.com', name: 'Ann <Dev>' });
  expect(formsShown).toBe(1);
  expect(callback.get('state')).toBe(state);
  expect(callback.get('iss')).toBe(idp.issuer);

  const { status, json } = await token(idp, { grant_type: 'authorization_code', code: callback.get('code')!, redirect_uri: REDIRECT_URI, code_verifier: verifier });
  expect(status).toBe(200);
  expect(json).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String), id_token: expect.any(String), refresh_token: expect.any(String) });
  expect(must(json.scope, 'scope in the token response').split(' ').sort()).toEqual(['email', 'offline_access', 'openid', 'profile']);

  const account = idp.accounts.findByEmail('ann@example.com')!;
  expect(account.sub).toBe(`u-${createHash('sha256').update('ann@example.com').digest('hex').slice(0, 16)}`);
  expect(payload(must(json.id_token, 'id_token in the token response'))).toMatchObject({ iss: idp.issuer, aud: CLIENT.clientId, sub: account.sub });

  const info = await userinfo(idp, must(json.access_token, 'access_token in the token response'));
  expect(info.json).toEqual({ sub: account.sub, email: 'Ann@Example.com', email_verified: true, name: 'Ann <Dev>' });

  // The IdP session is kept: no form the second time; prompt=login and max_age=0 show it again.
  expect((await authorize(idp, jar, {})).formsShown).toBe(0);
  expect((await authorize(idp, jar, { prompt: 'login' }, { email: 'ann@example.com' })).formsShown).toBe(1);
  expect((await authorize(idp, jar, { max_age: '0' }, { email: 'ann@example.com' })).formsShown).toBe(1);
});

test('the code is bound to the PKCE verifier, and PKCE is required', async () => {
  const jar = new CookieJar();
  const { callback } = await authorize(idp, jar, {}, { email: 'pkce@example.com' });
  const wrong = await token(idp, { grant_type: 'authorization_code', code: callback.get('code')!, redirect_uri: REDIRECT_URI, code_verifier: randomBytes(32).toString('base64url') });
  expect(wrong).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });

  const none = await authorize(idp, jar, { code_challenge: '', code_challenge_method: '' });
  expect(none.callback.get('error')).toBe('invalid_request');
});

test('an unchecked email_verified box is reported as email_verified false', async () => {
  const { tokens } = await signInAndExchange(idp, { email: 'unverified@example.com', emailVerified: false });
  expect((await userinfo(idp, must(tokens.access_token, 'access_token'))).json).toMatchObject({ email: 'unverified@example.com', email_verified: false });
});

test('refresh_token grant works with offline_access (no prompt=consent needed) and rotates', async () => {
  const { tokens } = await signInAndExchange(idp, { email: 'refresh@example.com' });
  const first = await token(idp, { grant_type: 'refresh_token', refresh_token: must(tokens.refresh_token, 'refresh_token') });
  expect(first.status).toBe(200);
  expect(first.json.refresh_token).toEqual(expect.any(String));
  expect(first.json.refresh_token).not.toBe(must(tokens.refresh_token, 'refresh_token'));
  expect((await userinfo(idp, must(first.json.access_token, 'access_token after refresh'))).json).toMatchObject({ email: 'refresh@example.com' });

  // The rotated-away token is spent.
  const reused = await token(idp, { grant_type: 'refresh_token', refresh_token: must(tokens.refresh_token, 'refresh_token') });
  expect(reused).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
});

test('a client registered with client_secret_basic cannot authenticate with client_secret_post (as a real OP refuses)', async () => {
  const jar = new CookieJar();
  const { callback, verifier } = await authorize(idp, jar, {}, { email: 'post@example.com' });
  const res = await fetch(`${idp.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: callback.get('code')!,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
    }).toString(),
  });
  expect(res.status).toBe(401);
  expect(await res.json()).toMatchObject({ error: 'invalid_client' });
  // (test/providers/oidc.test.ts signs in with a client registered for client_secret_post.)
});

test('accounts.update changes the email userinfo reports, with the same sub', async () => {
  const { tokens } = await signInAndExchange(idp, { email: 'old@example.com', name: 'Old' });
  const before = (await userinfo(idp, must(tokens.access_token, 'access_token'))).json!;
  idp.accounts.update(before.sub as string, { email: 'new@example.com', name: 'New' });
  expect((await userinfo(idp, must(tokens.access_token, 'access_token'))).json).toEqual({ sub: before.sub, email: 'new@example.com', email_verified: true, name: 'New' });
  expect(idp.accounts.findByEmail('new@example.com')?.sub).toBe(before.sub);
  expect(idp.accounts.findByEmail('old@example.com')).toBeUndefined();

  // Signing in with the old email now is someone else, with a different sub.
  const { tokens: other } = await signInAndExchange(idp, { email: 'old@example.com' });
  expect((await userinfo(idp, must(other.access_token, 'access_token'))).json!.sub).not.toBe(before.sub);
});

test('a disabled account can neither refresh nor read userinfo', async () => {
  const { tokens } = await signInAndExchange(idp, { email: 'gone@example.com' });
  idp.accounts.disable(idp.accounts.findByEmail('gone@example.com')!.sub);
  expect((await userinfo(idp, must(tokens.access_token, 'access_token'))).status).toBe(401);
  const refreshed = await token(idp, { grant_type: 'refresh_token', refresh_token: must(tokens.refresh_token, 'refresh_token') });
  expect(refreshed).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
  const again = await authorize(idp, new CookieJar(), {}, { email: 'gone@example.com' });
  expect(again.callback.get('error')).toBe('access_denied');
});

test('RP-initiated logout ends the IdP session: the next sign-in shows the form', async () => {
  const { jar } = await signInAndExchange(idp, { email: 'bye@example.com' });
  expect((await authorize(idp, jar, {})).formsShown).toBe(0);

  const end = new URL(`${idp.issuer}/session/end`);
  end.search = new URLSearchParams({ client_id: CLIENT.clientId, post_logout_redirect_uri: 'http://127.0.0.1:9/' }).toString();
  const confirm = await fetch(end, { headers: { cookie: jar.header(end) } });
  jar.store(confirm);
  const html = await confirm.text();
  expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1|localhost)/); // no external assets
  const action = new URL(must(/action="([^"]+)"/.exec(html)?.[1], 'the logout form action'), end);
  const xsrf = must(/name="xsrf" value="([^"]+)"/.exec(html)?.[1], 'the logout form xsrf value');
  const done = await fetch(action, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: jar.header(action), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ xsrf, logout: 'yes' }).toString(),
  });
  jar.store(done);
  expect(done.status).toBe(303);
  expect(done.headers.get('location')).toBe('http://127.0.0.1:9/');
  expect((await authorize(idp, jar, {}, { email: 'bye@example.com' })).formsShown).toBe(1);
});

test('failNext makes the next token / userinfo request fail once', async () => {
  const { tokens } = await signInAndExchange(idp, { email: 'flaky@example.com' });
  idp.failNext('token', 503);
  expect((await token(idp, { grant_type: 'refresh_token', refresh_token: must(tokens.refresh_token, 'refresh_token') })).status).toBe(503);
  const ok = await token(idp, { grant_type: 'refresh_token', refresh_token: must(tokens.refresh_token, 'refresh_token') });
  expect(ok.status).toBe(200);

  idp.failNext('userinfo', 500);
  expect((await userinfo(idp, must(ok.json.access_token, 'access_token after refresh'))).status).toBe(500);
  expect((await userinfo(idp, must(ok.json.access_token, 'access_token after refresh'))).status).toBe(200);
});
