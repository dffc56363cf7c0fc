/**
 * The viewer-request decision, independent of CloudFront's event format: forward (with
 * identity headers) or answer (redirect to sign in, a page). The fast path — a valid
 * session cookie and no check due — is synchronous work in memory, no network call.
 */
import { checkPathAccess } from '../access/check-access';
import { accessRules } from '../access/path-rules';
import { SigningKeysMissingError } from '../errors';
import { checkSession } from '../session/check-session';
import type { CheckResult } from '../session/container-checks';
import { cookieGroups, sessionCookieName, type SessionClaims } from '../session/session-cookie';
import { clearCookie } from '../shared/cookies';
import { returnPathOf, sanitizeReturnPath } from '../sign-in/return-path';
import { adminForward } from './admin-forward';
import { AssertionCache, assertionIssuer } from './assertion';
import { checkFailurePage, tokenHeaders, withStoredIdentity } from './check-failure';
import { HOST_HEADER, identityHeaders, VIEWER_IP_HEADER } from './identity-headers';
import { answerJwksRequest } from './jwks';
import { logout } from './logout';
import { isPassthroughPreflight, OPTIONS_PASSTHROUGH } from './options-passthrough';
import { notFoundPage, pathDeniedPage } from './pages';
import { startSignIn } from './sign-in-start';
import { asciiQuery, CALLBACK_PATH, classifyPath, type SpecialPath } from './special-paths';
import type { ViewerAction, ViewerContext, ViewerRequest } from './types';

export type { Outcome, ViewerAction, ViewerContext, ViewerRequest } from './types';

/** A fast pre-check: only a path that contains "auth" (or escapes) can be one of ours. */
function mayBeSpecial(uri: string): boolean {
  return uri.includes('%') || uri.includes('\\') || /auth/i.test(uri);
}

export async function decideViewerRequest(ctx: ViewerContext, req: ViewerRequest): Promise<ViewerAction> {
  const special: SpecialPath = mayBeSpecial(req.uri) ? classifyPath(req.uri) : { kind: 'app' };
  if (special.kind !== 'app') return decideSpecial(ctx, req, special);

  if (isPassthroughPreflight(ctx.config, req.method)) return OPTIONS_PASSTHROUGH;
  if (accessRules(ctx.config).isPublic(req.uri)) return servePublic(ctx, req);
  // The same check as the API Gateway authorizer's (session/check-session.ts); only the answer differs.
  const session = await checkSession(ctx, req);
  if (session.status === 'valid') return allowSession(ctx, req, session.claims, session.result);
  const clear = session.status === 'none' ? [] : [clearCookie(sessionCookieName(ctx.config))];
  const reason = session.status === 'none' ? 'no-session' : session.status === 'expired' ? 'session-expired' : 'session-invalid';
  return startSignIn(ctx, req, { returnPath: returnPathOf(req.uri, req.querystring), reauthenticate: false, reason, extraCookies: clear });
}

async function decideSpecial(ctx: ViewerContext, req: ViewerRequest, special: SpecialPath): Promise<ViewerAction> {
  const params = new URLSearchParams(req.querystring);
  switch (special.kind) {
    case 'callback':
      if (req.uri !== CALLBACK_PATH) {
        // CloudFront picks the behaviour from the raw path, case-sensitively, before this
        // function runs: "/AUTH/callback" or "/auth//callback" is on the default behaviour,
        // and forwarding it would hand the code and the flow cookie to the site's origin.
        // Send the browser to the one spelling that reaches the callback origin.
        const location = req.querystring === '' ? CALLBACK_PATH : `${CALLBACK_PATH}?${asciiQuery(req.querystring)}`;
        return { action: 'respond', decision: 'special', reason: 'callback-canonical', status: 302, headers: { location, 'cache-control': 'no-store' }, setCookies: [] };
      }
      // Through to the callback origin, with the viewer's host and IP (the function URL sees neither).
      return {
        action: 'forward',
        decision: 'special',
        reason: 'callback',
        headers: req.ip !== undefined ? [[HOST_HEADER, req.host], [VIEWER_IP_HEADER, req.ip]] : [[HOST_HEADER, req.host]],
        keepOwnCookies: true,
      };
    case 'authn':
    case 'login':
      return startSignIn(ctx, req, {
        returnPath: sanitizeReturnPath(params.get('rd')),
        reauthenticate: special.kind === 'authn',
        reason: special.kind,
        providerId: params.get('provider') ?? undefined,
        extraCookies: [],
        retry: params.get('retry') === '1',
      });
    case 'logout':
      return logout(ctx, req, params);
    case 'jwks':
      return answerJwksRequest(ctx, req);
    case 'admin':
      // No console configured: nothing is there (and no behaviour routes it anywhere).
      return ctx.config.admin.emails.length > 0 ? adminForward(ctx, req) : notFoundPage(ctx.config.site.name);
    default:
      return notFoundPage(ctx.config.site.name);
  }
}


