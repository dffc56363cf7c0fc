/**
 * The viewer's init (lambdas/runtime/viewer-init.ts), which lambdas/edge/index.ts awaits at
 * its top level: it reads the key set and gets the stores ready before the handler is given
 * out, within a bound, and never fails. A key read that fails or hangs at init leaves a
 * working handler: its first request reads again, answers edge-oauth's keys-unavailable 503
 * while the key set cannot be read, and signs visitors in again once it can.
 */
import type { CloudFrontRequestEvent, CloudFrontResultResponse } from 'aws-lambda';
import { randomBytes } from 'node:crypto';
import { StoreError } from '../../lambdas/core/errors';
import type { KeySet } from '../../lambdas/core/keys/key-set';
import { createProviders } from '../../lambdas/core/providers';
import { VIEWER_INIT_BUDGET_MS, viewerAtInit, type ViewerInitDeps } from '../../lambdas/runtime/viewer-init';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { generateKeySetSecret } from '../../lambdas/core/keys/key-set';
import { createSecretReader, keySetLoader, SECRETS_MANAGER_TIMEOUTS } from '../../lambdas/store/aws/secrets';
import { TEST_DISCOVERY, testConfig, testKeys } from '../core/fixtures';

const config = testConfig();
const keys = testKeys();

function event(uri: string): CloudFrontRequestEvent {
  return {
    Records: [
      {
        cf: {
          config: { distributionDomainName: 'd123.cloudfront.net', distributionId: 'EDFDVBD6EXAMPLE', eventType: 'viewer-request', requestId: 'r' },
          request: { clientIp: '203.0.113.9', headers: { host: [{ key: 'Host', value: 'app.example.com' }] }, method: 'GET', querystring: '', uri },
        },
      },
    ],
  };
}

/** Discovery from memory: a sign-in start needs no network. */
const providers = createProviders(config, {
  fetch: (async (url: string | URL) => {
    if (String(url).endsWith('/.well-known/openid-configuration')) return Response.json(TEST_DISCOVERY);
    throw new Error(`unexpected network call: ${String(url)}`);
  }) as typeof globalThis.fetch,
  now: () => Math.floor(Date.now() / 1000),
  readSecret: async () => 'secret',
});

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Deps whose key reads answer, in turn, with the given outcomes (the last one repeats). */
function depsWith(reads: Array<() => Promise<KeySet>>, extra: Partial<ViewerInitDeps> = {}) {
  const errors: string[] = [];
  let calls = 0;
  const deps: ViewerInitDeps = {
    config,
    providers,
    random: randomBytes,
    keys: () => reads[Math.min(calls++, reads.length - 1)]!(),
    log: { request: () => undefined, error: (where, error) => errors.push(`${where}: ${(error as { code?: string }).code ?? (error as Error).message}`) },
    ...extra,
  };
  return { deps, errors, keyReads: () => calls };
}

const unavailable = () => Promise.reject(new StoreError('cannot read secret "edge-oauth/session-keys" (TimeoutError)'));
const available = () => Promise.resolve(keys);
const pending = <T>(promise: Promise<T>) => Promise.race([promise.then(() => 'settled'), new Promise((r) => setTimeout(() => r('pending'), 50))]);

test('the handler is given out after the key read and the stores\' preparation (two connections) have ended, not before', async () => {
  const read = deferred<KeySet>();
  const stores = deferred<void>();
  const prepareStores = jest.fn(() => stores.promise);
  const { deps, keyReads } = depsWith([() => read.promise, available], { prepareStores });
  const init = viewerAtInit(deps);
  expect(await pending(init)).toBe('pending');
  expect(prepareStores).toHaveBeenCalledWith(2);
  expect(keyReads()).toBe(1);
  read.resolve(keys);
  expect(await pending(init)).toBe('pending'); // the stores are not ready yet
  stores.resolve();
  const handler = await init;
  const result = (await handler(event('/reports'))) as CloudFrontResultResponse;
  expect(['200', '302']).toContain(result.status); // a sign-in start: the key set is there
});

test('a key read that fails at init: the handler answers the keys-unavailable 503 while the key set cannot be read, then signs visitors in again', async () => {
  const { deps, errors, keyReads } = depsWith([unavailable, unavailable, available]);
  const handler = await viewerAtInit(deps);
  expect(errors).toEqual(['init-keys: ERR_STORE_UNAVAILABLE']);
  const failed = (await handler(event('/reports'))) as CloudFrontResultResponse;
  expect(failed.status).toBe('503');
  expect(failed.body).toContain('href="/reports"');
  const recovered = (await handler(event('/reports'))) as CloudFrontResultResponse;
  expect(['200', '302']).toContain(recovered.status);
  expect(keyReads()).toBe(3); // each request read again: nothing was remembered from the failure
});

test('a key read that hangs at init: the init ends at its budget with a working handler, which reads again on its first request', async () => {
  const hung = deferred<KeySet>();
  const { deps, errors } = depsWith([() => hung.promise, unavailable, available]);
  const started = Date.now();
  const handler = await viewerAtInit(deps, { budgetMs: 150 });
  const elapsed = Date.now() - started;
  expect(elapsed).toBeGreaterThanOrEqual(140);
  expect(elapsed).toBeLessThan(1500);
  expect(((await handler(event('/reports'))) as CloudFrontResultResponse).status).toBe('503');
  expect(['200', '302']).toContain(((await handler(event('/reports'))) as CloudFrontResultResponse).status);
  // The hung read ending after the budget: nothing more is done or logged for the init.
  hung.reject(new StoreError('late'));
  await new Promise((r) => setTimeout(r, 20));
  expect(errors.filter((e) => e.startsWith('init'))).toEqual([]);
});

test('never rejects: a key read that throws synchronously, a store preparation that fails, a broken key set', async () => {
  const throwing = depsWith(
    [
      () => {
        throw new Error('sync');
      },
      available,
    ],
    { prepareStores: () => Promise.reject(new Error('stores')) },
  );
  const handler = await viewerAtInit(throwing.deps);
  expect(throwing.errors.sort()).toEqual(['init-keys: sync', 'init-stores: stores']);
  expect(['200', '302']).toContain(((await handler(event('/reports'))) as CloudFrontResultResponse).status);
});

test('the default budget is half a key-set read\'s deadline (lambdas/store/aws/secrets.ts), well within the 10 s Lambda gives an init', () => {
  expect(VIEWER_INIT_BUDGET_MS).toBe(SECRETS_MANAGER_TIMEOUTS.deadlineMs / 2);
  expect(VIEWER_INIT_BUDGET_MS).toBeLessThan(10_000);
});

test('a slow key read outlasting the init is joined by the first request, not made again', async () => {
  // The deployed reader and loader (lambdas/store/aws/secrets.ts), its client answering late.
  const answer = deferred<{ SecretString: string }>();
  let sends = 0;
  const client = { send: () => (sends++, answer.promise) } as unknown as SecretsManagerClient;
  const loadKeys = keySetLoader(createSecretReader({ region: 'us-east-1', client }), config.aws.sessionKeysSecretId);
  const handler = await viewerAtInit({ config, keys: loadKeys, providers, random: randomBytes }, { budgetMs: 50 });
  expect(sends).toBe(1);
  const first = handler(event('/reports'));
  answer.resolve({ SecretString: generateKeySetSecret(randomBytes, 'k1') });
  const status = ((await first) as CloudFrontResultResponse).status;
  expect(['200', '302']).toContain(status);
  expect(sends).toBe(1);
});
