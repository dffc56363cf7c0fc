/**
 * Issue #15, "deploy to real AWS without surprises": what a real `cdk deploy` would hit,
 * judged against the AWS documentation, one template (or synth-error) test per defect.
 * Bundling is skipped (the template, not the code, is under test).
 */
import { App, Stack, type StackProps } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as path from 'node:path';
import type { EdgeConfig } from '../../lambdas/core/config/types';
import { createApp } from '../../lib/app';
import { EdgeOAuth } from '../../lib/edge-oauth';
import { EdgeOAuthStack } from '../../lib/edge-oauth-stack';
import { ORIGIN_VERIFY_HEADER, parseSiteOrigin } from '../../lib/site-origin';
import { SESSION_LIST_ATTRIBUTES } from '../../lambdas/store/dynamodb/tables';
import { appWithoutBundling, configFrom, fixtureConfig, logicalId, nagFindings, referencedIds, walk } from './helpers';

const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };
const US_EAST_1: StackProps = { env: { region: 'us-east-1' } };

const stackWith = (config: EdgeConfig, props: Partial<ConstructorParameters<typeof EdgeOAuthStack>[2]> = {}) =>
  new EdgeOAuthStack(appWithoutBundling(), 'Site', { ...US_EAST_1, config, ...props });
const resourcesOf = (stack: Stack): Record<string, any> => Template.fromStack(stack).toJSON().Resources;
const distributionConfig = (resources: Record<string, any>) =>
  resources[logicalId(resources, 'AWS::CloudFront::Distribution', 'Distribution')].Properties.DistributionConfig;
const siteOriginOf = (resources: Record<string, any>) => {
  const dist = distributionConfig(resources);
  return dist.Origins.find((o: { Id: string }) => o.Id === dist.DefaultCacheBehavior.TargetOriginId);
};

// ------------------------------------------------------------------------------------- 1
describe('1. client secrets: the generation settings depend on nothing but the secret itself', () => {
  const provider = (id: string, secretId: string, jsonKey?: string) => ({
    id,
    type: 'oidc',
    issuer: `https://${id}.example.com`,
    clientId: `${id}-client`,
    clientSecret: jsonKey === undefined ? secretId : { secretId, jsonKey },
  });
  const config = (providers: unknown[]) => configFrom({ site: { name: 'S' }, providers, aws: { region: 'us-east-1' } });
  const secrets = (c: EdgeConfig): Record<string, string> =>
    Object.fromEntries(
      Object.entries(resourcesOf(stackWith(c)))
        .filter(([id, r]) => r.Type === 'AWS::SecretsManager::Secret' && id.includes('ClientSecret'))
        .map(([id, r]) => [id, JSON.stringify(r)]),
    );

  it('adding and reordering providers (and a secret going from whole to jsonKey) leaves every secret resource byte-identical', () => {
    const before = secrets(config([provider('corp', 'shared', 'corp'), provider('google', 'shared', 'google'), provider('gh', 'edge-oauth/gh')]));
    const after = secrets(
      config([
        provider('gh', 'edge-oauth/gh'),
        provider('azure', 'shared', 'azure'), // a new provider in the shared JSON secret, first
        provider('google', 'shared', 'google'),
        provider('corp', 'shared', 'corp'),
        provider('extra', 'edge-oauth/extra'), // and a new secret
      ]),
    );
    expect(Object.keys(before).sort()).toEqual(Object.keys(after).filter((id) => !id.includes('Extra')).sort());
    for (const [id, resource] of Object.entries(before)) expect(after[id]).toBe(resource);

    const whole = secrets(config([provider('corp', 'shared')]));
    const byKey = secrets(config([provider('corp', 'shared', 'corp')]));
    expect(byKey).toEqual(whole);
  });

  it('the placeholder is a random string with no provider names in it', () => {
    const all = Object.values(secrets(config([provider('corp', 'shared', 'corp'), provider('google', 'shared', 'google')])));
    expect(all).toHaveLength(1);
    const props = JSON.parse(all[0]!).Properties;
    expect(props.GenerateSecretString).toEqual({ ExcludePunctuation: true, PasswordLength: 32 });
    expect(all[0]).not.toMatch(/corp|google/);
  });
});

