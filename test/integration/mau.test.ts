/**
 * Monthly active users on real peers: a user is counted once per month, at sign-in or at the
 * first request of a later month, across sessions and four viewer containers, also when 100
 * first requests of the month arrive at once; after that, warm requests make no call.
 */
import { monthOf } from '../../lambdas/core/session/monthly-active-users';
import { startLocalStack, type LocalStack } from '../../local/stack/stack';
import { testDynamoEndpoint } from '../support/dynamodb';
import { TestBrowser } from '../support/http-client';
import { EventLog, stackStores } from '../support/sessions';

let stack: LocalStack;
let siteHost: string;
let stores: ReturnType<typeof stackStores>;
const log = new EventLog();
let now = Date.now();

beforeAll(async () => {
  stack = await startLocalStack({ dynamoEndpoint: testDynamoEndpoint(), clock: () => now, log, viewerContainers: 4 });
  siteHost = new URL(stack.siteUrl).host;
  stores = stackStores(stack);
});
afterAll(async () => {
  stores?.close();
  await stack?.close();
});

async function signIn(email: string): Promise<TestBrowser> {
  const browser = new TestBrowser();
  const start = await browser.request(`${stack.siteUrl}/`);
  const back = await browser.signInAtIdp(start, { email }, siteHost);
  expect((await browser.request(back.location!)).status).toBe(302);
  return browser;
}

const get = (browser: TestBrowser) => browser.request(`${stack.siteUrl}/`, { headers: { accept: 'application/json' } });

test('a user is counted once per month: sign-ins, sessions, containers, and 100 concurrent first requests of the month', async () => {
  const thisMonth = monthOf(Math.floor(now / 1000));
  const a = await signIn('mau@example.com');
  const b = await signIn('mau@example.com'); // a second session of the same user
  await signIn('other@example.com');
  expect(await stores.mau.count(thisMonth)).toBe(2);

  // The first second of next month.
  const d = new Date(now);
  now = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1, 0, 0, 1);
  const nextMonth = monthOf(Math.floor(now / 1000));
  expect(nextMonth).not.toBe(thisMonth);
  expect(await stores.mau.count(nextMonth)).toBe(0);

  const events = log.mark();
  const results = await Promise.all(Array.from({ length: 100 }, (_, i) => get(i % 2 === 0 ? a : b)));
  expect(results.map((r) => r.status)).toEqual(Array(100).fill(200));
  expect(await stores.mau.count(nextMonth)).toBe(1);
  // Each container tried at most once per session in flight (the others waited for it).
  const marks = events().filter((e) => e.checks?.includes('mau-mark')).length;
  expect(marks).toBeGreaterThanOrEqual(1);
  expect(marks).toBeLessThanOrEqual(8);

  // Every container has now seen each session once (round-robin: 4 in a row reach all four).
  for (const browser of [a, a, a, a, b, b, b, b]) expect((await get(browser)).status).toBe(200);
  // Warm: no call at all, in every container, for either session.
  now += 5_000;
  const warm = log.mark();
  for (const browser of [a, a, a, a, b, b, b, b]) expect((await get(browser)).status).toBe(200);
  expect(warm().map((e) => e.checks)).toEqual(Array(8).fill(undefined));
  expect(await stores.mau.count(nextMonth)).toBe(1);
});
