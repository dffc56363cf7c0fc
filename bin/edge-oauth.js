#!/usr/bin/env node
// The `edge-oauth` CLI entry (npx edge-oauth ...). In this repository it runs the TypeScript
// sources through tsx; in the package installed from npm, the compiled dist/bin/cli.js.
// The AWS SDK's notice about Node < 22 is noise for an operator's tool: Lambda runs Node 22.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
if (existsSync(join(__dirname, 'cli.ts'))) {
  require('tsx/cjs');
  require('./cli.ts').main();
} else {
  require('../dist/bin/cli.js').main();
}
