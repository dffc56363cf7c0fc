/**
 * What every deployed function runs on: the baked config's secrets, stores and providers.
 * (The edge, the callback and the API authorizer differ only in their handler.) The local
 * stack (local/stack/stack.ts) runs the same wiring, with `DeployedOverrides` pointing it at the
 * local peers.
 *
 * The session key set and (with `aws.replicaRegions`, global tables) the tables are used in
 * the nearest copy: the region running this container (`AWS_REGION`; Lambda@Edge runs in
 * the regional edge cache serving the viewer) when it holds one, else the nearest
 * (lambdas/store/global/regions.ts), else the primary; writes that need one region go to the
 * primary (lambdas/store/global/regional.ts). The client secrets are not replicated
 * (lib/edge-oauth-data.ts) and are read in `config.aws.region`. The AWS clients are loaded on
 * first use, so building this costs nothing; the viewer's init then uses it on purpose
 * (`keys`, `prepareStores`: lambdas/runtime/viewer-init.ts).
 */
import { randomBytes } from 'node:crypto';
import type { EdgeConfig } from '../core/config/types';
import { createProviders } from '../core/providers';
import type { RequestLogger } from '../core/request-events';
import { consoleLogger } from './console-logger';
import { DYNAMODB_TIMEOUTS, type AwsCredentials, type DynamoTimeouts } from '../store/aws/clients';
import { dynamoStores, tableRegions } from '../store/stores';
import { nearestRegion, secretIdInRegion } from '../store/global/regions';
import { createSecretReader, keySetLoader } from '../store/aws/secrets';

/** What differs between a deployed container and the local stack; every default is the deployed one. */
export interface DeployedOverrides {
  /** Regions holding the key set, primary first (the baked `__EDGE_OAUTH_KEY_SET_REGIONS__`). @default [config.aws.region, ...config.aws.replicaRegions] */
  readonly keySetRegions?: readonly string[];
  /** The region running this container (`AWS_REGION`). @default - the key set's primary region */
  readonly region?: string;
  /** DynamoDB endpoint, e.g. DynamoDB Local. @default - AWS */
  readonly dynamodbEndpoint?: string;
  /** DynamoDB endpoint per region (the multi-region simulation, local/emulators/dynamodb/multi-region.ts). @default - AWS */
  readonly dynamodbEndpoints?: Readonly<Record<string, string>>;
  /** Secrets Manager endpoint, e.g. the local one. @default - AWS */
  readonly secretsManagerEndpoint?: string;
  /** Static credentials for both clients (the local peers check none, but the SDK must sign). @default - the SDK's default chain */
  readonly credentials?: AwsCredentials;
  /** @default DYNAMODB_TIMEOUTS */
  readonly dynamoTimeouts?: DynamoTimeouts;
  /** How long a secret is cached. @default - 5 minutes (lambdas/store/aws/secrets.ts) */
  readonly secretCacheTtlMs?: number;
  /** Wall clock in ms. @default Date.now */
  readonly clock?: () => number;
  /** The providers' back-channel fetch. @default globalThis.fetch */
  readonly fetch?: typeof globalThis.fetch;
  /** `null`: no request log. @default consoleLogger */
  readonly log?: RequestLogger | null;
}

export function deployedDeps(config: EdgeConfig, overrides: DeployedOverrides = {}) {
  const keySetRegion = nearestRegion(overrides.region, overrides.keySetRegions ?? tableRegions(config));
  const secretsIn = (region: string) =>
    createSecretReader({
      region,
      ...(overrides.secretsManagerEndpoint !== undefined && { endpoint: overrides.secretsManagerEndpoint }),
      ...(overrides.credentials !== undefined && { credentials: overrides.credentials }),
      ...(overrides.secretCacheTtlMs !== undefined && { cacheTtlMs: overrides.secretCacheTtlMs }),
    });
  const readSecret = secretsIn(config.aws.region);
  const readKeySetSecret = keySetRegion === config.aws.region ? readSecret : secretsIn(keySetRegion);
  const stores = dynamoStores(
    config,
    {
      ...(overrides.dynamodbEndpoint !== undefined && { dynamodb: overrides.dynamodbEndpoint }),
      ...(overrides.dynamodbEndpoints !== undefined && { dynamodbByRegion: overrides.dynamodbEndpoints }),
      ...(overrides.credentials !== undefined && { credentials: overrides.credentials }),
    },
    overrides.dynamoTimeouts ?? DYNAMODB_TIMEOUTS,
    overrides.region,
  );
  const clock = overrides.clock ?? Date.now;
  const log = overrides.log === undefined ? consoleLogger : overrides.log;
  return {
    config,
    keys: keySetLoader(readKeySetSecret, secretIdInRegion(config.aws.sessionKeysSecretId, keySetRegion)),
    providers: createProviders(config, {
      fetch: overrides.fetch ?? globalThis.fetch,
      now: () => Math.floor(clock() / 1000),
      readSecret,
      // A provider's notice (GitHub's SAML SSO partial results...): logged like a failure, by code.
      onNotice: (code, detail) => log?.error('provider', { name: 'ProviderNotice', code, message: detail }),
    }),
    random: randomBytes,
    clock,
    sessions: stores.sessions,
    users: stores.users,
    mau: stores.mau,
    signIns: stores.signIns,
    /** Gets the stores a signed-in request checks with, and their connections, ready now (the viewer's init: lambdas/runtime/viewer-init.ts). */
    prepareStores: stores.prepare,
    ...(log !== null && { log }),
  };
}
