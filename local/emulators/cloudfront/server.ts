/**
 * A local CloudFront distribution for tests and `npm start`: one viewer-request Lambda@Edge
 * function on every request, a Lambda function URL origin for the callback path, and an HTTP
 * origin for everything else. It behaves as the AWS documentation describes (see the sources
 * cited in ./cloudfront/*.ts and below) and caches nothing.
 *
 * Error responses, as documented in the CloudFront Developer Guide (Troubleshooting error responses):
 *  - 502 LambdaValidationError: the function's result failed validation (malformed, disallowed or
 *    read-only header, size quota, ...).
 *  - 503 LambdaExecutionError: the function failed (unhandled exception / rejected promise).
 *  - 503 LambdaLimitExceeded: "The function exceeded the Lambda function timeout quota"
 *    (viewer-request timeout: 5 seconds, "Quotas on Lambda@Edge").
 *  - 502 when CloudFront can't connect to the origin.
 *  - 413 when a viewer request exceeds 20,480 bytes (request line + headers) or the URL exceeds
 *    8,192 bytes ("Request and response behavior for custom origins" › Maximum length of a request).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import type { CloudFrontHeaders, CloudFrontRequest, CloudFrontRequestEvent, CloudFrontRequestResult } from 'aws-lambda';
import type { CloudFrontResultResponse, LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { appendHeader, buildViewerRequestEvent, cloneEvent, headerPairs, newCloudFrontRequestId, normalizeIp, splitTarget, viewerBody } from './event';
import { applyFunctionUrlResult, buildFunctionUrlEvent, DEFAULT_FUNCTION_URL_DOMAIN, functionUrlError, type HttpResult } from './function-url';
import { isGeneratedResponse, MAX_REQUEST_BYTES, parseStatus, validateGeneratedResponse, validateViewerRequestResult, type Violation } from './validate';
import { escapeHtml } from '../../../lambdas/core/shared/html';

export interface CloudFrontEmulatorOptions {
  /** 0 = ephemeral; the server binds 127.0.0.1. */
  port?: number;
  /** Host name used in URLs; default '127.0.0.1'. */
  host?: string;
  /** Default 'EDEVLOCAL'. */
  distributionId?: string;
  viewerRequest: (event: CloudFrontRequestEvent) => Promise<CloudFrontRequestResult | CloudFrontResultResponse>;
  /** The /auth/callback origin (a Lambda function URL). */
  callback: (event: LambdaFunctionURLEvent) => Promise<LambdaFunctionURLResult>;
  /** Default '/auth/callback'; a request whose (handler-returned) uri equals it, or starts with it + '?', goes to `callback`. */
  callbackPathPattern?: string;
  /**
   * The admin console's origin (a Lambda function URL with OAC), for the behaviour
   * `<adminPathPrefix>*`, whose viewer-request association has "include body". @default - no such behaviour
   */
  admin?: (event: LambdaFunctionURLEvent) => Promise<LambdaFunctionURLResult>;
  /** Default '/auth/admin' (the path pattern `/auth/admin*`: a raw, case-sensitive prefix). */
  adminPathPrefix?: string;
  /** e.g. http://127.0.0.1:PORT of the demo origin. */
  originUrl: string;
  /**
   * Routing by a distribution config (local/emulators/cloudfront/behaviors.ts), asked on every request
   * with the viewer's path: whether the behaviour runs the viewer-request function, and its
   * origin (`callback`, or an origin URL). Without it every request runs the function and
   * goes to `originUrl`, the callback path to `callback`.
   */
  routing?: (uri: string) => { viewerRequest: boolean; origin: 'callback' | string };
  /** Default 5000 (Lambda@Edge viewer trigger maximum). */
  viewerTimeoutMs?: number;
  /** How long an idle origin connection is kept. Default 5000 (CloudFront's default OriginKeepaliveTimeout). */
  originKeepaliveTimeoutMs?: number;
  /** Access-log-like lines; default none. */
  onLog?: (line: Record<string, unknown>) => void;
}

export interface CloudFrontEmulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

type ResultType = 'Miss' | 'Error' | 'LambdaGeneratedResponse' | 'LambdaValidationError' | 'LambdaExecutionError' | 'LambdaLimitExceeded' | 'OriginConnectError' | 'RequestTooLarge';

const MAX_URL_BYTES = 8192;
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'trailer', 'upgrade']);


