/**
 * `edge-oauth keys list|add|promote|retire`: the session key set in Secrets Manager
 * (`aws.sessionKeysSecretId`; format in lambdas/core/keys/key-set.ts), rotated in the three safe
 * steps of SECURITY.md: add a key (listed, so every container opens its cookies, but not
 * current), make it current once every container knows it, retire the old one once its
 * sessions may end. `--signing` does the same for the identity-assertion signing keys.
 *
 * Containers cache the key set for 5 minutes (lambdas/store/secrets.ts), so a key should be
 * made current, and a former current key retired, only 10 minutes (two cache lifetimes)
 * after the key set last changed. When is a key added? The secret does not record it. What
 * Secrets Manager does say is when its current value was written: if that is 10 minutes ago
 * or more, every key in it has been listed at least that long, so `promote` and `retire`
 * just go ahead; otherwise we cannot tell, and they ask for `--yes`.
 *
 * Key material is never printed: `list` shows kids, algorithms and which key is current;
 * errors come from parseKeySet, which names a problem by position, never by value. Every
 * value is checked with parseKeySet (inside the keys/key-set.ts helpers) before it is written.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Command } from 'commander';
import { ConfigError, loadConfigFile } from '../lib/config-file';
import { KeySetError } from '../lambdas/core/errors';
import {
  KEY_SET_CACHE_SECONDS,
  parseKeySet,
  promoteSealingKeySecret,
  retireSealingKeySecret,
  retireSigningKeySecret,
  rotateKeySetSecret,
  rotateSigningKeySecret,
  type KeySet,
} from '../lambdas/core/keys/key-set';
import { SIGNING_ALGS, type SigningAlg } from '../lambdas/core/keys/signing-keys';
import { CliError, DEFAULT_CONFIG_FILE, formatTime, renderTable, type CliIo } from './store-options';

/** How long a container keeps the key set before re-reading it (lambdas/store/secrets.ts `cacheTtlMs`). */
const KEY_SET_CACHE_MINUTES = KEY_SET_CACHE_SECONDS / 60;
/** Two cache lifetimes: after this long every container has re-read a change. */
const SETTLE_MS = 2 * KEY_SET_CACHE_MINUTES * 60_000;
const DEFAULT_SECRET_ID = 'edge-oauth/session-keys';
const LOOPBACK = /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\/?$/i;

interface KeysOptions {
  readonly region?: string;
  readonly secretsEndpoint?: string;
  readonly config?: string;
  readonly json?: boolean;
}
interface KindOption {
  readonly signing?: boolean;
}

type Kind = 'sealing' | 'signing';
const kindOf = (options: KindOption): Kind => (options.signing ? 'signing' : 'sealing');

function withKeysOptions(command: Command): Command {
  return command
    .option('--region <region>', "the key set's primary region: replicas follow it (default: the config's aws.region, else AWS_REGION, else us-east-1)")
    .option('--secrets-endpoint <url>', "Secrets Manager endpoint, e.g. the local stack's (http://127.0.0.1:PORT)")
    .option('--config <file>', `config file with aws.sessionKeysSecretId (default: ./${DEFAULT_CONFIG_FILE} if present, else ${DEFAULT_SECRET_ID})`)
    .option('--json', 'print JSON for scripts');
}

/** The key set secret, where it is, and a client for it. */
interface Target {
  readonly secretId: string;
  readonly region: string;
  /** `<region>` or `<region> (endpoint <url>)`, for messages. */
  readonly where: string;
  readonly client: SecretsManagerClient;
}

interface Current {
  readonly text: string;
  readonly keys: KeySet;
  /** When the secret's current value was written, if Secrets Manager said. */
  readonly changedAt?: Date;
}

function openTarget(options: KeysOptions): Target {
  const file = options.config ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  let secretId = DEFAULT_SECRET_ID;
  let configRegion: string | undefined;
  if (file !== undefined) {
    try {
      const config = loadConfigFile(file);
      secretId = config.aws.sessionKeysSecretId;
      configRegion = config.aws.region;
    } catch (error) {
      if (error instanceof ConfigError) throw new CliError(error.message);
      throw error;
    }
  }
  const region = options.region ?? configRegion ?? process.env.AWS_REGION ?? 'us-east-1';
  const endpoint = options.secretsEndpoint;
  if (endpoint !== undefined && LOOPBACK.test(endpoint) && process.env.AWS_ACCESS_KEY_ID === undefined) {
    // The local Secrets Manager checks no signature, but the SDK must sign with something.
    process.env.AWS_ACCESS_KEY_ID = 'local';
    process.env.AWS_SECRET_ACCESS_KEY = 'local';
  }
  const client = new SecretsManagerClient({
    region,
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 3000, requestTimeout: 10_000, throwOnRequestTimeout: true },
    ...(endpoint !== undefined && { endpoint }),
  });
  return { secretId, region, where: `${region}${endpoint !== undefined ? ` (endpoint ${endpoint})` : ''}`, client };
}

