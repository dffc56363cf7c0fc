/**
 * `cdk deploy -c distributionId=E123ABC [-c protect=...]`: edge-oauth's parts and a custom
 * resource that attaches them to the existing distribution; no distribution is created.
 */
import type { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { createApp } from '../../lib/app';
import { EXAMPLE_CONFIG_FILE, ROOT } from './helpers';

const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };
const stackOf = (app: App) => app.node.findChild('EdgeOAuth') as Stack;

describe('-c distributionId=E123ABC -c protect=*,/app/*', () => {
  let app: App;
  let template: Template;

  beforeAll(() => {
    app = createApp({ cwd: ROOT, env: {}, context: { ...SKIP_BUNDLING, config: EXAMPLE_CONFIG_FILE, distributionId: 'E123ABC', protect: '*, /app/*' } });
    template = Template.fromStack(stackOf(app));
  });

  it('synthesizes with cdk-nag on, and never creates a distribution', () => {
    expect(() => app.synth()).not.toThrow();
    template.resourceCountIs('AWS::CloudFront::Distribution', 0);
  });

  it('a custom resource attaches the viewer-request version, the callback origin and its OAC to E123ABC', () => {
    template.hasResourceProperties('Custom::EdgeOAuthAttachment', {
      DistributionId: 'E123ABC',
      Protect: '*,/app/*',
      ViewerRequestVersionArn: { Ref: Match.stringLikeRegexp('ViewerRequestFunctionCurrentVersion') },
      CallbackDomainName: { 'Fn::Select': [2, { 'Fn::Split': ['/', Match.anyValue()] }] },
      OriginAccessControlId: { 'Fn::GetAtt': [Match.stringLikeRegexp('CallbackOriginAccessControl'), 'Id'] },
      CallbackReadTimeoutSeconds: '12',
    });
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 'lambda', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
  });

  it('CloudFront may invoke the callback URL for this distribution only', () => {
    const sourceArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::', { Ref: 'AWS::AccountId' }, ':distribution/E123ABC']] };
    template.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunctionUrl', Principal: 'cloudfront.amazonaws.com', SourceArn: sourceArn });
    template.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: 'cloudfront.amazonaws.com', SourceArn: sourceArn, InvokedViaFunctionUrl: true });
  });

  it('the attaching function may read and update this distribution only', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const cf = statements.filter((s: any) => [s.Action].flat().some((a: string) => a.startsWith('cloudfront:')));
    expect(cf).toHaveLength(1);
    expect(cf[0].Action).toEqual(['cloudfront:GetDistributionConfig', 'cloudfront:UpdateDistribution']);
    expect(JSON.stringify(cf[0].Resource)).toContain(':distribution/E123ABC');
  });

  it('outputs what edge-oauth attach and the Terraform snippets need', () => {
    const outputs = template.toJSON().Outputs;
    for (const key of ['DistributionId', 'ViewerRequestVersionArn', 'CallbackDomainName', 'CallbackOriginAccessControlId', 'CallbackUrl']) expect(outputs[key]).toBeDefined();
    expect(outputs.CallbackUrl.Value).toBe('https://app.example.com/auth/callback');
  });
});

test('-c attachAtDeploy=false: the parts and the outputs, no custom resource', () => {
  const app = createApp({ cwd: ROOT, env: {}, context: { ...SKIP_BUNDLING, config: EXAMPLE_CONFIG_FILE, distributionId: 'E123ABC', attachAtDeploy: 'false', nag: 'false' } });
  const template = Template.fromStack(stackOf(app));
  template.resourceCountIs('Custom::EdgeOAuthAttachment', 0);
  template.resourceCountIs('AWS::CloudFront::Distribution', 0);
  template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
  expect(template.toJSON().Outputs.ViewerRequestVersionArn).toBeDefined();
});

test('-c distributionId with -c origin or an invalid id: a clear error', () => {
  expect(() => createApp({ cwd: ROOT, env: {}, context: { ...SKIP_BUNDLING, distributionId: 'E123ABC', origin: 's3' } })).toThrow(/remove -c origin/);
  expect(() => createApp({ cwd: ROOT, env: {}, context: { ...SKIP_BUNDLING, distributionId: 'e1-x' } })).toThrow(/distributionId "e1-x" is not a CloudFront distribution id/);
});
