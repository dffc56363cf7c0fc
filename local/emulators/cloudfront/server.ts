/**
 * A local CloudFront distribution for tests and `npm start`: one viewer-request Lambda@Edge
 * function on every request, a Lambda function URL origin for the callback path, and an HTTP
 * origin for everything else. It behaves as the AWS documentation describes (see the sources
 * cited in this folder and below) and caches nothing. It stands in for Amazon CloudFront
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/) with Lambda@Edge
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-at-the-edge.html).
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
import { randomBytes } from 'node:crypto';
import type { CloudFrontRequest, CloudFrontRequestEvent, CloudFrontRequestResult } from 'aws-lambda';
import type { CloudFrontResultResponse, LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { buildViewerRequestEvent, cloneEvent, headerPairs, splitTarget, viewerBody } from './event';
import { ViewerExchange } from './exchange';
import { readBody } from '../read-body';
import { originHeaders, toFunctionUrl, toOrigin } from './origins';
import { isGeneratedResponse, MAX_REQUEST_BYTES, parseStatus, validateGeneratedResponse, validateViewerRequestResult } from './validate';

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

const MAX_URL_BYTES = 8192;

type Outcome = { kind: 'ok'; value: unknown } | { kind: 'error'; error: unknown } | { kind: 'timeout' };

/** Runs the function like Lambda would: a throw or rejection is an error; past `ms` it is abandoned. */
async function invokeWithTimeout(fn: () => Promise<unknown>, ms: number): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome>((resolve) => (timer = setTimeout(() => resolve({ kind: 'timeout' }), ms)));
  const run = Promise.resolve().then(fn).then((value): Outcome => ({ kind: 'ok', value }), (error): Outcome => ({ kind: 'error', error }));
  return Promise.race([run, timeout]).finally(() => clearTimeout(timer));
}

/** The distribution's settings, with their defaults, and the pieces every request shares. */
interface Edge {
  readonly opts: CloudFrontEmulatorOptions;
  readonly host: string;
  readonly distributionId: string;
  readonly callbackPath: string;
  readonly adminPrefix: string;
  readonly timeoutMs: number;
  /** This "edge server"'s Via. */
  readonly via: string;
  readonly agent: http.Agent;
  port: number;
}

function edgeOf(opts: CloudFrontEmulatorOptions): Edge {
  return {
    opts,
    host: opts.host ?? '127.0.0.1',
    distributionId: opts.distributionId ?? 'EDEVLOCAL',
    callbackPath: opts.callbackPathPattern ?? '/auth/callback',
    adminPrefix: opts.adminPathPrefix ?? '/auth/admin',
    timeoutMs: opts.viewerTimeoutMs ?? 5000,
    via: `1.1 ${randomBytes(16).toString('hex')}.cloudfront.net (CloudFront)`,
    // CloudFront keeps an idle connection to a custom origin for its keep-alive timeout
    // (OriginKeepaliveTimeout, default 5 s: CustomOriginConfig, CloudFront API reference) and
    // then closes it. Node's agent closes an idle socket after `timeout`, or 1 s before the
    // origin's announced `Keep-Alive: timeout=N` when that is sooner, so a socket is never
    // reused just as the origin closes it (which answered a stray 502 OriginConnectError).
    agent: new http.Agent({ keepAlive: true, timeout: opts.originKeepaliveTimeoutMs ?? 5000 }),
    port: 0,
  };
}

/** Viewer request size quotas: 413 and the connection closed. Each header line is "name: value\r\n". */
function refusedAsTooLarge(x: ViewerExchange): boolean {
  const { req } = x;
  const head = Buffer.byteLength(`${req.method} ${req.url} HTTP/1.1\r\n`) + req.rawHeaders.reduce((n, s) => n + Buffer.byteLength(s) + 2, 0);
  if (Buffer.byteLength(req.url ?? '') <= MAX_URL_BYTES && head <= MAX_REQUEST_BYTES) return false;
  x.res.setHeader('Connection', 'close');
  x.sendError(413, 'RequestTooLarge', 'Bad request. The request line and headers are larger than CloudFront allows.');
  return true;
}

/** What the viewer-request function answered, or the error CloudFront gives when it failed; undefined once answered. */
function acceptedResult(edge: Edge, x: ViewerExchange, outcome: Outcome): unknown {
  if (outcome.kind === 'timeout') {
    x.sendError(503, 'LambdaLimitExceeded', 'The Lambda function associated with the CloudFront distribution exceeded the Lambda function timeout quota.', [`Function timed out after ${edge.timeoutMs} ms.`]);
    return undefined;
  }
  if (outcome.kind === 'error') {
    const err = outcome.error as Error;
    x.logFields.error = err?.stack ?? String(err);
    x.sendError(503, 'LambdaExecutionError', "The Lambda function associated with the CloudFront distribution is invalid or doesn't have the required permissions.");
    return undefined;
  }
  return outcome.value;
}

