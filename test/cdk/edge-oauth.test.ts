/**
 * The EdgeOAuth construct inside the ready stack, fixture config: one synthesized stack
 * shared by every assertion here (bundling skipped; bundle.test.ts bundles for real).
 * Each known trap from issue 5 has its own test, named "trap: ...".
 */
import { Stack, type App } from 'aws-cdk-lib';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type { EdgeConfig } from '../../lambdas/core/config/types';
import { TABLES } from '../../lambdas/store/dynamodb/tables';
import { AUTH_PATH_PATTERN, CALLBACK_PATH_PATTERN, EdgeOAuth } from '../../lib/edge-oauth';
import { VIEWER_REQUEST_LIMITS } from '../../lib/functions';
import { TABLE_ACCESS } from '../../lib/grants';
import { EdgeOAuthData } from '../../lib/edge-oauth-data';
import { EdgeOAuthStack } from '../../lib/edge-oauth-stack';
import { LAMBDA_RUNTIME } from '../../lib/runtime';
import { appWithoutBundling, fixtureConfig, logicalId, nagFindings, referencedIds, ROOT, walk } from './helpers';

const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';
const REPLICAS = ['eu-west-1', 'ap-northeast-1'];

type Resources = Record<string, { Type: string; Properties?: any; DependsOn?: string[]; DeletionPolicy?: string; Metadata?: any }>;
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

let app: App;
let stack: EdgeOAuthStack;
let template: Template;
let resources: Resources;
let config: EdgeConfig;
let ids: {
  viewerFn: string;
  viewerVersion: string;
  viewerRole: string;
  callbackFn: string;
  callbackRole: string;
  callbackUrl: string;
  distribution: string;
  keySet: string;
};

beforeAll(() => {
  config = fixtureConfig();
  app = appWithoutBundling();
  stack = new EdgeOAuthStack(app, 'Site', { env: { region: 'us-east-1' }, config });
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
  ids = {
    viewerFn: logicalId(resources, 'AWS::Lambda::Function', 'EdgeOAuthViewerRequestFunction'),
    viewerVersion: logicalId(resources, 'AWS::Lambda::Version', 'EdgeOAuthViewerRequestFunctionCurrentVersion'),
    viewerRole: logicalId(resources, 'AWS::IAM::Role', 'EdgeOAuthViewerRequestRole'),
    callbackFn: logicalId(resources, 'AWS::Lambda::Function', 'EdgeOAuthCallbackFunction'),
    callbackRole: logicalId(resources, 'AWS::IAM::Role', 'EdgeOAuthCallbackRole'),
    callbackUrl: logicalId(resources, 'AWS::Lambda::Url', 'EdgeOAuthCallbackFunction'),
    distribution: logicalId(resources, 'AWS::CloudFront::Distribution', 'Distribution'),
    keySet: logicalId(resources, 'AWS::SecretsManager::Secret', 'EdgeOAuthDataSessionKeySet'),
  };
});

const distributionConfig = () => resources[ids.distribution]!.Properties.DistributionConfig;
const behavior = (pattern: string) => distributionConfig().CacheBehaviors.find((b: { PathPattern: string }) => b.PathPattern === pattern);

/** Every statement of the inline policies attached to `roleId`. */
function statementsOf(roleId: string): Statement[] {
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((ref: { Ref: string }) => ref.Ref === roleId))
    .flatMap((r) => r.Properties.PolicyDocument.Statement as Statement[]);
}
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesOf = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);
/** The statements of a role that grant `action`, with their resources, as JSON text for matching. */
const grantsOf = (roleId: string, action: string) =>
  statementsOf(roleId)
    .filter((s) => actionsOf(s).includes(action))
    .flatMap(resourcesOf)
    .map((r) => JSON.stringify(r));

