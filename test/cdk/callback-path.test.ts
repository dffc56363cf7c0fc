/**
 * Trap: the viewer-request function also runs on /auth/callback and /auth/* (the construct
 * attaches it there), so it must let the callback through to the callback origin, and it
 * must hand the callback the viewer's host, which AllViewerExceptHostHeader keeps from
 * the function URL. The real handler, with a CloudFront viewer-request event.
 */
import type { CloudFrontRequest, CloudFrontRequestEvent } from 'aws-lambda';
import { randomBytes } from 'node:crypto';
import { HOST_HEADER } from '../../lambdas/core/viewer/identity-headers';
import { generateKeySetSecret, parseKeySet } from '../../lambdas/core/keys/key-set';
import { createViewerHandler } from '../../lambdas/edge/handler';
import { buildViewerRequestEvent } from '../../local/emulators/cloudfront/event';
import { CALLBACK_PATH_PATTERN } from '../../lib/edge-oauth';
import { fixtureConfig } from './helpers';

const HOST = 'd111111abcdef8.cloudfront.net';

function viewerRequest(target: string, extraHeaders: string[] = []): CloudFrontRequestEvent {
  return buildViewerRequestEvent({
    distributionDomainName: HOST,
    distributionId: 'EDFDVBD6EXAMPLE',
    requestId: 'test-request-id==',
    request: { method: 'GET', target, rawHeaders: ['Host', HOST, ...extraHeaders], clientIp: '203.0.113.10' },
  });
}

const handler = createViewerHandler({
  config: fixtureConfig(),
  keys: async () => parseKeySet(generateKeySetSecret(randomBytes, 'k1')),
  providers: new Map(),
  random: randomBytes,
});

describe('trap: the viewer-request function on the /auth/callback behaviour', () => {
  it('forwards the callback (query string intact) instead of answering it', async () => {
    const result = (await handler(viewerRequest(`${CALLBACK_PATH_PATTERN}?code=abc&state=xyz`))) as CloudFrontRequest;
    expect(result).toHaveProperty('uri', CALLBACK_PATH_PATTERN);
    expect(result).not.toHaveProperty('status');
    expect(result.querystring).toBe('code=abc&state=xyz');
  });

  it('hands the callback the viewer host in its own header, overriding a client-sent one', async () => {
    const result = (await handler(viewerRequest(`${CALLBACK_PATH_PATTERN}?code=abc&state=xyz`, [HOST_HEADER, 'evil.example']))) as CloudFrontRequest;
    expect(result.headers[HOST_HEADER]).toEqual([{ key: expect.any(String), value: HOST }]);
  });

  it.each(['/AUTH/callback', '/auth//callback', '/%61uth/callback', '/auth/callback/', '/auth/./callback'])(
    'a non-canonical spelling (%s) is redirected to /auth/callback, never forwarded: CloudFront matches the ' +
      'behaviour path literally, so such a request is on the default behaviour (the site origin)',
    async (path) => {
      const result = await handler(viewerRequest(`${path}?code=abc&state=xyz`, ['Cookie', 'edge-oauth-flow-abc=v']));
      expect(result).toMatchObject({ status: '302', headers: { location: [{ value: `${CALLBACK_PATH_PATTERN}?code=abc&state=xyz` }] } });
    },
  );
});
