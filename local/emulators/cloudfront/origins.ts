/**
 * The CloudFront emulator's origins (local/emulators/cloudfront/server.ts): a Lambda function
 * URL behind origin access control (the callback, the admin console), and a custom HTTP
 * origin (the demo origin, or any URL), with the headers CloudFront adds to every origin
 * request ("Request and response behavior for custom origins", CloudFront Developer Guide).
 */
import http from 'node:http';
import { createHash } from 'node:crypto';
import type { CloudFrontHeaders, CloudFrontRequest, LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { appendHeader, cloneEvent, headerPairs, normalizeIp } from './event';
import { applyFunctionUrlResult, buildFunctionUrlEvent, DEFAULT_FUNCTION_URL_DOMAIN, functionUrlError, type HttpResult } from './function-url';
import { flat, HOP_BY_HOP, type ViewerExchange } from './exchange';
import { readBody } from '../read-body';

/**
 * [OAC] https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-lambda.html:
 * "If you use PUT or POST methods with your Lambda function URL, your users must include the payload
 * hash value in the x-amz-content-sha256 header when sending the request to CloudFront. Lambda doesn't
 * support unsigned payloads." The answer's wording is SigV4's, as reported in
 * https://repost.aws/questions/QUPuq7VvHJRwWxVA3XJIgNKQ (not confirmed for OAC specifically).
 */
const OAC_SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/**
 * Headers CloudFront adds to every origin request ("Request and response behavior for custom
 * origins": X-Forwarded-For gets the viewer IP appended; X-Amz-Cf-Id is added; Via).
 */
export function originHeaders(x: ViewerExchange, forwarded: CloudFrontRequest, via: string): CloudFrontHeaders {
  const headers: CloudFrontHeaders = cloneEvent(forwarded.headers);
  appendHeader(headers, 'X-Forwarded-For', x.clientIp, ',');
  appendHeader(headers, 'Via', via, ', ');
  headers['x-amz-cf-id'] = [{ key: 'X-Amz-Cf-Id', value: x.requestId }];
  return headers;
}

export async function toFunctionUrl(
  x: ViewerExchange,
  forwarded: CloudFrontRequest,
  headers: CloudFrontHeaders,
  fn: (event: LambdaFunctionURLEvent) => Promise<LambdaFunctionURLResult>,
  readAlready?: Buffer,
): Promise<void> {
  const body = readAlready ?? (await readBody(x.req));
  // Origin access control signs the origin request (SigV4) with the viewer's
  // x-amz-content-sha256; Lambda takes no unsigned payload, so a PUT or POST whose header
  // is missing or wrong fails the signature check at the function URL (403), before the
  // function runs. [OAC] above; the message is the one AWS answers (not in the docs).
  const method = forwarded.method.toUpperCase();
  if (method === 'POST' || method === 'PUT' || body.length > 0) {
    const sent = headers['x-amz-content-sha256']?.[0]?.value;
    if (sent !== createHash('sha256').update(body).digest('hex')) {
      x.logFields.detail = ['x-amz-content-sha256 missing or not the SHA-256 of the body'];
      const message = Buffer.from(JSON.stringify({ message: OAC_SIGNATURE_MISMATCH }));
      return x.sendResult('Error', 403, undefined, [['Content-Type', 'application/json'], ['x-amzn-ErrorType', 'InvalidSignatureException']], message);
    }
  }
  const event = buildFunctionUrlEvent(
    { method: forwarded.method, uri: forwarded.uri, querystring: forwarded.querystring, headers, body },
    { domainName: DEFAULT_FUNCTION_URL_DOMAIN, sourceIp: normalizeIp(x.req.socket.localAddress) },
  );
  let out: HttpResult;
  try {
    out = applyFunctionUrlResult(await fn(event));
  } catch (err) {
    x.logFields.error = (err as Error)?.stack ?? String(err);
    out = functionUrlError();
  }
  x.sendResult('Miss', out.statusCode, undefined, out.headers, out.body);
}

export function toOrigin(x: ViewerExchange, forwarded: CloudFrontRequest, headers: CloudFrontHeaders, origin: URL, agent: http.Agent): void {
  const { req, res } = x;
  const originBasePath = origin.pathname.replace(/\/$/, '');
  const path = `${originBasePath}${forwarded.uri}${forwarded.querystring ? `?${forwarded.querystring}` : ''}`;
  const proxyReq = http.request(
    { protocol: origin.protocol, hostname: origin.hostname, port: origin.port, method: forwarded.method, path, headers: flat(headerPairs(headers)), agent },
    (proxyRes) => {
      x.resultType = (proxyRes.statusCode ?? 502) >= 400 ? 'Error' : 'Miss';
      const pairs: Array<[string, string]> = [];
      for (let i = 0; i + 1 < proxyRes.rawHeaders.length; i += 2) {
        if (!HOP_BY_HOP.has(proxyRes.rawHeaders[i]!.toLowerCase())) pairs.push([proxyRes.rawHeaders[i]!, proxyRes.rawHeaders[i + 1]!]);
      }
      pairs.push(...x.cloudFrontHeaders(`${x.resultType} from cloudfront`));
      res.writeHead(proxyRes.statusCode ?? 502, proxyRes.statusMessage, flat(pairs));
      proxyRes.pipe(res);
      proxyRes.on('error', () => res.destroy());
    },
  );
  proxyReq.on('error', (err) => {
    x.logFields.error = err.message;
    x.sendError(502, 'OriginConnectError', "CloudFront wasn't able to connect to the origin.");
  });
  res.on('close', () => void (res.writableFinished || proxyReq.destroy()));
  req.pipe(proxyReq);
}
