/**
 * The ready stacks the CDK app (bin/app.ts) deploys from a config file:
 *
 * - `EdgeOAuthStack` (us-east-1): a CloudFront distribution in front of a new or existing
 *   S3 bucket (origin access control) or an existing ALB / HTTP origin, protected by
 *   `EdgeOAuth`; outputs the site URL and the callback URL to enter at the provider.
 *   With `config.api.kind`, also an HTTP or REST API in front of `config.api.upstream`,
 *   behind edge-oauth's authorizer, served on the distribution under `config.api.path`
 *   (the browser's session cookie is host-only: docs/api.md).
 * - `EdgeOAuthDataStack` (config.aws.region): the tables and secrets, only when that
 *   region is not us-east-1 (otherwise they live in `EdgeOAuthStack`).
 */
import { Annotations, CfnOutput, Fn, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { EdgeConfig } from '../lambdas/core/config/types';
import { CALLBACK_PATH_PATTERN, EdgeOAuth } from './edge-oauth';
import { EdgeOAuthProtectedApi } from './protected-api';
import { EdgeOAuthData } from './edge-oauth-data';
import { checkSiteOrigin, ORIGIN_VERIFY_HEADER, siteOriginParts, type SiteOrigin } from './site-origin';

export { parseSiteOrigin, type SiteOrigin } from './site-origin';

export interface EdgeOAuthStackProps extends StackProps {
  /** The resolved configuration. */
  readonly config: EdgeConfig;
  /**
   * What the distribution serves.
   * @default - a new S3 bucket
   */
  readonly origin?: SiteOrigin;
  /**
   * An ACM certificate in us-east-1 for `config.site.domain`: the distribution then answers
   * on that domain (point a DNS CNAME/alias at the distribution).
   * @default - the distribution's own *.cloudfront.net name
   */
  readonly certificateArn?: string;
  /**
   * Accept an `http://` origin: CloudFront then sends the identity headers, the signed
   * assertion and the origin verification header to it in cleartext.
   * @default false - an http:// origin is refused at synth
   */
  readonly allowInsecureOrigin?: boolean;
  /** @see EdgeOAuthProps.createTables */
  readonly createTables?: boolean;
  /** @see EdgeOAuthProps.createSecrets */
  readonly createSecrets?: boolean;
  /** @see EdgeOAuthProps.removalPolicy @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** @see EdgeOAuthProps.deletionProtection @default true */
  readonly deletionProtection?: boolean;
  /** @see EdgeOAuthProps.viewerRequestEntry */
  readonly viewerRequestEntry?: string;
  /** @see EdgeOAuthProps.callbackEntry */
  readonly callbackEntry?: string;
}

export class EdgeOAuthStack extends Stack {
  readonly auth: EdgeOAuth;
  readonly distribution: cloudfront.Distribution;
  /** The site bucket, for an S3 origin. */
  readonly bucket?: s3.IBucket;
  /** `https://<site domain or distribution domain>` */
  readonly siteUrl: string;
  /** The API `config.api` declares, when it declares one. */
  readonly api?: EdgeOAuthProtectedApi;

  constructor(scope: Construct, id: string, props: EdgeOAuthStackProps) {
    super(scope, id, props);
    const { config } = props;
    const siteOrigin = props.origin ?? { kind: 'new-bucket' };

    this.auth = new EdgeOAuth(this, 'EdgeOAuth', {
      config,
      ...(props.createTables !== undefined && { createTables: props.createTables }),
      ...(props.createSecrets !== undefined && { createSecrets: props.createSecrets }),
      ...(props.removalPolicy !== undefined && { removalPolicy: props.removalPolicy }),
      ...(props.deletionProtection !== undefined && { deletionProtection: props.deletionProtection }),
      ...(props.viewerRequestEntry !== undefined && { viewerRequestEntry: props.viewerRequestEntry }),
      ...(props.callbackEntry !== undefined && { callbackEntry: props.callbackEntry }),
    });

    checkSiteOrigin(this, siteOrigin, props.allowInsecureOrigin ?? false);
    const site = siteOriginParts(this, siteOrigin, props.removalPolicy ?? RemovalPolicy.RETAIN);
    const { origin, behavior } = site;
    if (site.bucket !== undefined) this.bucket = site.bucket;

    const domain = config.site.domain;
    const customDomain = customDomainOf(this, props.certificateArn, domain);

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `edge-oauth: ${config.site.name}`,
      defaultBehavior: this.auth.protectedBehavior(origin, behavior),
      ...(siteOrigin.kind !== 'http' && { defaultRootObject: 'index.html' }),
      ...(customDomain && {
        domainNames: [domain!],
        certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn!),
        minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      }),
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
    });
    this.auth.addAuthBehaviors(this.distribution);
    const apiPath = config.api.path;
    if (config.api.kind !== undefined && apiPath !== undefined) {
      // The API on the site's own host: the host-only session cookie reaches it, no second sign-in.
      this.api = new EdgeOAuthProtectedApi(this, 'Api', { config, authorizer: this.auth.apiAuthorizer });
      this.distribution.addBehavior(`${apiPath}/*`, this.api.origin(), this.api.behavior());
    }

    this.siteUrl = `https://${domain ?? this.distribution.distributionDomainName}`;
    addStackOutputs(this, config, site.originVerifySecret);

    if (this.bucket instanceof s3.Bucket) {
      Validations.of(this.bucket).acknowledge({
        id: 'AwsSolutions-S1',
        reason: 'The site bucket is private and read only by CloudFront (OAC); requests are logged at CloudFront, not per S3 object.',
      });
    }
    acknowledgeDistributionFindings(this.distribution, customDomain, siteOrigin.kind === 'http' && siteOrigin.protocol === 'http');
  }
}

