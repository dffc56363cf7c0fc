/**
 * A provider's "slow down": each provider's documented throttling answers, in one place.
 * A throttled answer says nothing about the user, so it is a failed check (the session's
 * grace, session/refresh.ts `providerFailureKind`), never a revoked grant, whatever status
 * it came with. `throttlingAware` wraps a provider's `fetch` (providers/index.ts): a
 * throttled answer becomes a ProviderError with status 429 (RFC 6585 4, "Too Many
 * Requests"), naming what the provider actually sent, before anything reads it as a 403 or
 * an `invalid_grant`.
 *
 * What each provider documents:
 * - Every provider, and any OpenID Connect issuer: HTTP 429 (RFC 6585 4). A 5xx (with or
 *   without `Retry-After`) is an outage and already a failed check.
 * - GitHub: "If you exceed your primary rate limit, you will receive a 403 or 429 response,
 *   and the x-ratelimit-remaining header will be 0 ... If you exceed a secondary rate limit,
 *   you will receive a 403 or 429 response and an error message that indicates that you
 *   exceeded a secondary rate limit. If the retry-after response header is present, ..."
 *   (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit).
 *   So a 403 with `x-ratelimit-remaining: 0`, with `retry-after`, or whose `message` names a
 *   rate limit ("You have exceeded a secondary rate limit...").
 * - Microsoft: Graph "Returns HTTP status code 429 Too Many Requests" with a suggested wait
 *   in `Retry-After` (https://learn.microsoft.com/graph/throttling); Entra ID's token
 *   endpoint answers 429 with `Retry-After`, and for user-facing calls "an invalid_grant
 *   error code and a message set to AADSTS50196: The server terminated an operation because
 *   it encountered a loop" (https://learn.microsoft.com/entra/msal/dotnet/advanced/client-and-server-throttling):
 *   an `invalid_grant` that is throttling, read from `error_codes` (50196) or the description.
 * - Google: 429, and Google APIs' quota errors: a 403 whose `error.errors[].reason` is
 *   `rateLimitExceeded` or `userRateLimitExceeded` ("403 | userRateLimitExceeded | Indicates
 *   that the user rate limit has been exceeded", https://developers.google.com/admin-sdk/directory/v1/limits;
 *   Drive: "you'll receive a 403: User rate limit exceeded ... might also generate a 429",
 *   https://developers.google.com/drive/api/guides/limits), or `error.status`
 *   `RESOURCE_EXHAUSTED` (Google's canonical code for 429). Whether userinfo and the token
 *   endpoint use the 403 form is not documented: it is recognised if they do.
 * - GitLab: 429 with `RateLimit-*` and `Retry-After` headers (https://docs.gitlab.com/security/rate_limits).
 * - LinkedIn: "Rate limited requests will receive a 429 response"
 *   (https://learn.microsoft.com/linkedin/shared/api-guide/concepts/rate-limits).
 * - Twitch: "If you go over the rate limit, your request will fail with an HTTP 429",
 *   with `Ratelimit-Limit`, `Ratelimit-Remaining`, `Ratelimit-Reset` (https://dev.twitch.tv/docs/api/guide/#twitch-rate-limits).
 * - Facebook: Graph API errors with `code` 4 (application), 17 (user), 32 (page) or 613
 *   (custom) throttling, in a 400 or 403 body ("4 | API Too Many Calls | A temporary issue
 *   due to throttling", https://developers.facebook.com/docs/graph-api/guides/error-handling;
 *   https://developers.facebook.com/docs/graph-api/overview/rate-limiting/).
 * - Amazon: Login with Amazon documents no throttling answer; only 429 is recognised.
 */
import type { ProviderType } from '../config/types';
import { ProviderError } from '../errors';

/** What a throttling check sees of an answer: status, headers, and the JSON body when one was needed. */
export interface ProviderAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body?: unknown;
}

/** Why an answer is throttling (short, safe to log), or undefined when it is not. */
type Rule = (answer: ProviderAnswer) => string | undefined;

