/**
 * Secrets Manager at the edge (issue #15, item 6): a cold start whose key-set read hangs
 * must end within the viewer-request budget (5 s) with edge-oauth's own 503 page, never a
 * Lambda timeout (CloudFront's own 503). The peer is a TCP server that accepts connections
 * and never answers: the real SDK client, the real deployed wiring (lambdas/runtime/deployed.ts),
 * pointed at it with the SDK's documented `AWS_ENDPOINT_URL_SECRETS_MANAGER` variable.
 */
import type { CloudFrontRequestEvent, CloudFrontResultResponse } from 'aws-lambda';
import { randomBytes } from 'node:crypto';
import { StoreError } from '../../lambdas/core/errors';
import { createProviders } from '../../lambdas/core/providers';
import { createViewerHandler } from '../../lambdas/edge/handler';
import { deployedDeps } from '../../lambdas/runtime/deployed';
import { createSecretReader, SECRETS_MANAGER_TIMEOUTS } from '../../lambdas/store/aws/secrets';
import { validateGeneratedResponse } from '../../local/emulators/cloudfront/validate';
import { testConfig } from '../core/fixtures';
import { startSilentServer, type SilentServer } from '../support/silent-server';

/** Lambda@Edge viewer-request timeout (CloudFront quotas): the whole handler must end well before it. */
const VIEWER_BUDGET_MS = 5000;

function event(uri: string): CloudFrontRequestEvent {
  return {
    Records: [
      {
        cf: {
          config: { distributionDomainName: 'd123.cloudfront.net', distributionId: 'EDFDVBD6EXAMPLE', eventType: 'viewer-request', requestId: 'r' },
          request: { clientIp: '203.0.113.9', headers: { host: [{ key: 'Host', value: 'app.example.com' }] }, method: 'GET', querystring: 'a=1', uri },
        },
      },
    ],
  };
}

const ENV_KEYS = ['AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'] as const;
let silent: SilentServer;
const savedEnv: Partial<Record<(typeof ENV_KEYS)[number], string>> = {};

beforeAll(async () => {
  silent = await startSilentServer();
  for (const key of ENV_KEYS) if (process.env[key] !== undefined) savedEnv[key] = process.env[key];
  process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'not-a-secret';
});

afterAll(async () => {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  await silent.close();
});

test('the deadline: a read from a Secrets Manager that never answers fails with a StoreError within SECRETS_MANAGER_TIMEOUTS.deadlineMs', async () => {
  const read = createSecretReader({ region: 'us-east-1', endpoint: silent.endpoint });
  const started = Date.now();
  const before = silent.connections();
  const error = await read({ secretId: 'edge-oauth/session-keys' }).catch((e: unknown) => e);
  const elapsed = Date.now() - started;
  expect(error).toBeInstanceOf(StoreError);
  expect(error).toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
  expect(String((error as Error).message)).toBe('cannot read secret "edge-oauth/session-keys" (TimeoutError)');
  expect(silent.connections() - before).toBe(SECRETS_MANAGER_TIMEOUTS.maxAttempts); // it retried once, then gave up
  // Two attempts of at most requestTimeout each, then the error; the deadline is the backstop.
  expect(elapsed).toBeGreaterThanOrEqual(SECRETS_MANAGER_TIMEOUTS.maxAttempts * SECRETS_MANAGER_TIMEOUTS.requestTimeout - 50);
  expect(elapsed).toBeLessThan(SECRETS_MANAGER_TIMEOUTS.deadlineMs + 1000); // + loading the SDK on first use, on a busy machine
}, 15_000);

test('the deployed viewer-request function answers edge-oauth\'s 503 page, in time, when the key set cannot be read', async () => {
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = silent.endpoint;
  process.env.AWS_REGION = 'us-east-1';
  const config = testConfig();
  const errors: string[] = [];
  const deps = deployedDeps(config);
  const handler = createViewerHandler({ ...deps, log: { request: () => undefined, error: (where, e) => errors.push(`${where}: ${(e as { code?: string }).code}`) } });
  const started = Date.now();
  const result = (await handler(event('/reports'))) as CloudFrontResultResponse;
  const elapsed = Date.now() - started;
  delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;

  expect(result.status).toBe('503');
  expect(result.headers?.['retry-after']).toEqual([{ key: 'retry-after', value: '30' }]);
  expect(result.headers?.['cache-control']).toEqual([{ key: 'cache-control', value: 'no-store' }]);
  expect(result.body).toContain('Temporarily unavailable');
  expect(result.body).toContain('href="/reports?a=1"');
  expect(result.headers?.['set-cookie']).toBeUndefined(); // the visitor's session is kept
  expect(validateGeneratedResponse(result)).toEqual([]);
  expect(errors).toEqual(['keys: ERR_STORE_UNAVAILABLE']);
  expect(elapsed).toBeLessThan(VIEWER_BUDGET_MS - 2000); // leaves the rest of the budget unused
}, 15_000);

test('any failure to get the key set is the same 503 page (a malformed key set too), never a thrown error', async () => {
  const config = testConfig();
  for (const failure of [new StoreError('cannot read secret "x" (TimeoutError)'), new Error('unexpected')]) {
    const handler = createViewerHandler({
      config,
      keys: async () => {
        throw failure;
      },
      providers: createProviders(config, { fetch: globalThis.fetch, now: () => 0, readSecret: async () => 'x' }),
      random: randomBytes,
    });
    const result = (await handler(event('/auth/login'))) as CloudFrontResultResponse;
    expect(result.status).toBe('503');
    expect(result.body).not.toContain('TimeoutError');
  }
});
