/**
 * The deployed viewer-request function. Lambda@Edge has no environment variables: the
 * resolved, non-secret config is baked in at synth by esbuild (`define`); secrets are read
 * from Secrets Manager (the nearest key-set replica) at first use and cached.
 */
import type { EdgeConfig } from '../core/config/types';
import { deployedDeps } from '../runtime/deployed';
import { deployedEnvironment } from '../runtime/environment';
import { createViewerHandler } from './handler';

declare const __EDGE_OAUTH_CONFIG__: EdgeConfig;

export const handler = createViewerHandler(deployedDeps(__EDGE_OAUTH_CONFIG__, deployedEnvironment()));
