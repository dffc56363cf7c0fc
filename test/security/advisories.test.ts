/**
 * One regression test per class of oauth2-proxy's security advisories, run against the
 * real viewer-request adapter (CloudFront events in) and the real callback core. Each
 * describe names the advisories of its class.
 */
import { randomBytes } from 'node:crypto';
import { finishCallback, type CallbackContext } from '../../lambdas/core/sign-in/callback';
import type { EdgeConfig } from '../../lambdas/core/config/types';
import type { KeySet } from '../../lambdas/core/keys/key-set';
import type { Profile } from '../../lambdas/core/providers/types';
import { open } from '../../lambdas/core/keys/seal';
import type { SessionClaims } from '../../lambdas/core/session/session-cookie';
import { MemorySessionStore } from '../../lambdas/store/memory/sessions';
import {
  edge, forwardedHeaders, IDP_ORIGIN, isResponse, keySet, locationOf, NOW, securityConfig, sessionCookie, setCookiesOf, SITE, stubProvider,
} from './support';

const SITE_ORIGIN = `https://${SITE}`;
const { keys } = keySet();
const config = securityConfig();

function sameOrigin(location: string | undefined): boolean {
  if (location === undefined || !location.startsWith('/') || location.startsWith('//') || location.startsWith('/\\')) return false;
  return new URL(location, SITE_ORIGIN).origin === SITE_ORIGIN;
}

/** Starts a sign-in at the edge; returns the flow cookie (name=value) and the state the provider got. */
async function startSignIn(handle: ReturnType<typeof edge>['handle'], uri: string, querystring = '') {
  const result = await handle({ uri, querystring });
  const location = new URL(locationOf(result)!);
  expect(location.origin).toBe(IDP_ORIGIN);
  const flowCookie = setCookiesOf(result).find((c) => c.startsWith('edge-oauth-flow-'))!.split(';')[0]!;
  return { state: location.searchParams.get('state')!, flowCookie };
}

function callbackContext(options: { config?: EdgeConfig; keys?: KeySet; profile?: Profile } = {}): CallbackContext {
  return {
    config: options.config ?? config,
    keys: options.keys ?? keys,
    providers: new Map([['corp', stubProvider(options.profile)]]),
    sessions: new MemorySessionStore(() => NOW),
    now: NOW,
    random: randomBytes,
    scheme: 'https',
  };
}

const sessionOf = (setCookies: readonly string[]) => {
  const cookie = setCookies.find((c) => /^edge-oauth=[^;]/.test(c));
  return cookie === undefined ? undefined : open<SessionClaims>(cookie.split(';')[0]!.slice('edge-oauth='.length), keys);
};

const REDIRECTS = [
  '//evil.example', '///evil.example', '/\\evil.example', '\\/evil.example', '\\\\evil.example', '/\\/evil.example',
  '/\t/evil.example', '/\n/evil.example', '/\r\n/evil.example', '/ /evil.example', '/%09/evil.example', '/%0d%0a/evil.example',
  '%2f%2fevil.example', '/%2f%2fevil.example', '/%5cevil.example', '/.//evil.example', '/./..//evil.example', '/x/../..//evil.example',
  'https://evil.example/', 'http:evil.example', 'https:/evil.example', '//site.example@evil.example', `https://${SITE}@evil.example/`,
  '/@evil.example', '@evil.example', 'javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', ' //evil.example', '\u3000//evil.example',
  '/\u2215\u2215evil.example', '/\uff0f/evil.example', '/x#//evil.example', '/#@evil.example', '/?next=//evil.example',
];

describe('open redirects: GHSA-qqxw-m5fj-f7gv ("/\\"), GHSA-j7px-6hwj-hpjg (whitespace between slashes), GHSA-5m6c-jp6f-2vcv (encoded control characters)', () => {
  const { handle } = edge({ config, keys });

  test.each(REDIRECTS)('sign-in return path %j lands on the site', async (rd) => {
    const { state, flowCookie } = await startSignIn(handle, '/auth/login', new URLSearchParams({ rd }).toString());
    const done = await finishCallback(callbackContext(), { querystring: `code=c&state=${state}`, cookieHeaders: [flowCookie], host: SITE });
    expect(done.status).toBe(302);
    expect([rd, sameOrigin(done.headers.location)]).toEqual([rd, true]);
  });

  test.each(REDIRECTS)('logout target %j lands on the site', async (rd) => {
    const result = await handle({ uri: '/auth/logout', querystring: new URLSearchParams({ rd }).toString() });
    expect([rd, sameOrigin(locationOf(result))]).toEqual([rd, true]);
  });

  test('the request target itself (a scheme-relative uri) is not a way out either', async () => {
    for (const uri of ['//evil.example', '//evil.example/x', '/\\evil.example', '/%2f%2fevil.example']) {
      const { state, flowCookie } = await startSignIn(handle, uri);
      const done = await finishCallback(callbackContext(), { querystring: `code=c&state=${state}`, cookieHeaders: [flowCookie], host: SITE });
      expect([uri, sameOrigin(done.headers.location)]).toEqual([uri, true]);
    }
  });
});