/** CloudFront's own error page layout. `message` is one of CloudFront's fixed sentences, shown as CloudFront shows it (unescaped: "wasn't"). */
function errorPage(status: number, message: string, details: string[], requestId: string): string {
  const list = details.length ? `<UL>${details.map((d) => `<LI>${escapeHtml(d)}</LI>`).join('')}</UL>\n` : '';
  return [
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">',
    '<HTML><HEAD><META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=iso-8859-1">',
    '<TITLE>ERROR: The request could not be satisfied</TITLE>\n</HEAD><BODY>',
    `<H1>${status} ERROR</H1>\n<H2>The request could not be satisfied.</H2>\n<HR noshade size="1px">`,
    `${message}\n${list}<BR clear="all">\n<HR noshade size="1px">`,
    `<PRE>\nGenerated by cloudfront (CloudFront)\nRequest ID: ${escapeHtml(requestId)}\n</PRE>`,
    '<ADDRESS>\n</ADDRESS>\n</BODY></HTML>',
  ].join('\n');
}

/**
 * [OAC] https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-lambda.html:
 * "If you use PUT or POST methods with your Lambda function URL, your users must include the payload
 * hash value in the x-amz-content-sha256 header when sending the request to CloudFront. Lambda doesn't
 * support unsigned payloads." The answer's wording is SigV4's, as reported in
 * https://repost.aws/questions/QUPuq7VvHJRwWxVA3XJIgNKQ (not confirmed for OAC specifically).
 */
const OAC_SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

type Outcome = { kind: 'ok'; value: unknown } | { kind: 'error'; error: unknown } | { kind: 'timeout' };

/** Runs the function like Lambda would: a throw or rejection is an error; past `ms` it is abandoned. */
async function invokeWithTimeout(fn: () => Promise<unknown>, ms: number): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome>((resolve) => (timer = setTimeout(() => resolve({ kind: 'timeout' }), ms)));
  const run = Promise.resolve().then(fn).then((value): Outcome => ({ kind: 'ok', value }), (error): Outcome => ({ kind: 'error', error }));
  return Promise.race([run, timeout]).finally(() => clearTimeout(timer));
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Flat [name, value, ...] list for writeHead, so repeated headers (Set-Cookie) stay separate lines. */
const flat = (pairs: Array<[string, string]>): string[] => pairs.flat();

