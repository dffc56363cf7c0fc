/**
 * The API Gateway authorizer in CDK (lib/api-authorizer.ts, lib/protected-api.ts): attached by the construct to
 * an HTTP API and to a REST API, created by the ready stack from `config.api`, the cache TTL
 * held to the revocation check interval, least-privilege IAM, cdk-nag clean. Bundling is
 * skipped (api.bundle.test.ts bundles the authorizer for real).
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUrlIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type { EdgeConfig } from '../../lambdas/core/config/types';
import { parseConfig } from '../../lambdas/core/config/parse';
import { EdgeOAuth } from '../../lib/edge-oauth';
import { AUTHORIZER_LIMITS, authorizerCacheTtl } from '../../lib/api-authorizer';
import { EdgeOAuthStack } from '../../lib/edge-oauth-stack';
import { PROTECTED_API_STAGE } from '../../lib/protected-api';
import { LAMBDA_RUNTIME } from '../../lib/runtime';
import { appWithoutBundling, configFrom, fixtureConfig, logicalId, nagFindings, referencedIds } from './helpers';

type Resources = Record<string, { Type: string; Properties?: any }>;
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

/** A stack with EdgeOAuth on a distribution (as an operator writes it), and whatever `extra` adds. */
function siteStack(config: EdgeConfig, extra: (stack: Stack, auth: EdgeOAuth) => void = () => {}, app: App = appWithoutBundling()) {
  const stack = new Stack(app, 'Site', { env: { region: 'us-east-1', account: '123456789012' } });
  const auth = new EdgeOAuth(stack, 'Auth', { config });
  const site = new cloudfront.Distribution(stack, 'Dist', { defaultBehavior: auth.protectedBehavior(new origins.HttpOrigin('origin.example.com')) });
  auth.addAuthBehaviors(site);
  extra(stack, auth);
  return { app, stack, auth };
}

function statementsOf(resources: Resources, roleId: string): Statement[] {
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((ref: { Ref: string }) => ref.Ref === roleId))
    .flatMap((r) => r.Properties.PolicyDocument.Statement as Statement[]);
}
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
/** `action resource` pairs a role is granted, other than its own logs: comparable across roles. */
function grants(resources: Resources, roleId: string): string[] {
  return statementsOf(resources, roleId)
    .filter((s) => !actionsOf(s).some((a) => a.startsWith('logs:')))
    .flatMap((s) => actionsOf(s).flatMap((a) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]).map((r) => `${a} ${JSON.stringify(r)}`)))
    .sort();
}

/** Findings under EdgeOAuth's own constructs (an operator's API has findings of its own to settle). */
const ownFindings = (stack: Stack, prefix: string) => nagFindings(stack).filter((f) => f.paths.some((p) => p.includes(prefix)));

