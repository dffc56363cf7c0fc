/**
 * jest: one project per thing a test needs, chosen by the test file's path (README › Tests).
 *
 *   unit      nothing but Node: no Java, no browser, no CDK synth (loopback servers are fine)
 *   dynamodb  DynamoDB Local         a file named `dynamodb.test.ts` or `*.dynamodb.test.ts`
 *   stack     the local stack        `test/integration/**` or `*.stack.test.ts`
 *   browser   Chromium + the stack   `test/e2e/**` or `*.e2e.test.ts`
 *   cdk       CDK synth, bundling    `test/cdk/**` or `*.cdk.test.ts`
 *
 * A file belongs to the first project whose pattern it matches, in the order of PROJECTS, so the
 * projects never overlap (a file is never run twice). test/support/projects.test.ts holds every
 * test file to the project its contents need.
 * DynamoDB Local is started by the global setup of the projects that need it: jest runs a
 * project's globalSetup only when at least one of its tests runs (jestjs/jest,
 * e2e/__tests__/globalSetup.test.ts, "should not call a globalSetup of a project if there are no
 * tests to run from this project"), so `npm run test:unit` starts no Java.
 * @swc/jest transforms TypeScript and the ESM-only packages.
 */
const esmOnly = ['openid-client', 'oauth4webapi', 'jose', 'oidc-provider', 'quick-lru', 'nanoid', '@koa', 'koa', 'eta'].join('|');

/** [name, path pattern (a regular expression on the file's path), needs DynamoDB Local]. Order matters. */
const PROJECTS = [
  ['browser', String.raw`(/test/e2e/.*|\.e2e)\.test\.ts$`, true],
  ['stack', String.raw`(/test/integration/.*|\.stack)\.test\.ts$`, true],
  ['dynamodb', String.raw`[/.]dynamodb\.test\.ts$`, true],
  ['cdk', String.raw`(/test/cdk/.*|\.cdk)\.test\.ts$`, false],
  ['unit', String.raw`\.test\.ts$`, false],
];

const ignored = ['/node_modules/', '/cdk.out/'];

const projects = PROJECTS.map(([name, pattern, dynamodb], index) => ({
  displayName: name,
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.(c|m)?[jt]s$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly})/)`],
  testRegex: pattern,
  // The earlier projects' files are not this project's.
  testPathIgnorePatterns: [...ignored, ...PROJECTS.slice(0, index).map(([, earlier]) => earlier)],
  setupFiles: ['<rootDir>/test/support/env.ts'],
  ...(dynamodb
    ? { globalSetup: '<rootDir>/test/support/global-setup.ts', globalTeardown: '<rootDir>/test/support/global-teardown.ts' }
    : {}),
}));

module.exports = {
  projects,
  maxWorkers: 2,
  testTimeout: 30000,
  // "A worker process has failed to exit gracefully" was no leaked handle: at jest's end message
  // a worker had only jest-worker's own IPC and stdio pipes open and emitted 'exit' within 2 ms,
  // but Node then took 450-500+ ms to tear down its heap (one vm context per test file) on this
  // loaded 2-core machine, past jest's 500 ms default, so jest killed it. Measured with a
  // --require probe logging the worker's 'exit' and the parent's child 'exit' times (README › Tests).
  workerGracefulExitTimeout: 5000,
};
