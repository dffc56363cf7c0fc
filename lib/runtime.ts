/**
 * The one Lambda runtime edge-oauth deploys, for every function it creates (the
 * viewer-request function, the callback, the key-set generator) and for the esbuild target.
 *
 * Lambda@Edge takes only the Node.js runtimes listed on the Lambda@Edge "supported
 * runtimes" page; `nodejs20.x` can no longer be created on Lambda at all (blocked since
 * 2026-08-31). Change the runtime here, and only here, after checking that page.
 *
 * `nodejs22.x` is deprecated on Apr 30, 2027; creating functions on it is blocked from
 * Jun 1, 2027 and updating them from Jul 1, 2027 (https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html).
 * Move to `Runtime.NODEJS_24_X` before then: docs/deploy.md "The Node.js runtime" says how.
 * Node.js 24 runs async handlers only; test/cdk/async-handlers.test.ts checks every one.
 */
import { Runtime } from 'aws-cdk-lib/aws-lambda';

export const LAMBDA_RUNTIME: Runtime = Runtime.NODEJS_22_X;

/** esbuild's `target` for the same runtime, derived from it (`nodejs22.x` → `node22`). */
export const ESBUILD_TARGET = LAMBDA_RUNTIME.name.replace(/^nodejs(\d+)\.x$/, 'node$1');
