/**
 * The ready stack and the CDK app (lib/app.ts, run by bin/app.ts): origins, custom domain,
 * outputs, tables and secrets in another region, and the app's context and errors.
 * Bundling is skipped; three apps are synthesized in this file.
 */
import type { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfigFile } from '../../lib/config-file';
import { createApp } from '../../lib/app';
import { EdgeOAuthStack, parseSiteOrigin } from '../../lib/edge-oauth-stack';
import { appWithoutBundling, EXAMPLE_CONFIG_FILE, fixtureConfig, logicalId, referencedIds, ROOT } from './helpers';

const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';
const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-0b0a-0908-0706-050403020100';
const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-oauth-app-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const stackOf = (app: App, name: string) => app.node.findChild(name) as Stack;
type Statement = { Action: string | string[]; Resource: unknown };
const statements = (resources: Record<string, any>, rolePrefix: string): Statement[] => {
  const role = logicalId(resources, 'AWS::IAM::Role', rolePrefix);
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((ref: { Ref: string }) => ref.Ref === role))
    .flatMap((r) => r.Properties.PolicyDocument.Statement);
};
const resourcesFor = (list: Statement[], action: string) =>
  list.filter((s) => [s.Action].flat().includes(action)).flatMap((s) => [s.Resource].flat()).map((r) => JSON.stringify(r));

