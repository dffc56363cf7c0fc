/**
 * Every DynamoDB call ends by its deadline (DYNAMODB_TIMEOUTS.deadlineMs, lambdas/store/aws/clients.ts),
 * whatever the per-attempt timeouts and retries: the viewer-request function has 5 s in all
 * (Lambda@Edge quotas), and a store that stops answering must be a store failure the
 * function handles (grace, then its 503 page), not a Lambda timeout. The peer accepts
 * connections and never answers.
 */
import { StoreError } from '../../lambdas/core/errors';
import { DYNAMODB_TIMEOUTS } from '../../lambdas/store/aws/clients';
import { dynamoStores } from '../../lambdas/store/stores';
import { SECRETS_MANAGER_TIMEOUTS } from '../../lambdas/store/aws/secrets';
import { LOCAL_CREDENTIALS } from '../../local/emulators/dynamodb/dynamodb-local';
import { testConfig } from '../core/fixtures';
import { startSilentServer, type SilentServer } from '../support/silent-server';

/** Lambda@Edge viewer-request timeout (CloudFront quotas). */
const VIEWER_BUDGET_MS = 5000;

let silent: SilentServer;
beforeAll(async () => {
  silent = await startSilentServer();
});
afterAll(() => silent.close());

async function timedFailure(call: () => Promise<unknown>): Promise<{ error: unknown; elapsed: number }> {
  const started = Date.now();
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, elapsed: Date.now() - started };
}

test('the deadline ends a call that its per-attempt timeouts alone would let run for 2 × 8 s', async () => {
  const stores = dynamoStores(testConfig(), { dynamodb: silent.endpoint, credentials: LOCAL_CREDENTIALS }, { connectionTimeout: 1000, requestTimeout: 8000, deadlineMs: 400 });
  await stores.sessions.getSession('warm-up').catch(() => undefined); // loads the SDK (not what is measured)
  const { error, elapsed } = await timedFailure(() => stores.sessions.getSession('s1'));
  expect(error).toBeInstanceOf(StoreError);
  expect(error).toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
  expect(elapsed).toBeGreaterThanOrEqual(350);
  expect(elapsed).toBeLessThan(2500); // not requestTimeout (8 s), let alone two attempts of it
}, 20_000);

test.each([
  ['sessions.getSession', (s: ReturnType<typeof dynamoStores>) => s.sessions.getSession('s2')],
  ['users.getUser', (s: ReturnType<typeof dynamoStores>) => s.users.getUser('corp', 'u1')],
  ['mau.markActive', (s: ReturnType<typeof dynamoStores>) => s.mau.markActive({ month: '2031-05', provider: 'corp', userId: 'u1', at: 1_950_000_000 })],
])('with the deployed bounds, %s on a store that never answers fails within DYNAMODB_TIMEOUTS.deadlineMs', async (_name, call) => {
  const stores = dynamoStores(testConfig(), { dynamodb: silent.endpoint, credentials: LOCAL_CREDENTIALS });
  await stores.sessions.getSession('warm-up').catch(() => undefined);
  const { error, elapsed } = await timedFailure(() => call(stores));
  expect(error).toBeInstanceOf(StoreError);
  expect(elapsed).toBeLessThan(DYNAMODB_TIMEOUTS.deadlineMs + 700);
}, 20_000);

test('a cold start\'s key-set read and one due store call fit in the viewer budget with a second to spare', () => {
  expect(SECRETS_MANAGER_TIMEOUTS.deadlineMs + DYNAMODB_TIMEOUTS.deadlineMs).toBeLessThanOrEqual(VIEWER_BUDGET_MS - 1000);
});
