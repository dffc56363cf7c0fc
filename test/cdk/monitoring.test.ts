/**
 * The dashboard and alarms (lib/monitoring.ts) in the ready stack and the construct: CloudFront's
 * view of the edge function (us-east-1, Region=Global), the edge per region on the dashboard,
 * metric filters on the callback's log group, the alarm topic from the config, the opt-outs,
 * and cdk-nag clean.
 */
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import { EdgeOAuth } from '../../lib/edge-oauth';
import { EdgeOAuthStack } from '../../lib/edge-oauth-stack';
import { appWithoutBundling, configFrom, fixtureConfig, nagFindings } from './helpers';

const PROVIDERS = [{ type: 'github', clientId: 'Iv1.abc', clientSecret: 'edge-oauth/github' }];
const config = (monitoring: Record<string, unknown> = {}, aws: Record<string, unknown> = {}) =>
  configFrom({ site: { name: 'Reports' }, providers: PROVIDERS, aws: { region: 'eu-west-1', ...aws }, monitoring });

function readyStack(monitoring: Record<string, unknown> = {}, aws: Record<string, unknown> = {}) {
  const stack = new EdgeOAuthStack(appWithoutBundling(), 'EdgeOAuthStack', { env: { region: 'us-east-1', account: '123456789012' }, config: config(monitoring, aws) });
  return { stack, template: Template.fromStack(stack) };
}

/** The dashboard body as text (CDK renders it as Fn::Join of strings and tokens). */
function dashboardBody(template: Template): string {
  const dashboards = template.findResources('AWS::CloudWatch::Dashboard');
  const [d] = Object.values(dashboards) as Array<{ Properties: { DashboardBody: unknown } }>;
  return JSON.stringify(d!.Properties.DashboardBody);
}

describe('the ready stack', () => {
  const { stack, template } = readyStack({ alarmEmail: 'ops@example.com' }, { replicaRegions: ['ap-southeast-2'] });

  test('alarms on CloudFront\'s view of the edge function: LambdaExecutionError and LambdaValidationError, DistributionId + Region=Global', () => {
    for (const metricName of ['LambdaExecutionError', 'LambdaValidationError']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/CloudFront',
        MetricName: metricName,
        Dimensions: Match.arrayWith([{ Name: 'DistributionId', Value: { Ref: Match.stringLikeRegexp('Distribution') } }, { Name: 'Region', Value: 'Global' }]),
        Statistic: 'Sum',
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [{ Ref: Match.stringLikeRegexp('AlarmTopic') }],
      });
    }
  });

  test("the distribution's 5xx error rate, the callback's errors and a rise in refused sign-ins", () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/CloudFront', MetricName: '5xxErrorRate', Statistic: 'Average', Threshold: 5, EvaluationPeriods: 3 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('CallbackFunction') } }] });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'EdgeOAuth', MetricName: 'SignInRefusals', Period: 900, Threshold: 20 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'EdgeOAuth', MetricName: 'CallbackErrorLines' });
  });

  test('metric filters on the callback\'s log group: sign-ins, refusals (and by reason), error lines', () => {
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: Match.stringLikeRegexp('CallbackLogs') },
      FilterPattern: '{ ($.event = "edge_oauth_request") && ($.reason = "signed-in") }',
      MetricTransformations: [{ MetricNamespace: 'EdgeOAuth', MetricName: 'SignIns', MetricValue: '1' }],
    });
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      MetricTransformations: [{ MetricName: 'SignInRefusalsByReason', Dimensions: [{ Key: 'Reason', Value: '$.reason' }] }],
    });
  });

  test('the alarm e-mail: a TLS-only topic with an e-mail subscription', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) } });
  });

  test('the dashboard: CloudFront in us-east-1, the edge function per region (metric region), Logs Insights per region, MAU', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = dashboardBody(template);
    expect(body).toContain('AWS/CloudFront');
    expect(body).toContain('LambdaLimitExceededError');
    // One AWS/Lambda metric per region for the edge replicas, named us-east-1.<function name>.
    for (const region of ['us-east-1', 'eu-west-1', 'ap-southeast-2']) {
      expect(body.replace(/\\/g, '')).toMatch(new RegExp(`"AWS/Lambda","Errors","FunctionName","us-east-1\\.",\\{"Ref":"EdgeOAuthViewerRequestFunction\\w+"\\},"",\\{"label":"${region} Sum","region":"${region}"`));
      expect(body).toContain(`(${region})`);
    }
    expect(body).toContain('SOURCE \'/aws/lambda/us-east-1.');
    expect(body).toContain('pct(durationUs, 99)');
    expect(body).toContain('count_distinct(userId)');
  });

  test('cdk-nag: no finding from the monitoring', () => {
    expect(nagFindings(stack).filter((f) => f.paths.some((p) => p.includes('Monitoring')))).toEqual([]);
  });
});

test('an existing topic from the config: no topic created, the alarms notify it', () => {
  const arn = 'arn:aws:sns:us-east-1:123456789012:ops-pager';
  const { template } = readyStack({ alarmTopicArn: arn });
  template.resourceCountIs('AWS::SNS::Topic', 0);
  template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'LambdaExecutionError', AlarmActions: [arn] });
});

test('the config turns the dashboard or the alarms off; a topic outside us-east-1 is refused', () => {
  const noDashboard = readyStack({ dashboard: false }).template;
  noDashboard.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
  expect(Object.keys(noDashboard.findResources('AWS::CloudWatch::Alarm')).length).toBeGreaterThanOrEqual(3);
  const noAlarms = readyStack({ alarms: false }).template;
  noAlarms.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  noAlarms.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  expect(() => config({ alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops' })).toThrow('monitoring.alarmTopicArn: must be the ARN of an SNS topic in us-east-1');
});

test('the construct: on by default once it knows the distribution; monitoring: false turns it off', () => {
  for (const monitoring of [undefined, false]) {
    const stack = new Stack(appWithoutBundling(), 'Site', { env: { region: 'us-east-1' } });
    const auth = new EdgeOAuth(stack, 'Auth', { config: fixtureConfig(), ...(monitoring !== undefined && { monitoring }) });
    const distribution = new cloudfront.Distribution(stack, 'Site', { defaultBehavior: auth.protectedBehavior(new origins.HttpOrigin('origin.example.com')) });
    auth.addAuthBehaviors(distribution);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', monitoring === false ? 0 : 1);
    expect(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).length).toBe(monitoring === false ? 0 : 6);
  }
});