describe('EdgeOAuth on an HTTP API (payload 2.0, simple responses)', () => {
  let template: Template;
  let resources: Resources;
  let stack: Stack;
  let config: EdgeConfig;

  beforeAll(() => {
    config = fixtureConfig();
    ({ stack } = siteStack(config, (s, auth) => {
      const api = new apigwv2.HttpApi(s, 'HttpApi', { defaultAuthorizer: auth.httpApiAuthorizer() });
      api.addRoutes({ path: '/orders', methods: [apigwv2.HttpMethod.GET], integration: new HttpUrlIntegration('Orders', 'https://backend.example.com/orders') });
    }));
    template = Template.fromStack(stack);
    resources = template.toJSON().Resources;
  });

  it('a Lambda REQUEST authorizer: payload 2.0, simple responses, keyed on the Cookie header, cached config.api.cacheTtl', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Cookie'],
      AuthorizerResultTtlInSeconds: config.api.cacheTtl,
      AuthorizerUri: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.objectLike({ 'Fn::GetAtt': [logicalId(resources, 'AWS::Lambda::Function', 'AuthApiAuthorizerFunction'), 'Arn'] })])]) }),
    });
  });

  it('the route uses it (CUSTOM)', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'GET /orders',
      AuthorizationType: 'CUSTOM',
      AuthorizerId: { Ref: logicalId(resources, 'AWS::ApiGatewayV2::Authorizer', 'HttpApi') },
    });
  });

  it('API Gateway may invoke the function for this authorizer only', () => {
    const fn = logicalId(resources, 'AWS::Lambda::Function', 'AuthApiAuthorizerFunction');
    const permissions = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Permission' && JSON.stringify(r.Properties.FunctionName).includes(fn));
    expect(permissions).toHaveLength(1);
    expect(permissions[0]!.Properties).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' });
    expect(JSON.stringify(permissions[0]!.Properties.SourceArn)).toMatch(/authorizers\//);
  });

  it('the function: the runtime constant, the authorizer entry bundled like the others, regional limits, its own log group', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('API Gateway authorizer'),
      Runtime: LAMBDA_RUNTIME.name,
      Handler: 'index.handler',
      MemorySize: AUTHORIZER_LIMITS.memoryMiB,
      Timeout: AUTHORIZER_LIMITS.timeoutSeconds,
      Architectures: ['x86_64'],
      LoggingConfig: { LogGroup: { Ref: logicalId(resources, 'AWS::Logs::LogGroup', 'AuthApiAuthorizerLogs') } },
    });
    const fn = resources[logicalId(resources, 'AWS::Lambda::Function', 'AuthApiAuthorizerFunction')]!;
    expect(fn.Properties.Environment).toBeUndefined();
  });

  it('least privilege: exactly the session-check grants of the viewer-request function, no client secrets without continuous authorization', () => {
    const authorizerRole = logicalId(resources, 'AWS::IAM::Role', 'AuthApiAuthorizerRole');
    const viewerRole = logicalId(resources, 'AWS::IAM::Role', 'AuthViewerRequestRole');
    expect(grants(resources, authorizerRole)).toEqual(grants(resources, viewerRole));
    const actions = new Set(statementsOf(resources, authorizerRole).flatMap(actionsOf));
    expect([...actions].sort()).toEqual(
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'logs:CreateLogStream', 'logs:PutLogEvents', 'secretsmanager:GetSecretValue'].sort(),
    );
    const secrets = statementsOf(resources, authorizerRole).filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'));
    const secretIds = new Set(secrets.flatMap((s) => [...referencedIds(s.Resource)]));
    expect([...secretIds]).toEqual([logicalId(resources, 'AWS::SecretsManager::Secret', 'AuthDataSessionKeySet')]);
    expect(resources[authorizerRole]!.Properties.ManagedPolicyArns).toBeUndefined();
    expect(resources[authorizerRole]!.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
    ]);
  });

  it('cdk-nag: nothing of edge-oauth\'s is left unacknowledged', () => {
    expect(ownFindings(stack, '/Auth/')).toEqual([]);
  });
});

