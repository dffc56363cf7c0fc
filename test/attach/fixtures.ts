/**
 * DistributionConfigs as GetDistributionConfig returns them: every field UpdateDistribution
 * requires is present (CloudFront Developer Guide, "Required API fields for creating and
 * updating distributions"), empty lists as `{ Quantity: 0 }`, in the SDK's shape.
 */
export const ACCOUNT = '111122223333';
export const SITE_OAC = 'E1SITEOAC00001';
export const AUTH_OAC = 'E2AUTHOAC00002';
export const EDGE_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:EdgeOAuth-ViewerRequest:7`;
export const CALLBACK_URL_HOST = 'abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws';

const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';

function behavior(target: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    TargetOriginId: target,
    TrustedSigners: { Enabled: false, Quantity: 0 },
    TrustedKeyGroups: { Enabled: false, Quantity: 0 },
    ViewerProtocolPolicy: 'redirect-to-https',
    AllowedMethods: {
      Quantity: 2,
      Items: ['HEAD', 'GET'],
      CachedMethods: { Quantity: 2, Items: ['HEAD', 'GET'] },
    },
    SmoothStreaming: false,
    Compress: true,
    LambdaFunctionAssociations: { Quantity: 0 },
    FunctionAssociations: { Quantity: 0 },
    FieldLevelEncryptionId: '',
    CachePolicyId: CACHING_OPTIMIZED,
    ...extra,
  };
}

/** A site on S3 (OAC) with an app on an ALB under /app/*, and /img/* with an origin-request Lambda@Edge. */
export function siteConfig(): any {
  return {
    CallerReference: 'terraform-20240101',
    Aliases: { Quantity: 1, Items: ['www.example.com'] },
    DefaultRootObject: 'index.html',
    Origins: {
      Quantity: 2,
      Items: [
        {
          Id: 'site-bucket',
          DomainName: 'site-bucket.s3.us-east-1.amazonaws.com',
          OriginPath: '',
          CustomHeaders: { Quantity: 0 },
          S3OriginConfig: { OriginAccessIdentity: '', OriginReadTimeout: 30 },
          ConnectionAttempts: 3,
          ConnectionTimeout: 10,
          OriginShield: { Enabled: false },
          OriginAccessControlId: SITE_OAC,
        },
        {
          Id: 'app-alb',
          DomainName: 'app-123.us-east-1.elb.amazonaws.com',
          OriginPath: '',
          CustomHeaders: { Quantity: 1, Items: [{ HeaderName: 'X-From-CloudFront', HeaderValue: 'a & b <c>' }] },
          CustomOriginConfig: {
            HTTPPort: 80,
            HTTPSPort: 443,
            OriginProtocolPolicy: 'https-only',
            OriginSslProtocols: { Quantity: 1, Items: ['TLSv1.2'] },
            OriginReadTimeout: 30,
            OriginKeepaliveTimeout: 5,
          },
          ConnectionAttempts: 3,
          ConnectionTimeout: 10,
          OriginShield: { Enabled: false },
          OriginAccessControlId: '',
        },
      ],
    },
    OriginGroups: { Quantity: 0 },
    DefaultCacheBehavior: behavior('site-bucket'),
    CacheBehaviors: {
      Quantity: 2,
      Items: [
        {
          PathPattern: '/app/*',
          ...behavior('app-alb', {
            AllowedMethods: {
              Quantity: 7,
              Items: ['HEAD', 'DELETE', 'POST', 'GET', 'OPTIONS', 'PUT', 'PATCH'],
              CachedMethods: { Quantity: 2, Items: ['HEAD', 'GET'] },
            },
            CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
            OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
          }),
        },
        {
          PathPattern: '/img/*',
          ...behavior('site-bucket', {
            LambdaFunctionAssociations: {
              Quantity: 1,
              Items: [{ LambdaFunctionARN: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:resize:3`, EventType: 'origin-request', IncludeBody: false }],
            },
          }),
        },
      ],
    },
    CustomErrorResponses: { Quantity: 0 },
    Comment: 'www.example.com (Terraform)',
    Logging: { Enabled: false, IncludeCookies: false, Bucket: '', Prefix: '' },
    PriceClass: 'PriceClass_100',
    Enabled: true,
    ViewerCertificate: {
      CloudFrontDefaultCertificate: false,
      ACMCertificateArn: `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/0b1c2d3e`,
      SSLSupportMethod: 'sni-only',
      MinimumProtocolVersion: 'TLSv1.2_2021',
      Certificate: `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/0b1c2d3e`,
      CertificateSource: 'acm',
    },
    Restrictions: { GeoRestriction: { RestrictionType: 'none', Quantity: 0 } },
    WebACLId: '',
    HttpVersion: 'http2and3',
    IsIPV6Enabled: true,
    Staging: false,
  };
}
