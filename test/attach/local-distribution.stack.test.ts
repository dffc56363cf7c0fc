/**
 * The local stack serving a distribution config end to end: the CloudFront emulator routes
 * each request the way the local control plane's current config says. Before attach the
 * site is public; after attach (the planner's config written to the control plane) the
 * protected behaviours run the viewer-request function, /auth/callback reaches the callback,
 * an unprotected behaviour stays public; after detach the site is public again.
 */
import { attachConfig, detachConfig } from '../../lib/attach/plan';
import { plainOf, type PlainObject } from '../../local/emulators/cloudfront-api/xml';
import { LOCAL_ATTACH_TARGETS } from '../../local/stack/distribution';
import { matchPathPattern, routeFor } from '../../local/emulators/cloudfront/behaviors';
import { startLocalStack, type LocalStack } from '../../local/stack/stack';
import { testDynamoEndpoint } from '../support/dynamodb';
import { siteConfig } from './fixtures';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ dynamoEndpoint: testDynamoEndpoint(), distribution: { config: siteConfig() } });
}, 60_000);
afterAll(() => stack?.close());

const status = async (path: string) => (await fetch(`${stack.siteUrl}${path}`, { redirect: 'manual' })).status;
/** Answered by the viewer-request function without a session (a 401 to fetch, a sign-in redirect to a page navigation). */
const signInAsked = async (path: string) => {
  const res = await fetch(`${stack.siteUrl}${path}`, { redirect: 'manual' });
  return [302, 401].includes(res.status) && res.headers.get('x-cache') === 'LambdaGeneratedResponse from cloudfront';
};
function write(change: (c: PlainObject) => object): void {
  const d = stack.distribution!;
  d.api.edit(d.id, (c) => {
    const next = plainOf(change(structuredClone(c)));
    for (const k of Object.keys(c)) delete c[k];
    Object.assign(c, next);
  });
}

test('CloudFront path patterns: * and ?, case-sensitive, leading / optional, first match wins', () => {
  expect(matchPathPattern('/app/*', '/app/x/y')).toBe(true);
  expect(matchPathPattern('app/*', '/app/')).toBe(true);
  expect(matchPathPattern('/app/*', '/App/x')).toBe(false);
  expect(matchPathPattern('*.jp?', '/a/b.jpg')).toBe(true);
  expect(matchPathPattern('/a.b', '/aXb')).toBe(false);
  const attached = attachConfig(siteConfig(), LOCAL_ATTACH_TARGETS);
  expect(routeFor(attached, '/auth/callback')).toMatchObject({ behavior: '/auth/callback', targetOriginId: 'edge-oauth-callback' });
  expect(routeFor(attached, '/auth/logout')).toMatchObject({ behavior: '/auth/*' });
  expect(routeFor(attached, '/other')).toMatchObject({ behavior: '*', targetOriginId: 'site-bucket', viewerRequestArn: LOCAL_ATTACH_TARGETS.viewerRequestVersionArn });
});

test('public before attach, protected after, public again after detach', async () => {
  expect(await status('/')).toBe(200);
  expect(await status('/app/page')).toBe(200);

  write((c) => attachConfig(c, LOCAL_ATTACH_TARGETS, { protect: ['*', '/app/*'] }));
  expect(await signInAsked('/')).toBe(true);
  expect(await signInAsked('/app/page')).toBe(true);
  expect(await status('/img/a.jpg')).toBe(200); // not protected: straight to the origin
  const callback = await fetch(`${stack.siteUrl}/auth/callback?code=x&state=y`, { redirect: 'manual' });
  expect(callback.headers.get('x-cache')).not.toMatch(/LambdaGeneratedResponse/); // let through by the function…
  expect(await callback.text()).not.toContain('edge-oauth-user'); // …to the callback, not the demo origin

  write((c) => detachConfig(c, LOCAL_ATTACH_TARGETS.viewerRequestVersionArn));
  expect(await status('/')).toBe(200);
  expect(stack.distribution!.api.get(stack.distribution!.id).config).toEqual(plainOf(siteConfig()));
});