describe('EdgeOAuth on a REST API (REQUEST authorizer, IAM policy)', () => {
  let template: Template;
  let resources: Resources;
  let stack: Stack;
  let authorizers: apigw.RequestAuthorizer[];
  const config = configFrom({
    site: { domain: 'app.example.com', name: 'Rest Site' },
    providers: [{ type: 'google', clientId: 'g', clientSecret: 'edge-oauth/google' }],
    session: { revocationCheckInterval: '2m', authCheckInterval: '1h' },
    api: { cacheTtl: '90s' },
  });

  beforeAll(() => {
    ({ stack } = siteStack(config, (s, auth) => {
      const api = new apigw.RestApi(s, 'RestApi', { cloudWatchRole: false });
      const authorizer = auth.restApiAuthorizer(api);
      authorizers = [authorizer, auth.restApiAuthorizer(api)];
      api.root.addResource('orders').addMethod('GET', new apigw.MockIntegration(), { authorizer });
    }));
    template = Template.fromStack(stack);
    resources = template.toJSON().Resources;
  });

  it('one REQUEST authorizer per API, keyed on the Cookie header, cached api.cacheTtl', () => {
    expect(authorizers[0]).toBe(authorizers[1]);
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Cookie',
      AuthorizerResultTtlInSeconds: 90,
      RestApiId: { Ref: logicalId(resources, 'AWS::ApiGateway::RestApi', 'RestApi') },
    });
  });

  it('the method uses it (CUSTOM)', () => {
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      AuthorizationType: 'CUSTOM',
      AuthorizerId: { Ref: logicalId(resources, 'AWS::ApiGateway::Authorizer', 'RestApiEdgeOAuthAuthorizer') },
    });
  });

  it('401: a JSON body that says where to sign in, WWW-Authenticate, never cached', () => {
    const response = Object.values(resources).find((r) => r.Type === 'AWS::ApiGateway::GatewayResponse' && r.Properties.ResponseType === 'UNAUTHORIZED')!;
    expect(response.Properties).toMatchObject({
      StatusCode: '401',
      ResponseParameters: {
        'gatewayresponse.header.WWW-Authenticate': `'EdgeOAuth realm="app.example.com"'`,
        'gatewayresponse.header.Cache-Control': "'no-store'",
        'gatewayresponse.header.Content-Type': "'application/json'",
      },
    });
    expect(JSON.parse(response.Properties.ResponseTemplates['application/json'])).toEqual({
      error: 'unauthorized',
      message: expect.any(String),
      signIn: 'https://app.example.com/auth/login',
    });
  });

  it('403 for a deny and 503 (Retry-After) when the authorizer fails closed, both JSON', () => {
    const byType = (type: string) => Object.values(resources).find((r) => r.Type === 'AWS::ApiGateway::GatewayResponse' && r.Properties.ResponseType === type)!.Properties;
    expect(byType('ACCESS_DENIED').StatusCode).toBe('403');
    expect(JSON.parse(byType('ACCESS_DENIED').ResponseTemplates['application/json'])).toMatchObject({ error: 'forbidden', signIn: 'https://app.example.com/auth/authn' });
    for (const type of ['AUTHORIZER_FAILURE', 'AUTHORIZER_CONFIGURATION_ERROR']) {
      expect(byType(type)).toMatchObject({ StatusCode: '503', ResponseParameters: { 'gatewayresponse.header.Retry-After': "'30'" } });
      expect(JSON.parse(byType(type).ResponseTemplates['application/json'])).toMatchObject({ error: 'unavailable' });
    }
  });

  it('with continuous authorization the session check reads the client secrets too (viewer and authorizer alike)', () => {
    const authorizerRole = logicalId(resources, 'AWS::IAM::Role', 'AuthApiAuthorizerRole');
    const viewerRole = logicalId(resources, 'AWS::IAM::Role', 'AuthViewerRequestRole');
    const secretIds = new Set(statementsOf(resources, authorizerRole).filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue')).flatMap((s) => [...referencedIds(s.Resource)]));
    expect(secretIds.size).toBe(2); // the key set and the Google client secret
    expect(grants(resources, authorizerRole)).toEqual(grants(resources, viewerRole));
  });

  it('cdk-nag: nothing of edge-oauth\'s is left unacknowledged', () => {
    expect(ownFindings(stack, '/Auth/')).toEqual([]);
  });
});

