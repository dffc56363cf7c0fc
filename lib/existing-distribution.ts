/**
 * EdgeOAuthExistingDistribution: protects a CloudFront distribution this stack does not own
 * (made in the console, by Terraform, by another stack). It never creates a distribution.
 *
 * ```ts
 * const auth = new EdgeOAuth(this, 'Auth', { config });
 * new EdgeOAuthExistingDistribution(this, 'Attach', { auth, distributionId: 'E123ABC', protect: ['*', '/app/*'] });
 * ```
 *
 * - An origin access control for the callback's function URL (signing always, SigV4) and
 *   the two invoke permissions CloudFront needs for it, scoped to the distribution's ARN
 *   (`lambda:InvokeFunctionUrl`, and `lambda:InvokeFunction` via the function URL: the same
 *   pair aws-cdk-lib's FunctionUrlOrigin.withOriginAccessControl adds, see
 *   aws-cdk-lib/aws-cloudfront-origins/lib/function-url-origin.js `addInvokePermission`).
 * - With `attachAtDeploy` (the default) a custom resource (lib/attach/handler.ts) that
 *   attaches edge-oauth at deploy time through the CloudFront API and puts the
 *   distribution back as it was when the resource or the stack is deleted. Its role may read
 *   and update this one distribution and allow Lambda@Edge replication of the viewer-request
 *   function's versions (CloudFront Developer Guide, "Set up IAM permissions and roles for
 *   Lambda@Edge": lambda:GetFunction, lambda:EnableReplication*, lambda:DisableReplication*,
 *   iam:CreateServiceLinkedRole, cloudfront:UpdateDistribution).
 * - Without it, nothing touches the distribution: `edge-oauth attach` or your own tool
 *   (docs/existing-distribution.md) does, from the stack outputs `outputs()` names.
 */
import { Aws, CustomResource, Duration, Fn, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { EdgeOAuth } from './edge-oauth';
import { lockFileOptions, packageEntry } from './functions';
import { acknowledgeAttachFindings } from './nag';
import { LAMBDA_RUNTIME, ESBUILD_TARGET } from './runtime';

export interface EdgeOAuthExistingDistributionProps {
  /** The functions, tables and secrets to attach. */
  readonly auth: EdgeOAuth;
  /** The distribution to protect (e.g. `E123ABC`). */
  readonly distributionId: string;
  /**
   * Path patterns of the behaviours to protect; `*` is the default behaviour.
   * @default - every behaviour
   */
  readonly protect?: readonly string[];
  /**
   * Attach at deploy time (and detach on delete) with a custom resource.
   * @default true
   */
  readonly attachAtDeploy?: boolean;
}

export class EdgeOAuthExistingDistribution extends Construct {
  readonly distributionId: string;
  /** The callback's origin access control. */
  readonly originAccessControl: cloudfront.IOriginAccessControl;
  /** The callback's function URL host, the origin's domain name. */
  readonly callbackDomainName: string;
  /** The custom resource that attaches at deploy, when `attachAtDeploy`. */
  readonly attachment?: CustomResource;

  constructor(scope: Construct, id: string, props: EdgeOAuthExistingDistributionProps) {
    super(scope, id);
    const { auth, distributionId } = props;
    if (!/^[A-Z0-9]{1,64}$/.test(distributionId)) {
      throw new Error(`EdgeOAuthExistingDistribution: distributionId "${distributionId}" is not a CloudFront distribution id (such as E123ABC)`);
    }
    for (const p of props.protect ?? []) {
      if (p.trim() === '' || p.includes(',')) throw new Error(`EdgeOAuthExistingDistribution: protect entry "${p}" is not a path pattern`);
    }
    this.distributionId = distributionId;
    auth.useExistingDistribution(distributionId);

    this.originAccessControl = new cloudfront.FunctionUrlOriginAccessControl(this, 'CallbackOriginAccessControl', {
      description: `edge-oauth callback of ${Stack.of(this).stackName} for ${distributionId}`,
    });
    // https://<id>.lambda-url.<region>.on.aws/ → <id>.lambda-url.<region>.on.aws
    this.callbackDomainName = Fn.select(2, Fn.split('/', auth.callbackUrl.url));
    const distributionArn = `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:distribution/${distributionId}`;
    const principal = 'cloudfront.amazonaws.com';
    const invokeUrl = new lambda.CfnPermission(this, 'InvokeFunctionUrl', {
      principal,
      action: 'lambda:InvokeFunctionUrl',
      functionName: auth.callbackFunction.functionArn,
      sourceArn: distributionArn,
    });
    const invoke = new lambda.CfnPermission(this, 'InvokeFunction', {
      principal,
      action: 'lambda:InvokeFunction',
      functionName: auth.callbackFunction.functionArn,
      sourceArn: distributionArn,
      invokedViaFunctionUrl: true,
    });

    if (props.attachAtDeploy === false) return;

    const role = new iam.Role(this, 'AttachRole', {
      description: `edge-oauth: attaches to CloudFront distribution ${distributionId}`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    const logGroup = new logs.LogGroup(this, 'AttachLogs', { retention: logs.RetentionDays.ONE_MONTH });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudfront:GetDistributionConfig', 'cloudfront:UpdateDistribution'], resources: [distributionArn] }));
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['lambda:GetFunction', 'lambda:EnableReplication*', 'lambda:DisableReplication*'],
        resources: [`${auth.viewerRequestFunction.functionArn}:*`],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['iam:CreateServiceLinkedRole'],
        resources: [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/aws-service-role/*`],
        conditions: { StringLike: { 'iam:AWSServiceName': ['replicator.lambda.amazonaws.com', 'logger.cloudfront.amazonaws.com'] } },
      }),
    );
    const onEvent = new NodejsFunction(this, 'AttachFunction', {
      description: `edge-oauth: attach to / detach from CloudFront distribution ${distributionId}`,
      entry: packageEntry('lib/attach/handler'),
      handler: 'handler',
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      // Up to 5 tries with 1+2+4+8 s between them, each a read and a whole-config write.
      timeout: Duration.minutes(2),
      role,
      logGroup,
      ...lockFileOptions(),
      // The Lambda Node.js runtime provides @aws-sdk/client-cloudfront.
      bundling: { target: ESBUILD_TARGET, format: OutputFormat.CJS, minify: true, externalModules: ['@aws-sdk/*'] },
    });
    const provider = new cr.Provider(this, 'Provider', { onEventHandler: onEvent, logGroup });
    acknowledgeAttachFindings(role, auth.viewerRequestFunction, onEvent, provider);
    this.attachment = new CustomResource(this, 'Attachment', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::EdgeOAuthAttachment',
      properties: {
        DistributionId: distributionId,
        ViewerRequestVersionArn: auth.viewerRequestVersion.functionArn,
        CallbackDomainName: this.callbackDomainName,
        OriginAccessControlId: this.originAccessControl.originAccessControlId,
        Protect: (props.protect ?? []).join(','),
        CallbackReadTimeoutSeconds: String(auth.callbackReadTimeout.toSeconds()),
      },
    });
    // Attach once CloudFront may call the callback; detach before they go.
    this.attachment.node.addDependency(invokeUrl, invoke);
  }
}
