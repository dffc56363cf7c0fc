/** A `cognito` provider in the config: the pool the stack creates, or the operator's own. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram } from '../../bin/cli';
import { parseConfig } from '../../lambdas/core/config/parse';

const problems = (provider: Record<string, unknown>) => {
  const result = parseConfig({ providers: [provider] });
  return result.ok ? {} : Object.fromEntries(result.problems.map((p) => [p.path, p.message]));
};

test('{"id": "team", "type": "cognito"} with no client: a pool the stack creates, its ids and secret in one secret', () => {
  const result = parseConfig({ providers: [{ id: 'team', type: 'cognito' }] });
  expect(result.ok).toBe(true);
  if (!result.ok) return;
  expect(result.config.providers[0]).toMatchObject({
    id: 'team',
    type: 'cognito',
    displayName: 'Amazon Cognito',
    clientId: '',
    clientSecret: { secretId: 'edge-oauth/cognito/team', jsonKey: 'clientSecret' },
    cognito: { endProviderSession: false, managed: { mfa: 'optional', passkeys: true, refreshTokenValidity: 30 * 86400 } },
  });
});

test('the managed pool\'s settings: domain prefix, MFA, passkeys, refresh token lifetime, logout at Cognito', () => {
  const result = parseConfig({ providers: [{ id: 'team', type: 'cognito', domainPrefix: 'acme-staff', mfa: 'required', passkeys: false, refreshTokenValidity: '12h', endProviderSession: true }] });
  expect(result.ok && result.config.providers[0]!.cognito).toEqual({ endProviderSession: true, managed: { domainPrefix: 'acme-staff', mfa: 'required', passkeys: false, refreshTokenValidity: 43200 } });
});

test('an own pool takes userPoolId, clientId and clientSecret together', () => {
  const result = parseConfig({ providers: [{ type: 'cognito', userPoolId: 'eu-west-1_AbC123', clientId: 'abc', clientSecret: 'edge-oauth/cognito-client' }] });
  expect(result.ok && result.config.providers[0]).toMatchObject({ id: 'cognito', clientId: 'abc', clientSecret: { secretId: 'edge-oauth/cognito-client' }, cognito: { userPoolId: 'eu-west-1_AbC123', endProviderSession: false } });
  expect(problems({ type: 'cognito', clientId: 'abc' })).toEqual({
    'providers[0].userPoolId': expect.stringMatching(/is required with clientId: a pool of your own takes userPoolId, clientId and clientSecret/),
    'providers[0].clientSecret': expect.stringMatching(/is required with clientId/),
  });
  expect(problems({ type: 'cognito', userPoolId: 'eu-west-1_AbC123', clientId: 'a', clientSecret: 's', domainPrefix: 'x' })).toEqual({
    'providers[0].domainPrefix': expect.stringMatching(/only applies to a pool the stack creates/),
  });
});

test('bad values name the field and the reason', () => {
  expect(problems({ type: 'cognito', domainPrefix: 'My_Site' })['providers[0].domainPrefix']).toMatch(/lowercase letters, digits or "-"/);
  expect(problems({ type: 'cognito', domainPrefix: 'my-cognito-site' })['providers[0].domainPrefix']).toMatch(/must not contain "aws", "amazon" or "cognito"/);
  expect(problems({ type: 'cognito', refreshTokenValidity: '30m' })['providers[0].refreshTokenValidity']).toMatch(/from "1h" to "3650d"/);
  expect(problems({ type: 'cognito', mfa: 'sms' })['providers[0].mfa']).toMatch(/"off", "optional"/);
  expect(problems({ type: 'cognito', userPoolId: 'pool', clientId: 'a', clientSecret: 's' })['providers[0].userPoolId']).toMatch(/user pool id such as/);
  expect(problems({ type: 'cognito', issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x' })['providers[0].issuer']).toMatch(/built in/);
});

test('other providers still need their client, and refuse the cognito fields', () => {
  expect(problems({ type: 'google' })).toEqual({
    'providers[0].clientId': 'is required: the OAuth client id from the provider',
    'providers[0].clientSecret': expect.stringMatching(/is required: where the OAuth client secret lives/),
  });
  expect(problems({ type: 'github', clientId: 'a', clientSecret: 's', userPoolId: 'us-east-1_x', mfa: 'off' })).toEqual({
    'providers[0].userPoolId': 'only applies to the "cognito" provider',
    'providers[0].mfa': 'only applies to the "cognito" provider',
  });
});

test('cognito:groups feed allow.groups and path rules ("team:admins")', () => {
  const result = parseConfig({ providers: [{ id: 'team', type: 'cognito' }], allow: { groups: ['team:staff'] }, paths: [{ prefix: '/admin/', allow: { groups: ['admins'] } }] });
  expect(result.ok).toBe(true);
  if (!result.ok) return;
  expect(result.config.allow.groups).toEqual(['team:staff']);
  expect(result.config.providers[0]!.fetchGroups).toBe(true);
});

test('npx edge-oauth config check accepts the managed provider', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edge-oauth-cognito-'));
  const file = join(dir, 'edge-oauth.config.jsonc');
  writeFileSync(file, '{\n  // a pool the stack creates\n  "site": {"domain": "app.example.com"},\n  "providers": [{"id": "team", "type": "cognito"}]\n}\n');
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
  try {
    await buildProgram({ out: () => undefined, err: () => undefined }).parseAsync(['node', 'edge-oauth', 'config', 'check', file]);
  } finally {
    log.mockRestore();
  }
  expect(lines.join('\n')).toMatch(/^ok: app\.example\.com: providers team \(cognito, a user pool the stack creates\)/);
  expect(process.exitCode ?? 0).toBe(0);
});
