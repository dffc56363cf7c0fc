/**
 * Identity headers for the origin. Client-sent copies are removed first, in any case and
 * with `_` in place of `-` (some origins treat them alike), so the origin can trust them
 * as far as it trusts the path from CloudFront (see docs/identity-assertion.md).
 */
import { groupsOut, truncatedHeaderName } from '../access/groups-out';
import { sessionEmail } from '../access/usable-email';
import type { EdgeConfig } from '../config/types';
import type { SessionClaims } from '../session/session-cookie';
import { headerValue } from '../shared/header-value';

export { headerValue };

/** Every header under this prefix is edge-oauth's and is stripped from client requests. */
export const RESERVED_PREFIX = 'edge-oauth-';
/** Set by the viewer-request function for the callback: the viewer's Host (the function URL cannot see it). */
export const HOST_HEADER = 'edge-oauth-host';
/** Set by the viewer-request function for the callback: the viewer's IP (the function URL sees CloudFront's). */
export const VIEWER_IP_HEADER = 'edge-oauth-viewer-ip';

/**
 * Client-sent headers that some origin frameworks trust to override the request's path,
 * host or method (IIS/Symfony `X-Original-URL`, `X-Rewrite-URL`; nginx/Traefik
 * `X-Forwarded-Uri`; Spring `X-Forwarded-Prefix`; `X-HTTP-Method-Override`...). edge-oauth
 * decides on the real request; an origin that honoured these could be steered past that
 * decision (an `OPTIONS` let through by optionsPassthrough, overridden to `DELETE`, or a
 * public path rewritten to a private one). They are removed before the origin sees them.
 */
export const OVERRIDE_HEADERS: readonly string[] = [
  'x-original-url',
  'x-original-uri',
  'x-rewrite-url',
  'x-forwarded-uri',
  'x-forwarded-path',
  'x-forwarded-prefix',
  'x-forwarded-host',
  'x-forwarded-server',
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
];

/** Header names (lowercase, `-` form) that a client must never send through. */
export function reservedHeaderNames(config: EdgeConfig): Set<string> {
  const tokens = [config.originTokens.accessTokenHeader, config.originTokens.refreshTokenHeader];
  const groups = config.headers.userGroups !== undefined ? [truncatedHeaderName(config)] : [];
  return new Set([...Object.values(config.headers), ...groups, config.assertion.header, ...tokens, ...OVERRIDE_HEADERS].map((h) => h.toLowerCase()));
}

/** Normalises a header name the way lenient origins compare them. */
export function canonicalHeaderName(name: string): string {
  const lower = name.toLowerCase();
  // Runs for every header of every request: skip the regex when there is nothing to replace.
  return lower.includes('_') ? lower.replace(/_/g, '-') : lower;
}

export function isReservedHeader(reserved: ReadonlySet<string>, name: string): boolean {
  const canonical = canonicalHeaderName(name);
  return reserved.has(canonical) || canonical.startsWith(RESERVED_PREFIX);
}

/**
 * Per session identity (the claims object a session's cookie opens to, session/session-cookie.ts,
 * or the stored identity that replaced it): its headers, computed once per container. Claims
 * are never changed in place; a changed identity is a new object.
 */
const computed = new WeakMap<SessionClaims, { readonly config: EdgeConfig; readonly headers: ReadonlyArray<[string, string]> }>();

/** The identity headers for a session (lowercase name → value): a new array the caller may extend. */
export function identityHeaders(config: EdgeConfig, claims: SessionClaims): Array<[string, string]> {
  const hit = computed.get(claims);
  if (hit !== undefined && hit.config === config) return hit.headers.slice();
  const headers = computeIdentityHeaders(config, claims);
  computed.set(claims, { config, headers });
  return headers.slice();
}

function computeIdentityHeaders(config: EdgeConfig, claims: SessionClaims): ReadonlyArray<[string, string]> {
  const out: Array<[string, string]> = [
    [config.headers.userId, headerValue(claims.uid)],
    [config.headers.provider, headerValue(claims.prv)],
  ];
  if (claims.name !== undefined) out.push([config.headers.userName, headerValue(claims.name)]);
  // Only a usable email (access/usable-email.ts): never one the provider does not vouch for.
  const email = sessionEmail(config, claims.prv, claims.email);
  if (email !== undefined) out.push([config.headers.userEmail, headerValue(email)]);
  if (claims.grp !== undefined && claims.grp.length > 0 && config.headers.userGroups !== undefined) {
    const groups = groupsOut(config, claims.prv, claims.grp);
    out.push([config.headers.userGroups, groups.header]);
    if (groups.truncated) out.push([truncatedHeaderName(config), 'true']);
  }
  return out;
}