export async function startCloudFront(opts: CloudFrontEmulatorOptions): Promise<CloudFrontEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const distributionId = opts.distributionId ?? 'EDEVLOCAL';
  const callbackPath = opts.callbackPathPattern ?? '/auth/callback';
  const adminPrefix = opts.adminPathPrefix ?? '/auth/admin';
  const timeoutMs = opts.viewerTimeoutMs ?? 5000;
  const edgeId = randomBytes(16).toString('hex'); // this "edge server"'s name in Via
  const via = `1.1 ${edgeId}.cloudfront.net (CloudFront)`;
  // CloudFront keeps an idle connection to a custom origin for its keep-alive timeout
  // (OriginKeepaliveTimeout, default 5 s: CustomOriginConfig, CloudFront API reference) and
  // then closes it. Node's agent closes an idle socket after `timeout`, or 1 s before the
  // origin's announced `Keep-Alive: timeout=N` when that is sooner, so a socket is never
  // reused just as the origin closes it (which answered a stray 502 OriginConnectError).
  const agent = new http.Agent({ keepAlive: true, timeout: opts.originKeepaliveTimeoutMs ?? 5000 });
  let port = 0;

  /** Headers CloudFront adds to every response it sends to the viewer. */
  const cloudFrontHeaders = (requestId: string, xCache: string): Array<[string, string]> => [
    ['X-Cache', xCache], ['Via', via], ['X-Amz-Cf-Pop', 'LOCAL1-P1'], ['X-Amz-Cf-Id', requestId],
  ];

  const server = http.createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => {
    const requestId = newCloudFrontRequestId();
    const started = Date.now();
    const clientIp = normalizeIp(req.socket.remoteAddress);
    const logFields: Record<string, unknown> = {};
    let resultType: ResultType = 'Miss';
    res.on('finish', () =>
      opts.onLog?.({
        time: new Date(started).toISOString(), 'x-edge-request-id': requestId, 'c-ip': clientIp, 'cs-method': req.method, 'cs-uri': req.url,
        'sc-status': res.statusCode, 'x-edge-result-type': resultType, 'time-taken': (Date.now() - started) / 1000, ...logFields,
      }),
    );

    const sendError = (status: number, type: ResultType, message: string, details: string[] = []) => {
      resultType = type;
      if (details.length) logFields.detail = details;
      if (res.headersSent) return void res.destroy();
      const body = Buffer.from(errorPage(status, message, details, requestId), 'latin1');
      req.resume();
      const xCache = type.startsWith('Lambda') ? `${type} from cloudfront` : 'Error from cloudfront';
      res.writeHead(status, flat([
        ['Server', 'CloudFront'], ['Content-Type', 'text/html'], ['Content-Length', String(body.length)], ...cloudFrontHeaders(requestId, xCache),
      ]));
      res.end(req.method === 'HEAD' ? undefined : body);
    };

    const sendResult = (type: ResultType, statusCode: number, statusMessage: string | undefined, pairs: Array<[string, string]>, body: Buffer) => {
      resultType = type;
      const headers: Array<[string, string]> = [
        ...pairs.filter(([k]) => !HOP_BY_HOP.has(k.toLowerCase()) && k.toLowerCase() !== 'content-length'),
        ['Content-Length', String(body.length)],
        ...cloudFrontHeaders(requestId, type === 'Miss' && statusCode >= 400 ? 'Error from cloudfront' : `${type} from cloudfront`),
      ];
      req.resume();
      res.writeHead(statusCode, statusMessage ?? http.STATUS_CODES[statusCode] ?? '', flat(headers));
      res.end(req.method === 'HEAD' ? undefined : body);
    };

    const handle = async () => {
      // Viewer request size quotas → 413 and the connection is closed.
      // Each header line is "name: value\r\n": 2 extra bytes after the name, 2 after the value.
      const head = Buffer.byteLength(`${req.method} ${req.url} HTTP/1.1\r\n`) + req.rawHeaders.reduce((n, s) => n + Buffer.byteLength(s) + 2, 0);
      if (Buffer.byteLength(req.url ?? '') > MAX_URL_BYTES || head > MAX_REQUEST_BYTES) {
        res.setHeader('Connection', 'close');
        return sendError(413, 'RequestTooLarge', 'Bad request. The request line and headers are larger than CloudFront allows.');
      }

      const request = { method: req.method ?? 'GET', target: req.url ?? '/', rawHeaders: req.rawHeaders, clientIp };
      // CloudFront picks the behaviour from the raw path before the function runs; the admin
      // behaviour's association includes the body (read first, so the function can see it).
      const onAdmin = opts.admin !== undefined && splitTarget(request.target).uri.startsWith(adminPrefix);
      const body = onAdmin ? await readBody(req) : undefined;
      const event = buildViewerRequestEvent({ distributionDomainName: `${host}:${port}`, distributionId, requestId, request });
      if (body !== undefined && body.length > 0) event.Records[0]!.cf.request.body = viewerBody(body);
      const original = cloneEvent(event.Records[0]!.cf.request);
      // The behaviour is chosen from the viewer's path before any function runs.
      const route = opts.routing?.(original.uri);
      const outcome: Outcome =
        route?.viewerRequest === false
          ? { kind: 'ok', value: cloneEvent(original) } // a behaviour without the function: the request as it came
          : await invokeWithTimeout(() => opts.viewerRequest(cloneEvent(event)), timeoutMs);

      if (outcome.kind === 'timeout') {
        return sendError(503, 'LambdaLimitExceeded', 'The Lambda function associated with the CloudFront distribution exceeded the Lambda function timeout quota.', [`Function timed out after ${timeoutMs} ms.`]);
      }
      if (outcome.kind === 'error') {
        const err = outcome.error as Error;
        logFields.error = err?.stack ?? String(err);
        return sendError(503, 'LambdaExecutionError', "The Lambda function associated with the CloudFront distribution is invalid or doesn't have the required permissions.");
      }

      const result = outcome.value;
      if (isGeneratedResponse(result)) {
        const violations = validateGeneratedResponse(result);
        if (violations.length) return validationFailed(violations);
        const r = result as CloudFrontResultResponse;
        const body = r.body === undefined ? Buffer.alloc(0) : Buffer.from(r.body, r.bodyEncoding === 'base64' ? 'base64' : 'utf8');
        return sendResult('LambdaGeneratedResponse', parseStatus(r.status)!, r.statusDescription, headerPairs(r.headers), body);
      }
      const violations = validateViewerRequestResult(original, result);
      if (violations.length) return validationFailed(violations);
      const forwarded = result as CloudFrontRequest;
      const uri = forwarded.uri;
      logFields.uri = uri;

      // Headers CloudFront adds to every origin request ("Request and response behavior for custom
      // origins": X-Forwarded-For gets the viewer IP appended; X-Amz-Cf-Id is added; Via).
      const headers: CloudFrontHeaders = cloneEvent(forwarded.headers);
      appendHeader(headers, 'X-Forwarded-For', clientIp, ',');
      appendHeader(headers, 'Via', via, ', ');
      headers['x-amz-cf-id'] = [{ key: 'X-Amz-Cf-Id', value: requestId }];

      // CloudFront chooses the cache behaviour (and so the origin) from the viewer's path,
      // case-sensitively, BEFORE the viewer-request function runs; a function that rewrites
      // the uri changes the path sent to that origin, not which origin it is.
      const target = route?.origin ?? (original.uri === callbackPath ? 'callback' : opts.originUrl);
      if (target === 'callback') {
        logFields.origin = 'function-url';
        return toFunctionUrl(forwarded, headers, opts.callback);
      }
      if (onAdmin) {
        logFields.origin = 'function-url (admin)';
        return toFunctionUrl(forwarded, headers, opts.admin!, body);
      }
      logFields.origin = 'http';
      return toOrigin(forwarded, headers, new URL(target));
    };

    const validationFailed = (violations: Violation[]) =>
      sendError(502, 'LambdaValidationError', 'The Lambda function result failed validation.', violations.map((v) => `${v.rule}: ${v.message}`));

    const toFunctionUrl = async (
      forwarded: CloudFrontRequest,
      headers: CloudFrontHeaders,
      fn: (event: LambdaFunctionURLEvent) => Promise<LambdaFunctionURLResult>,
      readAlready?: Buffer,
    ) => {
      const body = readAlready ?? (await readBody(req));
      // Origin access control signs the origin request (SigV4) with the viewer's
      // x-amz-content-sha256; Lambda takes no unsigned payload, so a PUT or POST whose header
      // is missing or wrong fails the signature check at the function URL (403), before the
      // function runs. [OAC] below; the message is the one AWS answers (not in the docs).
      const method = forwarded.method.toUpperCase();
      if (method === 'POST' || method === 'PUT' || body.length > 0) {
        const sent = headers['x-amz-content-sha256']?.[0]?.value;
        if (sent !== createHash('sha256').update(body).digest('hex')) {
          logFields.detail = ['x-amz-content-sha256 missing or not the SHA-256 of the body'];
          const message = Buffer.from(JSON.stringify({ message: OAC_SIGNATURE_MISMATCH }));
          return sendResult('Error', 403, undefined, [['Content-Type', 'application/json'], ['x-amzn-ErrorType', 'InvalidSignatureException']], message);
        }
      }
      const event = buildFunctionUrlEvent(
        { method: forwarded.method, uri: forwarded.uri, querystring: forwarded.querystring, headers, body },
        { domainName: DEFAULT_FUNCTION_URL_DOMAIN, sourceIp: normalizeIp(req.socket.localAddress) },
      );
      let out: HttpResult;
      try {
        out = applyFunctionUrlResult(await fn(event));
      } catch (err) {
        logFields.error = (err as Error)?.stack ?? String(err);
        out = functionUrlError();
      }
      sendResult('Miss', out.statusCode, undefined, out.headers, out.body);
    };

    const toOrigin = (forwarded: CloudFrontRequest, headers: CloudFrontHeaders, origin: URL) => {
      const originBasePath = origin.pathname.replace(/\/$/, '');
      const path = `${originBasePath}${forwarded.uri}${forwarded.querystring ? `?${forwarded.querystring}` : ''}`;
      const proxyReq = http.request(
        { protocol: origin.protocol, hostname: origin.hostname, port: origin.port, method: forwarded.method, path, headers: flat(headerPairs(headers)), agent },
        (proxyRes) => {
          resultType = (proxyRes.statusCode ?? 502) >= 400 ? 'Error' : 'Miss';
          const pairs: Array<[string, string]> = [];
          for (let i = 0; i + 1 < proxyRes.rawHeaders.length; i += 2) {
            if (!HOP_BY_HOP.has(proxyRes.rawHeaders[i]!.toLowerCase())) pairs.push([proxyRes.rawHeaders[i]!, proxyRes.rawHeaders[i + 1]!]);
          }
          pairs.push(...cloudFrontHeaders(requestId, `${resultType} from cloudfront`));
          res.writeHead(proxyRes.statusCode ?? 502, proxyRes.statusMessage, flat(pairs));
          proxyRes.pipe(res);
          proxyRes.on('error', () => res.destroy());
        },
      );
      proxyReq.on('error', (err) => {
        logFields.error = err.message;
        sendError(502, 'OriginConnectError', "CloudFront wasn't able to connect to the origin.");
      });
      res.on('close', () => void (res.writableFinished || proxyReq.destroy()));
      req.pipe(proxyReq);
    };

    handle().catch((err: unknown) => {
      logFields.error = (err as Error)?.stack ?? String(err);
      sendError(502, 'Error', 'The local CloudFront emulator failed to process the request.');
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject).listen(opts.port ?? 0, '127.0.0.1', () => resolve(void server.off('error', reject)));
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
