/**
 * The CDK app behind `cdk synth` / `cdk deploy` (bin/app.ts), as a function so tests can
 * build it with their own context.
 *
 * Context (`-c key=value` or cdk.json "context"):
 * - `config`: the config file (JSONC). Else env EDGE_OAUTH_CONFIG, else
 *   `edge-oauth.config.example.jsonc`. Relative paths are from the working directory.
 * - `origin`: `s3` (new bucket, the default), `s3://<bucket>`, `https://<alb or host>[:port][/path]`,
 *   `http://<host>[:port][/path]`.
 * - `originRegion`: the region of the existing bucket of `origin=s3://<bucket>`. @default "us-east-1"
 * - `allowInsecureOrigin`: "true" to accept an `http://` origin (refused otherwise: identity
 *   headers in cleartext). A synth warning says so.
 * - `certificateArn`: ACM certificate (us-east-1) for `site.domain`.
 * - `secretReplicaRegions`: no longer accepted; the config's `aws.replicaRegions` replaces it
 *   (it replicates the key set and the tables: docs/multi-region.md).
 * - `stackName`: @default "EdgeOAuth" (the data stack, when needed, is "<stackName>-Data").
 * - `deletionProtection`: "false" to turn DynamoDB deletion protection off.
 * - `removalPolicy`: "destroy" to delete tables, secrets and the site bucket with the stack.
 * - `existingData`: "true" when the tables and secrets already exist (kept from an earlier
 *   deployment, or made elsewhere): they are referenced by their names in the config.
 * - `distributionId`: protect this existing CloudFront distribution instead of creating one
 *   (lib/existing-distribution-stack.ts, docs/existing-distribution.md); with `protect`
 *   (comma-separated path patterns, `*` = the default behaviour; default: all) and
 *   `attachAtDeploy` ("false": deploy the parts, attach with `edge-oauth attach` or your own tool).
 * - `nag`: "false" to skip the cdk-nag AwsSolutions checks (they run on every synth).
 *
 * The stack's region is always us-east-1 (Lambda@Edge); the account comes from the CLI's
 * credentials when there are any (CDK_DEFAULT_ACCOUNT) and stays generic otherwise, so
 * `cdk synth` works offline with no credentials.
 */
import { App, RemovalPolicy, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as path from 'node:path';
import { loadConfigFile } from './config-file';
import { SECRET_REPLICA_REGIONS_MOVED } from './global-tables';
import { EdgeOAuthDataStack, EdgeOAuthStack, parseSiteOrigin } from './edge-oauth-stack';
import { EdgeOAuthExistingDistributionStack } from './existing-distribution-stack';

export const DEFAULT_CONFIG_FILE = 'edge-oauth.config.example.jsonc';
/** Lambda@Edge functions are created in us-east-1, so is the stack that holds them. */
export const EDGE_REGION = 'us-east-1';

export interface CreateAppOptions extends AppProps {
  /** The process environment (EDGE_OAUTH_CONFIG, CDK_DEFAULT_ACCOUNT, CDK_DEFAULT_REGION). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Base for a relative config path. @default process.cwd() */
  readonly cwd?: string;
}

export function createApp(options: CreateAppOptions = {}): App {
  const { env = process.env, cwd = process.cwd(), ...appProps } = options;
  const app = new App(appProps);
  const ctx = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    return value === undefined || value === null || value === '' ? undefined : String(value);
  };

  const configFile = path.resolve(cwd, ctx('config') ?? env.EDGE_OAUTH_CONFIG ?? DEFAULT_CONFIG_FILE);
  const config = loadConfigFile(configFile);

  // A region given to the CLI (--region / AWS_REGION / profile) that is not us-east-1 is a
  // mistake worth stopping for: the stack would not be where Lambda@Edge needs it.
  const askedRegion = ctx('region');
  if (askedRegion !== undefined && askedRegion !== EDGE_REGION) {
    throw new Error(
      `edge-oauth: the stack must be deployed to ${EDGE_REGION} (Lambda@Edge), not "${askedRegion}". ` +
        'The tables and secrets go to config.aws.region; remove -c region or set it to us-east-1.',
    );
  }
  const account = env.CDK_DEFAULT_ACCOUNT;
  const stackName = ctx('stackName') ?? 'EdgeOAuth';
  const removalPolicy = ctx('removalPolicy')?.toLowerCase() === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
  const deletionProtection = ctx('deletionProtection') !== 'false';
  if (ctx('secretReplicaRegions') !== undefined) throw new Error(SECRET_REPLICA_REGIONS_MOVED('edge-oauth: -c secretReplicaRegions'));

  const existingData = ctx('existingData') === 'true';
  let dataStack: EdgeOAuthDataStack | undefined;
  if (config.aws.region !== EDGE_REGION && !existingData) {
    dataStack = new EdgeOAuthDataStack(app, `${stackName}-Data`, {
      env: { ...(account !== undefined && { account }), region: config.aws.region },
      description: `edge-oauth tables and secrets (${config.site.name})`,
      config,
      removalPolicy,
      deletionProtection,
    });
  }
  const common = {
    env: { ...(account !== undefined && { account }), region: EDGE_REGION },
    description: `edge-oauth: sign-in at the edge for ${config.site.name}`,
    config,
  };
  const distributionId = ctx('distributionId');
  if (distributionId !== undefined && (ctx('origin') !== undefined || ctx('certificateArn') !== undefined)) {
    throw new Error('edge-oauth: -c distributionId protects an existing distribution; its origins and certificate stay as they are: remove -c origin / -c certificateArn');
  }
  const protect = ctx('protect')?.split(',').map((p) => p.trim()).filter((p) => p !== '');
  const stack = distributionId !== undefined
    ? new EdgeOAuthExistingDistributionStack(app, stackName, {
        ...common,
        distributionId,
        ...(protect !== undefined && { protect }),
        attachAtDeploy: ctx('attachAtDeploy') !== 'false',
        auth: {
          removalPolicy,
          deletionProtection,
          ...(existingData && { createTables: false, createSecrets: false }),
        },
      })
    : new EdgeOAuthStack(app, stackName, {
        ...common,
        origin: parseSiteOrigin(ctx('origin'), ctx('originRegion')),
        allowInsecureOrigin: ctx('allowInsecureOrigin') === 'true',
        ...(ctx('certificateArn') !== undefined && { certificateArn: ctx('certificateArn')! }),
        removalPolicy,
        deletionProtection,
        ...(existingData && { createTables: false, createSecrets: false }),
      });
  if (dataStack !== undefined) stack.addStackDependency(dataStack, 'the tables and secrets exist before the functions use them');

  if (ctx('nag') !== 'false') Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}
