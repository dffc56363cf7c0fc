/**
 * What every deployed function runs on: the baked config's secrets, stores and providers.
 * (The edge, the callback and the API authorizer differ only in their handler.)
 *
 * The session key set is read from the nearest copy: the region running this container
 * (`AWS_REGION`; Lambda@Edge runs in the regional edge cache serving the viewer) when the
 * key set is replicated there, else the primary. The client secrets are not replicated
 * (lib/edge-oauth-data.ts) and are read in `config.aws.region`. The AWS SDK is loaded on
 * first use, so none of this costs anything at init.
 */
import { randomBytes } from 'node:crypto';
import type { EdgeConfig } from '../core/config/types';
import { createProviders } from '../core/providers';
import { consoleLogger } from './console-logger';
import { dynamoStores } from '../store/aws';
import { nearestRegion, secretIdInRegion } from '../store/regions';
import { createSecretReader, keySetLoader } from '../store/secrets';

/** Regions holding the key set, primary first (lib/functions.ts BAKED_GLOBALS.keySetRegions). Not defined in bundles made without it. */
declare const __EDGE_OAUTH_KEY_SET_REGIONS__: readonly string[] | undefined;

export function deployedDeps(config: EdgeConfig) {
  const keySetRegions = typeof __EDGE_OAUTH_KEY_SET_REGIONS__ === 'undefined' ? [config.aws.region] : __EDGE_OAUTH_KEY_SET_REGIONS__;
  const keySetRegion = nearestRegion(process.env.AWS_REGION, keySetRegions);
  const readSecret = createSecretReader({ region: config.aws.region });
  const readKeySetSecret = keySetRegion === config.aws.region ? readSecret : createSecretReader({ region: keySetRegion });
  const stores = dynamoStores(config);
  return {
    config,
    keys: keySetLoader(readKeySetSecret, secretIdInRegion(config.aws.sessionKeysSecretId, keySetRegion)),
    providers: createProviders(config.providers, {
      fetch: globalThis.fetch,
      now: () => Math.floor(Date.now() / 1000),
      readSecret,
    }),
    random: randomBytes,
    sessions: stores.sessions,
    users: stores.users,
    mau: stores.mau,
    signIns: stores.signIns,
    log: consoleLogger,
  };
}