describe('EdgeOAuth: the viewer-request function (Lambda@Edge)', () => {
  it('is in a us-east-1 stack', () => {
    expect(stack.region).toBe('us-east-1');
  });

  it('runs the runtime constant, x86_64, within the viewer-request limits (128 MB, 5 s)', () => {
    const props = resources[ids.viewerFn]!.Properties;
    expect(props).toMatchObject({
      Runtime: LAMBDA_RUNTIME.name,
      Architectures: ['x86_64'],
      MemorySize: VIEWER_REQUEST_LIMITS.memoryMiB,
      Timeout: VIEWER_REQUEST_LIMITS.timeoutSeconds,
      Handler: 'index.handler',
    });
  });

  it('has no environment variables (Lambda@Edge rejects them) and none of the other unsupported features', () => {
    const props = resources[ids.viewerFn]!.Properties;
    for (const unsupported of ['Environment', 'Layers', 'VpcConfig', 'DeadLetterConfig', 'TracingConfig', 'ReservedConcurrentExecutions', 'EphemeralStorage']) {
      expect(props).not.toHaveProperty(unsupported);
    }
  });

  it('a numbered version is what every behaviour runs, never $LATEST', () => {
    expect(resources[ids.viewerVersion]!.Properties.FunctionName).toEqual({ Ref: ids.viewerFn });
    expect(resources[ids.viewerVersion]).toMatchObject({ DeletionPolicy: 'Retain' });
    const config = distributionConfig();
    for (const b of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      expect(b.LambdaFunctionAssociations).toEqual([{ EventType: 'viewer-request', IncludeBody: false, LambdaFunctionARN: { Ref: ids.viewerVersion } }]);
    }
  });

  it('its role trusts lambda.amazonaws.com and edgelambda.amazonaws.com, with no managed policies', () => {
    const role = resources[ids.viewerRole]!.Properties;
    const principals = role.AssumeRolePolicyDocument.Statement.map((s: { Principal: { Service: string } }) => s.Principal.Service);
    expect(principals).toEqual(expect.arrayContaining(['lambda.amazonaws.com', 'edgelambda.amazonaws.com']));
    expect(role.ManagedPolicyArns).toBeUndefined();
  });
});

describe('EdgeOAuth: the distribution behaviours', () => {
  it('the default behaviour runs the viewer-request function over HTTPS', () => {
    expect(distributionConfig().DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      LambdaFunctionAssociations: [{ EventType: 'viewer-request', IncludeBody: false, LambdaFunctionARN: { Ref: ids.viewerVersion } }],
    });
  });

  it('/auth/callback comes before /auth/* (CloudFront takes the first match)', () => {
    const patterns = distributionConfig().CacheBehaviors.map((b: { PathPattern: string }) => b.PathPattern);
    expect(patterns.indexOf(CALLBACK_PATH_PATTERN)).toBeGreaterThanOrEqual(0);
    expect(patterns.indexOf(CALLBACK_PATH_PATTERN)).toBeLessThan(patterns.indexOf(AUTH_PATH_PATTERN));
  });

  it('/auth/callback and /auth/* go to the callback origin, not to the site', () => {
    const siteOrigin = distributionConfig().DefaultCacheBehavior.TargetOriginId;
    const callbackOrigin = behavior(CALLBACK_PATH_PATTERN).TargetOriginId;
    expect(behavior(AUTH_PATH_PATTERN).TargetOriginId).toBe(callbackOrigin);
    expect(callbackOrigin).not.toBe(siteOrigin);
    const origin = distributionConfig().Origins.find((o: { Id: string }) => o.Id === callbackOrigin);
    expect(referencedIds(origin.DomainName)).toEqual(new Set([ids.callbackUrl]));
  });

  it('/auth/callback accepts GET and HEAD only (a POST body through OAC would need a payload hash)', () => {
    expect(behavior(CALLBACK_PATH_PATTERN).AllowedMethods).toEqual(['GET', 'HEAD']);
  });

  it('trap: the viewer-request function runs on /auth/callback and /auth/* too (it lets the callback through and sets the host header)', () => {
    for (const pattern of [CALLBACK_PATH_PATTERN, AUTH_PATH_PATTERN]) {
      expect(behavior(pattern).LambdaFunctionAssociations).toEqual([
        { EventType: 'viewer-request', IncludeBody: false, LambdaFunctionARN: { Ref: ids.viewerVersion } },
      ]);
    }
  });

  it('trap: /auth/* is never cached (CachingDisabled) and gets no viewer Host, but every query string and cookie (AllViewerExceptHostHeader)', () => {
    for (const pattern of [CALLBACK_PATH_PATTERN, AUTH_PATH_PATTERN]) {
      expect(behavior(pattern)).toMatchObject({
        CachePolicyId: CACHING_DISABLED,
        OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
        ViewerProtocolPolicy: 'redirect-to-https',
      });
    }
    // The managed policy ids are the ones CDK names (a typo here would be a silent cache).
    expect(cloudfront.CachePolicy.CACHING_DISABLED.cachePolicyId).toBe(CACHING_DISABLED);
    expect(cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.originRequestPolicyId).toBe(ALL_VIEWER_EXCEPT_HOST_HEADER);
  });
});