describe('where the API may live', () => {
  it('the authorizer is only created when an API uses it', () => {
    const { stack } = siteStack(fixtureConfig());
    const resources: Resources = Template.fromStack(stack).toJSON().Resources;
    expect(Object.keys(resources).filter((id) => id.startsWith('AuthApiAuthorizer'))).toEqual([]);
  });

  it('another stack in the same region: the invoke permissions sit beside the APIs, the stacks do not reference each other in a cycle', () => {
    const app = appWithoutBundling();
    const { stack: site, auth } = siteStack(fixtureConfig(), undefined, app);
    const apis = new Stack(app, 'Apis', { env: { region: 'us-east-1', account: '123456789012' } });
    const rest = new apigw.RestApi(apis, 'Rest', { cloudWatchRole: false });
    rest.root.addMethod('GET', new apigw.MockIntegration(), { authorizer: auth.restApiAuthorizer(rest) });
    new apigwv2.HttpApi(apis, 'Http', { defaultAuthorizer: auth.httpApiAuthorizer() }).addRoutes({
      path: '/x',
      methods: [apigwv2.HttpMethod.GET],
      integration: new HttpUrlIntegration('X', 'https://backend.example.com/x'),
    });
    const assembly = app.synth();
    const stackDeps = (name: string) => assembly.getStackByName(name).dependencies.map((d) => d.id).filter((id) => !id.endsWith('.assets'));
    expect(stackDeps(apis.stackName)).toEqual([site.artifactId]);
    expect(stackDeps(site.stackName)).toEqual([]);
    const apiResources: Resources = Template.fromStack(apis).toJSON().Resources;
    expect(Object.values(apiResources).filter((r) => r.Type === 'AWS::Lambda::Permission' && r.Properties.Principal === 'apigateway.amazonaws.com')).toHaveLength(2);
  });

  it('an API in another region is refused with the reason (API Gateway invokes a Lambda authorizer in its own region)', () => {
    const app = appWithoutBundling();
    const { auth } = siteStack(fixtureConfig(), undefined, app);
    const far = new Stack(app, 'Far', { env: { region: 'eu-west-1', account: '123456789012' } });
    expect(() => auth.restApiAuthorizer(new apigw.RestApi(far, 'Rest', { cloudWatchRole: false }))).toThrow(/region "eu-west-1".*us-east-1/);
    const http = new apigwv2.HttpApi(far, 'Http', { defaultAuthorizer: auth.httpApiAuthorizer() });
    expect(() =>
      http.addRoutes({ path: '/x', methods: [apigwv2.HttpMethod.GET], integration: new HttpUrlIntegration('X', 'https://backend.example.com/x') }),
    ).toThrow(/region "eu-west-1"/);
  });
});

describe('the cache TTL cannot outlive a revocation by more than the revocation check interval', () => {
  const base = { providers: [{ type: 'google', clientId: 'g', clientSecret: 's' }] };

  it('defaults to min(revocationCheckInterval, 300 s)', () => {
    expect(configFrom(base).api.cacheTtl).toBe(60);
    expect(configFrom({ ...base, session: { revocationCheckInterval: '15m' } }).api.cacheTtl).toBe(300);
    expect(configFrom({ ...base, session: { revocationCheckInterval: 0 } }).api.cacheTtl).toBe(0);
  });

  it('the config check refuses a longer one, and one past API Gateway\'s hour', () => {
    const longer = parseConfig({ ...base, session: { revocationCheckInterval: '60s' }, api: { cacheTtl: '61s' } });
    expect(longer).toMatchObject({ ok: false, problems: [{ path: 'api.cacheTtl', message: expect.stringContaining('revocationCheckInterval (60s)') }] });
    const hour = parseConfig({ ...base, session: { revocationCheckInterval: '2h' }, api: { cacheTtl: '61m' } });
    expect(hour).toMatchObject({ ok: false, problems: [{ path: 'api.cacheTtl', message: expect.stringContaining('3600') }] });
  });

  it('synth refuses a hand-made config that skipped the check, naming both values', () => {
    const config = configFrom(base);
    const bad: EdgeConfig = { ...config, api: { ...config.api, cacheTtl: 120 } };
    expect(() => authorizerCacheTtl(bad)).toThrow(/api.cacheTtl \(120s\).*revocationCheckInterval \(60s\)/);
    const stack = new Stack(appWithoutBundling(), 'Bad', { env: { region: 'us-east-1' } });
    expect(() => new EdgeOAuth(stack, 'Auth', { config: bad })).toThrow(/api.cacheTtl/);
    expect(authorizerCacheTtl(config).toSeconds()).toBe(Duration.seconds(60).toSeconds());
  });

  it('0 turns caching off; the Cookie header stays the identity source (no cookie: 401 without invoking the function)', () => {
    const config = configFrom({ ...base, session: { revocationCheckInterval: 0 } });
    const { stack } = siteStack(config, (s, auth) => {
      const api = new apigw.RestApi(s, 'RestApi', { cloudWatchRole: false });
      api.root.addMethod('GET', new apigw.MockIntegration(), { authorizer: auth.restApiAuthorizer(api) });
    });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::Authorizer', { AuthorizerResultTtlInSeconds: 0, IdentitySource: 'method.request.header.Cookie' });
  });
});

