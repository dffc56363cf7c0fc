/**
 * The viewer-request Lambda@Edge handler: CloudFront event in, request or generated
 * response out. It strips client-sent identity headers, asks the core, and translates.
 *
 * A viewer-request function cannot set a cookie on a request it forwards, so nothing on
 * the forward path writes cookies: session state that changes while a session is in use
 * (last activity, checks) lives server-side (see the sessions store).
 */
import type { CloudFrontRequest, CloudFrontRequestEvent, CloudFrontResultResponse } from 'aws-lambda';
import { forwardRequest, generatedResponse } from './egress';
import { AssertionCache } from '../core/viewer/assertion';
import { keysUnavailablePage } from '../core/viewer/check-failure';
import { returnPathOf } from '../core/sign-in/return-path';
import type { EdgeConfig } from '../core/config/types';
import { isReservedHeader, reservedHeaderNames } from '../core/viewer/identity-headers';
import type { KeySet } from '../core/keys/key-set';
import type { Provider } from '../core/providers/types';
import type { RandomBytes } from '../core/shared/random';
import { ownCookieTest } from '../core/session/session-cookie';
import { VIEWER_CHECK_BUDGET_MS } from '../core/session/check-budget';
import { SessionChecks } from '../core/session/container-checks';
import type { MauStore, SessionStore, UserStore } from '../core/stores';
import { decideViewerRequest, type ViewerAction } from '../core/viewer/decide';
import { unavailablePage } from '../core/viewer/pages';
import { requestEvent, type RequestLogger } from '../core/request-events';
import { LOG_EVERY_REQUEST, requestLogVerdict } from '../core/request-log-policy';
import { elapsedUs } from '../runtime/console-logger';

export interface ViewerDeps {
  readonly config: EdgeConfig;
  /** The session key set (cached by the caller; resolves at once on a warm container). */
  readonly keys: () => KeySet | Promise<KeySet>;
  readonly providers: ReadonlyMap<string, Provider>;
  readonly random: RandomBytes;
  /** Epoch milliseconds. @default Date.now */
  readonly clock?: () => number;
  /** @default 'https' */
  readonly scheme?: 'https' | 'http';
  /** With a sessions store, signed-in requests get the session checks (revocation, inactivity, continuous authorization). */
  readonly sessions?: SessionStore;
  /** App Users: last seen, IP, user agent (bounded writes), the provider's current name and email. */
  readonly users?: UserStore;
  /** The monthly active users count (one mark per user per month). */
  readonly mau?: MauStore;
  readonly log?: RequestLogger;
  /** Milliseconds from the event's arrival by which a due session check is answered (session/check-budget.ts). @default VIEWER_CHECK_BUDGET_MS */
  readonly checkBudgetMs?: number;
  /** A number in [0, 1) for sampling plain forwards (config `log`). @default Math.random */
  readonly sampleRandom?: () => number;
  /** The container's identity assertions and imported signing keys; given so that the init can prime it (lambdas/runtime/viewer-init.ts). @default - a new one */
  readonly assertions?: AssertionCache;
}

export type ViewerResult = CloudFrontRequest | CloudFrontResultResponse;

/**
 * CloudFront sends both, but AWS's own sample events leave them out (aws-sam-cli's CloudFront
 * events have no querystring, aws-lambda-java-libs' none either): never "?undefined" in a
 * return path, never a throw before the handler's own error handling. Then the client's
 * copies of the headers edge-oauth sets are dropped.
 */
function normalizeRequest(request: CloudFrontRequest, reserved: ReturnType<typeof reservedHeaderNames>): void {
  if (typeof request.querystring !== 'string') request.querystring = '';
  if (typeof request.headers !== 'object' || request.headers === null) request.headers = {};
  const headers = request.headers;
  for (const name of Object.keys(headers)) if (isReservedHeader(reserved, name)) delete headers[name];
}

/** What the core's decision reads of the request. */
function viewerRequestOf(request: CloudFrontRequest, cookieHeaders: string[]): Parameters<typeof decideViewerRequest>[1] {
  const headers = request.headers;
  return {
    method: request.method,
    uri: request.uri,
    querystring: request.querystring,
    host: headers.host?.[0]?.value ?? '',
    cookieHeaders,
    ip: request.clientIp,
    userAgent: headers['user-agent']?.[0]?.value,
    fetchMode: headers['sec-fetch-mode']?.[0]?.value,
    fetchDest: headers['sec-fetch-dest']?.[0]?.value,
    purpose: (headers['sec-purpose'] ?? headers['purpose'])?.[0]?.value,
    // Only on behaviours with "include body" (the admin console's): its hash for the signed origin request.
    ...(request.body?.data !== undefined && { body: { data: request.body.data, truncated: request.body.inputTruncated } }),
  };
}

