/**
 * Every error edge-oauth throws, in one place: one class per failure, each with a stable
 * `code` from `ErrorCode` (callers branch on the code, with the compiler's help, never on
 * the message), all extending `EdgeOAuthError`. Messages name the fix and never carry
 * tokens, secrets, cookie values or whole configs.
 */
import type { ConfigProblem } from './config/problems';

/** Every `code` an edge-oauth error can have. */
export type ErrorCode =
  /** The config file or value is invalid (ConfigError: every problem with its field path). */
  | 'ERR_CONFIG_INVALID'
  /** The session key set is missing or malformed. */
  | 'ERR_KEYSET_INVALID'
  /** The identity assertion is on, but the key set has no signing keys. */
  | 'ERR_KEYSET_NO_SIGNING_KEYS'
  /** The provider refused (e.g. `invalid_grant`: a revoked or used refresh token). */
  | 'ERR_PROVIDER_DENIED'
  /** The provider answered with an error it may not repeat (5xx, `temporarily_unavailable`). */
  | 'ERR_PROVIDER_FAILED'
  /** The provider could not be reached (DNS, refused or timed-out connection). */
  | 'ERR_PROVIDER_UNREACHABLE'
  /** The provider was reached but did not answer within the deadline: up, but slow. */
  | 'ERR_PROVIDER_TIMEOUT'
  /** The provider's answer is not what its documentation promises (a missing field, a bad ID token). */
  | 'ERR_PROVIDER_RESPONSE'
  /** The issuer's token endpoint takes neither client_secret_basic nor client_secret_post (its discovery says). */
  | 'ERR_PROVIDER_CLIENT_AUTH_UNSUPPORTED'
  /** A store (DynamoDB, Secrets Manager) could not be reached or refused the request. */
  | 'ERR_STORE_UNAVAILABLE'
  /** A due session check was still running when the viewer-request function's time budget ran out. */
  | 'ERR_CHECK_TIMEOUT'
  /** A DynamoDB table named in the config does not exist. */
  | 'ERR_TABLE_NOT_FOUND'
  /** API Gateway authorizer: no valid session (API Gateway answers 401). */
  | 'ERR_API_UNAUTHORIZED'
  /** API Gateway authorizer: a due session check could not be done past the grace period. */
  | 'ERR_API_SESSION_CHECK_UNAVAILABLE'
  /** API Gateway authorizer: the event is not a REQUEST authorizer event. */
  | 'ERR_API_AUTHORIZER_EVENT'
  /** The command line: a failure the operator can act on (bad option, missing item). */
  | 'ERR_CLI'
  /** attach: the distribution cannot take edge-oauth as it is (a viewer function, a /auth/* behaviour); nothing was changed. */
  | 'ERR_ATTACH_REFUSED'
  /** attach/detach: the distribution kept changing under us (stale ETag on every try); nothing of ours was written. */
  | 'ERR_ATTACH_CONFLICT'
  /** attach/detach: one write was refused, the distribution changed since it was read (412); read and plan again. */
  | 'ERR_ATTACH_STALE_VERSION'
  /** A request to edge-oauth's own pages had a bad field (the admin console: a form, a cursor). */
  | 'ERR_BAD_REQUEST';

