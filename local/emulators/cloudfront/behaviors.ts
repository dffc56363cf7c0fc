/**
 * Which cache behaviour a request takes, from a DistributionConfig (the local CloudFront
 * control plane's state, or what GetDistributionConfig returns), for the local CloudFront
 * emulator: the first cache behaviour whose path pattern matches the viewer's path, else
 * the default behaviour.
 *
 * Path patterns (CloudFront Developer Guide, "Cache behavior settings" › Path pattern,
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesCacheBehavior.html#DownloadDistValuesPathPattern):
 * `*` matches 0 or more characters, `?` exactly one; matching is case-sensitive; the
 * behaviours are evaluated in the order they are listed; "the path pattern for the default
 * cache behavior is * and cannot be changed"; a leading `/` in a pattern is optional
 * (service model, CacheBehavior.PathPattern). The path is matched without the query string.
 */

export interface Route {
  /** The matched behaviour's path pattern, `*` for the default behaviour. */
  readonly behavior: string;
  readonly targetOriginId: string;
  /** The behaviour's viewer-request Lambda@Edge function, if it has one. */
  readonly viewerRequestArn?: string;
}

type Obj = Record<string, unknown>;
const items = (v: unknown): Obj[] => {
  const list = (v as { Items?: unknown } | undefined)?.Items;
  return Array.isArray(list) ? (list as Obj[]) : [];
};

/** True when `path` (no query string) matches a CloudFront path pattern. */
export function matchPathPattern(pattern: string, path: string): boolean {
  const normalized = pattern.startsWith('/') ? pattern : `/${pattern}`;
  const regex = normalized.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 's').test(path);
}

function routeOf(behavior: Obj, name: string): Route {
  const viewer = items(behavior.LambdaFunctionAssociations).find((a) => a.EventType === 'viewer-request');
  return {
    behavior: name,
    targetOriginId: String(behavior.TargetOriginId),
    ...(viewer !== undefined && { viewerRequestArn: String(viewer.LambdaFunctionARN) }),
  };
}

/** The route of a request for `uri` (the viewer's path, before any function ran). */
export function routeFor(config: object, uri: string): Route {
  const c = config as Obj;
  for (const b of items(c.CacheBehaviors)) {
    if (matchPathPattern(String(b.PathPattern), uri)) return routeOf(b, String(b.PathPattern));
  }
  return routeOf(c.DefaultCacheBehavior as Obj, '*');
}
