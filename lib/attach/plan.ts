/**
 * Attach edge-oauth to a CloudFront DistributionConfig, or take it off again: pure
 * functions, config in, config out (the shape of @aws-sdk/client-cloudfront's
 * `DistributionConfig`, as GetDistributionConfig returns it). Used by `edge-oauth attach`
 * / `detach` (bin/attach-command.ts) and by the CDK custom resource (lib/attach/handler.ts).
 *
 * Attaching adds, and detaching removes exactly:
 * - the viewer-request Lambda@Edge association on each protected behaviour (default: the
 *   default behaviour and every cache behaviour), appended to its list;
 * - the origin `edge-oauth-callback`: the callback's function URL, HTTPS only, with origin
 *   access control, appended to the origins;
 * - the behaviours `/auth/callback` (GET, HEAD) and `/auth/*` (all methods), both to that
 *   origin, never cached (CachingDisabled), without the viewer's Host
 *   (AllViewerExceptHostHeader: a function URL answers 403 to a foreign Host), running the
 *   viewer-request function; inserted first, because CloudFront takes the first behaviour
 *   whose pattern matches ("in the order in which cache behaviors are listed", service model,
 *   CacheBehaviors). The same behaviours lib/edge-oauth.ts `addAuthBehaviors` makes.
 *
 * `attach(x)` is `add(remove(x))`, so attaching twice changes nothing and re-attaching
 * with a new function version or another `protect` list replaces ours only; `detach(attach(x))`
 * is `x` for every `x` without edge-oauth, given that CloudFront returns an empty list as
 * `{ Quantity: 0 }` without `Items` (what a list we emptied becomes).
 */
import { AttachRefusedError } from '../../lambdas/core/errors';

/** The managed policies (ids as in aws-cdk-lib aws-cloudfront/lib/cache-policy.js and origin-request-policy.js). */
export const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
export const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';
export const CALLBACK_ORIGIN_ID = 'edge-oauth-callback';
export const CALLBACK_PATH = '/auth/callback';
export const AUTH_PATH = '/auth/*';
/** The default cache behaviour, in `protect` lists. */
export const DEFAULT_BEHAVIOR = '*';
/** "Cache behaviors per distribution: 75" (CloudFront quotas, default value). */
const MAX_CACHE_BEHAVIORS = 75;

/** What edge-oauth deployed, that the distribution will point at. */
export interface AttachTargets {
  /** The viewer-request function's numbered version in us-east-1 (`…:function:<name>:<version>`). */
  readonly viewerRequestVersionArn: string;
  /** The callback's function URL host (`<id>.lambda-url.<region>.on.aws`). */
  readonly callbackDomainName: string;
  /** The origin access control (signing `lambda`) for that function URL. */
  readonly originAccessControlId: string;
  /** The callback origin's response timeout. @default 12 (EdgeOAuth's: the callback's default 10 s timeout + 2 s) */
  readonly callbackReadTimeoutSeconds?: number;
}

export interface AttachOptions {
  /** Path patterns of the behaviours to protect, `*` for the default one. @default - all */
  readonly protect?: readonly string[];
}

type Obj = Record<string, unknown>;
interface List<T = Obj> {
  Quantity?: number;
  Items?: T[];
}
interface Association {
  LambdaFunctionARN?: string;
  EventType?: string;
  IncludeBody?: boolean;
}
interface Behavior extends Obj {
  PathPattern?: string;
  TargetOriginId?: string;
  LambdaFunctionAssociations?: List<Association>;
  FunctionAssociations?: List<{ FunctionARN?: string; EventType?: string }>;
}
interface Config extends Obj {
  Origins?: List<Obj & { Id?: string }>;
  DefaultCacheBehavior?: Behavior;
  CacheBehaviors?: List<Behavior>;
}

const VERSION_ARN = /^(arn:aws:lambda:us-east-1:\d{12}:function:[A-Za-z0-9_-]{1,64}):(\d+)$/;
const samePattern = (a: string, b: string) => (a.startsWith('/') ? a : `/${a}`) === (b.startsWith('/') ? b : `/${b}`);
/** A function ARN without its version: every version of our function is ours. */
const functionOf = (arn: string | undefined) => (arn ?? '').replace(/:[^:]+$/, '');
const itemsOf = <T>(list: List<T> | undefined): T[] => list?.Items ?? [];
const setItems = <T>(items: T[]): List<T> => (items.length === 0 ? { Quantity: 0 } : { Quantity: items.length, Items: items });
const nameOf = (b: Behavior) => b.PathPattern ?? DEFAULT_BEHAVIOR;