/**
 * A valid cookie and what the session checks said (session/check-session.ts): forward with the
 * stored identity, or sign in again (revoked, inactive...), or a page (403 no longer
 * allowed, 503 a due check cannot be done past the grace period).
 */
async function allowSession(ctx: ViewerContext, req: ViewerRequest, claims: SessionClaims, result: CheckResult | undefined): Promise<ViewerAction> {
  const checks = result !== undefined && result.calls.length > 0 ? { checks: result.calls } : {};
  if (result?.status === 'signin') {
    const returnPath = returnPathOf(req.uri, req.querystring);
    return startSignIn(ctx, req, { returnPath, reauthenticate: false, reason: result.reason, extraCookies: [clearCookie(sessionCookieName(ctx.config))], ...checks });
  }
  if (result?.status === 'denied' || result?.status === 'unavailable') {
    const answer = checkFailurePage(ctx.config, claims, result, returnPathOf(req.uri, req.querystring));
    return { action: 'respond', decision: 'block', session: claims, ...answer, ...checks };
  }
  const who = withStoredIdentity(ctx.config, claims, result);
  // The path rules on top of the allow-list the session passed (access/check-access.ts).
  const access = checkPathAccess(ctx.config, req.uri, { prv: who.prv, email: who.email, groups: cookieGroups(who) });
  if (access.allowed === false) return { ...pathDeniedPage(ctx.config, who), session: claims, ...checks };
  if (access.allowed === 'unknown') {
    const answer = checkFailurePage(ctx.config, claims, { status: 'unavailable', reason: 'store-unavailable', calls: [] }, returnPathOf(req.uri, req.querystring));
    return { action: 'respond', decision: 'block', session: claims, ...answer, reason: access.reason, ...checks };
  }
  const headers = forwardHeaders(ctx, req, who);
  headers.push(...tokenHeaders(ctx.config, result));
  return { action: 'forward', decision: 'allow', reason: result?.reason ?? 'session', session: claims, headers, ...checks };
}

/**
 * A public path (config `publicPaths`): forwarded without a session. The identity headers
 * were stripped like on every request; they are added when a valid session happens to be
 * present and its checks pass. Nothing about the session (expired, revoked, a check that
 * cannot be done) stops a public path: it is then forwarded anonymously.
 */
async function servePublic(ctx: ViewerContext, req: ViewerRequest): Promise<ViewerAction> {
  const session = req.cookieHeaders.length > 0 ? await checkSession(ctx, req) : undefined;
  if (session?.status === 'valid' && (session.result === undefined || session.result.status === 'ok')) {
    const checks = session.result !== undefined && session.result.calls.length > 0 ? { checks: session.result.calls } : {};
    const headers = forwardHeaders(ctx, req, withStoredIdentity(ctx.config, session.claims, session.result));
    headers.push(...tokenHeaders(ctx.config, session.result));
    return { action: 'forward', decision: 'allow', reason: 'public-session', session: session.claims, headers, ...checks };
  }
  return { action: 'forward', decision: 'allow', reason: 'public', headers: [] };
}

/** Module-wide fallback for callers that pass no cache (the handler passes its own). */
const sharedAssertions = new AssertionCache();

/**
 * What the origin receives about the user: the identity headers and, when enabled, the
 * signed identity assertion (assertion.ts), reused from the cache while fresh, so the fast
 * path signs nothing on most requests. No signing key with the assertion enabled fails
 * closed (an error, so nothing is forwarded), never a request without the assertion.
 */
function forwardHeaders(ctx: ViewerContext, req: ViewerRequest, claims: SessionClaims): Array<[string, string]> {
  const headers = identityHeaders(ctx.config, claims);
  const { assertion } = ctx.config;
  if (!assertion.enabled) return headers;
  const signing = ctx.keys.signing;
  if (signing === undefined) throw new SigningKeysMissingError();
  const cache = ctx.assertions ?? sharedAssertions;
  headers.push([assertion.header, cache.assertionFor(ctx.config, signing, claims, assertionIssuer(ctx.config, ctx.scheme, req.host), ctx.now)]);
  return headers;
}

