/**
 * The /auth/callback origin: a Lambda function URL behind CloudFront. Builds the function URL
 * event (payload format 2.0) from the request CloudFront forwards, and turns the function's
 * result into the HTTP response the function URL returns.
 *
 * Sources:
 *  [FURL]  Lambda Developer Guide, "Invoking Lambda function URLs" › Request and response payloads
 *          https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html
 *          version '2.0'; routeKey/stage '$default' placeholders; rawPath; rawQueryString; cookies (all
 *          cookies sent); headers; queryStringParameters; requestContext {accountId, apiId, domainName
 *          (<url-id>.lambda-url.<region>.on.aws), domainPrefix, http {method, path, protocol, sourceIp
 *          ("the immediate TCP connection"), userAgent}, requestId, time, timeEpoch}; body (base64 when
 *          the content is binary); isBase64Encoded. Response: statusCode, headers, body, cookies (each
 *          becomes a set-cookie header), isBase64Encoded; valid JSON without statusCode means 200,
 *          content-type application/json, the function's output as the body.
 *  [V2]    API Gateway Developer Guide, HTTP API Lambda integrations, payload format 2.0: duplicate
 *          headers / query string parameters are combined with commas; all cookie headers go into
 *          `cookies`.
 *          https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 *  [ORP]   CloudFront "Use managed origin request policies" › AllViewerExceptHostHeader: every viewer
 *          header except Host, all cookies, all query strings; the Host is the origin's domain.
 *          https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html
 */
import { randomUUID } from 'node:crypto';
import type { CloudFrontHeaders, LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';

/** A made-up but well-formed function URL host (<32-char url-id>.lambda-url.<region>.on.aws). */
export const DEFAULT_FUNCTION_URL_DOMAIN = 'edgeoauthlocalcallbackfunction01.lambda-url.us-east-1.on.aws';

export interface OriginRequest {
  method: string;
  /** Path as CloudFront forwards it (the uri the viewer-request function returned). */
  uri: string;
  /** Raw query string, no '?'. */
  querystring: string;
  /** Headers CloudFront sends to the origin (after the origin request policy; Host not included). */
  headers: CloudFrontHeaders;
  body?: Buffer;
}

export interface FunctionUrlEventContext {
  domainName: string;
  /** The IP of the immediate TCP peer: CloudFront's edge server, not the viewer [FURL]. */
  sourceIp: string;
  now?: Date;
  requestId?: string;
}

/**
 * Observed AWS behaviour (the docs only say "if the content type is binary"): bodies are passed as
 * text for text/*, application/json, application/xml and application/javascript; everything else —
 * including application/x-www-form-urlencoded and a missing Content-Type — arrives base64-encoded.
 */
export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type.startsWith('text/') || ['application/json', 'application/xml', 'application/javascript'].includes(type);
}

/** "12/Mar/2020:19:03:58 +0000" — the requestContext.time format [FURL]. */
export function formatRequestTime(d: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

function traceId(now: Date): string {
  const hex = (n: number) => randomUUID().replace(/-/g, '').slice(0, n);
  return `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${hex(24)}`;
}

/** Duplicate query parameters are combined with commas [V2]; values are percent-decoded. */
export function parseQueryString(raw: string): Record<string, string> | undefined {
  if (!raw) return undefined;
  const out: Record<string, string> = {};
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const name = safeDecode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : safeDecode(part.slice(eq + 1));
    out[name] = name in out ? `${out[name]},${value}` : value;
  }
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function buildFunctionUrlEvent(req: OriginRequest, ctx: FunctionUrlEventContext): LambdaFunctionURLEvent {
  const now = ctx.now ?? new Date();
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, entries] of Object.entries(req.headers)) {
    const lower = name.toLowerCase();
    if (lower === 'host') continue; // [ORP] the viewer's Host is not forwarded
    const values = entries.map((e) => e.value);
    if (lower === 'cookie') {
      // [V2] all cookie headers → `cookies`, one element per cookie
      for (const v of values) cookies.push(...v.split(';').map((c) => c.trim()).filter(Boolean));
      continue;
    }
    headers[lower] = headers[lower] !== undefined ? `${headers[lower]},${values.join(',')}` : values.join(',');
  }
  // What the function URL itself adds: its own Host, and that it was reached over HTTPS on 443.
  headers['host'] = ctx.domainName;
  headers['x-forwarded-proto'] = 'https';
  headers['x-forwarded-port'] = '443';
  headers['x-amzn-trace-id'] ??= traceId(now);

  const domainPrefix = ctx.domainName.split('.')[0]!;
  const event: LambdaFunctionURLEvent = {
    version: '2.0',
    routeKey: '$default',
    rawPath: req.uri,
    rawQueryString: req.querystring,
    headers,
    requestContext: {
      accountId: 'anonymous',
      apiId: domainPrefix,
      domainName: ctx.domainName,
      domainPrefix,
      http: {
        method: req.method,
        path: req.uri,
        protocol: 'HTTP/1.1',
        sourceIp: ctx.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: ctx.requestId ?? randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: formatRequestTime(now),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
  if (cookies.length > 0) event.cookies = cookies;
  const qs = parseQueryString(req.querystring);
  if (qs) event.queryStringParameters = qs;
  if (req.body && req.body.length > 0) {
    const text = isTextContentType(headers['content-type']);
    event.body = req.body.toString(text ? 'utf8' : 'base64');
    event.isBase64Encoded = !text;
  }
  return event;
}

export interface HttpResult {
  statusCode: number;
  /** Header lines in order; `set-cookie` may repeat. */
  headers: Array<[string, string]>;
  body: Buffer;
}

/** What a function URL answers when the function fails or returns something unusable. */
export function functionUrlError(): HttpResult {
  return { statusCode: 502, headers: [['content-type', 'application/json']], body: Buffer.from('Internal Server Error') };
}

/** The function's result → the function URL's HTTP response [FURL]. */
export function applyFunctionUrlResult(result: LambdaFunctionURLResult | unknown): HttpResult {
  const structured = typeof result === 'object' && result !== null && !Array.isArray(result) && 'statusCode' in result;
  if (!structured) {
    // [FURL] "If your function returns valid JSON and doesn't return a statusCode": 200, application/json,
    // and the body is the function's output — serialized JSON (a string result keeps its quotes).
    const json = JSON.stringify(result === undefined ? null : result);
    return { statusCode: 200, headers: [['content-type', 'application/json']], body: Buffer.from(json) };
  }
  const r = result as { statusCode: unknown; headers?: unknown; body?: unknown; isBase64Encoded?: unknown; cookies?: unknown };
  if (typeof r.statusCode !== 'number' || !Number.isInteger(r.statusCode) || r.statusCode < 100 || r.statusCode > 599) {
    return functionUrlError();
  }
  const headers: Array<[string, string]> = [];
  if (r.headers !== undefined) {
    if (typeof r.headers !== 'object' || r.headers === null) return functionUrlError();
    for (const [name, value] of Object.entries(r.headers)) headers.push([name.toLowerCase(), String(value)]);
  }
  if (r.cookies !== undefined) {
    if (!Array.isArray(r.cookies)) return functionUrlError();
    for (const c of r.cookies) headers.push(['set-cookie', String(c)]); // [FURL] one set-cookie per cookie
  }
  let body = Buffer.alloc(0);
  if (r.body !== undefined && r.body !== null) {
    if (typeof r.body !== 'string') return functionUrlError();
    body = r.isBase64Encoded === true ? Buffer.from(r.body, 'base64') : Buffer.from(r.body, 'utf8');
  }
  return { statusCode: r.statusCode, headers, body };
}
