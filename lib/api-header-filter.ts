/**
 * The `/api` behaviour's viewer-request CloudFront Function: it removes client-sent copies
 * of the headers edge-oauth owns before the request reaches API Gateway, as the site's
 * viewer-request function does (lambdas/core/viewer/identity-headers.ts): the identity
 * headers, the identity assertion header, the token headers and the override headers, in
 * any case and with `_` for `-`, and every `edge-oauth-*` header. API Gateway's mapping
 * overwrites only the exact names; an upstream that treats `X_User` as `x-user` (many
 * frameworks do) would otherwise trust a client's copy (issue #16, defect 6).
 *
 * A CloudFront Function, not Lambda@Edge: a viewer event takes one function, and the
 * distribution's /api behaviour has none (CloudFront Functions and Lambda@Edge cannot be
 * combined on viewer events:
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-functions-restrictions.html).
 * Header names in the event are lowercase and a header is removed by deleting its key
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-event-structure.html).
 * Not confirmed on a live distribution: that a header named with `_` reaches the function
 * (CloudFront documents no rule against it); the function removes it if it does.
 */
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type { Construct } from 'constructs';
import type { EdgeConfig } from '../lambdas/core/config/types';
import { RESERVED_PREFIX, reservedHeaderNames } from '../lambdas/core/viewer/identity-headers';

/** The function's source (cloudfront-js-2.0; plain ES5 so any runtime version runs it). */
export function apiHeaderFilterCode(config: EdgeConfig): string {
  const reserved: Record<string, true> = {};
  for (const name of [...reservedHeaderNames(config)].sort()) reserved[name] = true;
  return [
    `var RESERVED = ${JSON.stringify(reserved)};`,
    `var PREFIX = ${JSON.stringify(RESERVED_PREFIX)};`,
    'function handler(event) {',
    '  var headers = event.request.headers;',
    '  for (var name in headers) {',
    "    var canonical = name.toLowerCase().split('_').join('-');",
    '    if (RESERVED[canonical] === true || canonical.indexOf(PREFIX) === 0) delete headers[name];',
    '  }',
    '  return event.request;',
    '}',
  ].join('\n');
}

export function apiHeaderFilter(scope: Construct, id: string, config: EdgeConfig): cloudfront.Function {
  return new cloudfront.Function(scope, id, {
    code: cloudfront.FunctionCode.fromInline(apiHeaderFilterCode(config)),
    runtime: cloudfront.FunctionRuntime.JS_2_0,
    comment: 'edge-oauth: removes client-sent identity, assertion and token headers on the API path',
  });
}
