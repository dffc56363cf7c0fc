/** The deployed admin console function (regional Lambda behind a function URL). Config baked in at synth, like the callback. */
import type { EdgeConfig } from '../core/config/types';
import { deployedDeps } from '../runtime/deployed';
import { createAdminHandler } from './handler';

declare const __EDGE_OAUTH_CONFIG__: EdgeConfig;

const deps = deployedDeps(__EDGE_OAUTH_CONFIG__);
export const handler = createAdminHandler({ ...deps, stores: { sessions: deps.sessions, users: deps.users, mau: deps.mau } });
