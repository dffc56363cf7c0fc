/**
 * The viewer decision with the assertion: a forwarded request carries it (signed once per
 * session per period), `/auth/.well-known/jwks.json` is answered by the edge, and no signing
 * keys with the assertion enabled fails closed with a stable code. Also the config section.
 */
import { randomBytes } from 'node:crypto';
import type { CloudFrontRequest, CloudFrontRequestEvent } from 'aws-lambda';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { AssertionCache } from '../../lambdas/core/viewer/assertion';
import { parseConfig } from '../../lambdas/core/config/parse';
import type { EdgeConfig } from '../../lambdas/core/config/types';
import { serializeCookie } from '../../lambdas/core/shared/cookies';
import { generateKeySetSecret, parseKeySet, type KeySet } from '../../lambdas/core/keys/key-set';
import { seal } from '../../lambdas/core/keys/seal';
import { newSessionClaims, sessionCookieName } from '../../lambdas/core/session/session-cookie';
import { decideViewerRequest, type ViewerContext } from '../../lambdas/core/viewer/decide';
import { createViewerHandler } from '../../lambdas/edge/handler';

const T0 = 1_767_225_600;
const OLD_SECRET = JSON.stringify({ current: 'k1', keys: [{ kid: 'k1', k: randomBytes(32).toString('base64url') }] });