describe('header smuggling: GHSA-vjrc-mh2v-45x6 (underscore and case variants of identity headers)', () => {
  const custom = securityConfig({ headers: { userEmail: 'x-user-email', userId: 'x-user', userName: 'x-user-name', provider: 'x-user-idp' } });
  const forged = (names: readonly string[]) => names.map((n) => [n, 'ceo@example.com'] as const);

  test.each([
    ['default names', config, ['edge-oauth-user-email', 'EDGE-OAUTH-USER-EMAIL', 'Edge_OAuth_User_Email', 'edge_oauth_user_id', 'edge-oauth-provider', 'edge-oauth-user-name', 'edge-oauth-host', 'Edge-OAuth-Anything', 'Edge_OAuth_JWT_Assertion', 'Edge_OAuth_User_Groups', 'edge-oauth-user-groups-truncated']],
    ['configured names', custom, ['x-user-email', 'X_USER_EMAIL', 'x_User-email', 'X-User', 'x_user_name', 'X-User-Idp', 'edge-oauth-user-email', 'edge-oauth-jwt-assertion']],
  ] as const)('%s: every client copy is removed, ours is the only one', async (_, cfg, names) => {
    const { value, claims } = await sessionCookie(cfg, keys);
    const { handle } = edge({ config: cfg, keys });
    const headers = forwardedHeaders(await handle({ uri: '/', headers: [...forged(names), ...forged(names), ['Cookie', `edge-oauth=${value}`]] }));
    const identity = Object.keys(headers).filter((h) => /^(edge[-_]oauth|x[-_]user)/i.test(h)).sort();
    // The groups header goes only with a user in groups (this one is in none): forged copies are removed.
    const ours = [...Object.values(cfg.headers).filter((h) => h !== cfg.headers.userGroups), ...(cfg.assertion.enabled ? [cfg.assertion.header] : [])];
    expect(identity).toEqual(ours.sort());
    for (const name of ours) expect(headers[name]).toHaveLength(1);
    expect(headers[cfg.headers.userEmail]).toEqual([claims.email]);
    expect(headers[cfg.headers.userId]).toEqual([claims.uid]);
    expect(Object.values(headers).flat()).not.toContain('ceo@example.com');
  });

  test('without a session (OPTIONS passthrough) no identity header reaches the origin at all', async () => {
    const { handle } = edge({ config, keys });
    const headers = forwardedHeaders(await handle({ method: 'OPTIONS', uri: '/api', headers: forged(['Edge-OAuth-User-Email', 'edge_oauth_user_id']) }));
    expect(Object.keys(headers).filter((h) => /edge.oauth/i.test(h))).toEqual([]);
  });

  test('the callback gets the viewer host from the edge, never the client', async () => {
    const { handle } = edge({ config, keys });
    const headers = forwardedHeaders(await handle({ uri: '/auth/callback', querystring: 'code=c&state=s', headers: [['Edge-OAuth-Host', 'evil.example'], ['edge_oauth_host', 'evil.example']] }));
    expect(headers['edge-oauth-host']).toEqual([SITE]);
    expect(Object.keys(headers).filter((h) => /edge.oauth.host/i.test(h))).toEqual(['edge-oauth-host']);
  });
});

