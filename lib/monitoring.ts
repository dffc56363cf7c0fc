/**
 * What an operator watches (docs/operations.md): a CloudWatch dashboard and alarms, added by
 * `EdgeOAuth` once it knows its distribution (on by default; `monitoring: false` on the
 * construct, or `monitoring.dashboard` / `monitoring.alarms` in the config, turn them off).
 *
 * The cheapest honest source for each panel:
 * - Edge function errors as CloudFront reports them: AWS/CloudFront `LambdaExecutionError`,
 *   `LambdaValidationError`, `LambdaLimitExceededError` and `5xxErrorRate`, dimensions
 *   `DistributionId` and `Region=Global`, published in us-east-1 (free, one place for every
 *   edge location): https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/programming-cloudwatch-metrics.html
 *   (the Lambda@Edge error metrics need no additional metrics subscription; see that page).
 * - The edge function in each region: Lambda@Edge replicas publish AWS/Lambda metrics
 *   (`Errors`, `Throttles`, `Duration`) in the region that ran them, named
 *   `us-east-1.<function name>`; the dashboard reads several regions by giving each metric
 *   its `region` (CloudWatch dashboards are cross-region; an alarm is not, so the alarms use
 *   CloudFront's global metrics): https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-cloudwatch-metrics-logging.html
 * - Refusals by reason, session-check failures by kind, the edge's own latency p50/p99:
 *   CloudWatch Logs Insights on the edge's log groups in each region (`region` on the widget),
 *   read when the dashboard is opened (billed per GB scanned); no resource has to exist in
 *   regions the edge has not run in yet.
 * - Sign-ins, sign-in refusals by reason, callback errors: metric filters on the callback's
 *   log group (created by this stack), which alarms can use.
 * Not confirmed in AWS's pages: that a JSON metric filter matches a line Lambda's text format
 * prefixes with time, request id and level; check after the first deploy with
 * `aws logs test-metric-filter` (docs/operations.md).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { EdgeConfig } from '../lambdas/core/config/types';
import { acknowledgeAlarmTopicFindings } from './nag';

/** The namespace of the metrics the metric filters make. */
export const METRIC_NAMESPACE = 'EdgeOAuth';
const FIVE_MINUTES = Duration.minutes(5);

export interface EdgeOAuthMonitoringProps {
  readonly config: EdgeConfig;
  readonly distributionId: string;
  readonly viewerRequestFunction: lambda.IFunction;
  readonly callbackFunction: lambda.IFunction;
  readonly callbackLogGroup: logs.ILogGroup;
}

export class EdgeOAuthMonitoring extends Construct {
  readonly dashboard?: cw.Dashboard;
  readonly alarms: cw.Alarm[] = [];
  /** The topic the alarms notify, when the config names one or an e-mail. */
  readonly alarmTopic?: sns.ITopic;

  constructor(scope: Construct, id: string, props: EdgeOAuthMonitoringProps) {
    super(scope, id);
    const { config } = props;
    const settings = config.monitoring;
    const metrics = callbackMetrics(this, props);
    if (settings.dashboard) this.dashboard = dashboard(this, props, metrics);
    if (!settings.alarms) return;
    if (settings.alarmTopicArn !== undefined) this.alarmTopic = sns.Topic.fromTopicArn(this, 'AlarmTopic', settings.alarmTopicArn);
    else if (settings.alarmEmail !== undefined) {
      const topic = new sns.Topic(this, 'AlarmTopic', { displayName: `edge-oauth alarms: ${config.site.name}`, enforceSSL: true });
      topic.addSubscription(new subs.EmailSubscription(settings.alarmEmail));
      acknowledgeAlarmTopicFindings(topic);
      this.alarmTopic = topic;
    }
    const cf = (metricName: string, statistic = 'Sum') => cloudFrontMetric(props.distributionId, metricName, statistic);
    const alarm = (id: string, description: string, metric: cw.IMetric, threshold: number, evaluationPeriods = 1) => {
      const a = new cw.Alarm(this, id, {
        alarmDescription: `${description} (docs/operations.md#${id.toLowerCase()})`,
        metric,
        threshold,
        evaluationPeriods,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      });
      if (this.alarmTopic !== undefined) a.addAlarmAction(new cwActions.SnsAction(this.alarmTopic));
      this.alarms.push(a);
    };
    alarm('EdgeExecutionErrors', 'CloudFront reports Lambda@Edge execution errors (the viewer function threw or timed out): visitors get a 5xx', cf('LambdaExecutionError'), 5);
    alarm('EdgeValidationErrors', 'CloudFront reports invalid responses from the viewer function (a response CloudFront refuses)', cf('LambdaValidationError'), 1);
    alarm('Distribution5xxRate', "The distribution's 5xx error rate is at or above 5 % for 15 minutes (store or provider unavailable past the grace, origin errors, edge errors)", cf('5xxErrorRate', 'Average'), 5, 3);
    alarm('CallbackErrors', 'The callback function failed (Lambda errors): sign-ins end on an error page', props.callbackFunction.metricErrors({ period: FIVE_MINUTES }), 1);
    alarm('CallbackErrorLines', 'The callback logged edge_oauth_error lines (a store, a provider or the key set failed)', metrics.errors, 5);
    alarm('SignInRefusalsRise', `At least ${settings.refusalThreshold} sign-ins refused in 15 minutes (allow-list, provider errors, timeouts)`, metrics.refusals.with({ period: Duration.minutes(15) }), settings.refusalThreshold);
  }
}

