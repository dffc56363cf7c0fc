/**
 * The admin console (config `admin.emails`, docs/admin.md): a regional function behind the
 * site's distribution at `/auth/admin*`, like the callback: a function URL (AuthType AWS_IAM)
 * reached only through CloudFront with origin access control. EdgeOAuth creates it when
 * `admin.emails` is set and adds the behaviour in `addAuthBehaviors`.
 *
 * Its role may read the session key set, and per table only what the console does:
 * sessions GetItem/UpdateItem (its own session check, revoke) and Query on `byUser`; users
 * GetItem, UpdateItem (dropping a kept refresh token at "revoke all") and Query on `byEmail`
 * and `byLastSeen` (never Scan); mau GetItem (the counts).
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import * as path from 'node:path';
import type { EdgeConfig } from '../lambdas/core/config/types';
import { TABLES } from '../lambdas/store/dynamodb/tables';
import type { TableRole } from './edge-oauth-data';
import type { EdgeOAuthProps } from './edge-oauth-props';
import { PROJECT_ROOT, regionalFunction } from './functions';
import { grantTables, TABLE_ACCESS } from './grants';

/** The console's behaviour: `/auth/admin` and everything under it; before `/auth/*`. */
export const ADMIN_PATH_PATTERN = '/auth/admin*';

export interface EdgeOAuthAdminConsoleProps {
  readonly config: EdgeConfig;
  readonly bundling: BundlingOptions;
  readonly tables: Record<TableRole, dynamodb.ITable>;
  /** Grants the session key set (and, with continuous authorization, the client secrets): what a session check reads. */
  readonly grantSecrets: (grantee: iam.IGrantable) => void;
  /** The construct's props: `adminEntry` (@default - lambdas/admin/index.ts) and `logRetention`. */
  readonly props: Pick<EdgeOAuthProps, 'adminEntry' | 'logRetention'>;
}

export class EdgeOAuthAdminConsole extends Construct {
  readonly function: lambda.Function;
  readonly functionUrl: lambda.FunctionUrl;
  /** The function URL with origin access control. */
  readonly origin: cloudfront.IOrigin;

  constructor(scope: Construct, id: string, props: EdgeOAuthAdminConsoleProps) {
    super(scope, id);
    const { config } = props;
    const { adminEntry, logRetention } = props.props;
    const { fn, role } = regionalFunction(this, {
      ids: { role: 'Role', logs: 'Logs', function: 'Function' },
      roleDescription: 'edge-oauth admin console function',
      ...(logRetention !== undefined && { logRetention }),
      description: `edge-oauth admin console (/auth/admin) for ${config.site.domain ?? config.site.name}`,
      entry: adminEntry ?? path.join(PROJECT_ROOT, 'lambdas/admin/index.ts'),
      memorySize: 256,
      timeout: Duration.seconds(10),
      bundling: props.bundling,
    });
    this.function = fn;
    props.grantSecrets(role);
    grantTables(role, props.tables, TABLE_ACCESS.admin);
    // Query on exactly the indexes the console reads (index ARNs: the table's own ARN does not cover them).
    const indexArns = TABLES.flatMap((def) =>
      def.role === 'mau' ? [] : def.globalSecondaryIndexes.map((gsi) => `${props.tables[def.role].tableArn}/index/${gsi.indexName}`),
    );
    iam.Grant.addToPrincipal({ grantee: role, actions: ['dynamodb:Query'], resourceArns: indexArns });

    this.functionUrl = fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    this.origin = origins.FunctionUrlOrigin.withOriginAccessControl(this.functionUrl, { readTimeout: Duration.seconds(12) });
    // An existing distribution (EdgeOAuthExistingDistribution, `edge-oauth attach`) gets /auth/callback and /auth/*
    // only: a console nobody can reach is refused at synth rather than deployed.
    this.node.addValidation({
      validate: () =>
        this.attached
          ? []
          : [`${this.node.path}: config.admin.emails is set, but no distribution has the ${ADMIN_PATH_PATTERN} behaviour: use EdgeOAuth.addAuthBehaviors(distribution) (edge-oauth attach does not add it), or remove admin.emails`],
    });
  }

  private attached = false;

  /**
   * The `/auth/admin*` behaviour (add it before `/auth/*`): `common` as the other auth
   * behaviours, every method, and the viewer function with "include body", so that it can
   * hash a POST body for OAC (lambdas/core/viewer/admin-forward.ts).
   */
  addBehavior(distribution: cloudfront.Distribution, common: cloudfront.AddBehaviorOptions): void {
    const edgeLambdas = (common.edgeLambdas ?? []).map((l) => ({ ...l, includeBody: true }));
    distribution.addBehavior(ADMIN_PATH_PATTERN, this.origin, { ...common, edgeLambdas, allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL });
    this.attached = true;
  }
}
