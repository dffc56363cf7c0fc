/**
 * The viewer-request function on `/auth/admin*`: forwarded to the console only for a signed-in
 * session, with the session cookie, the site host, and the body's SHA-256 for OAC; anyone
 * else signs in; other spellings are redirected; no console configured: 404.
 */
import type { CloudFrontRequest, CloudFrontRequestEvent, CloudFrontResultResponse } from 'aws-lambda';
import { createHash, randomBytes } from 'node:crypto';
import { createProviders } from '../../lambdas/core/providers';
import { seal } from '../../lambdas/core/keys/seal';
import { newSessionClaims } from '../../lambdas/core/session/session-cookie';
import { HOST_HEADER } from '../../lambdas/core/viewer/identity-headers';
import { createViewerHandler } from '../../lambdas/edge/handler';
import { validateViewerRequestResult } from '../../local/emulators/cloudfront/validate';
import { viewerBody } from '../../local/emulators/cloudfront/event';
import { TEST_DISCOVERY, testConfig, testKeys } from '../core/fixtures';

const keys = testKeys();
const NOW = 1_800_000_000_000;
const discovery = TEST_DISCOVERY;

function setup(admins: string[] = ['boss@example.com']) {
  const config = testConfig({ admin: { emails: admins } });
  const fetch = (async () => Response.json(discovery)) as unknown as typeof globalThis.fetch;
  const handler = createViewerHandler({
    config,
    keys: async () => keys,
    providers: createProviders(config, { fetch, now: () => NOW / 1000, readSecret: async () => 'secret' }),
    random: randomBytes,
    clock: () => NOW,
  });
  return { config, handler };
}

function event(uri: string, options: { method?: string; cookie?: string; body?: Buffer; querystring?: string } = {}): CloudFrontRequestEvent {
  const headers: CloudFrontRequest['headers'] = { host: [{ key: 'Host', value: 'app.example.com' }], 'sec-fetch-mode': [{ key: 'Sec-Fetch-Mode', value: 'navigate' }] };
  if (options.cookie !== undefined) headers.cookie = [{ key: 'Cookie', value: options.cookie }];
  const request: CloudFrontRequest = { clientIp: '203.0.113.9', headers, method: options.method ?? 'GET', querystring: options.querystring ?? '', uri };
  if (options.body !== undefined) request.body = viewerBody(options.body);
  return { Records: [{ cf: { config: { distributionDomainName: 'd.cloudfront.net', distributionId: 'E1', eventType: 'viewer-request', requestId: 'r' }, request } }] };
}

const cookie = async (config: ReturnType<typeof testConfig>) =>
  `edge-oauth=${await seal(newSessionClaims(config, { sid: 'sid-1', uid: 'u-1', prv: 'corp', email: 'boss@example.com', now: NOW / 1000 - 10 }), keys.current)}`;
const isResponse = (r: unknown): r is CloudFrontResultResponse => typeof (r as { status?: unknown }).status === 'string';

test('a signed-in GET is forwarded with the session cookie and the site host (the console decides who is an admin)', async () => {
  const { config, handler } = setup();
  const ev = event('/auth/admin/users', { cookie: `theme=dark; ${await cookie(config)}`, querystring: 'cursor=abc' });
  const original = structuredClone(ev.Records[0]!.cf.request);
  const out = (await handler(ev)) as CloudFrontRequest;
  expect(isResponse(out)).toBe(false);
  expect(out.headers.cookie![0]!.value).toContain('edge-oauth=');
  expect(out.headers[HOST_HEADER]).toEqual([{ key: HOST_HEADER, value: 'app.example.com' }]);
  expect(out.headers['x-amz-content-sha256']).toBeUndefined();
  expect(validateViewerRequestResult(original, out)).toEqual([]);
});

test('a signed-in POST gets x-amz-content-sha256 of its body (OAC signs it); a truncated body is a 413; no body: the empty hash', async () => {
  const { config, handler } = setup();
  const body = Buffer.from('csrf=k1.abc&user=corp%3Au-2&session=s-2');
  const out = (await handler(event('/auth/admin/revoke', { method: 'POST', cookie: await cookie(config), body }))) as CloudFrontRequest;
  expect(out.headers['x-amz-content-sha256']).toEqual([{ key: 'x-amz-content-sha256', value: createHash('sha256').update(body).digest('hex') }]);
  const empty = (await handler(event('/auth/admin/revoke', { method: 'POST', cookie: await cookie(config) }))) as CloudFrontRequest;
  expect(empty.headers['x-amz-content-sha256']![0]!.value).toBe(createHash('sha256').update('').digest('hex'));
  const big = await handler(event('/auth/admin/revoke', { method: 'POST', cookie: await cookie(config), body: Buffer.alloc(50 * 1024, 97) }));
  expect(isResponse(big) && big.status).toBe('413');
});

test('no session: sign in first (back to the page for a GET, to the console for a POST)', async () => {
  const { handler } = setup();
  const get = (await handler(event('/auth/admin/users', { querystring: 'email=a%40b.c' }))) as CloudFrontResultResponse;
  expect(get.status).toBe('302');
  const post = (await handler(event('/auth/admin/revoke', { method: 'POST', body: Buffer.from('x=1') }))) as CloudFrontResultResponse;
  expect(post.status).toBe('302');
});

test('other spellings are redirected to the one the /auth/admin* behaviour matches; no console: 404', async () => {
  const { config, handler } = setup();
  for (const uri of ['/AUTH/admin', '//auth/admin/users', '/auth/%61dmin']) {
    const out = (await handler(event(uri, { cookie: await cookie(config) }))) as CloudFrontResultResponse;
    expect(out.status).toBe('302');
    expect(out.headers!.location![0]!.value).toMatch(/^\/auth\/admin(\/users)?$/);
  }
  const none = setup([]);
  const out = (await none.handler(event('/auth/admin', { cookie: await cookie(none.config) }))) as CloudFrontResultResponse;
  expect(out.status).toBe('404');
});
