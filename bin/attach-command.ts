/**
 * `edge-oauth attach --distribution-id E123ABC [--protect '*,/app/*'] [--dry-run]` and
 * `edge-oauth detach --distribution-id E123ABC [--dry-run]`: put edge-oauth on a
 * distribution another tool owns, or take it off, through the CloudFront API. Each prints
 * a diff of the distribution config, then applies it (lib/attach/plan.ts decides,
 * lib/attach/update.ts reads and writes with the ETag and retries from a fresh read on a
 * concurrent change). docs/existing-distribution.md.
 *
 * What to attach comes from the outputs of the edge-oauth stack deployed with
 * `-c distributionId=E123ABC -c attachAtDeploy=false` (`cdk deploy --outputs-file
 * cdk-outputs.json`), or from the options that name each value.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { diffConfigs } from '../lib/attach/diff';
import { attachConfig, DEFAULT_BEHAVIOR, detachConfig, type AttachTargets } from '../lib/attach/plan';
import { updateDistribution, type DistributionApi, type UpdateResult } from '../lib/attach/update';
import { CliError } from '../lambdas/core/errors';
import type { CliIo } from './store-options';

/** The stack outputs the CLI reads (lib/existing-distribution.ts writes them). */
export const OUTPUT_KEYS = {
  viewerRequestVersionArn: 'ViewerRequestVersionArn',
  callbackDomainName: 'CallbackDomainName',
  originAccessControlId: 'CallbackOriginAccessControlId',
} as const;
export const DEFAULT_OUTPUTS_FILE = 'cdk-outputs.json';

export interface AttachCommandOptions {
  distributionId: string;
  protect?: string;
  dryRun?: boolean;
  outputs?: string;
  stack?: string;
  viewerRequestArn?: string;
  callbackDomain?: string;
  oacId?: string;
  endpoint?: string;
}

/** Opens the CloudFront API (the real one, or `endpoint`); loaded on use so the CLI starts without the CloudFront client. */
export type OpenDistributionApi = (endpoint: string | undefined) => Promise<{ api: DistributionApi; close(): void }>;

/** lib/attach/cloudfront.ts, loaded on use (require: tsx's CommonJS hook does not resolve a dynamic import of a .ts path). */
function loadCloudFront(): typeof import('../lib/attach/cloudfront') {
  try {
    return require('../lib/attach/cloudfront') as typeof import('../lib/attach/cloudfront');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'MODULE_NOT_FOUND' && String((error as Error).message).includes('@aws-sdk/client-cloudfront')) {
      throw new CliError('the CloudFront API client is not installed: npm install @aws-sdk/client-cloudfront', { cause: error });
    }
    throw error;
  }
}

const LOOPBACK = /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\/?$/i;

const openCloudFront: OpenDistributionApi = async (endpoint) => {
  const { cloudFrontClient, cloudFrontDistributionApi } = loadCloudFront();
  // The local control plane checks no signature, but the SDK must sign with something.
  const local = endpoint !== undefined && LOOPBACK.test(endpoint) && process.env.AWS_ACCESS_KEY_ID === undefined;
  const client = cloudFrontClient({ endpoint, ...(local && { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }) });
  return { api: cloudFrontDistributionApi(client) as DistributionApi, close: () => client.destroy() };
};

function checkDistributionId(id: string): void {
  if (!/^[A-Z0-9]{1,64}$/.test(id)) throw new CliError(`--distribution-id: "${id}" is not a CloudFront distribution id (such as E123ABC)`);
}

/** `--protect '*,/app/*'`: path patterns, `*` for the default behaviour. */
export function parseProtect(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const list = value.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (list.length === 0) throw new CliError(`--protect: "${value}" names no behaviour; give path patterns such as '${DEFAULT_BEHAVIOR},/app/*'`);
  return list;
}

/** The stack outputs from `--outputs` (or ./cdk-outputs.json when present), for `--stack` or the only stack in it. */
function readOutputs(options: AttachCommandOptions): Record<string, string> {
  const file = options.outputs ?? (existsSync(DEFAULT_OUTPUTS_FILE) ? DEFAULT_OUTPUTS_FILE : undefined);
  if (file === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(`--outputs ${file}: ${(error as Error).message}`);
  }
  const stacks = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, Record<string, string>>;
  const withOurs = Object.keys(stacks).filter((s) => typeof stacks[s]?.[OUTPUT_KEYS.viewerRequestVersionArn] === 'string');
  const name = options.stack ?? (withOurs.length === 1 ? withOurs[0] : undefined);
  if (name === undefined) {
    throw new CliError(`--outputs ${file}: ${withOurs.length === 0 ? 'no stack in it has the output ' + OUTPUT_KEYS.viewerRequestVersionArn : `several stacks (${withOurs.join(', ')}): choose one with --stack`}`);
  }
  const outputs = stacks[name];
  if (outputs === undefined) throw new CliError(`--outputs ${file}: no stack "${name}" in it`);
  return outputs;
}

