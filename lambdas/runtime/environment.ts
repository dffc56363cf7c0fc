/**
 * What a deployed container learns from its bundle and from Lambda, read once in the
 * function entries (lambdas/{edge,callback,authorizer}/index.ts) and passed to `deployedDeps`.
 */
import type { DeployedOverrides } from './deployed';

/** Regions holding the key set, primary first (lib/functions.ts BAKED_GLOBALS.keySetRegions). Not defined in bundles made without it. */
declare const __EDGE_OAUTH_KEY_SET_REGIONS__: readonly string[] | undefined;

export function deployedEnvironment(): Pick<DeployedOverrides, 'keySetRegions' | 'region'> {
  const region = process.env.AWS_REGION;
  return {
    ...(typeof __EDGE_OAUTH_KEY_SET_REGIONS__ !== 'undefined' && { keySetRegions: __EDGE_OAUTH_KEY_SET_REGIONS__ }),
    ...(region !== undefined && { region }),
  };
}
