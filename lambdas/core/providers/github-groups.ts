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
 *   with OAuth app access restrictions lists only once it approves the app.
 *   (github/rest-api-description, descriptions/api.github.com, `/user/orgs`;
 *   https://docs.github.com/rest/orgs/orgs#list-organizations-for-the-authenticated-user)
 * - `/user/teams`: needs `user`, `repo` or `read:org`
 *   (https://docs.github.com/rest/teams/teams#list-teams-for-the-authenticated-user).
 * - Both page with `per_page` (at most 100) and `page` (from 1); a page shorter than
 *   `per_page` is the last (https://docs.github.com/rest/using-the-rest-api/using-pagination-in-the-rest-api).
 *   At most MAX_PAGES pages each are read.
 */
import { cleanGroups } from '../access/groups';

export const GITHUB_GROUPS_SCOPE = 'read:org';
const PER_PAGE = 100;
const MAX_PAGES = 10;

type GetJson = (url: string) => Promise<unknown>;

async function allPages(api: string, path: string, get: GetJson): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const body = await get(`${api}${path}?per_page=${PER_PAGE}&page=${page}`);
    if (!Array.isArray(body)) break;
    out.push(...body);
    if (body.length < PER_PAGE) break;
  }
  return out;
}

function login(value: unknown): string | undefined {
  const l = (value as { login?: unknown } | null)?.login;
  return typeof l === 'string' && l !== '' ? l : undefined;
}

/** The user's organizations and teams at GitHub, as `org` and `org/team` (lowercased). */
export async function githubGroups(api: string, get: GetJson): Promise<string[]> {
  const [orgs, teams] = await Promise.all([allPages(api, '/user/orgs', get), allPages(api, '/user/teams', get)]);
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
