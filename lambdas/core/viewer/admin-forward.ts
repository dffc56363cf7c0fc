/**
 * `/auth/admin*`: the admin console's paths. They reach the console's function URL origin
 * (CloudFront behaviour `/auth/admin*`) only for a signed-in session, like a protected
 * path; anyone else signs in first and comes back. Whether the user is an admin is the
 * console's own decision (lambdas/core/admin): it checks the session again itself.
 *
 * The origin has origin access control (SigV4), and Lambda function URLs take no unsigned
 * payload: a POST must carry `x-amz-content-sha256`, the hex SHA-256 of its body, which a
 * browser's form never sends. The behaviour runs this function with "include body", so the
 * header is computed here. Sources:
 *  - https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-lambda.html
 *    ("If you use PUT or POST methods with your Lambda function URL, your users must include
 *    the payload hash value in the x-amz-content-sha256 header ... Lambda doesn't support unsigned payloads.")
 *  - https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-at-edge-function-restrictions.html
 *    (request body: base64; "For viewer request events, the body is truncated at 40 KB";
 *    read-only access sends the full original body to the origin)
 *  - the same approach: https://dev.classmethod.jp/articles/cloudfront-lambda-url-with-post-put-request
 */
import { createHash } from 'node:crypto';
import { checkSession } from '../session/check-session';
import { sessionCookieName } from '../session/session-cookie';
import { clearCookie } from '../shared/cookies';
import { returnPathOf } from '../sign-in/return-path';
import { checkFailurePage } from './check-failure';
import { HOST_HEADER, VIEWER_IP_HEADER } from './identity-headers';
import { page } from './pages';
import { startSignIn } from './sign-in-start';
import { asciiQuery, normalizePath } from './special-paths';
import type { ViewerAction, ViewerContext, ViewerRequest } from './types';

/** The behaviour's path pattern is `/auth/admin*`: CloudFront matches the raw path, case-sensitively. */
export const ADMIN_PATH_PREFIX = '/auth/admin';
export const CONTENT_SHA256_HEADER = 'x-amz-content-sha256';

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function adminForward(ctx: ViewerContext, req: ViewerRequest): Promise<ViewerAction> {
  if (!req.uri.startsWith(ADMIN_PATH_PREFIX)) {
    // "/AUTH/admin" or "//auth/admin" is on the default behaviour: forwarding it would send
    // the session cookie to the site's origin. Send the browser to the canonical spelling.
    const location = canonicalAdminLocation(req.uri, req.querystring);
    return { action: 'respond', decision: 'special', reason: 'admin-canonical', status: 302, headers: { location, 'cache-control': 'no-store' }, setCookies: [] };
  }
  const returnPath = req.method === 'GET' ? returnPathOf(req.uri, req.querystring) : ADMIN_PATH_PREFIX;
  const session = await checkSession(ctx, req);
  if (session.status !== 'valid') {
    const clear = session.status === 'none' ? [] : [clearCookie(sessionCookieName(ctx.config))];
    return startSignIn(ctx, req, { returnPath, reauthenticate: false, reason: `admin-${session.status === 'none' ? 'no-session' : `session-${session.status}`}`, extraCookies: clear });
  }
  const { claims, result } = session;
  const checks = result !== undefined && result.calls.length > 0 ? { checks: result.calls } : {};
  if (result?.status === 'signin') {
    return startSignIn(ctx, req, { returnPath, reauthenticate: false, reason: result.reason, extraCookies: [clearCookie(sessionCookieName(ctx.config))], ...checks });
  }
  if (result?.status === 'denied' || result?.status === 'unavailable') {
    return { action: 'respond', decision: 'block', session: claims, ...checkFailurePage(ctx.config, claims, result, returnPath), ...checks };
  }
  const headers: Array<[string, string]> = [[HOST_HEADER, req.host]];
  if (req.ip !== undefined) headers.push([VIEWER_IP_HEADER, req.ip]);
  if (WITH_BODY.has(req.method)) {
    if (req.body?.truncated === true) {
      return { ...page(ctx.config.site.name, 413, 'block', 'admin-body-too-large', { title: 'Too large', paragraphs: ['This request is larger than the admin console accepts.'], links: [{ href: ADMIN_PATH_PREFIX, label: 'Back to the console' }] }), session: claims };
    }
    const body = req.body !== undefined ? Buffer.from(req.body.data, 'base64') : Buffer.alloc(0);
    headers.push([CONTENT_SHA256_HEADER, createHash('sha256').update(body).digest('hex')]);
  }
  // The console needs the session cookie: it checks the session again itself.
  return { action: 'forward', decision: 'special', reason: 'admin', session: claims, headers, keepOwnCookies: true, ...checks };
}

/**
 * Where a wrong spelling of an admin path is sent: `/auth/admin` and the rest of the path,
 * its case kept (only the prefix is folded), as ASCII. normalizePath decodes `%XX` byte by
 * byte (so `%C3%A9` is two characters below U+0100): those bytes are escaped again as they
 * came; any other character outside visible ASCII is escaped as UTF-8, and so are `%`, `?`
 * and `#` that came from an escape (they would change the URL's meaning).
 */
export function canonicalAdminLocation(uri: string, querystring: string): string {
  // Raw non-ASCII characters as their UTF-8 escapes first, so every character below U+0100
  // after normalizePath is one byte.
  const segments = normalizePath(asciiQuery(uri), true).split('/').slice(3);
  const rest = segments.map((segment) => `/${escapeSegment(segment)}`).join('');
  const query = asciiQuery(querystring);
  return `${ADMIN_PATH_PREFIX}${rest}${query === '' ? '' : `?${query}`}`;
}

function escapeSegment(segment: string): string {
  let out = '';
  for (const ch of segment) {
    const code = ch.codePointAt(0)!;
    if (code > 0x20 && code < 0x7f && ch !== '%' && ch !== '?' && ch !== '#') out += ch;
    else if (code <= 0xff) out += `%${code.toString(16).toUpperCase().padStart(2, '0')}`;
    else out += encodeURIComponent(code >= 0xd800 && code <= 0xdfff ? '\ufffd' : ch);
  }
  return out;
}
