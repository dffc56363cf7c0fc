/**
 * Microsoft identity platform (Entra ID, v2.0 endpoint): OpenID Connect at
 * https://login.microsoftonline.com/<tenant>/v2.0, where `tenant` is `common` (work,
 * school and personal accounts), `organizations` (work and school), `consumers`
 * (personal), or one tenant's id or domain (that organization only).
 *
 * - Multi-tenant issuers: the metadata of common/organizations names the issuer
 *   `https://login.microsoftonline.com/{tenantid}/v2.0`; openid-client fills `{tenantid}`
 *   from each ID token's `tid` claim before comparing `iss`, so every tenant's tokens are
 *   validated against their own issuer.
 * - Scopes `openid profile email`, and `offline_access` when refresh tokens are wanted.
 * - The client secret goes in the body (`client_secret_post`), as every Microsoft example of
 *   the code redemption does (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#redeem-a-code-for-an-access-token);
 *   Entra secrets contain `~`, `.`, `-` and `_`, which HTTP Basic would form-urlencode, and
 *   Microsoft does not document decoding them.
 * - The user id is `sub` (stable, and unique to this app).
 * - Email: only the `email` claim. A work account without a mailbox has none; we do NOT
 *   fall back to `preferred_username`, which Microsoft documents as mutable and not for
 *   authorization (and which may be a phone number or a UPN that receives no mail). Such a
 *   user has no email: the policy lets them in only when no allow-list applies.
 * - Verified? Microsoft does not verify `email` (a user without a mailbox can be given
 *   any address: the "nOAuth" cross-tenant takeover). So: the optional claim `xms_edov`
 *   (email domain owner verified) decides when present; a personal account's address
 *   (tenant 9188040d-…) is verified; in a single-tenant setup the tenant's own admins set
 *   the addresses, so we say nothing (undefined); any other work account is unverified,
 *   which the policy refuses. Add `xms_edov` (and `email`) as optional ID token claims in
 *   the app registration to admit work accounts with `common` or `organizations`.
 *   A re-check never weakens this: a refresh brings a new ID token (with `tid`) and is judged
 *   like the sign-in. Userinfo carries neither `tid` nor `xms_edov`, so with `common` /
 *   `organizations` a userinfo-only profile states nothing (undefined), as a single tenant's
 *   never does: the re-check rule (sign-in/allow-list.ts, recheckedEmail) keeps the sign-in's
 *   standing for the same address, and an address changed since is unverified (refused by
 *   an allow-list, not passed on). With `consumers` every account is personal.
 * - Refresh: with `offline_access`, asked for when the config's `scopes` has it or the
 *   session settings need it (`offlineAccess`: authCheckInterval > 0, origin tokens), with
 *   or without groups. Entra issues a refresh token only then: "your app must explicitly
 *   request the offline_access scope to receive refresh tokens"
 *   (https://learn.microsoft.com/entra/identity-platform/scopes-oidc#offline_access).
 * - Groups: object ids from the `groups` claim; past its overage (200), or on a re-check
 *   without an ID token, from Microsoft Graph with `User.Read` (microsoft-groups.ts).
 * - New sign-in: `prompt=login`. `auth_time` is an optional claim at Microsoft: checked
 *   when present (add it in the app registration to make the new sign-in provable).
 */
import type { ProviderConfig } from '../config/types';
import { ProviderError } from '../errors';
import { OidcProvider, STANDARD_CLAIMS } from './oidc';
import { claimGroups, GRAPH_GROUPS_SCOPE, graphGroups } from './microsoft-groups';
import type { Profile, ProviderDeps } from './types';
import { normalizeEmail } from '../access/usable-email';

/** The tenant id of personal Microsoft accounts. */
export const CONSUMER_TENANT_ID = '9188040d-6c67-4c5b-b112-36a304b66dad';
export const MULTI_TENANT = ['common', 'organizations', 'consumers'] as const;

export function microsoftIssuer(tenant: string): string {
  return `https://login.microsoftonline.com/${encodeURIComponent(tenant)}/v2.0`;
}

export class MicrosoftProvider extends OidcProvider {
  readonly #tenant: string;

