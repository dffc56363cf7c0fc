/**
 * The deployed viewer-request function. Lambda@Edge has no environment variables: the
 * resolved, non-secret config is baked in at synth by esbuild (`define`); secrets are read
 * from Secrets Manager (the nearest key-set replica) and cached.
 *
 * Bundled as an ES module (`index.mjs`, lib/functions.ts) so that this top-level `await` is
 * part of Lambda's init: its Node.js runtime imports the handler's module and waits for it
 * before the first invoke. Init runs at a full vCPU, each invoke at the memory's share of one
 * (128 MB: about 7 %; docs/performance.md#cold-start), so the key-set read, the stores'
 * connections and the priming of the first request's code and keys are done here, within a
 * bound, never failing (lambdas/runtime/viewer-init.ts). The bundle's AWS clients are the small
 * signed-request ones (lambdas/store/lite/), so nothing heavy is left to load on a request.
 */
import type { EdgeConfig } from '../core/config/types';
import { deployedDeps } from '../runtime/deployed';
import { deployedEnvironment } from '../runtime/environment';
import { requestLine } from '../runtime/console-logger';
import { viewerAtInit } from '../runtime/viewer-init';

declare const __EDGE_OAUTH_CONFIG__: EdgeConfig;

export const handler = await viewerAtInit(deployedDeps(__EDGE_OAUTH_CONFIG__, deployedEnvironment()), { format: requestLine });
