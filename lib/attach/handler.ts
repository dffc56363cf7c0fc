/**
 * The custom resource that attaches edge-oauth to an existing distribution at deploy time
 * and takes it off again when the stack (or the resource) is deleted
 * (lib/existing-distribution.ts creates it; the CDK custom resource provider framework
 * calls `handler` with CloudFormation's event and reports the result).
 *
 * - Create: attach (lib/attach/plan.ts) through GetDistributionConfig / UpdateDistribution
 *   with the ETag, re-planned from a fresh read on a concurrent change (lib/attach/update.ts).
 *   A refusal (a viewer function already there, a /auth/* behaviour) fails the deploy with
 *   the planner's message; nothing was changed.
 * - Update: attach again with the new properties (a new function version, another
 *   `protect`); a new distribution id means a new resource: CloudFormation then deletes the
 *   old one, which detaches the old distribution.
 * - Delete: detach; a distribution that no longer exists is nothing to undo.
 *
 * It never creates a distribution. Bundled by esbuild at synth; @aws-sdk/client-cloudfront
 * comes from the Lambda Node.js runtime.
 */
import { attachConfig, detachConfig, type AttachTargets } from './plan';
import { cloudFrontClient, cloudFrontDistributionApi } from './cloudfront';
import { updateDistribution } from './update';

/** The resource's properties (strings: CloudFormation passes every property as a string). */
export interface AttachProperties {
  readonly DistributionId: string;
  readonly ViewerRequestVersionArn: string;
  readonly CallbackDomainName: string;
  readonly OriginAccessControlId: string;
  /** Comma-separated path patterns, `*` for the default behaviour; empty = all. */
  readonly Protect?: string;
  readonly CallbackReadTimeoutSeconds?: string;
}

export interface AttachEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: AttachProperties & { ServiceToken?: string };
  readonly OldResourceProperties?: AttachProperties;
}

export interface AttachResponse {
  PhysicalResourceId: string;
  Data: { Attached: string };
}

function targetsOf(p: AttachProperties): AttachTargets {
  return {
    viewerRequestVersionArn: p.ViewerRequestVersionArn,
    callbackDomainName: p.CallbackDomainName,
    originAccessControlId: p.OriginAccessControlId,
    ...(p.CallbackReadTimeoutSeconds !== undefined && { callbackReadTimeoutSeconds: Number(p.CallbackReadTimeoutSeconds) }),
  };
}

const protectOf = (p: AttachProperties) => {
  const list = (p.Protect ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  return list.length > 0 ? { protect: list } : {};
};

const log = (fields: Record<string, unknown>) => console.log(JSON.stringify({ source: 'edge-oauth-attach', ...fields }));

export async function handler(event: AttachEvent): Promise<AttachResponse> {
  const props = event.ResourceProperties;
  const id = props.DistributionId;
  // AWS_ENDPOINT_URL_CLOUDFRONT (read by the SDK) points tests at the local control plane.
  const client = cloudFrontClient();
  const api = cloudFrontDistributionApi(client);
  const onRetry = (attempt: number) => log({ distributionId: id, retry: attempt, reason: 'PreconditionFailed' });
  try {
    if (event.RequestType === 'Delete') {
      try {
        const result = await updateDistribution(api, id, (c) => detachConfig(c, props.ViewerRequestVersionArn), { onRetry });
        log({ distributionId: id, action: 'detach', changed: result.changed });
      } catch (error) {
        if ((error as { name?: unknown }).name !== 'NoSuchDistribution') throw error;
        log({ distributionId: id, action: 'detach', changed: false, reason: 'the distribution no longer exists' });
      }
      return { PhysicalResourceId: event.PhysicalResourceId ?? id, Data: { Attached: 'false' } };
    }
    const targets = targetsOf(props);
    // An update that replaced the function itself (not just its version): take the old one off first.
    const old = event.RequestType === 'Update' && event.OldResourceProperties?.DistributionId === id ? event.OldResourceProperties.ViewerRequestVersionArn : undefined;
    const plan = (c: object) => attachConfig(old !== undefined ? detachConfig(c, old) : c, targets, protectOf(props));
    const result = await updateDistribution(api, id, plan, { onRetry });
    log({ distributionId: id, action: 'attach', changed: result.changed, attempts: result.attempts });
    return { PhysicalResourceId: id, Data: { Attached: 'true' } };
  } finally {
    client.destroy();
  }
}