function checkTargets(t: AttachTargets): void {
  if (!VERSION_ARN.test(t.viewerRequestVersionArn)) {
    throw new AttachRefusedError(
      `viewer-request function "${t.viewerRequestVersionArn}": must be a numbered version of a function in us-east-1 (arn:aws:lambda:us-east-1:<account>:function:<name>:<version>)`,
    );
  }
  if (!/^[a-z0-9]+\.lambda-url\.[a-z0-9-]+\.on\.aws$/.test(t.callbackDomainName)) {
    throw new AttachRefusedError(`callback domain "${t.callbackDomainName}": expected a Lambda function URL host (<id>.lambda-url.<region>.on.aws)`);
  }
  if (!/^[A-Z0-9]{1,32}$/.test(t.originAccessControlId)) throw new AttachRefusedError(`origin access control "${t.originAccessControlId}" is not an OAC id`);
}

const isOurAuthBehavior = (b: Behavior) =>
  b.TargetOriginId === CALLBACK_ORIGIN_ID && (samePattern(b.PathPattern ?? '', CALLBACK_PATH) || samePattern(b.PathPattern ?? '', AUTH_PATH));

/** `fn`: edge-oauth's viewer-request function ARN without a version (every version of it is ours). */
function removeOurs<C extends Config>(config: C, fn: string): C {
  const c = structuredClone(config);
  const strip = (b: Behavior) => {
    const assoc = itemsOf(b.LambdaFunctionAssociations);
    const kept = assoc.filter((a) => !(a.EventType === 'viewer-request' && functionOf(a.LambdaFunctionARN) === fn));
    if (kept.length !== assoc.length) b.LambdaFunctionAssociations = setItems(kept);
  };
  if (c.DefaultCacheBehavior) strip(c.DefaultCacheBehavior);
  const behaviors = itemsOf(c.CacheBehaviors);
  const keptBehaviors = behaviors.filter((b) => !isOurAuthBehavior(b));
  keptBehaviors.forEach(strip);
  if (keptBehaviors.length !== behaviors.length) c.CacheBehaviors = setItems(keptBehaviors);
  const origins = itemsOf(c.Origins);
  const keptOrigins = origins.filter((o) => o.Id !== CALLBACK_ORIGIN_ID);
  if (keptOrigins.length !== origins.length) c.Origins = setItems(keptOrigins);
  return c;
}

/** The behaviours `protect` names (all when it is undefined); refuses a name that is not there. */
function selectProtected(c: Config, protect: readonly string[] | undefined): Behavior[] {
  const all: Behavior[] = [...(c.DefaultCacheBehavior ? [c.DefaultCacheBehavior] : []), ...itemsOf(c.CacheBehaviors)];
  if (protect === undefined) return all;
  if (protect.length === 0) throw new AttachRefusedError('--protect lists no behaviour: name at least one path pattern, or "*" for the default behaviour');
  const chosen = protect.map((p) => {
    const found = p === DEFAULT_BEHAVIOR ? c.DefaultCacheBehavior : itemsOf(c.CacheBehaviors).find((b) => samePattern(b.PathPattern ?? '', p));
    if (!found) {
      throw new AttachRefusedError(`--protect "${p}": the distribution has no such behaviour; it has ${all.map((b) => `"${nameOf(b)}"`).join(', ')}`);
    }
    return found;
  });
  return [...new Set(chosen)];
}

/** Refuses what edge-oauth cannot share (every reason at once, each naming the behaviour); `c` is without edge-oauth. */
function refusals(c: Config, protectedBehaviors: Behavior[]): string[] {
  const reasons: string[] = [];
  for (const b of protectedBehaviors) {
    for (const a of itemsOf(b.LambdaFunctionAssociations)) {
      // One function per event type per behaviour (LambdaFunctionAssociations, API reference).
      if (a.EventType === 'viewer-request') reasons.push(`behaviour "${nameOf(b)}" already has a viewer-request Lambda@Edge function: ${a.LambdaFunctionARN}`);
    }
    for (const f of itemsOf(b.FunctionAssociations)) {
      // "You can't combine CloudFront Functions and Lambda@Edge in viewer events" (CloudFront
      // Developer Guide, Restrictions on all edge functions): any CloudFront Function is in the way.
      reasons.push(`behaviour "${nameOf(b)}" has a CloudFront Function on ${f.EventType}: ${f.FunctionARN} (CloudFront Functions and Lambda@Edge cannot share a behaviour's viewer events)`);
    }
  }
  for (const b of itemsOf(c.CacheBehaviors)) {
    const p = b.PathPattern ?? '';
    if (samePattern(p, AUTH_PATH) || samePattern(p, CALLBACK_PATH)) reasons.push(`the distribution already has a behaviour at "${p}" (to origin "${b.TargetOriginId}"): edge-oauth needs /auth/* for itself`);
    // Ours go first, and CloudFront compares the path with the patterns in the order the
    // behaviours are listed (API reference, CacheBehavior.PathPattern:
    // https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CacheBehavior.html), so a
    // behaviour that only matches paths under /auth/ would never be used again. Patterns are
    // case-sensitive (Developer Guide, "Path pattern":
    // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesCacheBehavior.html#DownloadDistValuesPathPattern).
    else if ((p.startsWith('/') ? p : `/${p}`).startsWith('/auth/')) reasons.push(`behaviour "${p}" (to origin "${b.TargetOriginId}") only matches paths under /auth/, which edge-oauth's /auth/* behaviour would take over: serve that content under another path, or remove the behaviour`);
  }
  if (itemsOf(c.CacheBehaviors).length + 2 > MAX_CACHE_BEHAVIORS) reasons.push(`the distribution has ${itemsOf(c.CacheBehaviors).length} cache behaviours; edge-oauth adds 2 and the quota is ${MAX_CACHE_BEHAVIORS}`);
  return reasons;
}

