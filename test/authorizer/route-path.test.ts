/**
 * Issue #25, finding 6: the access rules are matched on the route path, not on the raw
 * path API Gateway reports (a named stage in an HTTP API's `rawPath`, a custom domain's
 * mapping key in REST `path` and HTTP `rawPath`). When the route path cannot be known and
 * rules depend on it, the authorizer fails closed.
 */
import { seal } from '../../lambdas/core/keys/seal';
import { newSessionClaims } from '../../lambdas/core/session/session-cookie';
import { createAuthorizerHandler } from '../../lambdas/authorizer/handler';
import { routePath } from '../../lambdas/authorizer/route-path';
import { seededRandom, testConfig, testKeys } from '../core/fixtures';
import { httpEventV1, httpEventV2, restEvent } from './events';

const NOW = 1_800_000_000;
const keys = testKeys();
const config = testConfig({ paths: [{ prefix: '/admin/', allow: { groups: ['admins'] } }], assertion: { enabled: false } });
const authorize = createAuthorizerHandler({ config, keys: async () => keys, providers: new Map(), random: seededRandom(), clock: () => NOW * 1000 });

async function outsider(): Promise<string> {
  const claims = newSessionClaims(config, { sid: 's-1', uid: 'u-1', prv: 'corp', email: 'ada@example.com', groups: ['eng'], now: NOW - 10 });
  return `edge-oauth=${await seal(claims, keys.current)}`;
}

describe('HTTP API payload 2.0 on a named stage', () => {
  test('rawPath "/prod/admin/x" is the route "/admin/x": a user outside the group is refused', async () => {
    const event = httpEventV2({ cookies: [await outsider()], path: '/admin/x' });
    const staged = {
      ...event,
      rawPath: '/prod/admin/x',
      requestContext: { ...event.requestContext, stage: 'prod', http: { ...event.requestContext.http, path: '/prod/admin/x' } },
    };
    expect(await authorize(staged)).toMatchObject({ isAuthorized: false });
    // The $default route on the same stage: the stage is removed from rawPath.
    const catchAll = { ...staged, routeKey: '$default', pathParameters: {}, requestContext: { ...staged.requestContext, routeKey: '$default' } };
    expect(await authorize(catchAll)).toMatchObject({ isAuthorized: false });
    // Not under the rule: allowed.
    const other = httpEventV2({ cookies: [await outsider()], path: '/orders' });
    expect(await authorize({ ...other, rawPath: '/prod/orders', requestContext: { ...other.requestContext, stage: 'prod' } })).toMatchObject({ isAuthorized: true });
  });

  test('the $default route on a custom domain (a mapping key may be in rawPath): fail closed', async () => {
    const event = httpEventV2({ cookies: [await outsider()], path: '/v1/orders' });
    const custom = { ...event, routeKey: '$default', pathParameters: {}, requestContext: { ...event.requestContext, routeKey: '$default', domainName: 'api.example.com' } };
    await expect(authorize(custom)).rejects.toMatchObject({ code: 'ERR_API_SESSION_CHECK_UNAVAILABLE' });
  });
});

describe('REST API and HTTP payload 1.0 behind a custom domain mapping', () => {
  test('REST `path` "/v1/admin/x" (base path mapping): the route is resource + pathParameters', async () => {
    const event = restEvent({ cookies: [await outsider()], path: '/admin/x' });
    const mapped = { ...event, path: '/v1/admin/x', requestContext: { ...event.requestContext, path: '/v1/admin/x', domainName: 'api.example.com' } };
    const result = await authorize(mapped);
    expect(result).toMatchObject({ policyDocument: { Statement: [{ Effect: 'Deny' }] } });
  });

  test('HTTP payload 1.0 on a named stage', async () => {
    const event = httpEventV1({ cookies: [await outsider()], path: '/admin/x' });
    const staged = { ...event, path: '/prod/admin/x' };
    expect(await authorize(staged)).toMatchObject({ policyDocument: { Statement: [{ Effect: 'Deny' }] } });
  });
});

describe('routePath', () => {
  test.each([
    [{ template: 'ANY /admin/{proxy+}', pathParameters: { proxy: 'a/b' } }, '/admin/a/b'],
    [{ template: '/{proxy+}', pathParameters: { proxy: 'admin/x' } }, '/admin/x'],
    [{ template: 'GET /users/{id}/keys', pathParameters: { id: '7' } }, '/users/7/keys'],
    [{ template: '/{proxy+}', pathParameters: null }, undefined],
    [{ template: '$default', rawPath: '/prod/admin', stage: 'prod', domainName: 'abc123.execute-api.eu-west-1.amazonaws.com' }, '/admin'],
    [{ template: '$default', rawPath: '/prod', stage: 'prod', domainName: 'abc123.execute-api.eu-west-1.amazonaws.com' }, '/'],
    [{ template: '$default', rawPath: '/admin', stage: '$default', domainName: 'abc123.execute-api.eu-west-1.amazonaws.com' }, '/admin'],
    [{ template: '$default', rawPath: '/other/admin', stage: 'prod', domainName: 'abc123.execute-api.eu-west-1.amazonaws.com' }, undefined],
    [{ template: '$default', rawPath: '/admin', stage: '$default', domainName: 'api.example.com' }, undefined],
    [{}, undefined],
  ])('%j → %p', (source, expected) => {
    expect(routePath(source)).toBe(expected);
  });
});
