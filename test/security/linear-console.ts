/**
 * The linear-parsing properties (linear-parsing.property.test.ts) for the access rules and
 * the admin console: the rules alone and in the API authorizer (request path, route ARN), and
 * the console's Lambda handler as a whole (its route, the email search, the user reference, the
 * session id, the page cursor, the form and its CSRF token, the cookies).
 *
 * Regression (issue #23, item 9): the console's routes trimmed trailing slashes with
 * `path.replace(/\/+$/, '')`; 8,000 slashes and an "x" made V8 retry the pattern at every
 * slash, quadratic time for one request.
 */
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { createAuthorizerHandler, type AuthorizerEvent } from '../../lambdas/authorizer/handler';
import { createAdminHandler } from '../../lambdas/admin/handler';
import { checkPathAccess } from '../../lambdas/core/access/check-access';
import type { EdgeConfig } from '../../lambdas/core/config/types';
import { accessRules } from '../../lambdas/core/access/path-rules';
import { csrfToken } from '../../lambdas/core/admin/csrf';
import { HOST_HEADER } from '../../lambdas/core/viewer/identity-headers';
import { MemorySessionStore } from '../../lambdas/store/memory/sessions';
import { MemoryMauStore } from '../../lambdas/store/memory/mau';
import { MemoryUserStore } from '../../lambdas/store/memory/users';
import { expectLinear, hostile, LIMIT, ordinary, RUNS, SIZE, type Hostile } from '../support/linear';
import { slowdownAsync } from '../support/timing';
import { httpEventV2, restEvent } from '../authorizer/events';
import { handlerDeps, keySet, NOW, securityConfig, sessionCookie, SITE } from './support';

const rulesConfig = () =>
  securityConfig({
    publicPaths: ['/public/', '/health'],
    paths: [
      { prefix: '/admin/', allow: { emails: ['ada@example.com'] } },
      { prefix: '/docs/internal/', allow: { emailDomains: ['example.com'] } },
    ],
  });

export async function accessRulesLinearity(): Promise<void> {
  const config = rulesConfig();
  const rules = (uri: string) => {
    const access = accessRules(config);
    access.isPublic(uri);
    access.rulesFor(uri);
    return checkPathAccess(config, uri, { prv: 'corp', email: 'ada@example.com', groups: [] });
  };
  const paths = hostile(['/', '/public/', '/admin/', '/docs/internal/', '/health'], ['', 'x', '/', '.', '%2e']);
  // An ordinary path with an escape now and then: like a hostile one, it is normalised (a plain path is not).
  expectLinear('access rules', rules, paths, ordinary('section/page%20name.html/', '/public/'));
  await authorizerPaths(config);
}

/**
 * The API authorizer with path rules and a signed-in session: the request path is read by the
 * access rules, and its route ARN (which carries the path after the stage) by the policy.
 */
async function authorizerPaths(config: EdgeConfig): Promise<void> {
  const { keys } = keySet();
  const handler = createAuthorizerHandler({ config, keys: async () => keys, providers: new Map(), random: randomBytes, clock: () => NOW * 1000 });
  const cookies = [`edge-oauth=${(await sessionCookie(config, keys)).value}`];
  const authorize = (event: AuthorizerEvent) => handler(event).catch((error: unknown) => error);
  // Every unit once (a whole request costs ~1 ms here: the rules alone, above, take every suffix).
  const paths = hostile(['/admin/', '/', '/public/', '/docs/internal/'], ['x']);
  const asHttp = (b: Hostile) => httpEventV2({ cookies, path: b(SIZE) });
  const asRest = (b: Hostile) => restEvent({ cookies, path: b(SIZE) });
  const requests = fc.oneof(paths.arbitrary.map(asHttp), paths.arbitrary.map(asRest));
  const path = ordinary('section/page%20name.html/', '/public/');
  const normal = [httpEventV2({ cookies, path }), restEvent({ cookies, path })] as const;
  await fc.assert(
    fc.asyncProperty(requests, async (event) => {
      const baseline = 'version' in event && event.version === '2.0' ? normal[0] : normal[1];
      const { ratio } = await slowdownAsync(() => authorize(event), () => authorize(baseline), LIMIT);
      if (ratio > LIMIT) throw new Error(`authorizer path: ${JSON.stringify(event).slice(0, 120)} is ${ratio.toFixed(1)}x an ordinary request`);
    }),
    { numRuns: RUNS + 2 * paths.examples.length, examples: [...paths.examples.map(asHttp), ...paths.examples.map(asRest)].map((e) => [e]) },
  );
}

