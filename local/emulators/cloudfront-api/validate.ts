/**
 * The checks the local CloudFront control plane makes on a DistributionConfig before it
 * stores it (seed or UpdateDistribution). Each rule names its source; [inferred] marks an
 * error code or message we could not see the real service return (see
 * docs/existing-distribution.md, "What the local endpoint could not confirm").
 *
 * Sources, abbreviated below:
 *  - MODEL: the CloudFront service model, botocore `data/cloudfront/2020-05-31/service-2.json`
 *    (the same values are in @aws-sdk/client-cloudfront's schema).
 *  - UPDATE-API: https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_UpdateDistribution.html
 *  - REQUIRED-FIELDS: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/distribution-overview-required-fields.html
 *  - EDGE-RESTRICTIONS: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-function-restrictions-all.html
 *  - LAMBDA-RESTRICTIONS: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-at-edge-function-restrictions.html
 *  - QUOTAS: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html
 */
import { LIST_MEMBERS, type Plain, type PlainObject } from './xml';

/** A CloudFront API error: code (= the SDK's exception name), HTTP status, message. */
export class CloudFrontApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const err = (code: string, status: number, message: string) => new CloudFrontApiError(code, status, message);
const invalid = (message: string) => err('InvalidArgument', 400, message);

/** Quotas (QUOTAS, default values): cache behaviours and origins per distribution. */
export const MAX_CACHE_BEHAVIORS = 75;
export const MAX_ORIGINS = 100;

// Enums (MODEL). A value outside them: MalformedXML with the service's validation wording,
// as seen in terraform-aws-modules/terraform-aws-cloudfront#53 [code from that sample].
const ENUMS: Record<string, readonly string[]> = {
  ViewerProtocolPolicy: ['allow-all', 'https-only', 'redirect-to-https'],
  PriceClass: ['PriceClass_100', 'PriceClass_200', 'PriceClass_All', 'None'],
  HttpVersion: ['http1.1', 'http2', 'http3', 'http2and3'],
  OriginProtocolPolicy: ['http-only', 'match-viewer', 'https-only'],
  Method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'OPTIONS', 'DELETE'],
  EventType: ['viewer-request', 'viewer-response', 'origin-request', 'origin-response'],
};
// AllowedMethods: 2, 3 or 7 methods, exactly these sets; CachedMethods: 2 or 3 (MODEL, AllowedMethods doc).
const METHOD_SETS = [['GET', 'HEAD'], ['GET', 'HEAD', 'OPTIONS'], ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']];
// LambdaFunctionARN: a numbered version in us-east-1 (MODEL doc; LAMBDA-RESTRICTIONS).
const LAMBDA_ARN = /^arn:aws:lambda:([a-z0-9-]+):\d{12}:function:[A-Za-z0-9_-]{1,64}(?::(.+))?$/;
// FunctionARN pattern (MODEL).
const FUNCTION_ARN = /^arn:aws:cloudfront::[0-9]{12}:function\/[a-zA-Z0-9-_]{1,64}$/;

const obj = (v: Plain | undefined): PlainObject | undefined =>
  v !== undefined && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
const entries = (v: Plain | undefined): Plain[] => {
  const list = obj(v)?.Items;
  return Array.isArray(list) ? list : [];
};
/** The entries of a list of structures (an entry that is not one fails the checks that read it). */
const items = (v: Plain | undefined): PlainObject[] => entries(v).map((e) => obj(e) ?? {});

/** Walks every `{Quantity, Items}` wrapper: Quantity must equal the number of Items (MODEL: InconsistentQuantities). */
function checkQuantities(value: Plain, where: string): void {
  const o = obj(value);
  if (o === undefined) {
    if (Array.isArray(value)) value.forEach((v, i) => checkQuantities(v, `${where}.Items[${i}]`));
    return;
  }
  if (Object.hasOwn(o, 'Quantity')) {
    const q = o.Quantity;
    if (typeof q !== 'string' || !/^\d+$/.test(q)) throw err('MalformedXML', 400, `${where}.Quantity is not an integer`);
    const n = Array.isArray(o.Items) ? o.Items.length : 0;
    if (Object.hasOwn(o, 'Items') && !Array.isArray(o.Items)) throw err('MalformedXML', 400, `${where}.Items is not a list`);
    // "If Quantity is 0, you can omit Items" (MODEL); otherwise Items must hold Quantity entries.
    if (Number(q) !== n) throw err('InconsistentQuantities', 400, `The value of Quantity and the size of Items don't match. (${where})`);
  }
  for (const [k, v] of Object.entries(o)) if (k !== 'Quantity') checkQuantities(v, `${where}.${k}`);
}

/** Every enum-typed leaf, anywhere; list entries are checked under their member name (Method, ...). */
function checkEnums(value: Plain, where: string, name?: string): void {
  if (typeof value === 'string') {
    const allowed = name !== undefined ? ENUMS[name] : undefined;
    if (allowed && !allowed.includes(value)) {
      throw err('MalformedXML', 400, `1 validation error detected: Value '${value}' at '${where}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`);
    }
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => checkEnums(v, `${where}.${i + 1}.member`, name));
  } else {
    for (const [k, v] of Object.entries(value)) {
      checkEnums(v, `${where}.${k.charAt(0).toLowerCase()}${k.slice(1)}`, k === 'Items' && name !== undefined ? LIST_MEMBERS[name] : k);
    }
  }
}

