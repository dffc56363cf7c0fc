/**
 * EdgeOAuth: puts edge-oauth's sign-in in front of a CloudFront distribution.
 *
 * The construct creates the functions, the tables and the secrets; the distribution stays
 * yours. Two hooks attach it:
 *
 * ```ts
 * const auth = new EdgeOAuth(this, 'Auth', { config });
 * const site = new cloudfront.Distribution(this, 'Site', {
 *   defaultBehavior: auth.protectedBehavior(origin),   // or { origin, edgeLambdas: auth.edgeLambdas, ... }
 * });
 * auth.addAuthBehaviors(site);                        // /auth/callback and /auth/*
 * ```
 *
 * Why this shape (and not a construct that owns the distribution): the default behaviour's
 * Lambda@Edge associations can only be given when the Distribution is constructed, and the
 * operator keeps every other choice (aliases, certificate, WAF, logging, more behaviours).
 * A synth-time validation reports a distribution that never got `addAuthBehaviors`.
 *
 * - Viewer-request function (Lambda@Edge): NodejsFunction bundled by the local esbuild,
 *   the resolved config baked in with esbuild `define` (Lambda@Edge has no environment
 *   variables), the Node.js runtime of lib/runtime.ts, x86_64, 128 MB, 5 s, a numbered
 *   version. It runs on the protected behaviours and on `/auth/*`.
 * - Callback function: regional Lambda (this stack's region) behind CloudFront at
 *   `/auth/callback`, a function URL origin with origin access control (AuthType AWS_IAM,
 *   invoke permission for cloudfront.amazonaws.com scoped to the distribution).
 *   `/auth/*` is never cached (CachingDisabled) and never gets the viewer's Host
 *   (AllViewerExceptHostHeader: a function URL answers 403 to a foreign Host); query
 *   string and cookies (the nonce cookie) are forwarded.
 * - The callback's redirect_uri host: `config.site.domain`, or else the header the
 *   viewer-request function sets from the viewer's Host (lambdas/core/viewer/identity-headers.ts).
 *   Nothing about the distribution (its domain name) is baked into the callback, so there
 *   is no dependency cycle distribution → function URL → callback → distribution.
 * - API Gateway authorizer (created on first use): `httpApiAuthorizer()` for an HTTP API,
 *   `restApiAuthorizer(api)` for a REST API; the same session check as the edge, in a
 *   regional function (lib/edge-oauth-api.ts, docs/api.md).
 * - IAM: one role per function, no managed policies; each reads only its secrets
 *   (`secretsmanager:GetSecretValue` on exact ARNs) and uses only the table actions listed
 *   in TABLE_ACCESS below, on the table ARNs.
 */
