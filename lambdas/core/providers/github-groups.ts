/**
 * A GitHub user's organizations and teams, as groups: `org` for each organization
 * (`GET /user/orgs`, its `login`) and `org/team` for each team (`GET /user/teams`, its
 * `organization.login` and `slug`), lowercased (GitHub logins and slugs are
 * case-insensitive). The same endpoints and forms as oauth2-proxy's `providers/github.go`
 * (`hasOrg`, `hasOrgAndTeam`), with the scope it uses, `read:org`.
 *
 * - `/user/orgs`: "this API requires at least `user` or `read:org` scope for OAuth app
 *   tokens ... Requests with insufficient scope will receive a `403 Forbidden` response",
 *   and it lists only organizations the authorization may operate on: an organization
 *   with OAuth app access restrictions lists only once it approves the app. "Requests using
 *   a fine-grained access token will receive a `200 Success` response with an empty list"
 *   (github/rest-api-description, descriptions/api.github.com, `/user/orgs`;
 *   https://docs.github.com/rest/orgs/orgs#list-organizations-for-the-authenticated-user):
 *   a GitHub App's user access token is one, so GitHub groups need an OAuth app (config
 *   check: config/access-rules.ts; at run time, `isGitHubAppUserToken`).
 * - `/user/teams`: needs `user`, `repo` or `read:org`; "When using a fine-grained personal
 *   access token, the resource owner of the token must be a single organization, and the
 *   response will only include the teams from that organization"
 *   (https://docs.github.com/rest/teams/teams#list-teams-for-the-authenticated-user).
 * - Paging: `per_page` (at most 100), then the `link` header's `rel="next"` URL to the end:
 *   "When a response is paginated, the response headers will include a link header ... If
 *   the endpoint does not support pagination, or if all results fit on a single page, the
 *   link header will be omitted" (https://docs.github.com/rest/using-the-rest-api/using-pagination-in-the-rest-api).
 *   The docs promise nothing about a page's length, so a short page is not the last one;
 *   only a missing `next` is. Only `https://api.github.com/` URLs are followed (the token
 *   goes nowhere else); at most MAX_PAGES pages each (then a notice: the rest is unread,
 *   and an unread group admits nobody).
 * - SAML single sign-on: "If you do not authorize your personal access token (classic) for
 *   SAML SSO before you try to use it to access multiple organizations, the API will not
 *   return results from the organizations that require SAML SSO and the X-GitHub-SSO header
 *   will indicate the ID of the organizations ... For example: `X-GitHub-SSO:
 *   partial-results; organizations=21955855,20582480`"
 *   (https://docs.github.com/rest/authentication/authenticating-to-the-rest-api). Such an
 *   answer is logged (a notice naming the organization ids): the user seems to be in none
 *   of them, so a rule naming one refuses them until they authorize the app for its SSO.
 */
import { cleanGroups } from '../access/groups';

export const GITHUB_GROUPS_SCOPE = 'read:org';
const PER_PAGE = 100;
const MAX_PAGES = 10;

/** A GET of the API with the user's token: the JSON body and the response headers. */
export type GetPage = (url: string) => Promise<{ readonly body: unknown; readonly headers: Headers }>;
/** Something the operator should know about an answer that is not an error (logged). */
export type ProviderNotice = (code: string, detail: string) => void;

/** GitHub App user access tokens start `ghu_` (https://github.blog/changelog/2021-03-31-authentication-token-format-updates-are-generally-available). */
export function isGitHubAppUserToken(accessToken: string): boolean {
  return accessToken.startsWith('ghu_');
}

/**
 * The `rel="next"` URL of a `link` header (RFC 8288: `<url>; rel="next", <url>; rel="last"`),
 * or undefined. A scan of its comma-separated parts, no regex (linear in the header).
 */
export function nextLink(link: string | null): string | undefined {
  if (link === null) return undefined;
  for (const part of link.split(',')) {
    const open = part.indexOf('<');
    const close = part.indexOf('>', open + 1);
    if (open < 0 || close < 0) continue;
    const params = part.slice(close + 1).split(';').map((p) => p.trim().toLowerCase());
    if (params.includes('rel="next"') || params.includes('rel=next')) return part.slice(open + 1, close).trim();
  }
  return undefined;
}

/** The organization ids of an `X-GitHub-SSO: partial-results; organizations=1,2` header, or undefined. */
export function ssoPartialResults(value: string | null): string | undefined {
  if (value === null || !value.trim().toLowerCase().startsWith('partial-results')) return undefined;
  const ids = value
    .split(';')
    .map((p) => p.trim())
    .find((p) => p.toLowerCase().startsWith('organizations='));
  const shown = (ids?.slice('organizations='.length) ?? '').replace(/[^0-9,]/g, '').slice(0, 200);
  return shown === '' ? 'unnamed' : shown;
}

async function allPages(api: string, path: string, get: GetPage, notice: ProviderNotice | undefined): Promise<unknown[]> {
  const out: unknown[] = [];
  let url: string | undefined = `${api}${path}?per_page=${PER_PAGE}`;
  for (let page = 0; url !== undefined; page++) {
    if (page === MAX_PAGES) {
      notice?.('GITHUB_GROUPS_TRUNCATED', `${path}: more than ${MAX_PAGES} pages of ${PER_PAGE}; the rest was not read`);
      break;
    }
    const { body, headers } = await get(url);
    if (!Array.isArray(body)) break;
    out.push(...body);
    const sso = ssoPartialResults(headers.get('x-github-sso'));
    if (sso !== undefined) notice?.('GITHUB_SSO_PARTIAL_RESULTS', `${path}: GitHub left out the organizations that require SAML SSO authorization (organization ids: ${sso})`);
    const next = nextLink(headers.get('link'));
    url = next !== undefined && next.startsWith(`${api}/`) ? next : undefined;
  }
  return out;
}

function login(value: unknown): string | undefined {
  const l = (value as { login?: unknown } | null)?.login;
  return typeof l === 'string' && l !== '' ? l : undefined;
}

/** The user's organizations and teams at GitHub, as `org` and `org/team` (lowercased). */
export async function githubGroups(api: string, get: GetPage, notice?: ProviderNotice): Promise<string[]> {
  const [orgs, teams] = await Promise.all([allPages(api, '/user/orgs', get, notice), allPages(api, '/user/teams', get, notice)]);
  const names: string[] = [];
  for (const org of orgs) {
    const name = login(org);
    if (name !== undefined) names.push(name);
  }
  for (const team of teams) {
    const org = login((team as { organization?: unknown } | null)?.organization);
    const slug = (team as { slug?: unknown } | null)?.slug;
    if (org !== undefined && typeof slug === 'string' && slug !== '') names.push(`${org}/${slug}`);
  }
  return cleanGroups('github', names);
}
