/**
 * The viewer-request handler with CloudFront's documented event shape, no network: a
 * provider that records calls, a fetch that fails the test if anything reaches it.
 */
import type { CloudFrontRequest, CloudFrontRequestEvent, CloudFrontResultResponse } from 'aws-lambda';
import { randomBytes } from 'node:crypto';
import { createProviders } from '../../lambdas/core/providers';
import { MAX_PENDING_FLOWS } from '../../lambdas/core/sign-in/flow';
import { seal } from '../../lambdas/core/keys/seal';
import { newSessionClaims } from '../../lambdas/core/session/session-cookie';
import { createViewerHandler, type ViewerDeps } from '../../lambdas/edge/handler';
import type { SessionStore } from '../../lambdas/core/stores';
import { validateGeneratedResponse, validateViewerRequestResult } from '../../local/emulators/cloudfront/validate';
import { TEST_DISCOVERY, testConfig, testKeys } from '../core/fixtures';

const keys = testKeys();
const NOW = 1_800_000_000_000;

const discovery = TEST_DISCOVERY;

function setup(configOverrides: Record<string, unknown> = {}) {
  const config = testConfig(configOverrides);
  const fetched: string[] = [];
  const fetch = (async (url: string | URL) => {
    fetched.push(String(url));
    if (String(url).endsWith('/.well-known/openid-configuration')) return Response.json(discovery);
    throw new Error(`unexpected network call: ${String(url)}`);
  }) as typeof globalThis.fetch;
  const deps: ViewerDeps = {
    config,
    keys: async () => keys,
    providers: createProviders(config, { fetch, now: () => NOW / 1000, readSecret: async () => 'secret' }),
    random: randomBytes,
    clock: () => NOW,
  };
  return { config, fetched, handler: createViewerHandler(deps) };
}

function event(uri: string, options: { method?: string; querystring?: string; headers?: Record<string, string | string[]> } = {}): CloudFrontRequestEvent {
  const headers: CloudFrontRequest['headers'] = { host: [{ key: 'Host', value: 'app.example.com' }] };
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    headers[name.toLowerCase()] = (Array.isArray(value) ? value : [value]).map((v) => ({ key: name, value: v }));
  }
  const request: CloudFrontRequest = { clientIp: '203.0.113.9', headers, method: options.method ?? 'GET', querystring: options.querystring ?? '', uri };
  return {
    Records: [{ cf: { config: { distributionDomainName: 'd123.cloudfront.net', distributionId: 'EDFDVBD6EXAMPLE', eventType: 'viewer-request', requestId: 'r' }, request } }],
  };
}

async function cookieFor(config: ReturnType<typeof testConfig>, name = 'Ada', email = 'ada@example.com') {
  const claims = newSessionClaims(config, { sid: 'sid-1', uid: 'u-1', prv: 'corp', name, email, now: NOW / 1000 - 10 });
  return `edge-oauth=${await seal(claims, keys.current)}`;
}

const isResponse = (r: unknown): r is CloudFrontResultResponse => typeof (r as { status?: unknown }).status === 'string';