describe('EdgeOAuth: the callback behind a function URL with origin access control', () => {
  it('trap: the function URL has AuthType AWS_IAM (OAC signs; nobody else can call it)', () => {
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'AWS_IAM',
      TargetFunctionArn: { 'Fn::GetAtt': [ids.callbackFn, 'Arn'] },
    });
  });

  it('trap: the origin uses a lambda origin access control that always signs (SigV4)', () => {
    const oacId = behavior(CALLBACK_PATH_PATTERN).TargetOriginId;
    const origin = distributionConfig().Origins.find((o: { Id: string }) => o.Id === oacId);
    const [oac] = [...referencedIds(origin.OriginAccessControlId)];
    expect(resources[oac!]).toMatchObject({
      Type: 'AWS::CloudFront::OriginAccessControl',
      Properties: { OriginAccessControlConfig: { OriginAccessControlOriginType: 'lambda', SigningBehavior: 'always', SigningProtocol: 'sigv4' } },
    });
    expect(origin.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
  });

  it('trap: the resource policy lets only cloudfront.amazonaws.com in, and only for this distribution', () => {
    const permissions = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Permission');
    const onCallback = permissions.filter((p) => referencedIds(p.Properties.FunctionName).has(ids.callbackUrl) || referencedIds(p.Properties.FunctionName).has(ids.callbackFn));
    expect(onCallback.map((p) => p.Properties.Action).sort()).toEqual(['lambda:InvokeFunction', 'lambda:InvokeFunctionUrl']);
    for (const p of onCallback) {
      expect(p.Properties.Principal).toBe('cloudfront.amazonaws.com');
      expect(referencedIds(p.Properties.SourceArn)).toEqual(new Set([ids.distribution]));
      expect(JSON.stringify(p.Properties.SourceArn)).toContain(':distribution/');
    }
    expect(onCallback.find((p) => p.Properties.Action === 'lambda:InvokeFunction')!.Properties.InvokedViaFunctionUrl).toBe(true);
    // No other way in: nothing else grants invoke on any function.
    expect(permissions).toHaveLength(onCallback.length);
  });

  it('trap: the callback knows nothing of the distribution (no dependency cycle; the host comes from config or the header)', () => {
    const callbackSide = [ids.callbackFn, ids.callbackRole, ids.callbackUrl, ...Object.keys(resources).filter((id) => id.startsWith('EdgeOAuthCallbackRoleDefaultPolicy'))];
    for (const id of callbackSide) {
      expect(referencedIds(resources[id])).not.toContain(ids.distribution);
    }
    expect(config.site.domain).toBeUndefined(); // the fixture exercises the header path
  });

  it('runs the runtime constant, regional, with its own log group and no environment', () => {
    const props = resources[ids.callbackFn]!.Properties;
    expect(props).toMatchObject({ Runtime: LAMBDA_RUNTIME.name, Timeout: 10, MemorySize: 256 });
    expect(props).not.toHaveProperty('Environment');
    expect(referencedIds(props.LoggingConfig)).toEqual(new Set([logicalId(resources, 'AWS::Logs::LogGroup', 'EdgeOAuthCallbackLogs')]));
  });
});

describe('EdgeOAuth: tables', () => {
  it.each(TABLES.map((def) => [def.role, def] as const))('%s: from lambdas/store/dynamodb/tables.ts, on-demand, TTL, PITR, deletion protection, retained', (role, def) => {
    const table = Object.values(resources).find((r) => r.Type === 'AWS::DynamoDB::Table' && r.Properties.TableName === config.aws.tables[role])!;
    expect(table).toBeDefined();
    const p = table.Properties;
    expect(p.BillingMode).toBe('PAY_PER_REQUEST');
    expect(p.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(p.DeletionProtectionEnabled).toBe(true);
    expect(table.DeletionPolicy).toBe('Retain');
    expect(p.KeySchema).toEqual([
      { AttributeName: def.partitionKey.name, KeyType: 'HASH' },
      ...(def.sortKey ? [{ AttributeName: def.sortKey.name, KeyType: 'RANGE' }] : []),
    ]);
    if (def.timeToLiveAttribute) expect(p.TimeToLiveSpecification).toEqual({ AttributeName: def.timeToLiveAttribute, Enabled: true });
    else expect(p.TimeToLiveSpecification).toBeUndefined();
    expect((p.GlobalSecondaryIndexes ?? []).map((g: { IndexName: string; KeySchema: unknown; Projection: unknown }) => [g.IndexName, g.KeySchema, g.Projection])).toEqual(
      def.globalSecondaryIndexes.map((g) => [
        g.indexName,
        [{ AttributeName: g.partitionKey.name, KeyType: 'HASH' }, ...(g.sortKey ? [{ AttributeName: g.sortKey.name, KeyType: 'RANGE' }] : [])],
        g.projection.type === 'INCLUDE' ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...g.projection.nonKeyAttributes] } : { ProjectionType: g.projection.type },
      ]),
    );
  });
});

