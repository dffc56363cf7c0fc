/**
 * The deployed viewer-request function. Lambda@Edge has no environment variables: the
 * resolved, non-secret config is baked in at synth by esbuild (`define`); secrets are read
 * from Secrets Manager (the nearest key-set replica) and cached.
 *
 * Lambda runs init at a full vCPU and each invoke at the memory's share of one (128 MB:
 * about 7 %; docs/performance.md#cold-start). So the key-set read starts here, at init: its
 * request is built and signed at full speed and its round trip overlaps the rest of init;
 * the first request awaits the same read (lambdas/store/aws/secrets.ts shares one in flight; a
 * failure here is retried by that request). The bundle's AWS clients are the small
 * signed-request ones (lambdas/store/lite/), so nothing heavy is left to load on a request,
 * and one throwaway signed-in request primes the fast path's code (lambdas/runtime/warm-up.ts).
 */
import type { EdgeConfig } from '../core/config/types';
import { deployedDeps } from '../runtime/deployed';
import { deployedEnvironment } from '../runtime/environment';
import { warmUpViewer } from '../runtime/warm-up';
import { requestLine } from '../runtime/console-logger';
import { createViewerHandler } from './handler';

declare const __EDGE_OAUTH_CONFIG__: EdgeConfig;

const deps = deployedDeps(__EDGE_OAUTH_CONFIG__, deployedEnvironment());
(async () => deps.keys())().catch(() => undefined);
// A signed-in first request makes two DynamoDB calls at once (session touch, user touch).
deps.prepareStores(2);
warmUpViewer(deps.config, deps.providers, requestLine).catch((error: unknown) => deps.log?.error('warm-up', error));
export const handler = createViewerHandler(deps);
