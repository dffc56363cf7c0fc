/** `edge-oauth config check` on providers: unknown types, and each provider's required fields. */
import { parseConfig } from '../../lambdas/core/config/parse';
import { PROVIDER_TYPES } from '../../lambdas/core/config/types';
import { createProviders } from '../../lambdas/core/providers';

const base = (provider: Record<string, unknown>) => ({
  providers: [{ clientId: 'id', clientSecret: { secretId: 'edge-oauth/client-secret' }, ...provider }],
});
const problems = (provider: Record<string, unknown>) => {
  const result = parseConfig(base(provider));
  return result.ok ? [] : result.problems;
};

test('an unknown provider type is rejected with the known ones listed', () => {
  expect(problems({ type: 'myspace' })).toEqual([
    { path: 'providers[0].type', message: `unknown provider; known: ${PROVIDER_TYPES.join(', ')}` },
  ]);
  expect(PROVIDER_TYPES).toEqual(['oidc', 'google', 'github', 'microsoft', 'gitlab', 'linkedin', 'twitch', 'amazon', 'facebook', 'cognito']);
});

test.each(['google', 'github', 'gitlab', 'linkedin', 'twitch', 'amazon', 'facebook'])('"%s" needs only clientId and clientSecret', (type) => {
  const result = parseConfig(base({ type }));
  expect(result.ok && result.config.providers[0]).toMatchObject({ id: type, type });
});

test.each(['google', 'github', 'microsoft', 'gitlab', 'linkedin', 'twitch', 'amazon', 'facebook', 'oidc'])('"%s" needs a clientId and a clientSecret', (type) => {
  const result = parseConfig({ providers: [{ type, tenant: type === 'microsoft' ? 'common' : undefined, issuer: type === 'oidc' ? 'https://idp.example.com' : undefined }] });
  expect(result.ok ? [] : result.problems.map((p) => p.path)).toEqual(['providers[0].clientId', 'providers[0].clientSecret']);
});

test('"oidc" needs an https issuer', () => {
  expect(problems({ type: 'oidc' })).toEqual([{ path: 'providers[0].issuer', message: expect.stringContaining('is required for an "oidc" provider') }]);
  expect(problems({ type: 'oidc', issuer: 'http://idp.example.com' })).toEqual([{ path: 'providers[0].issuer', message: expect.stringContaining('must be https') }]);
  expect(problems({ type: 'oidc', issuer: 'http://localhost:9000', allowInsecureRequests: true })).toEqual([]);
});

test('"microsoft" needs a tenant: common, organizations, consumers, a tenant id or a domain', () => {
  expect(problems({ type: 'microsoft' })).toEqual([{ path: 'providers[0].tenant', message: expect.stringContaining('is required for a "microsoft" provider: "common"') }]);
  for (const tenant of ['common', 'organizations', 'consumers', '72f988bf-86f1-41af-91ab-2d7cd011db47', 'contoso.onmicrosoft.com']) {
    expect(problems({ type: 'microsoft', tenant })).toEqual([]);
  }
  expect(problems({ type: 'microsoft', tenant: 'my tenant' })).toEqual([
    { path: 'providers[0].tenant', message: expect.stringContaining('"my tenant" is not a Microsoft tenant: use "common"') },
  ]);
});

test('"tenant" only applies to microsoft; "issuer" only to oidc and self-managed gitlab', () => {
  expect(problems({ type: 'google', tenant: 'common' })).toEqual([{ path: 'providers[0].tenant', message: 'only applies to the "microsoft" provider' }]);
  expect(problems({ type: 'github', issuer: 'https://github.example.com' })).toEqual([
    { path: 'providers[0].issuer', message: expect.stringContaining('does not apply to the "github" provider') },
  ]);
  expect(problems({ type: 'gitlab', issuer: 'https://gitlab.example.org' })).toEqual([]);
});

