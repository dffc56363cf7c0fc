/** The deployed admin console function (regional Lambda behind a function URL). Config baked in at synth, like the callback. */
import type { EdgeConfig } from '../core/config/types';
import { deployedDeps } from '../runtime/deployed';
import { createAdminHandler } from './handler';

declare const __EDGE_OAUTH_CONFIG__: EdgeConfig;

export const handler = createAdminHandler(deployedDeps(__EDGE_OAUTH_CONFIG__));