async function adminSetup() {
  const config = securityConfig({ admin: { emails: ['ada@example.com'] } });
  const { keys } = keySet();
  const sessions = new MemorySessionStore(() => NOW);
  const users = new MemoryUserStore();
  await sessions.createSession({ sessionId: 'sid-0123456789abcdef', provider: 'corp', userId: 'u-1', createdAt: NOW - 60, expiresAt: NOW + 3600 });
  await users.upsertOnSignIn({ provider: 'corp', userId: 'u-1', email: 'ada@example.com', at: NOW - 60, host: SITE });
  const handler = createAdminHandler(handlerDeps(config, keys, { sessions, users, mau: new MemoryMauStore() }));
  const session = `edge-oauth=${(await sessionCookie(config, keys)).value}`;
  return { handler, session, csrf: csrfToken(keys, 'sid-0123456789abcdef') };
}

interface AdminRequest {
  readonly method?: 'GET' | 'POST';
  readonly path: string;
  readonly query?: string;
  readonly form?: string;
  readonly cookie?: string;
}

function adminEvent(session: string, req: AdminRequest): LambdaFunctionURLEvent {
  const method = req.method ?? 'GET';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: req.path,
    rawQueryString: req.query ?? '',
    headers: { [HOST_HEADER]: SITE, 'sec-fetch-site': 'same-origin', ...(req.form !== undefined && { 'content-type': 'application/x-www-form-urlencoded' }) },
    cookies: req.cookie === undefined ? [session] : [session, req.cookie],
    requestContext: { http: { method, path: req.path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'ua' } } as LambdaFunctionURLEvent['requestContext'],
    ...(req.form !== undefined && { body: Buffer.from(req.form).toString('base64') }),
    isBase64Encoded: req.form !== undefined,
  } as LambdaFunctionURLEvent;
}

export async function adminConsoleLinearity(): Promise<void> {
  const { handler, session, csrf } = await adminSetup();
  const call = (req: AdminRequest) => handler(adminEvent(session, req));
  // The run before an "x" is what made the old trailing-slash regex quadratic: every unit is tried so.
  const path = hostile(['/auth/admin', '/auth/admin/users', '/auth/admin/revoke'], ['x', '', '/']);
  const search = hostile(['email=', 'email=a@', 'cursor='], ['', 'x', '&email=a@b']);
  const target = hostile(['user=', 'user=corp:', 'user=corp:u-1&session=', 'user=corp:u-1&revoked='], ['', 'x', '&user=corp:u-1']);
  const form = hostile([`csrf=${csrf}&user=corp:u-1&session=`, 'csrf=', `csrf=${csrf}&user=`], ['', 'x', '&session=s']);
  const cookie = hostile(['', 'edge-oauth=', 'a=1; '], ['', 'x', '=x']);
  const asPath = (b: Hostile): AdminRequest => ({ path: b(SIZE) });
  const asSearch = (b: Hostile): AdminRequest => ({ path: '/auth/admin/users', query: b(SIZE) });
  const asTarget = (b: Hostile): AdminRequest => ({ path: '/auth/admin/revoke', query: b(SIZE) });
  // A form is refused past 8,192 bytes: a run of 2-byte characters is cut to stay a form.
  const asForm = (b: Hostile): AdminRequest => ({ method: 'POST', path: '/auth/admin/revoke', form: b(SIZE).slice(0, 4000) });
  const asCookie = (b: Hostile): AdminRequest => ({ path: '/auth/admin/users', cookie: b(SIZE) });
  const requests = fc.oneof(path.arbitrary.map(asPath), search.arbitrary.map(asSearch), target.arbitrary.map(asTarget), form.arbitrary.map(asForm), cookie.arbitrary.map(asCookie));
  const normal: AdminRequest = { path: ordinary('users/', '/auth/admin/'), cookie: ordinary('theme=dark; ').slice(0, 2000) };
  const examples = path.examples.filter((_, i) => i % 3 === 0).map(asPath);
  await fc.assert(
    fc.asyncProperty(requests, async (request) => {
      const { ratio } = await slowdownAsync(() => call(request), () => call(normal), LIMIT);
      if (ratio > LIMIT) throw new Error(`admin handler: ${JSON.stringify(request).slice(0, 100)} is ${ratio.toFixed(1)}x an ordinary request`);
    }),
    { numRuns: RUNS + examples.length, examples: examples.map((r) => [r]) },
  );
}
