/** The custom resource handler bundles as CDK bundles it (esbuild, @aws-sdk/* from the Lambda runtime): small, no SDK inside. */
import { buildSync } from 'esbuild';
import * as path from 'node:path';

test('lib/attach/handler.ts bundles without the AWS SDK', () => {
  const out = buildSync({
    entryPoints: [path.join(__dirname, '../../lib/attach/handler.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    minify: true,
    write: false,
    external: ['@aws-sdk/*'],
  });
  const code = out.outputFiles[0]!.text;
  expect(code).toContain('require("@aws-sdk/client-cloudfront")');
  expect(code.length).toBeLessThan(40_000);
});
