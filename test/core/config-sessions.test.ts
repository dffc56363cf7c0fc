/** The session and token fields of the config (issue 4): defaults and validation. */
import { parseConfig } from '../../lambdas/core/config/parse';

const base = { providers: [{ type: 'oidc', issuer: 'https://idp.example.com', clientId: 'c', clientSecret: 's' }] };
const problems = (input: Record<string, unknown>) => {
  const result = parseConfig({ ...base, ...input });
  return result.ok ? [] : result.problems;
};

test('defaults: activity written at most once a minute, 5 minutes of grace, no tokens to the origin', () => {
  const result = parseConfig(base);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  expect(result.config.session).toMatchObject({ revocationCheckInterval: 60, activityWriteInterval: 60, checkGracePeriod: 300 });
  expect(result.config.originTokens).toEqual({ enabled: false, accessTokenHeader: 'edge-oauth-access-token', refreshTokenHeader: 'edge-oauth-refresh-token' });
});

test('durations as strings; the activity write interval must be shorter than the inactivity timeout', () => {
  const ok = parseConfig({ ...base, session: { inactivityTimeout: '10m', activityWriteInterval: '2m', checkGracePeriod: 0 } });
  expect(ok.ok && ok.config.session).toMatchObject({ inactivityTimeout: 600, activityWriteInterval: 120, checkGracePeriod: 0 });
  expect(problems({ session: { inactivityTimeout: '1m', activityWriteInterval: '1m' } })).toEqual([
    { path: 'session.activityWriteInterval', message: 'must be shorter than inactivityTimeout: last activity is recorded at most once per this period' },
  ]);
  expect(problems({ session: { activityWriteInterval: 0 } })[0]).toMatchObject({ path: 'session.activityWriteInterval' });
  expect(problems({ session: { checkGracePeriod: 'soon' } })[0]).toMatchObject({ path: 'session.checkGracePeriod' });
});

test('token header names: no Lambda@Edge-reserved prefix, no collision with another edge-oauth header', () => {
  expect(problems({ originTokens: { enabled: true, accessTokenHeader: 'x-edge-token' } })[0]).toMatchObject({ path: 'originTokens.accessTokenHeader' });
  expect(problems({ originTokens: { accessTokenHeader: 'edge-oauth-user-id' } })).toEqual([
    { path: 'originTokens.accessTokenHeader', message: '"edge-oauth-user-id" is already used by another edge-oauth header' },
  ]);
  expect(problems({ originTokens: { accessTokenHeader: 'a-token', refreshTokenHeader: 'a-token' } })[0]).toMatchObject({ path: 'originTokens.refreshTokenHeader' });
  expect(problems({ originTokens: { enable: true } })[0]).toMatchObject({ path: 'originTokens', message: 'unknown field(s): enable' });
});
