/**
 * What the API's integration does to edge-oauth's headers, for a request that reaches API
 * Gateway without passing the /api behaviour's CloudFront Function (lib/api-header-filter.ts):
 * a client can call the API's own `execute-api` domain directly.
 *
 * Many upstream stacks fold `-` and `_` into one name (CGI/WSGI/Rack turn both into
 * `HTTP_EDGE_OAUTH_USER_ID`; PHP's `$_SERVER` likewise), so every spelling with each `-`
 * kept or turned into `_` can impersonate a header: 2^k spellings for a name with k `-`.
 * API Gateway has no wildcard for header names, so the spellings are listed one by one.
 *
 * Limits (checked 2026-11, the sources below): neither API Gateway quota page names a limit on
 * the number of parameter mappings of an integration (HTTP API quotas:
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html; REST API
 * quotas: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html),
 * and the service model has none either (botocore `apigatewayv2` 2018-11-29, shape
 * `IntegrationParameters`: a map with no length bound, values of 1 to 512 characters). With the
 * default header names this is 76 mappings per integration. MAX_INTEGRATION_HEADER_MAPPINGS is
 * our own bound, not AWS's, so that a config with long, many-`-` names fails at synth with a
 * clear message instead of growing without end. Not confirmed on a live deploy: that API
 * Gateway accepts 76 (or 256) mappings on one integration.
 */
import type { EdgeConfig } from '../lambdas/core/config/types';
import { truncatedHeaderName } from '../lambdas/core/access/groups-out';

/** Our own bound on one integration's header mappings (76 with the default header names). */
export const MAX_INTEGRATION_HEADER_MAPPINGS = 256;

/**
 * HTTP API: the value that removes a header. The API answers a `remove:` mapping whose value
 * is empty by dropping the mapping ("An empty mapping will be ignored on create"; an update
 * with "" deletes it), and takes `''` (two single quotes) as the value of a remove mapping
 * (LocalStack's AWS-validated test `TestApigatewayV2HttpIntegrationCrud.test_request_parameters_headers`;
 * the `get-integration` output in aws-cloudformation/cloudformation-cli#1113 shows
 * `"remove:header.x-powered-by": "''"`; the AWS CLI example in
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-parameter-mapping.html).
 * aws-cdk-lib's `ParameterMapping.removeHeader` writes "", which would remove nothing.
 */
export const HTTP_REMOVE_VALUE = "''";

/** REST API: a static empty value (static values are quoted: `'value'`). */
export const REST_EMPTY_VALUE = "''";

/** Identity header → the authorizer context key the API sets it from. */
export type IdentityHeaders = ReadonlyArray<readonly [header: string, key: string]>;

/** Every spelling of `name` with each `-` kept or turned into `_`, lowercase (the first is `name` itself). */
export function separatorSpellings(name: string): string[] {
  const [first = '', ...rest] = name.toLowerCase().split('-');
  let spellings = [first];
  for (const part of rest) spellings = spellings.flatMap((s) => [`${s}-${part}`, `${s}_${part}`]);
  return spellings;
}

/** The identity headers the API sets from the authorizer's context (always, '' when empty). */
export function identityHeaders(config: EdgeConfig): IdentityHeaders {
  return [
    [config.headers.userId, 'userId'],
    [config.headers.userName, 'userName'],
    [config.headers.userEmail, 'userEmail'],
    [config.headers.provider, 'provider'],
    // Always set ('' for a user in no group): a client-sent copy never reaches the upstream.
    [config.headers.userGroups, 'userGroups'],
  ];
}

/** Headers the site sets and the API never does: the groups-truncated flag, the assertion and the token headers. */
export function neverSetHeaders(config: EdgeConfig): string[] {
  return [truncatedHeaderName(config), config.assertion.header, config.originTokens.accessTokenHeader, config.originTokens.refreshTokenHeader];
}

export interface IntegrationHeaderPlan {
  /** Exact identity header names (lowercase) and the context key each is set from. */
  readonly set: ReadonlyArray<readonly [header: string, key: string]>;
  /** Every other spelling of every edge-oauth header (lowercase, sorted): removed (HTTP API) or set to '' (REST API). */
  readonly others: readonly string[];
}

/** What the integration sets and what it clears; throws past MAX_INTEGRATION_HEADER_MAPPINGS. */
export function integrationHeaderPlan(config: EdgeConfig): IntegrationHeaderPlan {
  const set = identityHeaders(config).map(([header, key]) => [header.toLowerCase(), key] as const);
  const exact = new Set(set.map(([header]) => header));
  const others = new Set<string>();
  const names = [...set.map(([header]) => header), ...neverSetHeaders(config)];
  for (const name of names) for (const spelling of separatorSpellings(name)) if (!exact.has(spelling)) others.add(spelling);
  const total = set.length + others.size;
  if (total > MAX_INTEGRATION_HEADER_MAPPINGS) {
    const widest = [...names].sort((a, b) => b.split('-').length - a.split('-').length)[0] ?? '';
    throw new Error(
      `config.headers / assertion.header / originTokens: the API integration would need ${total} header mappings ` +
        `(every "-"/"_" spelling of each edge-oauth header: 2^k for a name with k "-"), more than ${MAX_INTEGRATION_HEADER_MAPPINGS}; ` +
        `use header names with fewer "-" (e.g. "${widest}" has ${widest.split('-').length - 1})`,
    );
  }
  return { set, others: [...others].sort() };
}
