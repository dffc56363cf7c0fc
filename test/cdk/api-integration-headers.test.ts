/**
 * Issue #16, defect 6, at the integration: a request sent straight to the API's execute-api
 * domain skips the /api CloudFront Function, so the integration itself must leave no spelling
 * of an edge-oauth header that a client chose. Upstreams that fold `-` and `_` (CGI, WSGI,
 * Rack, PHP) would read `edge-oauth_user-id` as `edge-oauth-user-id`.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { EdgeOAuthStack } from '../../lib/edge-oauth-stack';
import { HTTP_REMOVE_VALUE, MAX_INTEGRATION_HEADER_MAPPINGS, integrationHeaderPlan, separatorSpellings } from '../../lib/api-integration-headers';
import { appWithoutBundling, configFrom } from './helpers';

type Resources = Record<string, { Type: string; Properties?: any }>;

const configFor = (kind: 'http' | 'rest', extra: Record<string, unknown> = {}) =>
  configFrom({
    site: { name: 'Ready Site' },
    providers: [{ type: 'github', clientId: 'gh', clientSecret: 'edge-oauth/github' }],
    api: { kind, upstream: 'https://backend.example.com/v1/', path: '/api' },
    ...extra,
  });

/** Every spelling of `name` with each `-` kept or made `_`, built bit by bit (independent of the code under test). */
function spellings(name: string): string[] {
  const parts = name.split('-');
  const out: string[] = [];
  for (let mask = 0; mask < 2 ** (parts.length - 1); mask++) {
    out.push(parts.reduce((acc, part, i) => (i === 0 ? part : acc + ((mask >> (i - 1)) & 1 ? '_' : '-') + part), ''));
  }
  return out;
}

const IDENTITY = { 'edge-oauth-user-id': 'userId', 'edge-oauth-user-name': 'userName', 'edge-oauth-user-email': 'userEmail', 'edge-oauth-provider': 'provider', 'edge-oauth-user-groups': 'userGroups' };
const NEVER_SET = ['edge-oauth-user-groups-truncated', 'edge-oauth-jwt-assertion', 'edge-oauth-access-token', 'edge-oauth-refresh-token'];

function integrations(kind: 'http' | 'rest'): Array<Record<string, string>> {
  const stack = new EdgeOAuthStack(appWithoutBundling(), `Ready${kind}`, { env: { region: 'us-east-1' }, config: configFor(kind) });
  const resources = Template.fromStack(stack).toJSON().Resources as Resources;
  if (kind === 'http') return Object.values(resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Integration').map((r) => r.Properties.RequestParameters);
  return Object.values(resources).filter((r) => r.Type === 'AWS::ApiGateway::Method').map((r) => r.Properties.Integration.RequestParameters);
}

describe('separatorSpellings', () => {
  it('gives all 2^k spellings of a name with k "-", the name itself first, lowercase', () => {
    expect(separatorSpellings('Edge-OAuth-User-Id')[0]).toBe('edge-oauth-user-id');
    expect(new Set(separatorSpellings('edge-oauth-user-id'))).toEqual(new Set(spellings('edge-oauth-user-id')));
    expect(separatorSpellings('edge-oauth-user-groups-truncated')).toHaveLength(16);
    expect(separatorSpellings('single')).toEqual(['single']);
  });
});

describe('HTTP API integration: every spelling of every edge-oauth header is overwritten or removed', () => {
  const params = integrations('http');

  it('two integrations (ANY / and ANY /{proxy+})', () => expect(params).toHaveLength(2));

  it.each(params.map((p, i) => [i, p] as const))('integration %i: mixed spellings such as edge-oauth_user-id are removed with the value API Gateway honours', (_i, p) => {
    for (const [header, key] of Object.entries(IDENTITY)) {
      expect(p[`overwrite:header.${header}`]).toBe(`$context.authorizer.${key}`);
      for (const spelling of spellings(header).slice(1)) expect([spelling, p[`remove:header.${spelling}`]]).toEqual([spelling, HTTP_REMOVE_VALUE]);
    }
    for (const header of NEVER_SET) for (const spelling of spellings(header)) expect([spelling, p[`remove:header.${spelling}`]]).toEqual([spelling, HTTP_REMOVE_VALUE]);
    expect(p['remove:header.edge-oauth_user-id']).toBe("''");
    // An empty value would be dropped by API Gateway: nothing may be removed with "".
    expect(Object.entries(p).filter(([k, v]) => k.startsWith('remove:') && v !== "''")).toEqual([]);
    expect(Object.keys(p)).toHaveLength(76);
  });
});

describe('REST API integration: every other spelling is set to a static empty value', () => {
  const params = integrations('rest');

  it.each(params.map((p, i) => [i, p] as const))('method %i: the exact names from the authorizer context, every other spelling \'\'', (_i, p) => {
    for (const [header, key] of Object.entries(IDENTITY)) {
      expect(p[`integration.request.header.${header}`]).toBe(`context.authorizer.${key}`);
      for (const spelling of spellings(header).slice(1)) expect([spelling, p[`integration.request.header.${spelling}`]]).toEqual([spelling, "''"]);
    }
    for (const header of NEVER_SET) for (const spelling of spellings(header)) expect([spelling, p[`integration.request.header.${spelling}`]]).toEqual([spelling, "''"]);
    expect(p['integration.request.header.edge_oauth-user_id']).toBe("''");
  });
});

describe('the bound on mappings', () => {
  it('custom header names: their spellings are listed too', () => {
    const plan = integrationHeaderPlan(configFor('http', { headers: { userId: 'x-uid' } }));
    expect(plan.set).toContainEqual(['x-uid', 'userId']);
    expect(plan.others).toContain('x_uid');
  });

  it('a config whose names would need more than the bound fails at synth, naming the fields and a shorter way', () => {
    const long = 'x-a-b-c-d-e-f-g-h';
    expect(() => integrationHeaderPlan(configFor('http', { headers: { userId: long, userName: `${long}-n` } }))).toThrow(
      new RegExp(`config\\.headers.*more than ${MAX_INTEGRATION_HEADER_MAPPINGS}.*fewer "-"`),
    );
  });
});
