/**
 * cdk-nag (AwsSolutions pack) acknowledgements for what edge-oauth creates, each with its
 * reason. The constructs call these themselves, so they stay clean in any app that runs
 * cdk-nag. Every finding is acknowledged individually (cdk-nag 3 has no prefix matching).
 */
import { Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

const RUNTIME_REASON =
  'The runtime is one constant (lib/runtime.ts) shared with Lambda@Edge, which supports fewer Node.js versions than regional Lambda; ' +
  'it is raised there after checking the Lambda@Edge supported-runtimes page.';

/** The viewer-request and callback functions' findings. */
export function acknowledgeFunctionFindings(fn: IConstruct): void {
  Validations.of(fn).acknowledge({ id: 'AwsSolutions-L1', reason: RUNTIME_REASON });
}

/**
 * The viewer-request function's log permissions: Lambda@Edge writes to
 * `/aws/lambda/us-east-1.<function name>` in whichever region ran the request, so the
 * region is a wildcard (the log group name is exact) and log streams are per container.
 */
export function acknowledgeEdgeLogFindings(policy: IConstruct, fn: IConstruct): void {
  const cfn = fn.node.defaultChild as CfnElement;
  const logicalId = Stack.of(fn).getLogicalId(cfn);
  const group = `arn:<AWS::Partition>:logs:*:<AWS::AccountId>:log-group:/aws/lambda/us-east-1.<${logicalId}>`;
  const reason =
    'Lambda@Edge logs in every region that runs the function, to a log group named after it; only the region and the ' +
    'per-container log streams are wildcards.';
  Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[Resource::${group}]`, reason });
  Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[Resource::${group}:log-stream:*]`, reason });
}

/** Secrets without Secrets Manager rotation. */
export function acknowledgeClientSecretFindings(secret: IConstruct): void {
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'An OAuth client secret is issued by the identity provider: it is rotated there and the new value put into the secret ' +
      '(docs/deploy.md); Secrets Manager cannot create it.',
  });
}

/** The origin verification secret (lib/site-origin.ts). */
export function acknowledgeOriginVerifyFindings(secret: IConstruct): void {
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'The origin verification value lives in two places that must change together (the distribution\'s origin header, through ' +
      'a dynamic reference read only at deploy, and the origin\'s listener rule): it is rotated by hand with an overlap, as ' +
      'docs/deploy.md describes; a Secrets Manager rotation would change it under both and lock CloudFront out.',
  });
}

export function acknowledgeKeySetFindings(secret: IConstruct): void {
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'The session key set is rotated in two steps with the edge-oauth CLI (add a key and make it current, later remove the old ' +
      'one) so that signed-in users keep their sessions; a single-step Secrets Manager rotation would sign everyone out.',
  });
}

/** The REST API the ready stack creates (config `api.kind: "rest"`): a proxy behind edge-oauth's authorizer. */
export function acknowledgeRestApiFindings(api: IConstruct): void {
  const v = Validations.of(api);
  v.acknowledge({
    id: 'AwsSolutions-APIG2',
    reason: 'A proxy to the upstream, which validates its own requests; edge-oauth decides who may call it, not what a request holds.',
  });
  v.acknowledge({
    id: 'AwsSolutions-APIG3',
    reason: "A WAF web ACL is the operator's choice (cost, rules); every request already passes the session authorizer.",
  });
  v.acknowledge({
    id: 'AwsSolutions-APIG6',
    reason: 'Access logs are on (one JSON line per request); execution logging needs an account-wide CloudWatch role edge-oauth does not create.',
  });
  v.acknowledge({
    id: 'AwsSolutions-COG4',
    reason: "Every method has edge-oauth's Lambda authorizer: the same sessions as the site (sign-in at the identity provider, allow-lists), not a Cognito user pool.",
  });
}

/**
 * The custom resource that attaches edge-oauth to an existing distribution
 * (lib/existing-distribution.ts): the Lambda@Edge association permissions, as the CloudFront
 * Developer Guide spells them (`lambda:EnableReplication*`, `lambda:DisableReplication*`
 * with the asterisk, on the function's versions), and the CDK provider framework.
 */
export function acknowledgeAttachFindings(policyOwner: IConstruct, viewerFn: IConstruct, attachFn: IConstruct, provider: IConstruct): void {
  const viewerId = Stack.of(viewerFn).getLogicalId(viewerFn.node.defaultChild as CfnElement);
  const attachId = Stack.of(attachFn).getLogicalId(attachFn.node.defaultChild as CfnElement);
  const edge =
    'Associating a Lambda@Edge function needs lambda:EnableReplication* and lambda:DisableReplication* (with the asterisk) on the ' +
    'version CloudFront runs (CloudFront Developer Guide, "Set up IAM permissions and roles for Lambda@Edge"); each deploy makes a new version.';
  const v = Validations.of(policyOwner);
  v.acknowledge({ id: 'AwsSolutions-IAM5[Action::lambda:EnableReplication*]', reason: edge });
  v.acknowledge({ id: 'AwsSolutions-IAM5[Action::lambda:DisableReplication*]', reason: edge });
  v.acknowledge({ id: `AwsSolutions-IAM5[Resource::<${viewerId}.Arn>:*]`, reason: edge });
  v.acknowledge({
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/aws-service-role/*]',
    reason: 'The Lambda@Edge replicator and CloudFront logger service-linked roles, limited by iam:AWSServiceName; created once per account.',
  });
  acknowledgeFunctionFindings(attachFn);
  const p = Validations.of(provider);
  p.acknowledge({ id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: 'The CDK custom resource provider framework gives its function this policy.' });
  p.acknowledge({ id: `AwsSolutions-IAM5[Resource::<${attachId}.Arn>:*]`, reason: 'The CDK provider framework invokes any version of the attach function.' });
  p.acknowledge({ id: 'AwsSolutions-L1', reason: 'The CDK provider framework picks its own runtime.' });
}

/** A managed user pool (lib/cognito-pool.ts): MFA is the operator's choice, the Essentials plan the default. */
export function acknowledgeUserPoolFindings(pool: IConstruct, mfa: string): void {
  if (mfa !== 'required') {
    Validations.of(pool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason: 'MFA follows the config (`mfa`, "optional" by default: each user may add an authenticator app; passkeys are offered too); set "required" to require it.',
    });
  }
  Validations.of(pool).acknowledge({
    id: 'AwsSolutions-COG8',
    reason: 'The Essentials feature plan gives managed login and passkeys; threat protection (Plus) is priced per user and left to the operator.',
  });
}

/** The alarms' SNS topic (lib/monitoring.ts, config monitoring.alarmEmail). */
export function acknowledgeAlarmTopicFindings(topic: IConstruct): void {
  Validations.of(topic).acknowledge({
    id: 'AwsSolutions-SNS2',
    reason:
      'The topic carries alarm state changes only (no user data). CloudWatch alarms cannot publish to a topic encrypted with the ' +
      'AWS managed key (aws/sns); a customer managed key would cost more than the notifications are worth. It enforces TLS (SNS3).',
  });
}