// ------------------------------------------------------------------------------------- 2
describe('2. an existing bucket in another region: -c originRegion', () => {
  it("the origin is the bucket's endpoint in that region, and us-east-1's by default", () => {
    const far = siteOriginOf(resourcesOf(stackWith(fixtureConfig(), { origin: parseSiteOrigin('s3://site-in-ireland', 'eu-west-1') })));
    expect(far.DomainName).toBe('site-in-ireland.s3.eu-west-1.amazonaws.com');
    const near = siteOriginOf(resourcesOf(stackWith(fixtureConfig(), { origin: parseSiteOrigin('s3://site-in-virginia') })));
    expect(near.DomainName).toBe('site-in-virginia.s3.us-east-1.amazonaws.com');
  });

  it('the app takes -c originRegion; a bad region, or one without an existing bucket, is an error', () => {
    const app = createApp({ env: {}, cwd: path.join(__dirname, '..', '..'), context: { ...SKIP_BUNDLING, origin: 's3://site-in-tokyo', originRegion: 'ap-northeast-1' } });
    expect(siteOriginOf(resourcesOf(app.node.findChild('EdgeOAuth') as Stack)).DomainName).toBe('site-in-tokyo.s3.ap-northeast-1.amazonaws.com');
    expect(() => parseSiteOrigin('s3://b-1', 'ireland')).toThrow('originRegion "ireland" is not an AWS region (e.g. eu-west-1)');
    expect(() => parseSiteOrigin('https://origin.example.com', 'eu-west-1')).toThrow(/originRegion "eu-west-1" is for an existing bucket \(-c origin=s3:\/\/<bucket>\) only/);
    expect(() => parseSiteOrigin(undefined, 'eu-west-1')).toThrow(/only; the origin is "s3"/);
  });
});

// ------------------------------------------------------------------------------------- 3
describe('3. a distribution in a stack outside us-east-1 is refused at synth, saying what to do', () => {
  function attach(distributionStackProps: StackProps) {
    const app = new App({ context: SKIP_BUNDLING });
    const auth = new EdgeOAuth(new Stack(app, 'Auth', US_EAST_1), 'Auth', { config: fixtureConfig() });
    const other = new Stack(app, 'Cdn', distributionStackProps);
    const distribution = new cloudfront.Distribution(other, 'Site', {
      defaultBehavior: auth.protectedBehavior(new origins.HttpOrigin('origin.example.com')),
    });
    auth.addAuthBehaviors(distribution);
    return app;
  }

  it.each([
    ['eu-west-1', { env: { region: 'eu-west-1' } }, '"eu-west-1"'],
    ['no region (environment-agnostic)', {}, 'not set'],
  ])('%s', (_name, props, region) => {
    expect(() => attach(props)).toThrow(
      `the distribution Cdn/Site is in stack "Cdn", whose region is ${region}. addAuthBehaviors puts the callback's function URL origin and its invoke permissions`,
    );
    expect(() => attach(props)).toThrow(/Create the distribution in a stack with env: \{ region: 'us-east-1' \}/);
  });

  it('a distribution in another us-east-1 stack is fine', () => {
    expect(() => attach(US_EAST_1).synth()).not.toThrow();
  });
});

// ------------------------------------------------------------------------------------- 4
describe('4. ALB origins: the *.elb.amazonaws.com name over HTTPS is refused, naming the host and the certificate rule', () => {
  it.each(['https://my-alb-1234567890.us-east-1.elb.amazonaws.com', 'https://internal-app-42.eu-west-1.elb.amazonaws.com:8443/app'])('%s', (spec) => {
    const host = new URL(spec).hostname;
    expect(() => stackWith(fixtureConfig(), { origin: parseSiteOrigin(spec) })).toThrow(
      `origin https://${host}: this is the load balancer's own Elastic Load Balancing name. CloudFront accepts the origin's certificate only if it covers the origin domain name`,
    );
    expect(() => stackWith(fixtureConfig(), { origin: parseSiteOrigin(spec) })).toThrow(/put an ACM certificate for that name on its HTTPS listener, and deploy with -c origin=https:\/\/origin\.example\.com/);
  });

  it('the working setup: the ALB under a name of its own, with a certificate for it', () => {
    const origin = siteOriginOf(resourcesOf(stackWith(fixtureConfig(), { origin: parseSiteOrigin('https://origin.example.com') })));
    expect(origin).toMatchObject({ DomainName: 'origin.example.com', CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] } });
  });
});