describe('path confusion between the edge and CloudFront: only the exact callback path is let through', () => {
  // CloudFront chooses the behaviour, and so the origin, from the path as the viewer sent it
  // (case-sensitive patterns "/auth/callback" and "/auth/*"), before the viewer-request
  // function runs. A spelling the edge reads as the callback but CloudFront does not
  // (e.g. "/AUTH/callback" → the default behaviour) would reach the site's origin,
  // unauthenticated, with the session and flow cookies the callback needs.
  test.each(['/AUTH/callback', '/Auth/Callback', '//auth/callback', '/auth//callback', '/auth;x/callback', '/%61uth/callback', '/auth%2fcallback', '/x/../auth/callback', '/auth/../AUTH/callback', '/auth/callback/', '/auth/callback;x', '/auth/./callback'])(
    '%s is answered by the edge (sent to the exact path), never forwarded',
    async (uri) => {
      const { value } = await sessionCookie(config, keys);
      const { handle } = edge({ config, keys });
      const result = await handle({ uri, querystring: 'code=c&state=s', headers: [['Cookie', `edge-oauth=${value}; edge-oauth-flow-${'A'.repeat(22)}=x`]] });
      expect([uri, isResponse(result)]).toEqual([uri, true]);
      if (isResponse(result) && result.status === '302') expect(locationOf(result)).toBe('/auth/callback?code=c&state=s');
      else expect([uri, isResponse(result) && result.status]).toEqual([uri, '404']);
    },
  );

  test('the exact callback path goes through, with the flow cookie and the viewer host', async () => {
    const { handle } = edge({ config, keys });
    const result = await handle({ uri: '/auth/callback', querystring: 'code=c&state=s', headers: [['Cookie', `edge-oauth-flow-${'A'.repeat(22)}=x`]] });
    const headers = forwardedHeaders(result);
    expect(headers.cookie).toEqual([`edge-oauth-flow-${'A'.repeat(22)}=x`]);
    expect(headers['edge-oauth-host']).toEqual([SITE]);
  });
});

describe('auth bypass through forwarded headers: GHSA-7x63-xv5r-3p2x (X-Forwarded-Uri), X-Original-URL, Host', () => {
  const spoofed = [
    ['X-Forwarded-Uri', '/auth/callback'], ['X-Original-URL', '/auth/logout'], ['X-Rewrite-URL', '/public'], ['X-Forwarded-Prefix', '/auth'],
    ['X-Forwarded-Host', 'evil.example'], ['X-Forwarded-For', '127.0.0.1'], ['X-Forwarded-Proto', 'https'], ['X-HTTP-Method-Override', 'OPTIONS'],
  ] as const;

  test('the decision is made on the request itself: without a session every header set still signs in', async () => {
    const { handle } = edge({ config, keys });
    for (const header of spoofed) {
      const result = await handle({ uri: '/admin', headers: [header] });
      expect([header[0], isResponse(result) && result.status]).toEqual([header[0], '302']);
      expect(new URL(locationOf(result)!).origin).toBe(IDP_ORIGIN);
    }
    const all = await handle({ uri: '/admin', headers: spoofed });
    expect(isResponse(all) && all.status).toBe('302');
  });

  test('Host: the redirect_uri given to the provider is the configured site domain, whatever the Host', async () => {
    const { handle } = edge({ config, keys });
    const result = await handle({ uri: '/x', headers: [['X-Forwarded-Host', 'evil.example']] });
    const viaHost = await edge({ config, keys }).handle({ uri: '/x' });
    for (const r of [result, viaHost]) expect(new URL(locationOf(r)!).searchParams.get('redirect_uri')).toBe(`https://${SITE}/auth/callback`);
  });
});

describe('auth bypass through user agents: GHSA-5hvv-m4w4-gf6v (health-check User-Agent)', () => {
  test.each(['', 'GoogleHC/1.0', 'kube-probe/1.29', 'ELB-HealthChecker/2.0', 'Amazon CloudFront', 'Amazon-Route53-Health-Check-Service'])('User-Agent %j is not a pass', async (ua) => {
    const { handle } = edge({ config, keys });
    const result = await handle({ uri: '/ping', headers: [['User-Agent', ua]] });
    expect(isResponse(result) && result.status).toBe('302');
  });
});

describe('URL fragments and query strings: GHSA-pxq7-h93f-9jrg (fragment), GHSA-7rh7-c77v-6434 (query string matched as path)', () => {
  const { handle } = edge({ config, keys });

  test.each([
    ['/secret#/auth/callback', ''], ['/secret%23/auth/logout', ''], ['/auth%23/../secret', ''], ['/secret', '/auth/callback'],
    ['/secret', 'x=/auth/logout'], ['/secret', '.well-known/jwks.json'], ['/secret;/auth/callback', ''],
  ])('%s?%s needs a session', async (uri, querystring) => {
    const result = await handle({ uri, querystring });
    expect(isResponse(result) && result.status).toBe('302');
    expect(new URL(locationOf(result)!).origin).toBe(IDP_ORIGIN);
  });

  test('the query string never makes a request special, and a special path ignores its query', async () => {
    const { value } = await sessionCookie(config, keys);
    const app = await handle({ uri: '/reports', querystring: 'p=/auth/logout', headers: [['Cookie', `edge-oauth=${value}`]] });
    expect(isResponse(app)).toBe(false);
    const logout = await handle({ uri: '/auth/logout', querystring: 'x=/reports', headers: [['Cookie', `edge-oauth=${value}`]] });
    expect(isResponse(logout) && logout.status).toBe('200');
  });
});