/** A generated response, validated and sent as the function gave it. */
function sendGenerated(x: ViewerExchange, result: unknown): void {
  const violations = validateGeneratedResponse(result);
  if (violations.length) return x.validationFailed(violations);
  const r = result as CloudFrontResultResponse;
  const body = r.body === undefined ? Buffer.alloc(0) : Buffer.from(r.body, r.bodyEncoding === 'base64' ? 'base64' : 'utf8');
  x.sendResult('LambdaGeneratedResponse', parseStatus(r.status)!, r.statusDescription, headerPairs(r.headers), body);
}

/**
 * The forwarded request to its origin. CloudFront chooses the cache behaviour (and so the
 * origin) from the viewer's path, case-sensitively, BEFORE the viewer-request function
 * runs; a function that rewrites the uri changes the path sent to that origin, not which
 * origin it is.
 */
type Route = ReturnType<NonNullable<CloudFrontEmulatorOptions['routing']>>;

function forward(edge: Edge, x: ViewerExchange, viewer: { original: CloudFrontRequest; route: Route | undefined }, forwarded: CloudFrontRequest, admin: { body: Buffer | undefined } | undefined) {
  const { original, route } = viewer;
  x.logFields.uri = forwarded.uri;
  const headers = originHeaders(x, forwarded, edge.via);
  const target = route?.origin ?? (original.uri === edge.callbackPath ? 'callback' : edge.opts.originUrl);
  if (target === 'callback') {
    x.logFields.origin = 'function-url';
    return toFunctionUrl(x, forwarded, headers, edge.opts.callback);
  }
  if (admin !== undefined) {
    x.logFields.origin = 'function-url (admin)';
    return toFunctionUrl(x, forwarded, headers, edge.opts.admin!, admin.body);
  }
  x.logFields.origin = 'http';
  return toOrigin(x, forwarded, headers, new URL(target), edge.agent);
}

/** One viewer request: size quotas, the behaviour, the viewer-request function, its validation, the origin. */
async function handle(edge: Edge, x: ViewerExchange): Promise<void> {
  if (refusedAsTooLarge(x)) return;
  const { req } = x;
  const { opts } = edge;
  const request = { method: req.method ?? 'GET', target: req.url ?? '/', rawHeaders: req.rawHeaders, clientIp: x.clientIp };
  // CloudFront picks the behaviour from the raw path before the function runs; the admin
  // behaviour's association includes the body (read first, so the function can see it).
  const onAdmin = opts.admin !== undefined && splitTarget(request.target).uri.startsWith(edge.adminPrefix);
  const body = onAdmin ? await readBody(req) : undefined;
  const event = buildViewerRequestEvent({ distributionDomainName: `${edge.host}:${edge.port}`, distributionId: edge.distributionId, requestId: x.requestId, request });
  if (body !== undefined && body.length > 0) event.Records[0]!.cf.request.body = viewerBody(body);
  const original = cloneEvent(event.Records[0]!.cf.request);
  // The behaviour is chosen from the viewer's path before any function runs.
  const route = opts.routing?.(original.uri);
  const outcome: Outcome =
    route?.viewerRequest === false
      ? { kind: 'ok', value: cloneEvent(original) } // a behaviour without the function: the request as it came
      : await invokeWithTimeout(() => opts.viewerRequest(cloneEvent(event)), edge.timeoutMs);
  const result = acceptedResult(edge, x, outcome);
  if (result === undefined) return;
  if (isGeneratedResponse(result)) return sendGenerated(x, result);
  const violations = validateViewerRequestResult(original, result);
  if (violations.length) return x.validationFailed(violations);
  return forward(edge, x, { original, route }, result as CloudFrontRequest, onAdmin ? { body } : undefined);
}

export async function startCloudFront(opts: CloudFrontEmulatorOptions): Promise<CloudFrontEmulator> {
  const edge = edgeOf(opts);
  const server = http.createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => {
    const x = new ViewerExchange(req, res, edge.via, opts.onLog);
    handle(edge, x).catch((err: unknown) => {
      x.logFields.error = (err as Error)?.stack ?? String(err);
      x.sendError(502, 'Error', 'The local CloudFront emulator failed to process the request.');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject).listen(opts.port ?? 0, '127.0.0.1', () => resolve(void server.off('error', reject)));
  });
  edge.port = (server.address() as AddressInfo).port;
  return {
    url: `http://${edge.host}:${edge.port}`,
    port: edge.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
        edge.agent.destroy();
      }),
  };
}
