/**
 * The custom resource handler (lib/attach/handler.ts) as CloudFormation calls it, against
 * the local CloudFront API through the real @aws-sdk/client-cloudfront (AWS_ENDPOINT_URL_CLOUDFRONT).
 * Skipped when the CloudFront client is not installed.
 */
import type { AttachEvent, AttachProperties } from '../../lib/attach/handler';
import { canonicalJson } from '../../lib/attach/canonical';
import { startCloudFrontApi, type CloudFrontApiHandle } from '../../local/emulators/cloudfront-api/server';
import { describeWithCloudFrontSdk } from '../support/cloudfront-sdk';
import { AUTH_OAC, CALLBACK_URL_HOST, EDGE_ARN, SITE_OAC, siteConfig } from './fixtures';

const ID = 'E123ABC';
const props: AttachProperties = { DistributionId: ID, ViewerRequestVersionArn: EDGE_ARN, CallbackDomainName: CALLBACK_URL_HOST, OriginAccessControlId: AUTH_OAC, Protect: '', CallbackReadTimeoutSeconds: '12' };

describeWithCloudFrontSdk('the attach custom resource', () => {
  // Loaded when the tests run (it needs the CloudFront client), so that the file skips without it.
  let handler: typeof import('../../lib/attach/handler').handler;
  beforeAll(() => {
    handler = (require('../../lib/attach/handler') as typeof import('../../lib/attach/handler')).handler;
  });
  let api: CloudFrontApiHandle;
  const saved = { ...process.env };
  beforeEach(async () => {
    api = await startCloudFrontApi({ originAccessControls: [SITE_OAC, AUTH_OAC], distributions: { [ID]: siteConfig() } });
    Object.assign(process.env, { AWS_ENDPOINT_URL_CLOUDFRONT: api.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
    jest.spyOn(console, 'log').mockImplementation(() => {});
  });
  afterEach(async () => {
    process.env = { ...saved };
    jest.restoreAllMocks();
    await api.close();
  });
  const event = (RequestType: AttachEvent['RequestType'], p: AttachProperties = props, old?: AttachProperties): AttachEvent => ({
    RequestType,
    ResourceProperties: p,
    ...(RequestType !== 'Create' && { PhysicalResourceId: ID }),
    ...(old && { OldResourceProperties: old }),
  });

  test('Create attaches, Update with a new version replaces it, Delete puts the distribution back as it was', async () => {
    const original = canonicalJson(api.get(ID).config);
    expect(await handler(event('Create'))).toEqual({ PhysicalResourceId: ID, Data: { Attached: 'true' } });
    const attached: any = api.get(ID).config;
    expect(JSON.stringify(attached)).toContain(EDGE_ARN);
    expect(attached.Origins.Items.at(-1).CustomOriginConfig.OriginReadTimeout).toBe('12');

    const v8 = { ...props, ViewerRequestVersionArn: EDGE_ARN.replace(/:7$/, ':8') };
    await handler(event('Update', v8, props));
    expect(JSON.stringify(api.get(ID).config)).not.toContain(EDGE_ARN);
    expect(JSON.stringify(api.get(ID).config)).toContain(v8.ViewerRequestVersionArn);

    await handler(event('Delete', v8));
    expect(canonicalJson(api.get(ID).config)).toBe(original);
    expect(api.get(ID).updates).toBe(3);
  });

  test('a refused attach fails the deploy with the reason; nothing changed', async () => {
    api.edit(ID, (c: any) => (c.CacheBehaviors.Items[0].PathPattern = '/auth/*'));
    const before = api.get(ID);
    await expect(handler(event('Create'))).rejects.toThrow(/already has a behaviour at "\/auth\/\*"/);
    expect(api.get(ID)).toEqual(before);
  });

  test('Delete of a distribution that no longer exists succeeds', async () => {
    await expect(handler({ ...event('Delete'), ResourceProperties: { ...props, DistributionId: 'EGONE' } })).resolves.toMatchObject({ Data: { Attached: 'false' } });
  });
});
