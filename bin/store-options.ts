/**
 * What the operator commands (users, sessions, mau) share: the `--region`, `--endpoint`,
 * `--config` and `--json` options, the stores they open, and clear messages for the
 * failures an operator meets (a table that does not exist, DynamoDB out of reach).
 */
import type { Command } from 'commander';
import { CliError, EdgeOAuthError } from '../lambdas/core/errors';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Stores } from '../lambdas/core/stores';
import { DYNAMODB_TIMEOUTS } from '../lambdas/store/aws/clients';
import { TableNotFoundError } from '../lambdas/store/dynamodb/attrs';
import { clientOptions, DEFAULT_CONFIG_FILE, resolveAwsTarget } from './aws-target';
import { printable, printableLines } from './printable';
import { openStores as openDynamoStores } from '../lambdas/store/stores';

/** Where the commands write: stdout/stderr by default, a buffer in tests. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** Every line the commands print goes through `printableLines` (bin/printable.ts). */
export const consoleIo: CliIo = safeIo({ out: (line) => console.log(line), err: (line) => console.error(line) });

/** `io` with every line made safe for a terminal; values inside lines are escaped where they are placed (`printable`). */
export function safeIo(io: CliIo): CliIo {
  return { out: (line) => io.out(printableLines(line)), err: (line) => io.err(printableLines(line)) };
}

/** A failure the operator can act on; printed as `edge-oauth: <message>` with exit code 1 (lambdas/core/errors.ts). */
export { CliError };

export { DEFAULT_CONFIG_FILE };
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

export interface OpenedStores extends Stores {
  /** `<region>` or `<region> (endpoint <url>)`, for messages. */
  readonly where: string;
  readonly tables: { sessions: string; users: string; mau: string };
  /** Closes the DynamoDB clients' connections (a command ends; tests run commands in-process). */
  close(): void;
}

/**
 * The stores from the one factory (lambdas/store/stores.ts): `--region` is the copy read;
 * with global tables (docs/multi-region.md) the writes that need one region go to the
 * config's primary. One `--endpoint` is one DynamoDB (Local): one client for every region.
 */
export function openStores(options: StoreOptions): OpenedStores {
  const target = resolveAwsTarget(options, options.endpoint);
  const tables = target.config !== undefined ? { ...target.config.aws.tables } : { ...DEFAULT_TABLES };
  const global = target.config !== undefined && target.config.aws.replicaRegions.length > 0;
  const clients = new Map<string, DynamoDBClient>();
  const clientIn = async (region: string): Promise<DynamoDBClient> => {
    const key = target.endpoint !== undefined ? target.region : region;
    const client = clients.get(key) ?? new DynamoDBClient(clientOptions({ ...target, region: key }, DYNAMODB_TIMEOUTS));
    clients.set(key, client);
    return client;
  };
  const site = { tables, primary: global ? target.config!.aws.region : target.region, near: target.region, global };
  return {
    ...openDynamoStores(site, clientIn),
    where: target.where,
    tables,
    close: () => clients.forEach((client) => client.destroy()),
  };
}

/** Runs a command body; store failures become messages that say what to check. */
export async function withStores<T>(options: StoreOptions, body: (stores: OpenedStores) => Promise<T>): Promise<T> {
  const stores = openStores(options);
  const where = stores.where;
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
export function renderTable(headers: readonly string[], rawRows: ReadonlyArray<readonly string[]>): string {
  // Cells come from providers and browsers (names, user agents): a newline or an escape
  // sequence in one must not break the table or reach the terminal.
  const rows = rawRows.map((r) => r.map(printable));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}
