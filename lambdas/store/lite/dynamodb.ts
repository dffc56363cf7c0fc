/**
 * The part of `@aws-sdk/client-dynamodb` the stores use (lambdas/store/dynamodb/, lambdas/store/global/), on the
 * small signed-request client (aws-json.ts). The viewer-request bundle is built with this
 * module in place of the SDK package (esbuild `alias`: lib/functions.ts, bench/bundle.ts),
 * so the viewer's first request loads no SDK; the callback, the console and the CLI keep the
 * SDK. The stores' code is the same in both: test/store/lite/dynamodb.test.ts runs the
 * store contracts on DynamoDB Local through this module.
 *
 * Wire format: DynamoDB's JSON protocol takes and gives attribute values in the shape the
 * SDK's inputs and outputs have (`{"S": "..."}`, `{"N": "5"}`, `{"SS": [...]}`), so inputs
 * are sent as they are. Binary values (`B`, `BS`) would need base64 and are not supported
 * (the stores write none).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.LowLevelAPI.html
 */
import { AwsJsonClient, AwsServiceError, type AwsJsonClientConfig } from './aws-json';

const PROTOCOL = { service: 'dynamodb', targetPrefix: 'DynamoDB_20120810', contentType: 'application/x-amz-json-1.0', endpointEnv: 'DYNAMODB' } as const;

interface Command {
  readonly input: unknown;
}

function command(operation: string) {
  return class {
    static readonly operation = operation;
    constructor(readonly input: Record<string, unknown>) {}
  };
}

export const GetItemCommand = command('GetItem');
export const PutItemCommand = command('PutItem');
export const UpdateItemCommand = command('UpdateItem');
export const QueryCommand = command('Query');
export const ScanCommand = command('Scan');
export const TransactWriteItemsCommand = command('TransactWriteItems');

/** The SDK's error classes the stores test with `instanceof`: what the service names so is made one of these. */
export class ConditionalCheckFailedException extends AwsServiceError {}
export class TransactionCanceledException extends AwsServiceError {}
const MODELED: Record<string, typeof AwsServiceError> = { ConditionalCheckFailedException, TransactionCanceledException };

export class DynamoDBClient {
  readonly #client: AwsJsonClient;

  constructor(config: AwsJsonClientConfig) {
    this.#client = new AwsJsonClient(PROTOCOL, config);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- stands in for the SDK's typed outputs: callers are typed against the real SDK, this is swapped in at bundling (lib/viewer-aliases.ts)
  async send(cmd: Command, options: { abortSignal?: AbortSignal } = {}): Promise<any> {
    // This module's commands name their operation; another `XxxCommand` with an `input` (an
    // SDK command, e.g. the local stack's CreateTable) is sent as operation `Xxx`.
    const operation = (cmd.constructor as { operation?: string }).operation ?? /^(\w+)Command$/.exec(cmd.constructor.name)?.[1];
    if (operation === undefined) throw new TypeError('DynamoDBClient (lite): not a command');
    try {
      return await this.#client.call(operation, cmd.input, options.abortSignal);
    } catch (error) {
      const Modeled = error instanceof AwsServiceError ? MODELED[error.name] : undefined;
      if (Modeled === undefined) throw error;
      const e = error as AwsServiceError;
      throw new Modeled(e.name, e.message, e.$metadata.httpStatusCode, { ...e });
    }
  }

  /** See AwsJsonClient.preconnect (not in the SDK: callers test for it). */
  preconnect(count: number): Promise<void> {
    return this.#client.preconnect(count);
  }

  destroy(): void {
    this.#client.destroy();
  }
}