/** SDK failures as messages that say what to check. Secrets Manager's messages never carry a secret value. */
function sdkError(target: Target, operation: string, error: unknown): CliError {
  const e = error as { name?: string; code?: string; message?: string; $fault?: string };
  const name = e.name !== undefined && e.name !== 'Error' ? e.name : (e.code ?? 'Error');
  if (name === 'ResourceNotFoundException') {
    return new CliError(`secret "${target.secretId}" not found in ${target.where}. Check --region, --secrets-endpoint and aws.sessionKeysSecretId in --config.`);
  }
  const detail = e.$fault !== undefined && e.message ? `: ${e.message}` : '';
  return new CliError(`cannot use Secrets Manager in ${target.where}: ${operation} failed (${name}${detail}). Check the endpoint, the region and your AWS credentials.`);
}

async function read(target: Target): Promise<Current> {
  let out;
  try {
    out = await target.client.send(new GetSecretValueCommand({ SecretId: target.secretId }));
  } catch (error) {
    throw sdkError(target, 'GetSecretValue', error);
  }
  if (typeof out.SecretString !== 'string') throw new CliError(`secret "${target.secretId}" in ${target.where} has no string value`);
  let keys: KeySet;
  try {
    keys = parseKeySet(out.SecretString);
  } catch (error) {
    if (error instanceof KeySetError) throw new CliError(`secret "${target.secretId}" in ${target.where} is not a valid key set: ${error.message}`);
    throw error;
  }
  return { text: out.SecretString, keys, ...(out.CreatedDate !== undefined && { changedAt: out.CreatedDate }) };
}

async function write(target: Target, text: string): Promise<void> {
  parseKeySet(text); // the helpers already check; nothing unchecked is ever written
  try {
    await target.client.send(new PutSecretValueCommand({ SecretId: target.secretId, SecretString: text }));
  } catch (error) {
    throw sdkError(target, 'PutSecretValue', error);
  }
}

/** Runs a command body on the key set; helper errors (KeySetError) become CLI errors. */
async function withKeySet<T>(options: KeysOptions, body: (target: Target, current: Current) => Promise<T>): Promise<T> {
  const target = openTarget(options);
  try {
    return await body(target, await read(target));
  } catch (error) {
    if (error instanceof KeySetError) throw new CliError(error.message);
    throw error;
  } finally {
    target.client.destroy();
  }
}

function kidsOf(keys: KeySet, kind: Kind): string[] {
  return [...(kind === 'signing' ? (keys.signing?.byKid.keys() ?? []) : keys.byKid.keys())];
}
function currentOf(keys: KeySet, kind: Kind): string | undefined {
  return kind === 'signing' ? keys.signing?.current.kid : keys.current.kid;
}
function mustHave(target: Target, keys: KeySet, kind: Kind, kid: string): void {
  if (kidsOf(keys, kind).includes(kid)) return;
  const listed = kidsOf(keys, kind);
  throw new CliError(`no ${kind} key "${kid}" in secret "${target.secretId}" (${listed.length > 0 ? `${kind} keys: ${listed.join(', ')}` : `no ${kind} keys`})`);
}

/** Milliseconds since the secret's current value was written, or undefined when unknown. */
function ageOf(current: Current, now: number): number | undefined {
  return current.changedAt === undefined ? undefined : now - current.changedAt.getTime();
}

/**
 * The rule behind `--yes`: a change that depends on every container having re-read the key set
 * goes ahead on its own only when the current value is at least two cache lifetimes old.
 */
