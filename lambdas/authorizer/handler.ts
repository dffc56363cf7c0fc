/**
 * The API Gateway Lambda authorizer: an authorizer event in, a decision out. It reads the
 * session cookie, asks the core (api/authorizer.ts: the site's own session check), and
 * answers in the format the event calls for:
 *
 * - HTTP API, payload format 2.0 (`version: "2.0"`): a simple response
 *   `{ isAuthorized, context }` (the authorizer must have simple responses enabled);
 * - REST API REQUEST authorizer (no `version`), or HTTP API payload 1.0: an IAM policy
 *   `{ principalId, policyDocument, context }`.
 *
 * No valid session: the function fails with exactly `Unauthorized`, which API Gateway
 * turns into a 401 (a REST API's UNAUTHORIZED gateway response carries the JSON body that
 * says where to sign in: lib/api-authorizer.ts). Signed in but not allowed: a deny (403).
 * A due check that cannot be done, a key set that cannot be read, or any failure in the
 * decision: logged, then an error with a code (API Gateway answers 5xx): fail closed. An allow covers the whole API stage (`.../<stage>/*`): API Gateway caches it per
 * Cookie header and reuses it for every route.
 */
import type {
  APIGatewayAuthorizerWithContextResult,
  APIGatewayRequestAuthorizerEvent,
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { API_STATUS, authorizerConfig, decideApiRequest, type ApiDecision, type ApiIdentity } from '../core/api/authorizer';
import type { EdgeConfig } from '../core/config/types';
import { ApiEventError, ApiUnauthorizedError, ApiUnavailableError } from '../core/errors';
import type { KeySet } from '../core/keys/key-set';
import type { Provider } from '../core/providers/types';
import type { RandomBytes } from '../core/shared/random';
import { requestEvent, type RequestLogger } from '../core/request-events';
import { SessionChecks } from '../core/session/container-checks';
import type { MauStore, SessionStore, UserStore } from '../core/stores';
import { elapsedUs } from '../runtime/console-logger';
import { routePath } from './route-path';

export interface AuthorizerDeps {
  readonly config: EdgeConfig;
  /** The session key set (cached by the caller). */
  readonly keys: () => KeySet | Promise<KeySet>;
  /** For continuous authorization (config `session.authCheckInterval`). */
  readonly providers: ReadonlyMap<string, Provider>;
  readonly random: RandomBytes;
  /** Epoch milliseconds. @default Date.now */
  readonly clock?: () => number;
  /** With a sessions store, every allow passes the session checks (revocation, inactivity, continuous authorization). */
  readonly sessions?: SessionStore;
  readonly users?: UserStore;
  readonly mau?: MauStore;
  readonly log?: RequestLogger;
}

export type AuthorizerEvent = APIGatewayRequestAuthorizerEventV2 | APIGatewayRequestAuthorizerEvent;
export type SimpleAuthorizerResult = APIGatewaySimpleAuthorizerWithContextResult<ApiIdentity | Record<string, never>>;
export type PolicyAuthorizerResult = APIGatewayAuthorizerWithContextResult<ApiIdentity | Record<string, never>>;
export type AuthorizerResult = SimpleAuthorizerResult | PolicyAuthorizerResult;

// The errors it throws are in the one list (lambdas/core/errors.ts); the 401 message is part of this handler's contract.
export { UNAUTHORIZED_MESSAGE } from '../core/errors';

/** What the handler needs from either event format. */
interface ParsedEvent {
  /** REST API (no `version` in the event) or HTTP API (`version` 1.0 or 2.0). */
  readonly api: 'rest' | 'http';
  readonly format: 'simple' | 'policy';
  /** The route or method ARN the event names. */
  readonly arn: string;
  readonly cookieHeaders: string[];
  readonly host: string;
  readonly method: string;
  /** The request path as received (the request event). */
  readonly path: string;
  /** The route path the access rules match (route-path.ts); null: it cannot be known. */
  readonly routePath: string | null;
  readonly ip?: string | undefined;
  readonly userAgent?: string | undefined;
}

export function createAuthorizerHandler(deps: AuthorizerDeps): (event: AuthorizerEvent) => Promise<AuthorizerResult> {
  const clock = deps.clock ?? Date.now;
  const onError = (error: unknown, where: string) => deps.log?.error(where, error);
  // One per container, like the edge's; it re-reads sessions api.cacheTtl sooner (see authorizerConfig).
  const checks =
    deps.sessions !== undefined
      ? new SessionChecks({ config: authorizerConfig(deps.config), sessions: deps.sessions, users: deps.users, mau: deps.mau, providers: deps.providers, random: deps.random, onError })
      : undefined;
  const clientIds = new Map(deps.config.providers.map((p) => [p.id, p.clientId]));

  /**
   * The decision, never a throw: a key set that cannot be read, or a failure in the decision
   * (nothing a client sends should cause one), is logged (`log.error(where, error)`, as the
   * viewer does) and answered as `unavailable`: fail closed, as a due check that cannot be
   * done (REST API 503, HTTP API 500), with a request event that says why.
   */
  async function decide(req: ParsedEvent): Promise<ApiDecision> {
    let keys: KeySet;
    try {
      keys = await deps.keys();
    } catch (error) {
      onError(error, 'keys');
      return { kind: 'unavailable', decision: 'block', reason: 'keys-unavailable' };
    }
    try {
      return await decideApiRequest(
        { config: deps.config, keys, now: Math.floor(clock() / 1000), checks },
        { cookieHeaders: req.cookieHeaders, host: req.host, ip: req.ip, userAgent: req.userAgent, path: req.routePath },
      );
    } catch (error) {
      onError(error, 'authorizer');
      return { kind: 'unavailable', decision: 'block', reason: 'internal-error' };
    }
  }

  return async function handler(event) {
    const started = process.hrtime.bigint();
    let req: ParsedEvent;
    try {
      req = parseEvent(event);
    } catch (error) {
      // Not an event API Gateway sends for this authorizer (its wiring, not a client): no
      // format to answer in; logged, then a failure (API Gateway answers 500: closed).
      onError(error, 'event');
      throw error;
    }
    const decision = await decide(req);
    if (deps.log !== undefined) {
      const extra = {
        clientId: decision.session !== undefined ? clientIds.get(decision.session.prv) : undefined,
        clientIp: req.ip,
        status: statusOf(decision, req),
      };
      deps.log.request(requestEvent(req.method, req.path, req.host, decision, elapsedUs(started), clock(), extra));
    }
    return answer(decision, req);
  };
}

/** The status API Gateway gives the client for this answer (the request event's `status`). */
function statusOf(decision: ApiDecision, req: ParsedEvent): number | undefined {
  if (decision.kind === 'allow') return undefined;
  if (decision.kind === 'unauthorized' && req.api === 'http') return API_STATUS.forbidden;
  if (decision.kind === 'unavailable' && req.api === 'http') return 500;
  return API_STATUS[decision.kind];
}

function answer(decision: ApiDecision, req: ParsedEvent): AuthorizerResult {
  switch (decision.kind) {
    case 'unauthorized':
      if (req.api === 'rest') throw new ApiUnauthorizedError();
      // An HTTP API: a refusal, never an error (see the top of this file).
      return req.format === 'simple'
        ? { isAuthorized: false, context: {} }
        : { principalId: 'anonymous', policyDocument: policy('Deny', req.arn), context: {} };
    case 'unavailable':
      throw new ApiUnavailableError(decision.reason);
    case 'forbidden':
      return req.format === 'simple'
        ? { isAuthorized: false, context: {} }
        : { principalId: decision.principalId, policyDocument: policy('Deny', req.arn), context: {} };
    case 'allow':
      return req.format === 'simple'
        ? { isAuthorized: true, context: decision.identity }
        : { principalId: decision.principalId, policyDocument: policy('Allow', req.arn), context: decision.identity };
  }
}

/**
 * A policy for every method and path of the stage the request came in on:
 * `arn:aws:execute-api:<region>:<account>:<api id>/<stage>/<method>/<path>` becomes
 * `.../<api id>/<stage>/*`. API Gateway caches the policy per Cookie header and applies it to
 * every route: a policy for one method would deny the others from the cache.
 */
export function stageWideResource(arn: string): string {
  const match = /^(arn:[^:]+:execute-api:[^:]+:[^:]+:[^/]+\/[^/]+)\//.exec(arn);
  if (match === null) throw new ApiEventError('the method/route ARN is not an execute-api ARN');
  return `${match[1]}/*`;
}

function policy(effect: 'Allow' | 'Deny', arn: string): PolicyAuthorizerResult['policyDocument'] {
  return { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: stageWideResource(arn) }] };
}

