/** The deployed callback function (regional Lambda behind a function URL). Config baked in at synth, like the edge. */
import { randomBytes } from 'node:crypto';
import type { EdgeConfig } from '../core/config/types';
import { createProviders } from '../core/providers';
import { consoleLogger } from '../core/request-log';
import { dynamoStores } from '../store/aws';
import { createSecretReader, keySetLoader } from '../store/secrets';
import { createCallbackHandler } from './handler';

declare const __EDGE_OAUTH_CONFIG__: EdgeConfig;

const config = __EDGE_OAUTH_CONFIG__;
const readSecret = createSecretReader({ region: config.aws.region });

const stores = dynamoStores(config);

export const handler = createCallbackHandler({
  config,
  keys: keySetLoader(readSecret, config.aws.sessionKeysSecretId),
  providers: createProviders(config.providers, {
    fetch: globalThis.fetch,
    now: () => Math.floor(Date.now() / 1000),
    readSecret,
  }),
  sessions: stores.sessions,
  signIns: stores.signIns,
  random: randomBytes,
  log: consoleLogger,
});
