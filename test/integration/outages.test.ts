/**
 * Fail closed, after a grace period: the store (DynamoDB Local behind a TCP proxy that is
 * closed: a closed port) and the provider (the dev IdP answering 503, then shut down) cannot
 * be reached when a check is due. Within checkGracePeriod the last known good state holds;
 * past it, a clear 503 page; once the peer is back, the session works again.
 */
import { startLocalStack, type LocalStack } from '../../local/stack/stack';
import { testDynamoEndpoint } from '../support/dynamodb';
import { TestBrowser } from '../support/http-client';
import { EventLog } from '../support/sessions';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

let now = Date.now();
const advance = (seconds: number) => (now += seconds * 1000);

async function signIn(stack: LocalStack, email: string): Promise<TestBrowser> {
  const browser = new TestBrowser();
  const start = await browser.request(`${stack.siteUrl}/`);
  const back = await browser.signInAtIdp(start, { email }, new URL(stack.siteUrl).host);
  expect((await browser.request(back.location!)).status).toBe(302);
  return browser;
}

const get = (stack: LocalStack, browser: TestBrowser) => browser.request(`${stack.siteUrl}/`, { headers: { accept: 'application/json' } });

describe('the store cannot be reached', () => {
  let stack: LocalStack;
  let proxy: TcpProxy;
  const log = new EventLog();

  beforeAll(async () => {
    proxy = await startTcpProxy(testDynamoEndpoint());
    stack = await startLocalStack({
      dynamoEndpoint: proxy.url,
      clock: () => now,
      log,
      devConfig: { session: { revocationCheckInterval: '60s', checkGracePeriod: '2m' } },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await proxy?.close();
  });

  test('checked sessions keep working for the grace period, then a 503 page; back when the store is', async () => {
    const browser = await signIn(stack, 'store-down@example.com');
    expect((await get(stack, browser)).status).toBe(200); // checked now (T)
    await proxy.close();

    advance(30);
    const events = log.mark();
    expect((await get(stack, browser)).status).toBe(200); // nothing due: no call at all
    advance(31); // T+61: the check is due and fails
    const grace = await get(stack, browser);
    expect(grace.status).toBe(200);
    advance(100); // T+161: still within due (T+60) + 2 min
    expect((await get(stack, browser)).status).toBe(200);
    advance(20); // T+181: past the grace period
    const closed = await get(stack, browser);
    expect(closed.status).toBe(503);
    expect(closed.headers.get('retry-after')).toBe('30');
    expect(closed.body).toContain('Temporarily unavailable');
    expect(closed.body).toContain('session store');
    expect(closed.setCookies).toEqual([]); // the session is kept
    expect(events().map((e) => [e.reason, e.status])).toEqual([
      ['session', undefined],
      ['session-grace', undefined],
      ['session-grace', undefined],
      ['store-unavailable', 503],
    ]);
    expect(log.errors.some((e) => e.where === 'session-check' && e.code === 'ERR_STORE_UNAVAILABLE')).toBe(true);

    await proxy.reopen();
    advance(10); // past the retry backoff
    expect((await get(stack, browser)).status).toBe(200);
  });

  test('a container that knows nothing of an older session fails closed at once (no trust to extend)', async () => {
    const browser = await signIn(stack, 'cold@example.com');
    advance(3 * 60); // signed in 3 minutes ago; this container never checked it
    await proxy.close();
    try {
      expect((await get(stack, browser)).status).toBe(503);
    } finally {
      await proxy.reopen();
    }
  });
});

describe('the store hangs (accepts connections, never answers)', () => {
  // The viewer-request function has 5 s (Lambda@Edge quotas; the local CloudFront enforces
  // it, local/emulators/cloudfront/server.ts). A store call that hangs must end inside it (DYNAMODB_TIMEOUTS,
  // lambdas/store/aws/clients.ts), so the visitor gets what a store failure gives (here: grace), not
  // CloudFront's "LambdaLimitExceeded" 503 (local/stack/stack.ts: a 3.5 s deadline per call locally).
  let stack: LocalStack;
  let proxy: TcpProxy;
  const log = new EventLog();

  beforeAll(async () => {
    proxy = await startTcpProxy(testDynamoEndpoint());
    stack = await startLocalStack({ dynamoEndpoint: proxy.url, log, devConfig: { session: { revocationCheckInterval: '60s', checkGracePeriod: '2m' } } });
  });
  afterAll(async () => {
    await stack?.close();
    await proxy?.close();
  });

  test('the first request after sign-in (a read is due) is answered by the edge in time, on the session\'s grace', async () => {
    const browser = await signIn(stack, 'store-hangs@example.com');
    const events = log.mark();
    proxy.hang();
    try {
      const started = Date.now();
      const answer = await get(stack, browser);
      const elapsed = Date.now() - started;
      expect(answer.headers.get('x-cache')).not.toBe('LambdaLimitExceeded from cloudfront');
      expect(answer.status).toBe(200);
      // (The demo origin then fetches the site's JWKS to check the assertion: a second event.)
      expect(events().filter((e) => e.reason !== 'jwks').map((e) => e.reason)).toEqual(['session-grace']);
      expect(log.errors.some((e) => e.where === 'session-check' && e.code === 'ERR_STORE_UNAVAILABLE')).toBe(true);
      expect(elapsed).toBeLessThan(5000);
    } finally {
      proxy.unhang();
    }
  }, 20_000);
});

describe('the provider cannot be reached', () => {
  let stack: LocalStack;
  const log = new EventLog();

  beforeAll(async () => {
    stack = await startLocalStack({
      dynamoEndpoint: testDynamoEndpoint(),
      clock: () => now,
      log,
      devConfig: { session: { authCheckInterval: '5m', checkGracePeriod: '2m' } },
    });
  });
  afterAll(() => stack?.close());

  test('a refresh that fails keeps the session for the grace period, then a 503 page; a later refresh restores it', async () => {
    const idp = stack.idp!;
    const browser = await signIn(stack, 'idp-down@example.com');
    expect((await get(stack, browser)).status).toBe(200);

    advance(6 * 60); // the refresh fell due at +5 min
    idp.failNext('token', 503);
    const events = log.mark();
    expect((await get(stack, browser)).status).toBe(200);
    advance(20); // the lease of the failed attempt has ended: try again, fail again
    idp.failNext('token', 503);
    expect((await get(stack, browser)).status).toBe(200);
    advance(45); // +7 min 5 s: past due + grace
    idp.failNext('token', 503);
    const closed = await get(stack, browser);
    expect(closed.status).toBe(503);
    expect(closed.body).toContain('the dev identity provider cannot be reached');
    expect(events().map((e) => e.reason)).toEqual(['refresh-grace', 'refresh-grace', 'provider-unavailable']);

    advance(20); // the provider answers again
    expect((await get(stack, browser)).status).toBe(200);
    expect(events().at(-1)).toMatchObject({ reason: 'session', checks: expect.arrayContaining(['provider-refresh', 'refresh-complete']) });
  });

  test('the provider shut down: the same, from the last successful check', async () => {
    const browser = await signIn(stack, 'idp-gone@example.com');
    expect((await get(stack, browser)).status).toBe(200);
    await stack.idp!.close();
    advance(5 * 60 + 30);
    const events = log.mark();
    expect((await get(stack, browser)).status).toBe(200);
    advance(2 * 60);
    expect((await get(stack, browser)).status).toBe(503);
    expect(events().map((e) => e.reason)).toEqual(['refresh-grace', 'provider-unavailable']);
  });
});
