/**
 * The viewer-request decision, independent of CloudFront's event format: forward (with
 * identity headers) or answer (redirect to sign in, a page). The fast path — a valid
 * session cookie and no check due — is synchronous work in memory, no network call.
 */
import { AssertionCache, assertionIssuer } from './assertion';
import type { EdgeConfig } from './config/types';
import { clearCookie } from './cookies';
import { SigningKeysMissingError } from './errors';
import { HOST_HEADER, identityHeaders, VIEWER_IP_HEADER } from './identity-headers';
import { answerJwks } from './jwks';
import type { KeySet } from './keys';
import { PAGE_HEADERS, renderPage, signInHref } from './pages';
import { CALLBACK_PATH, classifyPath, type SpecialPath } from './paths';
import type { Provider } from './providers/types';
import type { RandomBytes } from './random';
import { sanitizeReturnPath, returnPathOf } from './return-path';
import { checkSession } from './check-session';
import { readSession, sessionCookieName, type SessionClaims } from './session';
import type { CheckResult, SessionChecks } from './session-checks';
import type { SessionStore } from './stores';
import { checkFailurePage, tokenHeaders, withStoredIdentity } from './viewer-checks';
import { page, startSignIn } from './viewer-sign-in';

export interface ViewerContext {
  readonly config: EdgeConfig;
  readonly keys: KeySet;
  readonly providers: ReadonlyMap<string, Provider>;
  /** Epoch seconds. */
  readonly now: number;
  readonly random: RandomBytes;
  /** `https` behind CloudFront; `http` only for the local stack. */
  readonly scheme: 'https' | 'http';
  readonly sessions?: SessionStore | undefined;
  /** The container's session checks (revocation, inactivity, continuous authorization, MAU). @default - the cookie alone decides */
  readonly checks?: SessionChecks | undefined;
  readonly onError?: ((error: unknown, where: string) => void) | undefined;
  /** Minted identity assertions, reused while fresh: one per container. @default - a module-wide cache */
  readonly assertions?: AssertionCache | undefined;
}

export interface ViewerRequest {
  readonly method: string;
  readonly uri: string;
  /** Raw query string, without `?`. */
  readonly querystring: string;
  readonly host: string;
  readonly cookieHeaders: readonly string[];
  /** The viewer's IP and user agent (App User last seen). */
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
  /** The browser's `Sec-Fetch-Mode` (`navigate` for a page load), when sent. */
  readonly fetchMode?: string | undefined;
}

export type Decision = 'allow' | 'block' | 'redirect' | 'special';

export interface Outcome {
  readonly decision: Decision;
  readonly reason: string;
  readonly session?: SessionClaims;
  /** Network calls the decision made (session checks), for the request event. */
  readonly checks?: readonly string[];
}

export type ViewerAction =
  | (Outcome & {
      readonly action: 'forward';
      /** Headers to add (lowercase name, value). */
      readonly headers: ReadonlyArray<readonly [string, string]>;
      /** Keep edge-oauth's cookies in the Cookie header (only for the callback). */
      readonly keepOwnCookies?: boolean;
      readonly uri?: string;
    })
  | (Outcome & {
      readonly action: 'respond';
      readonly status: number;
      readonly headers: Readonly<Record<string, string>>;
      readonly setCookies: readonly string[];
      readonly body?: string;
    });

/** A fast pre-check: only a path that contains "auth" (or escapes) can be one of ours. */
function mayBeSpecial(uri: string): boolean {
  return uri.includes('%') || uri.includes('\\') || /auth/i.test(uri);
}

export async function decideViewerRequest(ctx: ViewerContext, req: ViewerRequest): Promise<ViewerAction> {
  const special: SpecialPath = mayBeSpecial(req.uri) ? classifyPath(req.uri) : { kind: 'app' };
  if (special.kind !== 'app') return decideSpecial(ctx, req, special);

  if (req.method === 'OPTIONS' && ctx.config.optionsPassthrough) {
    return { action: 'forward', decision: 'allow', reason: 'options-passthrough', headers: [] };
  }
  // The same check as the API Gateway authorizer's (check-session.ts); only the answer differs.
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
        const location = req.querystring === '' ? CALLBACK_PATH : `${CALLBACK_PATH}?${req.querystring}`;
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
      });
    case 'logout':
      return logout(ctx, req, params);
    case 'jwks':
      return jwks(ctx, req);
    default:
      return notFound(ctx);
  }
}

