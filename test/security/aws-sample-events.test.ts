/**
 * Issue #25: AWS's own published sample events (test/fixtures/aws-sample-events, sources in
 * its SOURCES.md) through every handler: the viewer (CloudFront viewer request), the
 * callback and the admin console (Lambda function URL), the authorizer (REST, HTTP payload
 * 1.0 and 2.0). Each is answered (never a throw a client could cause), within CloudFront's
 * limits where CloudFront carries it, with visible-ASCII header values and no "undefined".
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudFrontRequestEvent, CloudFrontResultResponse, LambdaFunctionURLEvent } from 'aws-lambda';
import { isVisibleAscii } from '../../lambdas/core/edge-limits';
import { createAdminHandler } from '../../lambdas/admin/handler';
import { createAuthorizerHandler, type AuthorizerEvent } from '../../lambdas/authorizer/handler';
import { createCallbackHandler } from '../../lambdas/callback/handler';
import { MemorySessionStore } from '../../lambdas/store/memory/sessions';
import { MemoryUserStore } from '../../lambdas/store/memory/users';
import { MemoryMauStore } from '../../lambdas/store/memory/mau';
import { validateGeneratedResponse, validateViewerRequestResult } from '../../local/emulators/cloudfront/validate';
import { seededRandom, testConfig, testKeys } from '../core/fixtures';
import { viewerFor } from '../edge/viewer-harness';

const DIR = join(__dirname, '../fixtures/aws-sample-events');
const read = (path: string) => readFileSync(join(DIR, path), 'utf8');
const mapping = JSON.parse(read('aws-sam-cli/event-mapping.json')) as Record<string, Record<string, { filename: string; tags: Record<string, { default?: string }> }>>;

/** A SAM template with its `{{{placeholders}}}` filled from event-mapping.json's defaults. */
function samEvent(service: 'cloudfront' | 'apigateway', file: string): unknown {
  const entry = Object.values(mapping[service]!).find((e) => e.filename === file.replace(/\.json$/, ''));
  const defaults = new Map(Object.entries(entry?.tags ?? {}).map(([tag, p]) => [tag.replace(/-/g, '_'), p.default ?? '']));
  const text = read(`aws-sam-cli/${service}/${file}`).replace(/\{\{\{([\w-]+)\}\}\}/g, (_, tag: string) => defaults.get(tag.replace(/-/g, '_')) ?? '');
  return JSON.parse(text);
}

const cloudFrontEvents: Array<[string, CloudFrontRequestEvent]> = [
  ...readdirSync(join(DIR, 'aws-sam-cli/cloudfront')).map((f) => [`aws-sam-cli ${f}`, samEvent('cloudfront', f) as CloudFrontRequestEvent] as [string, CloudFrontRequestEvent]),
  ['aws-lambda-java-libs cloudfront_event.json', JSON.parse(read('aws-lambda-java-libs/cloudfront_event.json')) as CloudFrontRequestEvent],
];
const NOW = 1_800_000_000_000;
const everyHeaderValue = (headers: Record<string, unknown> | undefined) =>
  Object.values(headers ?? {}).flatMap((v) => (Array.isArray(v) ? v.map((e) => (typeof e === 'string' ? e : (e as { value: string }).value)) : [String(v)]));

describe('the viewer-request handler with every CloudFront sample event', () => {
  test.each(cloudFrontEvents)('%s', async (_, event) => {
    // Several providers (the picker) and path rules, so most of the viewer's paths are reached.
    const { handler } = viewerFor({
      providers: [
        { id: 'corp', type: 'oidc', issuer: 'https://idp.example.com', clientId: 'c', clientSecret: 's/corp' },
        { id: 'gh', type: 'github', clientId: 'c2', clientSecret: 's/gh' },
      ],
      paths: [{ prefix: '/admin/', allow: { groups: ['corp:admins'] } }],
    });
    const original = structuredClone(event.Records[0]!.cf.request);
    const result = await handler(structuredClone(event));
    const isResponse = typeof (result as { status?: unknown }).status === 'string';
    const violations = isResponse ? validateGeneratedResponse(result) : validateViewerRequestResult({ ...original, querystring: original.querystring ?? '', headers: original.headers ?? {} }, result);
    expect(violations).toEqual([]);
    for (const value of everyHeaderValue(result.headers)) expect(isVisibleAscii(value)).toBe(true);
    expect(JSON.stringify(result)).not.toMatch(/undefined/);
    if (isResponse) expect(['200', '302', '401']).toContain((result as CloudFrontResultResponse).status);
  });
});