import { Annotations, Aws, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import type { HttpLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import * as path from 'node:path';
import type { EdgeConfig } from '../lambdas/core/config/types';
import { authorizerCacheTtl, EdgeOAuthApiAuthorizer } from './edge-oauth-api';
import { EdgeOAuthData, type TableRole } from './edge-oauth-data';
import { acknowledgeEdgeLogFindings, acknowledgeFunctionFindings } from './nag';
import { ESBUILD_TARGET, LAMBDA_RUNTIME } from './runtime';
import { asCdkInterface } from './cdk-types';

/** The globals esbuild replaces in the function bundles (`define`). */
export const BAKED_GLOBALS = {
  /** The resolved EdgeConfig (JSON object literal). */
  config: '__EDGE_OAUTH_CONFIG__',
  /**
   * The regions where the session key set secret can be read, primary first
   * (`[config.aws.region, ...secretReplicaRegions]`). The viewer-request function reads
   * from the executing region (`AWS_REGION`) when it is in this list, else from the first.
   */
  keySetRegions: '__EDGE_OAUTH_KEY_SET_REGIONS__',
} as const;

/** The path the callback answers; a behaviour of its own, before `/auth/*`. */
export const CALLBACK_PATH_PATTERN = '/auth/callback';
/** edge-oauth's own paths: never cached, never sent to the site's origin. */
export const AUTH_PATH_PATTERN = '/auth/*';

/** Lambda@Edge limits for a viewer-request function (CloudFront quotas). */
export const VIEWER_REQUEST_LIMITS = { memoryMiB: 128, timeoutSeconds: 5, zippedBytes: 1024 * 1024 } as const;

/**
 * The DynamoDB actions each function uses, per table. Keep in step with lambdas/store
 * (GetItem with ConsistentRead, conditional PutItem, UpdateItem; no Query, Scan or Delete:
 * those are the operator CLI's). Transactions need the per-item actions only.
 */
export const TABLE_ACCESS: Record<'viewerRequest' | 'callback', Record<TableRole, readonly string[]>> = {
  // Session checks (revocation, inactivity, last activity, refresh lease), logout
  // (revocation), the continuous-authorization App User update, the monthly MAU mark.
  viewerRequest: {
    sessions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    users: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    mau: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
  },
  // Sign-in: the single-use state, the session, the App User upsert, the MAU mark.
  callback: {
    sessions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
    users: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
    mau: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
  },
};

const PROJECT_ROOT = path.join(__dirname, '..');

export interface EdgeOAuthProps {
  /** The resolved configuration (`parseConfig` / `loadConfigFile`). Baked into the bundles. */
  readonly config: EdgeConfig;
  /**
   * Create the tables (names from `config.aws.tables`).
   * @default - true when `config.aws.region` is this stack's region; otherwise the tables
   *            are referenced by name in that region (deploy them with `EdgeOAuthData` there)
   */
  readonly createTables?: boolean;
  /**
   * Create the secrets named in the config (client secrets with a placeholder value, the
   * session key set generated at deploy). When false, they are referenced by name.
   * @default - true when `config.aws.region` is this stack's region
   */
  readonly createSecrets?: boolean;
  /**
   * Removal policy of the tables and secrets.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * DynamoDB deletion protection on the tables.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * Regions to replicate the session key set to, so that the viewer-request function's cold
   * start in a far region reads a nearby copy. Pick the regions of the regional edge caches
   * your viewers use (e.g. `eu-central-1`, `ap-northeast-1`).
   * @default - no replicas: every region reads from `config.aws.region`
   */
  readonly secretReplicaRegions?: readonly string[];
  /**
   * Retention of the callback's log group (this region). The viewer-request function's logs
   * are created by Lambda@Edge in each region it runs in (`/aws/lambda/us-east-1.<name>`)
   * and keep the account default; docs/deploy.md shows how to set their retention.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * The callback function's timeout (token exchange and profile calls to the provider).
   * @default Duration.seconds(10)
   */
  readonly callbackTimeout?: Duration;
  /**
   * The callback function's memory.
   * @default 256
   */
  readonly callbackMemorySize?: number;
  /**
   * Require the distribution's default behaviour to run the viewer-request function
   * (checked by `addAuthBehaviors`). Turn off only when the default behaviour is meant to be
   * public and you protect chosen paths with `protectedBehavior`/`edgeLambdas`.
   * @default true
   */
  readonly protectDefaultBehavior?: boolean;
  /**
   * Source of the viewer-request handler (exports `handler`).
   * @default - lambdas/edge/index.ts of this package
   */
  readonly viewerRequestEntry?: string;
  /**
   * Source of the callback handler (exports `handler`).
   * @default - lambdas/callback/index.ts of this package
   */
  readonly callbackEntry?: string;
  /**
   * Source of the API Gateway authorizer handler (exports `handler`).
   * @default - lambdas/authorizer/index.ts of this package
   */
  readonly authorizerEntry?: string;
}

export class EdgeOAuth extends Construct {
  /** The viewer-request function (Lambda@Edge). Attach `viewerRequestVersion`, never `$LATEST`. */
  readonly viewerRequestFunction: lambda.Function;
  /** The numbered version CloudFront runs. */
  readonly viewerRequestVersion: lambda.IVersion;
  /** The callback function (regional). */
  readonly callbackFunction: lambda.Function;
  /** The callback's function URL (AuthType AWS_IAM: only CloudFront, via OAC, can call it). */
  readonly callbackUrl: lambda.FunctionUrl;
  /** The origin for `/auth/*`: the function URL with origin access control. */
  readonly callbackOrigin: cloudfront.IOrigin;
  /** Give these to every behaviour edge-oauth protects. */
  readonly edgeLambdas: cloudfront.EdgeLambda[];
  readonly sessionsTable: dynamodb.ITable;
  readonly usersTable: dynamodb.ITable;
  readonly mauTable: dynamodb.ITable;
  /** The tables and secrets (created or referenced). */
  readonly data: EdgeOAuthData;
  private readonly config: EdgeConfig;
  private readonly bundling: BundlingOptions;
  private readonly logRetention?: logs.RetentionDays;
  private readonly authorizerEntry?: string;
  private _apiAuthorizer?: EdgeOAuthApiAuthorizer;
  private readonly protectDefaultBehavior: boolean;
  private _distribution?: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: EdgeOAuthProps) {
    super(scope, id);
    const { config } = props;
    this.config = config;
    this.protectDefaultBehavior = props.protectDefaultBehavior ?? true;
    const stack = Stack.of(this);

    // Lambda@Edge functions must be created in us-east-1; CDK does not check it.
    if (Token.isUnresolved(stack.region) || stack.region !== 'us-east-1') {
      throw new Error(
        `EdgeOAuth: the stack "${stack.stackName}" must be deployed to us-east-1 (Lambda@Edge functions are created there), ` +
          `but its region is ${Token.isUnresolved(stack.region) ? 'not set' : `"${stack.region}"`}. Give it env: { region: 'us-east-1' }.`,
      );
    }
    validateForDeployment(config);
    authorizerCacheTtl(config); // api.cacheTtl within bounds (hand-made configs too)
    if (props.logRetention !== undefined) this.logRetention = props.logRetention;
    if (props.authorizerEntry !== undefined) this.authorizerEntry = props.authorizerEntry;

    const sameRegion = config.aws.region === stack.region;
    this.data = new EdgeOAuthData(this, 'Data', {
      config,
      createTables: props.createTables ?? sameRegion,
      createSecrets: props.createSecrets ?? sameRegion,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      deletionProtection: props.deletionProtection ?? true,
      ...(props.secretReplicaRegions !== undefined && { secretReplicaRegions: props.secretReplicaRegions }),
    });
    this.sessionsTable = this.data.sessionsTable;
    this.usersTable = this.data.usersTable;
    this.mauTable = this.data.mauTable;

    const define = {
      [BAKED_GLOBALS.config]: JSON.stringify(config),
      [BAKED_GLOBALS.keySetRegions]: JSON.stringify(this.data.sessionKeySetRegions),
    };
    const bundling: BundlingOptions = {
      target: ESBUILD_TARGET,
      format: OutputFormat.CJS,
      minify: true,
      sourceMap: false,
      // The runtime provides AWS SDK v3; bundling it would cost the viewer bundle ~100s of KB.
      externalModules: ['@aws-sdk/*'],
      define,
      // No license banners in the Lambda@Edge zip.
      esbuildArgs: { '--legal-comments': 'none' },
    };
    this.bundling = bundling;

    // ---------------------------------------------------------------- viewer request
    const viewerRole = new iam.Role(this, 'ViewerRequestRole', {
      description: 'edge-oauth viewer-request function (Lambda@Edge)',
      // Lambda@Edge assumes the role as edgelambda.amazonaws.com in every region.
      assumedBy: new iam.CompositePrincipal(
        new iam.ServicePrincipal('lambda.amazonaws.com'),
        new iam.ServicePrincipal('edgelambda.amazonaws.com'),
      ),
    });
    const viewerFn = new NodejsFunction(this, 'ViewerRequestFunction', {
      description: `edge-oauth viewer-request (Lambda@Edge) for ${config.site.domain ?? config.site.name}`,
      entry: props.viewerRequestEntry ?? path.join(PROJECT_ROOT, 'lambdas/edge/index.ts'),
      handler: 'handler',
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.X86_64, // Lambda@Edge runs x86_64 only
      memorySize: VIEWER_REQUEST_LIMITS.memoryMiB,
      timeout: Duration.seconds(VIEWER_REQUEST_LIMITS.timeoutSeconds),
      role: viewerRole,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      awsSdkConnectionReuse: false, // would add an environment variable on old runtimes
      bundling,
      // A replicated version cannot be deleted for hours after its last use: keep old
      // versions instead of failing the update's cleanup.
      currentVersionOptions: { removalPolicy: RemovalPolicy.RETAIN },
    });
    this.viewerRequestFunction = viewerFn;
    this.viewerRequestVersion = asCdkInterface<lambda.IVersion>(viewerFn.currentVersion);
    this.edgeLambdas = [
      { functionVersion: this.viewerRequestVersion, eventType: cloudfront.LambdaEdgeEventType.VIEWER_REQUEST, includeBody: false },
    ];

    // Lambda@Edge writes logs in the region that ran it, to /aws/lambda/us-east-1.<name>.
    // A separate policy (not the role's default policy) so that the function's name can be
    // used without a dependency cycle (the function depends on its role's default policy).
    const edgeLogGroupArn = (region: string) =>
      `arn:${Aws.PARTITION}:logs:${region}:${Aws.ACCOUNT_ID}:log-group:/aws/lambda/us-east-1.${viewerFn.functionName}`;
    const edgeLogs = new iam.Policy(this, 'ViewerRequestLogs', {
      roles: [viewerRole],
      statements: [
        new iam.PolicyStatement({ actions: ['logs:CreateLogGroup'], resources: [edgeLogGroupArn('*')] }),
        new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${edgeLogGroupArn('*')}:log-stream:*`] }),
      ],
    });
    acknowledgeEdgeLogFindings(edgeLogs, viewerFn);
    acknowledgeFunctionFindings(viewerFn);
    this.grantSessionCheck(viewerRole);

    // ---------------------------------------------------------------- callback
    const callbackRole = new iam.Role(this, 'CallbackRole', {
      description: 'edge-oauth callback function',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    const callbackLogs = new logs.LogGroup(this, 'CallbackLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    callbackRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [callbackLogs.logGroupArn] }),
    );
    const callbackFn = new NodejsFunction(this, 'CallbackFunction', {
      description: `edge-oauth callback (${CALLBACK_PATH_PATTERN}) for ${config.site.domain ?? config.site.name}`,
      entry: props.callbackEntry ?? path.join(PROJECT_ROOT, 'lambdas/callback/index.ts'),
      handler: 'handler',
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.X86_64,
      memorySize: props.callbackMemorySize ?? 256,
      timeout: props.callbackTimeout ?? Duration.seconds(10),
      role: callbackRole,
      logGroup: callbackLogs,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      awsSdkConnectionReuse: false,
      bundling,
    });
    this.callbackFunction = callbackFn;
    acknowledgeFunctionFindings(callbackFn);
    for (const handle of new Set(this.data.clientSecrets.values())) grantGetSecretValue(callbackRole, handle.resourceArns(config.aws.region));
    grantGetSecretValue(callbackRole, this.data.sessionKeySet.resourceArns(config.aws.region));
    this.grantTables(callbackRole, TABLE_ACCESS.callback);

    this.callbackUrl = callbackFn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    this.callbackOrigin = origins.FunctionUrlOrigin.withOriginAccessControl(this.callbackUrl, {
      readTimeout: Duration.seconds(Math.min(60, Math.max(10, (props.callbackTimeout ?? Duration.seconds(10)).toSeconds() + 2))),
    });

    this.node.addValidation({
      validate: () =>
        this.distribution
          ? []
          : [`EdgeOAuth ${this.node.path}: call addAuthBehaviors(distribution) so that /auth/callback reaches the callback and /auth/* is not cached`],
    });
  }

  /** The distribution given to `addAuthBehaviors`, once it was called. */
  get distribution(): cloudfront.Distribution | undefined {
    return this._distribution;
  }

  /**
   * Behaviour options for a protected behaviour: `origin`, the viewer-request function,
   * HTTPS only. Pass the result as `defaultBehavior` (or to `addBehavior`).
   */
  protectedBehavior(origin: cloudfront.IOrigin, options: cloudfront.AddBehaviorOptions = {}): cloudfront.BehaviorOptions {
    return {
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      ...options,
      origin,
      edgeLambdas: [...this.edgeLambdas, ...(options.edgeLambdas ?? [])],
    };
  }

  /**
   * Adds edge-oauth's behaviours to `distribution`:
   * - `/auth/callback` → the callback's function URL (OAC), GET/HEAD only (a POST body
   *   would need a payload hash CloudFront does not add), CachingDisabled, AllViewerExceptHostHeader;
   * - `/auth/*` → the same origin, every method (the viewer-request function answers these
   *   itself: sign-in, logout, the provider picker; anything it lets through must never
   *   reach the site's origin), CachingDisabled, AllViewerExceptHostHeader.
   * Both run the viewer-request function, which lets `/auth/callback` through and sets
   * the site-host header for the callback.
   */
  addAuthBehaviors(distribution: cloudfront.Distribution): void {
    if (this._distribution !== undefined) throw new Error(`EdgeOAuth ${this.node.path}: addAuthBehaviors was already called`);
    if (this.protectDefaultBehavior && !this.runsOnDefaultBehavior(distribution)) {
      throw new Error(
        `EdgeOAuth ${this.node.path}: the default behaviour of ${distribution.node.path} does not run the viewer-request function, ` +
          'so the site would be public. Create the distribution with defaultBehavior: auth.protectedBehavior(origin) ' +
          '(or edgeLambdas: auth.edgeLambdas), or set protectDefaultBehavior: false if that is intended.',
      );
    }
    this._distribution = distribution;
    const common: cloudfront.AddBehaviorOptions = {
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      compress: false,
      edgeLambdas: this.edgeLambdas,
    };
    distribution.addBehavior(CALLBACK_PATH_PATTERN, this.callbackOrigin, { ...common, allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD });
    distribution.addBehavior(AUTH_PATH_PATTERN, this.callbackOrigin, { ...common, allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL });
    if (this.config.site.domain === undefined) {
      Annotations.of(this).addInfo(
        'config.site.domain is not set: the callback builds redirect_uri from the viewer Host that the viewer-request function forwards',
      );
    }
  }

  /** True when the distribution's default behaviour has this viewer-request version. */
  private runsOnDefaultBehavior(distribution: cloudfront.Distribution): boolean {
    const stack = Stack.of(distribution);
    const cfn = distribution.node.defaultChild as cloudfront.CfnDistribution;
    const config = stack.resolve(cfn.distributionConfig) as {
      defaultCacheBehavior?: { lambdaFunctionAssociations?: Array<{ eventType?: string; lambdaFunctionArn?: unknown }> };
    };
    const ours = JSON.stringify(stack.resolve(this.viewerRequestVersion.edgeArn));
    return (config.defaultCacheBehavior?.lambdaFunctionAssociations ?? []).some(
      (a) => a.eventType === cloudfront.LambdaEdgeEventType.VIEWER_REQUEST && JSON.stringify(a.lambdaFunctionArn) === ours,
    );
  }

  /**
   * Grants what a session check needs (the viewer-request function has it; the API Gateway
   * authorizer gets the same): read the session key set (every replica region), the
   * viewer-request table actions and, with continuous authorization, the client secrets.
   */
  grantSessionCheck(grantee: iam.IGrantable): void {
    grantGetSecretValue(grantee, this.data.sessionKeySetArns());
    this.grantTables(grantee, TABLE_ACCESS.viewerRequest);
    // Continuous authorization refreshes the user at the provider (refresh token grant /
    // userinfo), which needs the client secrets, and so does refreshing an expiring access
    // token passed to the origin; without either a session check never reads them.
    if (this.config.session.authCheckInterval > 0 || this.config.originTokens.enabled) {
      for (const handle of new Set(this.data.clientSecrets.values())) grantGetSecretValue(grantee, handle.resourceArns(this.config.aws.region));
    }
  }

  /**
   * The API Gateway authorizer (function, role, logs), created on first use: the same
   * session check as the viewer-request function, for APIs (docs/api.md).
   */
  get apiAuthorizer(): EdgeOAuthApiAuthorizer {
    this._apiAuthorizer ??= new EdgeOAuthApiAuthorizer(this, 'ApiAuthorizer', {
      config: this.config,
      bundling: this.bundling,
      grantSessionCheck: (grantee) => this.grantSessionCheck(grantee),
      ...(this.logRetention !== undefined && { logRetention: this.logRetention }),
      ...(this.authorizerEntry !== undefined && { entry: this.authorizerEntry }),
    });
    return this._apiAuthorizer;
  }

  /**
   * An authorizer for one HTTP API (call once per API): payload 2.0, simple responses, keyed
   * on the Cookie header, cached `config.api.cacheTtl`. Use it as the API's
   * `defaultAuthorizer` or on routes. A request without a valid session gets a 401.
   */
  httpApiAuthorizer(): HttpLambdaAuthorizer {
    return this.apiAuthorizer.httpAuthorizer();
  }

  /**
   * The REQUEST authorizer for a REST API (the same one for every call with that API), and
   * the API's gateway responses: 401 with a JSON body that says where to sign in, 403, 503.
   * Give it to the methods it protects.
   */
  restApiAuthorizer(api: apigw.RestApi): apigw.RequestAuthorizer {
    return this.apiAuthorizer.restAuthorizer(api);
  }

  private grantTables(grantee: iam.IGrantable, access: Record<TableRole, readonly string[]>): void {
    const tables: Record<TableRole, dynamodb.ITable> = {
      sessions: this.sessionsTable,
      users: this.usersTable,
      mau: this.mauTable,
    };
    for (const [role, actions] of Object.entries(access) as [TableRole, readonly string[]][]) {
      if (actions.length === 0) continue;
      iam.Grant.addToPrincipal({ grantee, actions: [...actions], resourceArns: [tables[role].tableArn] });
    }
  }
}

function grantGetSecretValue(grantee: iam.IGrantable, resourceArns: string[]): void {
  iam.Grant.addToPrincipal({ grantee, actions: ['secretsmanager:GetSecretValue'], resourceArns });
}

/** Settings the local stack allows and a deployment must not. Throws with the offending value. */
function validateForDeployment(config: EdgeConfig): void {
  for (const provider of config.providers) {
    if (provider.allowInsecureRequests) {
      throw new Error(`EdgeOAuth: providers "${provider.id}": allowInsecureRequests is for local development only; remove it to deploy`);
    }
    if (provider.issuer !== undefined && !provider.issuer.startsWith('https://')) {
      throw new Error(`EdgeOAuth: providers "${provider.id}": issuer "${provider.issuer}" must be https:// to deploy`);
    }
  }
}
