/**
 * OPTIONS passthrough (config `optionsPassthrough`): a CORS preflight carries no cookies
 * (browsers never send credentials on a preflight, Fetch standard 4.8 "CORS-preflight
 * fetch"), so with the setting on, every OPTIONS request goes to the origin without a
 * session check and without identity headers (client-sent ones are stripped as always).
 */
import type { EdgeConfig } from '../config/types';
import type { ViewerAction } from './types';

export const OPTIONS_PASSTHROUGH: ViewerAction = { action: 'forward', decision: 'allow', reason: 'options-passthrough', headers: [] };

export function isPassthroughPreflight(config: EdgeConfig, method: string): boolean {
  return method === 'OPTIONS' && config.optionsPassthrough;
}
