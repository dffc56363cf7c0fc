/**
 * Where an operator command talks to AWS, for the DynamoDB commands (store-options.ts) and the
 * key commands (keys-command.ts) alike: the config file (`--config`, else ./edge-oauth.config.jsonc
 * if present), the region (`--region`, else the config's aws.region, else AWS_REGION, else
 * us-east-1), the endpoint, and the SDK client options for them.
 */
import { existsSync } from 'node:fs';
import { ConfigError, loadConfigFile } from '../lib/config-file';
import type { EdgeConfig } from '../lambdas/core/config/types';
import { CliError } from '../lambdas/core/errors';
import type { AwsCredentials } from '../lambdas/store/aws/clients';

/** The config file read when `--config` is not given (if it exists in the current directory). */
export const DEFAULT_CONFIG_FILE = 'edge-oauth.config.jsonc';
const LOOPBACK = /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\/?$/i;
/** The local stack's peers check no signature, but the SDK must sign with something. */
const LOOPBACK_CREDENTIALS: AwsCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface AwsTargetOptions {
  readonly region?: string;
  readonly config?: string;
}

export interface AwsTarget {
  /** The config file read, if there was one. */
  readonly config?: EdgeConfig;
  readonly region: string;
  readonly endpoint?: string;
  /** `<region>` or `<region> (endpoint <url>)`, for messages. */
  readonly where: string;
  /**
   * Given only for a loopback endpoint when AWS_ACCESS_KEY_ID is not set.
   * @default - the SDK's default provider chain
   */
  readonly credentials?: AwsCredentials;
}

export function resolveAwsTarget(options: AwsTargetOptions, endpoint: string | undefined): AwsTarget {
  const file = options.config ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  let config: EdgeConfig | undefined;
  if (file !== undefined) {
    try {
      config = loadConfigFile(file);
    } catch (error) {
      if (error instanceof ConfigError) throw new CliError(error.message);
      throw error;
    }
  }
  const region = options.region ?? config?.aws.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const local = endpoint !== undefined && LOOPBACK.test(endpoint) && process.env.AWS_ACCESS_KEY_ID === undefined;
  return {
    ...(config !== undefined && { config }),
    region,
    ...(endpoint !== undefined && { endpoint }),
    where: `${region}${endpoint !== undefined ? ` (endpoint ${endpoint})` : ''}`,
    ...(local && { credentials: LOOPBACK_CREDENTIALS }),
  };
}

/** Options for a DynamoDB or Secrets Manager client: two attempts, and timeouts (milliseconds) that throw. */
export function clientOptions(target: AwsTarget, timeouts: { readonly connectionTimeout: number; readonly requestTimeout: number }) {
  return {
    region: target.region,
    maxAttempts: 2,
    // Without throwOnRequestTimeout the SDK only logs a warning when requestTimeout passes.
    requestHandler: { connectionTimeout: timeouts.connectionTimeout, requestTimeout: timeouts.requestTimeout, throwOnRequestTimeout: true },
    ...(target.endpoint !== undefined && { endpoint: target.endpoint }),
    ...(target.credentials !== undefined && { credentials: target.credentials }),
  };
}
