/**
 * A generic OIDC issuer whose discovery says its token endpoint takes neither
 * client_secret_basic nor client_secret_post: the visitor is not sent there (the code could
 * never be exchanged); the page says the sign-in is not set up, and the log has the reason.
 */
import type { CloudFrontRequestEvent, CloudFrontResultResponse } from 'aws-lambda';
import { randomBytes } from 'node:crypto';
import { createProviders } from '../../lambdas/core/providers';
import { createViewerHandler } from '../../lambdas/edge/handler';
import { testConfig, testKeys } from '../core/fixtures';

const discovery = {
  issuer: 'https://idp.example.com',
  authorization_endpoint: 'https://idp.example.com/authorize',
  token_endpoint: 'https://idp.example.com/token',
  jwks_uri: 'https://idp.example.com/jwks',
  response_types_supported: ['code'],
  token_endpoint_auth_methods_supported: ['private_key_jwt'],
};

test('no redirect to an issuer that takes no client secret; the operator finds the reason in the log', async () => {
  const config = testConfig();
  const fetch = (async () => Response.json(discovery)) as typeof globalThis.fetch;
  const logged: { where: string; error: unknown }[] = [];
  const handler = createViewerHandler({
    config,
    keys: async () => testKeys(),
    providers: createProviders(config, { fetch, now: () => 1_800_000_000, readSecret: async () => 'secret' }),
    random: randomBytes,
    clock: () => 1_800_000_000_000,
    log: { request: () => undefined, error: (where, error) => logged.push({ where, error }) },
  });
  const event: CloudFrontRequestEvent = {
    Records: [{ cf: { config: { distributionDomainName: 'd.cloudfront.net', distributionId: 'E', eventType: 'viewer-request', requestId: 'r' },
      request: { clientIp: '203.0.113.9', headers: { host: [{ key: 'Host', value: 'app.example.com' }] }, method: 'GET', querystring: '', uri: '/' } } }],
  };
  const result = (await handler(event)) as CloudFrontResultResponse;
  expect(result.status).toBe('502');
  expect(result.body).toContain('is not set up correctly for this site');
  expect(result.body).not.toContain('try again in a moment');
  expect(logged[0]).toMatchObject({ where: 'authorization-url', error: { code: 'ERR_PROVIDER_CLIENT_AUTH_UNSUPPORTED' } });
  expect(String((logged[0]!.error as Error).message)).toContain('set "tokenEndpointAuthMethod"');
});
