/**
 * edge-oauth's sessions in front of API Gateway APIs (docs/api.md).
 *
 * - `EdgeOAuthApiAuthorizer`: the authorizer function (lambdas/authorizer, the site's own
 *   session check) and what attaches it: `httpAuthorizer()` for an HTTP API (payload 2.0,
 *   simple responses), `restAuthorizer(api)` for a REST API (REQUEST authorizer, IAM
 *   policy, and the gateway responses that give a 401 its JSON body). Both are keyed on the
 *   `Cookie` header and cached for `config.api.cacheTtl`, which the config schema (and this
 *   file, for hand-made configs) holds to at most `session.revocationCheckInterval`.
 *   `EdgeOAuth` creates it on first use (`auth.httpApiAuthorizer()`, `auth.restApiAuthorizer(api)`).
 * - `EdgeOAuthProtectedApi`: the API the ready stack creates from `config.api` (an HTTP or
 *   REST API in front of `api.upstream`, identity passed on as headers), which the stack
 *   serves on the site's own distribution under `api.path`, so the browser's host-only
 *   session cookie reaches it.
 *
 * The API must be in the authorizer's account and region (API Gateway invokes a Lambda
 * authorizer in its own region); it may be in another stack: the invoke permission is then
 * created next to the API, so the stacks do not reference each other in a cycle.
 */
