/**
 * Secrets never leak into logs. Every line written through the production request logger
 * (consoleLogger's formatting, its write(2) to stdout captured) and every console.* call in this process is captured through a full
 * sign-in, failed sign-ins (token endpoint down, userinfo down, provider error, replayed
 * callback), requests with a session, a tampered cookie, a back-channel refresh of the
 * user at the provider (continuous authorization), and logout. Then none of these
 * may appear: the OAuth client secret, the session key set (sealing keys and signing keys,
 * in any encoding), access / refresh / ID tokens, the authorization code, state, nonce,
 * PKCE verifier, the session and flow cookie values, the identity assertion.
 */
import { format } from 'node:util';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createConsoleLogger } from '../../lambdas/runtime/console-logger';
import { LOCAL_CREDENTIALS } from '../../local/emulators/dynamodb/dynamodb-local';
import { startLocalStack, type LocalStack } from '../../local/stack/stack';
import { testDynamoEndpoint } from '../support/dynamodb';
import { TestBrowser, type Hop } from '../support/http-client';

const lines: string[] = [];
const secrets = new Map<string, string>(); // value → what it is
let stack: LocalStack;
let siteHost: string;
let now = Date.now();
const realFetch = globalThis.fetch;
const grants: string[] = []; // grant types the token endpoint was asked for
const consoleMethods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

const seenKinds = new Set<string>();
function secret(what: string, value: string | undefined | null): void {
  if (typeof value !== 'string' || value.length < 8) return;
  // One value may be seen under two names (the PKCE verifier is the flow cookie's value, sign-in/flow.ts).
  seenKinds.add(what);
  if (secrets.has(value)) return;
  secrets.set(value, what);
  // A JWT's parts are secrets on their own (a logged signature or payload is as bad).
  const parts = value.split('.');
  if (parts.length >= 3) for (const part of parts.slice(1)) if (part.length >= 16 && !secrets.has(part)) secrets.set(part, `${what} (part)`);
}

function bytesSecret(what: string, base64url: string): void {
  const raw = Buffer.from(base64url, 'base64url');
  secret(what, base64url);
  secret(`${what} (base64)`, raw.toString('base64'));
  secret(`${what} (hex)`, raw.toString('hex'));
}

/** Records what a provider call carries: the token endpoint's request (code, verifier, client auth) and answer (tokens). */
async function recordingFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const response = await realFetch(input, init);
  if (url.pathname === '/token') {
    const body = new URLSearchParams(typeof init?.body === 'string' ? init.body : init?.body instanceof URLSearchParams ? init.body.toString() : '');
    grants.push(body.get('grant_type') ?? '?');
    for (const name of ['code', 'code_verifier', 'refresh_token', 'client_secret']) secret(`token request ${name}`, body.get(name));
    const auth = new Headers(init?.headers).get('authorization');
    secret('client authentication header', auth?.replace(/^Basic /, ''));
    const answer = (await response.clone().json().catch(() => ({}))) as Record<string, string>;
    for (const name of ['access_token', 'refresh_token', 'id_token']) secret(name, answer[name]);
  }
  return response;
}

beforeAll(async () => {
  for (const m of consoleMethods) {
    jest.spyOn(console, m).mockImplementation((...args: unknown[]) => void lines.push(format(...args)));
  }
  globalThis.fetch = recordingFetch as typeof fetch;
  stack = await startLocalStack({
    dynamoEndpoint: testDynamoEndpoint(),
    clock: () => now,
    log: createConsoleLogger((line) => void lines.push(line)),
    devConfig: { session: { authCheckInterval: '5m', revocationCheckInterval: '1m' } },
  });
  siteHost = new URL(stack.siteUrl).host;

  const sm = new SecretsManagerClient({ region: 'us-east-1', endpoint: stack.endpoints.secretsManager, credentials: LOCAL_CREDENTIALS });
  const read = async (id: string) => (await sm.send(new GetSecretValueCommand({ SecretId: id }))).SecretString!;
  secret('client secret', await read(stack.config.providers[0]!.clientSecret.secretId));
  const keySet = JSON.parse(await read(stack.config.aws.sessionKeysSecretId)) as {
    keys: Array<{ k: string }>;
    signing?: { keys: Array<{ d: string }> };
  };
  for (const { k } of keySet.keys) bytesSecret('sealing key', k);
  for (const { d } of keySet.signing?.keys ?? []) bytesSecret('signing key', d);
});

