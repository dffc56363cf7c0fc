/** Which copy of the (replicated) session key set the viewer-request function reads. */
import { nearestRegion, regionDistanceKm, secretIdInRegion } from '../../lambdas/store/global/regions';

const REGIONS = ['us-east-1', 'eu-central-1', 'ap-northeast-1'] as const;

describe('nearestRegion', () => {
  it('the executing region, when it holds a copy', () => {
    expect(nearestRegion('eu-central-1', REGIONS)).toBe('eu-central-1');
    expect(nearestRegion('ap-northeast-1', REGIONS)).toBe('ap-northeast-1');
    expect(nearestRegion('us-east-1', REGIONS)).toBe('us-east-1');
  });

  it('else the nearest copy (static distance table)', () => {
    expect(nearestRegion('sa-east-1', REGIONS)).toBe('us-east-1');
    expect(nearestRegion('eu-west-2', REGIONS)).toBe('eu-central-1');
    expect(nearestRegion('ap-northeast-2', REGIONS)).toBe('ap-northeast-1');
    expect(nearestRegion('us-west-2', ['eu-west-1', 'us-east-1', 'ap-southeast-2'])).toBe('us-east-1');
    expect(nearestRegion('ap-southeast-1', ['eu-west-1', 'us-east-1', 'ap-southeast-2'])).toBe('ap-southeast-2');
    expect(nearestRegion('eu-west-1', ['eu-west-1'])).toBe('eu-west-1');
    expect(nearestRegion('us-east-1', ['eu-west-1'])).toBe('eu-west-1');
  });

  it('the primary when the executing region is not in the distance table', () => {
    expect(nearestRegion('xx-mars-1', REGIONS)).toBe('us-east-1');
  });

  it('distances are symmetric and plausible', () => {
    expect(regionDistanceKm('us-east-1', 'eu-west-1')).toBeCloseTo(regionDistanceKm('eu-west-1', 'us-east-1')!, 6);
    expect(regionDistanceKm('us-east-1', 'eu-west-1')).toBeGreaterThan(5000);
    expect(regionDistanceKm('us-east-1', 'eu-west-1')).toBeLessThan(6000);
    expect(regionDistanceKm('us-east-1', 'nowhere-1')).toBeUndefined();
  });

  it('the primary when the executing region is unknown or empty', () => {
    expect(nearestRegion(undefined, REGIONS)).toBe('us-east-1');
    expect(nearestRegion('', REGIONS)).toBe('us-east-1');
  });

  it('an exact match only (no prefix or case games)', () => {
    expect(nearestRegion('eu-central', REGIONS)).toBe('us-east-1');
    expect(nearestRegion('EU-CENTRAL-1', REGIONS)).toBe('us-east-1');
    expect(nearestRegion('constructor', REGIONS)).toBe('us-east-1');
  });

  it('refuses an empty list', () => {
    expect(() => nearestRegion('us-east-1', [])).toThrow(/no regions/);
  });
});

describe('secretIdInRegion', () => {
  it('a name is the same in every region (replicas keep the name)', () => {
    expect(secretIdInRegion('edge-oauth/session-keys', 'eu-central-1')).toBe('edge-oauth/session-keys');
  });

  it('an ARN gets the region of the replica, the rest unchanged', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:edge-oauth/session-keys-AbCdEf';
    expect(secretIdInRegion(arn, 'eu-central-1')).toBe('arn:aws:secretsmanager:eu-central-1:123456789012:secret:edge-oauth/session-keys-AbCdEf');
    expect(secretIdInRegion(arn, 'us-east-1')).toBe(arn);
  });

  it('a partial ARN (no suffix), in another partition', () => {
    expect(secretIdInRegion('arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:corp/keys', 'cn-northwest-1')).toBe(
      'arn:aws-cn:secretsmanager:cn-northwest-1:123456789012:secret:corp/keys',
    );
  });
});
