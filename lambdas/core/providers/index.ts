/**
 * The provider registry: one adapter file per provider type.
 */
import type { ProviderConfig, ProviderType, SecretRef } from '../config/types';
import { AmazonProvider } from './amazon';
import { FacebookProvider } from './facebook';
import { GitHubProvider } from './github';
import { GitLabProvider } from './gitlab';
import { GoogleProvider } from './google';
import { LinkedInProvider } from './linkedin';
import { MicrosoftProvider } from './microsoft';
import { OidcProvider } from './oidc';
import { TwitchProvider } from './twitch';
import type { Provider, ProviderDeps } from './types';

export type ProviderFactory = (config: ProviderConfig, deps: ProviderDeps) => Provider;

const FACTORIES: Partial<Record<ProviderType, ProviderFactory>> = {
  oidc: (config, deps) => new OidcProvider(config, deps),
  google: (config, deps) => new GoogleProvider(config, deps),
  github: (config, deps) => new GitHubProvider(config, deps),
  microsoft: (config, deps) => new MicrosoftProvider(config, deps),
  gitlab: (config, deps) => new GitLabProvider(config, deps),
  linkedin: (config, deps) => new LinkedInProvider(config, deps),
  twitch: (config, deps) => new TwitchProvider(config, deps),
  amazon: (config, deps) => new AmazonProvider(config, deps),
  facebook: (config, deps) => new FacebookProvider(config, deps),
};

export function createProvider(config: ProviderConfig, deps: ProviderDeps): Provider {
  const factory = FACTORIES[config.type];
  if (factory === undefined) throw new TypeError(`provider type "${config.type}" is not implemented`);
  return factory(config, deps);
}

export type { Provider, ProviderDeps } from './types';

/**
 * All configured providers, by id. `readSecret` fetches a client secret on first use
 * (only the callback and refreshes need one) and is expected to cache.
 */
export function createProviders(
  providers: readonly ProviderConfig[],
  deps: { fetch: typeof globalThis.fetch; now: () => number; readSecret: (ref: SecretRef) => Promise<string> },
): Map<string, Provider> {
  return new Map(
    providers.map((config) => [
      config.id,
      createProvider(config, { fetch: deps.fetch, now: deps.now, clientSecret: () => deps.readSecret(config.clientSecret) }),
    ]),
  );
}
