/**
 * Which copy of a replicated secret a function reads. The session key set can be replicated
 * (lib/edge-oauth-data.ts, `secretReplicaRegions`); the viewer-request function runs in
 * whichever region's edge cache serves the viewer (Lambda sets `AWS_REGION` to it) and
 * reads the copy there when there is one, else the primary. Pure: no environment access.
 */

/**
 * The region to read from: `executing` when it holds a copy, else the first of `regions`
 * (the primary: `config.aws.region` first, then the replicas).
 */
export function nearestRegion(executing: string | undefined, regions: readonly string[]): string {
  const primary = regions[0];
  if (primary === undefined) throw new Error('nearestRegion: no regions');
  return executing !== undefined && regions.includes(executing) ? executing : primary;
}

/**
 * The secret id to use in `region`. A replica keeps its secret's name, so a name is used as
 * it is; an ARN names its region, and a replica's ARN is the primary's with that region.
 */
export function secretIdInRegion(secretId: string, region: string): string {
  if (!secretId.startsWith('arn:')) return secretId;
  const parts = secretId.split(':');
  if (parts.length < 7) return secretId;
  parts[3] = region;
  return parts.join(':');
}