function requireFields(o: PlainObject, fields: readonly string[], where: string, make: (m: string) => CloudFrontApiError): void {
  for (const f of fields) if (!Object.hasOwn(o, f)) throw make(`${f} is missing for the resource (${where})`);
}

function checkBoolean(o: PlainObject, field: string, where: string): void {
  if (Object.hasOwn(o, field) && o[field] !== 'true' && o[field] !== 'false') throw err('MalformedXML', 400, `${where}.${field} must be true or false`);
}

function checkMethods(b: PlainObject, where: string): void {
  const allowed = obj(b.AllowedMethods);
  if (allowed === undefined) return;
  const same = (list: Plain[], set: string[]) => list.length === set.length && set.every((m) => list.includes(m));
  const list = entries(allowed);
  if (!METHOD_SETS.some((s) => same(list, s))) throw invalid(`${where}.AllowedMethods must be GET,HEAD or GET,HEAD,OPTIONS or all seven methods`);
  const cached = obj(allowed.CachedMethods);
  if (cached !== undefined && !METHOD_SETS.slice(0, 2).some((s) => same(entries(cached), s))) {
    throw invalid(`${where}.AllowedMethods.CachedMethods must be GET,HEAD or GET,HEAD,OPTIONS`);
  }
}

/** Edge functions on one behaviour (MODEL; LAMBDA-RESTRICTIONS; EDGE-RESTRICTIONS). */
function checkEdgeFunctions(b: PlainObject, where: string): void {
  const seen = new Map<string, string>();
  for (const a of items(b.LambdaFunctionAssociations)) {
    const arn = String(a.LambdaFunctionARN ?? '');
    const m = LAMBDA_ARN.exec(arn);
    // The version check comes before the region check (one real sample, grahamgilbert/terraform-aws-munki-repo#6) [inferred order].
    if (!m || m[2] === undefined || !/^\d+$/.test(m[2])) {
      throw err('InvalidLambdaFunctionAssociation', 400, `The function ARN must reference a specific function version. (The ARN must end with the version number.) ARN: ${arn}`);
    }
    if (m[1] !== 'us-east-1') throw err('InvalidLambdaFunctionAssociation', 400, `The function must be in region 'us-east-1'. ARN: ${arn}`);
    const type = String(a.EventType);
    if (seen.has(type)) {
      throw err('InvalidLambdaFunctionAssociation', 400, `The event type of a function association must be unique in the cache behavior. Event type ${type} cannot be associated with two functions (${where})`);
    }
    seen.set(type, arn);
    checkBoolean(a, 'IncludeBody', where);
  }
  for (const a of items(b.FunctionAssociations)) {
    const arn = String(a.FunctionARN ?? '');
    if (!FUNCTION_ARN.test(arn)) throw err('InvalidFunctionAssociation', 400, `The function ARN is not valid: ${arn}`);
    const type = String(a.EventType);
    // CloudFront Functions run on viewer events only (terraform-aws-modules/terraform-aws-cloudfront#53).
    if (type !== 'viewer-request' && type !== 'viewer-response') {
      throw err('MalformedXML', 400, `Value '${type}' at '${where}.functionAssociations.eventType' failed to satisfy constraint: Member must satisfy enum value set: [viewer-request, viewer-response]`);
    }
    if (seen.has(type)) {
      throw err('InvalidLambdaFunctionAssociation', 400, `The event type of a function association must be unique in the cache behavior. Event type ${type} cannot be associated with two functions (${where})`);
    }
    seen.set(type, arn);
  }
  // "You can't combine CloudFront Functions and Lambda@Edge in viewer events" (EDGE-RESTRICTIONS) [code inferred].
  const viewerLambda = items(b.LambdaFunctionAssociations).some((a) => String(a.EventType).startsWith('viewer-'));
  if (viewerLambda && items(b.FunctionAssociations).length > 0) {
    throw err('InvalidLambdaFunctionAssociation', 400, `CloudFront Functions and Lambda@Edge cannot both be associated with viewer events of one cache behavior (${where})`);
  }
}

