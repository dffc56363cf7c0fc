/**
 * A `cognito` provider's constants and helpers that the functions need too (the provider
 * adapter, the registry): no zod here, so the viewer-request bundle stays small. The config
 * fields themselves are in cognito-fields.ts.
 */

export const COGNITO_DEFAULTS = { mfa: 'optional', passkeys: true, refreshTokenValidity: 30 * 86400, endProviderSession: false } as const;

/** The region a user pool lives in: the part of its id before `_`. */
export function userPoolRegion(userPoolId: string): string {
  return userPoolId.slice(0, userPoolId.indexOf('_'));
}

/**
 * The secret of a pool the stack creates: JSON `{"userPoolId", "clientId", "clientSecret"}`,
 * written at deploy (lib/cognito-client-secret), read by the functions. @see ManagedCognitoSettings
 */
export function managedCognitoSecretId(providerId: string): string {
  return `edge-oauth/cognito/${providerId}`;
}

/** The JSON keys of that secret. */
export const MANAGED_COGNITO_KEYS = { userPoolId: 'userPoolId', clientId: 'clientId', clientSecret: 'clientSecret' } as const;

/** The tag on a user pool the stack created, naming its provider (the CLI's check that the pool is managed by this stack). */
export const MANAGED_POOL_TAG = 'edge-oauth:provider';

/**
 * The groups the config's rules name for one provider (`allow.groups`, the provider's own
 * `allow`, path rules; each `<provider id>:<group>`): a pool the stack creates gets them, so
 * `users invite --group` has them to add people to.
 */
export function providerGroups(config: { allow: { groups?: readonly string[] }; paths: ReadonlyArray<{ allow: { groups?: readonly string[] } }>; providers: ReadonlyArray<{ id: string; allow?: { groups?: readonly string[] } }> }, providerId: string): string[] {
  const all = [config.allow, ...config.paths.map((p) => p.allow), ...config.providers.map((p) => p.allow ?? {})].flatMap((a) => a.groups ?? []);
  const prefix = `${providerId}:`;
  return [...new Set(all.filter((g) => g.startsWith(prefix)).map((g) => g.slice(prefix.length)))].sort();
}
