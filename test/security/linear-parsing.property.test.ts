/**
 * Property: every parser on the request path is linear (the viewer's, the callback's and
 * the API authorizer's, each also timed as a whole handler). Hostile inputs (long runs of one
 * character or one short pattern, the shapes that make backtracking regexes and repeated
 * scans super-linear) are timed against ordinary inputs of the same length; no absolute
 * threshold, so a busy machine does not fail it (test/support/timing.ts).
 *
 * Regression (issue #16, defect 5): path normalisation trimmed trailing dots with
 * `/\.+$/`; an 8 KB path of dots and an "x" cost ~150 ms, ~300 times a normal request.
 * Regression (issue #23, item 9): the admin console trimmed trailing slashes with `/\/+$/`
 * (the same shape): its routes, its query and form fields, the access rules (public paths,
 * path rules) and the authorizer's route ARN are in the suite too.
 */
import { randomBytes } from 'node:crypto';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import fc from 'fast-check';
import { createAuthorizerHandler, type AuthorizerEvent } from '../../lambdas/authorizer/handler';
import { createCallbackHandler } from '../../lambdas/callback/handler';
import { cookieValues, parseCookies, withoutCookies } from '../../lambdas/core/shared/cookies';
import { returnPathOf } from '../../lambdas/core/sign-in/return-path';
import { headerValue, isReservedHeader, reservedHeaderNames } from '../../lambdas/core/viewer/identity-headers';
import { classifyPath } from '../../lambdas/core/viewer/special-paths';
import { isOwnCookie } from '../../lambdas/core/session/session-cookie';
import { expectLinear, hostile, LIMIT, ordinary, RUNS, SIZE, type Hostile } from '../support/linear';
import { slowdownAsync } from '../support/timing';
import { MemorySessionStore } from '../../lambdas/store/memory/sessions';
import { httpEventV2, restEvent } from '../authorizer/events';
import { edge, handlerDeps, keySet, NOW, securityConfig, SITE } from './support';
import { adminConsoleLinearity, accessRulesLinearity } from './linear-console';

const config = securityConfig();
const reserved = reservedHeaderNames(config);