function requireSettled(current: Current, yes: boolean | undefined, why: string, yesIf: string): void {
  const age = ageOf(current, Date.now());
  if (yes || (age !== undefined && age >= SETTLE_MS)) return;
  const when = age === undefined ? 'Secrets Manager did not say when the key set last changed' : `the key set last changed ${Math.max(0, Math.floor(age / 60_000))} minute(s) ago`;
  throw new CliError(
    `${when}, and containers cache it for ${KEY_SET_CACHE_MINUTES} minutes: ${why} ` +
      `Wait until the key set is ${2 * KEY_SET_CACHE_MINUTES} minutes old, or re-run with --yes if ${yesIf} at least ${2 * KEY_SET_CACHE_MINUTES} minutes ago.`,
  );
}

export function registerKeysCommands(program: Command, io: CliIo): void {
  const keys = program
    .command('keys')
    .description('the session key set: list, add, promote (make current), retire. Rotation: add, wait 10 minutes, promote, later retire the old key');

  withKeysOptions(keys.command('list').description('the key ids, and which key is current, for sealing and signing (never the keys)'))
    .action(async (options: KeysOptions) => {
      const listing = await withKeySet(options, async (target, { keys: set, changedAt }) => ({
        secretId: target.secretId,
        region: target.region,
        changedAt: changedAt?.toISOString(),
        sealing: { current: set.current.kid, keys: [...set.byKid.values()].map((k) => ({ kid: k.kid, alg: 'A256GCM', current: k.kid === set.current.kid })) },
        signing:
          set.signing === undefined
            ? null
            : { current: set.signing.current.kid, keys: [...set.signing.byKid.values()].map((k) => ({ kid: k.kid, alg: k.alg, current: k.kid === set.signing!.current.kid })) },
      }));
      if (options.json) return io.out(JSON.stringify(listing, null, 2));
      const changed = listing.changedAt === undefined ? '' : `, last changed ${formatTime(Date.parse(listing.changedAt) / 1000)} UTC`;
      io.out(`key set "${listing.secretId}" in ${listing.region}${changed}`);
      const rows = [...listing.sealing.keys.map((k) => ['sealing', k.kid, k.alg, k.current ? 'yes' : '']), ...(listing.signing?.keys ?? []).map((k) => ['signing', k.kid, k.alg, k.current ? 'yes' : ''])];
      io.out(renderTable(['USE', 'KID', 'ALG', 'CURRENT'], rows));
      if (listing.signing === null) io.out('no signing keys: the identity assertion cannot be signed (add one with `keys add --signing`)');
    });

  withKeysOptions(keys.command('add').description('add a fresh key, listed but not current (rotation step 1)'))
    .option('--kid <kid>', 'the new key id (default: k or s + the time in base 36)')
    .option('--signing', 'a signing key (identity assertion) instead of a sealing key (cookies)')
    .option('--alg <alg>', `with --signing: ${SIGNING_ALGS.join(' or ')}`, 'ES256')
    .action(async (options: KeysOptions & KindOption & { kid?: string; alg: string }) => {
      const kind = kindOf(options);
      if (!(SIGNING_ALGS as readonly string[]).includes(options.alg)) throw new CliError(`--alg: "${options.alg}" is not one of ${SIGNING_ALGS.join(', ')}`);
      if (!options.signing && options.alg !== 'ES256') throw new CliError('--alg is for signing keys: add --signing');
      const kid = options.kid ?? `${kind === 'signing' ? 's' : 'k'}${Date.now().toString(36)}`;
      const result = await withKeySet(options, async (target, current) => {
        if (kidsOf(current.keys, kind).includes(kid)) throw new CliError(`there is already a ${kind} key "${kid}" in secret "${target.secretId}"`);
        const next =
          kind === 'signing'
            ? rotateSigningKeySecret(current.text, kid, { alg: options.alg as SigningAlg, makeCurrent: false })
            : rotateKeySetSecret(current.text, randomBytes, kid, { makeCurrent: false });
        await write(target, next);
        return { secretId: target.secretId, region: target.region, current: currentOf(parseKeySet(next), kind) === kid, stillCurrent: currentOf(current.keys, kind) };
      });
      if (options.json) return io.out(JSON.stringify({ action: 'added', kind, kid, current: result.current, secretId: result.secretId, region: result.region }));
      if (result.current) {
        // Only when the key set had no signing keys: the first one is current at once.
        return io.out(`added ${kind} key "${kid}" to "${result.secretId}" (${result.region}); it is current: the key set had no ${kind} keys`);
      }
      const flag = kind === 'signing' ? ' --signing' : '';
      io.out(`added ${kind} key "${kid}" to "${result.secretId}" (${result.region}), not current: "${result.stillCurrent}" still ${kind === 'signing' ? 'signs' : 'seals'}.`);
      io.out(`Containers cache the key set for ${KEY_SET_CACHE_MINUTES} minutes. In ${2 * KEY_SET_CACHE_MINUTES} minutes or more: edge-oauth keys promote ${kid}${flag}`);
    });

  withKeysOptions(keys.command('promote').argument('<kid>', 'a listed key').description('make a listed key current (rotation step 2, at least 10 minutes after adding it)'))
    .option('--signing', 'a signing key (identity assertion) instead of a sealing key (cookies)')
    .option('--yes', 'go ahead even if the key set changed less than 10 minutes ago (you know the key was added long enough ago)')
    .action(async (kid: string, options: KeysOptions & KindOption & { yes?: boolean }) => {
      const kind = kindOf(options);
      const result = await withKeySet(options, async (target, current) => {
        mustHave(target, current.keys, kind, kid);
        const previous = currentOf(current.keys, kind);
        if (previous === kid) return { secretId: target.secretId, changed: false, previous };
        requireSettled(
          current,
          options.yes,
          `a container that does not know "${kid}" yet refuses what it ${kind === 'signing' ? 'signs (verifiers may not have it in their JWKS)' : 'seals (those users are sent to sign in again)'}.`,
          `"${kid}" was added`,
        );
        const next = kind === 'signing' ? rotateSigningKeySecret(current.text, kid) : promoteSealingKeySecret(current.text, kid);
        await write(target, next);
        return { secretId: target.secretId, changed: true, previous };
      });
      if (options.json) return io.out(JSON.stringify({ action: result.changed ? 'promoted' : 'unchanged', kind, kid, current: true, previous: result.previous }));
      if (!result.changed) return io.out(`"${kid}" is already the current ${kind} key; nothing changed`);
      const verb = kind === 'signing' ? 'signs identity assertions' : 'seals new cookies';
      io.out(`"${kid}" is now the current ${kind} key of "${result.secretId}": it ${verb} in every container within ${KEY_SET_CACHE_MINUTES} minutes.`);
      io.out(
        kind === 'signing'
          ? `"${result.previous}" stays in the JWKS until you retire it: wait at least assertion.ttl plus ${2 * KEY_SET_CACHE_MINUTES} minutes.`
          : `Cookies sealed with "${result.previous}" still open until you retire it (after session.maxDuration, or when its sessions may sign in again).`,
      );
    });

  withKeysOptions(keys.command('retire').argument('<kid>', 'a listed key that is not current').description('remove a key that is not current (rotation step 3)'))
    .option('--signing', 'a signing key (identity assertion) instead of a sealing key (cookies)')
    .option('--yes', 'go ahead even if the key set changed less than 10 minutes ago')
    .action(async (kid: string, options: KeysOptions & KindOption & { yes?: boolean }) => {
      const kind = kindOf(options);
      const result = await withKeySet(options, async (target, current) => {
        mustHave(target, current.keys, kind, kid);
        if (currentOf(current.keys, kind) === kid) {
          throw new CliError(`"${kid}" is the current ${kind} key: promote another key first (edge-oauth keys add${kind === 'signing' ? ' --signing' : ''}, then keys promote)`);
        }
        requireSettled(
          current,
          options.yes,
          `a container that has not re-read it may still ${kind === 'signing' ? 'sign' : 'seal'} with "${kid}" if it was current before that change.`,
          `"${kid}" stopped being current`,
        );
        const next = kind === 'signing' ? retireSigningKeySecret(current.text, kid) : retireSealingKeySecret(current.text, kid);
        await write(target, next);
        return { secretId: target.secretId };
      });
      io.err(
        kind === 'signing'
          ? `warning: identity assertions signed with "${kid}" no longer verify once verifiers refetch the JWKS.`
          : `warning: sessions whose cookie was sealed with "${kid}" must sign in again (their cookies, and the tokens stored under that key, no longer open).`,
      );
      if (options.json) return io.out(JSON.stringify({ action: 'retired', kind, kid }));
      io.out(`retired ${kind} key "${kid}" from "${result.secretId}"; every container drops it within ${KEY_SET_CACHE_MINUTES} minutes`);
    });
}
