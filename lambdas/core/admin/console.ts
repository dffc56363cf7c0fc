/**
 * The admin console's decision: a request in (method, path, query, form, cookies), a page
 * or a redirect out, and what to log. It checks the session itself (session/check-session.ts,
 * the same check as the site's), never a header: the viewer-request function in front has
 * already checked it, but nothing that reaches this function is trusted for that. Then:
 * admin or 403 (authorize.ts); GET pages; POST actions only with the session's CSRF token
 * (csrf.ts) and from this site (Origin, Sec-Fetch-Site).
 */
import { BadRequestError } from '../errors';
import type { Outcome } from '../request-events';
import { checkSession } from '../session/check-session';
import { sessionCookieName, type SessionClaims } from '../session/session-cookie';
import { clearCookie } from '../shared/cookies';
import { checkFailurePage } from '../viewer/check-failure';
import { PAGE_HEADERS, signInHref } from '../viewer/pages';
import { authorizeAdmin } from './authorize';
import { csrfToken, verifyCsrfToken } from './csrf';
import { ADMIN_PATHS } from './paths';
import { ADMIN_CSP, renderAdminPage } from './render';
import { routeAction, routePage } from './routes';
import type { AdminAudit, AdminContext, AdminRequest, AdminResponse } from './types';
import type { AdminView } from './views';

export type { AdminContext, AdminRequest, AdminResponse } from './types';

/** The pages' headers; `same-origin` referrers, so that the console's own form POSTs carry their Origin (no-referrer makes it "null"). */
export const ADMIN_HEADERS: Readonly<Record<string, string>> = { ...PAGE_HEADERS, 'referrer-policy': 'same-origin', 'content-security-policy': ADMIN_CSP };

/**
 * A POST from another site is refused whatever it carries (the session cookie is
 * SameSite=Lax, so it should carry none). `Sec-Fetch-Site` when the browser sends it; else
 * the `Origin`, unless it is "null" (privacy-sensitive contexts): then the CSRF token decides.
 */
function fromOwnOrigin(ctx: AdminContext, req: AdminRequest): boolean {
  if (req.fetchSite !== undefined) return req.fetchSite === 'same-origin';
  return req.origin === undefined || req.origin === 'null' || req.origin === `${ctx.scheme}://${req.host}`;
}

export async function handleAdminRequest(ctx: AdminContext, req: AdminRequest): Promise<AdminResponse> {
  const session = await checkSession(ctx, req);
  const back = req.method === 'GET' ? `${req.path}${req.query !== '' ? `?${req.query}` : ''}` : ADMIN_PATHS.overview;
  if (session.status !== 'valid' || session.result?.status === 'signin') {
    const clear = session.status === 'none' ? [] : [clearCookie(sessionCookieName(ctx.config))];
    const reason = session.status === 'valid' ? `admin-${session.result!.reason}` : `admin-no-session`;
    return { decision: 'redirect', reason, status: 302, headers: { location: signInHref({ returnPath: back }), 'cache-control': 'no-store' }, setCookies: clear };
  }
  const { claims, result } = session;
  if (result?.status === 'denied' || result?.status === 'unavailable') {
    const answer = checkFailurePage(ctx.config, claims, result, back);
    return { decision: 'block', session: claims, ...answer };
  }
  const who = authorizeAdmin(ctx.config, claims, result?.status === 'ok' ? result.identity : undefined);
  if (!who.admin) {
    return page(ctx, 403, 'block', `admin-${who.reason}`, claims, { kind: 'message', title: 'Not an administrator', text: 'This account may use the site, but not its admin console: ask an operator to add your email to admin.emails.' });
  }
  const frame = { siteName: ctx.config.site.name, adminEmail: who.email, csrf: csrfToken(ctx.keys, claims.sid) };
  try {
    if (req.method === 'GET' || req.method === 'HEAD') {
      const out = await routePage(ctx, req.path, new URLSearchParams(req.query));
      const audit = { admin: who.email, ...out.audit };
      return { decision: 'special', reason: out.reason, session: claims, status: out.status, headers: ADMIN_HEADERS, setCookies: [], body: renderAdminPage(out.view, frame), audit };
    }
    if (req.method !== 'POST') return { ...page(ctx, 405, 'block', 'admin-method', claims, message('Method not allowed', 'Use the console\'s links and buttons.'), frame), headers: { ...ADMIN_HEADERS, allow: 'GET, HEAD, POST' } };
    if (!fromOwnOrigin(ctx, req)) {
      return page(ctx, 403, 'block', 'admin-cross-site', claims, message('Refused', 'This action came from another site.'), frame, { admin: who.email, action: 'refused-cross-site' });
    }
    if (!verifyCsrfToken(ctx.keys, claims.sid, req.form?.get('csrf') ?? undefined)) {
      return page(ctx, 403, 'block', 'admin-csrf', claims, message('Refused', 'This form has expired or did not come from this console: open the page again and retry.'), frame, { admin: who.email, action: 'refused-csrf' });
    }
    const done = await routeAction(ctx, req.path, req.form ?? new URLSearchParams());
    return { decision: 'special', reason: done.reason, session: claims, status: 303, headers: { location: done.location, 'cache-control': 'no-store' }, setCookies: [], audit: { admin: who.email, ...done.audit } };
  } catch (error) {
    if (!(error instanceof BadRequestError)) throw error;
    return page(ctx, 400, 'block', 'admin-bad-request', claims, message('Bad request', error.message), frame, { admin: who.email, action: 'bad-request' });
  }
}

const message = (title: string, text: string): AdminView => ({ kind: 'message', title, text });

function page(
  ctx: AdminContext,
  status: number,
  decision: Outcome['decision'],
  reason: string,
  claims: SessionClaims,
  view: AdminView,
  frame: { siteName: string; adminEmail?: string; csrf?: string } = { siteName: ctx.config.site.name },
  audit?: AdminAudit,
): AdminResponse {
  return { decision, reason, session: claims, status, headers: ADMIN_HEADERS, setCookies: [], body: renderAdminPage(view, frame), ...(audit !== undefined && { audit }) };
}
