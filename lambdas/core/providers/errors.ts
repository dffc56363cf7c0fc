/**
 * Turns whatever a provider call threw into a ProviderError with a stable code and a
 * short, safe detail (the OAuth error code and HTTP status; never a token or body dump).
 */
import { EdgeOAuthError, ProviderError } from '../errors';

export function toProviderError(error: unknown, step: string): EdgeOAuthError {
  if (error instanceof EdgeOAuthError) return error;
  // Ours, thrown inside a library call (a throttled answer, throttling.ts): openid-client wraps it.
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause instanceof EdgeOAuthError) return cause;
  const e = oauthErrorOf(error as OAuthLikeError);
  const status = statusOf(e);
  if (status === 429) return rateLimited(step);
  if (typeof e?.error === 'string') {
    const shown = typeof e.status === 'number' ? ` (HTTP ${e.status})` : '';
    const code = e.error === 'access_denied' ? 'ERR_PROVIDER_DENIED' : 'ERR_PROVIDER_FAILED';
    const description = typeof e.error_description === 'string' ? safeDescription(e.error_description) : undefined;
    return new ProviderError(code, `${step}: ${safeToken(e.error)}${shown}`, {
      status,
      oauthError: safeToken(e.error),
      ...(description !== undefined && { oauthErrorDescription: description }),
    });
  }
  if (e?.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' && status !== undefined) {
    return new ProviderError('ERR_PROVIDER_FAILED', `${step}: HTTP ${status}`, { status });
  }
  // Before `unreachable`: a provider that accepted the connection but answered after the
  // deadline is slow, not down, and the operator should hear which.
  if (timedOut(e) || timedOut(e?.cause as typeof e)) {
    return new ProviderError('ERR_PROVIDER_TIMEOUT', `${step}: the provider did not answer in time`);
  }
  if (unreachable(e) || unreachable(e?.cause as typeof e)) {
    return new ProviderError('ERR_PROVIDER_UNREACHABLE', `${step}: the provider could not be reached`);
  }
  const code = typeof e?.code === 'string' ? ` [${safeToken(e.code)}]` : '';
  return new ProviderError('ERR_PROVIDER_RESPONSE', `${step}: unexpected response${code}`, { status });
}

type OAuthLikeError = { name?: string; code?: string; error?: string; error_description?: string; status?: number; cause?: unknown; message?: string };

/**
 * oauth4webapi reads a 401 with a `WWW-Authenticate` header (Doorkeeper and oidc-provider
 * send one for `invalid_client`) as a challenge, not a body: its `error` and
 * `error_description` are the challenge's parameters.
 */
function oauthErrorOf(e: OAuthLikeError): OAuthLikeError {
  if (e?.code !== 'OAUTH_WWW_AUTHENTICATE_CHALLENGE' || !Array.isArray(e.cause)) return e;
  const challenge = (e.cause as { parameters?: Record<string, unknown> }[]).find((c) => typeof c?.parameters?.error === 'string');
  if (challenge === undefined) return e;
  const { error, error_description: description } = challenge.parameters!;
  return { ...e, error: error as string, ...(typeof description === 'string' && { error_description: description }), cause: undefined };
}

/** A network failure: fetch's TypeError (openid-client may wrap it), a refused connection, an abort. */
function unreachable(e: { name?: string; code?: string } | undefined): boolean {
  return (
    (e?.name === 'TypeError' && e.code === undefined) ||
    e?.name === 'AbortError' ||
    e?.code === 'ECONNREFUSED' ||
    e?.code === 'OAUTH_ABORT'
  );
}

/**
 * The deadline passed while waiting for the answer: `AbortSignal.timeout` rejects fetch with a
 * `TimeoutError` DOMException (https://dom.spec.whatwg.org/#dom-abortsignal-timeout), which
 * openid-client rethrows as `OAUTH_TIMEOUT` (build/index.js); undici's own header and body
 * timeouts. A connect timeout (`UND_ERR_CONNECT_TIMEOUT`) stays "could not be reached".
 */
function timedOut(e: { name?: string; code?: string } | undefined): boolean {
  return e?.name === 'TimeoutError' || e?.code === 'OAUTH_TIMEOUT' || e?.code === 'UND_ERR_HEADERS_TIMEOUT' || e?.code === 'UND_ERR_BODY_TIMEOUT';
}

/** HTTP 429 from any provider endpoint: the provider is rate limiting this client. */
export function rateLimited(step: string): ProviderError {
  return new ProviderError('ERR_PROVIDER_FAILED', `${step}: rate limited (HTTP 429)`, { status: 429 });
}

/** The HTTP status an oauth4webapi / openid-client error carries, directly or on its response. */
function statusOf(e: { status?: number; cause?: unknown } | undefined): number | undefined {
  if (typeof e?.status === 'number') return e.status;
  const cause = e?.cause as { status?: unknown } | undefined;
  return typeof cause?.status === 'number' ? cause.status : undefined;
}

/** Keeps only characters an OAuth error code can have, and not too many. */
function safeToken(value: string): string {
  return value.replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 64);
}

/** The longest `error_description` kept (the rest is cut, with an ellipsis). */
export const MAX_ERROR_DESCRIPTION = 200;

/**
 * A provider's `error_description`, safe to show and log: RFC 6749 5.2 allows only printable
 * ASCII in it, so anything else (control characters, line breaks) becomes a space; runs of
 * spaces are collapsed; at most MAX_ERROR_DESCRIPTION characters. HTML escaping is the
 * page's job. Empty: undefined.
 */
export function safeDescription(value: string): string | undefined {
  const text = value.replace(/[^\x20-\x7e]+/g, ' ').replace(/ {2,}/g, ' ').trim();
  if (text === '') return undefined;
  return text.length > MAX_ERROR_DESCRIPTION ? `${text.slice(0, MAX_ERROR_DESCRIPTION - 1)}…` : text;
}
