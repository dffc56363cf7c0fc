/**
 * API Gateway authorizer events, shaped as API Gateway documents them:
 * - HTTP API, payload format 2.0 ("Control access to HTTP APIs with AWS Lambda
 *   authorizers", payload format version 2.0): `version`, `type`, `routeArn`,
 *   `identitySource`, `cookies`, lowercase `headers`, `requestContext.http`;
 * - HTTP API, payload format 1.0 (the same page): `version: "1.0"`, `methodArn`, REST-like;
 * - REST API REQUEST authorizer ("Input to an Amazon API Gateway Lambda authorizer"):
 *   no `version`, `type: "REQUEST"`, `methodArn`, `headers` as the client sent them,
 *   `multiValueHeaders`, `requestContext.identity`.
 * Only the values differ from the documented examples (our cookie, our API).
 */
import type { APIGatewayRequestAuthorizerEvent, APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';

export const API_ID = 'abcdef123';
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

export interface EventOptions {
  /** Cookie header line(s) as the client sent them. */
  readonly cookies?: readonly string[];
  readonly method?: string;
  readonly path?: string;
  /** The header name as the client wrote it (REST keeps the client's case). */
  readonly cookieHeaderName?: string;
  readonly userAgent?: string;
}

/** HTTP API payload 2.0: API Gateway splits the Cookie header(s) at ";" into `cookies`. */
export function httpEventV2(options: EventOptions = {}): APIGatewayRequestAuthorizerEventV2 {
  const method = options.method ?? 'GET';
  const path = options.path ?? '/api/orders';
  const lines = options.cookies ?? [];
  const cookies = lines.flatMap((line) => line.split(';').map((c) => c.trim()).filter((c) => c !== ''));
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:${API_ID}/$default/${method}${path}`,
    identitySource: lines.length > 0 ? [lines.join('; ')] : [],
    routeKey: 'ANY /{proxy+}',
    rawPath: path,
    rawQueryString: 'page=2',
    ...(cookies.length > 0 && { cookies }),
    headers: {
      accept: 'application/json',
      ...(lines.length > 0 && { cookie: lines.join('; ') }),
      host: `${API_ID}.execute-api.${REGION}.amazonaws.com`,
      'user-agent': options.userAgent ?? 'api-client/1.0',
      'x-forwarded-for': '203.0.113.9',
    },
    queryStringParameters: { page: '2' },
    requestContext: {
      accountId: ACCOUNT,
      apiId: API_ID,
      domainName: `${API_ID}.execute-api.${REGION}.amazonaws.com`,
      domainPrefix: API_ID,
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: options.userAgent ?? 'api-client/1.0' },
      requestId: 'JKJaXmPLvHcESHA=',
      routeKey: 'ANY /{proxy+}',
      stage: '$default',
      time: '12/Mar/2020:19:03:58 +0000',
      timeEpoch: 1583348638390,
    },
    pathParameters: { proxy: path.slice(1) },
    stageVariables: {},
  } as APIGatewayRequestAuthorizerEventV2;
}

/** REST API REQUEST authorizer: `headers` (last value of each name) and `multiValueHeaders` (every line). */
export function restEvent(options: EventOptions = {}): APIGatewayRequestAuthorizerEvent {
  const method = options.method ?? 'GET';
  const path = options.path ?? '/api/orders';
  const lines = options.cookies ?? [];
  const name = options.cookieHeaderName ?? 'Cookie';
  const headers: Record<string, string> = {
    Accept: 'application/json',
    Host: `${API_ID}.execute-api.${REGION}.amazonaws.com`,
    'User-Agent': options.userAgent ?? 'api-client/1.0',
    'X-Forwarded-For': '203.0.113.9',
    'X-Forwarded-Proto': 'https',
  };
  const multiValueHeaders: Record<string, string[]> = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]]));
  if (lines.length > 0) {
    headers[name] = lines[lines.length - 1]!;
    multiValueHeaders[name] = [...lines];
  }
  return {
    type: 'REQUEST',
    methodArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:${API_ID}/prod/${method}${path}`,
    resource: '/{proxy+}',
    path,
    httpMethod: method,
    headers,
    multiValueHeaders,
    pathParameters: { proxy: path.slice(1) },
    queryStringParameters: { page: '2' },
    multiValueQueryStringParameters: { page: ['2'] },
    stageVariables: {},
    requestContext: {
      path: `/prod${path}`,
      accountId: ACCOUNT,
      resourceId: '05c7jb',
      stage: 'prod',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      identity: { apiKey: null, sourceIp: '203.0.113.9' },
      resourcePath: '/{proxy+}',
      httpMethod: method,
      apiId: API_ID,
    },
  } as unknown as APIGatewayRequestAuthorizerEvent;
}

/** HTTP API payload 1.0: REST-compatible (`methodArn`), answered with an IAM policy. */
export function httpEventV1(options: EventOptions = {}): APIGatewayRequestAuthorizerEvent {
  const rest = restEvent(options);
  return {
    ...rest,
    version: '1.0',
    methodArn: rest.methodArn.replace('/prod/', '/$default/'),
    identitySource: (options.cookies ?? []).join('; '),
    authorizationToken: (options.cookies ?? []).join('; '),
  } as unknown as APIGatewayRequestAuthorizerEvent;
}
