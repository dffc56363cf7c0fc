/**
 * The viewer-request bundle's AWS clients: the small signed-request ones of
 * lambdas/store/lite/ in place of the SDK packages (esbuild `alias`), so a cold container's
 * first request loads no SDK (docs/performance.md#cold-start). The stores' code is the same;
 * the callback, the console, the authorizer and the CLI keep the SDK.
 */
import * as path from 'node:path';

const LITE = path.join(__dirname, '..', 'lambdas', 'store', 'lite');
/** The compiled package (dist/) has `.js` files where this repository has `.ts`: esbuild resolves either without an extension. */
export const VIEWER_SDK_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/client-dynamodb': path.join(LITE, 'dynamodb'),
  '@aws-sdk/client-secrets-manager': path.join(LITE, 'secrets-manager'),
};
