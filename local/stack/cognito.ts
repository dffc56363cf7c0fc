/**
 * The local stack's managed Cognito pools: for each `cognito` provider with no client of its
 * own, what the deploy makes (lib/cognito-pool.ts), made in the local Cognito stand-in
 * (local/emulators/cognito/server.ts): a pool tagged as the provider's, the groups the config's rules
 * name, a code-flow client whose callback and sign-out URLs are the site's /auth/callback and
 * /auth/logout, and the provider's secret `{"userPoolId", "clientId", "clientSecret"}` in the
 * local Secrets Manager, as the deploy's custom resource writes it. The resolved config gets
 * the stand-in's endpoint as the pools' issuer base (`cognito.idpEndpoint`, http: local only).
 */
import { MANAGED_COGNITO_KEYS, MANAGED_POOL_TAG, providerGroups } from '../../lambdas/core/config/cognito';
import type { EdgeConfig } from '../../lambdas/core/config/types';
import { startCognitoEmulator, type CognitoEmulator } from '../emulators/cognito/server';
import type { SecretsManagerHandle } from '../emulators/secrets-manager';

export interface LocalCognito {
  readonly emulator: CognitoEmulator;
  /** The pool id of each managed provider. */
  readonly pools: ReadonlyMap<string, string>;
  /** A config (the first one, or a reloaded one) pointed at the stand-in. */
  apply(config: EdgeConfig): EdgeConfig;
}

/** Starts the stand-in when the config has a managed `cognito` provider; undefined otherwise. */
export async function startLocalCognito(config: EdgeConfig, options: { siteOrigins: readonly string[]; secretsManager: SecretsManagerHandle }): Promise<LocalCognito | undefined> {
  const managed = config.providers.filter((p) => p.cognito?.managed !== undefined);
  if (managed.length === 0) return undefined;
  const emulator = await startCognitoEmulator({ region: config.aws.region });
  const pools = new Map<string, string>();
  for (const provider of managed) {
    const pool = emulator.pools.createPool(`edge-oauth-local-${provider.id}`, { [MANAGED_POOL_TAG]: provider.id }, providerGroups(config, provider.id));
    const client = emulator.pools.createClient(pool.id, {
      callbackUrls: options.siteOrigins.map((o) => `${o}/auth/callback`),
      logoutUrls: options.siteOrigins.map((o) => `${o}/auth/logout`),
      scopes: ['openid', 'email', 'profile'],
      refreshTokenValidity: provider.cognito!.managed!.refreshTokenValidity,
    });
    options.secretsManager.put(provider.clientSecret.secretId, JSON.stringify({ [MANAGED_COGNITO_KEYS.userPoolId]: pool.id, [MANAGED_COGNITO_KEYS.clientId]: client.clientId, [MANAGED_COGNITO_KEYS.clientSecret]: client.clientSecret }));
    pools.set(provider.id, pool.id);
  }
  const apply = (next: EdgeConfig): EdgeConfig => ({
    ...next,
    providers: next.providers.map((p) =>
      p.cognito?.managed !== undefined ? { ...p, allowInsecureRequests: true, cognito: { ...p.cognito, idpEndpoint: emulator.endpoint } } : p,
    ),
  });
  return { emulator, pools, apply };
}
