#!/usr/bin/env node
/**
 * The edge-oauth CDK app: `npx cdk synth` / `npx cdk deploy` (cdk.json runs it with tsx).
 *   npx cdk deploy -c config=edge-oauth.config.jsonc [-c origin=s3://my-bucket] [-c certificateArn=arn:aws:acm:us-east-1:...]
 * Context keys and defaults: lib/app.ts. Deploy guide: docs/deploy.md.
 */
import { createApp } from '../lib/app';

try {
  createApp().synth();
} catch (error) {
  // A config or deployment mistake: say what is wrong, without a stack trace.
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
