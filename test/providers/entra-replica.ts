/**
 * The Microsoft Entra ID replica on the fake server, one copy for every test that needs it:
 * Entra's discovery metadata (for common/organizations the issuer is a `{tenantid}`
 * template), ID tokens issued by the user's tenant, client secrets in the body or Basic,
 * refresh tokens only when `offline_access` was asked for
 * (https://learn.microsoft.com/entra/identity-platform/scopes-oidc#offline_access), and a new
 * ID token (with tid) in refresh answers for the openid scope.
 */
import { FakeOAuthServer, refreshWithScope } from './fake-oauth-server';

export const LOGIN = 'https://login.microsoftonline.com';
export const ENTRA_USERINFO = 'https://graph.microsoft.com/oidc/userinfo';

export async function entraReplica(server: FakeOAuthServer, tenant: string, options: { issuerTenant?: string; clientSecret?: string } = {}): Promise<void> {
  await server.oidcIssuer({
    discoveryBase: `${LOGIN}/${tenant}/v2.0`,
    metadata: {
      issuer: `${LOGIN}/${options.issuerTenant ?? '{tenantid}'}/v2.0`,
      authorization_endpoint: `${LOGIN}/${tenant}/oauth2/v2.0/authorize`,
      token_endpoint: `${LOGIN}/${tenant}/oauth2/v2.0/token`,
      userinfo_endpoint: ENTRA_USERINFO,
      jwks_uri: `${LOGIN}/${tenant}/discovery/v2.0/keys`,
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      tenant_region_scope: null,
    },
    idTokenIssuer: (user) => `${LOGIN}/${String(user.idTokenClaims?.issuedBy ?? user.idTokenClaims?.tid)}/v2.0`,
    // Whether Entra percent-decodes Basic credentials is not documented: the replica does not.
    server: {
      clientAuth: ['client_secret_basic', 'client_secret_post'],
      basicPercentDecoded: false,
      ...(options.clientSecret !== undefined && { clientSecret: options.clientSecret }),
      refresh: refreshWithScope('offline_access'),
      idTokenOnRefresh: true,
    },
  });
}
