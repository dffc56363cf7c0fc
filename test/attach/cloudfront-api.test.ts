/**
 * The local CloudFront control plane over raw HTTP (no SDK): ETag required and checked,
 * the error wire shape, and the config checks (local/emulators/cloudfront-api/validate.ts).
 * The same endpoint through the real @aws-sdk/client-cloudfront: cloudfront-api.sdk.test.ts.
 */
import { CloudFrontApiError, startCloudFrontApi, type CloudFrontApiHandle } from '../../local/emulators/cloudfront-api/server';
import { writeDocument } from '../../local/emulators/cloudfront-api/xml';
import { AUTH_OAC, EDGE_ARN, SITE_OAC, siteConfig } from './fixtures';

let api: CloudFrontApiHandle;
const ID = 'E123ABC';
const AUTH = { authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/cloudfront/aws4_request, SignedHeaders=host, Signature=00' };

beforeEach(async () => {
  api = await startCloudFrontApi({ originAccessControls: [SITE_OAC, AUTH_OAC], distributions: { [ID]: siteConfig() } });
});
afterEach(() => api.close());

const url = (path = '/config') => `${api.endpoint}/2020-05-31/distribution/${ID}${path}`;
const getConfig = () => fetch(url(), { headers: AUTH });
const put = (body: string, ifMatch?: string) =>
  fetch(url(), { method: 'PUT', body, headers: { ...AUTH, 'content-type': 'application/xml', ...(ifMatch !== undefined && { 'if-match': ifMatch }) } });
const code = async (res: Response) => /<Code>([^<]*)<\/Code>/.exec(await res.text())?.[1];

test('GetDistributionConfig and GetDistribution: the config with the namespace, one ETag for both', async () => {
  const res = await getConfig();
  expect(res.status).toBe(200);
  const etag = res.headers.get('etag');
  expect(etag).toMatch(/^E[A-Z0-9]{13}$/);
  const text = await res.text();
  expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?><DistributionConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">')).toBe(true);
  expect(text).toContain('<HeaderValue>a &amp; b &lt;c&gt;</HeaderValue>');
  const dist = await fetch(url(''), { headers: AUTH });
  expect(dist.headers.get('etag')).toBe(etag);
  const body = await dist.text();
  expect(body).toContain(`<Id>${ID}</Id>`);
  expect(body).toContain(`<ARN>arn:aws:cloudfront::000000000000:distribution/${ID}</ARN>`);
});

test('UpdateDistribution without If-Match: 400 InvalidIfMatchVersion, nothing changed', async () => {
  const before = api.get(ID);
  const res = await put(writeDocument('DistributionConfig', siteConfig()));
  expect(res.status).toBe(400);
  expect(await code(res)).toBe('InvalidIfMatchVersion');
  expect(api.get(ID)).toEqual(before);
});

test('a stale ETag: 412 PreconditionFailed; the current one: 200, a new ETag, and the old one is stale', async () => {
  const etag = (await getConfig()).headers.get('etag')!;
  const changed = { ...siteConfig(), Comment: 'changed' };
  const ok = await put(writeDocument('DistributionConfig', changed), etag);
  expect(ok.status).toBe(200);
  const newEtag = ok.headers.get('etag');
  expect(newEtag).not.toBe(etag);
  expect(await ok.text()).toContain('<Status>InProgress</Status>');
  const stale = await put(writeDocument('DistributionConfig', siteConfig()), etag);
  expect(stale.status).toBe(412);
  expect(await code(stale)).toBe('PreconditionFailed');
  expect(api.get(ID).config.Comment).toBe('changed');
  expect(api.get(ID).etag).toBe(newEtag);
});

test('what GetDistributionConfig returned, sent back unchanged, is stored unchanged', async () => {
  const res = await getConfig();
  const before = api.get(ID).config;
  expect((await put(await res.text(), res.headers.get('etag')!)).status).toBe(200);
  expect(api.get(ID).config).toEqual(before);
});

test('errors have the service wire shape; unsigned, unknown and empty requests are refused', async () => {
  const missing = await fetch(`${api.endpoint}/2020-05-31/distribution/ENOPE/config`, { headers: AUTH });
  expect(missing.status).toBe(404);
  expect(missing.headers.get('x-amz-request-id')).toBeTruthy();
  const text = await missing.text();
  expect(text).toMatch(/<ErrorResponse xmlns="http:\/\/cloudfront.amazonaws.com\/doc\/2020-05-31\/"><Error><Type>Sender<\/Type><Code>NoSuchDistribution<\/Code>/);
  expect((await fetch(url())).status).toBe(403);
  const etag = (await getConfig()).headers.get('etag')!;
  expect(await code(await put('', etag))).toBe('MissingBody');
  expect(await code(await put('<DistributionConfig><Comment>x</Comment>', etag))).toBe('MalformedXML');
  expect(await code(await put(writeDocument('Foo', siteConfig()), etag))).toBe('MalformedXML');
  expect(await code(await put(writeDocument('DistributionConfig', siteConfig()).replace('2020-05-31', '2019-03-26'), etag))).toBe('MalformedXML');
  expect(await code(await put('<!DOCTYPE x [<!ENTITY a "b">]><DistributionConfig/>', etag))).toBe('MalformedXML');
});

/** Seeds a variant of the fixture; returns the error code (or 'ok'). */
function seedCode(edit: (c: any) => void): string {
  const c = siteConfig();
  edit(c);
  try {
    api.seed(`E${Math.random().toString(36).slice(2, 10).toUpperCase()}`, c);
    return 'ok';
  } catch (e) {
    if (e instanceof CloudFrontApiError) return e.code;
    throw e;
  }
}
const viewerLambda = { Quantity: 1, Items: [{ LambdaFunctionARN: EDGE_ARN, EventType: 'viewer-request', IncludeBody: false }] };

test.each<[string, (c: any) => void, string]>([
  ['the fixture itself', () => {}, 'ok'],
  ['Quantity does not match Items', (c) => (c.Aliases.Quantity = 2), 'InconsistentQuantities'],
  ['Items missing with Quantity > 0', (c) => delete c.CacheBehaviors.Items, 'InconsistentQuantities'],
  ['a field required on update missing (WebACLId)', (c) => delete c.WebACLId, 'IllegalUpdate'],
  ['a behaviour field required on update missing', (c) => delete c.DefaultCacheBehavior.LambdaFunctionAssociations, 'IllegalUpdate'],
  ['neither CachePolicyId nor ForwardedValues', (c) => delete c.DefaultCacheBehavior.CachePolicyId, 'InvalidArgument'],
  ['a target origin that does not exist', (c) => (c.CacheBehaviors.Items[0].TargetOriginId = 'nope'), 'NoSuchOrigin'],
  ['two origins with one Id', (c) => (c.Origins.Items[1].Id = 'site-bucket'), 'InvalidArgument'],
  ['two behaviours with one path pattern (leading / optional)', (c) => (c.CacheBehaviors.Items[1].PathPattern = 'app/*'), 'InvalidArgument'],
  ['an origin with both S3 and custom config', (c) => (c.Origins.Items[0].CustomOriginConfig = c.Origins.Items[1].CustomOriginConfig), 'InvalidArgument'],
  ['OAC and OAI on one origin', (c) => (c.Origins.Items[0].S3OriginConfig.OriginAccessIdentity = 'origin-access-identity/cloudfront/E1'), 'IllegalOriginAccessConfiguration'],
  ['an OAC that does not exist', (c) => (c.Origins.Items[0].OriginAccessControlId = 'E9NOPE'), 'InvalidOriginAccessControl'],
  ['an enum value out of range', (c) => (c.DefaultCacheBehavior.ViewerProtocolPolicy = 'bogus'), 'MalformedXML'],
  ['a method set CloudFront does not offer', (c) => (c.DefaultCacheBehavior.AllowedMethods = { Quantity: 2, Items: ['GET', 'POST'] }), 'InvalidArgument'],
  ['Lambda@Edge $LATEST', (c) => (c.DefaultCacheBehavior.LambdaFunctionAssociations = { Quantity: 1, Items: [{ LambdaFunctionARN: EDGE_ARN.replace(/:7$/, ':$LATEST'), EventType: 'viewer-request' }] }), 'InvalidLambdaFunctionAssociation'],
  ['Lambda@Edge unversioned', (c) => (c.DefaultCacheBehavior.LambdaFunctionAssociations = { Quantity: 1, Items: [{ LambdaFunctionARN: EDGE_ARN.replace(/:7$/, ''), EventType: 'viewer-request' }] }), 'InvalidLambdaFunctionAssociation'],
  ['Lambda@Edge outside us-east-1', (c) => (c.DefaultCacheBehavior.LambdaFunctionAssociations = { Quantity: 1, Items: [{ LambdaFunctionARN: EDGE_ARN.replace('us-east-1', 'eu-west-1'), EventType: 'viewer-request' }] }), 'InvalidLambdaFunctionAssociation'],
  ['two functions on one event type', (c) => (c.DefaultCacheBehavior.LambdaFunctionAssociations = { Quantity: 2, Items: [viewerLambda.Items[0], viewerLambda.Items[0]] }), 'InvalidLambdaFunctionAssociation'],
  ['a CloudFront Function with a viewer Lambda@Edge', (c) => {
    c.DefaultCacheBehavior.LambdaFunctionAssociations = viewerLambda;
    c.DefaultCacheBehavior.FunctionAssociations = { Quantity: 1, Items: [{ FunctionARN: 'arn:aws:cloudfront::111122223333:function/rewrite', EventType: 'viewer-response' }] };
  }, 'InvalidLambdaFunctionAssociation'],
  ['a CloudFront Function on an origin event', (c) => (c.DefaultCacheBehavior.FunctionAssociations = { Quantity: 1, Items: [{ FunctionARN: 'arn:aws:cloudfront::111122223333:function/rewrite', EventType: 'origin-request' }] }), 'MalformedXML'],
  ['76 cache behaviours', (c) => {
    c.CacheBehaviors.Items = Array.from({ length: 76 }, (_, i) => ({ ...c.CacheBehaviors.Items[0], PathPattern: `/p${i}/*` }));
    c.CacheBehaviors.Quantity = 76;
  }, 'TooManyCacheBehaviors'],
  ['a comment over 128 characters', (c) => (c.Comment = 'x'.repeat(129)), 'InvalidArgument'],
])('refuses or accepts: %s', (_name, edit, expected) => {
  expect(seedCode(edit)).toBe(expected);
});

test('CallerReference cannot change on update (IllegalUpdate)', async () => {
  const etag = (await getConfig()).headers.get('etag')!;
  const res = await put(writeDocument('DistributionConfig', { ...siteConfig(), CallerReference: 'other' }), etag);
  expect(await code(res)).toBe('IllegalUpdate');
});
