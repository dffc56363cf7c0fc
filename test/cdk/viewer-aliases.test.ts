/**
 * The viewer bundle carries the small AWS clients, not the SDK's (lib/viewer-aliases.ts): the
 * viewer's bundling options alias both SDK packages to files that exist, the other functions'
 * options do not, and an esbuild build of lambdas/edge/index.ts with those aliases requires
 * no `@aws-sdk/client-*` package at all.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { functionBundling, viewerBundling } from '../../lib/functions';
import { VIEWER_SDK_ALIASES } from '../../lib/viewer-aliases';
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

test('the viewer bundle requires no AWS SDK client package', async () => {
  const out = await build({
    entryPoints: [path.join(__dirname, '../../lambdas/edge/index.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['@aws-sdk/*'],
    alias: { ...VIEWER_SDK_ALIASES },
    define: { __EDGE_OAUTH_CONFIG__: JSON.stringify(testConfig()) },
    write: false,
    logLevel: 'silent',
  });
  const code = out.outputFiles[0]!.text;
  expect(code).not.toMatch(/require\(["']@aws-sdk\/client-/);
  expect(code).toContain('DynamoDB_20120810');
});
