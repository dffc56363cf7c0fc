/**
 * How each provider replica answers when it throttles, as each provider documents it (the
 * same sources as lambdas/core/providers/throttling.ts), at the endpoints a re-check calls:
 * the profile or userinfo endpoint, the groups APIs, and the token endpoint (refresh).
 * Bodies follow the providers' documented error shapes; where a provider documents only the
 * status, the body is a plausible one and nothing depends on it.
 */
import type { ProviderType } from '../../lambdas/core/config/types';
import type { FakeResponse } from './fake-oauth-server';

const RESET = String(Math.floor(Date.now() / 1000) + 3600);

/** docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit: "403 or 429", both limits. */
const GITHUB_PRIMARY = {
  headers: { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '5000', 'x-ratelimit-reset': RESET, 'x-ratelimit-resource': 'core' },
  json: { message: 'API rate limit exceeded for user ID 583231.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' },
};
const GITHUB_SECONDARY = {
  headers: { 'retry-after': '60' },
  json: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits' },
};
/** A secondary limit with neither header: only the message says so ("an error message that indicates..."). */
const GITHUB_SECONDARY_MESSAGE_ONLY = { json: GITHUB_SECONDARY.json };

/** developers.facebook.com/docs/graph-api/guides/error-handling: codes 4, 17, 32, 613 are throttling. */
const facebook = (code: number, message: string, status: number): FakeResponse => ({
  status,
  json: { error: { message, type: 'OAuthException', is_transient: true, code, fbtrace_id: 'AbCdEf123' } },
});

export const THROTTLED: Readonly<Record<ProviderType, readonly FakeResponse[]>> = {
  github: [
    { status: 403, ...GITHUB_PRIMARY },
    { status: 429, ...GITHUB_PRIMARY },
    { status: 403, ...GITHUB_SECONDARY },
    { status: 429, ...GITHUB_SECONDARY },
    { status: 403, ...GITHUB_SECONDARY_MESSAGE_ONLY },
  ],
  // learn.microsoft.com/graph/throttling (429 + Retry-After); Entra's token endpoint: 429 + Retry-After,
  // and invalid_grant AADSTS50196 for user-facing calls (learn.microsoft.com/entra/msal/dotnet/advanced/client-and-server-throttling).
  microsoft: [
    { status: 429, headers: { 'retry-after': '10' }, json: { error: { code: 'TooManyRequests', message: 'Too many requests.', innerError: { date: '2026-12-06T10:00:00', 'request-id': 'r' } } } },
    { status: 429, headers: { 'retry-after': '60' }, text: 'Too Many Requests' },
    {
      status: 400,
      json: {
        error: 'invalid_grant',
        error_description: 'AADSTS50196: The server terminated an operation because it encountered a loop while processing a request. Trace ID: t Correlation ID: c Timestamp: 2026-12-06 10:00:00Z',
        error_codes: [50196],
        timestamp: '2026-12-06 10:00:00Z',
        trace_id: 't',
        correlation_id: 'c',
      },
    },
  ],
  // developers.google.com/admin-sdk/directory/v1/limits (403 userRateLimitExceeded); 429 RESOURCE_EXHAUSTED.
  google: [
    { status: 429, json: { error: { code: 429, message: 'Quota exceeded.', status: 'RESOURCE_EXHAUSTED' } } },
    { status: 403, json: { error: { code: 403, message: 'User Rate Limit Exceeded', errors: [{ domain: 'usageLimits', reason: 'userRateLimitExceeded', message: 'User Rate Limit Exceeded' }] } } },
    { status: 403, json: { error: { code: 403, message: 'Rate Limit Exceeded', errors: [{ domain: 'usageLimits', reason: 'rateLimitExceeded', message: 'Rate Limit Exceeded' }] } } },
  ],
  // docs.gitlab.com/security/rate_limits: 429 with RateLimit-* and Retry-After; the body is Rack::Attack's text.
  gitlab: [{ status: 429, headers: { 'retry-after': '60', 'ratelimit-limit': '2000', 'ratelimit-remaining': '0', 'ratelimit-reset': RESET }, text: 'Retry later\n' }],
  // learn.microsoft.com/linkedin/shared/api-guide/concepts/rate-limits: "Rate limited requests will receive a 429 response".
  linkedin: [{ status: 429, json: { status: 429, serviceErrorCode: 101, code: 'TOO_MANY_REQUESTS', message: 'Resource level throttle APPLICATION DAY limit for calls to this resource is reached.' } }],
  // dev.twitch.tv/docs/api/guide/#twitch-rate-limits: 429 with Ratelimit-Limit, Ratelimit-Remaining, Ratelimit-Reset.
  twitch: [{ status: 429, headers: { 'ratelimit-limit': '800', 'ratelimit-remaining': '0', 'ratelimit-reset': RESET }, json: { error: 'Too Many Requests', status: 429, message: '' } }],
  facebook: [
    facebook(4, '(#4) Application request limit reached', 400),
    facebook(4, '(#4) Application request limit reached', 403),
    facebook(17, '(#17) User request limit reached', 400),
    facebook(32, '(#32) Page request limit reached', 403),
    facebook(613, '(#613) Calls to this api have exceeded the rate limit.', 400),
  ],
  // Login with Amazon documents no throttling answer: the standard one (RFC 6585 4).
  amazon: [{ status: 429, json: { error: 'too_many_requests' } }],
  // docs.aws.amazon.com/cognito/latest/developerguide/quotas.html: the OAuth endpoints count against the
  // UserAuthentication/UserFederation request-rate quotas; the answer past them is a 429 (the API's
  // TooManyRequestsException). The body of the token endpoint's 429 is not documented: not relied on.
  cognito: [{ status: 429, json: { error: 'TooManyRequestsException' } }],
  // Any OpenID Connect issuer: RFC 6585 4 ("MAY include a Retry-After header").
  oidc: [{ status: 429, headers: { 'retry-after': '30' } }],
};

/** Answers that look alike but are not throttling: each must stay what it is (a revoked or refused grant). */
export const NOT_THROTTLED: ReadonlyArray<{ type: ProviderType; answer: FakeResponse }> = [
  { type: 'github', answer: { status: 403, headers: { 'x-ratelimit-remaining': '4999' }, json: { message: 'Resource not accessible by integration' } } },
  { type: 'github', answer: { status: 401, json: { message: 'Bad credentials' } } },
  { type: 'facebook', answer: facebook(190, 'Error validating access token: The session has been invalidated.', 400) },
  { type: 'google', answer: { status: 403, json: { error: { code: 403, message: 'Forbidden', errors: [{ domain: 'global', reason: 'forbidden' }] } } } },
  { type: 'microsoft', answer: { status: 400, json: { error: 'invalid_grant', error_description: 'AADSTS70008: The provided authorization code or refresh token has expired.', error_codes: [70008] } } },
];
