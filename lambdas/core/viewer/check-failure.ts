/**
 * The viewer's side of the session checks (session/container-checks.ts): what a check result means
 * for the request: the identity to forward (the stored one wins over the cookie's), the
 * token headers, and the pages for a user who no longer passes (403) or a check that
 * cannot be done past the grace period (503, fail closed).
 */
import type { EdgeConfig } from '../config/types';
import { clearCookie } from '../shared/cookies';
import { headerValue } from './identity-headers';
import { sessionEmail } from '../access/usable-email';
import { PAGE_HEADERS, renderPage, signInHref } from './pages';
import { DENIAL_MESSAGES } from '../sign-in/allow-list';
import { sessionCookieName, type SessionClaims } from '../session/session-cookie';
import type { CheckResult } from '../session/container-checks';

/** Seconds a browser is told to wait after the 503 page. */
export const UNAVAILABLE_RETRY_AFTER = 30;

/**
 * The claims with the stored name, email and groups (the provider's current values after a
 * back-channel check), and only a usable email (access/usable-email.ts): the identity every
 * rule, header and assertion of the request reads. A stored "no usable email" (`null`: lost
 * or changed at a re-check) removes the cookie's; the cookie's counts only when nothing was read.
 */
export function withStoredIdentity(config: EdgeConfig, claims: SessionClaims, result: CheckResult | undefined): SessionClaims {
  const identity = result?.status === 'ok' ? result.identity : undefined;
  const stored = identity?.email;
  const email = sessionEmail(config, claims.prv, stored === undefined ? claims.email : (stored ?? undefined));
  const name = identity?.name;
  const groups = identity?.groups;
  const sameGroups = groups === undefined || groups === claims.grp || (claims.grp !== undefined && sameList(groups, claims.grp));
  if (email === claims.email && (name === undefined || name === claims.name) && sameGroups) return claims;
  const { gs: _serverSide, email: _email, ...rest } = claims;
  return {
    ...rest,
    ...(sameGroups && claims.gs !== undefined && { gs: claims.gs }),
    ...(email !== undefined && { email }),
    ...(name !== undefined && { name }),
    ...(!sameGroups && { grp: groups }),
  };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** The access and refresh token headers, when enabled and known. */
export function tokenHeaders(config: EdgeConfig, result: CheckResult | undefined): Array<[string, string]> {
  if (!config.originTokens.enabled || result?.status !== 'ok' || result.tokens === undefined) return [];
  const out: Array<[string, string]> = [[config.originTokens.accessTokenHeader, headerValue(result.tokens.accessToken)]];
  if (result.tokens.refreshToken !== undefined) out.push([config.originTokens.refreshTokenHeader, headerValue(result.tokens.refreshToken)]);
  return out;
}

export interface CheckPage {
  readonly status: number;
  readonly reason: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly setCookies: readonly string[];
  readonly body: string;
}

/**
 * The session key set cannot be read (Secrets Manager unreachable, or the secret holds no
 * valid key set): no cookie can be opened and no sign-in started, so nothing passes. 503
 * with edge-oauth's own page instead of CloudFront's error page for a failed function.
 */
export function keysUnavailablePage(config: EdgeConfig, retryPath: string): CheckPage {
  return {
    status: 503,
    reason: 'keys-unavailable',
    headers: { ...PAGE_HEADERS, 'retry-after': String(UNAVAILABLE_RETRY_AFTER) },
    setCookies: [],
    body: renderPage({
      siteName: config.site.name,
      title: 'Temporarily unavailable',
      paragraphs: ['We cannot check sessions right now: our key store cannot be reached.', 'Please try again in a minute.'],
      links: [{ href: retryPath, label: 'Try again' }],
    }),
  };
}

/** The answer for a `denied` or `unavailable` result. */
export function checkFailurePage(
  config: EdgeConfig,
  claims: SessionClaims,
  result: Extract<CheckResult, { status: 'denied' | 'unavailable' }>,
  /** The same-origin path of the request (the "Try again" link). */
  retryPath: string,
): CheckPage {
  const providerName = config.providers.find((p) => p.id === claims.prv)?.displayName ?? claims.prv;
  if (result.status === 'denied') {
    const who = result.email ?? claims.email ?? claims.name ?? 'this account';
    return {
      status: 403,
      reason: result.reason,
      headers: PAGE_HEADERS,
      // The session is revoked server-side; the cookie goes too.
      setCookies: [clearCookie(sessionCookieName(config))],
      body: renderPage({
        siteName: config.site.name,
        title: 'Access denied',
        paragraphs: [DENIAL_MESSAGES[result.reason], `Your access was checked again with ${providerName}, signed in as ${who}. Please sign in again.`],
        links: [{ href: signInHref({ provider: claims.prv, returnPath: retryPath, reauthenticate: true }), label: 'Sign in again' }],
      }),
    };
  }
  const what = result.reason === 'store-unavailable' ? 'our session store' : providerName;
  return {
    status: 503,
    reason: result.reason,
    headers: { ...PAGE_HEADERS, 'retry-after': String(UNAVAILABLE_RETRY_AFTER) },
    // Not the user's fault: the session stays, and works again once the check can be done.
    setCookies: [],
    body: renderPage({
      siteName: config.site.name,
      title: 'Temporarily unavailable',
      paragraphs: [`We cannot check your session right now: ${what} cannot be reached.`, 'Please try again in a minute.'],
      links: [{ href: retryPath, label: 'Try again' }],
    }),
  };
}
