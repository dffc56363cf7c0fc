/**
 * The one Lambda runtime edge-oauth deploys, for every function it creates (the
 * viewer-request function, the callback, the key-set generator) and for the esbuild target.
 *
 * Lambda@Edge takes only the Node.js runtimes listed on the Lambda@Edge "supported
 * runtimes" page; `nodejs20.x` can no longer be created on Lambda at all (blocked since
 * 2026-08-31). Change the runtime here, and only here, after checking that page.
 */
import { Runtime } from 'aws-cdk-lib/aws-lambda';

export const LAMBDA_RUNTIME: Runtime = Runtime.NODEJS_22_X;

/** esbuild's `target` for the same runtime, derived from it (`nodejs22.x` → `node22`). */
export const ESBUILD_TARGET = LAMBDA_RUNTIME.name.replace(/^nodejs(\d+)\.x$/, 'node$1');