/** Whether the site has its own domain: a certificate (an ACM ARN in us-east-1) for `config.site.domain`; a domain without one is a warning. */
function customDomainOf(stack: Stack, certificateArn: string | undefined, domain: string | undefined): boolean {
  if (certificateArn !== undefined && domain === undefined) {
    throw new Error('EdgeOAuthStack: certificateArn is set but config.site.domain is not: set the site domain the certificate is for');
  }
  if (certificateArn !== undefined && !certificateArn.startsWith('arn:')) {
    throw new Error(`EdgeOAuthStack: certificateArn "${certificateArn}" is not an ARN`);
  }
  if (certificateArn !== undefined && !certificateArn.includes(':us-east-1:')) {
    throw new Error(`EdgeOAuthStack: certificateArn "${certificateArn}" must be an ACM certificate in us-east-1 (CloudFront reads it there)`);
  }
  const customDomain = certificateArn !== undefined && domain !== undefined;
  if (domain !== undefined && !customDomain) {
    Annotations.of(stack).addWarningV2(
      'edge-oauth:site-domain-without-certificate',
      `config.site.domain is "${domain}" but no certificateArn was given: the distribution only answers on its *.cloudfront.net name, ` +
        'and the callback URL below uses the site domain. Pass -c certificateArn=<ACM certificate in us-east-1>.',
    );
  }
  return customDomain;
}

