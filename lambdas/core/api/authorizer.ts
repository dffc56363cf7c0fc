/**
 * The API Gateway authorizer's decision, independent of API Gateway's event formats: the
 * same session check as the site (session/check-session.ts: the cookie, then revocation,
 * inactivity, maximum duration, continuous authorization with the allow-list), answered
 * for an API instead of a browser page:
 *
 * - allow: the identity goes to the integration as authorizer context (strings only);
 * - unauthorized (no, invalid, expired, revoked, inactive... session): 401, sign in;
 * - forbidden (signed in, but the allow-list no longer admits the user): 403;
 * - unavailable (a due check cannot be done past the grace period): fail closed.
 *
 * The access rules are the site's, through the same core code (access/): a public path
 * (config `publicPaths`) is allowed without a session (an empty identity), a path rule
 * (config `paths`) answers forbidden to a user it does not admit. They are matched on the
 * path the API received. Because such answers depend on the path, the config then makes
 * `api.cacheTtl` 0 (config/access-rules.ts): API Gateway caches per Cookie header only.
 *
 * API Gateway caches an answer per `Cookie` header for `config.api.cacheTtl` seconds, and an
 * authorizer cannot shorten that per answer. So that a cached answer keeps every promise the
 * site makes: the authorizer's own checks re-read a session `cacheTtl` sooner than the site's
 * (`authorizerConfig`), and a session that ends within `cacheTtl` is not allowed any more.
 */
import { checkPathAccess } from '../access/check-access';
import { groupsOut } from '../access/groups-out';
import { accessRules } from '../access/path-rules';
import type { EdgeConfig } from '../config/types';
import { checkSession, type SessionCheckContext, type SessionCheckRequest } from '../session/check-session';
import { cookieGroups } from '../session/session-cookie';
import { signInHref } from '../viewer/pages';
import type { SessionClaims } from '../session/session-cookie';
import type { Outcome } from '../viewer/decide';
import { withStoredIdentity } from '../viewer/check-failure';
import { headerValue } from '../viewer/identity-headers';

/** The authorizer context the integration receives (API Gateway allows only string, number and boolean values). */
export interface ApiIdentity {
  readonly [key: string]: string;
  /** The provider's stable user id. */
  readonly userId: string;
  /** Display name; '' when the provider gives none. Every value is header-safe: `%`, controls and non-ASCII percent-encoded (UTF-8), like the site's identity headers. */
  readonly userName: string;
  /** Email, lowercased; '' when the provider gives none. */
  readonly userEmail: string;
  /** The provider's `id` (config `providers[].id`). */
  readonly provider: string;
  /** The user's groups, as the `edge-oauth-user-groups` header carries them; '' when none. */
  readonly userGroups: string;
}

export type ApiDecision = Outcome &
  (
    | { readonly kind: 'allow'; readonly principalId: string; readonly identity: ApiIdentity }
    | { readonly kind: 'unauthorized' }
    | { readonly kind: 'forbidden'; readonly principalId: string }
    | { readonly kind: 'unavailable' }
  );

/** The HTTP status a client gets for each kind (a REST API's gateway responses; an HTTP API answers 500 for `unavailable`). */
export const API_STATUS = { allow: 200, unauthorized: 401, forbidden: 403, unavailable: 503 } as const;

const NO_SESSION_REASON = { none: 'no-session', invalid: 'session-invalid', expired: 'session-expired' } as const;

/**
 * The config the authorizer's session checks run with: a session is re-read
 * `api.cacheTtl` sooner than at the site, because API Gateway may reuse the answer that long.
 * A revocation so reaches the API within `session.revocationCheckInterval`, as at the site.
 */
export function authorizerConfig(config: EdgeConfig): EdgeConfig {
  const interval = Math.max(0, config.session.revocationCheckInterval - config.api.cacheTtl);
  if (interval === config.session.revocationCheckInterval) return config;
  return { ...config, session: { ...config.session, revocationCheckInterval: interval } };
}

/** When the session ends for certain (its maximum duration, under the current config); undefined: no hard end. */
export function sessionDeadline(config: EdgeConfig, claims: SessionClaims): number | undefined {
  const byConfig = config.session.maxDuration > 0 ? claims.iat + config.session.maxDuration : Infinity;
  const deadline = Math.min(claims.exp ?? Infinity, byConfig);
  return deadline === Infinity ? undefined : deadline;
}

const ANONYMOUS: ApiIdentity = { userId: '', userName: '', userEmail: '', provider: '', userGroups: '' };

/**
 * The authorizer's answer for one request. `path`: the route path (the access rules; none
 * given: no path rules apply; `null`: it cannot be known, so with access rules: unavailable). Never throws for anything the client sent.
 */
