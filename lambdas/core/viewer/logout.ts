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

/**
 * `endProviderSession` (docs/providers/cognito.md): a session of such a provider is also ended
 * there, by a redirect to its logout endpoint that comes back here.
 */
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
  const base = { decision: 'special' as const, reason: 'logout', ...(session !== undefined && { session }) };
  const atProvider = session !== undefined ? await providerLogout(ctx, req, session.prv) : undefined;
  if (atProvider !== undefined) {
    return { ...base, action: 'respond', status: 302, headers: { location: atProvider, 'cache-control': 'no-store' }, setCookies };
  }
  const rd = params.get('rd');
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

/** The logout page's own URL: where the provider sends the browser back (a Cognito sign-out URL, lib/cognito-pool.ts). */
export const LOGOUT_PATH = '/auth/logout';

/**
 * With `endProviderSession` (a Cognito provider), the provider's logout URL coming back to
 * /auth/logout (which, the cookie now cleared, shows the signed-out page; `rd` is not kept).
 * undefined when not asked for, or when the provider cannot be reached: the local sign-out
 * has happened, so the signed-out page is shown (logged).
 */
async function providerLogout(ctx: ViewerContext, req: ViewerRequest, providerId: string): Promise<string | undefined> {
  const provider = ctx.providers.get(providerId);
  if (provider?.config.cognito?.endProviderSession !== true || provider.endSessionUrl === undefined) return undefined;
  try {
    return (await provider.endSessionUrl(`${ctx.scheme}://${ctx.config.site.domain ?? req.host}${LOGOUT_PATH}`)).href;
  } catch (error) {
    ctx.onError?.(error, 'logout-provider');
    return undefined;
  }
}
