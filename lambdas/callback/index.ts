/** The deployed callback function (regional Lambda behind a function URL). Config baked in at synth, like the edge. */
import type { EdgeConfig } from '../core/config/types';
import { deployedDeps } from '../runtime/deployed';
import { deployedEnvironment } from '../runtime/environment';
import { createCallbackHandler } from './handler';

declare const __EDGE_OAUTH_CONFIG__: EdgeConfig;

export const handler = createCallbackHandler(deployedDeps(__EDGE_OAUTH_CONFIG__, deployedEnvironment()));
