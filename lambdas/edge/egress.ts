/**
 * What leaves the edge, computed in one place: the request the viewer-request function
 * returns to CloudFront (forwarded to the origin) and the responses it generates. Both are
 * held to CloudFront's published limits here (lambdas/core/edge-limits.ts), by construction:
 *
 * - a forwarded request (request line and headers) fits REQUEST_MAX_BYTES less
 *   CLOUDFRONT_HEADROOM_BYTES. When it would not, the optional extras go, in this order:
 *   the refresh token, the access token, the groups header (its `-truncated` companion then
 *   says `true`), the user's name. Each one left out is named in `edge-oauth-omitted` (the
 *   origin is told, never a silent loss). The required headers (user id, provider, email,
 *   the identity assertion, the callback's and the console's headers) are never dropped:
 *   when they alone do not fit, the viewer gets a 431 page, never CloudFront's 502.
 * - a generated response (status, headers, body, as the JSON CloudFront receives) fits
 *   GENERATED_RESPONSE_MAX_BYTES; a page that would not is replaced by a short one with the
 *   same status.
 * - every header value edge-oauth sets is visible ASCII (RFC 9110 §5.5): one that is not is
 *   percent-encoded (UTF-8) here, whatever produced it.
 */
import type { CloudFrontHeaders, CloudFrontRequest, CloudFrontResultResponse } from 'aws-lambda';
import type { EdgeConfig } from '../core/config/types';
import { GENERATED_RESPONSE_MAX_BYTES, isVisibleAscii, REQUEST_MAX_BYTES } from '../core/edge-limits';
import { truncatedHeaderName } from '../core/access/groups-out';
import { withoutCookies } from '../core/shared/cookies';
import { headerValue } from '../core/shared/header-value';
import { oversizedPage, requestTooLargePage } from '../core/viewer/pages';
import type { ViewerAction } from '../core/viewer/types';

/**
 * Bytes kept free for the headers CloudFront itself adds on the way to the origin (Via,
 * X-Amz-Cf-Id, X-Forwarded-For, CloudFront-* headers a policy adds). AWS does not say
 * whether those count toward the 20,480 bytes: this margin is ours.
 */
export const CLOUDFRONT_HEADROOM_BYTES = 1024;
/** Names the optional headers left out of a forwarded request (under the reserved `edge-oauth-` prefix: stripped from clients). */
export const OMITTED_HEADER = 'edge-oauth-omitted';

type Forward = Extract<ViewerAction, { action: 'forward' }>;
type Respond = Extract<ViewerAction, { action: 'respond' }>;

/** Request line and header block, as the CloudFront emulator measures a request (local/emulators/cloudfront/validate.ts). */
export function requestBytes(request: CloudFrontRequest): number {
  const qs = request.querystring ?? '';
  let n = Buffer.byteLength(`${request.method} ${request.uri}${qs === '' ? '' : `?${qs}`} HTTP/1.1\r\n`) + 2;
  for (const [name, entries] of Object.entries(request.headers)) {
    for (const e of entries) n += Buffer.byteLength(`${e.key ?? name}: ${e.value}\r\n`);
  }
  return n;
}

/**
 * Whether the request fits `limit` bytes. On the fast path a browser request is a few KB: an
 * upper bound (3 UTF-8 bytes per UTF-16 unit at most) answers without encoding anything.
 */
function fits(request: CloudFrontRequest, limit: number): boolean {
  let units = request.method.length + request.uri.length + (request.querystring?.length ?? 0) + 16;
  const headers = request.headers;
  for (const name in headers) for (const e of headers[name]!) units += (e.key ?? name).length + e.value.length + 4;
  return units * 3 <= limit || requestBytes(request) <= limit;
}

/** The optional extras, in the order they are left out: [label, header names]. */
function optionalExtras(config: EdgeConfig): Array<[string, string[]]> {
  return [
    ['refresh-token', [config.originTokens.refreshTokenHeader]],
    ['access-token', [config.originTokens.accessTokenHeader]],
    ['groups', [config.headers.userGroups]],
    ['user-name', [config.headers.userName]],
  ];
}

