/**
 * The API Gateway authorizer (docs/api.md): edge-oauth's sessions in front of API Gateway APIs.
 *
 * `EdgeOAuthApiAuthorizer` is the authorizer function (lambdas/authorizer, the site's own
 * session check) and what attaches it: `httpAuthorizer()` for an HTTP API (payload 2.0,
 * simple responses), `restAuthorizer(api)` for a REST API (REQUEST authorizer, IAM
 * policy, and the gateway responses that give a 401 its JSON body). Both are keyed on the
 * `Cookie` header and cached for `config.api.cacheTtl`, which the config schema (and this
 * file, for hand-made configs) holds to at most `session.revocationCheckInterval`.
 * `EdgeOAuth` creates it on first use (`auth.httpApiAuthorizer()`, `auth.restApiAuthorizer(api)`);
 * the ready stack's API is lib/protected-api.ts.
 *
 * The API must be in the authorizer's account and region (API Gateway invokes a Lambda
 * authorizer in its own region); it may be in another stack: the invoke permission is then
 * created next to the API, so the stacks do not reference each other in a cycle.
 */
import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import { API_STATUS, apiErrorBody } from '../lambdas/core/api/authorizer';
import { MAX_API_CACHE_TTL } from '../lambdas/core/config/fields';
import { authRealm } from '../lambdas/core/shared/header-value';
import type { EdgeConfig } from '../lambdas/core/config/types';
import { packageEntry, regionalFunction } from './functions';

/** The authorizer's cache key: the whole `Cookie` header (the session cookie is in it). */
export const AUTHORIZER_IDENTITY_SOURCE = {
  http: '$request.header.Cookie',
  rest: apigw.IdentitySource.header('Cookie'),
} as const;

/** The authorizer function: a session check is a cookie open and, when due, one or two DynamoDB calls or a provider refresh (4 s timeouts). */
export const AUTHORIZER_LIMITS = { memoryMiB: 256, timeoutSeconds: 10 } as const;

/** Seconds a client is told to wait after a 503 (as the site's 503 page). */
const RETRY_AFTER_SECONDS = 30;

/** The cache TTL the config asks for, checked again for configs not made by parseConfig. Throws with the value. */
export function authorizerCacheTtl(config: EdgeConfig): Duration {
  const ttl = config.api?.cacheTtl;
  const interval = config.session.revocationCheckInterval;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0 || ttl > MAX_API_CACHE_TTL) {
    throw new Error(`edge-oauth: api.cacheTtl ${String(ttl)} must be a whole number of seconds from 0 to ${MAX_API_CACHE_TTL}`);
  }
  if (ttl > interval) {
    throw new Error(
      `edge-oauth: api.cacheTtl (${ttl}s) is longer than session.revocationCheckInterval (${interval}s): API Gateway would keep ` +
        'letting a revoked session in for longer than the revocation check interval. Lower api.cacheTtl.',
    );
  }
  return Duration.seconds(ttl);
}

export interface EdgeOAuthApiAuthorizerProps {
  /** The resolved configuration, baked into the bundle like the other functions'. */
  readonly config: EdgeConfig;
  /** The bundling options of edge-oauth's functions (esbuild `define` with the config). */
  readonly bundling: BundlingOptions;
  /** Grants what a session check needs (`EdgeOAuth.grantSessionCheck`). */
  readonly grantSessionCheck: (grantee: iam.IGrantable) => void;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Source of the authorizer handler (exports `handler`). @default - lambdas/authorizer/index.ts of this package */
  readonly entry?: string;
}

export class EdgeOAuthApiAuthorizer extends Construct {
  /** The authorizer function (regional, this stack's region). */
  readonly function: lambda.Function;
  /** How long API Gateway caches an answer per Cookie header (`config.api.cacheTtl`). */
  readonly cacheTtl: Duration;
  private readonly config: EdgeConfig;
  private readonly restAuthorizers = new Map<apigw.RestApi, apigw.RequestAuthorizer>();
  private httpCount = 0;

  constructor(scope: Construct, id: string, props: EdgeOAuthApiAuthorizerProps) {
    super(scope, id);
    this.config = props.config;
    this.cacheTtl = authorizerCacheTtl(props.config);
    const { fn, role } = regionalFunction(this, {
      ids: { role: 'Role', logs: 'Logs', function: 'Function' },
      roleDescription: 'edge-oauth API Gateway authorizer',
      ...(props.logRetention !== undefined && { logRetention: props.logRetention }),
      description: `edge-oauth API Gateway authorizer for ${props.config.site.domain ?? props.config.site.name}`,
      entry: props.entry ?? packageEntry('lambdas/authorizer/index'),
      memorySize: AUTHORIZER_LIMITS.memoryMiB,
      timeout: Duration.seconds(AUTHORIZER_LIMITS.timeoutSeconds),
      bundling: props.bundling,
    });
    this.function = fn;
    props.grantSessionCheck(role);
  }

  /**
   * A Lambda authorizer for one HTTP API (CDK binds an `HttpLambdaAuthorizer` to a single
   * API: call this once per API). Payload format 2.0 with simple responses, the Cookie header
   * as identity source, cached `cacheTtl`. Give it as the API's `defaultAuthorizer` or to routes.
   */
  httpAuthorizer(): HttpLambdaAuthorizer {
    const id = this.httpCount === 0 ? 'EdgeOAuthAuthorizer' : `EdgeOAuthAuthorizer${this.httpCount}`;
    this.httpCount++;
    return new RegionCheckedHttpLambdaAuthorizer(this, id, this.function, {
      authorizerName: 'edge-oauth',
      identitySource: [AUTHORIZER_IDENTITY_SOURCE.http],
      resultsCacheTtl: this.cacheTtl,
      responseTypes: [HttpLambdaResponseType.SIMPLE],
    });
  }

