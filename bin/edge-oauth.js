#!/usr/bin/env node
// The `edge-oauth` CLI entry (npx edge-oauth ...): runs the TypeScript sources through tsx.
// The AWS SDK's notice about Node < 22 is noise for an operator's tool: Lambda runs Node 22.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs');
require('./cli.ts').main();
