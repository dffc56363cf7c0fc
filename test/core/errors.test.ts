/** One list of error codes: every error class extends EdgeOAuthError and carries a code from ErrorCode. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  ApiEventError,
  ApiUnauthorizedError,
  ApiUnavailableError,
  AttachConflictError,
  AttachRefusedError,
  CliError,
  ConfigError,
  EdgeOAuthError,
  KeySetError,
  ProviderError,
  SigningKeysMissingError,
  StaleVersionError,
  StoreError,
  TableNotFoundError,
  UNAUTHORIZED_MESSAGE,
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
    [new StaleVersionError(), 'ERR_ATTACH_STALE_VERSION'],
    [new ApiUnauthorizedError(), 'ERR_API_UNAUTHORIZED'],
    [new ApiUnavailableError('store down'), 'ERR_API_SESSION_CHECK_UNAVAILABLE'],
    [new ApiEventError('type "TOKEN"'), 'ERR_API_AUTHORIZER_EVENT'],
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

  test('API Gateway turns exactly "Unauthorized" into a 401: the authorizer\'s error says exactly that', () => {
    expect(new ApiUnauthorizedError().message).toBe(UNAUTHORIZED_MESSAGE);
    expect(UNAUTHORIZED_MESSAGE).toBe('Unauthorized');
  });
});

/**
 * The shipped code (lambdas/, lib/, bin/) declares its error classes in lambdas/core/errors.ts
 * only, so every failure has a code from ErrorCode. (local/'s emulators answer as the service
 * they stand in for, with that service's errors: not ours.)
 */
test('no error class is declared outside lambdas/core/errors.ts in the shipped code', () => {
  const root = join(__dirname, '../..');
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
  const declared = ['lambdas', 'lib', 'bin']
    .flatMap((dir) => files(join(root, dir)))
    .filter((file) => relative(root, file) !== 'lambdas/core/errors.ts')
    // The viewer's small AWS client stands in for the SDK, with the SDK's own error classes
    // (same names, so the stores' checks hold): AWS's errors, not ours.
    .filter((file) => !relative(root, file).startsWith('lambdas/store/lite/'))
    .flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/class\s+(\w+)\s+extends\s+(\w*Error)\b/g)].map((m) => `${relative(root, file)}: ${m[1]}`));
  expect(declared).toEqual([]);
});
