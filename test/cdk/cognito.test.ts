/**
 * Managed sign-in in the template: a `cognito` provider with no client makes the user pool,
 * its domain, the code-flow app client with /auth/callback, and the custom resource that
 * copies the client secret into Secrets Manager. No secret value is in the template.
 */
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { handleClientSecret } from '../../lib/cognito-client-secret/handler';
import { EdgeOAuth } from '../../lib/edge-oauth';
import { EdgeOAuthStack } from '../../lib/edge-oauth-stack';
import { appWithoutBundling, configFrom, logicalId, nagFindings, walk } from './helpers';

const ENV = { account: '123456789012', region: 'us-east-1' };
const config = (extra: Record<string, unknown> = {}, site: Record<string, unknown> = { domain: 'app.example.com' }) =>
  configFrom({ site, providers: [{ id: 'team', type: 'cognito', ...extra }] });

function synth(c = config()) {
  const app = appWithoutBundling();
  const stack = new EdgeOAuthStack(app, 'Site', { env: ENV, config: c });
  return { stack, template: Template.fromStack(stack) };
}

let main: ReturnType<typeof synth>;
beforeAll(() => {
  main = synth();
});

test('the user pool: admins create users, email is the user name, optional TOTP MFA, passkeys (Essentials), tagged as this provider\'s', () => {
  main.template.hasResourceProperties('AWS::Cognito::UserPool', {
    AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    UsernameAttributes: ['email'],
    AutoVerifiedAttributes: ['email'],
    MfaConfiguration: 'OPTIONAL',
    EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
    UserPoolTier: 'ESSENTIALS',
    Policies: Match.objectLike({ SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'] } }),
    UserPoolTags: { 'edge-oauth:provider': 'team' },
  });
  main.template.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Retain' });
});

test('its domain: a prefix from the stack name, the provider and the account, with managed login (version 2) and its default style', () => {
  main.template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
    Domain: { 'Fn::Join': ['-', ['site-team', { Ref: 'AWS::AccountId' }]] },
    ManagedLoginVersion: 2,
  });
  main.template.hasResourceProperties('AWS::Cognito::ManagedLoginBranding', { UseCognitoProvidedValues: true, ClientId: Match.anyValue() });
  const own = synth(config({ domainPrefix: 'acme-staff' }));
  own.template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'acme-staff' });
});

test('the app client: code flow only, openid email profile, /auth/callback and /auth/logout of the site, a secret, the refresh token lifetime', () => {
  main.template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
    GenerateSecret: true,
    AllowedOAuthFlows: ['code'],
    AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthScopes: ['openid', 'email', 'profile'],
    CallbackURLs: ['https://app.example.com/auth/callback'],
    LogoutURLs: ['https://app.example.com/auth/logout'],
    SupportedIdentityProviders: ['COGNITO'],
    ExplicitAuthFlows: Match.arrayWith(['ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']),
    RefreshTokenValidity: 43200,
    TokenValidityUnits: Match.objectLike({ RefreshToken: 'minutes' }),
    PreventUserExistenceErrors: 'ENABLED',
  });
});

test('without site.domain, the callback URL is the distribution\'s domain name', () => {
  const { template } = synth(config({}, {}));
  const resources = template.toJSON().Resources as Record<string, any>;
  const distribution = logicalId(resources, 'AWS::CloudFront::Distribution', 'Distribution');
  template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
    CallbackURLs: [{ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distribution, 'DomainName'] }, '/auth/callback']] }],
  });
});

test('the client secret reaches Secrets Manager by a custom resource given ids only: no secret value anywhere in the template', () => {
  const resources = main.template.toJSON().Resources as Record<string, any>;
  const copy = Object.values(resources).find((r) => r.Type === 'Custom::EdgeOAuthCognitoClientSecret');
  expect(Object.keys(copy.Properties).sort()).toEqual(['CodeHash', 'ClientId', 'SecretId', 'SecretRegion', 'ServiceToken', 'UserPoolId'].sort());
  // Nothing reads the client's secret attribute (Fn::GetAtt ClientSecret), and the secret is generated, never given.
  for (const { value } of walk(main.template.toJSON())) {
    if (Array.isArray(value) && value.length === 2 && value[1] === 'ClientSecret') throw new Error('the template reads the client secret');
  }
  main.template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'edge-oauth/cognito/team', GenerateSecretString: Match.anyValue(), SecretString: Match.absent() });
  const policy = Object.values(resources).find((r) => r.Type === 'AWS::IAM::Role' && JSON.stringify(r).includes('cognito-idp:DescribeUserPoolClient'));
  expect(JSON.stringify(policy)).toContain('secretsmanager:PutSecretValue');
});

