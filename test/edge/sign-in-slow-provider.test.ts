/**
 * A provider that is up but slow is named a timeout, not "could not be reached": a replica
 * that accepts the connection and answers discovery after the 4 s deadline gives a 504
 * `provider-timeout` page that offers to try again and logs ERR_PROVIDER_TIMEOUT; the same
 * replica answering in time gives the redirect; a closed port stays `provider-unreachable`.
 */
import type { CloudFrontRequestEvent, CloudFrontResultResponse } from 'aws-lambda';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { providerFailureKind } from '../../lambdas/core/session/refresh';
import { createProviders } from '../../lambdas/core/providers';
import type { RequestEvent } from '../../lambdas/core/request-events';
import { createViewerHandler } from '../../lambdas/edge/handler';
import { testConfig, testKeys } from '../core/fixtures';

const ISSUER = 'https://idp.example.com';
const discovery = {
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/authorize`,
  token_endpoint: `${ISSUER}/token`,
  jwks_uri: `${ISSUER}/jwks`,
  response_types_supported: ['code'],
};

/** The issuer's replica: answers discovery after `delayMs`. */
async function replica(delayMs: number): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    const t = setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(discovery)), delayMs);
    res.on('close', () => clearTimeout(t));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { endpoint, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

async function startAt(endpoint: string) {
  const config = testConfig();
  // The issuer's URLs, sent to the replica (with the caller's deadline signal untouched).
  const fetch = ((url: string | URL, init?: RequestInit) => globalThis.fetch(String(url).replace(ISSUER, endpoint), init)) as typeof globalThis.fetch;
  const errors: { where: string; error: unknown }[] = [];
  const requests: RequestEvent[] = [];
  const handler = createViewerHandler({
    config,
    keys: async () => testKeys(),
    providers: createProviders(config, { fetch, now: () => Math.floor(Date.now() / 1000), readSecret: async () => 'secret' }),
    random: randomBytes,
    clock: () => Date.now(),
    log: { request: (e) => requests.push(e), error: (where, error) => errors.push({ where, error }) },
  });
  const event: CloudFrontRequestEvent = {
    Records: [{ cf: { config: { distributionDomainName: 'd.cloudfront.net', distributionId: 'E', eventType: 'viewer-request', requestId: 'r' },
      request: { clientIp: '203.0.113.9', headers: { host: [{ key: 'Host', value: 'app.example.com' }] }, method: 'GET', querystring: '', uri: '/reports' } } }],
  };
  const result = (await handler(event)) as CloudFrontResultResponse;
  return { result, errors, requests };
}

test('up but slow (answers after the deadline): a timeout, 504, "try again", ERR_PROVIDER_TIMEOUT in the log', async () => {
  const slow = await replica(5500);
  try {
    const { result, errors, requests } = await startAt(slow.endpoint);
    expect(result.status).toBe('504');
    expect(result.body).toContain('did not answer in time');
    expect(result.body).toContain('Try again');
    expect(result.body).not.toContain('could not reach');
    expect(errors[0]).toMatchObject({ where: 'authorization-url', error: { code: 'ERR_PROVIDER_TIMEOUT' } });
    expect(requests[0]).toMatchObject({ decision: 'block', reason: 'provider-timeout', status: 504 });
    // A timeout says nothing about the user: a failed re-check, never a revoked grant.
    expect(providerFailureKind(errors[0]!.error)).toBe('transient');
  } finally {
    await slow.close();
  }
}, 20_000);

test('the same replica in time: the redirect to the provider', async () => {
  const quick = await replica(50);
  try {
    const { result } = await startAt(quick.endpoint);
    expect(result.status).toBe('302');
    expect(result.headers!.location![0]!.value).toMatch(/^https:\/\/idp\.example\.com\/authorize\?/);
  } finally {
    await quick.close();
  }
});

test('nothing listening: still "could not be reached" (502, ERR_PROVIDER_UNREACHABLE)', async () => {
  const { result, errors, requests } = await startAt('http://127.0.0.1:9');
  expect(result.status).toBe('502');
  expect(result.body).toContain('could not reach');
  expect(errors[0]).toMatchObject({ error: { code: 'ERR_PROVIDER_UNREACHABLE' } });
  expect(requests[0]).toMatchObject({ reason: 'provider-unreachable' });
});
