/**
 * What edge-oauth's three functions (viewer-request, callback, API Gateway authorizer) have
 * in common: the bundle (local esbuild, the resolved config baked in with `define`, since
 * Lambda@Edge has no environment variables), the Node.js runtime of lib/runtime.ts, x86_64,
 * one role per function, and where the logs go.
 */
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EdgeConfig } from '../lambdas/core/config/types';
import { acknowledgeEdgeLogFindings, acknowledgeFunctionFindings } from './nag';
import { ESBUILD_TARGET, LAMBDA_RUNTIME } from './runtime';
import { ESM_REQUIRE_BANNER, VIEWER_SDK_ALIASES } from './viewer-aliases';

/** The globals esbuild replaces in the function bundles (`define`). */
export const BAKED_GLOBALS = {
  /** The resolved EdgeConfig (JSON object literal). */
  config: '__EDGE_OAUTH_CONFIG__',
  /**
   * The regions where the session key set secret can be read, primary first
   * (`[config.aws.region, ...config.aws.replicaRegions]`). The viewer-request function reads
   * from the executing region (`AWS_REGION`) when it is in this list, else from the first.
   */
  keySetRegions: '__EDGE_OAUTH_KEY_SET_REGIONS__',
} as const;

/** Lambda@Edge limits for a viewer-request function (CloudFront quotas). */
export const VIEWER_REQUEST_LIMITS = { memoryMiB: 128, timeoutSeconds: 5, zippedBytes: 1024 * 1024 } as const;

/** This package's root: the default handler sources and the lock file are found from it. */
export const PROJECT_ROOT = path.join(__dirname, '..');

/**
 * A handler of this package, for esbuild at synth: the `.ts` source in this repository; in the
 * package installed from npm (dist/, the same path), the compiled `.js`, or `.mjs` for an
 * entry that is an ES module (the viewer's, which awaits at its top level: `npm run build`
 * writes it with esbuild, since tsc's CommonJS output cannot hold a top-level `await`).
 */
export function packageEntry(pathWithoutExtension: string): string {
  const candidates = ['.ts', '.mjs', '.js'].map((ext) => path.join(PROJECT_ROOT, `${pathWithoutExtension}${ext}`));
  return candidates.find((file) => fs.existsSync(file)) ?? candidates[2]!;
}

/**
 * Where NodejsFunction finds the lock file and the project root: this repository's; in the
 * package installed from npm (no lock file inside), the app's, which CDK finds by walking up
 * from the working directory.
 */
export function lockFileOptions(): { projectRoot?: string; depsLockFilePath?: string } {
  const lock = path.join(PROJECT_ROOT, 'package-lock.json');
  return fs.existsSync(lock) ? { projectRoot: PROJECT_ROOT, depsLockFilePath: lock } : {};
}

/** The bundling options of edge-oauth's functions: the config and the key set regions baked in (`BAKED_GLOBALS`). */
export function functionBundling(config: EdgeConfig, keySetRegions: readonly string[]): BundlingOptions {
  // `monitoring` is for the deploy only (lib/monitoring.ts): the alarm e-mail stays out of the zips.
  const { monitoring: _deployOnly, ...baked } = config;
  return {
    target: ESBUILD_TARGET,
    format: OutputFormat.CJS,
    minify: true,
    sourceMap: false,
    // The runtime provides AWS SDK v3; bundling it would cost the viewer bundle ~100s of KB.
    externalModules: ['@aws-sdk/*'],
    define: {
      [BAKED_GLOBALS.config]: JSON.stringify(baked),
      [BAKED_GLOBALS.keySetRegions]: JSON.stringify(keySetRegions),
    },
    // No license banners in the Lambda@Edge zip.
    esbuildArgs: { '--legal-comments': 'none' },
  };
}

export interface EdgeOAuthFunctionProps {
  readonly description: string;
  /** Source of the handler (exports `handler`). */
  readonly entry: string;
  readonly role: iam.IRole;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly bundling: BundlingOptions;
  /** @default - none: Lambda's own `/aws/lambda/<name>` (Lambda@Edge: one per region it runs in) */
  readonly logGroup?: logs.ILogGroup;
  readonly currentVersionOptions?: lambda.VersionOptions;
}

/** A NodejsFunction with the settings every edge-oauth function shares, its cdk-nag findings acknowledged. */
export function edgeOAuthFunction(scope: Construct, id: string, props: EdgeOAuthFunctionProps): NodejsFunction {
  return new NodejsFunction(scope, id, {
    description: props.description,
    entry: props.entry,
    handler: 'handler',
    runtime: LAMBDA_RUNTIME,
    architecture: lambda.Architecture.X86_64, // Lambda@Edge runs x86_64 only
    memorySize: props.memorySize,
    timeout: props.timeout,
    role: props.role,
    ...(props.logGroup !== undefined && { logGroup: props.logGroup }),
    ...lockFileOptions(),
    awsSdkConnectionReuse: false, // would add an environment variable on old runtimes
    bundling: props.bundling,
    ...(props.currentVersionOptions !== undefined && { currentVersionOptions: props.currentVersionOptions }),
  });
}