function targetsOf(options: AttachCommandOptions): AttachTargets {
  const outputs = readOutputs(options);
  const pick = (flag: string, value: string | undefined, key: string) => {
    const v = value ?? outputs[key];
    if (v === undefined || v === '') throw new CliError(`${flag} is needed (or --outputs with the stack output ${key}: cdk deploy --outputs-file ${DEFAULT_OUTPUTS_FILE})`);
    return v;
  };
  return {
    viewerRequestVersionArn: pick('--viewer-request-arn', options.viewerRequestArn, OUTPUT_KEYS.viewerRequestVersionArn),
    callbackDomainName: pick('--callback-domain', options.callbackDomain, OUTPUT_KEYS.callbackDomainName),
    originAccessControlId: pick('--oac-id', options.oacId, OUTPUT_KEYS.originAccessControlId),
  };
}

function report(io: CliIo, id: string, result: UpdateResult<object>, dryRun: boolean, verb: string): void {
  if (!result.changed) {
    io.out(`${id}: nothing to change (edge-oauth is already ${verb === 'attach' ? 'attached as asked' : 'off this distribution'}).`);
    return;
  }
  io.out(diffConfigs(result.before, result.after));
  if (dryRun) io.out(`dry run: nothing was changed on ${id}. Run again without --dry-run to apply.`);
  else io.out(`${id}: applied (ETag ${result.etag}). CloudFront is deploying the change to its edge locations (Status InProgress, a few minutes).`);
}

async function run(io: CliIo, open: OpenDistributionApi, options: AttachCommandOptions, verb: 'attach' | 'detach', plan: (c: object) => object): Promise<void> {
  const { api, close } = await open(options.endpoint);
  try {
    const result = await updateDistribution(api, options.distributionId, plan, {
      dryRun: options.dryRun === true,
      onRetry: (attempt) => io.err(`${options.distributionId} changed while we worked (PreconditionFailed): reading it again and planning again (try ${attempt + 1})`),
    });
    report(io, options.distributionId, result, options.dryRun === true, verb);
  } finally {
    close();
  }
}

const withCommonOptions = (command: Command): Command =>
  command
    .requiredOption('--distribution-id <id>', 'the CloudFront distribution (e.g. E123ABC)')
    .option('--dry-run', 'show the change (a diff of the distribution config) and apply nothing')
    .option('--outputs <file>', `the edge-oauth stack's outputs (cdk deploy --outputs-file; default ./${DEFAULT_OUTPUTS_FILE} if present)`)
    .option('--stack <name>', 'the stack in --outputs (when it holds several)')
    .option('--viewer-request-arn <arn>', `the viewer-request function version (else the output ${OUTPUT_KEYS.viewerRequestVersionArn})`)
    .option('--endpoint <url>', 'CloudFront API endpoint (e.g. the local control plane); default: AWS');

export function registerAttachCommands(program: Command, io: CliIo, open: OpenDistributionApi = openCloudFront): void {
  withCommonOptions(program.command('attach').description('protect an existing CloudFront distribution: add the viewer-request function, /auth/callback and /auth/*'))
    .option('--protect <patterns>', `comma-separated path patterns of the behaviours to protect, ${DEFAULT_BEHAVIOR} for the default one (default: all)`)
    .option('--callback-domain <host>', `the callback's function URL host (else the output ${OUTPUT_KEYS.callbackDomainName})`)
    .option('--oac-id <id>', `the callback's origin access control (else the output ${OUTPUT_KEYS.originAccessControlId})`)
    .action(async (options: AttachCommandOptions) => {
      checkDistributionId(options.distributionId);
      const protect = parseProtect(options.protect);
      const targets = targetsOf(options);
      await run(io, open, options, 'attach', (c) => attachConfig(c, targets, protect ? { protect } : {}));
    });

  withCommonOptions(program.command('detach').description('take edge-oauth off a distribution: remove exactly what attach added'))
    .action(async (options: AttachCommandOptions) => {
      checkDistributionId(options.distributionId);
      const outputs = readOutputs(options);
      const arn = options.viewerRequestArn ?? outputs[OUTPUT_KEYS.viewerRequestVersionArn];
      if (arn === undefined) throw new CliError(`--viewer-request-arn is needed (or --outputs with the stack output ${OUTPUT_KEYS.viewerRequestVersionArn})`);
      await run(io, open, options, 'detach', (c) => detachConfig(c, arn));
    });
}