describe('parseSiteOrigin (the `origin` context value)', () => {
  it.each([
    [undefined, { kind: 'new-bucket' }],
    ['s3', { kind: 'new-bucket' }],
    ['s3://my-site.bucket', { kind: 'existing-bucket', bucketName: 'my-site.bucket', region: 'us-east-1' }],
    ['https://internal-alb-1.us-east-1.elb.amazonaws.com', { kind: 'http', protocol: 'https', domainName: 'internal-alb-1.us-east-1.elb.amazonaws.com' }],
    ['https://App.Example.com:8443/v1', { kind: 'http', protocol: 'https', domainName: 'app.example.com', port: 8443, originPath: '/v1' }],
    ['http://origin.example.com', { kind: 'http', protocol: 'http', domainName: 'origin.example.com' }],
  ])('%s', (spec, expected) => {
    expect(parseSiteOrigin(spec)).toEqual(expected);
  });

  it.each(['ftp://x.example.com', 's3://UPPER', 'https://x.example.com/path/', 'https://x.example.com:99999', 'alb'])('rejects %s with the accepted forms', (spec) => {
    expect(() => parseSiteOrigin(spec)).toThrow(/origin "|port out of range/);
  });
});

describe('the app: example config, ALB origin over HTTPS (its own DNS name), custom domain, key set replicas', () => {
  let app: App;
  let stack: Stack;
  let resources: Record<string, any>;
  let dist: any;

  beforeAll(() => {
    const example = loadConfigFile(EXAMPLE_CONFIG_FILE);
    const file = path.join(tmp, 'replicas.jsonc');
    fs.writeFileSync(file, JSON.stringify({ ...example, aws: { ...example.aws, replicaRegions: ['eu-west-1', 'ap-southeast-2'] } }));
    app = createApp({
      cwd: ROOT,
      env: {},
      context: {
        ...SKIP_BUNDLING,
        config: file,
        origin: 'https://origin.example.com',
        certificateArn: CERTIFICATE,
      },
    });
    stack = stackOf(app, 'EdgeOAuth');
    resources = Template.fromStack(stack).toJSON().Resources;
    dist = resources[logicalId(resources, 'AWS::CloudFront::Distribution', 'Distribution')].Properties.DistributionConfig;
  });

  it('synthesizes with cdk-nag AwsSolutions on (a finding would fail the synth)', () => {
    expect(() => app.synth()).not.toThrow();
    expect(stack.region).toBe('us-east-1');
    expect(app.node.children.filter((c) => (c as Stack).templateFile !== undefined).map((s) => s.node.id)).toEqual(['EdgeOAuth']);
  });

  it('answers on site.domain with the us-east-1 certificate and TLS 1.2 at least', () => {
    expect(dist.Aliases).toEqual(['app.example.com']);
    expect(dist.ViewerCertificate).toEqual({ AcmCertificateArn: CERTIFICATE, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' });
  });

  it('the ALB origin: HTTPS only, TLS 1.2; an application is not cached and gets everything but Host', () => {
    const siteOrigin = dist.Origins.find((o: { Id: string }) => o.Id === dist.DefaultCacheBehavior.TargetOriginId);
    expect(siteOrigin).toMatchObject({
      DomainName: 'origin.example.com',
      CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] },
    });
    expect(dist.DefaultCacheBehavior).toMatchObject({
      CachePolicyId: CACHING_DISABLED,
      OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
      AllowedMethods: expect.arrayContaining(['POST', 'PUT', 'DELETE']),
    });
  });

  it('outputs the site URL and the callback URL on the site domain', () => {
    const outputs = Template.fromStack(stack).toJSON().Outputs;
    expect(outputs.SiteUrl.Value).toBe('https://app.example.com');
    expect(outputs.CallbackUrl.Value).toBe('https://app.example.com/auth/callback');
    expect(outputs.ClientSecretIds.Value).toBe('edge-oauth/corp-client-secret');
  });

  it('with an auth check interval, the viewer-request function may read the client secret (refresh at the edge)', () => {
    const secret = logicalId(resources, 'AWS::SecretsManager::Secret', 'EdgeOAuthDataClientSecret');
    expect(resourcesFor(statements(resources, 'EdgeOAuthViewerRequestRole'), 'secretsmanager:GetSecretValue')).toContain(JSON.stringify({ Ref: secret }));
  });

  it('replicates the key set to the regions of aws.replicaRegions', () => {
    const keySet = resources[logicalId(resources, 'AWS::SecretsManager::Secret', 'EdgeOAuthDataSessionKeySet')];
    expect(keySet.Properties.ReplicaRegions).toEqual([{ Region: 'eu-west-1' }, { Region: 'ap-southeast-2' }]);
  });
});

describe('the app: tables and secrets in another region, an existing bucket', () => {
  let app: App;
  let edge: Template;
  let data: Template;

  beforeAll(() => {
    const far = { ...loadConfigFile(EXAMPLE_CONFIG_FILE), aws: { ...loadConfigFile(EXAMPLE_CONFIG_FILE).aws, region: 'eu-west-1', replicaRegions: ['us-east-1'] } };
    const file = path.join(tmp, 'far.jsonc');
    fs.writeFileSync(file, JSON.stringify(far));
    app = createApp({ env: { EDGE_OAUTH_CONFIG: file }, context: { ...SKIP_BUNDLING, origin: 's3://existing-site-bucket', stackName: 'Far' } });
    edge = Template.fromStack(stackOf(app, 'Far'));
    data = Template.fromStack(stackOf(app, 'Far-Data'));
  });

  it('puts tables, secrets and the key-set generator in a stack in config.aws.region, deployed first (nag-clean)', () => {
    expect(() => app.synth()).not.toThrow();
    const dataStack = stackOf(app, 'Far-Data');
    expect(dataStack.region).toBe('eu-west-1');
    // aws.replicaRegions: global tables with a replica in the primary and in us-east-1.
    data.resourceCountIs('AWS::DynamoDB::Table', 0);
    data.resourceCountIs('AWS::DynamoDB::GlobalTable', 3);
    for (const Region of ['eu-west-1', 'us-east-1']) data.hasResourceProperties('AWS::DynamoDB::GlobalTable', { TableName: 'edge-oauth-sessions', Replicas: Match.arrayWith([Match.objectLike({ Region })]) });
    data.resourceCountIs('AWS::SecretsManager::Secret', 2);
    data.resourceCountIs('Custom::EdgeOAuthKeySet', 1);
    data.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'edge-oauth/session-keys', ReplicaRegions: [{ Region: 'us-east-1' }] });
    expect(stackOf(app, 'Far').dependencies.map((s) => s.node.id)).toEqual(['Far-Data']);
  });

  it('the us-east-1 stack creates none of them and grants on their names in eu-west-1', () => {
    edge.resourceCountIs('AWS::DynamoDB::Table', 0);
    edge.resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
    edge.resourceCountIs('AWS::SecretsManager::Secret', 0);
    const resources = edge.toJSON().Resources;
    const callback = statements(resources, 'EdgeOAuthCallbackRole');
    const tableArns = resourcesFor(callback, 'dynamodb:PutItem');
    expect(tableArns.length).toBe(6); // each table in the primary and in its replica
    for (const arn of tableArns) expect(arn).toMatch(/:dynamodb:(eu-west-1|us-east-1):.*:table\/edge-oauth-(sessions|users|mau)"/);
    expect(resourcesFor(callback, 'secretsmanager:GetSecretValue').every((arn) => arn.includes(':secretsmanager:eu-west-1:'))).toBe(true);
    // The viewer reads the key set from the primary or the replica (here us-east-1).
    const viewerKeys = resourcesFor(statements(resources, 'EdgeOAuthViewerRequestRole'), 'secretsmanager:GetSecretValue').filter((a) => a.includes('session-keys'));
    expect(viewerKeys.map((a) => /:secretsmanager:([a-z0-9-]+):/.exec(a)![1]).sort()).toEqual(['eu-west-1', 'us-east-1']);
  });

  it('an existing bucket is read through origin access control, and CDK says to add its bucket policy', () => {
    edge.resourceCountIs('AWS::S3::Bucket', 0);
    edge.hasResourceProperties('AWS::CloudFront::OriginAccessControl', { OriginAccessControlConfig: { OriginAccessControlOriginType: 's3' } });
    const dist = edge.toJSON().Resources[logicalId(edge.toJSON().Resources, 'AWS::CloudFront::Distribution', 'Distribution')].Properties.DistributionConfig;
    expect(dist.DefaultCacheBehavior.CachePolicyId).toBe(CACHING_OPTIMIZED);
    const s3 = dist.Origins.find((o: { Id: string }) => o.Id === dist.DefaultCacheBehavior.TargetOriginId);
    expect(s3.DomainName).toMatch(/^existing-site-bucket\.s3\./);
    expect(referencedIds(s3.OriginAccessControlId).size).toBe(1);
    const warnings = Annotations.fromStack(stackOf(app, 'Far')).findWarning('*', Match.stringLikeRegexp('bucket policy'));
    expect(warnings.length).toBeGreaterThan(0);
  });
});

