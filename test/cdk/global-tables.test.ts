/**
 * `aws.replicaRegions`: the three tables become DynamoDB global tables (replicas in the
 * primary and the listed regions), the session key set is replicated there, the functions
 * may use every copy; cdk-nag stays clean. One region stays as it was (edge-oauth.test.ts).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createApp } from '../../lib/app';
import { EdgeOAuthData } from '../../lib/edge-oauth-data';
import { EdgeOAuthStack } from '../../lib/edge-oauth-stack';
import { TABLES } from '../../lambdas/store/dynamodb/tables';
import { appWithoutBundling, EXAMPLE_CONFIG_FILE, fixtureConfig, nagFindings } from './helpers';
import { loadConfigFile } from '../../lib/config-file';

const REPLICAS = ['eu-west-1', 'ap-southeast-2'];
const config = { ...fixtureConfig(), aws: { ...fixtureConfig().aws, replicaRegions: REPLICAS } };

let stack: EdgeOAuthStack;
let template: Template;
let resources: Record<string, { Type: string; Properties: any; DeletionPolicy?: string }>;

beforeAll(() => {
  stack = new EdgeOAuthStack(appWithoutBundling(), 'Global', { env: { region: 'us-east-1' }, config });
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
});

describe('aws.replicaRegions', () => {
  it('makes the three tables AWS::DynamoDB::GlobalTable, replicas in the primary and each listed region', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 3);
    for (const def of TABLES) {
      const table = Object.values(resources).find((r) => r.Type === 'AWS::DynamoDB::GlobalTable' && r.Properties.TableName === config.aws.tables[def.role])!;
      const p = table.Properties;
      expect(p.Replicas.map((r: { Region: string }) => r.Region).sort()).toEqual(['us-east-1', ...REPLICAS].sort());
      expect(p.BillingMode).toBe('PAY_PER_REQUEST');
      // Replication needs a stream; TableV2 adds NEW_AND_OLD_IMAGES.
      expect(p.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
      if (def.timeToLiveAttribute) expect(p.TimeToLiveSpecification).toEqual({ AttributeName: def.timeToLiveAttribute, Enabled: true });
      for (const replica of p.Replicas) {
        expect(replica.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
        expect(replica.DeletionProtectionEnabled).toBe(true);
      }
      expect((p.GlobalSecondaryIndexes ?? []).map((g: { IndexName: string }) => g.IndexName)).toEqual(def.globalSecondaryIndexes.map((g) => g.indexName));
      expect(table.DeletionPolicy).toBe('Retain');
    }
  });

  it('replicates the session key set to the same regions', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: config.aws.sessionKeysSecretId, ReplicaRegions: REPLICAS.map((Region) => ({ Region })) });
  });

  it('lets the viewer-request function use the table copy in every region (and nothing more)', () => {
    const role = Object.entries(resources).find(([id, r]) => r.Type === 'AWS::IAM::Policy' && id.startsWith('EdgeOAuthViewerRequestRoleDefaultPolicy'))![1];
    const statements = role.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[];
    const sessions = statements.filter((s) => [s.Action].flat().includes('dynamodb:UpdateItem')).map((s) => JSON.stringify(s.Resource));
    for (const region of REPLICAS) expect(sessions.some((r) => r.includes(`:dynamodb:${region}:`) && r.includes(`table/${config.aws.tables.sessions}`))).toBe(true);
    for (const s of statements) expect([s.Action].flat().some((a) => /Scan|Query|Delete/.test(a))).toBe(false);
  });

  // The regions baked into the viewer's bundle (the nearest copy is chosen at run time) are
  // checked on the bundle itself: test/cdk/bundle.test.ts, "the viewer reads the key set from
  // the nearest of the baked regions".

  it('is clean under cdk-nag AwsSolutions', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  it('the ready app: tables and secrets in another region with replicas, synthesized with cdk-nag on', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-oauth-global-'));
    try {
      const example = loadConfigFile(EXAMPLE_CONFIG_FILE);
      const file = path.join(tmp, 'global.jsonc');
      fs.writeFileSync(file, JSON.stringify({ ...example, aws: { ...example.aws, region: 'eu-west-1', replicaRegions: ['us-east-1', 'ap-southeast-2'] } }));
      const app = createApp({ env: { EDGE_OAUTH_CONFIG: file }, context: { 'aws:cdk:bundling-stacks': [], origin: 's3://site-bucket' } });
      expect(() => app.synth()).not.toThrow();
      const data = Template.fromStack(app.node.findChild('EdgeOAuth-Data') as Stack);
      data.resourceCountIs('AWS::DynamoDB::GlobalTable', 3);
      data.hasResourceProperties('AWS::DynamoDB::GlobalTable', { TableName: 'edge-oauth-mau', Replicas: Match.arrayWith([Match.objectLike({ Region: 'ap-southeast-2' })]) });
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('secretReplicaRegions folded into aws.replicaRegions', () => {
  it('-c secretReplicaRegions stops the synth with the way forward', () => {
    expect(() => createApp({ env: { EDGE_OAUTH_CONFIG: EXAMPLE_CONFIG_FILE }, context: { 'aws:cdk:bundling-stacks': [], secretReplicaRegions: 'eu-west-1' } })).toThrow(
      /secretReplicaRegions is now the config's aws\.replicaRegions/,
    );
  });

  it('the construct prop, passed from JavaScript, too (not silently dropped)', () => {
    const s = new Stack(new App(), 'Old', { env: { region: 'us-east-1' } });
    expect(() => new EdgeOAuthData(s, 'Data', { config: fixtureConfig(), secretReplicaRegions: ['eu-west-1'] } as never)).toThrow(/aws\.replicaRegions/);
  });

  it('aws.replicaRegions refuses the primary region and duplicates, naming the field', () => {
    const { parseConfig } = require('../../lambdas/core/config/parse') as typeof import('../../lambdas/core/config/parse');
    const base = { providers: [{ id: 'corp', type: 'oidc', issuer: 'https://idp.example.com', clientId: 'c', clientSecret: 's' }] };
    const bad = parseConfig({ ...base, aws: { region: 'eu-west-1', replicaRegions: ['eu-west-1', 'us-east-1', 'us-east-1'] } });
    expect(bad.ok).toBe(false);
    const text = JSON.stringify(!bad.ok && bad.problems);
    expect(text).toMatch(/aws\.replicaRegions(\.|\[)0/);
    expect(text).toContain('is the primary region');
    expect(text).toContain('is listed twice');
    const mars = parseConfig({ ...base, aws: { replicaRegions: ['mars'] } });
    expect(JSON.stringify(!mars.ok && mars.problems)).toContain('must be an AWS region');
    expect(parseConfig({ ...base, aws: { replicaRegions: ['eu-west-1'] } }).ok).toBe(true);
  });
});
