/**
 * What the operator commands (users, sessions, mau) share: the `--region`, `--endpoint`,
 * `--config` and `--json` options, the stores they open, and clear messages for the
 * failures an operator meets (a table that does not exist, DynamoDB out of reach).
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { ConfigError, loadConfigFile } from '../lib/config-file';
import { CliError } from '../lambdas/core/errors';
import { EdgeOAuthError } from '../lambdas/core/errors';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { MauStore, SessionStore, UserStore } from '../lambdas/core/stores';
import { DYNAMODB_TIMEOUTS } from '../lambdas/store/aws';
import { TableNotFoundError } from '../lambdas/store/dynamodb-attrs';
import { DynamoMauStore } from '../lambdas/store/dynamodb-mau';
import { DynamoSessionStore } from '../lambdas/store/dynamodb-sessions';
import { DynamoUserStore } from '../lambdas/store/dynamodb-users';

/** Where the commands write: stdout/stderr by default, a buffer in tests. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export const consoleIo: CliIo = { out: (line) => console.log(line), err: (line) => console.error(line) };

/** A failure the operator can act on; printed as `edge-oauth: <message>` with exit code 1 (lambdas/core/errors.ts). */
export { CliError };

/** The config file read when `--config` is not given (if it exists in the current directory). */
export const DEFAULT_CONFIG_FILE = 'edge-oauth.config.jsonc';
const DEFAULT_TABLES = { sessions: 'edge-oauth-sessions', users: 'edge-oauth-users', mau: 'edge-oauth-mau' } as const;

export interface StoreOptions {
  readonly region?: string;
  readonly endpoint?: string;
  readonly config?: string;
  readonly json?: boolean;
}

/** Adds the shared options to a command. */
export function withStoreOptions(command: Command): Command {
  return command
    .option('--region <region>', 'AWS region of the tables (default: the config\'s aws.region, else AWS_REGION, else us-east-1)')
    .option('--endpoint <url>', 'DynamoDB endpoint, e.g. the local stack\'s DynamoDB Local (http://127.0.0.1:PORT)')
    .option('--config <file>', `config file with the table names (default: ./${DEFAULT_CONFIG_FILE} if present, else the default names)`)
    .option('--json', 'print JSON for scripts instead of a table');
}

export interface OpenedStores {
  readonly sessions: SessionStore;
  readonly users: UserStore;
  readonly mau: MauStore;
  readonly region: string;
  readonly endpoint?: string;
  readonly tables: { sessions: string; users: string; mau: string };
  /** Closes the DynamoDB client's connections (a command ends; tests run commands in-process). */
  close(): void;
}

const LOOPBACK = /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\/?$/i;

export function openStores(options: StoreOptions): OpenedStores {
  const file = options.config ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  let tables: OpenedStores['tables'] = { ...DEFAULT_TABLES };
  let configRegion: string | undefined;
  if (file !== undefined) {
    try {
      const config = loadConfigFile(file);
      tables = { ...config.aws.tables };
      configRegion = config.aws.region;
    } catch (error) {
      if (error instanceof ConfigError) throw new CliError(error.message);
      throw error;
    }
  }
  const region = options.region ?? configRegion ?? process.env.AWS_REGION ?? 'us-east-1';
  if (options.endpoint !== undefined && LOOPBACK.test(options.endpoint) && process.env.AWS_ACCESS_KEY_ID === undefined) {
    // DynamoDB Local checks no credentials, but the SDK must sign with something.
    process.env.AWS_ACCESS_KEY_ID = 'local';
    process.env.AWS_SECRET_ACCESS_KEY = 'local';
  }
  // The SDK loaded up front (the functions load it lazily; a command needs it at once).
  const client = new DynamoDBClient({
    region,
    maxAttempts: 2,
    requestHandler: { ...DYNAMODB_TIMEOUTS, throwOnRequestTimeout: true },
    ...(options.endpoint !== undefined && { endpoint: options.endpoint }),
  });
  return {
    sessions: new DynamoSessionStore({ tableName: tables.sessions, client }),
    users: new DynamoUserStore({ tableName: tables.users, client }),
    mau: new DynamoMauStore({ tableName: tables.mau, client }),
    region,
    tables,
    ...(options.endpoint !== undefined && { endpoint: options.endpoint }),
    close: () => client.destroy(),
  };
}

/** Runs a command body; store failures become messages that say what to check. */
export async function withStores<T>(options: StoreOptions, body: (stores: OpenedStores) => Promise<T>): Promise<T> {
  const stores = openStores(options);
  const where = `${stores.region}${stores.endpoint !== undefined ? ` (endpoint ${stores.endpoint})` : ''}`;
  try {
    return await body(stores);
  } catch (error) {
    if (error instanceof TableNotFoundError) {
      throw new CliError(`table "${error.table}" not found in ${where}. Check --region, --endpoint and the table names in --config.`);
    }
    if (error instanceof EdgeOAuthError && error.code === 'ERR_STORE_UNAVAILABLE') {
      throw new CliError(`cannot use DynamoDB in ${where}: ${error.message}. Check the endpoint, the region and your AWS credentials.`);
    }
    throw error;
  } finally {
    stores.close();
  }
}

/** Epoch seconds as `YYYY-MM-DD HH:MM:SS` (UTC), or `-`. */
export function formatTime(epochSeconds: number | undefined): string {
  if (epochSeconds === undefined) return '-';
  return new Date(epochSeconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

/** A plain-text table: a header row, then rows, columns padded to their widest cell. */
export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}
