/** AWS clients for the deployed functions, the local stack and the CLI (endpoint override). */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface AwsEndpoints {
  /** DynamoDB endpoint, e.g. the local stack's DynamoDB Local. @default - AWS */
  readonly dynamodb?: string;
  /** DynamoDB endpoint per region (a local multi-region simulation); wins over `dynamodb`. @default - AWS */
  readonly dynamodbByRegion?: Readonly<Record<string, string>>;
  /** Secrets Manager endpoint. @default - AWS */
  readonly secretsManager?: string;
  /** Region override (e.g. the nearest secret replica). @default config.aws.region */
  readonly region?: string;
  /** Static credentials, e.g. the local peers' dummy ones. @default - the SDK's default provider chain */
  readonly credentials?: AwsCredentials;
}

/** An access key pair for an SDK client's `credentials` option. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface DynamoTimeouts {
  /** Milliseconds to open a connection (per attempt). */
  readonly connectionTimeout: number;
  /** Milliseconds for a whole request and its response (per attempt). */
  readonly requestTimeout: number;
  /** Milliseconds for one call in all, retries and backoff included (an `abortSignal` on every `send`). */
  readonly deadlineMs: number;
}

/**
 * Bounds of every DynamoDB call: a viewer-request function has 5 s in all (Lambda@Edge
 * quotas: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-lambda-at-edge),
 * and a hung connection must become a store failure (grace, then edge-oauth's 503 page),
 * not a Lambda timeout that CloudFront answers with its own 503. Two attempts of
 * `requestTimeout` alone could take 3 s plus backoff; the deadline ends a call at 2 s, so a
 * cold start's key-set read (SECRETS_MANAGER_TIMEOUTS.deadlineMs, 2 s) and one due check
 * fit in the budget with a second to spare.
 */
export const DYNAMODB_TIMEOUTS: DynamoTimeouts = { connectionTimeout: 1000, requestTimeout: 1500, deadlineMs: 2000 };

type Send = (command: unknown, options?: { abortSignal?: AbortSignal }) => Promise<unknown>;

/**
 * Every `send` on this client gets an `abortSignal` that fires after `deadlineMs`, unless the
 * caller passed its own. One place for every store (sessions, users, MAU, sign-in records),
 * so no call can be added without the bound. The SDK's `send(command, { abortSignal })` is
 * the documented way to abort a call (@smithy/smithy-client `Client.send`).
 */
export function withCallDeadline<C extends { send: unknown }>(client: C, deadlineMs: number): C {
  const send = (client.send as Send).bind(client);
  const bounded: Send = (command, options) => send(command, { abortSignal: AbortSignal.timeout(deadlineMs), ...options });
  (client as { send: unknown }).send = bounded;
  return client;
}

/**
 * A DynamoDB client per region, the SDK loaded on first use, bounded by `timeouts`, at
 * `endpoints` (the local stack's DynamoDB Local) or AWS: the `clientIn` of openStores
 * (lambdas/store/stores.ts).
 */
export function dynamoClients(endpoints: AwsEndpoints = {}, timeouts: DynamoTimeouts = DYNAMODB_TIMEOUTS): (region: string) => Promise<DynamoDBClient> {
  return async (region) => {
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const endpoint = endpoints.dynamodbByRegion?.[region] ?? endpoints.dynamodb;
    const client = new DynamoDBClient({
      region,
      maxAttempts: 2,
      // Without throwOnRequestTimeout the SDK only logs a warning when requestTimeout passes.
      requestHandler: { connectionTimeout: timeouts.connectionTimeout, requestTimeout: timeouts.requestTimeout, throwOnRequestTimeout: true },
      ...(endpoint !== undefined && { endpoint }),
      ...(endpoints.credentials !== undefined && { credentials: endpoints.credentials }),
    });
    return withCallDeadline(client, timeouts.deadlineMs);
  };
}
