/**
 * Builds the Lambda@Edge viewer-request event exactly as CloudFront documents it, and converts
 * CloudFront's header objects back into HTTP header lines.
 *
 * Source: CloudFront Developer Guide, "Lambda@Edge event structure" › Request events
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-event-structure.html
 *  - config: distributionDomainName, distributionId, eventType, requestId (requestId: viewer events only;
 *    the same value CloudFront logs as x-edge-request-id and sends to the origin as X-Amz-Cf-Id).
 *  - request.clientIp: the IP address of the viewer (or of the proxy/load balancer it came through).
 *  - request.headers: keys are the lowercase header names; each is an array with one {key, value} per
 *    occurrence of the header in the HTTP request, `key` being the name as it appeared (case-sensitive).
 *  - request.querystring: the query string as received, without '?'; '' (still present) when absent.
 *  - request.uri: the relative path of the requested object.
 *  - request.body: only with the "include body" option (here: the admin behaviour): {inputTruncated,
 *    action: 'read-only', encoding: 'base64', data}. "CloudFront always base64 encodes the request body";
 *    "For viewer request events, the body is truncated at 40 KB" (Lambda@Edge function restrictions ›
 *    request body, https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-at-edge-function-restrictions.html).
 * Source: "Restrictions on all edge functions" › HTTP headers: disallowed headers are *not exposed*
 * to the function, so they are left out of the event here.
 */
import { randomBytes } from 'node:crypto';
import type { CloudFrontHeaders, CloudFrontRequest, CloudFrontRequestEvent } from 'aws-lambda';
import { isDisallowedHeader, titleCaseHeader } from './validate';

export interface ViewerHttpRequest {
  method: string;
  /** The request-target exactly as received (Node's `req.url`): raw, not decoded. */
  target: string;
  /** Node's `req.rawHeaders`: [name, value, name, value, ...] in arrival order and original case. */
  rawHeaders: string[];
  clientIp: string;
}

export interface ViewerRequestEventInput {
  distributionDomainName: string;
  distributionId: string;
  requestId: string;
  request: ViewerHttpRequest;
}

/**
 * A CloudFront request id: an opaque, URL-safe base64 string ending in '==' (56 characters, like
 * the documented example "MRVMF7KydIvxMWfJIglgwHQwZsbG2IhRJ07sn9AkKUFSHS9EXAMPLE==").
 */
export function newCloudFrontRequestId(): string {
  return randomBytes(40).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** IPv4 clients on a dual-stack socket appear as ::ffff:a.b.c.d; CloudFront reports a.b.c.d. */
export function normalizeIp(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** Splits a request-target into the raw path and raw query string (no '?'), without decoding either. */
export function splitTarget(target: string): { uri: string; querystring: string } {
  let pathAndQuery = target;
  if (!target.startsWith('/')) {
    // absolute-form ("http://host/path?q") — keep the raw path and query, as received.
    const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(.*)$/i.exec(target);
    pathAndQuery = m ? m[1] || '/' : target;
  }
  const hash = pathAndQuery.indexOf('#'); // browsers never send fragments; strip if a client does
  if (hash >= 0) pathAndQuery = pathAndQuery.slice(0, hash);
  const q = pathAndQuery.indexOf('?');
  return q < 0 ? { uri: pathAndQuery, querystring: '' } : { uri: pathAndQuery.slice(0, q), querystring: pathAndQuery.slice(q + 1) };
}

/** Raw header lines → CloudFront headers object; repeated headers stay separate entries, in order. */
export function toCloudFrontHeaders(rawHeaders: string[]): CloudFrontHeaders {
  const headers: CloudFrontHeaders = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const key = rawHeaders[i]!;
    const value = rawHeaders[i + 1]!;
    const name = key.toLowerCase();
    if (isDisallowedHeader(name)) continue; // not exposed to edge functions
    (headers[name] ??= []).push({ key, value });
  }
  return headers;
}

export function buildViewerRequestEvent(input: ViewerRequestEventInput): CloudFrontRequestEvent {
  const { uri, querystring } = splitTarget(input.request.target);
  const request: CloudFrontRequest = {
    clientIp: input.request.clientIp,
    headers: toCloudFrontHeaders(input.request.rawHeaders),
    method: input.request.method,
    querystring,
    uri,
  };
  return {
    Records: [
      {
        cf: {
          config: {
            distributionDomainName: input.distributionDomainName,
            distributionId: input.distributionId,
            eventType: 'viewer-request',
            requestId: input.requestId,
          },
          request,
        },
      },
    ],
  };
}

/** Viewer-request events see at most this much of the body (40 KB). */
export const VIEWER_BODY_LIMIT = 40 * 1024;

/** The event's `request.body` for a behaviour with "include body": base64, truncated at 40 KB. */
export function viewerBody(body: Buffer): NonNullable<CloudFrontRequest['body']> {
  const truncated = body.length > VIEWER_BODY_LIMIT;
  return { inputTruncated: truncated, action: 'read-only', encoding: 'base64', data: (truncated ? body.subarray(0, VIEWER_BODY_LIMIT) : body).toString('base64') };
}

/** CloudFront headers object → [name, value] pairs, in order; a missing `key` becomes Title-Case. */
export function headerPairs(headers: CloudFrontHeaders | undefined): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const [name, entries] of Object.entries(headers ?? {})) {
    for (const entry of entries) pairs.push([entry.key ?? titleCaseHeader(name), entry.value]);
  }
  return pairs;
}

/** Appends a value to a header (e.g. X-Forwarded-For, Via) in a CloudFront headers object, in place. */
export function appendHeader(headers: CloudFrontHeaders, key: string, value: string, separator = ', '): void {
  const name = key.toLowerCase();
  const existing = headers[name];
  if (existing && existing.length > 0) {
    const joined = existing.map((e) => e.value).join(separator);
    headers[name] = [{ key: existing[0]!.key ?? key, value: `${joined}${separator}${value}` }];
  } else {
    headers[name] = [{ key, value }];
  }
}

/** A deep copy that the function can mutate without touching the emulator's original. */
export function cloneEvent<T>(value: T): T {
  return structuredClone(value);
}