describe('request-path parsers are linear (property, relative timing)', () => {
  test('path normalisation and classification', () => {
    expectLinear('classifyPath', classifyPath, hostile(['/', '/auth/', '/auth', '/%61uth/'], ['', 'x', '/', '.x', '/callback', '%']), ordinary('section/page-name.html/', '/auth/'));
  });

  test('query string: the return path and the parameters', () => {
    const query = (qs: string) => {
      returnPathOf('/page', qs);
      return new URLSearchParams(qs).get('rd');
    };
    expectLinear('query', query, hostile(['', 'rd=', 'rd=/', 'a=1&'], ['', 'x', '&rd=/x']), ordinary('key=value&'));
  });

  test('cookies: the jar, one name, and the header passed to the origin', () => {
    const cookies = (header: string) => {
      parseCookies([header]);
      cookieValues([header], 'edge-oauth');
      return withoutCookies([header], (n) => isOwnCookie(config, n));
    };
    expectLinear('cookies', cookies, hostile(['', 'edge-oauth=', 'edge-oauth-flow-', 'a=1; '], ['', 'x', '=x', '; edge-oauth=v']), ordinary('theme=dark; '));
  });

  test('header names (reserved-name check) and identity header values', () => {
    expectLinear('header name', (name) => isReservedHeader(reserved, name), hostile(['', 'x-', 'edge-oauth-'], ['', 'x', '_']), ordinary('X-Custom-Header'));
    expectLinear('header value', headerValue, hostile(['', 'Ada '], ['', 'x', '\ud800']), ordinary('Ada Lovelace '));
  });

  test('the whole viewer handler: hostile path, query, cookie or header against an ordinary request', async () => {
    const { keys } = keySet();
    const { handle } = edge({ keys });
    const requests = fc.oneof(
      hostile(['/', '/auth/', '/auth'], ['', 'x', '/x']).arbitrary.map((b) => ({ uri: b(SIZE) })),
      hostile(['rd=', 'a='], ['', 'x']).arbitrary.map((b) => ({ uri: '/auth/login', querystring: b(SIZE) })),
      hostile(['', 'edge-oauth-flow-'], ['', '=x']).arbitrary.map((b) => ({ uri: '/', headers: [['Cookie', b(SIZE)]] as [string, string][] })),
      hostile(['x-', 'edge-oauth-'], ['', '_']).arbitrary.map((b) => ({ uri: '/', headers: [[b(SIZE), 'v']] as [string, string][] })),
    );
    const normal = { uri: ordinary('section/page-name.html/', '/'), headers: [['Cookie', ordinary('theme=dark; ').slice(0, 2000)]] as [string, string][] };
    await fc.assert(
      fc.asyncProperty(requests, async (request) => {
        const { ratio } = await slowdownAsync(() => handle(request), () => handle(normal), LIMIT);
        if (ratio > LIMIT) throw new Error(`viewer handler: ${JSON.stringify(request).slice(0, 80)} is ${ratio.toFixed(1)}x an ordinary request`);
      }),
      { numRuns: RUNS },
    );
  });
  test('the whole callback handler (function URL event): hostile query string or cookies against an ordinary request', async () => {
    const { keys } = keySet();
    const handler = createCallbackHandler(handlerDeps(config, keys, { sessions: new MemorySessionStore() }));
    const callback = (input: { query?: string; cookies?: string[] }) =>
      handler({
        version: '2.0',
        rawPath: '/auth/callback',
        rawQueryString: input.query ?? 'code=c&state=s',
        ...(input.cookies !== undefined && { cookies: input.cookies }),
        headers: { host: SITE },
        requestContext: { http: { method: 'GET', path: '/auth/callback', protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'ua' } },
        isBase64Encoded: false,
      } as unknown as LambdaFunctionURLEvent);
    const query = hostile(['code=c&state=', 'state=', 'error=', '', 'code='], ['', 'x', '&state=x', '%']);
    const cookies = hostile(['', 'edge-oauth-flow-', 'edge-oauth-flow-0=', 'a=1; '], ['', 'x', '=x', '; edge-oauth-flow-1=v']);
    const asQuery = (b: Hostile) => ({ query: b(SIZE) });
    const asCookies = (b: Hostile) => ({ cookies: [b(SIZE)] });
    const requests = fc.oneof(query.arbitrary.map(asQuery), cookies.arbitrary.map(asCookies));
    const normal = { query: `code=c&state=${ordinary('abcdefgh').slice(0, SIZE - 13)}`, cookies: [ordinary('theme=dark; ').slice(0, 2000)] };
    await fc.assert(
      fc.asyncProperty(requests, async (request) => {
        const { ratio } = await slowdownAsync(() => callback(request), () => callback(normal), LIMIT);
        if (ratio > LIMIT) throw new Error(`callback handler: ${JSON.stringify(request).slice(0, 80)} is ${ratio.toFixed(1)}x an ordinary request`);
      }),
      // Every listed unit too (a run of "." then "x" must be tried), then RUNS random ones.
      { numRuns: RUNS + query.examples.length + cookies.examples.length, examples: [...query.examples.map(asQuery), ...cookies.examples.map(asCookies)].map((r) => [r]) },
    );
  });

  test('the whole API authorizer: hostile Cookie header (identity source), cookies list or header name against an ordinary request', async () => {
    const { keys } = keySet();
    const handler = createAuthorizerHandler({ config, keys: async () => keys, providers: new Map(), random: randomBytes, clock: () => NOW * 1000 });
    // A REST API's 401 is a thrown "Unauthorized": timed like any answer.
    const authorize = (event: AuthorizerEvent) => handler(event).catch((error: unknown) => error);
    const withHeader = (event: AuthorizerEvent, name: string) => {
      const e = event as { headers?: Record<string, string>; multiValueHeaders?: Record<string, string[]> };
      return { ...event, headers: { ...e.headers, [name]: 'v' }, ...(e.multiValueHeaders !== undefined && { multiValueHeaders: { ...e.multiValueHeaders, [name]: ['v'] } }) } as AuthorizerEvent;
    };
    const cookie = hostile(['', 'edge-oauth=', 'edge-oauth-flow-', 'a=1; '], ['', 'x', '=x', '; edge-oauth=v']);
    const header = hostile(['x-', 'cookie', 'edge-oauth-'], ['', '_']);
    const asHttp = (b: Hostile) => httpEventV2({ cookies: [b(SIZE)] });
    const asRest = (b: Hostile) => restEvent({ cookies: [b(SIZE)] });
    const asHeader = (b: Hostile) => withHeader(restEvent({ cookies: ['theme=dark'] }), b(SIZE));
    const requests = fc.oneof(cookie.arbitrary.map(asHttp), cookie.arbitrary.map(asRest), header.arbitrary.map(asHeader));
    // As for the viewer: an ordinary Cookie header of 2 KB (~170 cookies). A full 8 KB of small
    // cookies costs ~0.3 ms here, which hid a quadratic regex (~85x, under LIMIT) in a trial.
    const ordinaryCookies = ordinary('theme=dark; ').slice(0, 2000);
    const normal = [httpEventV2({ cookies: [ordinaryCookies] }), restEvent({ cookies: [ordinaryCookies] })] as const;
    await fc.assert(
      fc.asyncProperty(requests, async (event) => {
        const baseline = 'version' in event && event.version === '2.0' ? normal[0] : normal[1];
        const { ratio } = await slowdownAsync(() => authorize(event), () => authorize(baseline), LIMIT);
        if (ratio > LIMIT) throw new Error(`authorizer: ${JSON.stringify(event).slice(0, 120)} is ${ratio.toFixed(1)}x an ordinary request`);
      }),
      { numRuns: RUNS + 2 * cookie.examples.length + header.examples.length, examples: [...cookie.examples.map(asHttp), ...cookie.examples.map(asRest), ...header.examples.map(asHeader)].map((e) => [e]) },
    );
  });

  test('the access rules: public paths and path rules, alone and in the whole API authorizer (path, route ARN)', () => accessRulesLinearity(), 180_000);
  test('the whole admin console handler: hostile path, query, form or cookie against an ordinary request', () => adminConsoleLinearity(), 180_000);
});
