/** A viewer-request handler for a config, with no network (discovery served from memory): issue #25's tests. */
import { randomBytes } from 'node:crypto';
import { createProviders } from '../../lambdas/core/providers';
import { createViewerHandler } from '../../lambdas/edge/handler';
import { TEST_DISCOVERY, testConfig, testKeys } from '../core/fixtures';

export const keys = testKeys();
const NOW = 1_800_000_000_000;

export function viewerFor(overrides: Record<string, unknown> = {}) {
  const config = testConfig(overrides);
  const fetch = (async (url: string | URL) => {
    if (String(url).endsWith('/.well-known/openid-configuration')) return Response.json({ ...TEST_DISCOVERY, issuer: String(url).replace('/.well-known/openid-configuration', '') });
    throw new Error(`unexpected network call: ${String(url)}`);
  }) as typeof globalThis.fetch;
  const providers = createProviders(config, { fetch, now: () => NOW / 1000, readSecret: async () => 'secret' });
  return { config, handler: createViewerHandler({ config, keys: async () => keys, providers, random: randomBytes, clock: () => NOW }) };
}

