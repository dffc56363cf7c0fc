/** The console's Lambda adapter: Function URL events in (forms base64, as function URLs pass them), pages out, one request event each, failures closed. */
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { randomBytes } from 'node:crypto';
import { createAdminHandler } from '../../lambdas/admin/handler';
import { csrfToken } from '../../lambdas/core/admin/csrf';
import { StoreError } from '../../lambdas/core/errors';
import { seal } from '../../lambdas/core/keys/seal';
import type { RequestEvent } from '../../lambdas/core/request-events';
import type { UserStore } from '../../lambdas/core/stores';
import { newSessionClaims } from '../../lambdas/core/session/session-cookie';
import { HOST_HEADER } from '../../lambdas/core/viewer/identity-headers';
import { MemorySessionStore } from '../../lambdas/store/memory/sessions';
import { MemoryMauStore } from '../../lambdas/store/memory/mau';
import { MemoryUserStore } from '../../lambdas/store/memory/users';
import { testConfig, testKeys } from '../core/fixtures';

const NOW = 1_800_000_000;
const keys = testKeys();
const config = testConfig({ admin: { emails: ['boss@example.com'] } });

async function setup() {
  const sessions = new MemorySessionStore(() => NOW);
  const users = new MemoryUserStore();
  const mau = new MemoryMauStore();
  const events: RequestEvent[] = [];
  const errors: string[] = [];
  const deps = { config, keys: async () => keys, providers: new Map(), sessions, users, mau, random: randomBytes, clock: () => NOW * 1000, log: { request: (e: RequestEvent) => events.push(e), error: (w: string) => errors.push(w) } };
  await sessions.createSession({ sessionId: 'sid-boss', provider: 'corp', userId: 'boss', createdAt: NOW - 10, expiresAt: NOW + 3600 });
  await users.upsertOnSignIn({ provider: 'corp', userId: 'boss', email: 'boss@example.com', at: NOW - 10, host: 'app.example.com' });
  const cookie = `edge-oauth=${await seal(newSessionClaims(config, { sid: 'sid-boss', uid: 'boss', prv: 'corp', email: 'boss@example.com', now: NOW - 10 }), keys.current)}`;
  return { deps, sessions, events, errors, cookie };
}

type Answer = { statusCode: number; headers?: Record<string, string>; body?: string };
const answer = (h: ReturnType<typeof createAdminHandler>) => async (e: LambdaFunctionURLEvent) => (await h(e)) as Answer;

function event(method: string, path: string, options: { cookie?: string; body?: string; contentType?: string; query?: string } = {}): LambdaFunctionURLEvent {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: options.query ?? '',
    headers: { [HOST_HEADER]: 'app.example.com', 'sec-fetch-site': 'same-origin', ...(options.contentType !== undefined && { 'content-type': options.contentType }) },
    ...(options.cookie !== undefined && { cookies: [options.cookie] }),
    requestContext: { http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' } } as LambdaFunctionURLEvent['requestContext'],
    ...(options.body !== undefined && { body: Buffer.from(options.body).toString('base64'), isBase64Encoded: true }),
    isBase64Encoded: options.body !== undefined,
  } as LambdaFunctionURLEvent;
}

test('a form POST (base64, as function URLs pass it) revokes, and the request event names the admin and the target', async () => {
  const { deps, sessions, events, cookie } = await setup();
  await sessions.createSession({ sessionId: 'sid-v', provider: 'corp', userId: 'v', createdAt: NOW - 5, expiresAt: NOW + 3600 });
  await deps.users.upsertOnSignIn({ provider: 'corp', userId: 'v', email: 'v@example.com', at: NOW - 5, host: 'app.example.com' });
  const handler = createAdminHandler(deps);
  const body = new URLSearchParams({ csrf: csrfToken(keys, 'sid-boss'), user: 'corp:v', session: 'sid-v' }).toString();
  const out = await handler(event('POST', '/auth/admin/revoke', { cookie, body, contentType: 'application/x-www-form-urlencoded' }));
  expect(out).toMatchObject({ statusCode: 303, headers: { location: '/auth/admin/user?user=corp%3Av&revoked=1' } });
  expect(await sessions.getSession('sid-v')).toMatchObject({ revokedReason: 'operator' });
  expect(events.at(-1)).toMatchObject({ method: 'POST', path: '/auth/admin/revoke', host: 'app.example.com', status: 303, admin: { admin: 'boss@example.com', action: 'revoke-session', target: { user: 'corp:v' } } });
});

test('not a form, or a huge one: refused before the core; HEAD: no body', async () => {
  const { deps, cookie } = await setup();
  const handler = answer(createAdminHandler(deps));
  expect((await handler(event('POST', '/auth/admin/revoke', { cookie, body: '{"a":1}', contentType: 'application/json' }))).statusCode).toBe(415);
  expect((await handler(event('POST', '/auth/admin/revoke', { cookie, body: 'a='.padEnd(9000, 'x'), contentType: 'application/x-www-form-urlencoded' }))).statusCode).toBe(413);
  const head = await handler(event('HEAD', '/auth/admin', { cookie }));
  expect(head.statusCode).toBe(200);
  expect(head.body).toBeUndefined();
});

test('a store failure is a 500 page, never an action (fail closed), logged by code', async () => {
  const { deps, errors, cookie } = await setup();
  const users: UserStore = Object.assign(Object.create(deps.users) as UserStore, { listRecentUsers: async () => { throw new StoreError('DynamoDB Query failed (Timeout)'); } });
  const out = await answer(createAdminHandler({ ...deps, users }))(event('GET', '/auth/admin/users', { cookie }));
  expect(out.statusCode).toBe(500);
  expect(out.body).toContain('The console is unavailable');
  expect(out.body).not.toContain('DynamoDB');
  expect(errors).toEqual(['admin']);
});