const urlEvent = (): LambdaFunctionURLEvent => JSON.parse(read('aws-lambda-go/lambda-urls-request.json')) as LambdaFunctionURLEvent;

describe('the function URL handlers with the Lambda function URL sample event', () => {
  const config = testConfig({ admin: { emails: ['boss@example.com'] } });
  const keys = testKeys();
  const base = { config, keys: async () => keys, providers: new Map(), random: seededRandom(), clock: () => NOW };

  test.each([
    ['as sent', (e: LambdaFunctionURLEvent) => e],
    ['without headers, cookies or query string', (e: LambdaFunctionURLEvent) => ({ ...e, headers: undefined, cookies: undefined, rawQueryString: undefined }) as unknown as LambdaFunctionURLEvent],
  ])('callback and admin console: %s', async (_, shape) => {
    const callback = createCallbackHandler({ ...base, sessions: new MemorySessionStore() });
    const admin = createAdminHandler({ ...base, sessions: new MemorySessionStore(), users: new MemoryUserStore(), mau: new MemoryMauStore() });
    for (const out of [await callback(shape(urlEvent())), await admin(shape({ ...urlEvent(), rawPath: '/auth/admin' }))]) {
      expect(typeof out === 'object' && out.statusCode).toBeGreaterThanOrEqual(300);
      if (typeof out === 'object') for (const value of everyHeaderValue(out.headers)) expect(isVisibleAscii(value)).toBe(true);
      expect(JSON.stringify(out)).not.toMatch(/undefined/);
    }
  });
});

describe('the authorizer with every API Gateway authorizer sample event', () => {
  const events: Array<[string, unknown]> = [
    ['aws-sam-cli ApiGatewayRestRequestAuthorizer.json (REST)', samEvent('apigateway', 'ApiGatewayRestRequestAuthorizer.json')],
    ['aws-lambda-go apigw-custom-auth-request-type-request.json (REST)', JSON.parse(read('aws-lambda-go/apigw-custom-auth-request-type-request.json'))],
    ['aws-lambda-go apigw-v2-custom-authorizer-v1-request.json (HTTP 1.0)', JSON.parse(read('aws-lambda-go/apigw-v2-custom-authorizer-v1-request.json'))],
    ['aws-lambda-go apigw-v2-custom-authorizer-v2-request.json (HTTP 2.0)', JSON.parse(read('aws-lambda-go/apigw-v2-custom-authorizer-v2-request.json'))],
    ['aws-lambda-java-libs apigw_auth.json (HTTP 1.0)', JSON.parse(read('aws-lambda-java-libs/apigw_auth.json'))],
    ['aws-lambda-java-libs apigw_auth_v2.json (HTTP 2.0)', JSON.parse(read('aws-lambda-java-libs/apigw_auth_v2.json'))],
  ];
  const keys = testKeys();

  test.each(events)('%s: no session, refused (REST: "Unauthorized"; HTTP: a refusal), with and without path rules', async (_, event) => {
    for (const overrides of [{}, { paths: [{ prefix: '/admin/', allow: { groups: ['corp:admins'] } }] }]) {
      const config = testConfig(overrides);
      const authorize = createAuthorizerHandler({ config, keys: async () => keys, providers: new Map(), random: seededRandom(), clock: () => NOW });
      const e = event as AuthorizerEvent & { version?: string };
      if (e.version === undefined) {
        await expect(authorize(e)).rejects.toThrow(/^Unauthorized$/);
        continue;
      }
      const out = await authorize(e);
      expect('isAuthorized' in out ? out.isAuthorized : out.policyDocument.Statement[0]).toEqual('isAuthorized' in out ? false : expect.objectContaining({ Effect: 'Deny' }));
    }
  });
});