test('several providers on one site: distinct ids, each with its own allow-list', () => {
  const result = parseConfig({
    providers: [
      { type: 'google', clientId: 'g', clientSecret: 'edge-oauth/google-client-secret', allow: { emailDomains: ['example.com'] } },
      { type: 'github', clientId: 'h', clientSecret: 'edge-oauth/github-client-secret' },
      { id: 'github-enterprise', type: 'github', clientId: 'e', clientSecret: 'edge-oauth/github-enterprise-secret' },
    ],
  });
  expect(result.ok && result.config.providers.map((p) => [p.id, p.allow])).toEqual([
    ['google', { emails: [], emailDomains: ['example.com'] }],
    ['github', undefined],
    ['github-enterprise', undefined],
  ]);
  expect(problems({ type: 'github' }).length).toBe(0);
  const dup = parseConfig({ providers: [base({ type: 'github' }).providers[0], base({ type: 'github' }).providers[0]] });
  expect(dup.ok ? [] : dup.problems).toEqual([{ path: 'providers[1].id', message: 'duplicate provider id "github"; give each provider a distinct "id"' }]);
});

test('"oidc" takes tokenEndpointAuthMethod: client_secret_basic or client_secret_post; other providers do not', () => {
  const oidc = { type: 'oidc', issuer: 'https://idp.example.com' };
  for (const method of ['client_secret_basic', 'client_secret_post']) {
    const result = parseConfig(base({ ...oidc, tokenEndpointAuthMethod: method }));
    expect(result.ok && result.config.providers[0]!.tokenEndpointAuthMethod).toBe(method);
  }
  const unset = parseConfig(base(oidc));
  expect(unset.ok && 'tokenEndpointAuthMethod' in unset.config.providers[0]!).toBe(false);
  expect(problems({ ...oidc, tokenEndpointAuthMethod: 'private_key_jwt' })).toEqual([
    { path: 'providers[0].tokenEndpointAuthMethod', message: 'must be "client_secret_basic" (HTTP Basic) or "client_secret_post" (in the request body)' },
  ]);
  expect(problems({ type: 'gitlab', tokenEndpointAuthMethod: 'client_secret_basic' })).toEqual([
    { path: 'providers[0].tokenEndpointAuthMethod', message: 'only applies to the "oidc" provider: the "gitlab" provider\'s client authentication is built in' },
  ]);
});

test('"google" takes hostedDomains (domains, lower-cased); other providers do not', () => {
  const result = parseConfig(base({ type: 'google', hostedDomains: ['Example.COM', 'corp.example.org'] }));
  expect(result.ok && result.config.providers[0]!.hostedDomains).toEqual(['example.com', 'corp.example.org']);
  expect(problems({ type: 'google', hostedDomains: [] })).toEqual([
    { path: 'providers[0].hostedDomains', message: 'must list at least one domain (leave the field out to admit any Google account)' },
  ]);
  expect(problems({ type: 'google', hostedDomains: ['@example.com'] })[0]!.path).toBe('providers[0].hostedDomains[0]');
  expect(problems({ type: 'github', hostedDomains: ['example.com'] })).toEqual([
    { path: 'providers[0].hostedDomains', message: expect.stringContaining('only applies to the "google" provider') },
  ]);
});

test('offline access is wanted when the session settings need refresh tokens: authCheckInterval > 0 or origin tokens', () => {
  const providers = (extra: Record<string, unknown>) => {
    const result = parseConfig({ ...base({ type: 'google' }), ...extra });
    if (!result.ok) throw new Error('invalid');
    expect('offlineAccess' in result.config.providers[0]!).toBe(false); // never in the resolved config
    return createProviders(result.config, { fetch: globalThis.fetch, now: () => 0, readSecret: async () => 'x' }).get('google')!;
  };
  expect(providers({}).supportsRefresh).toBe(false);
  expect(providers({ session: { authCheckInterval: '15m' } }).supportsRefresh).toBe(true);
  expect(providers({ originTokens: { enabled: true } }).supportsRefresh).toBe(true);
});