describe('EdgeOAuth: secrets', () => {
  const secrets = () => Object.entries(resources).filter(([, r]) => r.Type === 'AWS::SecretsManager::Secret');

  it('one secret per distinct client secret id, plus the session key set, under the configured names', () => {
    const names = secrets().map(([, r]) => r.Properties.Name).sort();
    expect(names).toEqual(['fixture/github-client-secret', 'fixture/session-keys', 'fixture/shared-client-secrets']);
  });

  it('every client secret, shared or not, gets the same random placeholder (nothing from the provider list: issue #15)', () => {
    for (const name of ['fixture/shared-client-secrets', 'fixture/github-client-secret']) {
      const [, secret] = secrets().find(([, r]) => r.Properties.Name === name)!;
      expect(secret.Properties.GenerateSecretString).toEqual({ ExcludePunctuation: true, PasswordLength: 32 });
    }
  });

  it('no secret value anywhere in the template: only generator instructions', () => {
    for (const [, r] of secrets()) {
      expect(r.Properties.SecretString).toBeUndefined();
      expect(r.Properties.GenerateSecretString).toBeDefined();
    }
    const offending: string[] = [];
    for (const { path: at, value } of walk(template.toJSON())) {
      if (/^(SecretString|SecretBinary|ClientSecret)$/.test(at[at.length - 1] ?? '')) offending.push(at.join('.'));
      // No key material (base64url of 32 bytes: 43 characters) anywhere.
      if (typeof value === 'string' && /"k"\s*:\s*"[A-Za-z0-9_-]{43}"/.test(value)) offending.push(at.join('.'));
    }
    expect(offending).toEqual([]);
  });

  it('the session key set is filled by the key-set generator custom resource, which may only read and write that secret', () => {
    const [, cr] = Object.entries(resources).find(([, r]) => r.Type === 'Custom::EdgeOAuthKeySet')!;
    expect(cr.Properties.SecretId).toEqual({ Ref: ids.keySet });
    const providerRole = Object.values(resources).find((r) => r.Type === 'AWS::IAM::Role' && r.Properties.Policies?.[0]?.PolicyName === 'Inline')!;
    expect(providerRole.Properties.Policies[0].PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'], Resource: { Ref: ids.keySet } },
    ]);
  });

  it('one region (no aws.replicaRegions): the key set has no replicas (test/cdk/global-tables.test.ts has them)', () => {
    expect(resources[ids.keySet]!.Properties.ReplicaRegions).toBeUndefined();
  });
});