function config(input: Record<string, unknown> = {}): EdgeConfig {
  const result = parseConfig({
    site: { domain: 'app.example.com', name: 'Test' },
    providers: [{ id: 'corp', type: 'oidc', issuer: 'https://idp.example.com', clientId: 'c', clientSecret: 'edge-oauth/corp' }],
    ...input,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

async function cookieFor(cfg: EdgeConfig, keys: KeySet, sid = 'sid-1'): Promise<string> {
  const claims = newSessionClaims(cfg, { sid, uid: 'user-42', prv: 'corp', name: 'Ada', email: 'ada@example.com', now: T0 - 60 });
  const set = serializeCookie(sessionCookieName(cfg), await seal(claims, keys.current), { maxAge: 3600 });
  return set.slice(0, set.indexOf(';'));
}

function ctx(cfg: EdgeConfig, keys: KeySet, extra: Partial<ViewerContext> = {}): ViewerContext {
  return { config: cfg, keys, providers: new Map(), now: T0, random: randomBytes, scheme: 'https', ...extra };
}

const get = (uri: string, cookie?: string, method = 'GET') => ({
  method,
  uri,
  querystring: '',
  host: 'app.example.com',
  cookieHeaders: cookie === undefined ? [] : [cookie],
});

describe('viewer decision with the identity assertion', () => {
  const cfg = config();
  const keys = parseKeySet(generateKeySetSecret(randomBytes, 'k1', { kid: 's1' }));

  test('a valid session is forwarded with the identity headers and a verifiable assertion, signed once per period', async () => {
    const cookie = await cookieFor(cfg, keys);
    const assertions = new AssertionCache();
    const action = await decideViewerRequest(ctx(cfg, keys, { assertions }), get('/reports', cookie));
    expect(action.action).toBe('forward');
    const headers = new Map(action.headers as Iterable<[string, string]>);
    expect([...headers.keys()]).toEqual(['edge-oauth-user-id', 'edge-oauth-provider', 'edge-oauth-user-name', 'edge-oauth-user-email', 'edge-oauth-jwt-assertion']);
    const { payload } = await jwtVerify(headers.get('edge-oauth-jwt-assertion')!, createLocalJWKSet(JSON.parse(keys.signing!.jwks)), {
      issuer: 'https://app.example.com',
      audience: 'https://app.example.com',
      currentDate: new Date(T0 * 1000),
    });
    expect(payload).toMatchObject({ sub: 'user-42', email: 'ada@example.com', name: 'Ada', provider: 'corp' });

    for (let i = 1; i <= 50; i++) await decideViewerRequest(ctx(cfg, keys, { assertions, now: T0 + i }), get('/reports', cookie));
    expect(assertions.signatures).toBe(1);
  });

  test('disabled: no assertion header, and the JWKS path is still served when keys exist', async () => {
    const off = config({ assertion: { enabled: false } });
    const action = await decideViewerRequest(ctx(off, keys), get('/', await cookieFor(off, keys)));
    expect(action.action === 'forward' && action.headers.map(([name]) => name)).not.toContain('edge-oauth-jwt-assertion');
    expect((await decideViewerRequest(ctx(off, keys), get('/auth/.well-known/jwks.json'))).reason).toBe('jwks');
  });

  test('the JWKS path is answered by the edge with caching headers, in any spelling, with or without a session', async () => {
    for (const uri of ['/auth/.well-known/jwks.json', '/AUTH/.well-known/JWKS.json', '/auth//.well-known/jwks.json/', '/x/../auth/.well-known/jwks.json']) {
      const action = await decideViewerRequest(ctx(cfg, keys), get(uri, await cookieFor(cfg, keys)));
      expect(action).toMatchObject({
        action: 'respond',
        decision: 'special',
        reason: 'jwks',
        status: 200,
        headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' },
        setCookies: [],
      });
      expect(action.action === 'respond' && action.body).toBe(keys.signing!.jwks);
    }
    const post = await decideViewerRequest(ctx(cfg, keys), get('/auth/.well-known/jwks.json', undefined, 'POST'));
    expect(post).toMatchObject({ action: 'respond', status: 405, headers: { allow: 'GET, HEAD' } });
  });

  test('an old key set without signing keys: fails closed with ERR_KEYSET_NO_SIGNING_KEYS while enabled; 404 for the JWKS when disabled', async () => {
    const old = parseKeySet(OLD_SECRET);
    const cookie = await cookieFor(cfg, old);
    await expect(decideViewerRequest(ctx(cfg, old), get('/', cookie))).rejects.toMatchObject({
      code: 'ERR_KEYSET_NO_SIGNING_KEYS',
      message: expect.stringContaining('assertion.enabled'),
    });
    await expect(decideViewerRequest(ctx(cfg, old), get('/auth/.well-known/jwks.json'))).rejects.toMatchObject({ code: 'ERR_KEYSET_NO_SIGNING_KEYS' });

    const off = config({ assertion: { enabled: false } });
    expect((await decideViewerRequest(ctx(off, old), get('/', cookie))).action).toBe('forward');
    expect(await decideViewerRequest(ctx(off, old), get('/auth/.well-known/jwks.json'))).toMatchObject({ status: 404, reason: 'not-found' });
  });
});

describe('the Lambda@Edge handler', () => {
  test('removes a client-sent assertion header in any spelling, even on requests that carry no assertion', async () => {
    const cfg = config({ optionsPassthrough: true, assertion: { header: 'x-identity-assertion' } });
    const keys = parseKeySet(generateKeySetSecret(randomBytes, 'k1', { kid: 's1' }));
    const handler = createViewerHandler({ config: cfg, keys: async () => keys, providers: new Map(), random: randomBytes, clock: () => T0 * 1000 });
    const event = (method: string, headers: Record<string, string>): CloudFrontRequestEvent => ({
      Records: [
        {
          cf: {
            config: { distributionDomainName: 'd1.cloudfront.net', distributionId: 'E1', eventType: 'viewer-request', requestId: 'r' },
            request: {
              clientIp: '203.0.113.1',
              method,
              uri: '/api',
              querystring: '',
              headers: Object.fromEntries(
                Object.entries({ host: 'app.example.com', ...headers }).map(([k, v]) => [k.toLowerCase(), [{ key: k, value: v }]]),
              ),
            },
          },
        },
      ],
    });
    const forged = { 'X-Identity-Assertion': 'forged.jwt.value', x_identity_assertion: 'forged', 'Edge-OAuth-JWT-Assertion': 'forged' };
    const preflight = (await handler(event('OPTIONS', forged))) as CloudFrontRequest;
    expect(Object.keys(preflight.headers).filter((h) => /assertion/i.test(h))).toEqual([]);

    const signedIn = (await handler(event('GET', { ...forged, Cookie: await cookieFor(cfg, keys) }))) as CloudFrontRequest;
    expect(Object.keys(signedIn.headers).filter((h) => /assertion/i.test(h))).toEqual(['x-identity-assertion']);
    expect(signedIn.headers['x-identity-assertion']![0]!.value).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
  });
});

describe('config: assertion', () => {
  test('defaults: enabled, 300 s, edge-oauth-jwt-assertion, audience = the site', () => {
    expect(config().assertion).toEqual({ enabled: true, ttl: 300, header: 'edge-oauth-jwt-assertion' });
    expect(config({ assertion: { audience: 'urn:x', ttl: '10m', header: 'X-Assertion' } }).assertion).toEqual({
      enabled: true,
      audience: 'urn:x',
      ttl: 600,
      header: 'x-assertion',
    });
  });

  test('problems name the field and the reason', () => {
    const problems = (assertion: unknown) => {
      const result = parseConfig({
        providers: [{ type: 'google', clientId: 'c', clientSecret: 's' }],
        assertion,
      });
      return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
    };
    expect(problems({ ttl: 10 })).toEqual([expect.stringMatching(/^assertion\.ttl: must be at least 30 seconds: the edge reuses/)]);
    expect(problems({ ttl: '2h' })).toEqual([expect.stringMatching(/^assertion\.ttl: must be at most 3600 seconds \(1h\): an assertion works as a bearer token/)]);
    expect(problems({ ttl: 'soon' })).toEqual([expect.stringMatching(/^assertion\.ttl: "soon" is not a duration/)]);
    expect(problems({ audience: 'has space' })).toEqual([expect.stringMatching(/^assertion\.audience: must be 1-512 printable ASCII/)]);
    expect(problems({ header: 'x-edge-assertion' })).toEqual([expect.stringMatching(/^assertion\.header: "x-edge-assertion" is in the disallowed x-edge-\* headers/)]);
    expect(problems({ header: 'Authorization' })).toEqual([expect.stringMatching(/^assertion\.header: is a standard request header/)]);
    expect(problems({ header: 'edge-oauth-user-id' })).toEqual([expect.stringMatching(/^assertion\.header: "edge-oauth-user-id" is already an identity header/)]);
    expect(problems({ enabled: 'yes' })).toEqual([expect.stringMatching(/^assertion\.enabled: /)]);
    expect(problems({ issuer: 'x' })).toEqual(['assertion: unknown field(s): issuer']);
  });
});
