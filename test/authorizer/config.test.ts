/** The `api` config section (docs/config.md) and the answers it shapes (docs/api.md). */
import { apiErrorBody, apiSignInUrl } from '../../lambdas/core/api/authorizer';
import { parseConfig } from '../../lambdas/core/config/parse';
import { testConfig } from '../core/fixtures';

const base = { providers: [{ type: 'google', clientId: 'g', clientSecret: 's' }] };
const problems = (api: unknown, extra: Record<string, unknown> = {}) => {
  const result = parseConfig({ ...base, ...extra, api });
  return result.ok ? [] : result.problems;
};

describe('config: api', () => {
  test('absent: the authorizer cache only, no API for the ready stack', () => {
    const result = parseConfig(base);
    expect(result.ok && result.config.api).toEqual({ cacheTtl: 60 });
  });

  test('an API for the ready stack: kind and upstream, path defaults to /api, a trailing "/" on the upstream dropped', () => {
    const result = parseConfig({ ...base, api: { kind: 'rest', upstream: 'https://backend.example.com/v1/', cacheTtl: '30s', name: 'Orders' } });
    expect(result.ok && result.config.api).toEqual({ cacheTtl: 30, kind: 'rest', upstream: 'https://backend.example.com/v1', path: '/api', name: 'Orders' });
  });

  test.each([
    [{ kind: 'http' }, 'api.upstream', /required with api.kind/],
    [{ upstream: 'https://backend.example.com' }, 'api.upstream', /only used with api.kind/],
    [{ kind: 'graphql', upstream: 'https://b.example.com' }, 'api.kind', /"http".*"rest"/],
    [{ kind: 'http', upstream: 'http://backend.example.com' }, 'api.upstream', /https/],
    [{ kind: 'http', upstream: 'https://backend.example.com/?a=1' }, 'api.upstream', /without query/],
    [{ kind: 'http', upstream: 'https://user:pw@backend.example.com' }, 'api.upstream', /credentials/],
    [{ kind: 'http', upstream: 'https://b.example.com', path: '/auth' }, 'api.path', /edge-oauth's own/],
    [{ kind: 'http', upstream: 'https://b.example.com', path: '/AUTH/api' }, 'api.path', /edge-oauth's own/],
    [{ kind: 'http', upstream: 'https://b.example.com', path: 'api' }, 'api.path', /path such as/],
    [{ kind: 'http', upstream: 'https://b.example.com', path: '/api/' }, 'api.path', /no trailing/],
    [{ cacheTtl: 'soon' }, 'api.cacheTtl', /not a duration/],
    [{ cacheTtl: '90s' }, 'api.cacheTtl', /revocationCheckInterval \(60s\)/],
    [{ unknown: true }, 'api', /unknown field/],
  ])('%j is refused at %s', (api, path, message) => {
    expect(problems(api)).toEqual(expect.arrayContaining([{ path, message: expect.stringMatching(message) }]));
  });
});

describe('what a client without a valid session is told', () => {
  test('the sign-in URL: absolute on site.domain, else relative to the host the API was called on', () => {
    expect(apiSignInUrl(testConfig())).toBe('https://app.example.com/auth/login');
    expect(apiSignInUrl(testConfig(), { reauthenticate: true })).toBe('https://app.example.com/auth/authn');
    expect(apiSignInUrl(testConfig({ site: { name: 'No domain' } }))).toBe('/auth/login');
  });

  test('the JSON bodies: an error code, a message, where to sign in; nothing a VTL template would interpret', () => {
    const config = testConfig();
    for (const kind of ['unauthorized', 'forbidden', 'unavailable'] as const) {
      const body = apiErrorBody(config, kind);
      expect(JSON.parse(body)).toMatchObject({ error: kind, message: expect.any(String) });
      expect(body).not.toMatch(/[$#]/);
    }
    expect(JSON.parse(apiErrorBody(config, 'unauthorized')).signIn).toBe('https://app.example.com/auth/login');
    expect(JSON.parse(apiErrorBody(config, 'unavailable')).signIn).toBeUndefined();
  });
});
