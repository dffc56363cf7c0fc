/** One list of error codes: every error class extends EdgeOAuthError and carries a code from ErrorCode. */
import {
  AttachConflictError,
  AttachRefusedError,
  CliError,
  ConfigError,
  EdgeOAuthError,
  KeySetError,
  ProviderError,
  SigningKeysMissingError,
  StoreError,
  TableNotFoundError,
  type ErrorCode,
} from '../../lambdas/core/errors';

describe('errors', () => {
  const errors: Array<[EdgeOAuthError, ErrorCode]> = [
    [new ConfigError('x.jsonc', [{ path: 'site.name', message: 'is required' }]), 'ERR_CONFIG_INVALID'],
    [new KeySetError('bad'), 'ERR_KEYSET_INVALID'],
    [new SigningKeysMissingError(), 'ERR_KEYSET_NO_SIGNING_KEYS'],
    [new ProviderError('ERR_PROVIDER_DENIED', 'invalid_grant'), 'ERR_PROVIDER_DENIED'],
    [new StoreError('down'), 'ERR_STORE_UNAVAILABLE'],
    [new TableNotFoundError('t'), 'ERR_TABLE_NOT_FOUND'],
    [new CliError('no such user'), 'ERR_CLI'],
    [new AttachRefusedError('a viewer-request function is there'), 'ERR_ATTACH_REFUSED'],
    [new AttachConflictError('kept changing'), 'ERR_ATTACH_CONFLICT'],
  ];

  test.each(errors)('%s has its stable code and the base class', (error, code) => {
    expect(error).toBeInstanceOf(EdgeOAuthError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(code);
    expect(error.name).toBe(error.constructor.name);
  });

  test('a caller branches on the code with the compiler checking it', () => {
    const describe = (error: EdgeOAuthError): string => {
      switch (error.code) {
        case 'ERR_CONFIG_INVALID':
          return 'fix the config';
        case 'ERR_STORE_UNAVAILABLE':
        case 'ERR_TABLE_NOT_FOUND':
          return 'store';
        default:
          return 'other';
      }
    };
    expect(describe(new ConfigError('f', []))).toBe('fix the config');
    expect(describe(new TableNotFoundError('t'))).toBe('store');
  });

  test('ConfigError lists every problem with its field path', () => {
    const error = new ConfigError('edge-oauth.config.jsonc', [
      { path: 'providers[0].clientId', message: 'is required' },
      { path: 'session.maxDuration', message: 'is not a duration' },
    ]);
    expect(error.message).toBe('edge-oauth.config.jsonc: invalid configuration\n  providers[0].clientId: is required\n  session.maxDuration: is not a duration');
  });
});