// On UpdateDistribution more fields are required than on create (REQUIRED-FIELDS); a missing
// one answers IllegalUpdate "<Field> is missing for the resource" (yaybu/touchdown#66).
const CONFIG_REQUIRED = ['CallerReference', 'Origins', 'DefaultCacheBehavior', 'Comment', 'Enabled'];
const CONFIG_REQUIRED_ON_UPDATE = ['Aliases', 'DefaultRootObject', 'CacheBehaviors', 'CustomErrorResponses', 'Logging', 'PriceClass', 'ViewerCertificate', 'Restrictions', 'WebACLId', 'HttpVersion'];
const BEHAVIOR_REQUIRED = ['TargetOriginId', 'ViewerProtocolPolicy'];
const BEHAVIOR_REQUIRED_ON_UPDATE = ['AllowedMethods', 'SmoothStreaming', 'Compress', 'LambdaFunctionAssociations', 'FieldLevelEncryptionId'];

function checkBehavior(b: PlainObject, where: string, targets: Set<string>): void {
  requireFields(b, BEHAVIOR_REQUIRED, where, invalid);
  requireFields(b, BEHAVIOR_REQUIRED_ON_UPDATE, where, (m) => err('IllegalUpdate', 400, m));
  // "A CacheBehavior must include either a CachePolicyId or ForwardedValues" (MODEL); the
  // service's message when neither is sent: "The parameter MinTTL is required." (aws-controllers-k8s/community#2335).
  if (!Object.hasOwn(b, 'CachePolicyId') && !Object.hasOwn(b, 'ForwardedValues')) throw invalid('The parameter MinTTL is required.');
  // TargetOriginId must name an origin or origin group (MODEL, Origin.Id); NoSuchOrigin 404 (hashicorp/terraform#18283).
  if (!targets.has(String(b.TargetOriginId))) {
    throw err('NoSuchOrigin', 404, `One or more of your cache behavior target origins or origin groups do not exist. (${where}: ${String(b.TargetOriginId)})`);
  }
  for (const f of ['SmoothStreaming', 'Compress']) checkBoolean(b, f, where);
  checkMethods(b, where);
  checkEdgeFunctions(b, where);
}

function checkOrigin(o: PlainObject, where: string, knownOacs: ReadonlySet<string> | undefined): void {
  requireFields(o, ['Id', 'DomainName'], where, invalid);
  // "Exactly one of CustomOriginConfig and S3OriginConfig must be specified" (aws/aws-cdk#31016) [code inferred].
  const kinds = ['S3OriginConfig', 'CustomOriginConfig', 'VpcOriginConfig'].filter((k) => Object.hasOwn(o, k));
  if (kinds.length !== 1) throw invalid(`Exactly one of CustomOriginConfig and S3OriginConfig must be specified (${where})`);
  const custom = obj(o.CustomOriginConfig);
  if (custom) requireFields(custom, ['HTTPPort', 'HTTPSPort', 'OriginProtocolPolicy'], `${where}.CustomOriginConfig`, invalid);
  const oac = typeof o.OriginAccessControlId === 'string' ? o.OriginAccessControlId : '';
  const oai = obj(o.S3OriginConfig)?.OriginAccessIdentity;
  // MODEL, IllegalOriginAccessConfiguration: "An origin cannot contain both an origin access control (OAC) and an origin access identity (OAI)."
  if (oac !== '' && typeof oai === 'string' && oai !== '') {
    throw err('IllegalOriginAccessConfiguration', 400, `An origin cannot contain both an origin access control (OAC) and an origin access identity (OAI). (${where})`);
  }
  // MODEL, InvalidOriginAccessControl: "The origin access control is not valid."
  if (oac !== '' && knownOacs !== undefined && !knownOacs.has(oac)) throw err('InvalidOriginAccessControl', 400, `The origin access control is not valid: ${oac}`);
}