describe('the ready stack declares an API from the config', () => {
  const configFor = (kind: 'http' | 'rest') =>
    configFrom({
      site: { name: 'Ready Site' },
      providers: [{ type: 'github', clientId: 'gh', clientSecret: 'edge-oauth/github' }],
      api: { kind, upstream: 'https://backend.example.com/v1/', path: '/api' },
    });

  function ready(kind: 'http' | 'rest') {
    const stack = new EdgeOAuthStack(appWithoutBundling(), `Ready${kind}`, { env: { region: 'us-east-1' }, config: configFor(kind) });
    const template = Template.fromStack(stack);
    return { stack, template, resources: template.toJSON().Resources as Resources };
  }

  /** The distribution's `/api/*` behaviour and the origin it goes to. */
  function apiBehavior(resources: Resources) {
    const dc = resources[logicalId(resources, 'AWS::CloudFront::Distribution', 'Distribution')]!.Properties.DistributionConfig;
    const behavior = dc.CacheBehaviors.find((b: { PathPattern: string }) => b.PathPattern === '/api/*');
    const origin = dc.Origins.find((o: { Id: string }) => o.Id === behavior.TargetOriginId);
    return { behavior, origin };
  }

  it('no api.kind: no API, no authorizer', () => {
    const stack = new EdgeOAuthStack(appWithoutBundling(), 'Plain', { env: { region: 'us-east-1' }, config: fixtureConfig() });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 0);
    template.resourceCountIs('AWS::ApiGateway::RestApi', 0);
    expect(stack.api).toBeUndefined();
  });

  describe('kind "http"', () => {
    let r: ReturnType<typeof ready>;
    beforeAll(() => (r = ready('http')));

    it('an HTTP API whose every route (ANY /{proxy+} and ANY /) is behind the authorizer', () => {
      r.template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
      const authorizer = { Ref: logicalId(r.resources, 'AWS::ApiGatewayV2::Authorizer', 'Api') };
      const routes = Object.values(r.resources).filter((x) => x.Type === 'AWS::ApiGatewayV2::Route');
      expect(routes.map((x) => x.Properties.RouteKey).sort()).toEqual(['ANY /', 'ANY /{proxy+}']);
      for (const route of routes) expect(route.Properties).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: authorizer });
      r.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { EnableSimpleResponses: true, AuthorizerPayloadFormatVersion: '2.0', IdentitySource: ['$request.header.Cookie'], AuthorizerResultTtlInSeconds: 60 });
    });

    it('forwards to the upstream (path kept) with the identity headers overwritten from the authorizer context', () => {
      r.template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
        IntegrationType: 'HTTP_PROXY',
        IntegrationMethod: 'ANY',
        IntegrationUri: 'https://backend.example.com/v1/{proxy}',
        RequestParameters: {
          'overwrite:header.edge-oauth-user-id': '$context.authorizer.userId',
          'overwrite:header.edge-oauth-user-name': '$context.authorizer.userName',
          'overwrite:header.edge-oauth-user-email': '$context.authorizer.userEmail',
          'overwrite:header.edge-oauth-provider': '$context.authorizer.provider',
          'overwrite:header.edge-oauth-user-groups': '$context.authorizer.userGroups',
        },
      });
    });

    it('removes at the integration what a request sent straight to execute-api could carry: `_` and mixed spellings, the assertion and token headers', () => {
      const removed = [
        'edge_oauth_user_id', 'edge-oauth_user-id', 'edge_oauth_user_name', 'edge_oauth_user_email', 'edge_oauth_provider', 'edge_oauth_user_groups',
        'edge-oauth-user-groups-truncated', 'edge-oauth-jwt-assertion', 'edge_oauth_jwt_assertion', 'edge-oauth-access-token', 'edge_oauth_access_token', 'edge-oauth-refresh-token', 'edge_oauth_refresh_token',
      ];
      // "''", not "": API Gateway drops a mapping whose value is empty (lib/api-integration-headers.ts).
      r.template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
        IntegrationUri: 'https://backend.example.com/v1/{proxy}',
        RequestParameters: Match.objectLike(Object.fromEntries(removed.map((name) => [`remove:header.${name}`, "''"]))),
      });
    });

    it('the $default stage deploys itself and writes access logs', () => {
      r.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('authorizer.error') },
      });
    });

    it('served on the site\'s host at /api/*: HTTPS to the execute-api domain, no viewer-request function (the authorizer is the gate), never cached, cookies forwarded', () => {
      const { behavior, origin } = apiBehavior(r.resources);
      expect(behavior).toMatchObject({ CachePolicyId: CACHING_DISABLED, OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER, ViewerProtocolPolicy: 'https-only' });
      expect(behavior.AllowedMethods).toEqual(expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD']));
      expect(behavior.LambdaFunctionAssociations).toBeUndefined();
      expect(origin.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
      expect(JSON.stringify(origin.DomainName)).toContain(logicalId(r.resources, 'AWS::ApiGatewayV2::Api', 'Api'));
      expect(origin.OriginPath).toBeUndefined();
    });

    it('outputs the API URL on the site', () => {
      const outputs = r.template.toJSON().Outputs;
      expect(JSON.stringify(outputs.ApiUrl.Value)).toContain('/api/');
    });

    it('cdk-nag clean', () => {
      expect(nagFindings(r.stack)).toEqual([]);
    });
  });

  describe('kind "rest"', () => {
    let r: ReturnType<typeof ready>;
    beforeAll(() => (r = ready('rest')));

    it('a regional REST API whose every method is behind the REQUEST authorizer, with the gateway responses', () => {
      r.template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
      const authorizer = { Ref: logicalId(r.resources, 'AWS::ApiGateway::Authorizer', 'Api') };
      const methods = Object.values(r.resources).filter((x) => x.Type === 'AWS::ApiGateway::Method');
      expect(methods).toHaveLength(2);
      for (const m of methods) expect(m.Properties).toMatchObject({ HttpMethod: 'ANY', AuthorizationType: 'CUSTOM', AuthorizerId: authorizer });
      r.template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'UNAUTHORIZED', StatusCode: '401' });
      // No site.domain: the sign-in link is relative, right for the API served on the site's host.
      const unauthorized = Object.values(r.resources).find((x) => x.Type === 'AWS::ApiGateway::GatewayResponse' && x.Properties.ResponseType === 'UNAUTHORIZED')!;
      expect(JSON.parse(unauthorized.Properties.ResponseTemplates['application/json']).signIn).toBe('/auth/login');
    });

    it('HTTP proxy to the upstream with the path and the identity headers mapped from the authorizer context', () => {
      r.template.hasResourceProperties('AWS::ApiGateway::Method', {
        RequestParameters: { 'method.request.path.proxy': true },
        Integration: {
          Type: 'HTTP_PROXY',
          IntegrationHttpMethod: 'ANY',
          Uri: 'https://backend.example.com/v1/{proxy}',
          RequestParameters: {
            'integration.request.path.proxy': 'method.request.path.proxy',
            'integration.request.header.edge-oauth-user-id': 'context.authorizer.userId',
            'integration.request.header.edge-oauth-user-email': 'context.authorizer.userEmail',
            'integration.request.header.edge-oauth-user-name': 'context.authorizer.userName',
            'integration.request.header.edge-oauth-provider': 'context.authorizer.provider',
            'integration.request.header.edge-oauth-user-groups': 'context.authorizer.userGroups',
          },
        },
      });
    });

    it(`served on the site's host at /api/*, the origin path is the stage (/${PROTECTED_API_STAGE})`, () => {
      const { behavior, origin } = apiBehavior(r.resources);
      expect(behavior.LambdaFunctionAssociations).toBeUndefined();
      expect(origin.OriginPath).toBe(`/${PROTECTED_API_STAGE}`);
      expect(JSON.stringify(origin.DomainName)).toContain(logicalId(r.resources, 'AWS::ApiGateway::RestApi', 'Api'));
      r.template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: PROTECTED_API_STAGE, AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }) });
    });

    it('cdk-nag clean, every acknowledgement with its reason', () => {
      expect(nagFindings(r.stack)).toEqual([]);
    });
  });
});
