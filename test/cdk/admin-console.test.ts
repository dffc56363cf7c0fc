/** The admin console in the template: only with admin.emails; `/auth/admin*` before `/auth/*`, OAC, include body, least privilege, cdk-nag clean. */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ADMIN_PATH_PATTERN } from '../../lib/admin-console';
import { Stack } from 'aws-cdk-lib';
import { AUTH_PATH_PATTERN, EdgeOAuth } from '../../lib/edge-oauth';
import { EdgeOAuthStack } from '../../lib/edge-oauth-stack';
import { appWithoutBundling, fixtureConfig, logicalId, nagFindings } from './helpers';

type Resources = Record<string, { Type: string; Properties?: any }>;

function synth(adminEmails: string[]) {
  const config = { ...fixtureConfig(), admin: { emails: adminEmails } };
  const stack = new EdgeOAuthStack(appWithoutBundling(), 'Site', { env: { region: 'us-east-1' }, config });
  const template = Template.fromStack(stack);
  return { stack, template, resources: template.toJSON().Resources as Resources };
}

const { stack, template, resources } = synth(['boss@example.com']);
const distribution = () => Object.values(resources).find((r) => r.Type === 'AWS::CloudFront::Distribution')!.Properties.DistributionConfig;

test('no admin.emails: no console function, no behaviour', () => {
  const without = synth([]);
  expect(Object.keys(without.resources).filter((id) => id.includes('AdminConsole'))).toEqual([]);
  const behaviors = Object.values(without.resources).find((r) => r.Type === 'AWS::CloudFront::Distribution')!.Properties.DistributionConfig.CacheBehaviors;
  expect(behaviors.map((b: { PathPattern: string }) => b.PathPattern)).not.toContain(ADMIN_PATH_PATTERN);
});

test('/auth/admin* goes to the console function URL (AWS_IAM, OAC), before /auth/*, every method, the viewer function with its body', () => {
  const fn = logicalId(resources, 'AWS::Lambda::Function', 'EdgeOAuthAdminConsoleFunction');
  template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM', TargetFunctionArn: { 'Fn::GetAtt': [fn, 'Arn'] } });
  const behaviors = distribution().CacheBehaviors as Array<Record<string, any>>;
  const patterns = behaviors.map((b) => b.PathPattern);
  expect(patterns.indexOf(ADMIN_PATH_PATTERN)).toBeGreaterThanOrEqual(0);
  expect(patterns.indexOf(ADMIN_PATH_PATTERN)).toBeLessThan(patterns.indexOf(AUTH_PATH_PATTERN));
  const admin = behaviors.find((b) => b.PathPattern === ADMIN_PATH_PATTERN)!;
  expect(admin.AllowedMethods).toHaveLength(7);
  expect(admin.LambdaFunctionAssociations).toEqual([expect.objectContaining({ EventType: 'viewer-request', IncludeBody: true })]);
  const origin = distribution().Origins.find((o: { Id: string }) => o.Id === admin.TargetOriginId);
  expect(origin.OriginAccessControlId).toBeDefined();
  expect(JSON.stringify(origin.DomainName)).toContain('EdgeOAuthAdminConsoleFunctionFunctionUrl');
  // The other behaviours keep the body out of the viewer function.
  for (const b of behaviors.filter((x) => x.PathPattern !== ADMIN_PATH_PATTERN)) {
    for (const a of b.LambdaFunctionAssociations ?? []) expect(a.IncludeBody).not.toBe(true);
  }
  // Only this distribution may invoke it: lambda:InvokeFunctionUrl and (function URLs since October 2025,
  // https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html) lambda:InvokeFunction; the OAC origin adds both.
  const permissions = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Permission' && JSON.stringify(r.Properties.FunctionName).includes('EdgeOAuthAdminConsole'));
  expect(permissions.map((p) => p.Properties.Action).sort()).toEqual(['lambda:InvokeFunction', 'lambda:InvokeFunctionUrl']);
  for (const p of permissions) {
    expect(p.Properties.Principal).toBe('cloudfront.amazonaws.com');
    expect(JSON.stringify(p.Properties.SourceArn)).toContain(':distribution/');
  }
});

test('least privilege: its role reads the key set, the table items it shows, Query on the indexes only; never Scan', () => {
  const role = logicalId(resources, 'AWS::IAM::Role', 'EdgeOAuthAdminConsoleRole');
  const statements = Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: { Ref: string }) => x.Ref === role))
    .flatMap((r) => r.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>);
  const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
  expect(new Set(actions)).toEqual(new Set(['secretsmanager:GetSecretValue', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'logs:CreateLogStream', 'logs:PutLogEvents']));
  const query = statements.find((s) => s.Action === 'dynamodb:Query')!;
  const text = JSON.stringify(query.Resource);
  for (const index of ['byUser', 'byEmail', 'byLastSeen']) expect(text).toContain(`/index/${index}`);
  expect(text).not.toContain('/index/*');
  const update = statements.find((s) => JSON.stringify(s.Action).includes('UpdateItem'))!;
  expect(JSON.stringify(update.Resource)).toContain('SessionsTable');
  expect(JSON.stringify(update.Resource)).not.toContain('UsersTable');
});

test('the users table has the byLastSeen index (kind, lastSeenAt)', () => {
  template.hasResourceProperties('AWS::DynamoDB::Table', {
    GlobalSecondaryIndexes: Match.arrayWith([
      Match.objectLike({ IndexName: 'byLastSeen', KeySchema: [{ AttributeName: 'kind', KeyType: 'HASH' }, { AttributeName: 'lastSeenAt', KeyType: 'RANGE' }] }),
    ]),
  });
});

test('cdk-nag AwsSolutions: no unacknowledged finding', () => {
  expect(nagFindings(stack)).toEqual([]);
});

test('a console no behaviour reaches (an existing distribution, attach) is refused at synth, naming the fix', () => {
  const app = appWithoutBundling();
  const bare = new Stack(app, 'Bare', { env: { region: 'us-east-1' } });
  new EdgeOAuth(bare, 'Auth', { config: { ...fixtureConfig(), admin: { emails: ['boss@example.com'] } } });
  expect(() => app.synth()).toThrow(/config\.admin\.emails is set, but no distribution has the \/auth\/admin\* behaviour/);
});
