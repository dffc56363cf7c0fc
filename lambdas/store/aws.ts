/** AWS clients for the deployed functions, the local stack and the CLI (endpoint override). */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EdgeConfig } from '../core/config/types';
import type { MauStore, SessionStore, SignInStore, UserStore } from '../core/stores';
import { lazyLoader, lazyMauStore, lazySessionStore, lazySignInStore, lazyUserStore } from './lazy';

export interface AwsEndpoints {
  /** DynamoDB endpoint, e.g. the local stack's DynamoDB Local. @default - AWS */
  readonly dynamodb?: string;
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

export interface DynamoStores {
  readonly sessions: SessionStore;
  readonly users: UserStore;
  readonly mau: MauStore;
  readonly signIns: SignInStore;
}

export interface DynamoTimeouts {
  /** Milliseconds to open a connection. */
  readonly connectionTimeout: number;
  /** Milliseconds for a whole request and its response. */
  readonly requestTimeout: number;
}

/**
 * Timeouts for every DynamoDB call: a viewer-request function has 5 s in all, and a hung
 * connection must become a store failure (grace, then the 503 page), not a Lambda timeout.
 */
export const DYNAMODB_TIMEOUTS: DynamoTimeouts = { connectionTimeout: 1000, requestTimeout: 1500 };

/** The four stores on one DynamoDB client, created (with the SDK loaded) on first use. */
export function dynamoStores(config: EdgeConfig, endpoints: AwsEndpoints = {}, timeouts: DynamoTimeouts = DYNAMODB_TIMEOUTS): DynamoStores {
  const client = lazyLoader(async (): Promise<DynamoDBClient> => {
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    return new DynamoDBClient({
      region: config.aws.region,
      maxAttempts: 2,
      // Without throwOnRequestTimeout the SDK only logs a warning when requestTimeout passes.
      requestHandler: { ...timeouts, throwOnRequestTimeout: true },
      ...(endpoints.dynamodb !== undefined && { endpoint: endpoints.dynamodb }),
      ...(endpoints.credentials !== undefined && { credentials: endpoints.credentials }),
    });
  });
  const tables = config.aws.tables;
  return {
    sessions: lazySessionStore(async () => new (await import('./dynamodb-sessions')).DynamoSessionStore({ tableName: tables.sessions, client: await client() })),
    users: lazyUserStore(async () => new (await import('./dynamodb-users')).DynamoUserStore({ tableName: tables.users, client: await client() })),
    mau: lazyMauStore(async () => new (await import('./dynamodb-mau')).DynamoMauStore({ tableName: tables.mau, client: await client() })),
    signIns: lazySignInStore(async () => new (await import('./dynamodb-sign-in')).DynamoSignInStore({ tables, client: await client() })),
  };
}
