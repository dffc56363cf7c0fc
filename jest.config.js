/** jest: @swc/jest transforms TypeScript and the ESM-only packages (STACK.md). */
const esmOnly = ['openid-client', 'oauth4webapi', 'jose', 'oidc-provider', 'quick-lru', 'nanoid', '@koa', 'koa', 'eta'].join('|');
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.(c|m)?[jt]s$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly})/)`],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/cdk.out/'],
  setupFiles: ['<rootDir>/test/support/env.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  maxWorkers: 2,
  testTimeout: 30000,
};