/** What one container keeps between requests. */
function viewerContainer(deps: ViewerDeps) {
  const onError = (error: unknown, where: string) => deps.log?.error(where, error);
  const budgetMs = deps.checkBudgetMs ?? VIEWER_CHECK_BUDGET_MS;
  return {
    reserved: reservedHeaderNames(deps.config),
    clock: deps.clock ?? Date.now,
    ownCookie: ownCookieTest(deps.config),
    onError,
    // A session's identity assertion is signed once and reused while fresh.
    assertions: deps.assertions ?? new AssertionCache(),
    // What it knows about each session, so a session costs at most one store read per check
    // interval here, and none on the fast path.
    checks:
      deps.sessions !== undefined
        ? new SessionChecks({ config: deps.config, sessions: deps.sessions, users: deps.users, mau: deps.mau, providers: deps.providers, random: deps.random, onError })
        : undefined,
    clientIds: new Map(deps.config.providers.map((p) => [p.id, p.clientId])),
    // One function per container (nothing allocated per request on the fast path).
    timeLeftMs: (startedNs: bigint) => budgetMs - Number(process.hrtime.bigint() - startedNs) / 1e6,
    sampleRandom: deps.sampleRandom ?? Math.random,
    // A config built without the parser (no `log`: a hand-built one in a test) logs every request.
    logSettings: deps.config.log ?? LOG_EVERY_REQUEST,
  };
}

export function createViewerHandler(deps: ViewerDeps): (event: CloudFrontRequestEvent) => Promise<ViewerResult> {
  const { reserved, clock, ownCookie, onError, assertions, checks, clientIds, timeLeftMs, sampleRandom, logSettings } = viewerContainer(deps);
  return async function handler(event) {
    const started = process.hrtime.bigint();
    const request = event.Records[0]!.cf.request;
    normalizeRequest(request, reserved);
    const headers = request.headers;
    const cookieHeaders = headers.cookie?.map((h) => h.value) ?? [];
    let keys: KeySet;
    try {
      // A warm container has it at once: no await (and no microtask) on the fast path.
      const current = deps.keys();
      keys = current instanceof Promise ? await current : current;
    } catch (error) {
      // Fail closed with our own page (a cold start that cannot read the key set in time:
      // lambdas/store/aws/secrets.ts bounds the read), never CloudFront's page for a failed function.
      onError(error, 'keys');
      const action: Extract<ViewerAction, { action: 'respond' }> = { action: 'respond', decision: 'block', ...keysUnavailablePage(deps.config, returnPathOf(request.uri, request.querystring)) };
      deps.log?.request(requestEvent(request.method, request.uri, headers.host?.[0]?.value ?? '', action, elapsedUs(started), clock(), { clientIp: request.clientIp, status: 503 }));
      return generatedResponse(action);
    }
    let action: ViewerAction;
    try {
      const scheme = deps.scheme ?? 'https';
      // startedNs is read only when a check is due (never on the fast path): the key set's read counts too.
      const ctx = { config: deps.config, keys, providers: deps.providers, now: Math.floor(clock() / 1000), random: deps.random, scheme, sessions: deps.sessions, checks, onError, assertions, startedNs: started, timeLeftMs };
      action = await decideViewerRequest(ctx, viewerRequestOf(request, cookieHeaders));
    } catch (error) {
      // Nothing a client sends may crash the handler: a failure is logged and answered
      // (503, fail closed), so CloudFront never turns it into its own error with no log line.
      onError(error, 'viewer');
      action = unavailablePage(deps.config.site.name);
    }
    // One place computes what leaves the edge, within CloudFront's limits (egress.ts).
    const result = action.action === 'forward' ? forwardRequest(deps.config, request, action, cookieHeaders, ownCookie) : generatedResponse(action);
    // Which events are written (config `log`): the verdict comes before the event is built, so a skipped one costs nothing.
    const verdict = deps.log !== undefined ? requestLogVerdict(logSettings, action, sampleRandom) : 'skip';
    if (verdict !== 'skip') {
      const extra = {
        clientId: action.session !== undefined ? clientIds.get(action.session.prv) : undefined,
        clientIp: request.clientIp,
        status: action.action === 'respond' ? action.status : undefined,
        sampleRate: verdict === 'sampled' ? logSettings.plainForwardSampleRate : undefined,
      };
      deps.log!.request(requestEvent(request.method, request.uri, headers.host?.[0]?.value ?? '', action, elapsedUs(started), clock(), extra));
    }
    return result;
  };
}