describe('viewer-request handler', () => {
  test('fast path: a valid session is forwarded with identity headers, no network call, our cookie removed', async () => {
    const { config, handler, fetched } = setup();
    const ev = event('/page', { headers: { cookie: `theme=dark; ${await cookieFor(config)}` } });
    const original = structuredClone(ev.Records[0]!.cf.request);
    const result = (await handler(ev)) as CloudFrontRequest;
    expect(isResponse(result)).toBe(false);
    expect(fetched).toEqual([]);
    expect(result.headers['edge-oauth-user-id']).toEqual([{ key: 'edge-oauth-user-id', value: 'u-1' }]);
    expect(result.headers['edge-oauth-user-email']![0]!.value).toBe('ada@example.com');
    expect(result.headers['edge-oauth-user-name']![0]!.value).toBe('Ada');
    expect(result.headers['edge-oauth-provider']![0]!.value).toBe('corp');
    expect(result.headers.cookie).toEqual([{ key: 'Cookie', value: 'theme=dark' }]);
    expect(validateViewerRequestResult(original, result)).toEqual([]);
  });

  test('client-sent identity headers are removed first: any case, "_" for "-", duplicated', async () => {
    const { config, handler } = setup();
    const ev = event('/page', {
      headers: {
        cookie: await cookieFor(config),
        'Edge-OAuth-User-Email': ['boss@example.com', 'x@y.z'],
        edge_oauth_user_id: 'root',
        'edge-oauth-jwt-assertion': 'forged',
      },
    });
    const result = (await handler(ev)) as CloudFrontRequest;
    expect(result.headers['edge-oauth-user-email']).toEqual([{ key: 'edge-oauth-user-email', value: 'ada@example.com' }]);
    expect(result.headers.edge_oauth_user_id).toBeUndefined();
    // The forged assertion is gone; the one there is the edge's own (signed JWT, docs/identity-assertion.md).
    expect(result.headers['edge-oauth-jwt-assertion']).toEqual([{ key: 'edge-oauth-jwt-assertion', value: expect.stringMatching(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/) }]);
  });

  test('path, host and method override headers are removed: the origin cannot be steered past the decision', async () => {
    const { handler } = setup({ optionsPassthrough: true });
    const result = (await handler(
      event('/public', {
        method: 'OPTIONS',
        headers: { 'X-HTTP-Method-Override': 'DELETE', 'X-Original-URL': '/admin', x_rewrite_url: '/admin', 'X-Forwarded-Host': 'evil.example', 'X-Forwarded-Prefix': '/x' },
      }),
    )) as CloudFrontRequest;
    expect(result.method).toBe('OPTIONS');
    expect(Object.keys(result.headers).sort()).toEqual(['host']);
  });

  test('non-ASCII and control characters in identity values are encoded, never break a header', async () => {
    const { config, handler } = setup();
    const result = (await handler(event('/', { headers: { cookie: await cookieFor(config, 'Zoë\r\nX-Evil: 1') } }))) as CloudFrontRequest;
    expect(result.headers['edge-oauth-user-name']![0]!.value).toBe('Zo%C3%AB%0D%0AX-Evil%3A%201');
  });

  test('no session: 302 to the provider with no-store, state, nonce, PKCE; the return path is the deep link', async () => {
    const { handler } = setup();
    const result = await handler(event('/reports/1', { querystring: 'a=1&b=2' }));
    if (!isResponse(result)) throw new Error('expected a response');
    expect(result.status).toBe('302');
    expect(result.headers!['cache-control']![0]!.value).toBe('no-store');
    const location = new URL(result.headers!.location![0]!.value);
    expect(location.origin + location.pathname).toBe('https://idp.example.com/authorize');
    expect(location.searchParams.get('redirect_uri')).toBe('https://app.example.com/auth/callback');
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('prompt')).toBeNull();
    expect(result.headers!['set-cookie']).toHaveLength(1);
    expect(validateGeneratedResponse(result)).toEqual([]);
  });

  test('a sub-resource or fetch() without a session gets 401 JSON and no flow cookie; a page load is redirected', async () => {
    const { handler } = setup();
    for (const mode of ['no-cors', 'cors', 'same-origin']) {
      const result = (await handler(event('/images/1.png', { headers: { 'Sec-Fetch-Mode': mode } }))) as CloudFrontResultResponse;
      expect(result.status).toBe('401');
      expect(result.headers!['set-cookie']).toBeUndefined();
      expect(JSON.parse(result.body!)).toEqual({ error: 'unauthorized', message: 'Sign in required.', signIn: '/auth/login?rd=%2Fimages%2F1.png' });
    }
    const page = (await handler(event('/page', { headers: { 'Sec-Fetch-Mode': 'navigate' } }))) as CloudFrontResultResponse;
    expect(page.status).toBe('302');
  });

  test('pending sign-ins: a start adds its own cookie and deletes the oldest past the bound; no client name is echoed', async () => {
    const { handler } = setup();
    const setCookies = (result: CloudFrontResultResponse) => result.headers!['set-cookie']!.map((c) => c.value);
    const now = Math.floor(NOW / 1000);
    const pending = Array.from({ length: MAX_PENDING_FLOWS + 1 }, (_, i) => `edge-oauth-flow-${(now - 100 + i).toString(36)}${String(i).padStart(12, 'A')}=${'v'.repeat(43)}`);
    const hostile = 'edge-oauth-flow-0=x; edge-oauth-flow-attempt1=x; edge-oauth-flow- bad,=x';
    const out = setCookies((await handler(event('/page', { headers: { cookie: `${hostile}; ${pending.join('; ')}` } }))) as CloudFrontResultResponse);
    // The two oldest of ours go, newest first (MAX_PENDING_FLOWS - 1 are kept, then the new one); nothing else is named.
    expect(out).toEqual([
      `${pending[1]!.split('=')[0]}=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; SameSite=Lax`,
      `${pending[0]!.split('=')[0]}=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; SameSite=Lax`,
      expect.stringMatching(/^edge-oauth-flow-[0-9a-z]{6}[\w-]{12}=[\w-]{43}; Path=\/; Max-Age=600; Secure; HttpOnly; SameSite=Lax$/),
    ]);
  });

  test.each([
    ['a frame', { 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Dest': 'iframe' }],
    ['a prefetch', { 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Dest': 'document', 'Sec-Purpose': 'prefetch' }],
    ['a prerender', { 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Dest': 'document', 'Sec-Purpose': 'prefetch;prerender' }],
    ['an old-style prefetch', { Purpose: 'prefetch' }],
  ])('%s starts no sign-in (401, no flow cookie): a page cannot make many at once', async (_, headers) => {
    const { handler } = setup();
    const result = (await handler(event('/page', { headers }))) as CloudFrontResultResponse;
    expect([result.status, result.headers!['set-cookie']]).toEqual(['401', undefined]);
    const top = (await handler(event('/page', { headers: { 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Dest': 'document' } }))) as CloudFrontResultResponse;
    // A browser's top-level load: the page that keeps the fragment (fragment-pages.ts), then the provider.
    expect(top.status).toBe('200');
    expect(top.body).toContain('data-s="1"');
  });

  test('/auth/authn forces re-authentication (prompt=login, max_age=0)', async () => {
    const { handler } = setup();
    const result = (await handler(event('/auth/authn'))) as CloudFrontResultResponse;
    const location = new URL(result.headers!.location![0]!.value);
    expect(location.searchParams.get('prompt')).toBe('login');
    expect(location.searchParams.get('max_age')).toBe('0');
  });

  test('/auth/logout clears the session cookie and shows a signed-out page; a logout target must be same-origin', async () => {
    const { config, handler } = setup();
    const page = (await handler(event('/auth/logout', { headers: { cookie: await cookieFor(config) } }))) as CloudFrontResultResponse;
    expect(page.status).toBe('200');
    expect(page.body).toContain('You are signed out');
    expect(page.headers!['set-cookie']![0]!.value).toMatch(/^edge-oauth=; Path=\/; Max-Age=0/);
    const redirect = (await handler(event('/auth/logout', { querystring: 'rd=https://evil.example/' }))) as CloudFrontResultResponse;
    expect(redirect.headers!.location![0]!.value).toBe('/');
  });

  test('any other /auth path is answered by the edge with 404, never forwarded', async () => {
    const { handler } = setup();
    for (const uri of ['/auth/anything', '/Auth/x', '/auth%2Fx']) {
      const result = await handler(event(uri));
      expect(isResponse(result) && result.status).toBe('404');
    }
  });

  test('/auth/callback goes through to the callback origin, with our cookies and the viewer host', async () => {
    const { handler } = setup();
    const result = (await handler(event('/auth/callback', { querystring: 'code=c&state=s', headers: { cookie: 'edge-oauth-flow-abc=v' } }))) as CloudFrontRequest;
    expect(result.uri).toBe('/auth/callback');
    expect(result.headers.cookie![0]!.value).toBe('edge-oauth-flow-abc=v');
    expect(result.headers['edge-oauth-host']![0]!.value).toBe('app.example.com');
  });

  test('OPTIONS passes without a session only when configured', async () => {
    const off = await setup().handler(event('/api', { method: 'OPTIONS' }));
    expect(isResponse(off) && off.status).toBe('302');
    const on = await setup({ optionsPassthrough: true }).handler(event('/api', { method: 'OPTIONS', headers: { 'edge-oauth-user-id': 'x' } }));
    expect(isResponse(on)).toBe(false);
    expect((on as CloudFrontRequest).headers['edge-oauth-user-id']).toBeUndefined();
  });

  test('several providers: a picker page; ?provider= picks one; an unknown one is a 400 with the picker', async () => {
    const { handler } = setup({
      providers: [
        { id: 'corp', type: 'oidc', issuer: 'https://idp.example.com', clientId: 'c', clientSecret: 's', displayName: 'Corp <SSO>' },
        { id: 'other', type: 'oidc', issuer: 'https://idp.example.com', clientId: 'c', clientSecret: 's' },
      ],
    });
    const picker = (await handler(event('/deep', { querystring: 'x=1' }))) as CloudFrontResultResponse;
    expect(picker.status).toBe('200');
    expect(picker.body).toContain('href="/auth/login?provider=corp&amp;rd=%2Fdeep%3Fx%3D1"');
    expect(picker.body).toContain('Continue with Corp &lt;SSO&gt;');
    const fetched = (await handler(event('/api/data', { headers: { 'Sec-Fetch-Mode': 'cors' } }))) as CloudFrontResultResponse;
    expect(fetched.status).toBe('401');
    const chosen = (await handler(event('/auth/login', { querystring: 'provider=other&rd=/deep' }))) as CloudFrontResultResponse;
    expect(chosen.status).toBe('302');
    const unknown = (await handler(event('/auth/login', { querystring: 'provider=<x>' }))) as CloudFrontResultResponse;
    expect(unknown.status).toBe('400');
    expect(unknown.body).not.toContain('<x>');
  });

  test('every generated page stays within Lambda@Edge limits (40 KB, allowed headers)', async () => {
    const long = 'x'.repeat(7000);
    const { handler } = setup();
    for (const uri of ['/auth/logout', '/auth/nope', `/${long}`]) {
      const result = await handler(event(uri, { querystring: `rd=/${long}` }));
      if (!isResponse(result)) throw new Error('expected a response');
      expect(validateGeneratedResponse(result)).toEqual([]);
    }
  });

  test('the provider unreachable at sign-in start: a 502 page, not a crash', async () => {
    const config = testConfig();
    const handler = createViewerHandler({
      config,
      keys: async () => keys,
      providers: createProviders(config, {
        fetch: (async () => {
          throw new TypeError('fetch failed');
        }) as typeof globalThis.fetch,
        now: () => NOW / 1000,
        readSecret: async () => 's',
      }),
      random: randomBytes,
      clock: () => NOW,
    });
    const result = (await handler(event('/'))) as CloudFrontResultResponse;
    expect(result.status).toBe('502');
    expect(result.body).toContain('could not reach');
  });

  test('a due check that hangs is answered within the budget (checkBudgetMs), on grace, and logged; past the grace our 503 page', async () => {
    const config = testConfig({ session: { revocationCheckInterval: '60s', checkGracePeriod: '2m' } });
    const hang = () => new Promise<never>(() => undefined);
    const sessions = new Proxy({} as SessionStore, { get: () => hang });
    const errors: Array<[string, string | undefined]> = [];
    let now = NOW;
    const handler = createViewerHandler({
      config,
      keys: async () => keys,
      providers: createProviders(config, { fetch: globalThis.fetch, now: () => now / 1000, readSecret: async () => 's' }),
      random: randomBytes,
      clock: () => now,
      sessions,
      checkBudgetMs: 150,
      log: { request: () => undefined, error: (where, e) => errors.push([where, (e as { code?: string }).code]) },
    });
    const cookie = await cookieFor(config);
    const started = Date.now();
    const forwarded = await handler(event('/reports', { headers: { cookie } }));
    expect(Date.now() - started).toBeLessThan(1500);
    expect(isResponse(forwarded)).toBe(false); // signed in 10 s ago: within the grace
    expect((forwarded as CloudFrontRequest).headers['edge-oauth-user-email']?.[0]?.value).toBe('ada@example.com');
    expect(errors).toEqual([['session-check', 'ERR_CHECK_TIMEOUT']]);
    now += 3 * 60_000; // the read fell due at sign-in; 3 minutes later the grace is over
    const closed = (await handler(event('/reports', { headers: { cookie } }))) as CloudFrontResultResponse;
    expect(closed.status).toBe('503');
    expect(closed.body).toContain('Temporarily unavailable');
    expect(closed.headers?.['set-cookie']).toBeUndefined();
  });
});
