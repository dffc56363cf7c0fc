/**
 * `DistributionApi` on the real CloudFront API (@aws-sdk/client-cloudfront):
 * GetDistributionConfig for the config and its ETag, UpdateDistribution with `IfMatch`.
 * CloudFront is a global service signed for us-east-1 whatever the caller's region; with an
 * `endpoint` (the local control plane) the region is pinned to us-east-1 too.
 */
import {
  CloudFrontClient,
  GetDistributionConfigCommand,
  PreconditionFailed,
  UpdateDistributionCommand,
  type CloudFrontClientConfig,
  type DistributionConfig,
} from '@aws-sdk/client-cloudfront';
import { StaleVersionError } from '../../lambdas/core/errors';
import type { DistributionApi } from './update';

export type { DistributionConfig };

export function cloudFrontClient(options: { endpoint?: string | undefined; credentials?: { accessKeyId: string; secretAccessKey: string } } = {}): CloudFrontClient {
  const config: CloudFrontClientConfig = { region: 'us-east-1' };
  if (options.endpoint !== undefined) config.endpoint = options.endpoint;
  if (options.credentials !== undefined) config.credentials = options.credentials;
  return new CloudFrontClient(config);
}

export function cloudFrontDistributionApi(client: CloudFrontClient): DistributionApi<DistributionConfig> {
  return {
    async read(id) {
      const out = await client.send(new GetDistributionConfigCommand({ Id: id }));
      if (out.ETag === undefined || out.DistributionConfig === undefined) {
        throw new Error(`GetDistributionConfig ${id}: the answer has no ETag or no DistributionConfig`);
      }
      return { etag: out.ETag, config: out.DistributionConfig };
    },
    async write(id, etag, config) {
      try {
        const out = await client.send(new UpdateDistributionCommand({ Id: id, IfMatch: etag, DistributionConfig: config }));
        if (out.ETag === undefined) throw new Error(`UpdateDistribution ${id}: the answer has no ETag`);
        return out.ETag;
      } catch (error) {
        if (error instanceof PreconditionFailed || (error as { name?: unknown }).name === 'PreconditionFailed') {
          throw new StaleVersionError({ cause: error });
        }
        throw error;
      }
    },
  };
}