import { Aws, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpUrlIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import * as path from 'node:path';
import { API_STATUS, apiErrorBody } from '../lambdas/core/api/authorizer';
import { MAX_API_CACHE_TTL } from '../lambdas/core/config/fields';
import type { EdgeConfig } from '../lambdas/core/config/types';
import { acknowledgeFunctionFindings, acknowledgeRestApiFindings } from './nag';
import { LAMBDA_RUNTIME } from './runtime';

/** The authorizer's cache key: the whole `Cookie` header (the session cookie is in it). */
export const AUTHORIZER_IDENTITY_SOURCE = {
  http: '$request.header.Cookie',
  rest: apigw.IdentitySource.header('Cookie'),
} as const;

/** The authorizer function: a session check is a cookie open and, when due, one or two DynamoDB calls or a provider refresh (4 s timeouts). */
export const AUTHORIZER_LIMITS = { memoryMiB: 256, timeoutSeconds: 10 } as const;

/** The REST API stage the ready stack creates (the distribution's origin path). */
export const PROTECTED_API_STAGE = 'prod';

/** Seconds a client is told to wait after a 503 (as the site's 503 page). */
const RETRY_AFTER_SECONDS = 30;

const PROJECT_ROOT = path.join(__dirname, '..');

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
    const role = new iam.Role(this, 'Role', {
      description: 'edge-oauth API Gateway authorizer',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
    const fn = new NodejsFunction(this, 'Function', {
      description: `edge-oauth API Gateway authorizer for ${props.config.site.domain ?? props.config.site.name}`,
      entry: props.entry ?? path.join(PROJECT_ROOT, 'lambdas/authorizer/index.ts'),
      handler: 'handler',
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.X86_64,
      memorySize: AUTHORIZER_LIMITS.memoryMiB,
      timeout: Duration.seconds(AUTHORIZER_LIMITS.timeoutSeconds),
      role,
      logGroup,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      awsSdkConnectionReuse: false,
      bundling: props.bundling,
    });
    this.function = fn;
    acknowledgeFunctionFindings(fn);
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
  const realm = (config.site.domain ?? config.site.name).replace(/[^A-Za-z0-9 .:_-]/g, '').slice(0, 80) || 'edge-oauth';
  return `'EdgeOAuth realm="${realm}"'`;
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

// ------------------------------------------------------------------ the ready stack's API

export interface EdgeOAuthProtectedApiProps {
  readonly config: EdgeConfig;
  readonly authorizer: EdgeOAuthApiAuthorizer;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The API `config.api` declares (`kind`, `upstream`): every path and method forwarded to
 * `upstream` (path and query kept), every route behind the authorizer, the identity sent on
 * as the identity headers (`config.headers`), overwriting any the client sent. Access
 * logging on.
 */
export class EdgeOAuthProtectedApi extends Construct {
  readonly kind: 'http' | 'rest';
  /** The API's own domain name (`<id>.execute-api.<region>.amazonaws.com`). */
  readonly domainName: string;
  /** The path the API's stage is under on its domain ('' for an HTTP API's `$default` stage). */
  readonly originPath: string;
  readonly httpApi?: apigwv2.HttpApi;
  readonly restApi?: apigw.RestApi;

  constructor(scope: Construct, id: string, props: EdgeOAuthProtectedApiProps) {
    super(scope, id);
    const { config } = props;
    const api = config.api;
    if (api.kind === undefined || api.upstream === undefined) throw new Error('EdgeOAuthProtectedApi: config.api.kind and config.api.upstream are required');
    this.kind = api.kind;
    const name = api.name ?? `${config.site.name} API (edge-oauth)`.slice(0, 128);
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const identity: Array<[header: string, key: string]> = [
      [config.headers.userId, 'userId'],
      [config.headers.userName, 'userName'],
      [config.headers.userEmail, 'userEmail'],
      [config.headers.provider, 'provider'],
    ];

    if (api.kind === 'http') {
      const httpApi = new apigwv2.HttpApi(this, 'HttpApi', { apiName: name, description: `edge-oauth: ${api.upstream}`, createDefaultStage: false });
      httpApi.addStage('DefaultStage', {
        stageName: '$default',
        autoDeploy: true,
        accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(accessLogs), format: apigw.AccessLogFormat.custom(HTTP_ACCESS_LOG_FORMAT) },
      });
      const mapping = new apigwv2.ParameterMapping();
      for (const [header, key] of identity) mapping.overwriteHeader(header, apigwv2.MappingValue.contextVariable(`authorizer.${key}`));
      const authorizer = props.authorizer.httpAuthorizer();
      httpApi.addRoutes({
        path: '/{proxy+}',
        methods: [apigwv2.HttpMethod.ANY],
        integration: new HttpUrlIntegration('Upstream', `${api.upstream}/{proxy}`, { method: apigwv2.HttpMethod.ANY, parameterMapping: mapping }),
        authorizer,
      });
      httpApi.addRoutes({
        path: '/',
        methods: [apigwv2.HttpMethod.ANY],
        integration: new HttpUrlIntegration('UpstreamRoot', `${api.upstream}/`, { method: apigwv2.HttpMethod.ANY, parameterMapping: mapping }),
        authorizer,
      });
      this.httpApi = httpApi;
      this.domainName = `${httpApi.apiId}.execute-api.${Stack.of(this).region}.${Aws.URL_SUFFIX}`;
      this.originPath = '';
    } else {
      const restApi = new apigw.RestApi(this, 'RestApi', {
        restApiName: name,
        description: `edge-oauth: ${api.upstream}`,
        endpointTypes: [apigw.EndpointType.REGIONAL],
        cloudWatchRole: false,
        deployOptions: {
          stageName: PROTECTED_API_STAGE,
          accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
          accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
        },
      });
      const authorizer = props.authorizer.restAuthorizer(restApi);
      const requestParameters: Record<string, string> = {};
      for (const [header, key] of identity) requestParameters[`integration.request.header.${header}`] = `context.authorizer.${key}`;
      const method = { authorizer, authorizationType: apigw.AuthorizationType.CUSTOM };
      restApi.root.addMethod('ANY', new apigw.HttpIntegration(`${api.upstream}/`, { httpMethod: 'ANY', proxy: true, options: { requestParameters } }), method);
      restApi.root.addProxy({
        anyMethod: true,
        defaultIntegration: new apigw.HttpIntegration(`${api.upstream}/{proxy}`, {
          httpMethod: 'ANY',
          proxy: true,
          options: { requestParameters: { ...requestParameters, 'integration.request.path.proxy': 'method.request.path.proxy' } },
        }),
        defaultMethodOptions: { ...method, requestParameters: { 'method.request.path.proxy': true } },
      });
      this.restApi = restApi;
      this.domainName = `${restApi.restApiId}.execute-api.${Stack.of(this).region}.${Aws.URL_SUFFIX}`;
      this.originPath = `/${PROTECTED_API_STAGE}`;
    }
    if (this.restApi !== undefined) acknowledgeRestApiFindings(this.restApi);
  }

  /** The CloudFront origin for this API (HTTPS to its execute-api domain, the stage as origin path). */
  origin(): cloudfront.IOrigin {
    return new origins.HttpOrigin(this.domainName, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      ...(this.originPath !== '' && { originPath: this.originPath }),
    });
  }

  /**
   * The behaviour that serves the API on the site's distribution: everything the viewer sent
   * (the Cookie header above all) except Host, never cached (answers depend on the user), every
   * method. No viewer-request function: the authorizer is the one gate, on this way in and on
   * the API's own domain alike.
   */
  behavior(): cloudfront.AddBehaviorOptions {
    return {
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      compress: false, // nothing is cached, so CloudFront would not compress anyway
    };
  }
}

/** One JSON line per request (HTTP API access logs), with the authorizer's outcome. */
const HTTP_ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  method: '$context.httpMethod',
  path: '$context.path',
  status: '$context.status',
  principalId: '$context.authorizer.principalId',
  authorizerError: '$context.authorizer.error',
  integrationStatus: '$context.integrationStatus',
});
