/**
 * `EdgeOAuthProtectedApi`: the API the ready stack creates from `config.api` (an HTTP or
 * REST API in front of `api.upstream`, identity passed on as headers), which the stack
 * serves on the site's own distribution under `api.path`, so the browser's host-only
 * session cookie reaches it. Its routes are behind `EdgeOAuthApiAuthorizer`
 * (lib/api-authorizer.ts, docs/api.md).
 */
import { Aws, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUrlIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { EdgeConfig } from '../lambdas/core/config/types';
import type { EdgeOAuthApiAuthorizer } from './api-authorizer';
import { apiHeaderFilter } from './api-header-filter';
import { HTTP_REMOVE_VALUE, REST_EMPTY_VALUE, integrationHeaderPlan } from './api-integration-headers';
import { acknowledgeRestApiFindings } from './nag';

/** The REST API stage the ready stack creates (the distribution's origin path). */
export const PROTECTED_API_STAGE = 'prod';

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
  /** The behaviour's viewer-request function: client copies of edge-oauth's headers removed (lib/api-header-filter.ts). */
  readonly headerFilter: cloudfront.Function;

  constructor(scope: Construct, id: string, props: EdgeOAuthProtectedApiProps) {
    super(scope, id);
    const { config } = props;
    const api = config.api;
    if (api.kind === undefined || api.upstream === undefined) throw new Error('EdgeOAuthProtectedApi: config.api.kind and config.api.upstream are required');
    this.kind = api.kind;
    this.headerFilter = apiHeaderFilter(this, 'HeaderFilter', config);
    const name = api.name ?? `${config.site.name} API (edge-oauth)`.slice(0, 128);
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const headers = integrationHeaderPlan(config);

    if (api.kind === 'http') {
      const httpApi = new apigwv2.HttpApi(this, 'HttpApi', { apiName: name, description: `edge-oauth: ${api.upstream}`, createDefaultStage: false });
      httpApi.addStage('DefaultStage', {
        stageName: '$default',
        autoDeploy: true,
        accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(accessLogs), format: apigw.AccessLogFormat.custom(HTTP_ACCESS_LOG_FORMAT) },
      });
      const mapping = new apigwv2.ParameterMapping();
      for (const [header, key] of headers.set) mapping.overwriteHeader(header, apigwv2.MappingValue.contextVariable(`authorizer.${key}`));
      // At the integration too (a request sent straight to execute-api skips the CloudFront
      // Function of the /api behaviour): every other `-`/`_` spelling of every edge-oauth
      // header is removed ("remove:header.{name}"; header names are case-insensitive there:
      // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-parameter-mapping.html).
      // The value is `''`: an empty one is dropped by API Gateway (lib/api-integration-headers.ts).
      for (const name of headers.others) mapping.custom(`remove:header.${name}`, HTTP_REMOVE_VALUE);
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
      for (const [header, key] of headers.set) requestParameters[`integration.request.header.${header}`] = `context.authorizer.${key}`;
      // A REST integration's request parameters set a header and cannot remove one
      // (https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-parameter-mapping.html):
      // every other `-`/`_` spelling is set to a static empty value, so a client's copy under
      // any spelling is replaced by '' (docs/api.md says what remains).
      for (const name of headers.others) requestParameters[`integration.request.header.${name}`] = REST_EMPTY_VALUE;
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
   * method. The authorizer is the one gate, on this way in and on the API's own domain alike;
   * a CloudFront Function removes client-sent copies of edge-oauth's headers first.
   */
  behavior(): cloudfront.AddBehaviorOptions {
    return {
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      compress: false, // nothing is cached, so CloudFront would not compress anyway
      functionAssociations: [{ function: this.headerFilter, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
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
