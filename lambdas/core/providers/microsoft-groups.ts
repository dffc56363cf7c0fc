/**
 * A Microsoft (Entra ID) user's groups: object ids, from the ID token's `groups` claim,
 * or from Microsoft Graph when the claim cannot say.
 *
 * - The claim is opt-in (app registration → Token configuration → groups claim, or
 *   `groupMembershipClaims` in the manifest) and carries object ids.
 * - Overage: "For JSON web tokens (JWT), Azure limits the number of groups that can be
 *   present in the token to 200 ... you'll get a group overage claim instead of getting
 *   the actual groups" (https://learn.microsoft.com/troubleshoot/entra/entra-id/app-integration/get-signed-in-users-groups-in-access-token);
 *   the indicator is `_claim_names: { "groups": "src1" }` with `_claim_sources` (whose URL
 *   names the retired Azure AD Graph, so it is not used), or `hasgroups: true` (implicit
 *   flow). Userinfo never has groups, so a re-check without an ID token asks Graph too.
 * - Graph: `GET /v1.0/me/transitiveMemberOf?$select=id` (direct and nested groups), with
 *   delegated `User.Read` as the least privilege: "Delegated (work or school account) |
 *   User.Read" (https://learn.microsoft.com/graph/api/user-list-transitivememberof). With
 *   User.Read only "the @odata.type property for the object type and the id is returned",
 *   which is all a group id rule needs. Directory roles and administrative units in the
 *   answer are skipped (`@odata.type` other than `#microsoft.graph.group`). Pages follow
 *   `@odata.nextLink`, only on graph.microsoft.com (the token goes nowhere else), at
 *   most MAX_PAGES. The same call as oauth2-proxy's `providers/ms_entra_id.go`
 *   (`checkGroupOverage`, `$select=id&$top=100`, header `ConsistencyLevel: eventual`).
 *   Personal Microsoft accounts are "Not supported": they have no groups.
 */
import { cleanGroups } from '../access/groups';
import { ProviderError } from '../errors';
import { rateLimited, toProviderError } from './errors';

export const GRAPH = 'https://graph.microsoft.com';
export const GRAPH_GROUPS_SCOPE = 'User.Read';
const FIRST_PAGE = `${GRAPH}/v1.0/me/transitiveMemberOf?$select=id&$top=100`;
const MAX_PAGES = 25;

/** The claim's groups; undefined when the token says they are elsewhere (overage) or has none. */
export function claimGroups(claims: Record<string, unknown>): string[] | undefined {
  const names = claims._claim_names as Record<string, unknown> | undefined;
  if ((typeof names === 'object' && names !== null && 'groups' in names) || claims.hasgroups === true) return undefined;
  return Array.isArray(claims.groups) ? cleanGroups('microsoft', claims.groups) : undefined;
}

export async function graphGroups(fetch: typeof globalThis.fetch, accessToken: string): Promise<string[]> {
  const ids: unknown[] = [];
  let next: string | undefined = FIRST_PAGE;
  for (let page = 0; next !== undefined && page < MAX_PAGES; page++) {
    let response: Response;
    try {
      response = await fetch(next, {
        headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json', consistencylevel: 'eventual' },
        signal: AbortSignal.timeout(4000),
      });
    } catch (error) {
      throw toProviderError(error, 'groups (Microsoft Graph)');
    }
    if (response.status === 429) throw rateLimited('groups (Microsoft Graph)');
    if (!response.ok) throw new ProviderError('ERR_PROVIDER_FAILED', `groups (Microsoft Graph): HTTP ${response.status}`, { status: response.status });
    let body: { value?: unknown; '@odata.nextLink'?: unknown };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      throw new ProviderError('ERR_PROVIDER_RESPONSE', 'groups (Microsoft Graph): the body is not JSON');
    }
    if (!Array.isArray(body.value)) throw new ProviderError('ERR_PROVIDER_RESPONSE', 'groups (Microsoft Graph): no "value" list');
    for (const item of body.value as Array<Record<string, unknown> | null>) {
      if (item?.['@odata.type'] === '#microsoft.graph.group') ids.push(item.id);
    }
    const link = body['@odata.nextLink'];
    next = typeof link === 'string' && link.startsWith(`${GRAPH}/`) ? link : undefined;
  }
  return cleanGroups('microsoft', ids);
}
