/**
 * Each provider's groups against its replica (fake-oauth-server.ts), answering with the
 * documented shapes: GitHub orgs and teams (read:org, paging), GitLab's userinfo-only
 * `groups` claim, Microsoft's `groups` claim and its overage (Microsoft Graph
 * transitiveMemberOf, paging by @odata.nextLink), a generic OIDC claim by name.
 */
import { GitHubProvider } from '../../lambdas/core/providers/github';
import { GitLabProvider } from '../../lambdas/core/providers/gitlab';
import { MicrosoftProvider } from '../../lambdas/core/providers/microsoft';
import { OidcProvider } from '../../lambdas/core/providers/oidc';
import { entraReplica } from './entra-replica';
import { FakeOAuthServer, providerConfig, signIn, type FakeRequest, type FakeResponse, type FakeUser } from './fake-oauth-server';

let server: FakeOAuthServer;
beforeEach(async () => {
  server = await FakeOAuthServer.start();
});
afterEach(() => server.close());

/**
 * GitHub's paging (https://docs.github.com/rest/using-the-rest-api/using-pagination-in-the-rest-api):
 * `per_page` (default 30, at most 100) and `page` (from 1), and a `link` header with the
 * absolute `next`, `last`, `first` and `prev` URLs, left out when everything fits on one page.
 * `short`: each page carries one item fewer than `per_page` (GitHub promises nothing about a
 * page's length: a page is not the last because it is short, only because `next` is missing).
 */
function paged(items: unknown[], options: { short?: boolean } = {}): (req: FakeRequest) => FakeResponse {
  return (req) => {
    const perPage = Math.min(100, Number(req.url.searchParams.get('per_page') ?? 30));
    const page = Number(req.url.searchParams.get('page') ?? 1);
    const size = options.short === true ? perPage - 1 : perPage;
    const pages = Math.max(1, Math.ceil(items.length / size));
    const at = (n: number) => `<${req.url.origin}${req.url.pathname}?per_page=${perPage}&page=${n}>`;
    const links = [...(page < pages ? [`${at(page + 1)}; rel="next"`, `${at(pages)}; rel="last"`] : []), ...(page > 1 ? [`${at(1)}; rel="first"`, `${at(page - 1)}; rel="prev"`] : [])];
    return { json: items.slice((page - 1) * size, page * size), ...(links.length > 0 && { headers: { link: links.join(', ') } }) };
  };
}