function parseEvent(event: AuthorizerEvent): ParsedEvent {
  const e = event as Partial<APIGatewayRequestAuthorizerEventV2> & Partial<APIGatewayRequestAuthorizerEvent> & { type?: unknown; version?: unknown };
  if (e === null || typeof e !== 'object' || e.type !== 'REQUEST') throw new ApiEventError(`type ${JSON.stringify(e?.type)}`);
  if (e.version === '2.0') {
    const v2 = event as APIGatewayRequestAuthorizerEventV2;
    if (typeof v2.routeArn !== 'string') throw new ApiEventError('no routeArn');
    // Payload 2.0 puts the cookies in `cookies` (the Cookie header split at ";").
    const cookies = Array.isArray(v2.cookies) ? v2.cookies.filter((c) => typeof c === 'string') : [];
    const header = headerValues(v2.headers, undefined, 'cookie');
    return {
      api: 'http',
      format: 'simple',
      arn: v2.routeArn,
      cookieHeaders: cookies.length > 0 ? [cookies.join('; ')] : header,
      host: v2.requestContext?.domainName ?? headerValues(v2.headers, undefined, 'host')[0] ?? '',
      method: v2.requestContext?.http?.method ?? '',
      path: v2.rawPath ?? v2.requestContext?.http?.path ?? '',
      routePath:
        routePath({ template: v2.routeKey, pathParameters: v2.pathParameters, rawPath: v2.rawPath ?? v2.requestContext?.http?.path, stage: v2.requestContext?.stage, domainName: v2.requestContext?.domainName }) ?? null,
      ip: v2.requestContext?.http?.sourceIp,
      userAgent: v2.requestContext?.http?.userAgent,
    };
  }
  // REST API REQUEST authorizer (no version), or an HTTP API with payload format 1.0.
  const v1 = event as APIGatewayRequestAuthorizerEvent;
  if (typeof v1.methodArn !== 'string') throw new ApiEventError('no methodArn');
  return {
    api: e.version === undefined ? 'rest' : 'http',
    format: 'policy',
    arn: v1.methodArn,
    cookieHeaders: headerValues(v1.headers, v1.multiValueHeaders, 'cookie'),
    host: headerValues(v1.headers, v1.multiValueHeaders, 'host')[0] ?? v1.requestContext?.domainName ?? '',
    method: v1.httpMethod ?? '',
    path: v1.path ?? '',
    routePath:
      routePath({ template: v1.resource ?? v1.requestContext?.resourcePath, pathParameters: v1.pathParameters, rawPath: v1.path, stage: v1.requestContext?.stage, domainName: v1.requestContext?.domainName }) ?? null,
    ip: v1.requestContext?.identity?.sourceIp,
    userAgent: headerValues(v1.headers, v1.multiValueHeaders, 'user-agent')[0],
  };
}

/**
 * Every value of a header, whatever case the client (or API Gateway) gave its name:
 * `multiValueHeaders` when present (every line of a repeated header), else `headers`.
 */
function headerValues(
  headers: Record<string, string | undefined> | null | undefined,
  multi: Record<string, string[] | undefined> | null | undefined,
  lowerName: string,
): string[] {
  const out: string[] = [];
  if (multi !== null && multi !== undefined) {
    for (const [name, values] of Object.entries(multi)) {
      if (name.toLowerCase() === lowerName && Array.isArray(values)) out.push(...values.filter((v) => typeof v === 'string'));
    }
    if (out.length > 0) return out;
  }
  if (headers !== null && headers !== undefined) {
    for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() === lowerName && typeof value === 'string') out.push(value);
  }
  return out;
}
