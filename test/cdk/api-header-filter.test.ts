/**
 * The /api behaviour's CloudFront Function (issue #16, defect 6): client-sent variants of
 * the identity headers (any case, `_` for `-`), the assertion header and the token headers
 * never reach API Gateway's upstream. The generated code is run here as CloudFront runs it
 * (a `handler(event)` with lowercase header keys), and the ready stack attaches it.
 */
import { runInNewContext } from 'node:vm';
import { Template } from 'aws-cdk-lib/assertions';
import { reservedHeaderNames } from '../../lambdas/core/viewer/identity-headers';
import { apiHeaderFilterCode } from '../../lib/api-header-filter';
import { EdgeOAuthStack } from '../../lib/edge-oauth-stack';
import { appWithoutBundling, configFrom, logicalId } from './helpers';

const config = configFrom({
  site: { name: 'Ready Site' },
  providers: [{ type: 'github', clientId: 'gh', clientSecret: 'edge-oauth/github' }],
  api: { kind: 'http', upstream: 'https://backend.example.com/v1/', path: '/api' },
  originTokens: { enabled: true },
});

type Headers = Record<string, { value: string }>;
function run(headers: Headers): string[] {
  const sandbox: { event: unknown; out?: { headers: Headers } } = { event: { version: '1.0', request: { method: 'GET', uri: '/api/x', querystring: {}, headers, cookies: {} } } };
  runInNewContext(`${apiHeaderFilterCode(config)}\nout = handler(event);`, sandbox);
  return Object.keys(sandbox.out!.headers).sort();
}

describe('the /api CloudFront Function', () => {
  test('removes every reserved header in any case and with "_" for "-"; keeps the rest', () => {
    const names = [...reservedHeaderNames(config)];
    expect(names).toEqual(expect.arrayContaining([config.headers.userEmail, config.assertion.header.toLowerCase(), config.originTokens.accessTokenHeader.toLowerCase()]));
    const headers: Headers = { cookie: { value: 'edge-oauth=x' }, accept: { value: '*/*' }, 'x_custom_thing': { value: 'kept' } };
    for (const name of names) {
      headers[name] = { value: 'forged' };
      headers[name.replace(/-/g, '_')] = { value: 'forged' };
      headers[name.replace(/-/, '_')] = { value: 'forged' };
    }
    headers['edge_oauth-anything'] = { value: 'forged' };
    expect(run(headers)).toEqual(['accept', 'cookie', 'x_custom_thing']);
  });

  test('the ready stack attaches it to the /api/* behaviour as a viewer-request function', () => {
    const stack = new EdgeOAuthStack(appWithoutBundling(), 'FilterHttp', { env: { region: 'us-east-1' }, config });
    const template = Template.fromStack(stack);
    const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, any> }>;
    const fn = logicalId(resources, 'AWS::CloudFront::Function', 'ApiHeaderFilter');
    expect(resources[fn]!.Properties).toMatchObject({ FunctionCode: apiHeaderFilterCode(config), FunctionConfig: { Runtime: 'cloudfront-js-2.0' } });
    const dc = resources[logicalId(resources, 'AWS::CloudFront::Distribution', 'Distribution')]!.Properties.DistributionConfig;
    const behavior = dc.CacheBehaviors.find((b: { PathPattern: string }) => b.PathPattern === '/api/*');
    expect(behavior.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [fn, 'FunctionARN'] } }]);
  });
});
