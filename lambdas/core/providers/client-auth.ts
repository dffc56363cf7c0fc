/**
 * Client authentication at an OpenID Connect issuer's token endpoint: which method to use.
 *
 * - The config's `tokenEndpointAuthMethod` wins (an issuer whose discovery document is
 *   wrong, as LinkedIn's is: linkedin-developers/linkedin-api-python-client#63).
 * - Else the discovery document's `token_endpoint_auth_methods_supported`:
 *   `client_secret_basic` when listed, else `client_secret_post` when listed. When the
 *   field is absent, OpenID Connect Discovery 1.0 section 3 says "the default is
 *   client_secret_basic" (https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata).
 * - An issuer that lists neither (only `private_key_jwt`, ...) cannot be used with a client
 *   secret: a clear error, before the user is sent there.
 */
import * as client from 'openid-client';
import { ProviderError } from '../errors';

export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'] as const;
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];

/** The method to use with an issuer that advertises `supported` (undefined: the field is absent). */
export function chooseClientAuthMethod(supported: unknown, configured?: ClientAuthMethod): ClientAuthMethod {
  if (configured !== undefined) return configured;
  if (supported === undefined) return 'client_secret_basic';
  const listed = Array.isArray(supported) ? supported.filter((m): m is string => typeof m === 'string') : [];
  for (const method of CLIENT_AUTH_METHODS) if (listed.includes(method)) return method;
  const shown = listed.map((m) => m.replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 40)).slice(0, 8).join(', ') || 'nothing usable';
  throw new ProviderError(
    'ERR_PROVIDER_CLIENT_AUTH_UNSUPPORTED',
    `discovery: the issuer supports neither client_secret_basic nor client_secret_post at its token endpoint ` +
      `(token_endpoint_auth_methods_supported: ${shown}); if it does accept one of them, set "tokenEndpointAuthMethod"`,
  );
}

/** openid-client's client authentication with the secret read on first use. */
export function clientAuthFor(method: ClientAuthMethod, clientSecret: () => Promise<string>): client.ClientAuth {
  const build = method === 'client_secret_post' ? client.ClientSecretPost : client.ClientSecretBasic;
  return async (as, c, body, headers) => build(await clientSecret())(as, c, body, headers);
}