describe('GitHub: organizations and teams', () => {
  const API = 'https://api.github.com';
  const orgs = Array.from({ length: 130 }, (_, i) => ({ login: i === 0 ? 'My-Org' : `org-${i}`, id: i, node_id: 'x' }));
  const teams = [{ slug: 'Platform', name: 'Platform', organization: { login: 'My-Org' } }, { slug: 'ops', organization: { login: 'other' } }, { name: 'no slug' }];
  let granted = '';

  beforeEach(() => {
    server.authorizationServer({ authorizationEndpoint: 'https://github.com/login/oauth/authorize', tokenEndpoint: 'https://github.com/login/oauth/access_token', clientAuth: 'client_secret_post', redirectUriMatch: 'github-wildcard' });
    server.api(`${API}/user`);
    server.api(`${API}/user/emails`);
    // "this API requires at least `user` or `read:org` scope ... insufficient scope will receive a 403 Forbidden"
    const scoped = (items: unknown[]) => (req: FakeRequest) => (granted.split(' ').includes('read:org') ? paged(items)(req) : { status: 403, json: { message: 'Forbidden' } });
    server.on('GET', `${API}/user/orgs`, scoped(orgs));
    server.on('GET', `${API}/user/teams`, scoped(teams));
  });
  const octocat: FakeUser = { sub: '1', api: { [`${API}/user`]: { id: 1, login: 'octocat' }, [`${API}/user/emails`]: [{ email: 'o@example.com', primary: true, verified: true }] } };

  test('a rule naming GitHub groups asks for read:org and reads every page of orgs and teams, lowercased', async () => {
    const github = new GitHubProvider(providerConfig('github', { fetchGroups: true }), server.deps());
    const { url, finish } = await signIn(github, server, octocat);
    granted = url.searchParams.get('scope')!;
    expect(granted).toBe('user:email read:org');
    const { profile } = await finish();
    expect(profile.groups).toHaveLength(132);
    expect(profile.groups).toEqual(expect.arrayContaining(['my-org', 'org-129', 'my-org/platform', 'other/ops']));
    const pages = server.requests.filter((r) => r.url.pathname === '/user/orgs').map((r) => r.url.search);
    expect(pages).toEqual(['?per_page=100', '?per_page=100&page=2']);
  });

  test('pages are followed by the link header to its end, short pages or not', async () => {
    server.on('GET', `${API}/user/orgs`, paged(orgs, { short: true }));
    const github = new GitHubProvider(providerConfig('github', { fetchGroups: true }), server.deps());
    const { url, finish } = await signIn(github, server, octocat);
    granted = url.searchParams.get('scope')!;
    const { profile } = await finish();
    expect(profile.groups).toEqual(expect.arrayContaining(['my-org', 'org-98', 'org-99', 'org-129']));
    expect(server.requests.filter((r) => r.url.pathname === '/user/orgs').map((r) => r.url.search)).toEqual(['?per_page=100', '?per_page=100&page=2']);
  });

  test('a next link to another host is not followed (the token goes to api.github.com only)', async () => {
    server.on('GET', `${API}/user/orgs`, () => ({ json: [{ login: 'first' }], headers: { link: '<https://evil.example/user/orgs?page=2>; rel="next"' } }));
    const github = new GitHubProvider(providerConfig('github', { fetchGroups: true }), server.deps());
    const { url, finish } = await signIn(github, server, octocat);
    granted = url.searchParams.get('scope')!;
    expect((await finish()).profile.groups).toContain('first');
    expect(server.requests.some((r) => r.url.host === 'evil.example')).toBe(false);
  });

  test('SAML SSO partial results (X-GitHub-SSO) are logged as a notice, with the organization ids', async () => {
    const sso = 'partial-results; organizations=21955855,20582480';
    server.on('GET', `${API}/user/orgs`, () => ({ json: [{ login: 'open-org' }], headers: { 'x-github-sso': sso } }));
    const notices: string[] = [];
    const github = new GitHubProvider(providerConfig('github', { fetchGroups: true }), server.deps({ onNotice: (code, detail) => notices.push(`${code} ${detail}`) }));
    const { url, finish } = await signIn(github, server, octocat);
    granted = url.searchParams.get('scope')!;
    expect((await finish()).profile.groups).toContain('open-org');
    expect(notices).toEqual([expect.stringMatching(/^GITHUB_SSO_PARTIAL_RESULTS \/user\/orgs: .*SAML SSO.*21955855,20582480/)]);
  });

  test("a GitHub App's user token (ghu_...): refused, never read as \"in no organization\" (/user/orgs answers [] to it)", async () => {
    const github = new GitHubProvider(providerConfig('github', { fetchGroups: true }), server.deps());
    await expect(github.profile({ accessToken: 'ghu_16C7e42F292c6912E7710c838347Ae178B4a' })).rejects.toMatchObject({ code: 'ERR_PROVIDER_FAILED', detail: expect.stringMatching(/GitHub App.*OAuth app/) });
    expect(server.requests).toHaveLength(0);
  });

  test('without a rule: no read:org, no extra calls, no groups', async () => {
    const github = new GitHubProvider(providerConfig('github'), server.deps());
    const { url, finish } = await signIn(github, server, octocat);
    expect(url.searchParams.get('scope')).toBe('user:email');
    expect((await finish()).profile.groups).toBeUndefined();
    expect(server.requests.some((r) => r.url.pathname.startsWith('/user/orgs'))).toBe(false);
  });

  test('the scope refused (403) fails the sign-in; it is never "in no org"', async () => {
    const github = new GitHubProvider(providerConfig('github', { fetchGroups: true }), server.deps());
    granted = 'user:email';
    await expect((await signIn(github, server, octocat)).finish()).rejects.toMatchObject({ code: 'ERR_PROVIDER_FAILED', status: 403 });
  });
});

