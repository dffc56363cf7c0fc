/**
 * Which copy of the replicated state a function uses. With `aws.replicaRegions`, the tables
 * are DynamoDB global tables and the session key set is replicated (lib/edge-oauth-data.ts);
 * the viewer-request function runs in whichever region's edge cache serves the viewer
 * (Lambda sets `AWS_REGION` to it) and uses the copy in that region when there is one,
 * else the nearest copy, else the primary. Pure: no environment access.
 */

/**
 * Where each region is (the city AWS names for it, latitude and longitude in degrees,
 * rounded): a static distance table, as great-circle distance is what round trips grow
 * with. Region list and cities: https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html
 */
const REGION_PLACES: Readonly<Record<string, readonly [number, number]>> = {
  'us-east-1': [39.0, -77.5], // N. Virginia
  'us-east-2': [40.0, -83.0], // Ohio
  'us-west-1': [37.3, -121.9], // N. California
  'us-west-2': [45.8, -119.7], // Oregon
  'ca-central-1': [45.5, -73.6], // Montreal
  'ca-west-1': [51.0, -114.1], // Calgary
  'mx-central-1': [20.6, -100.4], // Querétaro
  'sa-east-1': [-23.5, -46.6], // São Paulo
  'eu-west-1': [53.3, -6.3], // Ireland
  'eu-west-2': [51.5, -0.1], // London
  'eu-west-3': [48.9, 2.4], // Paris
  'eu-central-1': [50.1, 8.7], // Frankfurt
  'eu-central-2': [47.4, 8.5], // Zurich
  'eu-north-1': [59.3, 18.1], // Stockholm
  'eu-south-1': [45.5, 9.2], // Milan
  'eu-south-2': [41.6, -0.9], // Spain
  'il-central-1': [32.1, 34.8], // Tel Aviv
  'me-south-1': [26.1, 50.6], // Bahrain
  'me-central-1': [25.2, 55.3], // UAE
  'af-south-1': [-33.9, 18.4], // Cape Town
  'ap-south-1': [19.1, 72.9], // Mumbai
  'ap-south-2': [17.4, 78.5], // Hyderabad
  'ap-east-1': [22.3, 114.2], // Hong Kong
  'ap-east-2': [25.0, 121.5], // Taipei
  'ap-northeast-1': [35.7, 139.7], // Tokyo
  'ap-northeast-2': [37.6, 127.0], // Seoul
  'ap-northeast-3': [34.7, 135.5], // Osaka
  'ap-southeast-1': [1.35, 103.8], // Singapore
  'ap-southeast-2': [-33.9, 151.2], // Sydney
  'ap-southeast-3': [-6.2, 106.8], // Jakarta
  'ap-southeast-4': [-37.8, 145.0], // Melbourne
  'ap-southeast-5': [3.1, 101.7], // Malaysia
  'ap-southeast-7': [13.8, 100.5], // Thailand
  'cn-north-1': [39.9, 116.4], // Beijing
  'cn-northwest-1': [38.5, 106.3], // Ningxia
};

/** Great-circle distance in kilometres between two regions; undefined when either is not in the table. */
export function regionDistanceKm(a: string, b: string): number | undefined {
  if (!Object.hasOwn(REGION_PLACES, a) || !Object.hasOwn(REGION_PLACES, b)) return undefined;
  const p = REGION_PLACES[a]!;
  const q = REGION_PLACES[b]!;
  const rad = Math.PI / 180;
  const dLat = (q[0] - p[0]) * rad;
  const dLon = (q[1] - p[1]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(p[0] * rad) * Math.cos(q[0] * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The region to use: `executing` when it holds a copy; else the copy nearest to it (by the
 * table above; a tie goes to the earlier in `regions`); else, when `executing` is unknown
 * or not in the table, the first of `regions` (the primary: `config.aws.region` first,
 * then the replicas).
 */
export function nearestRegion(executing: string | undefined, regions: readonly string[]): string {
  const primary = regions[0];
  if (primary === undefined) throw new Error('nearestRegion: no regions');
  if (executing === undefined || executing === '') return primary;
  if (regions.includes(executing)) return executing;
  let best = primary;
  let bestKm = Infinity;
  for (const region of regions) {
    const km = regionDistanceKm(executing, region);
    if (km !== undefined && km < bestKm) {
      best = region;
      bestKm = km;
    }
  }
  return best;
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