describe('the app: existing tables and secrets (-c existingData=true)', () => {
  it('creates neither and grants on their names (nag-clean)', () => {
    const app = createApp({ cwd: ROOT, env: {}, context: { ...SKIP_BUNDLING, existingData: 'true' } });
    expect(() => app.synth()).not.toThrow();
    const template = Template.fromStack(stackOf(app, 'EdgeOAuth'));
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.resourceCountIs('Custom::EdgeOAuthKeySet', 0);
    const viewer = statements(template.toJSON().Resources, 'EdgeOAuthViewerRequestRole');
    expect(resourcesFor(viewer, 'secretsmanager:GetSecretValue')).toContainEqual(expect.stringContaining(':secret:edge-oauth/session-keys-??????'));
    expect(resourcesFor(viewer, 'dynamodb:GetItem')).toContainEqual(expect.stringContaining(':table/edge-oauth-sessions'));
  });
});

describe('the app: context, config file and mistakes', () => {
  it('reads the config from -c config, else EDGE_OAUTH_CONFIG, else the example file (relative to the working directory)', () => {
    expect(() => createApp({ cwd: tmp, env: {}, context: { ...SKIP_BUNDLING, config: 'mine.jsonc' } })).toThrow(`${path.join(tmp, 'mine.jsonc')}: invalid configuration`);
    expect(() => createApp({ cwd: tmp, env: { EDGE_OAUTH_CONFIG: 'env.jsonc' }, context: SKIP_BUNDLING })).toThrow(path.join(tmp, 'env.jsonc'));
    expect(() => createApp({ cwd: tmp, env: {}, context: SKIP_BUNDLING })).toThrow(path.join(tmp, 'edge-oauth.config.example.jsonc'));
  });

  it('lists every problem of an invalid config file with its path', () => {
    const file = path.join(tmp, 'bad.jsonc');
    fs.writeFileSync(file, '// bad\n{ "providers": [ { "type": "nope", "clientSecret": "x" } ], "aws": { "region": "moon" } }');
    expect(() => createApp({ env: {}, context: { ...SKIP_BUNDLING, config: file } })).toThrow(
      /providers\[0\]\.type: unknown provider[\s\S]*providers\[0\]\.clientId[\s\S]*aws\.region/,
    );
  });

  it('a region other than us-east-1 is a clear error', () => {
    expect(() => createApp({ cwd: ROOT, env: {}, context: { ...SKIP_BUNDLING, region: 'eu-west-1' } })).toThrow(/must be deployed to us-east-1 \(Lambda@Edge\), not "eu-west-1"/);
  });

  it('a certificate outside us-east-1, or one without site.domain, is an error', () => {
    const withDomain = { ...fixtureConfig(), site: { name: 'x', domain: 'app.fixture.example' } };
    expect(
      () => new EdgeOAuthStack(appWithoutBundling(), 'A', { env: { region: 'us-east-1' }, config: withDomain, certificateArn: CERTIFICATE.replace('us-east-1', 'eu-west-1') }),
    ).toThrow(/must be an ACM certificate in us-east-1/);
    expect(() => new EdgeOAuthStack(appWithoutBundling(), 'B', { env: { region: 'us-east-1' }, config: fixtureConfig(), certificateArn: CERTIFICATE })).toThrow(
      /config.site.domain is not/,
    );
  });

  it('cdk-nag runs on every synth of the app: an unacknowledged finding fails it', () => {
    const app = createApp({ cwd: ROOT, env: {}, context: SKIP_BUNDLING });
    new sns.Topic(stackOf(app, 'EdgeOAuth'), 'PlainTopic'); // AwsSolutions-SNS3: no SSL requirement
    expect(() => app.synth()).toThrow(/AwsSolutions-SNS3/);
  });
});
