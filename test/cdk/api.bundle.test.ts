/**
 * The authorizer really bundled (local esbuild, no Docker), as the ready stack with an API
 * deploys it: lambdas/authorizer/index.ts with the config baked in, one file, nothing read
 * from the environment but what Lambda provides.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BAKED_GLOBALS } from '../../lib/functions';
import { EdgeOAuthStack } from '../../lib/edge-oauth-stack';
import { configFrom, logicalId } from './helpers';

let outdir: string;
let bundle: string;

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-oauth-authorizer-bundle-'));
  const app = new App({ outdir });
  const config = configFrom({
    site: { domain: 'bundle.example.com', name: 'Bundle Site' },
    providers: [{ type: 'github', clientId: 'bundle-github-client-id', clientSecret: 'bundle/github' }],
    aws: { sessionKeysSecretId: 'bundle/session-keys' },
    api: { kind: 'http', upstream: 'https://backend.example.com' },
  });
  const stack = new EdgeOAuthStack(app, 'BundledApi', { env: { region: 'us-east-1' }, config });
  const resources = Template.fromStack(stack).toJSON().Resources;
  const key = resources[logicalId(resources, 'AWS::Lambda::Function', 'EdgeOAuthApiAuthorizerFunction')].Properties.Code.S3Key as string;
  bundle = path.join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
}, 120_000);

afterAll(() => {
  if (outdir) fs.rmSync(outdir, { recursive: true, force: true });
});

describe('the authorizer bundle', () => {
  it('is one file, index.js, exporting the handler, small', () => {
    expect(fs.readdirSync(bundle)).toEqual(['index.js']);
    const js = fs.readFileSync(path.join(bundle, 'index.js'), 'utf8');
    expect(js).toMatch(/handler/);
    expect(js.length).toBeLessThan(1024 * 1024);
  });

  it('has the config baked in, and reads only Lambda\'s own AWS_* variables', () => {
    const js = fs.readFileSync(path.join(bundle, 'index.js'), 'utf8');
    expect(js).not.toContain(BAKED_GLOBALS.config);
    expect(js).not.toContain(BAKED_GLOBALS.keySetRegions); // the key set's regions too (the nearest copy is read)
    expect(js).toContain('bundle-github-client-id');
    expect(js).toContain('bundle/session-keys');
    for (const [, name] of js.matchAll(/process\.env(?:\.|\[["'`])([A-Za-z0-9_]+)/g)) expect(name).toMatch(/^AWS_/);
    // The AWS SDK comes from the runtime.
    expect(js).not.toMatch(/@aws-sdk\/client-dynamodb\/dist-cjs/);
  });
});
