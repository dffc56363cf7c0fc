/**
 * Property: whatever Cookie header a client (or a sibling subdomain that plants cookies)
 * sends, the viewer-request handler, the callback, the API authorizer and the admin console
 * answer (within Lambda@Edge's rules at the edge), without a server error, and write exactly
 * one request log line and no error line.
 *
 * Regression (issue #16, defect 3): a `<prefix>-flow-` cookie whose name a Set-Cookie cannot
 * carry (a space, a comma, a non-ASCII character) made every sign-in start throw while
 * echoing the name back to clear it: CloudFront answered 503 and nothing was logged.
 */
import type { CloudFrontRequest, LambdaFunctionURLEvent } from 'aws-lambda';
import fc from 'fast-check';
import { createAdminHandler } from '../../lambdas/admin/handler';
import { createAuthorizerHandler, UNAUTHORIZED_MESSAGE, type AuthorizerEvent } from '../../lambdas/authorizer/handler';
import { createCallbackHandler } from '../../lambdas/callback/handler';
import { HOST_HEADER } from '../../lambdas/core/viewer/identity-headers';
import type { RequestEvent, RequestLogger } from '../../lambdas/core/request-events';
import { createViewerHandler } from '../../lambdas/edge/handler';
import { MemorySessionStore } from '../../lambdas/store/memory/sessions';
import { MemoryMauStore } from '../../lambdas/store/memory/mau';
import { MemoryUserStore } from '../../lambdas/store/memory/users';
import { validateGeneratedResponse, validateViewerRequestResult } from '../../local/emulators/cloudfront/validate';
import { httpEventV2, restEvent } from '../authorizer/events';
import { isResponse, keySet, NOW, securityConfig, sessionCookie, SITE, handlerDeps, stubProvider, viewerEvent } from './support';

const config = securityConfig();
const { keys } = keySet('k1');

function recorder() {
  const lines: { requests: RequestEvent[]; errors: string[] } = { requests: [], errors: [] };
  const log: RequestLogger = {
    request: (event) => lines.requests.push(event),
    error: (where, error) => lines.errors.push(`${where}: ${String((error as Error)?.message ?? error)}`),
  };
  return { lines, log };
}

/** A signed-in session, in the store as well as in the cookie (so a check that reads the store finds it). */
async function storedSession(cfg: typeof config, sessions: MemorySessionStore) {
  const session = await sessionCookie(cfg, keys);
  const { claims } = session;
  await sessions.createSession({
    sessionId: claims.sid,
    provider: claims.prv,
    userId: claims.uid,
    email: claims.email!,
    name: claims.name!,
    createdAt: claims.iat,
    expiresAt: claims.exp ?? claims.iat + 400 * 86400,
    lastSeenAt: claims.iat,
    lastAuthCheckAt: claims.iat,
  });
  return session;
}

/** Header-value characters a client can send (visible ASCII, space, tab, obs-text). */
const headerChar = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.constantFrom('\t', 'é', '\u00ff', '\u00a0') },
);
const text = (maxLength: number) => fc.string({ unit: headerChar, maxLength });
const cookieName = fc.oneof(
  text(12).map((s) => `edge-oauth-flow-${s}`),
  fc.constantFrom('edge-oauth', 'edge-oauth-flow-', 'edge-oauth-flow-0', 'edge-oauth-flow-1', 'edge-oauth-flow-3', 'a', ''),
  text(12),
);
const pair = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(cookieName, text(60)).map(([n, v]) => `${n}=${v}`) },
  { weight: 1, arbitrary: text(40) },
);
const cookieHeader = fc
  .tuple(fc.array(pair, { maxLength: 10 }), fc.constantFrom('; ', ';', ' ; '))
  .map(([pairs, separator]) => pairs.join(separator));
const cookieHeaders = fc.array(cookieHeader, { minLength: 1, maxLength: 3 });
const path = fc.constantFrom('/', '/page?x=1', '/auth/login', '/auth/authn', '/auth/logout', '/auth/callback', '/auth/nope');