interface CallbackMetrics {
  readonly signIns: cw.Metric;
  readonly refusals: cw.Metric;
  readonly errors: cw.Metric;
}

/** Metric filters on the callback's log group, in the stack's region. */
function callbackMetrics(scope: Construct, props: EdgeOAuthMonitoringProps): CallbackMetrics {
  const group = props.callbackLogGroup;
  const filter = (id: string, metricName: string, pattern: logs.IFilterPattern, dimensions?: Record<string, string>) =>
    new logs.MetricFilter(scope, id, { logGroup: group, metricNamespace: METRIC_NAMESPACE, metricName, filterPattern: pattern, metricValue: '1', ...(dimensions !== undefined && { dimensions }) });
  const request = logs.FilterPattern.stringValue('$.event', '=', 'edge_oauth_request');
  filter('SignInsFilter', 'SignIns', logs.FilterPattern.all(request, logs.FilterPattern.stringValue('$.reason', '=', 'signed-in')));
  filter('RefusalsFilter', 'SignInRefusals', logs.FilterPattern.all(request, logs.FilterPattern.stringValue('$.decision', '=', 'block')));
  // The same lines again, with the reason as a dimension: the dashboard's "refused, by reason".
  filter('RefusalsByReasonFilter', 'SignInRefusalsByReason', logs.FilterPattern.all(request, logs.FilterPattern.stringValue('$.decision', '=', 'block')), { Reason: '$.reason' });
  filter('CallbackErrorLinesFilter', 'CallbackErrorLines', logs.FilterPattern.stringValue('$.event', '=', 'edge_oauth_error'));
  const m = (metricName: string) => new cw.Metric({ namespace: METRIC_NAMESPACE, metricName, statistic: 'Sum', period: FIVE_MINUTES });
  return { signIns: m('SignIns'), refusals: m('SignInRefusals'), errors: m('CallbackErrorLines') };
}

/** CloudFront's metrics live in us-east-1 with Region=Global, whatever the stack's region. */
function cloudFrontMetric(distributionId: string, metricName: string, statistic: string): cw.Metric {
  return new cw.Metric({ namespace: 'AWS/CloudFront', metricName, dimensionsMap: { DistributionId: distributionId, Region: 'Global' }, statistic, period: FIVE_MINUTES, region: 'us-east-1' });
}

/** The regions whose edge panels are shown: the config's list, else us-east-1 and the tables' regions. */
export function dashboardRegions(config: EdgeConfig): string[] {
  return [...new Set(config.monitoring.regions ?? ['us-east-1', config.aws.region, ...config.aws.replicaRegions])];
}