/** A leading "/" is optional in a PathPattern ("/images/*" and "images/*" are the same: MODEL, CacheBehavior.PathPattern). */
export const normalizePathPattern = (p: string): string => (p.startsWith('/') ? p : `/${p}`);

/**
 * Checks a whole DistributionConfig (plain form). `previous`: the stored config when this is
 * an update (CallerReference must not change: UPDATE-API "You can't change the value of
 * CallerReference", IllegalUpdate). `knownOacs`: the origin access controls that exist.
 */
export function validateDistributionConfig(c: PlainObject, previous: PlainObject | undefined, knownOacs?: ReadonlySet<string>): void {
  requireFields(c, CONFIG_REQUIRED, 'DistributionConfig', invalid);
  requireFields(c, CONFIG_REQUIRED_ON_UPDATE, 'DistributionConfig', (m) => err('IllegalUpdate', 400, m));
  if (previous !== undefined && c.CallerReference !== previous.CallerReference) {
    throw err('IllegalUpdate', 400, 'You cannot update CallerReference.');
  }
  checkQuantities(c, 'DistributionConfig');
  checkEnums(c, 'distributionConfig');
  for (const f of ['Enabled', 'IsIPV6Enabled', 'Staging']) checkBoolean(c, f, 'DistributionConfig');
  // Comment: at most 128 characters (MODEL, DistributionConfig.Comment).
  if (typeof c.Comment === 'string' && c.Comment.length > 128) throw invalid('The parameter Comment is longer than 128 characters.');

  const origins = items(c.Origins);
  // Origins: Items required (MODEL), and at least one.
  if (origins.length === 0) throw invalid('Origins must contain at least one origin');
  if (origins.length > MAX_ORIGINS) throw err('TooManyOrigins', 400, 'You cannot create more origins for the distribution.');
  const ids = new Set<string>();
  origins.forEach((o, i) => {
    checkOrigin(o, `Origins.Items[${i}]`, knownOacs);
    // "This value must be unique within the distribution" (MODEL, Origin.Id) [code inferred].
    if (ids.has(String(o.Id))) throw invalid(`Origin Id "${String(o.Id)}" is used more than once`);
    ids.add(String(o.Id));
  });
  const targets = new Set([...ids, ...items(c.OriginGroups).map((g) => String(g.Id))]);

  const dcb = obj(c.DefaultCacheBehavior);
  if (dcb === undefined) throw invalid('DefaultCacheBehavior is empty');
  if (Object.hasOwn(dcb, 'PathPattern')) throw err('MalformedXML', 400, 'DefaultCacheBehavior has no PathPattern');
  checkBehavior(dcb, 'DefaultCacheBehavior', targets);

  const behaviors = entries(c.CacheBehaviors);
  if (behaviors.length > MAX_CACHE_BEHAVIORS) throw err('TooManyCacheBehaviors', 400, 'You cannot create more cache behaviors for the distribution.');
  const patterns = new Set<string>();
  behaviors.forEach((entry, i) => {
    const where = `CacheBehaviors.Items[${i}]`;
    const b = obj(entry);
    // "Don't specify an empty individual CacheBehavior element, because this is invalid." (MODEL)
    if (b === undefined) throw err('MalformedXML', 400, `${where} is empty`);
    requireFields(b, ['PathPattern'], where, invalid);
    // Duplicate path patterns: refused by the console; no API sample found [inferred].
    const p = normalizePathPattern(String(b.PathPattern));
    if (patterns.has(p)) throw invalid(`More than one cache behavior has the path pattern ${String(b.PathPattern)}`);
    patterns.add(p);
    checkBehavior(b, where, targets);
  });
}