/** What an operator needs after a deploy: the URLs, ids, and the secrets to set. */
function addStackOutputs(stack: EdgeOAuthStack, config: EdgeConfig, originVerifySecret: { readonly secretArn: string } | undefined): void {
  const apiPath = config.api.path;
  new CfnOutput(stack, 'SiteUrl', { value: stack.siteUrl, description: 'The protected site' });
  new CfnOutput(stack, 'CallbackUrl', {
    value: `${stack.siteUrl}${CALLBACK_PATH_PATTERN}`,
    description: 'Enter this as the redirect / callback URL of the OAuth app at each provider',
  });
  new CfnOutput(stack, 'DistributionId', { value: stack.distribution.distributionId });
  new CfnOutput(stack, 'DistributionDomainName', { value: stack.distribution.distributionDomainName });
  if (stack.bucket !== undefined) new CfnOutput(stack, 'SiteBucketName', { value: stack.bucket.bucketName });
  if (originVerifySecret !== undefined) {
    new CfnOutput(stack, 'OriginVerifyHeader', { value: ORIGIN_VERIFY_HEADER, description: 'The header CloudFront adds to every request to your origin' });
    new CfnOutput(stack, 'OriginVerifySecretArn', {
      value: originVerifySecret.secretArn,
      description: 'Its value: make the origin (ALB listener rule) accept only requests that carry it (docs/deploy.md step 3)',
    });
  }
  // A user pool the stack creates (cognito, lib/cognito-pool.ts) has its secret written by the deploy: not one to set.
  const toSet = [...new Set(config.providers.filter((p) => p.cognito?.managed === undefined).map((p) => p.clientSecret.secretId))];
  if (toSet.length > 0) {
    new CfnOutput(stack, 'ClientSecretIds', {
      value: toSet.join(' '),
      description: `Set each value after the first deploy (region ${config.aws.region}): aws secretsmanager put-secret-value --secret-id <id> --secret-string ...`,
    });
  }
  if (stack.auth.cognitoPools.size > 0) {
    new CfnOutput(stack, 'UserPoolIds', {
      value: Fn.join(' ', [...stack.auth.cognitoPools.values()].map((pool) => pool.userPool.userPoolId)),
      description: 'The user pools the stack created (cognito providers): invite people with npx edge-oauth users invite <email>',
    });
  }
  new CfnOutput(stack, 'SessionKeySetSecretId', { value: config.aws.sessionKeysSecretId });
  if (stack.api !== undefined) {
    new CfnOutput(stack, 'ApiUrl', { value: `${stack.siteUrl}${apiPath}/`, description: `The ${config.api.kind?.toUpperCase()} API behind edge-oauth's authorizer (on the site's host)` });
    new CfnOutput(stack, 'ApiEndpoint', { value: `https://${stack.api.domainName}${stack.api.originPath}/`, description: "The API's own endpoint (the same authorizer; browsers have no session cookie there)" });
  }
}

export interface EdgeOAuthDataStackProps extends StackProps {
  readonly config: EdgeConfig;
  readonly removalPolicy?: RemovalPolicy;
  readonly deletionProtection?: boolean;
}

/** The tables and secrets in `config.aws.region`, when that is not us-east-1. */
export class EdgeOAuthDataStack extends Stack {
  readonly data: EdgeOAuthData;

  constructor(scope: Construct, id: string, props: EdgeOAuthDataStackProps) {
    super(scope, id, props);
    this.data = new EdgeOAuthData(this, 'Data', {
      config: props.config,
      ...(props.removalPolicy !== undefined && { removalPolicy: props.removalPolicy }),
      ...(props.deletionProtection !== undefined && { deletionProtection: props.deletionProtection }),
    });
  }
}

function acknowledgeDistributionFindings(distribution: cloudfront.Distribution, customDomain: boolean, insecureOrigin: boolean): void {
  const v = Validations.of(distribution);
  v.acknowledge({
    id: 'AwsSolutions-CFR1',
    reason: 'Access is decided per user by edge-oauth (sign-in and allow-lists), not by country; add geo restrictions per site if wanted.',
  });
  v.acknowledge({
    id: 'AwsSolutions-CFR2',
    reason: 'A WAF web ACL is the operator\'s choice (cost, rules); every request already passes the viewer-request authentication.',
  });
  v.acknowledge({
    id: 'AwsSolutions-CFR3',
    reason: 'Access logging needs a log bucket or a delivery destination the operator chooses; edge-oauth logs one JSON line per decision.',
  });
  if (!customDomain) {
    v.acknowledge({
      id: 'AwsSolutions-CFR4',
      reason: 'With the default *.cloudfront.net certificate CloudFront fixes the TLS policy; with certificateArn the stack sets TLSv1.2_2021.',
    });
  }
  if (insecureOrigin) {
    // checkSiteOrigin refuses an http:// origin unless the operator passed allowInsecureOrigin, and warns then.
    v.acknowledge({
      id: 'AwsSolutions-CFR5',
      reason: 'The operator chose a plain-HTTP origin explicitly (-c allowInsecureOrigin=true), and the synth warns that identity headers travel in cleartext.',
    });
  }
}