function dashboard(scope: Construct, props: EdgeOAuthMonitoringProps, metrics: CallbackMetrics): cw.Dashboard {
  const { config, distributionId } = props;
  const edgeName = `us-east-1.${props.viewerRequestFunction.functionName}`;
  const edgeLogGroup = `/aws/lambda/${edgeName}`;
  const regions = dashboardRegions(config);
  const cf = (metricName: string, label: string, statistic = 'Sum') => cloudFrontMetric(distributionId, metricName, statistic).with({ label });
  const perRegion = (metricName: string, statistic: string) =>
    regions.map((region) => new cw.Metric({ namespace: 'AWS/Lambda', metricName, dimensionsMap: { FunctionName: edgeName }, statistic, period: FIVE_MINUTES, region, label: `${region} ${statistic}` }));
  const insights = (title: string, query: string) =>
    regions.map((region) => new cw.LogQueryWidget({ title: `${title} (${region})`, region, logGroupNames: [edgeLogGroup], queryString: query, width: 24 / Math.min(regions.length, 3), height: 6, view: cw.LogQueryVisualizationType.TABLE }));
  const d = new cw.Dashboard(scope, 'Dashboard', { dashboardName: `edge-oauth-${Stack.of(scope).stackName}`.slice(0, 255), defaultInterval: Duration.hours(3) });
  d.addWidgets(
    new cw.TextWidget({
      markdown: `# edge-oauth: ${config.site.name}\nEdge panels for ${regions.join(', ')} (\`monitoring.regions\`). Why was a user refused? \`npx edge-oauth logs --user EMAIL --decision block\` (docs/operations.md).`,
      width: 24,
      height: 2,
    }),
  );
  d.addWidgets(
    new cw.GraphWidget({ title: 'Sign-ins and refused sign-ins (callback)', left: [metrics.signIns.with({ label: 'sign-ins' }), metrics.refusals.with({ label: 'refused' })], width: 8 }),
    new cw.GraphWidget({
      title: 'Edge function errors, as CloudFront reports them (all edge locations)',
      left: [cf('LambdaExecutionError', 'execution errors'), cf('LambdaValidationError', 'validation errors'), cf('LambdaLimitExceededError', 'limit exceeded')],
      width: 8,
    }),
    new cw.GraphWidget({ title: 'Distribution 4xx / 5xx rate (%)', left: [cf('5xxErrorRate', '5xx %', 'Average'), cf('4xxErrorRate', '4xx %', 'Average')], width: 8 }),
  );
  d.addWidgets(
    new cw.GraphWidget({ title: 'Callback errors', left: [props.callbackFunction.metricErrors({ period: FIVE_MINUTES, label: 'Lambda errors' }), metrics.errors.with({ label: 'error lines' })], width: 8 }),
    new cw.GraphWidget({ title: 'Edge function errors and throttles, per region (AWS/Lambda)', left: [...perRegion('Errors', 'Sum'), ...perRegion('Throttles', 'Sum')], width: 8 }),
    new cw.GraphWidget({ title: 'Edge function duration p50 / p99 (ms), per region', left: [...perRegion('Duration', 'p50'), ...perRegion('Duration', 'p99')], width: 8 }),
  );
  d.addWidgets(
    new cw.LogQueryWidget({
      title: 'Sign-in refusals by reason (callback)',
      logGroupNames: [props.callbackLogGroup.logGroupName],
      queryString: 'filter event = "edge_oauth_request" and decision = "block"\n| stats count(*) as refused by reason\n| sort refused desc',
      width: 12,
      height: 6,
    }),
    new cw.LogQueryWidget({
      title: 'Distinct users signing in (a lower bound of MAU; exact: npx edge-oauth mau)',
      logGroupNames: [props.callbackLogGroup.logGroupName],
      queryString: 'filter event = "edge_oauth_request" and reason = "signed-in"\n| stats count_distinct(userId) as users by bin(1d)',
      width: 12,
      height: 6,
      view: cw.LogQueryVisualizationType.BAR,
    }),
  );
  d.addWidgets(...insights('Refusals by reason at the edge', 'filter event = "edge_oauth_request" and decision = "block"\n| stats count(*) as refused by reason, status\n| sort refused desc'));
  d.addWidgets(
    ...insights(
      'Session-check failures and their kind',
      'filter event = "edge_oauth_request" and (reason like /grace|unavailable|pending/ or checks like /timeout/)\n| stats count(*) as requests by decision, reason',
    ),
  );
  d.addWidgets(...insights('Viewer latency in the edge function (µs)', 'filter event = "edge_oauth_request"\n| stats pct(durationUs, 50) as p50, pct(durationUs, 99) as p99, count(*) as requests by bin(5m)'));
  return d;
}
