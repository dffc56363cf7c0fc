/**
 * Issue #25, finding 3: header names Lambda@Edge forbids or treats as read-only for viewer
 * requests are refused by the config (`config check` and synth read it through parseConfig)
 * and by the construct (validateForDeployment, for a config built in code), naming the
 * field and the reason with its source.
 */
import { parseConfig } from '../../lambdas/core/config/parse';
import { DISALLOWED_HEADERS, edgeHeaderNameProblem, VIEWER_REQUEST_READ_ONLY_HEADERS } from '../../lambdas/core/edge-limits';
import { validateForDeployment } from '../../lib/deploy-checks';
import { testConfig } from './fixtures';

const base = {
  site: { domain: 'app.example.com', name: 'Test Site' },
  providers: [{ id: 'corp', type: 'oidc', issuer: 'https://idp.example.com', clientId: 'client-1', clientSecret: 'edge-oauth/corp' }],
};
const problemsOf = (overrides: Record<string, unknown>) => {
  const result = parseConfig({ ...base, ...overrides });
  return result.ok ? [] : result.problems;
};

describe('header names CloudFront refuses from a viewer-request function', () => {
  test.each([
    ['headers.userId', { headers: { userId: 'x-real-ip' } }, /disallowed header/],
    ['headers.userName', { headers: { userName: 'Keep-Alive' } }, /disallowed header/],
    ['headers.userEmail', { headers: { userEmail: 'x-cache' } }, /disallowed header/],
    ['headers.provider', { headers: { provider: 'cloudfront-viewer-country' } }, /disallowed for viewer events/],
    ['headers.userGroups', { headers: { userGroups: 'x-amzn-groups' } }, /disallowed x-amzn-\* headers/],
    ['assertion.header', { assertion: { header: 'x-amzn-trace-id' } }, /disallowed x-amzn-\* headers/],
    ['originTokens.accessTokenHeader', { originTokens: { accessTokenHeader: 'host' } }, /read-only for viewer request events/],
    ['originTokens.refreshTokenHeader', { originTokens: { refreshTokenHeader: 'Via' } }, /read-only for viewer request events/],
    ['headers.userGroups', { headers: { userGroups: 'x-edge' } }, /companion header "x-edge-truncated" is in the disallowed x-edge-\* headers/],
  ])('%s: refused with the reason and its source', (path, overrides, reason) => {
    const problems = problemsOf(overrides);
    const problem = problems.find((p) => p.path === path);
    expect(problem?.message).toMatch(reason);
    expect(problem?.message).toMatch(/docs\.aws\.amazon\.com\/AmazonCloudFront\/latest\/DeveloperGuide\//);
  });

  test('every listed name is refused, in any case; ordinary names pass', () => {
    for (const name of [...DISALLOWED_HEADERS, ...VIEWER_REQUEST_READ_ONLY_HEADERS, 'X-Amz-Cf-Id', 'x-edge-location', 'X-Accel-Anything']) {
      expect(edgeHeaderNameProblem(name.toUpperCase())).toBeDefined();
    }
    for (const name of ['edge-oauth-user-id', 'x-user', 'x-amz-content-sha256', 'cloudfront-viewer-city']) expect(edgeHeaderNameProblem(name)).toBeUndefined();
    expect(problemsOf({})).toEqual([]);
  });

  test('a config built in code is refused by the construct too (synth, deploy)', () => {
    const config = testConfig();
    expect(() => validateForDeployment({ ...config, headers: { ...config.headers, userEmail: 'x-real-ip' } })).toThrow(/headers\.userEmail: "x-real-ip" is a disallowed header/);
    expect(() => validateForDeployment({ ...config, headers: { ...config.headers, userGroups: 'x-edge' } })).toThrow(/-truncated companion/);
    expect(() => validateForDeployment(config)).not.toThrow();
  });
});
