/**
 * The viewer bundle carries the small AWS clients, not the SDK's (lib/viewer-aliases.ts): the
 * viewer's bundling options alias both SDK packages to files that exist, the other functions'
 * options do not, and an esbuild build of lambdas/edge/index.ts with those aliases loads
 * no `@aws-sdk/client-*` package at all. The viewer alone is an ES module (its init's
 * top-level `await`), with a `require` for what esbuild keeps as one.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { build } from 'esbuild';
import { functionBundling, viewerBundling } from '../../lib/functions';
import { ESM_REQUIRE_BANNER, VIEWER_SDK_ALIASES } from '../../lib/viewer-aliases';
import { testConfig } from '../core/fixtures';

test('the viewer bundling aliases both SDK clients to the small ones; the shared bundling does not', () => {
  const shared = functionBundling(testConfig(), ['us-east-1']);
  const viewer = viewerBundling(shared);
  for (const [pkg, file] of Object.entries(VIEWER_SDK_ALIASES)) {
    expect(viewer.esbuildArgs?.[`--alias:${pkg}`]).toBe(file);
    expect(shared.esbuildArgs?.[`--alias:${pkg}`]).toBeUndefined();
    expect(existsSync(`${file}.ts`) || existsSync(`${file}.js`)).toBe(true);
  }
  expect(viewer.esbuildArgs?.['--legal-comments']).toBe('none');
});

test('the viewer alone is an ES module, with the require banner; the other functions stay CommonJS', () => {
  const shared = functionBundling(testConfig(), ['us-east-1']);
  expect(viewerBundling(shared)).toMatchObject({ format: OutputFormat.ESM, banner: ESM_REQUIRE_BANNER });
  expect(shared.format).toBe(OutputFormat.CJS);
  expect(shared.banner).toBeUndefined();
});

test('the viewer bundle loads no AWS SDK client package, and its own sources leave esbuild no require to keep', async () => {
  const out = await build({
    entryPoints: [path.join(__dirname, '../../lambdas/edge/index.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    external: ['@aws-sdk/*'],
    alias: { ...VIEWER_SDK_ALIASES },
    define: { __EDGE_OAUTH_CONFIG__: JSON.stringify(testConfig()) },
    write: false,
    logLevel: 'silent',
  });
  const code = out.outputFiles[0]!.text;
  expect(code).not.toMatch(/(require\(|import\(|from)\s*["']@aws-sdk\/client-/);
  expect(code).not.toContain('__require');
  expect(code).toContain('DynamoDB_20120810');
});
