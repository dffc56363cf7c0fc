/**
 * The authorization fingerprint (lambdas/core/access/fingerprint.ts): it changes with every
 * setting that decides who a session admits, and with nothing else.
 */
import { authFingerprint } from '../../../lambdas/core/access/fingerprint';
import { testConfig } from '../fixtures';

const corp = { id: 'corp', type: 'oidc', issuer: 'https://idp.example.com', clientId: 'client-1', clientSecret: 'edge-oauth/corp' };
const base = { allow: { emails: ['ada@example.com', 'bob@example.com'], emailDomains: ['example.org'] }, providers: [corp] };
const fp = (overrides: Record<string, unknown> = {}) => authFingerprint(testConfig({ ...base, ...overrides }));

describe('authFingerprint', () => {
  test('stable: the same settings give the same fingerprint, computed once per config object', () => {
    const config = testConfig(base);
    expect(authFingerprint(config)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(authFingerprint(config)).toBe(authFingerprint(config));
    expect(fp()).toBe(authFingerprint(config));
  });

  test.each<[string, Record<string, unknown>]>([
    ['an email removed from the allow-list', { allow: { emails: ['ada@example.com'], emailDomains: ['example.org'] } }],
    ['a domain added', { allow: { emails: ['ada@example.com', 'bob@example.com'], emailDomains: ['example.org', 'example.net'] } }],
    ['a group added', { allow: { ...base.allow, groups: ['corp:admins'] } }],
    ['a provider allow-list', { providers: [{ ...corp, allow: { emails: ['ada@example.com'] } }] }],
    ['a provider added', { providers: [corp, { ...corp, id: 'other', clientId: 'client-2' }] }],
    ['a provider issuer', { providers: [{ ...corp, issuer: 'https://other.example.com' }] }],
    ['a provider client id', { providers: [{ ...corp, clientId: 'client-9' }] }],
    ['a claim mapping', { providers: [{ ...corp, claims: { email: 'mail' } }] }],
    ['a path rule', { paths: [{ prefix: '/admin/', allow: { emails: ['ada@example.com'] } }] }],
  ])('changes with %s', (_what, overrides) => {
    expect(fp(overrides)).not.toBe(fp());
  });

  test('path rules: their order counts (first match wins)', () => {
    const a = { prefix: '/a/', allow: { emails: ['ada@example.com'] } };
    const b = { prefix: '/a/b/', allow: { emails: ['bob@example.com'] } };
    expect(fp({ paths: [a, b] })).not.toBe(fp({ paths: [b, a] }));
  });

  test.each<[string, Record<string, unknown>]>([
    ['the site name', { site: { domain: 'app.example.com', name: 'Renamed' } }],
    ['the session settings', { session: { revocationCheckInterval: '10s', authCheckInterval: '1h', maxDuration: '7d' } }],
    ['a display name, scopes and secret of a provider', { providers: [{ ...corp, displayName: 'Corp SSO', scopes: ['profile'], clientSecret: 'other/secret' }] }],
    ['header names', { headers: { userEmail: 'x-email' } }],
    ['public paths', { publicPaths: ['/health'] }],
    ['the order of emails and domains', { allow: { emails: ['bob@example.com', 'ada@example.com'], emailDomains: ['example.org'] } }],
    ['the order of providers', { providers: [corp, { ...corp, id: 'other', clientId: 'client-2' }] }],
  ])('does not change with %s', (what, overrides) => {
    if (what === 'the order of providers') {
      expect(fp({ providers: [{ ...corp, id: 'other', clientId: 'client-2' }, corp] })).toBe(fp(overrides));
      return;
    }
    expect(fp(overrides)).toBe(fp());
  });
});