  constructor(config: ProviderConfig, deps: ProviderDeps) {
    const tenant = config.tenant ?? 'common';
    const refresh = config.scopes.includes('offline_access') || config.offlineAccess === true;
    super({ ...config, issuer: microsoftIssuer(tenant), claims: STANDARD_CLAIMS, allowInsecureRequests: false }, deps, {
      // One list, so that asking for groups (User.Read) never drops offline_access: without
      // it Entra issues no refresh token and a session that must be re-checked ends when
      // its access token does (about an hour).
      requiredScopes: ['openid', 'email', 'profile', ...(refresh ? ['offline_access'] : []), ...(config.fetchGroups ? [GRAPH_GROUPS_SCOPE] : [])],
      reauthenticationParams: { prompt: 'login' },
      authTime: 'when-present',
      tokenEndpointAuth: 'client_secret_post',
      supportsRefresh: refresh,
    });
    this.#tenant = tenant;
    this.#fetch = deps.fetch;
  }

  readonly #fetch: typeof globalThis.fetch;

  /** Group object ids: the claim, or Microsoft Graph past the overage (microsoft-groups.ts). */
  protected override async withGroups(profile: Profile, claims: Record<string, unknown>, accessToken: string): Promise<Profile> {
    const fromClaim = claimGroups(claims);
    if (fromClaim !== undefined) return { ...profile, groups: fromClaim };
    if (!this.config.fetchGroups || claims.tid === CONSUMER_TENANT_ID) return profile;
    try {
      return { ...profile, groups: await graphGroups(this.#fetch, accessToken) };
    } catch (error) {
      // Graph refuses a personal account ("Not supported") or a token without User.Read
      // consent: in no group (group rules fail closed). Outages and 429 are thrown (grace).
      const status = error instanceof ProviderError ? error.status : undefined;
      if (status === 400 || status === 403 || status === 404) return { ...profile, groups: [] };
      throw error;
    }
  }

  protected override mapProfile(claims: Record<string, unknown>, idToken?: Readonly<Record<string, unknown>>): Profile {
    const { sub, name, email } = claims;
    if (typeof sub !== 'string') throw new ProviderError('ERR_PROVIDER_RESPONSE', 'the "sub" claim (user id) is missing');
    const verified = typeof email === 'string' ? addressVerified(email, claims, this.#tenant, idToken) : undefined;
    return {
      id: sub,
      ...(typeof name === 'string' && { name }),
      ...(typeof email === 'string' && email !== '' && { email }),
      ...(verified !== undefined && { emailVerified: verified }),
    };
  }
}

/**
 * The verification of `email` (the merged claims' address) from the statement that gave it:
 * `tid` and `xms_edov` are claims of the ID token about the ID token's `email`
 * (https://learn.microsoft.com/entra/identity-platform/migrate-off-email-claim-authorization),
 * so they vouch for userinfo's address only when it is the same one. Another address (or one
 * the ID token lacks) is judged as a userinfo-only statement would be, except that with an ID
 * token at hand, on a multi-tenant issuer, an address it does not carry is unverified.
 */
function addressVerified(email: string, claims: Record<string, unknown>, tenant: string, idToken: Readonly<Record<string, unknown>> | undefined): boolean | undefined {
  if (idToken === undefined) return emailVerified(claims, tenant, false);
  const stated = typeof idToken.email === 'string' && normalizeEmail(idToken.email) === normalizeEmail(email);
  if (stated) return emailVerified(claims, tenant, true);
  return (MULTI_TENANT as readonly string[]).includes(tenant) ? false : undefined;
}

/**
 * Whether Microsoft's `email` claim can be trusted; see the file comment. `fromIdToken`: the
 * claims include a validated ID token's (sign-in, or a refresh that brought one).
 */
export function emailVerified(claims: Record<string, unknown>, tenant: string, fromIdToken: boolean): boolean | undefined {
  const edov = claims.xms_edov;
  if (edov === true || edov === 1 || edov === '1' || edov === 'true') return true;
  if (edov === false || edov === 0 || edov === '0' || edov === 'false') return false;
  const tid = claims.tid;
  if (tid === CONSUMER_TENANT_ID || tenant === 'consumers') return true;
  // A single tenant: its own admins set the addresses. Not stated (undefined) on purpose: a
  // sign-in trusts the directory the operator chose; a re-check keeps the sign-in's standing
  // for the same address and counts another one unverified (sign-in/allow-list.ts, recheckedEmail).
  if (!(MULTI_TENANT as readonly string[]).includes(tenant)) return undefined;
  // common / organizations, userinfo only (a re-check without an ID token): no tid, no
  // xms_edov, so nothing is stated; the re-check rule (recheckedEmail) then keeps the
  // sign-in's standing for the same address and counts another one unverified.
  if (!fromIdToken) return undefined;
  // common / organizations: a work account without xms_edov, or an ID token without tid.
  return false;
}
