/**
 * The deployed API Gateway authorizer (regional Lambda, the EdgeOAuth stack's region).
 * Config baked in at synth, like the edge and the callback; secrets read at first use.
 */
import type { EdgeConfig } from '../core/config/types';
import { deployedDeps } from '../runtime/deployed';
import { deployedEnvironment } from '../runtime/environment';
import { createAuthorizerHandler } from './handler';

declare const __EDGE_OAUTH_CONFIG__: EdgeConfig;

export const handler = createAuthorizerHandler(deployedDeps(__EDGE_OAUTH_CONFIG__, deployedEnvironment()));