describe('GitLab: the userinfo groups claim', () => {
  const base = 'https://gitlab.com';
  beforeEach(async () => {
    await server.oidcIssuer({
      discoveryBase: base,
      metadata: { issuer: base, authorization_endpoint: `${base}/oauth/authorize`, token_endpoint: `${base}/oauth/token`, userinfo_endpoint: `${base}/oauth/userinfo`, jwks_uri: `${base}/oauth/discovery/keys` },
      server: { clientAuth: ['client_secret_basic', 'client_secret_post'], basicPercentDecoded: false, refresh: true },
    });
  });

  test('full paths from userinfo (not in the ID token), lowercased; a refresh reads them again', async () => {
    const groups = ['Acme', 'acme/Platform/infra'];
    const user: FakeUser = { sub: '42', claims: { name: 'Sid', email: 'sid@example.com', email_verified: true }, idTokenClaims: { groups_direct: ['acme'] }, userinfoClaims: { groups } };
    const gitlab = new GitLabProvider(providerConfig('gitlab'), server.deps());
    const { profile, tokens } = await (await signIn(gitlab, server, user)).finish();
    expect(profile.groups).toEqual(['acme', 'acme/platform/infra']);
    groups.splice(0, 2, 'other');
    expect((await gitlab.refresh(tokens.refreshToken!)).profile.groups).toEqual(['other']);
  });
});

