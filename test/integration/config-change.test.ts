/**
 * Re-evaluation after a config change, through the local stack (issue #16): sessions signed
 * in under one allow-list; the stack reloaded with another (local/stack/stack.ts reload: new
 * handler containers on the same tables, key set and sessions, as a redeploy); with the
 * default authCheckInterval of 0, a session the new list does not admit ends at its next
 * request, one it admits goes on with no provider call, and a newly listed user signs in.
 */
import { devConfig, startLocalStack, type LocalStack } from '../../local/stack/stack';
import { authFingerprint } from '../../lambdas/core/access/fingerprint';
import { testDynamoEndpoint } from '../support/dynamodb';
import { TestBrowser } from '../support/http-client';
import { claimsOf, EventLog, signInThroughStack, stackStores } from '../support/sessions';

let stack: LocalStack;
let siteHost: string;
let stores: ReturnType<typeof stackStores>;
const log = new EventLog();
let providerCalls = 0;
const countingFetch: typeof fetch = async (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.pathname === '/token' || url.pathname === '/me') providerCalls++;
  return fetch(input, init);
};
const SESSION = { revocationCheckInterval: '60s' };

beforeAll(async () => {
  stack = await startLocalStack({
    dynamoEndpoint: testDynamoEndpoint(),
    log,
    fetch: countingFetch,
    viewerContainers: 2,
    devConfig: { allow: { emails: ['ada@example.com', 'bob@example.com'], emailDomains: [] }, session: SESSION },
  });
  siteHost = new URL(stack.siteUrl).host;
  stores = stackStores(stack);
});
afterAll(async () => {
  stores?.close();
  await stack?.close();
});

const signIn = (email: string) => signInThroughStack(stack, email);

const page = (browser: TestBrowser) => browser.request(`${stack.siteUrl}/whoami`, { headers: { accept: 'application/json' } });

test('a narrowed allow-list ends the sessions it no longer admits at their next request, keeps the others without a provider call, admits the newly listed', async () => {
  const ada = await signIn('ada@example.com');
  const bob = await signIn('bob@example.com');
  expect([ada.status, bob.status]).toEqual([302, 302]);
  expect((await page(ada.browser)).status).toBe(200);
  expect((await signIn('cy@example.com')).status).toBe(403);
  const adaSid = (await claimsOf(stack, ada.browser.cookie(siteHost, 'edge-oauth')!)).sid;
  const bobSid = (await claimsOf(stack, bob.browser.cookie(siteHost, 'edge-oauth')!)).sid;
  expect((await stores.sessions.getSession(adaSid))?.authFingerprint).toBe(authFingerprint(stack.config));

  const next = devConfig(stack.idp!.issuer, { allow: { emails: ['bob@example.com', 'cy@example.com'], emailDomains: [] }, session: SESSION }, { ...stack.config.aws.tables });
  const { notes } = stack.reload(next);
  expect(notes).toEqual([]);
  providerCalls = 0;
  const events = log.mark();

  const denied = await page(ada.browser);
  expect(denied.status).toBe(403);
  expect(denied.body).toContain('Access denied');
  expect(events()[0]).toMatchObject({ decision: 'block', reason: 'not-on-allow-list' });
  expect(await stores.sessions.getSession(adaSid)).toMatchObject({ revokedReason: 'not-allowed' });
  // Bob's session goes on; re-evaluated once (the sign-in's check is fresh: no provider call), then the fast path.
  for (let i = 0; i < 4; i++) expect((await page(bob.browser)).status).toBe(200);
  expect(providerCalls).toBe(0);
  expect((await stores.sessions.getSession(bobSid))?.authFingerprint).toBe(authFingerprint(stack.config));
  const bobEvents = events().filter((e) => e.checks?.includes('session-evaluated'));
  // Once: the other container reads the record with the new fingerprint and has nothing to do.
  expect(bobEvents).toHaveLength(1);
  expect((await signIn('cy@example.com')).status).toBe(302);
});