const FACEBOOK_THROTTLING_CODES: ReadonlySet<number> = new Set([4, 17, 32, 613]);
const GOOGLE_RATE_REASONS: ReadonlySet<string> = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);
/** Entra ID's error code for throttled user-facing token requests (AADSTS50196). */
const ENTRA_THROTTLED = 50196;

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

const github: Rule = ({ status, headers, body }) => {
  if (status !== 403) return undefined;
  if (headers.get('x-ratelimit-remaining') === '0') return 'x-ratelimit-remaining: 0';
  if (headers.has('retry-after')) return 'retry-after';
  const message = record(body)?.message;
  return typeof message === 'string' && message.toLowerCase().includes('rate limit') ? 'secondary rate limit' : undefined;
};

const facebook: Rule = ({ status, body }) => {
  if (status < 400) return undefined;
  const code = record(record(body)?.error)?.code;
  return typeof code === 'number' && FACEBOOK_THROTTLING_CODES.has(code) ? `Graph API error code ${code}` : undefined;
};

const google: Rule = ({ status, body }) => {
  if (status !== 403) return undefined;
  const error = record(record(body)?.error);
  if (error?.status === 'RESOURCE_EXHAUSTED') return 'RESOURCE_EXHAUSTED';
  const errors = Array.isArray(error?.errors) ? error.errors : [];
  const reason = errors.map((e) => record(e)?.reason).find((r) => typeof r === 'string' && GOOGLE_RATE_REASONS.has(r));
  return typeof reason === 'string' ? reason : undefined;
};

const microsoft: Rule = ({ status, body }) => {
  if (status !== 400) return undefined;
  const b = record(body);
  const codes = Array.isArray(b?.error_codes) ? b.error_codes : [];
  const description = typeof b?.error_description === 'string' ? b.error_description : '';
  return codes.includes(ENTRA_THROTTLED) || description.startsWith(`AADSTS${ENTRA_THROTTLED}`) ? `AADSTS${ENTRA_THROTTLED}` : undefined;
};

/** Each provider type's throttling answers besides HTTP 429, and whether they need the body. */
const RULES: Partial<Record<ProviderType, { rule: Rule; body: boolean }>> = {
  github: { rule: github, body: true },
  facebook: { rule: facebook, body: true },
  google: { rule: google, body: true },
  microsoft: { rule: microsoft, body: true },
};

/** Why `answer` is the provider's documented throttling answer; undefined when it is not. */
export function throttlingOf(type: ProviderType, answer: ProviderAnswer): string | undefined {
  if (answer.status === 429) return 'HTTP 429';
  const why = RULES[type]?.rule(answer);
  return why === undefined ? undefined : `HTTP ${answer.status}, ${why}`;
}

/** The error for a throttled answer: status 429 whatever the provider sent, and what it sent. */
export function throttledError(step: string, why: string): ProviderError {
  return new ProviderError('ERR_PROVIDER_FAILED', `${step}: rate limited (${why})`, { status: 429 });
}

/** The body a rule needs, read from a copy; undefined when there is none or it is not JSON. */
async function jsonOf(response: Response): Promise<unknown> {
  try {
    return await response.clone().json();
  } catch {
    return undefined;
  }
}

/**
 * `fetch` for a provider of `type`: its throttling answers (any request: token endpoint,
 * userinfo, profile and groups APIs) are thrown as `throttledError`, everything else is
 * handed on untouched. Only 4xx answers are looked at, and a body only where a rule needs it.
 */
export function throttlingAware(type: ProviderType, fetch: typeof globalThis.fetch): typeof globalThis.fetch {
  const needsBody = RULES[type]?.body === true;
  return async (input, init) => {
    const response = await fetch(input, init);
    if (response.status < 400 || response.status >= 500) return response;
    const body = needsBody && response.status !== 429 ? await jsonOf(response) : undefined;
    const why = throttlingOf(type, { status: response.status, headers: response.headers, body });
    if (why === undefined) return response;
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    throw throttledError(`${url.host}${url.pathname}`, why);
  };
}