export class EdgeOAuthError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** The config is invalid: every problem, each with its field path and the reason. */
export class ConfigError extends EdgeOAuthError {
  constructor(
    /** The file (or source) the config came from. */
    readonly file: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super('ERR_CONFIG_INVALID', `${file}: invalid configuration\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
  }
}

/** The session key set is missing or malformed. */
export class KeySetError extends EdgeOAuthError {
  constructor(message: string) {
    super('ERR_KEYSET_INVALID', message);
  }
}

/**
 * The identity assertion is enabled (config `assertion.enabled`, the default) but the
 * key set has no `signing` keys to sign it with. Fails closed: nothing is forwarded.
 */
export class SigningKeysMissingError extends EdgeOAuthError {
  constructor() {
    super(
      'ERR_KEYSET_NO_SIGNING_KEYS',
      'session key set: no "signing" keys, but assertion.enabled is true. Add one with ' +
        '`npx edge-oauth keys add --signing`, then make it current with `npx edge-oauth keys promote <kid> --signing` ' +
        '(docs/cli.md), or set assertion.enabled to false',
    );
  }
}

export type ProviderErrorCode = Extract<ErrorCode, `ERR_PROVIDER_${string}`>;

/** The identity provider answered with an error or could not be reached. */
export class ProviderError extends EdgeOAuthError {
  /** A short, safe description of the provider's answer (error code, HTTP status). */
  readonly detail: string;
  /** The provider's HTTP status, when it answered. */
  readonly status?: number;
  /** The OAuth `error` code it answered with (e.g. `invalid_grant`), when it did. */
  readonly oauthError?: string;
  /**
   * The provider's `error_description` from a back-channel answer (the token endpoint):
   * printable text only, at most 200 characters. Shown on the error page (HTML-escaped)
   * and in the message, so it is logged.
   */
  readonly oauthErrorDescription?: string;
  constructor(
    code: ProviderErrorCode,
    detail: string,
    options?: { cause?: unknown; status?: number | undefined; oauthError?: string | undefined; oauthErrorDescription?: string | undefined },
  ) {
    const description = options?.oauthErrorDescription;
    super(code, `identity provider: ${detail}${description === undefined ? '' : ` (${description})`}`, options);
    this.detail = detail;
    if (options?.status !== undefined) this.status = options.status;
    if (options?.oauthError !== undefined) this.oauthError = options.oauthError;
    if (description !== undefined) this.oauthErrorDescription = description;
  }
}

/** A store (DynamoDB, Secrets Manager) could not be reached or refused the request. */
export class StoreError extends EdgeOAuthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_STORE_UNAVAILABLE', message, options);
  }
}

/**
 * A due session check (the store, the provider) was still running when the viewer-request
 * function's budget ran out: answered as a check that could not be done (grace, then 503).
 */
export class CheckTimeoutError extends EdgeOAuthError {
  constructor(budgetMs: number) {
    super('ERR_CHECK_TIMEOUT', `a due session check took longer than the ${Math.round(budgetMs)} ms left of the viewer-request budget`);
  }
}

/** A DynamoDB table named in the config does not exist (in that region, at that endpoint). */
export class TableNotFoundError extends EdgeOAuthError {
  constructor(
    readonly table: string,
    options?: { cause?: unknown },
  ) {
    super('ERR_TABLE_NOT_FOUND', `DynamoDB table "${table}" does not exist: deploy the stack, or check --region, --endpoint and the config's tables`, options);
  }
}

/** A failure the operator can act on at the command line; printed as `edge-oauth: <message>`, exit code 1. */
export class CliError extends EdgeOAuthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_CLI', message, options);
  }
}

/** The distribution cannot take edge-oauth as it is; the message names the behaviour and what is in the way. Nothing was changed. */
export class AttachRefusedError extends EdgeOAuthError {
  constructor(message: string) {
    super('ERR_ATTACH_REFUSED', message);
  }
}

/** Another writer changed the distribution between each of our reads and writes; we never overwrote their change. */
export class AttachConflictError extends EdgeOAuthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_ATTACH_CONFLICT', message, options);
  }
}

/** A request field edge-oauth cannot use (admin console forms and cursors): answered 400, naming the field and the reason. */
export class BadRequestError extends EdgeOAuthError {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super('ERR_BAD_REQUEST', `${field}: ${reason}`);
  }
}

/** The error message API Gateway maps to a 401 (UNAUTHORIZED): exactly this, nothing else. */
export const UNAUTHORIZED_MESSAGE = 'Unauthorized';

/** API Gateway authorizer: no valid session, API Gateway answers 401. The message must stay exactly "Unauthorized". */
export class ApiUnauthorizedError extends EdgeOAuthError {
  constructor() {
    super('ERR_API_UNAUTHORIZED', UNAUTHORIZED_MESSAGE);
  }
}

/** API Gateway authorizer: a due session check could not be done past the grace period: no answer but a failure (API Gateway 5xx). */
export class ApiUnavailableError extends EdgeOAuthError {
  constructor(reason: string) {
    super('ERR_API_SESSION_CHECK_UNAVAILABLE', `the session check cannot be done (${reason}): failing closed`);
  }
}

/** API Gateway authorizer: the event is not a REQUEST authorizer event (a TOKEN authorizer, another trigger). */
export class ApiEventError extends EdgeOAuthError {
  constructor(detail: string) {
    super('ERR_API_AUTHORIZER_EVENT', `not an API Gateway REQUEST authorizer event: ${detail}`);
  }
}

/** attach/detach: a write was refused because the ETag is no longer the current one (HTTP 412 PreconditionFailed). */
export class StaleVersionError extends EdgeOAuthError {
  constructor(options?: { cause?: unknown }) {
    super('ERR_ATTACH_STALE_VERSION', 'the distribution changed since it was read (PreconditionFailed)', options);
  }
}