test('the viewer-request function may read the managed secret (it starts sign-ins with the pool\'s client id)', () => {
  const resources = main.template.toJSON().Resources as Record<string, any>;
  const role = Object.keys(resources).find((id) => resources[id].Type === 'AWS::IAM::Role' && id.includes('ViewerRequestRole'))!;
  const secret = Object.keys(resources).find((id) => resources[id].Type === 'AWS::SecretsManager::Secret' && resources[id].Properties.Name === 'edge-oauth/cognito/team')!;
  expect(role).toBeDefined();
  const viewerStatements = Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((ref: { Ref: string }) => ref.Ref === role))
    .flatMap((r) => r.Properties.PolicyDocument.Statement);
  expect(viewerStatements.some((s: { Action: unknown; Resource: unknown }) => [s.Action].flat().includes('secretsmanager:GetSecretValue') && JSON.stringify(s.Resource).includes(secret))).toBe(true);
});

test('the handler writes {userPoolId, clientId, clientSecret} and returns no data', async () => {
  const puts: Array<[string, string, string]> = [];
  const out = await handleClientSecret(
    { RequestType: 'Create', ResourceProperties: { UserPoolId: 'us-east-1_Ab', ClientId: 'cid', SecretId: 'arn:secret', SecretRegion: 'us-east-1' } },
    { describeClient: async () => 'the-secret', putSecret: async (...args) => void puts.push(args) },
  );
  expect(out).toEqual({ PhysicalResourceId: 'us-east-1_Ab/cid' });
  expect(puts).toEqual([['arn:secret', 'us-east-1', JSON.stringify({ userPoolId: 'us-east-1_Ab', clientId: 'cid', clientSecret: 'the-secret' })]]);
  await expect(handleClientSecret({ RequestType: 'Update', ResourceProperties: { UserPoolId: 'p', ClientId: 'c', SecretId: 's', SecretRegion: 'r' } }, { describeClient: async () => undefined, putSecret: async () => undefined })).rejects.toThrow('app client c of p has no client secret');
});

test('an own pool creates nothing in Cognito', () => {
  const { template } = synth(configFrom({ site: { domain: 'app.example.com' }, providers: [{ type: 'cognito', userPoolId: 'us-east-1_Ab1', clientId: 'abc', clientSecret: 'edge-oauth/cognito-client' }] }));
  template.resourceCountIs('AWS::Cognito::UserPool', 0);
  expect(Stack).toBeDefined();
});

test('cdk-nag: nothing unacknowledged', () => {
  expect(nagFindings(main.stack)).toEqual([]);
});

test('the groups the config\'s rules name for the provider are created in the pool', () => {
  const { template } = synth(configFrom({ site: { domain: 'app.example.com' }, providers: [{ id: 'team', type: 'cognito' }], allow: { groups: ['team:staff'] }, paths: [{ prefix: '/admin/', allow: { groups: ['team:admins'] } }] }));
  template.resourceCountIs('AWS::Cognito::UserPoolGroup', 2);
  template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'admins' });
  template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'staff' });
});

test('outputs: the pool ids to invite people to; no "set this secret" for the managed secret', () => {
  const outputs = main.template.toJSON().Outputs as Record<string, { Value: unknown }>;
  expect(outputs.ClientSecretIds).toBeUndefined();
  expect(JSON.stringify(outputs.UserPoolIds!.Value)).toContain('UserPool');
});

test('refused: the local stand-in\'s endpoint at deploy; an existing distribution without site.domain (no callback URL for the client)', () => {
  const local = config();
  const withEndpoint = { ...local, providers: [{ ...local.providers[0]!, cognito: { ...local.providers[0]!.cognito!, idpEndpoint: 'http://localhost:1' } }] };
  expect(() => new EdgeOAuth(new Stack(appWithoutBundling(), 'A', { env: ENV }), 'Auth', { config: withEndpoint })).toThrow(/cognito.idpEndpoint is the local Cognito stand-in's/);
  const auth = new EdgeOAuth(new Stack(appWithoutBundling(), 'B', { env: ENV }), 'Auth', { config: config({}, {}) });
  expect(() => auth.useExistingDistribution('E123ABC')).toThrow(/a user pool the stack creates needs config.site.domain with an existing distribution/);
});