// ------------------------------------------------------------------------------------- 5
describe('5. custom origins get a secret origin header; plain http:// needs an explicit opt-in', () => {
  let stack: EdgeOAuthStack;
  let resources: Record<string, any>;
  beforeAll(() => {
    stack = stackWith(fixtureConfig(), { origin: parseSiteOrigin('https://origin.example.com') });
    resources = resourcesOf(stack);
  });

  it('the header value is a Secrets Manager dynamic reference to a generated secret, never a literal', () => {
    const secretId = logicalId(resources, 'AWS::SecretsManager::Secret', 'OriginVerifySecret');
    expect(resources[secretId].Properties.GenerateSecretString).toEqual({ ExcludePunctuation: true, PasswordLength: 48 });
    expect(resources[secretId].Properties.SecretString).toBeUndefined();
    const headers = siteOriginOf(resources).OriginCustomHeaders;
    expect(headers).toHaveLength(1);
    expect(headers[0].HeaderName).toBe(ORIGIN_VERIFY_HEADER);
    expect(headers[0].HeaderValue).toEqual({ 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:::}}']] });
    expect(referencedIds(headers[0].HeaderValue)).toEqual(new Set([secretId]));
  });

  it('edge-oauth\'s own paths and the S3 origin get no such header; the outputs name the header and the secret', () => {
    const dist = distributionConfig(resources);
    const others = dist.Origins.filter((o: { Id: string }) => o.Id !== dist.DefaultCacheBehavior.TargetOriginId);
    for (const o of others) expect(o.OriginCustomHeaders).toBeUndefined();
    expect(siteOriginOf(resourcesOf(stackWith(fixtureConfig()))).OriginCustomHeaders).toBeUndefined();
    const outputs = Template.fromStack(stack).toJSON().Outputs;
    expect(outputs.OriginVerifyHeader.Value).toBe(ORIGIN_VERIFY_HEADER);
    expect(outputs.OriginVerifySecretArn.Value).toEqual({ Ref: logicalId(resources, 'AWS::SecretsManager::Secret', 'OriginVerifySecret') });
  });

  it('the viewer-request function strips a client-sent header of that name (edge-oauth-* are reserved)', async () => {
    const { isReservedHeader, reservedHeaderNames } = await import('../../lambdas/core/viewer/identity-headers');
    expect(isReservedHeader(reservedHeaderNames(fixtureConfig()), ORIGIN_VERIFY_HEADER)).toBe(true);
  });

  it('cdk-nag stays clean, with the rotation finding acknowledged for a reason', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  it('http:// is refused without -c allowInsecureOrigin=true, and warned about with it', () => {
    expect(() => stackWith(fixtureConfig(), { origin: parseSiteOrigin('http://origin.example.com') })).toThrow(
      /origin http:\/\/origin\.example\.com: CloudFront would send every request to it over plain HTTP, with the identity headers, the signed identity assertion and the edge-oauth-origin-verify secret in cleartext\. Use https:\/\/.*-c allowInsecureOrigin=true/,
    );
    const app = createApp({ env: {}, cwd: path.join(__dirname, '..', '..'), context: { ...SKIP_BUNDLING, origin: 'http://origin.example.com:8080', allowInsecureOrigin: 'true' } });
    const insecure = app.node.findChild('EdgeOAuth') as Stack;
    expect(siteOriginOf(resourcesOf(insecure)).CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'http-only', HTTPPort: 8080 });
    const warnings = Annotations.fromStack(insecure).findWarning('*', Match.stringLikeRegexp('in cleartext'));
    expect(warnings).toHaveLength(1);
    expect(() => createApp({ env: {}, cwd: path.join(__dirname, '..', '..'), context: { ...SKIP_BUNDLING, origin: 'http://origin.example.com' } })).toThrow(/allowInsecureOrigin=true/);
  });
});

// ------------------------------------------------------------------------------------- 7
describe('7. least privilege and cost', () => {
  let resources: Record<string, any>;
  beforeAll(() => {
    resources = resourcesOf(stackWith(fixtureConfig()));
  });

  it('no policy grants dynamodb:ConditionCheckItem (no store writes a ConditionCheck)', () => {
    const actions = [...walk(resources)].filter(({ path: p }) => p.includes('Action')).map(({ value }) => value);
    expect(actions.flat()).not.toContain('dynamodb:ConditionCheckItem');
    expect(actions.flat()).toContain('dynamodb:UpdateItem');
  });

  it('the sessions index projects only what the operator tools read: never the sealed tokens or the lease', () => {
    const table = Object.values(resources).find((r) => r.Type === 'AWS::DynamoDB::Table' && r.Properties.TableName === 'fixture-sessions');
    expect(table.Properties.GlobalSecondaryIndexes).toEqual([
      expect.objectContaining({ IndexName: 'byUser', Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...SESSION_LIST_ATTRIBUTES] } }),
    ]);
    for (const name of ['tokens', 'leaseUntil', 'leaseOwner']) expect(SESSION_LIST_ATTRIBUTES).not.toContain(name);
  });
});
