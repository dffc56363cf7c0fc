/** The access section of the config: publicPaths, paths, allow.groups, claims.groups, with clear errors. */
import { summarize } from '../../../bin/config-command';
import { parseConfig } from '../../../lambdas/core/config/parse';

const github = { type: 'github', clientId: 'gh', clientSecret: 's' };
const oidc = { type: 'oidc', issuer: 'https://idp.example.com', clientId: 'c', clientSecret: 's' };

function problems(input: Record<string, unknown>): Record<string, string> {
  const result = parseConfig(input);
  if (result.ok) throw new Error('expected problems');
  return Object.fromEntries(result.problems.map((p) => [p.path, p.message]));
}

function config(input: Record<string, unknown>) {
  const result = parseConfig(input);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

describe('access config', () => {
  test('the issue example parses: groups qualified by provider id, rules kept in order', () => {
    const c = config({
      providers: [github],
      publicPaths: ['/public/', '/healthz'],
      paths: [
        { prefix: '/admin/', allow: { emails: ['Boss@Example.com'] } },
        { prefix: '/eng/', allow: { groups: ['eng'] } },
      ],
      allow: { emailDomains: ['example.com'], groups: ['github:My-Org'] },
    });
    expect(c.publicPaths).toEqual(['/public/', '/healthz']);
    expect(c.paths).toEqual([
      { prefix: '/admin/', allow: { emails: ['boss@example.com'], emailDomains: [] } },
      { prefix: '/eng/', allow: { emails: [], emailDomains: [], groups: ['github:eng'] } },
    ]);
    // GitHub names are case-insensitive: lowercased on both sides.
    expect(c.allow.groups).toEqual(['github:my-org']);
    expect(c.providers[0]!.fetchGroups).toBe(true);
    expect(c.headers.userGroups).toBe('edge-oauth-user-groups');
    // Decisions depend on the path: the API authorizer must not cache across routes.
    expect(c.api.cacheTtl).toBe(0);
    expect(summarize(c)).toContain('allow 0 email(s), 1 domain(s), 1 group(s); 2 public path(s), 2 path rule(s);');
  });

  test('defaults: nothing public, no rules, claims.groups "groups", no group fetching', () => {
    const c = config({ providers: [oidc] });
    expect(c.publicPaths).toEqual([]);
    expect(c.paths).toEqual([]);
    expect(c.allow.groups).toBeUndefined();
    expect(c.providers[0]!.claims.groups).toBe('groups');
    expect(c.providers[0]!.fetchGroups).toBeUndefined();
    expect(c.api.cacheTtl).toBe(60);
  });

  test('OIDC group values are matched exactly (case kept); a prefix names the provider', () => {
    const c = config({ providers: [{ ...oidc, id: 'corp' }, github], allow: { groups: ['corp:Eng:Team', 'github:acme/Ops'] } });
    expect(c.allow.groups).toEqual(['corp:Eng:Team', 'github:acme/ops']);
  });

  test('a provider\'s own allow-list names its own groups without a prefix', () => {
    const c = config({ providers: [{ ...github, allow: { groups: ['acme'] } }, { ...oidc, id: 'corp' }] });
    expect(c.providers[0]!.allow).toEqual({ emails: [], emailDomains: [], groups: ['github:acme'] });
    expect(c.providers[1]!.fetchGroups).toBeUndefined();
  });

  test('bad paths and groups are refused with the field and the reason', () => {
    const byPath = problems({
      providers: [github, { ...oidc, id: 'corp' }, { type: 'amazon', clientId: 'a', clientSecret: 's' }],
      publicPaths: ['public/', '/a%2fb', '/x/../y', '/auth/x', '/', '/a//b', '/AUTH', '/img/*'],
      paths: [{ prefix: '/admin/', allow: {} }, { prefix: '/eng/', allow: { groups: ['eng', 'nope:x', 'amazon:x', 'github:'] } }],
      allow: { groups: [' padded'] },
    });
    expect(byPath['publicPaths[0]']).toMatch(/must start with "\/"/);
    expect(byPath['publicPaths[1]']).toMatch(/plain path/);
    expect(byPath['publicPaths[2]']).toMatch(/"\.\." segments/);
    expect(byPath['publicPaths[3]']).toMatch(/under \/auth/);
    expect(byPath['publicPaths[4]']).toMatch(/whole site public/);
    expect(byPath['publicPaths[5]']).toMatch(/"\/\/"/);
    expect(byPath['publicPaths[6]']).toMatch(/under \/auth/);
    expect(byPath['publicPaths[7]']).toMatch(/no wildcards/);
    expect(byPath['paths[0].allow']).toMatch(/at least one of emails, emailDomains, groups/);
    expect(byPath['allow.groups[0]']).toMatch(/no surrounding spaces/);
  });

  test('group names are resolved against the providers, with the fix in the message', () => {
    const byPath = problems({
      providers: [github, { ...oidc, id: 'corp' }, { type: 'amazon', clientId: 'a', clientSecret: 's' }],
      paths: [{ prefix: '/eng/', allow: { groups: ['eng', 'nope:x', 'amazon:x', 'github:'] } }],
    });
    expect(byPath['paths[0].allow.groups[0]']).toMatch(/several providers can have groups \("github", "corp"\): say which, as "<provider id>:eng"/);
    expect(byPath['paths[0].allow.groups[1]']).toMatch(/"nope" is not a configured provider id/);
    expect(byPath['paths[0].allow.groups[2]']).toMatch(/provider "amazon" \(amazon\) has no groups/);
    expect(byPath['paths[0].allow.groups[3]']).toMatch(/names no group/);
    const own = problems({ providers: [{ ...github, allow: { groups: ['corp:x'] } }, { ...oidc, id: 'corp' }] });
    expect(own['providers[0].allow.groups[0]']).toMatch(/provider "github"'s own allow-list/);
    const none = problems({ providers: [{ type: 'google', clientId: 'g', clientSecret: 's' }], allow: { groups: ['eng'] } });
    expect(none['allow.groups[0]']).toMatch(/no configured provider has groups/);
  });

  test("GitHub group rules with a GitHub App's client id are refused (GitHub lists no organizations to its tokens), naming the rule", () => {
    for (const clientId of ['Iv23liAbCdEf01234567', 'Iv1.0123456789abcdef']) {
      const byPath = problems({ providers: [{ ...github, clientId }], paths: [{ prefix: '/eng/', allow: { groups: ['github:my-org/team'] } }], allow: { groups: ['my-org'] } });
      expect(byPath['allow.groups[0]']).toMatch(/providers\[0\] is a GitHub App .*empty organization list.*Use an OAuth app/);
      expect(byPath['paths[0].allow.groups[0]']).toMatch(/GitHub App/);
    }
    // An OAuth app's client id (Ov23..., or 20 hex digits): fine; a GitHub App without group rules: fine.
    expect(config({ providers: [{ ...github, clientId: 'Ov23liAbCdEf01234567' }], allow: { groups: ['my-org'] } }).allow.groups).toEqual(['github:my-org']);
    expect(config({ providers: [{ ...github, clientId: 'Iv23liAbCdEf01234567' }], allow: { emailDomains: ['example.com'] } }).providers[0]!.clientId).toBe('Iv23liAbCdEf01234567');
  });

  test('a public path a rule covers, and an API cache with per-path decisions, are refused', () => {
    const byPath = problems({
      providers: [github],
      publicPaths: ['/admin/help/', '/ADMIN/x', '/docs/'],
      paths: [{ prefix: '/admin/', allow: { emails: ['a@example.com'] } }],
      api: { cacheTtl: 30 },
    });
    expect(byPath['publicPaths[0]']).toMatch(/covered by paths\[0\] \("\/admin\/"\)/);
    expect(byPath['publicPaths[1]']).toMatch(/covered by paths\[0\]/);
    expect(byPath['publicPaths[2]']).toBeUndefined();
    expect(byPath['api.cacheTtl']).toMatch(/must be 0 with publicPaths or paths/);
  });
});
