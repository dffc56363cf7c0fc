/**
 * The local stack serving a distribution config (`npm start -- --distribution <file>`): the
 * local CloudFront control plane (./cloudfront-api.ts) holds the distribution, and the
 * CloudFront emulator routes every request by its current config (./cloudfront/behaviors.ts):
 * the behaviour's origin, and the viewer-request function only on behaviours that have one.
 * So `npx edge-oauth attach --endpoint <control plane>` protects the local site at once, and
 * `detach` makes it public again, as on CloudFront (minus the minutes of deployment).
 *
 * Locally edge-oauth's handler stands for every viewer-request Lambda@Edge association (the
 * emulator runs no other function); the origin `edge-oauth-callback` is the callback
 * handler; every other origin is `origins[id]`, else the demo origin.
 */
import { CALLBACK_ORIGIN_ID, type AttachTargets } from '../../lib/attach/plan';
import { startCloudFrontApi, type CloudFrontApiHandle } from '../emulators/cloudfront-api/server';
import { routeFor } from '../emulators/cloudfront/behaviors';

export interface LocalDistributionOptions {
  /** @default 'ELOCALDIST' */
  readonly id?: string;
  /** The DistributionConfig (as GetDistributionConfig returns it, or the control plane's state). */
  readonly config: object;
  /** Origin id → local URL. @default - the demo origin for every origin */
  readonly origins?: Readonly<Record<string, string>>;
}

/** What `edge-oauth attach` attaches locally: a stand-in version ARN, function URL host and OAC. */
export const LOCAL_ATTACH_TARGETS: AttachTargets = {
  viewerRequestVersionArn: 'arn:aws:lambda:us-east-1:000000000000:function:edge-oauth-local-viewer-request:1',
  callbackDomainName: 'local0callback.lambda-url.us-east-1.on.aws',
  originAccessControlId: 'ELOCALCALLBACKOAC',
};

export interface LocalDistribution {
  readonly id: string;
  readonly api: CloudFrontApiHandle;
  /** For the emulator's `routing` option. */
  routing(uri: string): { viewerRequest: boolean; origin: 'callback' | string };
}

function oacsIn(config: object): string[] {
  const items = (config as { Origins?: { Items?: Array<{ OriginAccessControlId?: unknown }> } }).Origins?.Items ?? [];
  return items.map((o) => o.OriginAccessControlId).filter((id): id is string => typeof id === 'string' && id !== '');
}

export async function startLocalDistribution(options: LocalDistributionOptions, demoOriginUrl: string): Promise<LocalDistribution> {
  const id = options.id ?? 'ELOCALDIST';
  const api = await startCloudFrontApi({
    originAccessControls: [...oacsIn(options.config), LOCAL_ATTACH_TARGETS.originAccessControlId],
    distributions: { [id]: options.config },
  });
  return {
    id,
    api,
    routing(uri) {
      const route = routeFor(api.get(id).config, uri);
      const origin = route.targetOriginId === CALLBACK_ORIGIN_ID ? 'callback' : (options.origins?.[route.targetOriginId] ?? demoOriginUrl);
      return { viewerRequest: route.viewerRequestArn !== undefined, origin };
    },
  };
}