afterAll(async () => {
  globalThis.fetch = realFetch;
  jest.restoreAllMocks();
  await stack?.close();
});

function recordCookies(hop: Hop): void {
  for (const c of hop.setCookies) secret(`cookie ${c.split('=')[0]}`, c.slice(c.indexOf('=') + 1).split(';')[0]);
}

function recordAuthorizeUrl(hop: Hop): void {
  const url = new URL(hop.location!);
  for (const name of ['state', 'nonce', 'code_challenge']) secret(name, url.searchParams.get(name));
}

let lastCallback = '';

async function signIn(browser: TestBrowser, email: string, path = '/'): Promise<Hop> {
  const start = await browser.request(`${stack.siteUrl}${path}`);
  recordCookies(start);
  recordAuthorizeUrl(start);
  const back = await browser.signInAtIdp(start, { email, name: 'Leak Tester' }, siteHost);
  lastCallback = back.location!;
  secret('authorization code', new URL(back.location!).searchParams.get('code'));
  const done = await browser.request(back.location!);
  recordCookies(done);
  return done;
}

async function originSees(browser: TestBrowser): Promise<Record<string, string>> {
  const hop = await browser.request(`${stack.siteUrl}/data`, { headers: { accept: 'application/json' } });
  expect(hop.status).toBe(200);
  const headers = (JSON.parse(hop.body) as { headers: Record<string, string> }).headers;
  secret('identity assertion', headers[stack.config.assertion.header]);
  return headers;
}

test('no log line carries a token, a secret, a key or a cookie value', async () => {
  const browser = new TestBrowser();
  expect((await signIn(browser, 'leak@example.com', '/reports?q=1')).status).toBe(302);
  await originSees(browser);
  expect((await new TestBrowser().request(lastCallback)).status).toBe(400); // the callback replayed elsewhere

  // Failures write error lines: the token endpoint and the userinfo endpoint down, the provider's error.
  stack.idp!.failNext('token', 500);
  expect((await signIn(new TestBrowser(), 'leak@example.com')).status).toBe(502);
  stack.idp!.failNext('userinfo', 503);
  expect((await signIn(new TestBrowser(), 'leak@example.com')).status).toBe(502);
  const other = new TestBrowser();
  const start = await other.request(`${stack.siteUrl}/`);
  recordAuthorizeUrl(start);
  const state = new URL(start.location!).searchParams.get('state')!;
  expect((await other.request(`${stack.siteUrl}/auth/callback?state=${state}&error=server_error&error_description=boom`)).status).toBe(502);
  const tampered = new TestBrowser();
  tampered.setCookie(siteHost, 'edge-oauth', `${browser.cookie(siteHost, 'edge-oauth')!.slice(0, -4)}AAAA`);
  expect((await tampered.request(`${stack.siteUrl}/`)).status).toBe(302);

  // Past session.authCheckInterval: the edge refreshes the user at the provider (refresh-token grant).
  now += 6 * 60_000;
  await originSees(browser);
  await originSees(browser);
  expect(grants).toContain('refresh_token');

  const logout = await browser.request(`${stack.siteUrl}/auth/logout`);
  expect(logout.status).toBe(200);
  expect((await browser.request(`${stack.siteUrl}/`)).status).toBe(302);

  // The capture worked: request events and error events were written.
  const text = lines.join('\n');
  expect(lines.filter((l) => l.includes('"edge_oauth_request"')).length).toBeGreaterThanOrEqual(10);
  expect(text).toContain('"edge_oauth_error"');
  expect(text).toContain('"userName":"Leak Tester"');
  // What was gathered to look for: the client secret, keys, tokens, cookies, the assertion.
  const kinds = seenKinds;
  for (const kind of ['client secret', 'sealing key', 'signing key', 'access_token', 'refresh_token', 'id_token', 'authorization code', 'state', 'nonce', 'token request code_verifier', 'cookie edge-oauth', 'identity assertion']) {
    expect([kind, kinds.has(kind)]).toEqual([kind, true]);
  }

  const leaks = [...secrets].filter(([value]) => text.includes(value)).map(([, what]) => what);
  expect(leaks).toEqual([]);
});
