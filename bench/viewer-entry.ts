/**
 * What the in-process viewer benches run, bundled by esbuild as the deployed function is
 * (bench/viewer.ts `bundledViewer`): one module scope, direct calls. Run from the TypeScript
 * sources under tsx instead, each call into another module goes through the getter tsx's CommonJS
 * output defines for every export, which the deployed bundle does not have (cognito-at-edge,
 * plain JavaScript from node_modules, is not transformed either).
 */
export { createProviders } from '../lambdas/core/providers';
export { sealingKeyBytes } from '../lambdas/core/keys/key-set';
export { createViewerHandler } from '../lambdas/edge/handler';
export { createConsoleLogger, lineWriter } from '../lambdas/runtime/console-logger';
export { MemorySessionStore } from '../lambdas/store/memory/sessions';
export { createSecretReader, keySetLoader } from '../lambdas/store/aws/secrets';
