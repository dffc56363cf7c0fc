/**
 * `/auth/logout`: the session cookie is cleared and the session revoked server-side (so
 * every container stops accepting it within the revocation check interval, and this one
 * at once). Then a signed-out page, or a same-origin redirect (`rd`).
 */
import { sanitizeReturnPath } from '../sign-in/return-path';
import { readSession, sessionCookieName } from '../session/session-cookie';
import { clearCookie } from '../shared/cookies';
import { PAGE_HEADERS, renderPage, signInHref } from './pages';
import type { ViewerAction, ViewerContext, ViewerRequest } from './types';

export async function logout(ctx: ViewerContext, req: ViewerRequest, params: URLSearchParams): Promise<ViewerAction> {
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
