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
 * - API Gateway authorizer (created on first use): `httpApiAuthorizer()` / `restApiAuthorizer(api)`,
 *   lib/api-authorizer.ts. Admin console (`admin.emails`): `/auth/admin*`, lib/admin-console.ts.
 * - IAM: one role per function, no managed policies; each reads only its secrets (exact
 *   ARNs) and uses only the table actions of TABLE_ACCESS (lib/grants.ts), on the table ARNs.
 *
 * The functions' common setup (bundle, runtime, roles, logs) is in lib/functions.ts.
 */
import { Annotations, Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import type { HttpLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { EdgeConfig } from '../lambdas/core/config/types';
import { EdgeOAuthAdminConsole } from './admin-console';
import { authorizerCacheTtl, EdgeOAuthApiAuthorizer } from './api-authorizer';
import { checkDistributionRegion, checkEdgeRegion, validateForDeployment } from './deploy-checks';
import { EdgeOAuthData, type TableRole } from './edge-oauth-data';
import type { EdgeOAuthProps } from './edge-oauth-props';
import { functionBundling, packageEntry, regionalFunction, viewerRequestFunction } from './functions';
import { grantGetSecretValue, grantTables, TABLE_ACCESS } from './grants';
import { rejectSecretReplicaRegions } from './global-tables';
import { asCdkInterface } from './cdk-types';
import { addSiteClients, managedCognitoPools, type EdgeOAuthCognitoPool } from './cognito-pool';
import { EdgeOAuthMonitoring } from './monitoring';

/** The path the callback answers; a behaviour of its own, before `/auth/*`. */
export const CALLBACK_PATH_PATTERN = '/auth/callback';
/** edge-oauth's own paths: never cached, never sent to the site's origin. */
export const AUTH_PATH_PATTERN = '/auth/*';

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
  readonly adminConsole?: EdgeOAuthAdminConsole; // `/auth/admin` (lib/admin-console.ts), with config.admin.emails
  /** The user pools this construct created, by provider id (`cognito` providers with no client: lib/cognito-pool.ts). */
  readonly cognitoPools: ReadonlyMap<string, EdgeOAuthCognitoPool>;
  private readonly config: EdgeConfig;
  private readonly bundling: BundlingOptions;
  private readonly logRetention?: logs.RetentionDays;
  private readonly authorizerEntry?: string;
  private _apiAuthorizer?: EdgeOAuthApiAuthorizer;
  private readonly protectDefaultBehavior: boolean;
  private readonly monitoringEnabled: boolean;
  /** The dashboard and alarms, once `addAuthBehaviors` or `useExistingDistribution` ran (unless turned off). */
  monitoring?: EdgeOAuthMonitoring;
  private _distribution?: cloudfront.Distribution;
  private _existingDistributionId?: string;
  /** The callback origin's response timeout: the callback's timeout + 2 s, within 10-60 s. */
  readonly callbackReadTimeout: Duration;

  constructor(scope: Construct, id: string, props: EdgeOAuthProps) {
    super(scope, id);
    const { config } = props;
    this.config = config;
    this.protectDefaultBehavior = props.protectDefaultBehavior ?? true;
    this.monitoringEnabled = props.monitoring ?? true;
    const stack = Stack.of(this);

    checkEdgeRegion(stack);
    validateForDeployment(config);
    authorizerCacheTtl(config); // api.cacheTtl within bounds (hand-made configs too)
    if (props.logRetention !== undefined) this.logRetention = props.logRetention;
    if (props.authorizerEntry !== undefined) this.authorizerEntry = props.authorizerEntry;

    rejectSecretReplicaRegions(props, 'EdgeOAuth');
    const sameRegion = config.aws.region === stack.region;
    this.data = new EdgeOAuthData(this, 'Data', {
      config,
      createTables: props.createTables ?? sameRegion,
      createSecrets: props.createSecrets ?? sameRegion,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      deletionProtection: props.deletionProtection ?? true,
    });
    this.sessionsTable = this.data.sessionsTable;
    this.usersTable = this.data.usersTable;
    this.mauTable = this.data.mauTable;
    this.bundling = functionBundling(config, this.data.sessionKeySetRegions);

    // ---------------------------------------------------------------- viewer request
    const viewer = viewerRequestFunction(this, {
      description: `edge-oauth viewer-request (Lambda@Edge) for ${config.site.domain ?? config.site.name}`,
      entry: props.viewerRequestEntry ?? packageEntry('lambdas/edge/index'),
      bundling: this.bundling,
    });
    this.viewerRequestFunction = viewer.fn;
    this.viewerRequestVersion = asCdkInterface<lambda.IVersion>(viewer.fn.currentVersion);
    this.edgeLambdas = [
      { functionVersion: this.viewerRequestVersion, eventType: cloudfront.LambdaEdgeEventType.VIEWER_REQUEST, includeBody: false },
    ];
    this.grantSessionCheck(viewer.role);
    this.cognitoPools = managedCognitoPools(this, { config, secrets: this.data.clientSecrets, ...(props.removalPolicy !== undefined && { removalPolicy: props.removalPolicy }) });
    for (const id of this.cognitoPools.keys()) grantGetSecretValue(viewer.role, this.data.clientSecrets.get(id)!.resourceArns(config.aws.region));

    // ---------------------------------------------------------------- callback
    const callback = regionalFunction(this, {
      ids: { role: 'CallbackRole', logs: 'CallbackLogs', function: 'CallbackFunction' },
      roleDescription: 'edge-oauth callback function',
      ...(props.logRetention !== undefined && { logRetention: props.logRetention }),
      description: `edge-oauth callback (${CALLBACK_PATH_PATTERN}) for ${config.site.domain ?? config.site.name}`,
      entry: props.callbackEntry ?? packageEntry('lambdas/callback/index'),
      memorySize: props.callbackMemorySize ?? 256,
      timeout: props.callbackTimeout ?? Duration.seconds(10),
      bundling: this.bundling,
    });
    this.callbackFunction = callback.fn;
    for (const handle of new Set(this.data.clientSecrets.values())) grantGetSecretValue(callback.role, handle.resourceArns(config.aws.region));
    grantGetSecretValue(callback.role, this.data.sessionKeySet.resourceArns(config.aws.region));
    grantTables(callback.role, this.tables(), TABLE_ACCESS.callback, (role) => this.data.replicaTableArns(role));
    this.callbackUrl = callback.fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    this.callbackReadTimeout = Duration.seconds(Math.min(60, Math.max(10, (props.callbackTimeout ?? Duration.seconds(10)).toSeconds() + 2)));
    this.callbackOrigin = origins.FunctionUrlOrigin.withOriginAccessControl(this.callbackUrl, { readTimeout: this.callbackReadTimeout });
    if (config.admin.emails.length > 0) this.adminConsole = new EdgeOAuthAdminConsole(this, 'AdminConsole', { config, props, bundling: this.bundling, tables: this.tables(), grantSecrets: (g) => this.grantSessionSecrets(g) });

    this.node.addValidation({
      validate: () =>
        this.distribution || this._existingDistributionId !== undefined
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
    if (this._existingDistributionId !== undefined) {
      throw new Error(`EdgeOAuth ${this.node.path}: it already protects the existing distribution ${this._existingDistributionId}; use one EdgeOAuth per distribution`);
    }
    checkDistributionRegion(this, distribution);
    if (this.protectDefaultBehavior && !this.runsOnDefaultBehavior(distribution)) {
      throw new Error(
        `EdgeOAuth ${this.node.path}: the default behaviour of ${distribution.node.path} does not run the viewer-request function, ` +
          'so the site would be public. Create the distribution with defaultBehavior: auth.protectedBehavior(origin) ' +
          '(or edgeLambdas: auth.edgeLambdas), or set protectDefaultBehavior: false if that is intended.',
      );
    }
    this._distribution = distribution;
    addSiteClients(this.cognitoPools, `https://${distribution.distributionDomainName}`);
    const common: cloudfront.AddBehaviorOptions = {
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      compress: false,
      edgeLambdas: this.edgeLambdas,
    };
    distribution.addBehavior(CALLBACK_PATH_PATTERN, this.callbackOrigin, { ...common, allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD });
    this.adminConsole?.addBehavior(distribution, common); // before /auth/*
    distribution.addBehavior(AUTH_PATH_PATTERN, this.callbackOrigin, { ...common, allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL });
    if (this.config.site.domain === undefined) {
      Annotations.of(this).addInfo('config.site.domain is not set: the callback builds redirect_uri from the viewer Host that the viewer-request function forwards');
    }
    // In the distribution's stack when that is another one: the alarms read the distribution, and
    // its stack already depends on this one (the callback's function URL), so here would be a cycle.
    this.addMonitoring(distribution.distributionId, Stack.of(distribution) === Stack.of(this) ? undefined : Stack.of(distribution));
  }

  /** This EdgeOAuth protects a distribution made elsewhere (EdgeOAuthExistingDistribution attaches it): no `addAuthBehaviors`. */
  useExistingDistribution(distributionId: string): void {
    if (this._distribution !== undefined || this._existingDistributionId !== undefined) {
      throw new Error(`EdgeOAuth ${this.node.path}: it already protects ${this._existingDistributionId ?? this._distribution!.node.path}; use one EdgeOAuth per distribution`);
    }
    if ([...this.cognitoPools.values()].some((pool) => pool.client === undefined)) {
      throw new Error(`EdgeOAuth ${this.node.path}: a user pool the stack creates needs config.site.domain with an existing distribution (its app client's callback URL)`);
    }
    this._existingDistributionId = distributionId;
    this.addMonitoring(distributionId);
  }

  /** The dashboard and alarms (lib/monitoring.ts), once the distribution is known; props.monitoring false or the config turn them off. */
  private addMonitoring(distributionId: string, otherStack?: Stack): void {
    const { dashboard, alarms } = this.config.monitoring;
    if (!this.monitoringEnabled || (!dashboard && !alarms)) return;
    const [scope, id] = otherStack === undefined ? [this, 'Monitoring'] : [otherStack, `${Names.uniqueId(this)}Monitoring`];
    this.monitoring = new EdgeOAuthMonitoring(scope, id, {
      config: this.config, distributionId, viewerRequestFunction: this.viewerRequestFunction, callbackFunction: this.callbackFunction, callbackLogGroup: this.callbackFunction.logGroup,
    });
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
    grantTables(grantee, this.tables(), TABLE_ACCESS.viewerRequest, (role) => this.data.replicaTableArns(role));
    this.grantSessionSecrets(grantee);
  }
  /** The secrets a session check reads: the key set (every replica) and, when it may refresh at the provider, the client secrets. */
  private grantSessionSecrets(grantee: iam.IGrantable): void {
    grantGetSecretValue(grantee, this.data.sessionKeySetArns());
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
   * `defaultAuthorizer` or on routes. A request without a Cookie header gets a 401, one without a valid session a 403 (docs/api.md).
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

  private tables(): Record<TableRole, dynamodb.ITable> {
    return { sessions: this.sessionsTable, users: this.usersTable, mau: this.mauTable };
  }
}