export interface RegionalFunctionProps extends Omit<EdgeOAuthFunctionProps, 'role' | 'logGroup' | 'currentVersionOptions'> {
  /** The construct ids of the role, the log group and the function (part of the contract: they make the logical ids). */
  readonly ids: { readonly role: string; readonly logs: string; readonly function: string };
  readonly roleDescription: string;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * A regional function (callback, authorizer): its own role (no managed policy), its own log
 * group (retention `logRetention`, destroyed with the stack) that only it may write to.
 */
export function regionalFunction(scope: Construct, props: RegionalFunctionProps): { fn: NodejsFunction; role: iam.Role } {
  const { ids, roleDescription, logRetention, ...fnProps } = props;
  const role = new iam.Role(scope, ids.role, {
    description: roleDescription,
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  });
  const logGroup = new logs.LogGroup(scope, ids.logs, {
    retention: logRetention ?? logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
  const fn = edgeOAuthFunction(scope, ids.function, { ...fnProps, role, logGroup });
  acknowledgeFunctionFindings(fn);
  return { fn, role };
}

export interface ViewerRequestFunctionProps {
  readonly description: string;
  readonly entry: string;
  readonly bundling: BundlingOptions;
}

/**
 * The viewer's bundle: an ES module (`index.mjs`), so that Lambda's init waits for its
 * top-level `await` (lambdas/edge/index.ts, lambdas/runtime/viewer-init.ts), with
 * `ESM_REQUIRE_BANNER`; the small AWS clients in place of the SDK's (lib/viewer-aliases.ts;
 * esbuild's `--alias`). The other functions stay CommonJS.
 */
export function viewerBundling(bundling: BundlingOptions): BundlingOptions {
  const aliases = Object.fromEntries(Object.entries(VIEWER_SDK_ALIASES).map(([pkg, file]) => [`--alias:${pkg}`, file]));
  return { ...bundling, format: OutputFormat.ESM, banner: ESM_REQUIRE_BANNER, esbuildArgs: { ...bundling.esbuildArgs, ...aliases } };
}

/**
 * The viewer-request function (Lambda@Edge): role `ViewerRequestRole` (assumed by Lambda and
 * Lambda@Edge), function `ViewerRequestFunction` within `VIEWER_REQUEST_LIMITS`, old versions
 * retained, and the policy `ViewerRequestLogs` for the log groups Lambda@Edge writes in each region.
 */
export function viewerRequestFunction(scope: Construct, props: ViewerRequestFunctionProps): { fn: NodejsFunction; role: iam.Role } {
  const role = new iam.Role(scope, 'ViewerRequestRole', {
    description: 'edge-oauth viewer-request function (Lambda@Edge)',
    // Lambda@Edge assumes the role as edgelambda.amazonaws.com in every region.
    assumedBy: new iam.CompositePrincipal(new iam.ServicePrincipal('lambda.amazonaws.com'), new iam.ServicePrincipal('edgelambda.amazonaws.com')),
  });
  const fn = edgeOAuthFunction(scope, 'ViewerRequestFunction', {
    ...props,
    bundling: viewerBundling(props.bundling),
    memorySize: VIEWER_REQUEST_LIMITS.memoryMiB,
    timeout: Duration.seconds(VIEWER_REQUEST_LIMITS.timeoutSeconds),
    role,
    // A replicated version cannot be deleted for hours after its last use: keep old
    // versions instead of failing the update's cleanup.
    currentVersionOptions: { removalPolicy: RemovalPolicy.RETAIN },
  });

  // Lambda@Edge writes logs in the region that ran it, to /aws/lambda/us-east-1.<name>.
  // A separate policy (not the role's default policy) so that the function's name can be
  // used without a dependency cycle (the function depends on its role's default policy).
  const edgeLogGroupArn = (region: string) =>
    `arn:${Aws.PARTITION}:logs:${region}:${Aws.ACCOUNT_ID}:log-group:/aws/lambda/us-east-1.${fn.functionName}`;
  const edgeLogs = new iam.Policy(scope, 'ViewerRequestLogs', {
    roles: [role],
    statements: [
      new iam.PolicyStatement({ actions: ['logs:CreateLogGroup'], resources: [edgeLogGroupArn('*')] }),
      new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${edgeLogGroupArn('*')}:log-stream:*`] }),
    ],
  });
  acknowledgeEdgeLogFindings(edgeLogs, fn);
  acknowledgeFunctionFindings(fn);
  return { fn, role };
}