describe('hostile Cookie headers (property)', () => {
  test('the viewer handler answers every one validly, below 500, with one log line and no error', async () => {
    const session = await sessionCookie(config, keys);
    const sessions = new MemorySessionStore();
    const { lines, log } = recorder();
    const handler = createViewerHandler(handlerDeps(config, keys, { sessions, log }));
    await fc.assert(
      fc.asyncProperty(cookieHeaders, path, fc.boolean(), async (headers, target, withSession) => {
        lines.requests.length = 0;
        lines.errors.length = 0;
        const [uri, querystring = ''] = target.split('?') as [string, string?];
        const all = withSession ? [...headers, `edge-oauth=${session.value}`] : headers;
        const event = viewerEvent({ uri, querystring, headers: [['Sec-Fetch-Mode', 'navigate'], ...all.map((h) => ['Cookie', h] as const)] });
        const original = structuredClone(event.Records[0]!.cf.request) as CloudFrontRequest;
        const result = await handler(event);
        if (isResponse(result)) {
          expect(validateGeneratedResponse(result)).toEqual([]);
          expect(Number(result.status)).toBeLessThan(500);
        } else {
          expect(validateViewerRequestResult(original, result)).toEqual([]);
        }
        expect(lines.errors).toEqual([]);
        expect(lines.requests).toHaveLength(1);
      }),
      { numRuns: 400 },
    );
  });

  test('the callback answers every one below 500, with one log line and no error', async () => {
    const { lines, log } = recorder();
    const handler = createCallbackHandler(handlerDeps(config, keys, { sessions: new MemorySessionStore(), log }));
    await fc.assert(
      fc.asyncProperty(cookieHeaders, text(80), async (headers, query) => {
        lines.requests.length = 0;
        lines.errors.length = 0;
        const result = await handler({
          version: '2.0',
          rawPath: '/auth/callback',
          rawQueryString: `code=c&state=${encodeURIComponent(query)}`,
          cookies: headers,
          headers: { host: SITE },
          requestContext: { http: { method: 'GET', path: '/auth/callback', protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'ua' } },
          isBase64Encoded: false,
        } as never);
        expect(typeof result === 'object' && result.statusCode).toBeLessThan(500);
        expect(lines.errors).toEqual([]);
        expect(lines.requests).toHaveLength(1);
      }),
      { numRuns: 300 },
    );
  });

  test('the API authorizer answers every one (allow, deny, or exactly "Unauthorized" on a REST API), with one log line and no error', async () => {
    const sessions = new MemorySessionStore(() => NOW);
    const session = await storedSession(config, sessions);
    const { lines, log } = recorder();
    const handler = createAuthorizerHandler(handlerDeps(config, keys, { sessions, log }));
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(cookieHeaders, fc.constantFrom('http', 'rest'), fc.boolean(), async (headers, kind, withSession) => {
        lines.requests.length = 0;
        lines.errors.length = 0;
        const all = withSession ? [...headers, `edge-oauth=${session.value}`] : headers;
        const event: AuthorizerEvent = kind === 'http' ? httpEventV2({ cookies: all }) : restEvent({ cookies: all });
        try {
          const result = await handler(event);
          expect(typeof result).toBe('object');
          seen.add(lines.requests[0]?.decision ?? '?');
        } catch (error) {
          seen.add('unauthorized');
          // The REST API's 401 is this exact failure; anything else would be a 5xx.
          expect([kind, (error as Error).message]).toEqual(['rest', UNAUTHORIZED_MESSAGE]);
        }
        expect(lines.errors).toEqual([]);
        expect(lines.requests).toHaveLength(1);
      }),
      { numRuns: 400 },
    );
    // Both ways were exercised: signed-in requests allowed, the others refused.
    expect([...seen].sort()).toEqual(expect.arrayContaining(['allow', 'unauthorized']));
  });

  test('the admin console answers every one below 500, with one log line and no error', async () => {
    const adminConfig = securityConfig({ admin: { emails: ['ada@example.com'] } });
    const sessions = new MemorySessionStore(() => NOW);
    const session = await storedSession(adminConfig, sessions);
    const { lines, log } = recorder();
    const statuses = new Set<number>();
    const handler = createAdminHandler({
      ...handlerDeps(adminConfig, keys, { sessions, users: new MemoryUserStore(), mau: new MemoryMauStore() }),
      log,
    });
    const target = fc.constantFrom(['GET', '/auth/admin', ''], ['GET', '/auth/admin/users', 'email=a%40b.c'], ['GET', '/auth/admin/user', 'user=corp%3Au-1'], ['GET', '/auth/admin/revoke', 'user=corp%3Au-1'], ['POST', '/auth/admin/revoke', ''], ['GET', '/auth/admin/nope', '']);
    await fc.assert(
      fc.asyncProperty(cookieHeaders, target, fc.boolean(), async (headers, [method, path, query], withSession) => {
        lines.requests.length = 0;
        lines.errors.length = 0;
        const cookies = withSession ? [...headers, `edge-oauth=${session.value}`] : headers;
        const result = await handler({
          version: '2.0',
          routeKey: '$default',
          rawPath: path,
          rawQueryString: query,
          cookies,
          headers: { [HOST_HEADER]: SITE, 'sec-fetch-site': 'same-origin', origin: `https://${SITE}`, 'content-type': 'application/x-www-form-urlencoded' },
          requestContext: { http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'ua' } },
          ...(method === 'POST' && { body: Buffer.from('user=corp%3Au-1&csrf=x').toString('base64') }),
          isBase64Encoded: method === 'POST',
        } as unknown as LambdaFunctionURLEvent);
        expect(typeof result === 'object' && result.statusCode).toBeLessThan(500);
        statuses.add((result as { statusCode: number }).statusCode);
        expect(lines.errors).toEqual([]);
        expect(lines.requests).toHaveLength(1);
      }),
      { numRuns: 300 },
    );
    // The admin's pages were reached (200) as well as refused or redirected.
    expect(statuses.has(200) && statuses.size > 1).toBe(true);
  });

  test('a failure on our side is answered (503, no detail) and logged, never thrown to CloudFront', async () => {
    const { lines, log } = recorder();
    const handler = createViewerHandler({
      config,
      keys: async () => keys,
      providers: new Map([['corp', stubProvider()]]),
      random: () => {
        throw new Error('entropy source failed');
      },
      log,
    });
    const result = await handler(viewerEvent({ uri: '/', headers: [['Sec-Fetch-Mode', 'navigate']] }));
    expect(isResponse(result) && [result.status, result.body?.includes('entropy')]).toEqual(['503', false]);
    expect(lines.errors).toEqual(['viewer: entropy source failed']);
    expect(lines.requests.map((r) => [r.decision, r.reason, r.status])).toEqual([['block', 'internal-error', 503]]);
  });
});
