/**
 * What the ready stack's distribution serves (`-c origin=...`, docs/deploy.md step 3), and
 * the CloudFront origin and behaviour for it:
 *
 * - a new or existing S3 bucket, read with origin access control at the bucket's own
 *   regional endpoint (`<bucket>.s3.<region>.amazonaws.com`: "we recommend that you use the
 *   following format: bucket-name.s3.region.amazonaws.com",
 *   https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistS3AndCustomOrigins.html);
 *   an existing bucket outside us-east-1 needs `-c originRegion=<region>`;
 * - an ALB or any HTTP server, which gets a secret origin header (ORIGIN_VERIFY_HEADER) whose
 *   value lives in Secrets Manager and reaches the template only as a `{{resolve:secretsmanager:...}}`
 *   dynamic reference ("can be used in all resource properties",
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-secretsmanager.html),
 *   so the origin can refuse requests that did not come through CloudFront
 *   (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/restrict-access-to-load-balancer.html).
 *
 * Refused at synth (checkSiteOrigin): `https://` to an Elastic Load Balancing name
 * (`*.elb.amazonaws.com`), whose certificate check can only fail, and `http://` without
 * `allowInsecureOrigin` (identity headers and the assertion in cleartext).
 */
import { Annotations, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { asCdkInterface } from './cdk-types';
import { acknowledgeOriginVerifyFindings } from './nag';

/** The header CloudFront adds to every request to a custom origin; its value is the OriginVerify secret. */
export const ORIGIN_VERIFY_HEADER = 'edge-oauth-origin-verify';

/** Where an existing bucket is when `originRegion` is not given. */
export const DEFAULT_ORIGIN_REGION = 'us-east-1';

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
/** Elastic Load Balancing DNS names: `<name>-<id>.<region>.elb.amazonaws.com` (and `.com.cn`). */
const ELB_HOST = /\.elb\.amazonaws\.com(\.cn)?$/;

/** What the distribution serves. */
export type SiteOrigin =
  /** A new private bucket (block public access, TLS only), read by CloudFront with OAC. */
  | { readonly kind: 'new-bucket' }
  /** An existing bucket in `region`, read with OAC (add the bucket policy yourself: see docs/deploy.md). */
  | { readonly kind: 'existing-bucket'; readonly bucketName: string; readonly region: string }
  /** An existing ALB or any HTTP server, by its public DNS name. */
  | {
      readonly kind: 'http';
      readonly domainName: string;
      readonly protocol: 'https' | 'http';
      readonly port?: number;
      readonly originPath?: string;
    };

/**
 * Parses the `origin` context value:
 * `s3` (or nothing) - a new bucket; `s3://<bucket>` - an existing bucket (in `originRegion`,
 * default us-east-1); `https://<host>[:port][/path]` - an ALB or HTTP server over TLS;
 * `http://<host>[:port][/path]` - the same over plain HTTP (between CloudFront and the origin).
 */
export function parseSiteOrigin(spec: string | undefined, originRegion?: string): SiteOrigin {
  const value = (spec ?? '').trim();
  const bucket = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/?$/.exec(value);
  if (originRegion !== undefined) {
    if (!bucket) throw new Error(`originRegion "${originRegion}" is for an existing bucket (-c origin=s3://<bucket>) only; the origin is "${value || 's3'}"`);
    if (!REGION.test(originRegion)) throw new Error(`originRegion "${originRegion}" is not an AWS region (e.g. eu-west-1)`);
  }
  if (value === '' || value === 's3') return { kind: 'new-bucket' };
  if (bucket) return { kind: 'existing-bucket', bucketName: bucket[1]!, region: originRegion ?? DEFAULT_ORIGIN_REGION };
  const http = /^(https?):\/\/([a-z0-9.-]+)(?::(\d{1,5}))?(\/[^?#]*)?$/i.exec(value);
  if (http && !http[4]?.endsWith('/')) {
    const port = http[3] !== undefined ? Number(http[3]) : undefined;
    if (port !== undefined && (port < 1 || port > 65535)) throw new Error(`origin "${value}": port out of range`);
    return {
      kind: 'http',
      protocol: http[1]!.toLowerCase() as 'https' | 'http',
      domainName: http[2]!.toLowerCase(),
      ...(port !== undefined && { port }),
      ...(http[4] !== undefined && http[4] !== '' && { originPath: http[4] }),
    };
  }
  throw new Error(
    `origin "${value}" is not understood: use "s3" (new bucket), "s3://<bucket>", "https://<alb or host>[:port][/path]" ` +
      'or "http://<host>[:port][/path]" (a path must not end with "/")',
  );
}

/**
 * Refuses origins a deployment cannot serve safely, with what to do instead; warns (an
 * annotation on `stack`) for an accepted plain-HTTP origin.
 */
export function checkSiteOrigin(stack: Stack, origin: SiteOrigin, allowInsecureOrigin: boolean): void {
  if (origin.kind === 'existing-bucket' && !REGION.test(origin.region)) {
    throw new Error(`origin s3://${origin.bucketName}: region "${origin.region}" is not an AWS region (e.g. eu-west-1)`);
  }
  if (origin.kind !== 'http') return;
  if (origin.protocol === 'https' && ELB_HOST.test(origin.domainName)) {
    throw new Error(
      `origin https://${origin.domainName}: this is the load balancer's own Elastic Load Balancing name. CloudFront accepts the ` +
        "origin's certificate only if it covers the origin domain name, and no certificate can be issued for an elb.amazonaws.com " +
        'name: every request would get 502. Point a DNS name of yours at the load balancer (e.g. origin.example.com, a Route 53 alias), ' +
        'put an ACM certificate for that name on its HTTPS listener, and deploy with -c origin=https://origin.example.com (docs/deploy.md step 3).',
    );
  }
  if (origin.protocol === 'http') {
    const what =
      `origin http://${origin.domainName}: CloudFront would send every request to it over plain HTTP, with the identity headers, ` +
      `the signed identity assertion and the ${ORIGIN_VERIFY_HEADER} secret in cleartext`;
    if (!allowInsecureOrigin) {
      throw new Error(`${what}. Use https:// (an ALB with a certificate for its DNS name), or accept it with -c allowInsecureOrigin=true.`);
    }
    Annotations.of(stack).addWarningV2('edge-oauth:insecure-origin', `${what} (allowed by allowInsecureOrigin). Anyone on that network path can read or forge them.`);
  }
}

export interface SiteOriginParts {
  readonly origin: cloudfront.IOrigin;
  readonly behavior: cloudfront.AddBehaviorOptions;
  /** The site bucket, for an S3 origin. */
  readonly bucket?: s3.IBucket;
  /** The OriginVerify secret, for an HTTP origin (its value is ORIGIN_VERIFY_HEADER's). */
  readonly originVerifySecret?: secretsmanager.Secret;
}

/** The origin, its default behaviour options and what they need (bucket, secret), created in `stack`. */
export function siteOriginParts(stack: Stack, siteOrigin: SiteOrigin, removalPolicy: RemovalPolicy): SiteOriginParts {
  if (siteOrigin.kind === 'http') {
    const secret = new secretsmanager.Secret(stack, 'OriginVerifySecret', {
      description: `edge-oauth: the value of the ${ORIGIN_VERIFY_HEADER} header CloudFront sends to the origin; the origin accepts only requests that carry it`,
      // Letters and digits: a header value and an ALB listener-rule value without escaping.
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      // Replaced with the distribution: the origin's rule must be updated then anyway.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledgeOriginVerifyFindings(secret);
    const origin = new origins.HttpOrigin(siteOrigin.domainName, {
      protocolPolicy: siteOrigin.protocol === 'https' ? cloudfront.OriginProtocolPolicy.HTTPS_ONLY : cloudfront.OriginProtocolPolicy.HTTP_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      ...(siteOrigin.port !== undefined && (siteOrigin.protocol === 'https' ? { httpsPort: siteOrigin.port } : { httpPort: siteOrigin.port })),
      ...(siteOrigin.originPath !== undefined && { originPath: siteOrigin.originPath }),
      // A dynamic reference, resolved by CloudFormation at deploy: never a literal in the template.
      customHeaders: { [ORIGIN_VERIFY_HEADER]: secret.secretValue.unsafeUnwrap() },
    });
    // An application: responses may depend on the user (identity headers), which are not
    // in any cache key, so nothing is cached; everything the viewer sent (cookies, query,
    // headers) is forwarded except Host (the origin's certificate is for its own name).
    const behavior = {
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    };
    return { origin, behavior, originVerifySecret: secret };
  }
  const bucket =
    siteOrigin.kind === 'new-bucket'
      ? new s3.Bucket(stack, 'SiteBucket', {
          blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
          encryption: s3.BucketEncryption.S3_MANAGED,
          enforceSSL: true,
          objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
          removalPolicy,
        })
      : // The region makes the origin the bucket's own regional endpoint (CDK builds
        // `<bucket>.s3.<region>.<suffix>` from it; without it, from the stack's region).
        s3.Bucket.fromBucketAttributes(stack, 'SiteBucket', { bucketName: siteOrigin.bucketName, region: siteOrigin.region });
  const siteBucket = asCdkInterface<s3.IBucket>(bucket);
  return {
    origin: origins.S3BucketOrigin.withOriginAccessControl(siteBucket),
    // Static files, the same for every signed-in user: cached. The viewer-request function
    // runs before the cache, so every request is still checked.
    behavior: { allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS, cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED },
    bucket: siteBucket,
  };
}