export async function decideApiRequest(ctx: SessionCheckContext, req: SessionCheckRequest & { readonly path?: string | null | undefined }): Promise<ApiDecision> {
  if (req.path === null && ((ctx.config.paths?.length ?? 0) > 0 || (ctx.config.publicPaths?.length ?? 0) > 0)) {
    // The route path cannot be known (authorizer/route-path.ts) and the access rules depend
    // on it: fail closed, never a pass on a path no rule could be matched against.
    return { kind: 'unavailable', decision: 'block', reason: 'route-path-unknown' };
  }
  const session = await checkSession(ctx, req);
  const path = req.path ?? '';
  if (path !== '' && accessRules(ctx.config).isPublic(path) && (session.status !== 'valid' || (session.result !== undefined && session.result.status !== 'ok'))) {
    // A public path: allowed without (or despite) the session, with no identity.
    return { kind: 'allow', decision: 'allow', reason: 'public', principalId: 'anonymous', identity: ANONYMOUS };
  }
  if (session.status !== 'valid') {
    return { kind: 'unauthorized', decision: 'block', reason: NO_SESSION_REASON[session.status], ...(session.status === 'expired' && { session: session.claims }) };
  }
  const { claims, result } = session;
  const checks = result !== undefined && result.calls.length > 0 ? { checks: result.calls } : {};
  const base = { decision: 'block' as const, session: claims, ...checks };
  if (result?.status === 'signin') return { ...base, kind: 'unauthorized', reason: result.reason };
  if (result?.status === 'denied') return { ...base, kind: 'forbidden', reason: result.reason, principalId: principalOf(claims) };
  if (result?.status === 'unavailable') return { ...base, kind: 'unavailable', reason: result.reason };

  // API Gateway may serve this answer for cacheTtl more seconds: never past the session's end.
  const deadline = sessionDeadline(ctx.config, claims);
  if (deadline !== undefined && ctx.config.api.cacheTtl > 0 && deadline - ctx.now < ctx.config.api.cacheTtl) {
    return { ...base, kind: 'unauthorized', reason: 'session-ending' };
  }
  const who = withStoredIdentity(ctx.config, claims, result);
  const groups = cookieGroups(who);
  const access = path === '' ? undefined : checkPathAccess(ctx.config, path, { prv: who.prv, email: who.email, groups });
  if (access?.allowed === false) return { ...base, kind: 'forbidden', reason: access.reason, principalId: principalOf(claims) };
  if (access?.allowed === 'unknown') return { ...base, kind: 'unavailable', reason: access.reason };
  return {
    ...base,
    kind: 'allow',
    decision: 'allow',
    reason: result?.reason ?? 'session',
    principalId: principalOf(claims),
    // Encoded as the site's identity headers are (viewer/identity-headers.ts headerValue):
    // the integration maps these values into headers, and a CR, LF or non-ASCII character
    // from a provider must arrive as the same percent-encoding the site's origin decodes.
    identity: {
      userId: headerValue(who.uid),
      userName: headerValue(who.name ?? ''),
      userEmail: headerValue(who.email ?? ''),
      provider: headerValue(who.prv),
      // groupsOut encodes each group like the identity headers already.
      userGroups: groups !== undefined && groups.length > 0 ? groupsOut(ctx.config, who.prv, groups).header : '',
    },
  };
}

/** `<provider>:<user id>`: unique across providers ($context.authorizer.principalId, access logs). */
function principalOf(claims: SessionClaims): string {
  return `${claims.prv}:${claims.uid}`;
}

/**
 * Where a client without a valid session signs in: the site's `/auth/login` (absolute when
 * `site.domain` is set, else relative to the host the API was called on, right for an API
 * served on the site's distribution). A client adds `?rd=<path>` for the page to return to.
 */
export function apiSignInUrl(config: EdgeConfig, options: { reauthenticate?: boolean } = {}): string {
  const path = signInHref({ reauthenticate: options.reauthenticate ?? false });
  return config.site.domain !== undefined ? `https://${config.site.domain}${path}` : path;
}

/**
 * The JSON bodies clients get for a request the authorizer did not allow (REST API gateway
 * responses; docs/api.md). Static: API Gateway renders them without the authorizer.
 */
export function apiErrorBody(config: EdgeConfig, kind: Exclude<ApiDecision['kind'], 'allow'>): string {
  switch (kind) {
    case 'unauthorized':
      return JSON.stringify({ error: 'unauthorized', message: 'Sign in to use this API.', signIn: apiSignInUrl(config) });
    case 'forbidden':
      return JSON.stringify({ error: 'forbidden', message: 'This account may not use this API. Sign in with another one.', signIn: apiSignInUrl(config, { reauthenticate: true }) });
    case 'unavailable':
      return JSON.stringify({ error: 'unavailable', message: 'Sessions cannot be checked right now. Try again in a minute.' });
  }
}
