/**
 * The ready stack for an existing distribution (`npx cdk deploy -c distributionId=E123ABC
 * [-c protect='*,/app/*'] [-c attachAtDeploy=false]`, lib/app.ts): edge-oauth's functions,
 * tables and secrets in us-east-1, attached to the distribution at deploy time by a custom
 * resource and taken off when the stack is deleted (lib/existing-distribution.ts). It never
 * creates a distribution. Its outputs are what `edge-oauth attach` and the Terraform /
 * CloudFormation snippets of docs/existing-distribution.md need.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { EdgeConfig } from '../lambdas/core/config/types';
import { CALLBACK_PATH_PATTERN, EdgeOAuth } from './edge-oauth';
import type { EdgeOAuthProps } from './edge-oauth-props';
import { EdgeOAuthExistingDistribution } from './existing-distribution';

/** The stack outputs `edge-oauth attach --outputs` reads (bin/attach-command.ts OUTPUT_KEYS). */
export const EXISTING_DISTRIBUTION_OUTPUTS = ['ViewerRequestVersionArn', 'CallbackDomainName', 'CallbackOriginAccessControlId'] as const;

export interface EdgeOAuthExistingDistributionStackProps extends StackProps {
  readonly config: EdgeConfig;
  readonly distributionId: string;
  /** @see EdgeOAuthExistingDistributionProps.protect */
  readonly protect?: readonly string[];
  /** @see EdgeOAuthExistingDistributionProps.attachAtDeploy @default true */
  readonly attachAtDeploy?: boolean;
  /** Passed to EdgeOAuth (tables, secrets, removal policy, ...). */
  readonly auth?: Omit<EdgeOAuthProps, 'config'>;
}

export class EdgeOAuthExistingDistributionStack extends Stack {
  readonly auth: EdgeOAuth;
  readonly attachment: EdgeOAuthExistingDistribution;

  constructor(scope: Construct, id: string, props: EdgeOAuthExistingDistributionStackProps) {
    super(scope, id, props);
    const { config } = props;
    if (config.api.kind !== undefined) {
      throw new Error('edge-oauth: config.api is served on the distribution edge-oauth creates; with -c distributionId, protect the API with the authorizer in your own stack (docs/api.md)');
    }
    this.auth = new EdgeOAuth(this, 'EdgeOAuth', { ...props.auth, config });
    this.attachment = new EdgeOAuthExistingDistribution(this, 'ExistingDistribution', {
      auth: this.auth,
      distributionId: props.distributionId,
      ...(props.protect !== undefined && { protect: props.protect }),
      ...(props.attachAtDeploy !== undefined && { attachAtDeploy: props.attachAtDeploy }),
    });

    const [versionKey, domainKey, oacKey] = EXISTING_DISTRIBUTION_OUTPUTS;
    new CfnOutput(this, 'DistributionId', { value: props.distributionId });
    new CfnOutput(this, versionKey, { value: this.auth.viewerRequestVersion.functionArn, description: 'The viewer-request function version (Lambda@Edge, viewer-request) for each protected behaviour' });
    new CfnOutput(this, domainKey, { value: this.attachment.callbackDomainName, description: 'The origin of /auth/callback and /auth/* (HTTPS only)' });
    new CfnOutput(this, oacKey, { value: this.attachment.originAccessControl.originAccessControlId, description: 'The origin access control of that origin' });
    new CfnOutput(this, 'CallbackUrl', {
      value: `https://${config.site.domain ?? '<your distribution domain>'}${CALLBACK_PATH_PATTERN}`,
      description: 'Enter this as the redirect / callback URL of the OAuth app at each provider',
    });
    new CfnOutput(this, 'ClientSecretIds', {
      value: [...new Set(config.providers.map((p) => p.clientSecret.secretId))].join(' '),
      description: `Set each value after the first deploy (region ${config.aws.region}): aws secretsmanager put-secret-value --secret-id <id> --secret-string ...`,
    });
    new CfnOutput(this, 'SessionKeySetSecretId', { value: config.aws.sessionKeysSecretId });
  }
}
