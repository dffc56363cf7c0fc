/**
 * The path an API route sees, which the access rules (config `publicPaths`, `paths`) are
 * written for: `/admin/x`, whatever stage or custom-domain mapping the request came through.
 *
 * The raw paths in API Gateway's events are not that path:
 *  - HTTP API, payload 2.0: `rawPath` (and `requestContext.http.path`) carry a named stage
 *    (`/prod/admin/x`; only `$default` is served at the root). AWS's Powertools team
 *    confirmed it: https://github.com/aws-powertools/powertools-lambda-python/issues/621
 *    (the API Gateway guide's payload example only shows `$default`:
 *    https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html).
 *  - a custom domain's API mapping keeps its key in the path (`/v1/admin/x`), for REST
 *    `path` as for HTTP `rawPath` (https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mappings.html).
 *
 * What every event carries instead is the matched route's template (REST `resource`, HTTP
 * API `routeKey` after the method, payload 1.0 `resource`) and `pathParameters`: the
 * template with its parameters filled in is the route path. Only the `$default` route has
 * no template: its path is `rawPath` less the stage, known only on the API's own
 * execute-api domain (a custom domain's mapping key cannot be told from the path).
 * `undefined`: the route path cannot be known (the caller fails closed when rules depend on it).
 */
interface RouteSource {
  /** REST `resource` / HTTP payload 1.0 `resource`, or HTTP payload 2.0 `routeKey` ("GET /x/{id}"). */
  readonly template?: unknown;
  readonly pathParameters?: unknown;
  /** `rawPath` (2.0) or `path` (1.0): the fallback for the `$default` route. */
  readonly rawPath?: unknown;
  readonly stage?: unknown;
  readonly domainName?: unknown;
}

const EXECUTE_API_DOMAIN = /^[a-z0-9]+\.execute-api\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

export function routePath(source: RouteSource): string | undefined {
  const template = typeof source.template === 'string' ? source.template.replace(/^[A-Z]+ (?=\/)/, '') : undefined;
  if (template !== undefined && template.startsWith('/')) return fillTemplate(template, source.pathParameters);
  // The $default route (or no template at all): the raw path, less a named stage, on execute-api only.
  if (typeof source.rawPath !== 'string' || typeof source.domainName !== 'string' || !EXECUTE_API_DOMAIN.test(source.domainName)) return undefined;
  const stage = typeof source.stage === 'string' ? source.stage : undefined;
  if (stage === undefined) return undefined;
  if (stage === '$default') return source.rawPath;
  const prefix = `/${stage}`;
  if (source.rawPath === prefix) return '/';
  return source.rawPath.startsWith(`${prefix}/`) ? source.rawPath.slice(prefix.length) : undefined;
}

/** `/admin/{proxy+}` with `{ proxy: "x/y" }` → `/admin/x/y`; a parameter without a value: unknown. */
function fillTemplate(template: string, parameters: unknown): string | undefined {
  const values = typeof parameters === 'object' && parameters !== null ? (parameters as Record<string, unknown>) : {};
  let unknown = false;
  const path = template.replace(/\{([^}+]+)\+?\}/g, (_, name: string) => {
    const value = values[name];
    if (typeof value !== 'string') {
      unknown = true;
      return '';
    }
    return value;
  });
  return unknown ? undefined : path;
}
