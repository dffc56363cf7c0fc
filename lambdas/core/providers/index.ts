/**
 * The provider registry: one adapter file per provider type.
 */
import type { EdgeConfig, ProviderConfig, ProviderType, SecretRef } from '../config/types';
import { AmazonProvider } from './amazon';
import { CognitoProvider } from './cognito';
import { FacebookProvider } from './facebook';
import { GitHubProvider } from './github';
import { GitLabProvider } from './gitlab';
import { GoogleProvider } from './google';
import { LinkedInProvider } from './linkedin';
import { MicrosoftProvider } from './microsoft';
import { OidcProvider } from './oidc';
import { throttlingAware } from './throttling';
import { TwitchProvider } from './twitch';
import type { Provider, ProviderDeps } from './types';
import { MANAGED_COGNITO_KEYS } from '../config/cognito';

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
  cognito: (config, deps) => new CognitoProvider(config, deps),
};

/**
 * The adapter for `config.type`. Its `fetch` knows the provider's throttling answers
 * (throttling.ts): a rate limit is a failed check, never read as a refused grant.
 */
export function createProvider(config: ProviderConfig, deps: ProviderDeps): Provider {
  const factory = FACTORIES[config.type];
  if (factory === undefined) throw new TypeError(`provider type "${config.type}" is not implemented`);
  return factory(config, { ...deps, fetch: throttlingAware(config.type, deps.fetch) });
}

export type { Provider, ProviderDeps } from './types';

/**
 * Whether the session settings need the user's tokens to outlive the access token: re-checks
 * (`session.authCheckInterval` > 0) or tokens sent to the origin. Providers that give
 * refresh tokens only on request (Google's offline access, Microsoft's `offline_access`)
 * ask for one then.
 */
export function needsOfflineAccess(config: Pick<EdgeConfig, 'session' | 'originTokens'>): boolean {
  return config.session.authCheckInterval > 0 || config.originTokens.enabled;
}

/**
 * All configured providers, by id. `readSecret` fetches a client secret on first use
 * (only the callback and refreshes need one) and is expected to cache.
 */
export function createProviders(
  config: Pick<EdgeConfig, 'providers' | 'session' | 'originTokens'>,
  deps: { fetch: typeof globalThis.fetch; now: () => number; readSecret: (ref: SecretRef) => Promise<string>; onNotice?: ProviderDeps['onNotice'] },
): Map<string, Provider> {
  const offline = needsOfflineAccess(config);
  return new Map(
    config.providers.map((provider) => [
      provider.id,
      createProvider(offline ? { ...provider, offlineAccess: true } : provider, {
        fetch: deps.fetch,
        now: deps.now,
        clientSecret: () => deps.readSecret(provider.clientSecret),
        ...(provider.cognito?.managed !== undefined && { registeredClient: () => registeredClient(provider.clientSecret.secretId, deps.readSecret) }),
        onNotice: deps.onNotice,
      }),
    ]),
  );
}

/** A managed Cognito pool's ids, from its secret (the deploy wrote them with the client secret). */
async function registeredClient(secretId: string, readSecret: (ref: SecretRef) => Promise<string>): Promise<{ userPoolId: string; clientId: string }> {
  const [userPoolId, clientId] = await Promise.all([
    readSecret({ secretId, jsonKey: MANAGED_COGNITO_KEYS.userPoolId }),
    readSecret({ secretId, jsonKey: MANAGED_COGNITO_KEYS.clientId }),
  ]);
  return { userPoolId, clientId };
}
