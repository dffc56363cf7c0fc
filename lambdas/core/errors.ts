/**
 * One error class per failure, each with a stable `code` (callers branch on the code,
 * never on the message). Messages never carry tokens, secrets or cookie values.
 */
export class EdgeOAuthError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
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
      'session key set: no "signing" keys, but assertion.enabled is true. Add them to the secret ' +
        '(withSigningKeys() in lambdas/core/keys.ts) or set assertion.enabled to false',
    );
  }
}

/** The identity provider answered with an error or could not be reached. */
export class ProviderError extends EdgeOAuthError {
  /** A short, safe description of the provider's answer (error code, HTTP status). */
  readonly detail: string;
  /** The provider's HTTP status, when it answered. */
  readonly status?: number;
  /** The OAuth `error` code it answered with (e.g. `invalid_grant`), when it did. */
  readonly oauthError?: string;
  constructor(
    code: 'ERR_PROVIDER_DENIED' | 'ERR_PROVIDER_FAILED' | 'ERR_PROVIDER_UNREACHABLE' | 'ERR_PROVIDER_RESPONSE',
    detail: string,
    options?: { cause?: unknown; status?: number | undefined; oauthError?: string | undefined },
  ) {
    super(code, `identity provider: ${detail}`, options);
    this.detail = detail;
    if (options?.status !== undefined) this.status = options.status;
    if (options?.oauthError !== undefined) this.oauthError = options.oauthError;
  }
}

/** A store (DynamoDB, Secrets Manager) could not be reached or refused the request. */
export class StoreError extends EdgeOAuthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_STORE_UNAVAILABLE', message, options);
  }
}