describe('emails: GHSA-c5c4-8r6x-56w3 (multi-"@"), unverified emails, subdomains, Unicode case folding', () => {
  const restricted = securityConfig({ allow: { emails: [], emailDomains: ['example.com'] } });
  const { handle } = edge({ config: restricted, keys });

  test.each([
    [{ id: 'u', email: 'attacker@evil.com@example.com', emailVerified: true }, 'email-malformed'],
    [{ id: 'u', email: 'attacker@example.com', emailVerified: false }, 'email-unverified'],
    [{ id: 'u', email: 'attacker@corp.example.com', emailVerified: true }, 'not-on-allow-list'],
    [{ id: 'u', email: 'attacker@example.com.evil.com', emailVerified: true }, 'not-on-allow-list'],
    [{ id: 'u', email: 'attacker@example.com ', emailVerified: true }, 'not-on-allow-list'],
    [{ id: 'u', email: 'attacker@\u212Aexample.com', emailVerified: true }, 'not-on-allow-list'],
    [{ id: 'u', name: 'no email' }, 'email-missing'],
  ] as const)('%j is refused (%s) and gets no session', async (profile, reason) => {
    const { state, flowCookie } = await startSignIn(handle, '/');
    const done = await finishCallback(callbackContext({ config: restricted, profile }), { querystring: `code=c&state=${state}`, cookieHeaders: [flowCookie], host: SITE });
    expect([done.status, done.reason]).toEqual([403, reason]);
    expect(sessionOf(done.setCookies)).toBeUndefined();
  });

  test('with no allow-list, the origin is never shown an ASCII address the provider did not give', async () => {
    const { handle: open_ } = edge({ config, keys });
    const { state, flowCookie } = await startSignIn(open_, '/');
    const done = await finishCallback(callbackContext({ profile: { id: 'u', email: '\u212Aim@Example.com', emailVerified: true } }), {
      querystring: `code=c&state=${state}`, cookieHeaders: [flowCookie], host: SITE,
    });
    const claims = sessionOf(done.setCookies)!;
    expect(claims.email).toBe('\u212Aim@example.com');
    const headers = forwardedHeaders(await open_({ uri: '/', headers: [['Cookie', done.setCookies.find((c) => c.startsWith('edge-oauth='))!.split(';')[0]!]] }));
    expect(headers['edge-oauth-user-email']).toEqual(['%E2%84%AAim%40example.com']);
  });
});

describe('session fixation: a sign-in always starts a new session', () => {
  test('a session cookie planted before sign-in is replaced by a new one, with a new id, for the new user', async () => {
    const { handle } = edge({ config, keys });
    const planted = await sessionCookie(config, keys, { sid: 'attacker-chosen-sid', uid: 'attacker', email: 'attacker@example.com' });
    const { state, flowCookie } = await startSignIn(handle, '/auth/login');
    const done = await finishCallback(callbackContext({ profile: { id: 'victim', email: 'victim@example.com', emailVerified: true } }), {
      querystring: `code=c&state=${state}`, cookieHeaders: [`edge-oauth=${planted.value}; ${flowCookie}`], host: SITE,
    });
    const claims = sessionOf(done.setCookies)!;
    expect(claims.sid).not.toBe('attacker-chosen-sid');
    expect(claims.sid).toMatch(/^[\w-]{22}$/);
    expect([claims.uid, claims.email]).toEqual(['victim', 'victim@example.com']);
  });

  test('a callback from someone else\'s sign-in (login CSRF) gives no session: the flow cookie is bound to the state', async () => {
    const { handle } = edge({ config, keys });
    const attacker = await startSignIn(handle, '/');
    const victim = await startSignIn(handle, '/');
    const done = await finishCallback(callbackContext(), { querystring: `code=c&state=${attacker.state}`, cookieHeaders: [victim.flowCookie], host: SITE });
    expect(done.status).toBe(400);
    expect(sessionOf(done.setCookies)).toBeUndefined();
  });
});