/**
 * Values already found visible ASCII in this container. A signed-in session's header values
 * (its identity headers, its assertion: lambdas/core/viewer/identity-headers.ts and assertion.ts)
 * are the same string objects on each of its requests, whose hash V8 keeps, so a hit costs a
 * lookup instead of a scan of the ~600-character assertion. Bounded: emptied when full.
 */
const knownAscii = new Set<string>();
const KNOWN_ASCII_MAX = 4096;

function ascii(value: string): string {
  if (knownAscii.has(value)) return value;
  if (!isVisibleAscii(value)) return headerValue(value.trim());
  if (knownAscii.size >= KNOWN_ASCII_MAX) knownAscii.clear();
  knownAscii.add(value);
  return value;
}

/** The request the function returns: own cookies out, identity headers in, within the limit; or a 431 page. */
export function forwardRequest(
  config: EdgeConfig,
  request: CloudFrontRequest,
  action: Forward,
  cookieHeaders: readonly string[],
  ownCookie: (name: string) => boolean,
): CloudFrontRequest | CloudFrontResultResponse {
  const headers: CloudFrontHeaders = request.headers;
  if (!action.keepOwnCookies && cookieHeaders.length > 0) {
    // The origin never sees edge-oauth's cookies: it cannot replay a session, and large
    // cookies cannot break its header limits.
    // All of them are named under the cookie prefix (session/session-cookie.ts): only those names are read.
    const rest = withoutCookies(cookieHeaders, ownCookie, config.session.cookiePrefix);
    if (rest === undefined) delete headers.cookie;
    else headers.cookie = [{ key: 'Cookie', value: rest }];
  }
  if (action.uri !== undefined) request.uri = action.uri;
  for (const [name, value] of action.headers) headers[name] = [{ key: name, value: ascii(value) }];
  const limit = REQUEST_MAX_BYTES - CLOUDFRONT_HEADROOM_BYTES;
  if (fits(request, limit)) return request;

  const omitted: string[] = [];
  for (const [label, names] of optionalExtras(config)) {
    if (!names.some((n) => headers[n] !== undefined)) continue;
    for (const n of names) delete headers[n];
    if (label === 'groups') headers[truncatedHeaderName(config)] = [{ key: truncatedHeaderName(config), value: 'true' }];
    omitted.push(label);
    headers[OMITTED_HEADER] = [{ key: OMITTED_HEADER, value: omitted.join(',') }];
    if (fits(request, limit)) return request;
  }
  // The required headers alone do not fit: answer, never a request CloudFront would refuse.
  return generatedResponse(requestTooLargePage(config.site.name));
}

/** A response the function generates, within CloudFront's limit for viewer-request functions. */
export function generatedResponse(action: Respond): CloudFrontResultResponse {
  const response = toCloudFront(action);
  if (generatedBytes(response) <= GENERATED_RESPONSE_MAX_BYTES) return response;
  return toCloudFront(oversizedPage(action));
}

/** The size CloudFront counts: the response object as JSON (an upper bound of its headers and body). */
export function generatedBytes(response: CloudFrontResultResponse): number {
  return Buffer.byteLength(JSON.stringify(response));
}

function toCloudFront(action: Respond): CloudFrontResultResponse {
  const headers: CloudFrontHeaders = {};
  for (const [name, value] of Object.entries(action.headers)) headers[name] = [{ key: name, value: ascii(value) }];
  if (action.setCookies.length > 0) headers['set-cookie'] = action.setCookies.map((value) => ({ key: 'Set-Cookie', value: ascii(value) }));
  return {
    status: String(action.status),
    statusDescription: STATUS_TEXT[action.status] ?? '',
    headers,
    ...(action.body !== undefined && { body: action.body, bodyEncoding: 'text' as const }),
  };
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  302: 'Found',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Content Too Large',
  431: 'Request Header Fields Too Large',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};
