/**
 * What the viewer-request bundle's esbuild options add to the other functions' (lib/functions.ts
 * `viewerBundling`; bench/bundle.ts builds the same): the small signed-request AWS clients of
 * lambdas/store/lite/ in place of the SDK packages (esbuild `alias`), so a cold container's
 * first request loads no SDK (docs/performance.md#cold-start), and, the bundle being an ES
 * module, a `require` for it. The stores' code is the same; the callback, the console, the
 * authorizer and the CLI keep the SDK and CommonJS.
 */
import * as path from 'node:path';

const LITE = path.join(__dirname, '..', 'lambdas', 'store', 'lite');
/** The compiled package (dist/) has `.js` files where this repository has `.ts`: esbuild resolves either without an extension. */
export const VIEWER_SDK_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/client-dynamodb': path.join(LITE, 'dynamodb'),
  '@aws-sdk/client-secrets-manager': path.join(LITE, 'secrets-manager'),
};

/**
 * `require` for an ES module bundle (Node.js `module.createRequire`, the usual esbuild banner:
 * evanw/esbuild#1921): esbuild keeps a CommonJS module's `require` of a Node.js built-in as a
 * call at run time, which an ES module does not have ("Dynamic require of ... is not
 * supported"). The sources of this repository import the built-ins (their bundle has no
 * such call); the package's compiled dist/ files are CommonJS and do `require("node:crypto")`.
 */
export const ESM_REQUIRE_BANNER = "import { createRequire as __edgeOAuthCreateRequire } from 'node:module'; const require = __edgeOAuthCreateRequire(import.meta.url);";