describe('Microsoft: the groups claim and its overage', () => {
  const GRAPH = 'https://graph.microsoft.com/v1.0/me/transitiveMemberOf';
  const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  beforeEach(() => entraReplica(server, TENANT, { issuerTenant: TENANT }));
  const megan = (idTokenClaims: Record<string, unknown>): FakeUser => ({ sub: 'megan', claims: { name: 'Megan', email: 'megan@contoso.com' }, idTokenClaims: { tid: TENANT, ...idTokenClaims } });

  test('the ID token claim: object ids, no Graph call', async () => {
    const ms = new MicrosoftProvider(providerConfig('microsoft', { tenant: TENANT, fetchGroups: true }), server.deps());
    const { url, finish } = await signIn(ms, server, megan({ groups: ['0BF5ADC1-AAAA-4D3A-9F49-000000000001'] }));
    expect(url.searchParams.get('scope')).toBe('openid email profile User.Read');
    expect((await finish()).profile.groups).toEqual(['0bf5adc1-aaaa-4d3a-9f49-000000000001']);
    expect(server.requests.some((r) => r.url.href.startsWith(GRAPH))).toBe(false);
  });

  test('groups with refresh (authCheckInterval > 0, origin tokens): offline_access is kept beside User.Read, so a refresh token comes', async () => {
    const ms = new MicrosoftProvider(providerConfig('microsoft', { tenant: TENANT, fetchGroups: true, offlineAccess: true }), server.deps());
    expect(ms.supportsRefresh).toBe(true);
    const { url, finish } = await signIn(ms, server, megan({ groups: ['g-1'] }));
    expect(url.searchParams.get('scope')!.split(' ').sort()).toEqual(['User.Read', 'email', 'offline_access', 'openid', 'profile']);
    const { tokens } = await finish();
    expect(tokens.refreshToken).toBeDefined();
    expect((await ms.refresh(tokens.refreshToken!)).profile.groups).toEqual(['g-1']);
  });

  test('past the overage (_claim_names.groups): every page of Graph transitiveMemberOf, groups only, same host only', async () => {
    const page2 = `${GRAPH}?$select=id&$top=100&$skiptoken=abc`;
    server.on('GET', GRAPH, (req) => {
      if (!/^Bearer \w+$/.test(req.headers.authorization ?? '')) return { status: 401, json: { error: { code: 'InvalidAuthenticationToken' } } };
      if (req.url.searchParams.get('$skiptoken') === 'abc') {
        return { json: { value: [{ '@odata.type': '#microsoft.graph.group', id: 'g-3' }], '@odata.nextLink': 'https://evil.example/next' } };
      }
      return {
        json: {
          '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#directoryObjects(id)',
          value: [
            { '@odata.type': '#microsoft.graph.group', id: 'g-1' },
            { '@odata.type': '#microsoft.graph.directoryRole', id: 'role-1' },
            { '@odata.type': '#microsoft.graph.group', id: 'G-2' },
          ],
          '@odata.nextLink': page2,
        },
      };
    });
    const overage = { _claim_names: { groups: 'src1' }, _claim_sources: { src1: { endpoint: 'https://graph.windows.net/x/users/y/getMemberObjects' } } };
    const ms = new MicrosoftProvider(providerConfig('microsoft', { tenant: TENANT, fetchGroups: true }), server.deps());
    const { profile } = await (await signIn(ms, server, megan(overage))).finish();
    expect(profile.groups).toEqual(['g-1', 'g-2', 'g-3']);
    expect(server.requests.some((r) => r.url.host === 'graph.windows.net' || r.url.host === 'evil.example')).toBe(false);
    expect(server.requests.find((r) => r.url.href.startsWith(GRAPH))!.headers.consistencylevel).toBe('eventual');
  });

  test('a re-check from userinfo (no ID token) asks Graph; Graph down is an error (grace), not "no groups"', async () => {
    server.on('GET', GRAPH, () => ({ json: { value: [{ '@odata.type': '#microsoft.graph.group', id: 'g-9' }] } }));
    const ms = new MicrosoftProvider(providerConfig('microsoft', { tenant: TENANT, fetchGroups: true }), server.deps());
    const { tokens } = await (await signIn(ms, server, megan({ groups: ['g-9'] }))).finish();
    expect((await ms.profile(tokens)).groups).toEqual(['g-9']);
    server.failNext(GRAPH, { status: 503, json: {} });
    await expect(ms.profile(tokens)).rejects.toMatchObject({ status: 503 });
    server.failNext(GRAPH, { status: 403, json: { error: { code: 'Authorization_RequestDenied' } } });
    expect((await ms.profile(tokens)).groups).toEqual([]);
  });
});

describe('generic OIDC: the claim named by claims.groups', () => {
  const base = 'https://idp.example.com';
  beforeEach(async () => {
    await server.oidcIssuer({
      discoveryBase: base,
      metadata: { issuer: base, authorization_endpoint: `${base}/authorize`, token_endpoint: `${base}/token`, userinfo_endpoint: `${base}/userinfo`, jwks_uri: `${base}/jwks` },
      server: { clientAuth: 'client_secret_basic', refresh: true },
    });
  });

  test('a configured claim name; values kept exactly (case), non-strings ignored; a single string is one group', async () => {
    const claims = { id: 'sub', name: 'name', email: 'email', emailVerified: 'email_verified', groups: 'cognito:groups' };
    const oidc = new OidcProvider(providerConfig('oidc', { issuer: base, claims }), server.deps());
    const user: FakeUser = { sub: 'u1', claims: { email: 'a@example.com', 'cognito:groups': ['Admins', 'Admins', 7, { x: 1 }, 'eng:Team'] } };
    expect((await (await signIn(oidc, server, user)).finish()).profile.groups).toEqual(['Admins', 'eng:Team']);
    const single: FakeUser = { sub: 'u2', claims: { 'cognito:groups': 'Solo' } };
    expect((await (await signIn(oidc, server, single)).finish()).profile.groups).toEqual(['Solo']);
    const none: FakeUser = { sub: 'u3', claims: {} };
    expect((await (await signIn(oidc, server, none)).finish()).profile.groups).toBeUndefined();
  });
});