describe('EdgeOAuth: least privilege', () => {
  it('no function role has a managed policy, a wildcard action or a "*" resource', () => {
    for (const role of [ids.viewerRole, ids.callbackRole]) {
      expect(resources[role]!.Properties.ManagedPolicyArns).toBeUndefined();
      for (const s of statementsOf(role)) {
        expect(s.Effect).toBe('Allow');
        for (const action of actionsOf(s)) expect(action).not.toContain('*');
        for (const resource of resourcesOf(s)) expect(resource).not.toBe('*');
      }
    }
  });

  it('table actions are exactly TABLE_ACCESS, each on its own table ARN (no index, no Scan/Query/Delete)', () => {
    const tableId = (role: string) => logicalId(resources, 'AWS::DynamoDB::Table', `EdgeOAuthData${role[0]!.toUpperCase()}${role.slice(1)}Table`);
    for (const [fnRole, roleId] of [['viewerRequest', ids.viewerRole], ['callback', ids.callbackRole]] as const) {
      const dynamo = statementsOf(roleId).filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
      const granted = Object.fromEntries(dynamo.map((s) => [[...referencedIds(s.Resource)][0], [...actionsOf(s)].sort()]));
      const expected = Object.fromEntries(Object.entries(TABLE_ACCESS[fnRole]).map(([table, actions]) => [tableId(table), [...actions].sort()]));
      expect(granted).toEqual(expected);
      for (const s of dynamo) expect(resourcesOf(s)).toEqual([{ 'Fn::GetAtt': [expect.any(String), 'Arn'] }]);
    }
  });

  it('the viewer-request function reads only the session key set (no auth check interval: no client secrets)', () => {
    const secretIds = new Set(statementsOf(ids.viewerRole).filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue')).flatMap((s) => [...referencedIds(s.Resource)]));
    expect(secretIds).toEqual(new Set([ids.keySet]));
  });

  it('one region: the viewer-request function reads the key set in config.aws.region only', () => {
    const grants = grantsOf(ids.viewerRole, 'secretsmanager:GetSecretValue');
    expect(grants).toContain(JSON.stringify({ Ref: ids.keySet }));
    for (const region of REPLICAS) expect(grants.some((g) => g.includes(`:secretsmanager:${region}:`))).toBe(false);
  });

  it('the callback reads the client secrets and the key set, in config.aws.region', () => {
    const secretIds = new Set(statementsOf(ids.callbackRole).filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue')).flatMap((s) => [...referencedIds(s.Resource)]));
    const expected = Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::SecretsManager::Secret')
      .map(([id]) => id);
    expect(secretIds).toEqual(new Set(expected));
    expect(grantsOf(ids.callbackRole, 'secretsmanager:GetSecretValue').some((g) => g.includes('eu-west-1'))).toBe(false);
  });

  it('trap: edge logs go to /aws/lambda/us-east-1.<name> in every region; the policy names that log group only', () => {
    const logs = statementsOf(ids.viewerRole).filter((s) => actionsOf(s).some((a) => a.startsWith('logs:')));
    expect(logs.flatMap(actionsOf).sort()).toEqual(['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents']);
    for (const s of logs) {
      const text = JSON.stringify(s.Resource);
      expect(text).toContain(':logs:*:');
      expect(text).toContain('log-group:/aws/lambda/us-east-1.');
      expect(referencedIds(s.Resource)).toEqual(new Set([ids.viewerFn]));
    }
  });
});

describe('EdgeOAuth: the runtime', () => {
  it('trap: every function runs the one runtime constant, never nodejs20.x', () => {
    const functions = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThanOrEqual(3); // viewer, callback, key-set generator
    for (const fn of functions) {
      expect(fn.Properties.Runtime).toBe(LAMBDA_RUNTIME.name);
    }
    expect(LAMBDA_RUNTIME.name).not.toBe('nodejs20.x');
    expect(LAMBDA_RUNTIME.name).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
  });

  it('trap: lib/runtime.ts is the only place that names a runtime', () => {
    const offenders: string[] = [];
    for (const dir of ['lib', 'bin']) {
      for (const entry of fs.readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })) {
        const file = path.join(entry.parentPath, entry.name);
        if (!entry.isFile() || !/\.(ts|js)$/.test(entry.name) || file === path.join(ROOT, 'lib', 'runtime.ts')) continue;
        const text = fs.readFileSync(file, 'utf8');
        if (/Runtime\.NODEJS_|['"`]nodejs\d+\.x['"`]|CustomResourceProviderRuntime\.NODEJS_/.test(text)) offenders.push(path.relative(ROOT, file));
      }
    }
    expect(offenders).toEqual([]);
  });
});

describe('EdgeOAuth: cdk-nag and outputs', () => {
  it('cdk-nag AwsSolutions: no unacknowledged finding', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  it('outputs the site URL and the callback URL (the distribution domain without site.domain)', () => {
    const outputs = template.toJSON().Outputs;
    expect(outputs.SiteUrl.Value).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [ids.distribution, 'DomainName'] }]] });
    expect(outputs.CallbackUrl.Value).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [ids.distribution, 'DomainName'] }, '/auth/callback']] });
  });
});