  /**
   * The REQUEST authorizer for a REST API (one per API; the same one on every call for it):
   * the Cookie header as identity source, cached `cacheTtl`, and the API's gateway
   * responses for what the authorizer refuses: 401 UNAUTHORIZED with a JSON body that says
   * where to sign in (and `WWW-Authenticate`), 403 ACCESS_DENIED, 503 when the session
   * cannot be checked. Give it to the methods it protects (`authorizer`).
   */
  restAuthorizer(api: apigw.RestApi): apigw.RequestAuthorizer {
    const known = this.restAuthorizers.get(api);
    if (known !== undefined) return known;
    checkSameEnvironment(this, api);
    const handler = this.functionFor(api);
    const authorizer = new apigw.RequestAuthorizer(api, 'EdgeOAuthAuthorizer', {
      authorizerName: 'edge-oauth',
      handler,
      identitySources: [AUTHORIZER_IDENTITY_SOURCE.rest],
      resultsCacheTtl: this.cacheTtl,
    });
    addGatewayResponses(api, this.config);
    this.restAuthorizers.set(api, authorizer);
    return authorizer;
  }

  /** The function as seen from the API's stack: itself, or an import there (the invoke permission then lives beside the API). */
  private functionFor(api: IConstruct): lambda.IFunction {
    if (Stack.of(api) === Stack.of(this)) return this.function;
    return lambda.Function.fromFunctionAttributes(api, 'EdgeOAuthAuthorizerFunction', { functionArn: this.function.functionArn, sameEnvironment: true });
  }
}

/** An HttpLambdaAuthorizer that refuses an API outside the function's account and region, and grants invoke next to the API. */
class RegionCheckedHttpLambdaAuthorizer extends HttpLambdaAuthorizer {
  constructor(
    private readonly owner: EdgeOAuthApiAuthorizer,
    id: string,
    handler: lambda.IFunction,
    props: ConstructorParameters<typeof HttpLambdaAuthorizer>[2],
  ) {
    super(id, handler, props);
  }

  override bind(options: apigwv2.HttpRouteAuthorizerBindOptions): apigwv2.HttpRouteAuthorizerConfig {
    checkSameEnvironment(this.owner, options.route);
    return super.bind(options);
  }
}

function checkSameEnvironment(authorizer: Construct, api: IConstruct): void {
  const ours = Stack.of(authorizer);
  const theirs = Stack.of(api);
  for (const key of ['region', 'account'] as const) {
    const a = ours[key];
    const b = theirs[key];
    if (!Token.isUnresolved(a) && !Token.isUnresolved(b) && a !== b) {
      throw new Error(
        `edge-oauth: ${api.node.path} is in ${key} "${b}", the authorizer function in "${a}": API Gateway invokes a Lambda ` +
          `authorizer in its own account and region. Put the API in ${a}, or deploy edge-oauth's authorizer there.`,
      );
    }
  }
}

/** `WWW-Authenticate` for the 401: a realm of safe characters only (it is a quoted, static header value). */
function wwwAuthenticate(config: EdgeConfig): string {
  return `'EdgeOAuth realm="${authRealm(config.site)}"'`;
}

/** A static JSON template (VTL): nothing in it may start a VTL reference or directive. */
function jsonTemplate(body: string): Record<string, string> {
  if (/[$#]/.test(body)) throw new Error('edge-oauth: a gateway response body must not contain "$" or "#" (VTL)');
  return { 'application/json': body };
}

/** The REST API's answers for what the authorizer refuses (docs/api.md). */
function addGatewayResponses(api: apigw.RestApi, config: EdgeConfig): void {
  const common = { 'Cache-Control': "'no-store'", 'Content-Type': "'application/json'" };
  api.addGatewayResponse('EdgeOAuthUnauthorized', {
    type: apigw.ResponseType.UNAUTHORIZED,
    statusCode: String(API_STATUS.unauthorized),
    responseHeaders: { ...common, 'WWW-Authenticate': wwwAuthenticate(config) },
    templates: jsonTemplate(apiErrorBody(config, 'unauthorized')),
  });
  api.addGatewayResponse('EdgeOAuthAccessDenied', {
    type: apigw.ResponseType.ACCESS_DENIED,
    statusCode: String(API_STATUS.forbidden),
    responseHeaders: common,
    templates: jsonTemplate(apiErrorBody(config, 'forbidden')),
  });
  // The authorizer failed closed (a due check could not be done) or could not be run.
  for (const [id, type] of [
    ['EdgeOAuthAuthorizerFailure', apigw.ResponseType.AUTHORIZER_FAILURE],
    ['EdgeOAuthAuthorizerConfigurationError', apigw.ResponseType.AUTHORIZER_CONFIGURATION_ERROR],
  ] as const) {
    api.addGatewayResponse(id, {
      type,
      statusCode: String(API_STATUS.unavailable),
      responseHeaders: { ...common, 'Retry-After': `'${RETRY_AFTER_SECONDS}'` },
      templates: jsonTemplate(apiErrorBody(config, 'unavailable')),
    });
  }
}
