/**
 * The one test that really bundles (local esbuild, no Docker): the viewer-request function
 * from lambdas/edge/index.ts and the callback from lambdas/callback/index.ts, with the
 * fixture config baked in. Lambda@Edge takes a viewer-request zip of at most 1 MB.
 * The viewer is an ES module, `index.mjs` (its init awaits at the top level: lambdas/runtime/viewer-init.ts),
 * imported here as Lambda's Node.js runtime imports it; the callback stays CommonJS, `index.js`.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { deflateRawSync } from 'node:zlib';
import { generateKeySetSecret } from '../../lambdas/core/keys/key-set';
import { BAKED_GLOBALS, VIEWER_REQUEST_LIMITS } from '../../lib/functions';
import { EdgeOAuthStack } from '../../lib/edge-oauth-stack';
import { startSecretsManager } from '../../local/emulators/secrets-manager';
import { fixtureConfig, logicalId } from './helpers';

const REPLICAS = ['eu-central-1'];

let outdir: string;
let bundles: { viewer: string; callback: string };
let handlers: { viewer: unknown; callback: unknown };

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
  const handler = (prefix: string) => resources[logicalId(resources, 'AWS::Lambda::Function', prefix)].Properties.Handler as unknown;
  handlers = { viewer: handler('EdgeOAuthViewerRequestFunction'), callback: handler('EdgeOAuthCallbackFunction') };
}, 120_000);

afterAll(() => {
  if (outdir) fs.rmSync(outdir, { recursive: true, force: true });
});

/** The bundle's one file: `index.mjs` (the viewer, an ES module) or `index.js`. */
const code = (dir: string) => fs.readFileSync(path.join(dir, fs.readdirSync(dir)[0]!), 'utf8');

describe('the bundles', () => {
  it('the viewer-request zip is under Lambda@Edge\'s 1 MB', () => {
    const size = zippedSize(bundles.viewer);
    expect(size).toBeLessThan(VIEWER_REQUEST_LIMITS.zippedBytes);
    // A bundle that suddenly grows (an AWS SDK or a provider library pulled in) shows here first.
    expect(size).toBeLessThan(256 * 1024);
  });

  it('hold one file each: the viewer an ES module, index.mjs, the callback CommonJS, index.js; both run as index.handler', () => {
    expect(fs.readdirSync(bundles.viewer)).toEqual(['index.mjs']);
    expect(fs.readdirSync(bundles.callback)).toEqual(['index.js']);
    expect(handlers).toEqual({ viewer: 'index.handler', callback: 'index.handler' });
    expect(code(bundles.viewer)).toMatch(/export\s*\{[^}]*\bas handler\b|export\s*\{[^}]*\bhandler\b/);
    expect(code(bundles.callback)).toMatch(/handler/);
  });

  it('the viewer bundle imports as an ES module with no CommonJS require in scope, and exports its handler; a key set that cannot be read at init is the 503 page, then read again', async () => {
    const secrets = await startSecretsManager(); // the key set not there yet
    const child = spawn(process.execPath, ['--input-type=module', '-e', IMPORT_AND_ANSWER, path.join(bundles.viewer, 'index.mjs')], {
      cwd: os.tmpdir(),
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'not-a-secret',
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
        AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const answers = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async (): Promise<{ handler: string; length: number; status: string }> => {
      for (;;) {
        const { value, done } = await answers.next();
        if (done) throw new Error(`the child ended: ${stderr.slice(0, 2000)}`);
        if ((value as string).startsWith('{"handler"')) return JSON.parse(value as string);
      }
    };
    try {
      expect(await next()).toEqual({ handler: 'function', length: 1, status: '503' });
      expect(stderr).toContain('"where":"init-keys"');
      secrets.put(fixtureConfig().aws.sessionKeysSecretId, generateKeySetSecret(randomBytes));
      child.stdin.write('again\n');
      expect((await next()).status).toBe('200'); // the sign-in page (three providers): the key set was read
    } finally {
      child.kill();
      await secrets.close();
    }
  }, 30_000);

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

  it('the viewer carries the small AWS clients (lib/viewer-aliases.ts) and loads no SDK client; the callback keeps the SDK', () => {
    const viewer = code(bundles.viewer);
    expect(viewer).not.toMatch(/(require\(|import\(|from)\s*["']@aws-sdk\/client-/);
    expect(viewer).toContain('DynamoDB_20120810');
    expect(viewer).toContain('AWS4-HMAC-SHA256');
    expect(code(bundles.callback)).toMatch(/require\(["']@aws-sdk\/client-dynamodb["']\)/);
  });
});

/**
 * An ES module (`--input-type=module`: no CommonJS `require` in scope, as for Lambda's import
 * of an `.mjs` handler) that imports the bundle, answers one request for a page, and one more
 * for each line on stdin: a JSON line with what it found.
 */
const IMPORT_AND_ANSWER = `
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
const m = await import(pathToFileURL(process.argv[1]).href);
const event = () => ({ Records: [{ cf: { config: { distributionDomainName: 'd1.cloudfront.net', distributionId: 'E1', eventType: 'viewer-request', requestId: 'r' },
  request: { clientIp: '203.0.113.9', method: 'GET', uri: '/reports', querystring: '', headers: { host: [{ key: 'Host', value: 'app.fixture.example' }] } } } }] });
const answer = async () => {
  const result = await m.handler(event());
  process.stdout.write(JSON.stringify({ handler: typeof m.handler, length: m.handler.length, status: result.status ?? 'forward' }) + '\\n');
};
await answer();
for await (const _line of createInterface({ input: process.stdin })) await answer();
`;