function notFound(ctx: ViewerContext): ViewerAction {
  return page(ctx, 404, 'special', 'not-found', {
    title: 'Not found',
    paragraphs: ['There is nothing at this address.'],
    links: [{ href: '/', label: 'Go to the home page' }],
  });
}

/**
 * A valid cookie and what the session checks said (check-session.ts): forward with the
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
  const headers = await forwardHeaders(ctx, req, withStoredIdentity(claims, result));
  headers.push(...tokenHeaders(ctx.config, result));
  return { action: 'forward', decision: 'allow', reason: result?.reason ?? 'session', session: claims, headers, ...checks };
}

/** Module-wide fallback for callers that pass no cache (the handler passes its own). */
const sharedAssertions = new AssertionCache();

/**
 * What the origin receives about the user: the identity headers and, when enabled, the
 * signed identity assertion (assertion.ts), reused from the cache while fresh, so the fast
 * path signs nothing on most requests. No signing key with the assertion enabled fails
 * closed (an error, so nothing is forwarded), never a request without the assertion.
 */
async function forwardHeaders(ctx: ViewerContext, req: ViewerRequest, claims: SessionClaims): Promise<Array<[string, string]>> {
  const headers = identityHeaders(ctx.config, claims);
  const { assertion } = ctx.config;
  if (!assertion.enabled) return headers;
  const signing = ctx.keys.signing;
  if (signing === undefined) throw new SigningKeysMissingError();
  const cache = ctx.assertions ?? sharedAssertions;
  headers.push([assertion.header, await cache.assertionFor(ctx.config, signing, claims, assertionIssuer(ctx.config, ctx.scheme, req.host), ctx.now)]);
  return headers;
}

/** The public signing keys, answered here and never forwarded. Without signing keys: 404, or an error when the assertion is on. */
function jwks(ctx: ViewerContext, req: ViewerRequest): ViewerAction {
  const signing = ctx.keys.signing;
  if (signing === undefined) {
    if (ctx.config.assertion.enabled) throw new SigningKeysMissingError();
    return notFound(ctx);
  }
  const answer = answerJwks(signing, req.method);
  return {
    action: 'respond',
    decision: 'special',
    reason: answer.status === 200 ? 'jwks' : 'jwks-method',
    status: answer.status,
    headers: answer.headers,
    setCookies: [],
    ...(answer.body !== undefined && { body: answer.body }),
  };
}

async function logout(ctx: ViewerContext, req: ViewerRequest, params: URLSearchParams): Promise<ViewerAction> {
  const lookup = readSession(ctx.config, ctx.keys, req.cookieHeaders, ctx.now);
  const session = lookup.status === 'valid' || lookup.status === 'expired' ? lookup.claims : undefined;
  if (session !== undefined && ctx.sessions !== undefined) {
    try {
      ctx.checks?.revoked(session.sid);
      await ctx.sessions.revokeSession(session.sid, ctx.now, 'logout');
    } catch (error) {
      // The cookie is cleared either way; the record expires or is revoked by the operator.
      ctx.onError?.(error, 'logout-revoke');
    }
  }
  const setCookies = [clearCookie(sessionCookieName(ctx.config))];
  const rd = params.get('rd');
  const base = { decision: 'special' as const, reason: 'logout', ...(session !== undefined && { session }) };
  if (rd !== null) {
    return { ...base, action: 'respond', status: 302, headers: { location: sanitizeReturnPath(rd), 'cache-control': 'no-store' }, setCookies };
  }
  return {
    ...base,
    action: 'respond',
    status: 200,
    headers: PAGE_HEADERS,
    setCookies,
    body: renderPage({
      siteName: ctx.config.site.name,
      title: 'You are signed out',
      paragraphs: [`You have been signed out of ${ctx.config.site.name}.`],
      links: [{ href: signInHref(), label: 'Sign in again' }],
    }),
  };
}
