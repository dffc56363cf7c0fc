/**
 * Property: whatever Cookie header a client (or a sibling subdomain that plants cookies)
 * sends, the viewer-request handler and the callback answer, within Lambda@Edge's rules,
 * without a server error, and write exactly one request log line and no error line.
 *
 * Regression (issue #16, defect 3): a `<prefix>-flow-` cookie whose name a Set-Cookie cannot
 * carry (a space, a comma, a non-ASCII character) made every sign-in start throw while
 * echoing the name back to clear it: CloudFront answered 503 and nothing was logged.
 */
import { randomBytes } from 'node:crypto';
import type { CloudFrontRequest } from 'aws-lambda';
import fc from 'fast-check';
import { createCallbackHandler } from '../../lambdas/callback/handler';
import type { RequestEvent, RequestLogger } from '../../lambdas/core/request-events';
import { createViewerHandler } from '../../lambdas/edge/handler';
import { MemorySessionStore } from '../../lambdas/store/memory';
import { validateGeneratedResponse, validateViewerRequestResult } from '../../local/cloudfront/validate';
import { isResponse, keySet, NOW, securityConfig, sessionCookie, SITE, stubProvider, viewerEvent } from './support';

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
    const handler = createViewerHandler({
      config,
      keys: async () => keys,
      providers: new Map([['corp', stubProvider()]]),
      random: randomBytes,
      clock: () => NOW * 1000,
      sessions,
      log,
    });
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
    const handler = createCallbackHandler({
      config,
      keys: async () => keys,
      providers: new Map([['corp', stubProvider()]]),
      sessions: new MemorySessionStore(),
      random: randomBytes,
      clock: () => NOW * 1000,
      log,
    });
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
