#!/usr/bin/env node
// The `edge-oauth` CLI entry (npx edge-oauth ...): runs the TypeScript sources through tsx.
require('tsx/cjs');
require('./cli.ts').main();
