/** The options of `EdgeOAuth` (lib/edge-oauth.ts). */
import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { EdgeConfig } from '../lambdas/core/config/types';

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
   * Source of the viewer-request handler (exports `handler`). It is bundled as an ES module
   * (`index.mjs`, so that Lambda's init waits for a top-level `await`): export the handler as
   * an ES export (`export const handler = ...`), not through `module.exports`.
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
  /** The admin console's handler source (config `admin.emails`). @default - lambdas/admin/index.ts */
  readonly adminEntry?: string;
  /**
   * Add the CloudWatch dashboard and alarms (lib/monitoring.ts; the config's `monitoring` section
   * says which and where alarms notify).
   * @default true
   */
  readonly monitoring?: boolean;
}