describe('EdgeOAuth: mistakes are caught at synth', () => {
  const origin = () => new origins.HttpOrigin('origin.fixture.example');

  it('a stack outside us-east-1 is an error naming the region', () => {
    const stack = new Stack(appWithoutBundling(), 'Elsewhere', { env: { region: 'eu-west-1' } });
    expect(() => new EdgeOAuth(stack, 'Auth', { config })).toThrow(/must be deployed to us-east-1.*"eu-west-1"/);
  });

  it('a stack without a region is an error (Lambda@Edge needs us-east-1 explicitly)', () => {
    const stack = new Stack(appWithoutBundling(), 'Agnostic');
    expect(() => new EdgeOAuth(stack, 'Auth', { config })).toThrow(/us-east-1.*not set/);
  });

  it('allowInsecureRequests (local development only) cannot be deployed', () => {
    const stack = new Stack(appWithoutBundling(), 'Insecure', { env: { region: 'us-east-1' } });
    const insecure = { ...config, providers: [{ ...config.providers[0]!, allowInsecureRequests: true }] };
    expect(() => new EdgeOAuth(stack, 'Auth', { config: insecure })).toThrow(/providers "github": allowInsecureRequests/);
  });

  it('creating the tables outside config.aws.region is an error', () => {
    const stack = new Stack(appWithoutBundling(), 'Mismatch', { env: { region: 'us-east-1' } });
    const far = { ...config, aws: { ...config.aws, region: 'eu-west-1' } };
    expect(() => new EdgeOAuth(stack, 'Auth', { config: far, createTables: true })).toThrow(/config.aws.region "eu-west-1"/);
  });

  it('a distribution whose default behaviour does not run the function is refused (the site would be public)', () => {
    const stack = new Stack(appWithoutBundling(), 'Unprotected', { env: { region: 'us-east-1' } });
    const auth = new EdgeOAuth(stack, 'Auth', { config });
    const site = new cloudfront.Distribution(stack, 'Site', { defaultBehavior: { origin: origin() } });
    expect(() => auth.addAuthBehaviors(site)).toThrow(/default behaviour of Unprotected\/Site does not run the viewer-request function/);
  });

  it('protectDefaultBehavior: false allows a public default behaviour with protected paths', () => {
    const stack = new Stack(appWithoutBundling(), 'PartlyPublic', { env: { region: 'us-east-1' } });
    const auth = new EdgeOAuth(stack, 'Auth', { config, protectDefaultBehavior: false });
    const site = new cloudfront.Distribution(stack, 'Site', { defaultBehavior: { origin: origin() } });
    site.addBehavior('/private/*', origin(), { edgeLambdas: auth.edgeLambdas });
    expect(() => auth.addAuthBehaviors(site)).not.toThrow();
  });

  it('a client secret id given as an ARN is referenced, never created; both ARN spellings are granted', () => {
    const stack = new Stack(appWithoutBundling(), 'Arns', { env: { region: 'us-east-1' } });
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:corp/client';
    const withArn = { ...config, providers: [{ ...config.providers[0]!, clientSecret: { secretId: arn } }] };
    const handle = new EdgeOAuthData(stack, 'Data', { config: withArn }).clientSecrets.get('github')!;
    expect(handle.secret).toBeUndefined();
    expect(handle.resourceArns('us-east-1')).toEqual([arn, `${arn}-??????`]);
    expect(handle.resourceArns('eu-west-1')[0]).toBe('arn:aws:secretsmanager:eu-west-1:123456789012:secret:corp/client');
  });

  it('one secret used both whole and by jsonKey is an error', () => {
    const stack = new Stack(appWithoutBundling(), 'Mixed', { env: { region: 'us-east-1' } });
    const mixed = { ...config, providers: [config.providers[0]!, { ...config.providers[1]!, clientSecret: { secretId: 'fixture/github-client-secret', jsonKey: 'corp' } }] };
    expect(() => new EdgeOAuthData(stack, 'Data', { config: mixed })).toThrow(/"fixture\/github-client-secret" is used both whole and by jsonKey/);
  });

  it('forgetting addAuthBehaviors fails the synth with the fix in the message', () => {
    const app = appWithoutBundling();
    const stack = new Stack(app, 'Forgot', { env: { region: 'us-east-1' } });
    const auth = new EdgeOAuth(stack, 'Auth', { config });
    new cloudfront.Distribution(stack, 'Site', { defaultBehavior: auth.protectedBehavior(origin()) });
    expect(() => app.synth()).toThrow(/call addAuthBehaviors\(distribution\)/);
  });
});
