/**
 * The one test that really bundles (local esbuild, no Docker): the viewer-request function
 * from lambdas/edge/index.ts and the callback from lambdas/callback/index.ts, with the
 * fixture config baked in. Lambda@Edge takes a viewer-request zip of at most 1 MB.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { BAKED_GLOBALS, VIEWER_REQUEST_LIMITS } from '../../lib/functions';
import { EdgeOAuthStack } from '../../lib/edge-oauth-stack';
import { fixtureConfig, logicalId } from './helpers';

const REPLICAS = ['eu-central-1'];

let outdir: string;
let bundles: { viewer: string; callback: string };

/** The size of a zip of `dir` (deflate, level 9, as the CDK's asset zip) with its headers. */
function zippedSize(dir: string): number {
  let total = 22; // end of central directory
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const name = path.relative(dir, file);
    total += deflateRawSync(fs.readFileSync(file), { level: 9 }).length + 30 + 46 + 2 * Buffer.byteLength(name);
  }
  return total;
}

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-oauth-bundle-'));
  const app = new App({ outdir });
  const config = fixtureConfig();
  const stack = new EdgeOAuthStack(app, 'Bundled', { env: { region: 'us-east-1' }, config: { ...config, aws: { ...config.aws, replicaRegions: REPLICAS } } });
  const resources = Template.fromStack(stack).toJSON().Resources;
  // The code's S3 key is `<asset hash>.zip`; the bundle is staged in `<outdir>/asset.<hash>`.
  const assetDir = (prefix: string) =>
    path.join(outdir, `asset.${(resources[logicalId(resources, 'AWS::Lambda::Function', prefix)].Properties.Code.S3Key as string).replace(/\.zip$/, '')}`);
  bundles = { viewer: assetDir('EdgeOAuthViewerRequestFunction'), callback: assetDir('EdgeOAuthCallbackFunction') };
}, 120_000);

afterAll(() => {
  if (outdir) fs.rmSync(outdir, { recursive: true, force: true });
});

const code = (dir: string) => fs.readFileSync(path.join(dir, 'index.js'), 'utf8');

describe('the bundles', () => {
  it('the viewer-request zip is under Lambda@Edge\'s 1 MB', () => {
    const size = zippedSize(bundles.viewer);
    expect(size).toBeLessThan(VIEWER_REQUEST_LIMITS.zippedBytes);
    // A bundle that suddenly grows (an AWS SDK or a provider library pulled in) shows here first.
    expect(size).toBeLessThan(256 * 1024);
  });

  it('hold one file each, index.js, with the handler export', () => {
    for (const dir of [bundles.viewer, bundles.callback]) {
      expect(fs.readdirSync(dir)).toEqual(['index.js']);
      expect(code(dir)).toMatch(/handler/);
    }
  });

  it('the config is baked in (esbuild define), not read from the environment', () => {
    for (const dir of [bundles.viewer, bundles.callback]) {
      const js = code(dir);
      expect(js).not.toContain(BAKED_GLOBALS.config);
      expect(js).toContain('fixture-github-client-id');
      expect(js).toContain('fixture/session-keys');
      // Only runtime-provided variables (AWS_*, e.g. AWS_REGION) may be read at all.
      for (const [, name] of js.matchAll(/process\.env(?:\.|\[["'`])([A-Za-z0-9_]+)/g)) expect(name).toMatch(/^AWS_/);
      expect(js).not.toMatch(/process\.env\[(?!["'`]AWS_)/);
    }
  });

  it('the viewer reads the key set from the nearest of the baked regions (primary first, then the replicas), chosen by AWS_REGION', () => {
    const js = code(bundles.viewer);
    expect(js).not.toContain(BAKED_GLOBALS.keySetRegions);
    expect(js).toContain(JSON.stringify([fixtureConfig().aws.region, ...REPLICAS]));
    expect(js).toContain('process.env.AWS_REGION');
  });

  it('no secret value: client secrets are references (secret ids) only, and there is no key material', () => {
    for (const dir of [bundles.viewer, bundles.callback]) {
      const js = code(dir);
      const refs = [...js.matchAll(/clientSecret:\{([^}]*)\}/g)].map((m) => m[1]);
      expect(refs).toHaveLength(fixtureConfig().providers.length);
      for (const body of refs) expect(body).toMatch(/^secretId:"[^"]+"(,jsonKey:"[^"]+")?$/);
      expect(js).not.toMatch(/["']?k["']?\s*:\s*["'][A-Za-z0-9_-]{43}["']/);
      expect(js).not.toMatch(/SecretString:\s*["']/);
    }
  });

  it('the AWS SDK stays out (the runtime provides it)', () => {
    for (const dir of [bundles.viewer, bundles.callback]) {
      const js = code(dir);
      expect(js).not.toMatch(/@smithy\/|smithy-client/);
      expect(js).not.toContain('class SecretsManagerClient');
    }
  });

  it('the viewer carries the small AWS clients (lib/viewer-aliases.ts) and requires no SDK client; the callback keeps the SDK', () => {
    const viewer = code(bundles.viewer);
    expect(viewer).not.toMatch(/require\(["']@aws-sdk\/client-/);
    expect(viewer).toContain('DynamoDB_20120810');
    expect(viewer).toContain('AWS4-HMAC-SHA256');
    expect(code(bundles.callback)).toMatch(/require\(["']@aws-sdk\/client-dynamodb["']\)/);
  });
});
