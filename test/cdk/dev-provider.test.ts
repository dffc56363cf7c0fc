/**
 * The embedded dev identity provider is local only (issue #16): a config file naming
 * `{"id": "dev", "type": "dev"}` runs under `npm start -- --config`, and the CDK app (synth,
 * deploy) refuses it with a message naming the field.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createApp } from '../../lib/app';

test('cdk synth refuses a "dev" provider, naming the field and saying why', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'edge-oauth-dev-'));
  writeFileSync(path.join(dir, 'edge-oauth.config.example.jsonc'), JSON.stringify({ site: { domain: 'app.example.com', name: 'x' }, providers: [{ id: 'dev', type: 'dev' }] }));
  expect(() => createApp({ env: {}, cwd: dir, context: { 'aws:cdk:bundling-stacks': [] } })).toThrow(
    /providers\[0\]\.type: "dev" \(the embedded dev identity provider\) is for the local stack only \(npm start -- --config <file>\); name a real provider to synth or deploy/,
  );
});