function callbackOrigin(t: AttachTargets): Obj {
  return {
    Id: CALLBACK_ORIGIN_ID,
    DomainName: t.callbackDomainName,
    OriginPath: '',
    CustomHeaders: { Quantity: 0 },
    CustomOriginConfig: {
      HTTPPort: 80,
      HTTPSPort: 443,
      OriginProtocolPolicy: 'https-only',
      OriginSslProtocols: { Quantity: 1, Items: ['TLSv1.2'] },
      OriginReadTimeout: t.callbackReadTimeoutSeconds ?? 12,
      OriginKeepaliveTimeout: 5,
    },
    ConnectionAttempts: 3,
    ConnectionTimeout: 10,
    OriginShield: { Enabled: false },
    OriginAccessControlId: t.originAccessControlId,
  };
}

const viewerAssociation = (t: AttachTargets): Association => ({ LambdaFunctionARN: t.viewerRequestVersionArn, EventType: 'viewer-request', IncludeBody: false });

function authBehavior(pathPattern: string, t: AttachTargets, allMethods: boolean): Behavior {
  const methods = allMethods ? ['HEAD', 'DELETE', 'POST', 'GET', 'OPTIONS', 'PUT', 'PATCH'] : ['HEAD', 'GET'];
  return {
    PathPattern: pathPattern,
    TargetOriginId: CALLBACK_ORIGIN_ID,
    TrustedSigners: { Enabled: false, Quantity: 0 },
    TrustedKeyGroups: { Enabled: false, Quantity: 0 },
    ViewerProtocolPolicy: 'redirect-to-https',
    AllowedMethods: { Quantity: methods.length, Items: methods, CachedMethods: { Quantity: 2, Items: ['HEAD', 'GET'] } },
    SmoothStreaming: false,
    Compress: false,
    LambdaFunctionAssociations: { Quantity: 1, Items: [viewerAssociation(t)] },
    FunctionAssociations: { Quantity: 0 },
    FieldLevelEncryptionId: '',
    CachePolicyId: CACHING_DISABLED,
    OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
  };
}

/**
 * The config with edge-oauth attached. Throws AttachRefusedError (every reason, nothing
 * changed) when a protected behaviour has a viewer-request function or a CloudFront
 * Function, when a behaviour at /auth/* or /auth/callback exists, or when `protect` names a
 * behaviour that does not exist.
 */
export function attachConfig<C extends object>(config: C, targets: AttachTargets, options: AttachOptions = {}): C {
  checkTargets(targets);
  const c = removeOurs(config as Config, functionOf(targets.viewerRequestVersionArn));
  const protectedBehaviors = selectProtected(c, options.protect);
  const reasons = refusals(c, protectedBehaviors);
  if (reasons.length > 0) throw new AttachRefusedError(`cannot attach edge-oauth; nothing was changed:\n${reasons.map((r) => `  - ${r}`).join('\n')}`);
  for (const b of protectedBehaviors) b.LambdaFunctionAssociations = setItems([...itemsOf(b.LambdaFunctionAssociations), viewerAssociation(targets)]);
  c.Origins = setItems([...itemsOf(c.Origins), callbackOrigin(targets)]);
  c.CacheBehaviors = setItems([authBehavior(CALLBACK_PATH, targets, false), authBehavior(AUTH_PATH, targets, true), ...itemsOf(c.CacheBehaviors)]);
  return c as C;
}

/** The config without edge-oauth: what `attachConfig` added, and nothing else, is removed. */
export function detachConfig<C extends object>(config: C, viewerRequestFunctionArn: string): C {
  if (!/^arn:aws:lambda:us-east-1:\d{12}:function:[A-Za-z0-9_-]{1,64}(:\d+)?$/.test(viewerRequestFunctionArn)) {
    throw new AttachRefusedError(`viewer-request function "${viewerRequestFunctionArn}": expected arn:aws:lambda:us-east-1:<account>:function:<name>[:<version>]`);
  }
  return removeOurs(config as Config, viewerRequestFunctionArn.replace(/:\d+$/, '')) as C;
}

/** True when edge-oauth's origin or behaviours are on the distribution. */
export function isAttached(config: object): boolean {
  const c = config as Config;
  return itemsOf(c.Origins).some((o) => o.Id === CALLBACK_ORIGIN_ID) || itemsOf(c.CacheBehaviors).some(isOurAuthBehavior);
}
