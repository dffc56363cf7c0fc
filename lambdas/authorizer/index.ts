/**
 * The deployed API Gateway authorizer (regional Lambda, the EdgeOAuth stack's region).
 * Config baked in at synth, like the edge and the callback; secrets read from Secrets
 * Manager at first use and cached. The session key set is read from the copy in this
 * region (`AWS_REGION`) when it is replicated here, else the primary, as the edge does; the
 * client secrets (continuous authorization) in `config.aws.region`.
 */
import { randomBytes } from 'node:crypto';
import type { EdgeConfig } from '../core/config/types';
import { createProviders } from '../core/providers';
import { consoleLogger } from '../core/request-log';
import { dynamoStores } from '../store/aws';
import { nearestRegion, secretIdInRegion } from '../store/regions';
import { createSecretReader, keySetLoader } from '../store/secrets';
import { createAuthorizerHandler } from './handler';

declare const __EDGE_OAUTH_CONFIG__: EdgeConfig;
/** Regions holding the key set, primary first (lib/edge-oauth.ts BAKED_GLOBALS.keySetRegions). Not defined in bundles made without it. */
declare const __EDGE_OAUTH_KEY_SET_REGIONS__: readonly string[] | undefined;

const config = __EDGE_OAUTH_CONFIG__;
const keySetRegions = typeof __EDGE_OAUTH_KEY_SET_REGIONS__ === 'undefined' ? [config.aws.region] : __EDGE_OAUTH_KEY_SET_REGIONS__;
const keySetRegion = nearestRegion(process.env.AWS_REGION, keySetRegions);

const readSecret = createSecretReader({ region: config.aws.region });
const readKeySetSecret = keySetRegion === config.aws.region ? readSecret : createSecretReader({ region: keySetRegion });

const stores = dynamoStores(config);

export const handler = createAuthorizerHandler({
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
  log: consoleLogger,
});
