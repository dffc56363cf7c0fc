/**
 * The local CloudFront control plane through the real @aws-sdk/client-cloudfront: the SDK
 * reads, writes and gets the errors by their classes (PreconditionFailed,
 * InvalidIfMatchVersion, NoSuchDistribution). Skipped when the package is not installed.
 */
import { startCloudFrontApi, type CloudFrontApiHandle } from '../../local/emulators/cloudfront-api/server';
import { describeWithCloudFrontSdk } from '../support/cloudfront-sdk';
import { AUTH_OAC, SITE_OAC, siteConfig } from './fixtures';

describeWithCloudFrontSdk('the local CloudFront API through @aws-sdk/client-cloudfront', () => {
  // Loaded when the tests run, so that the file still loads (and skips) without the package.
  let cf: typeof import('@aws-sdk/client-cloudfront');
  beforeAll(() => {
    cf = require('@aws-sdk/client-cloudfront');
  });
  let api: CloudFrontApiHandle;
  let client: import('@aws-sdk/client-cloudfront').CloudFrontClient;
  const Id = 'E123ABC';

  beforeEach(async () => {
    api = await startCloudFrontApi({ originAccessControls: [SITE_OAC, AUTH_OAC], distributions: { [Id]: siteConfig() } });
    client = new cf.CloudFrontClient({ endpoint: api.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  });
  afterEach(async () => {
    client.destroy();
    await api.close();
  });

  test('what the SDK reads equals the seeded config, and writing it back changes nothing', async () => {
    const got = await client.send(new cf.GetDistributionConfigCommand({ Id }));
    expect(got.DistributionConfig).toEqual(siteConfig());
    const dist = await client.send(new cf.GetDistributionCommand({ Id }));
    expect(dist.ETag).toBe(got.ETag);
    expect(dist.Distribution?.DistributionConfig).toEqual(siteConfig());
    expect(dist.Distribution?.LastModifiedTime).toBeInstanceOf(Date);
    const before = api.get(Id).config;
    const put = await client.send(new cf.UpdateDistributionCommand({ Id, IfMatch: got.ETag!, DistributionConfig: got.DistributionConfig! }));
    expect(put.ETag).not.toBe(got.ETag);
    expect(put.Distribution?.Status).toBe('InProgress');
    expect(api.get(Id).config).toEqual(before);
  });

  test('errors arrive as the SDK classes', async () => {
    const got = await client.send(new cf.GetDistributionConfigCommand({ Id }));
    await expect(client.send(new cf.UpdateDistributionCommand({ Id, DistributionConfig: got.DistributionConfig! }))).rejects.toBeInstanceOf(cf.InvalidIfMatchVersion);
    api.edit(Id, (c) => (c.Comment = 'someone else'));
    const stale = client.send(new cf.UpdateDistributionCommand({ Id, IfMatch: got.ETag!, DistributionConfig: got.DistributionConfig! }));
    await expect(stale).rejects.toBeInstanceOf(cf.PreconditionFailed);
    await expect(stale).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
    await expect(client.send(new cf.GetDistributionConfigCommand({ Id: 'ENOPE' }))).rejects.toBeInstanceOf(cf.NoSuchDistribution);
    const fresh = await client.send(new cf.GetDistributionConfigCommand({ Id }));
    const bad = { ...fresh.DistributionConfig!, CallerReference: 'changed' };
    await expect(client.send(new cf.UpdateDistributionCommand({ Id, IfMatch: fresh.ETag!, DistributionConfig: bad }))).rejects.toBeInstanceOf(cf.IllegalUpdate);
    expect(api.get(Id).config.Comment).toBe('someone else');
  });
});
