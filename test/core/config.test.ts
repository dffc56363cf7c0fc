import { readFileSync } from 'node:fs';
import { summarize } from '../../bin/config-command';
import { formatDuration, parseDuration } from '../../lambdas/core/config/duration';
import { parseConfigText } from '../../lambdas/core/config/parse-text';
import { parseConfig } from '../../lambdas/core/config/parse';

const minimal = { providers: [{ type: 'oidc', issuer: 'https://idp.example.com', clientId: 'c', clientSecret: 's' }] };

describe('config', () => {
  test('defaults: 0 = none for the three limits, 60 s revocation check, edge-oauth-* headers', () => {
    const result = parseConfig(minimal);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.session).toMatchObject({ authCheckInterval: 0, inactivityTimeout: 0, maxDuration: 0, revocationCheckInterval: 60, cookiePrefix: 'edge-oauth' });
    expect(result.config.providers[0]).toMatchObject({ id: 'oidc', displayName: 'OpenID Connect', clientSecret: { secretId: 's' }, scopes: [] });
    expect(result.config.headers.userEmail).toBe('edge-oauth-user-email');
    expect(result.config.optionsPassthrough).toBe(false);
  });

  test('durations: seconds or "90s", "15m", "12h", "7d", "1h30m"', () => {
    expect(['0', 0, 900, '90s', '15m', '12h', '7d', '1h30m'].map((v) => parseDuration(v))).toEqual([0, 0, 900, 90, 900, 43200, 604800, 5400]);
    for (const bad of ['7 days', '-1', '1.5h', 'h', '', -5, 1.5]) expect(parseDuration(bad)).toBeUndefined();
    expect(formatDuration(5400)).toBe('1h30m');
  });

  test('every problem is reported with its field path and the reason', () => {
    const result = parseConfig({
      providers: [
        { type: 'gitlub', clientId: 'c', clientSecret: 's' },
        { type: 'oidc', clientId: '', clientSecret: {} },
      ],
      allow: { emails: ['a@b@c.com'], emailDomains: ['*.example.com'] },
      session: { inactivityTimeout: '8 hours', cookiePrefix: 'session' },
      headers: { userId: 'x-amz-cf-user' },
      extra: true,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const byPath = Object.fromEntries(result.problems.map((p) => [p.path, p.message]));
    expect(byPath['providers[0].type']).toMatch(/unknown provider; known: oidc, google, github/);
    expect(byPath['providers[1].clientId']).toMatch(/required/);
    expect(byPath['providers[1].clientSecret']).toMatch(/where the secret lives/);
    expect(byPath['providers[1].issuer']).toMatch(/required for an "oidc" provider/);
    expect(byPath['allow.emails[0]']).toMatch(/exactly one "@"/);
    expect(byPath['allow.emailDomains[0]']).toMatch(/no wildcard/);
    expect(byPath['session.inactivityTimeout']).toMatch(/not a duration/);
    expect(byPath['session.cookiePrefix']).toMatch(/collides/);
    expect(byPath['headers.userId']).toMatch(/disallowed x-amz-cf-\* headers/);
    expect(byPath['(root)']).toMatch(/unknown field\(s\): extra/);
  });

  test('an http issuer needs allowInsecureRequests; duplicate provider ids are refused', () => {
    const result = parseConfig({
      providers: [
        { type: 'oidc', issuer: 'http://localhost:9000', clientId: 'c', clientSecret: 's' },
        { type: 'oidc', issuer: 'https://b.example', clientId: 'c', clientSecret: 's' },
      ],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.path)).toEqual(expect.arrayContaining(['providers[0].issuer', 'providers[1].id']));
  });

  test('the commented example config is valid and summarises in one line', () => {
    const result = parseConfigText(readFileSync('edge-oauth.config.example.jsonc', 'utf8'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const line = summarize(result.config);
    expect(line).not.toContain('\n');
    expect(line).toMatch(/^ok: app\.example\.com: providers corp \(oidc\)/);
  });

  test('JSON syntax errors name the line and column', () => {
    const result = parseConfigText('{\n  "providers": [\n}');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]!.path).toMatch(/^\(line 3, column \d+\)$/);
  });
});
