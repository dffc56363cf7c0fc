/**
 * `edge-oauth keys list|add|promote|retire`: the session key set in Secrets Manager
 * (`aws.sessionKeysSecretId`; format in lambdas/core/keys/key-set.ts), rotated in the three safe
 * steps of SECURITY.md: add a key (listed, so every container opens its cookies, but not
 * current), make it current once every container knows it, retire the old one once its
 * sessions may end. `--signing` does the same for the identity-assertion signing keys.
 *
 * Containers cache the key set for 5 minutes (lambdas/store/aws/secrets.ts), so a key should be
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
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Command } from 'commander';
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
import { clientOptions, DEFAULT_CONFIG_FILE, resolveAwsTarget } from './aws-target';
import { CliError, formatTime, renderTable, type CliIo } from './store-options';

/** How long a container keeps the key set before re-reading it (lambdas/store/aws/secrets.ts `cacheTtlMs`). */
const KEY_SET_CACHE_MINUTES = KEY_SET_CACHE_SECONDS / 60;
/** Two cache lifetimes: after this long every container has re-read a change. */
const SETTLE_MINUTES = 2 * KEY_SET_CACHE_MINUTES;
const DEFAULT_SECRET_ID = 'edge-oauth/session-keys';
/** Secrets Manager calls: a command waits longer than a viewer request would. */
const SECRETS_TIMEOUTS = { connectionTimeout: 3000, requestTimeout: 10_000 };

interface KeysOptions {
  readonly region?: string;
  readonly secretsEndpoint?: string;
  readonly config?: string;
  readonly json?: boolean;
}
interface KindOptions extends KeysOptions {
  readonly signing?: boolean;
  readonly yes?: boolean;
}

type Kind = 'sealing' | 'signing';

/** Everything that differs between the two kinds of key: one code path per command, parameterised by this. */
interface KindOps {
  /** The flag that selects the kind on the command line ('' for sealing). */
  readonly flag: string;
  /** First letter of a generated kid. */
  readonly kidPrefix: string;
  /** What the current key does: "seal", "sign". */
  readonly verb: string;
  /** The current key and every listed one, or undefined when the key set has none of this kind. */
  listed(keys: KeySet): { current: string; keys: Array<{ kid: string; alg: string }> } | undefined;
  add(text: string, kid: string, alg: SigningAlg): string;
  promote(text: string, kid: string): string;
  retire(text: string, kid: string): string;
  readonly promoteRisk: string;
  readonly promoted: string;
  promotedNote(previous: string | undefined): string;
  retiredWarning(kid: string): string;
}

const KINDS: Record<Kind, KindOps> = {
  sealing: {
    flag: '',
    kidPrefix: 'k',
    verb: 'seal',
    listed: (keys) => ({ current: keys.current.kid, keys: [...keys.byKid.values()].map((k) => ({ kid: k.kid, alg: 'A256GCM' })) }),
    add: (text, kid) => rotateKeySetSecret(text, randomBytes, kid, { makeCurrent: false }),
    promote: promoteSealingKeySecret,
    retire: retireSealingKeySecret,
    promoteRisk: 'seals (those users are sent to sign in again)',
    promoted: 'seals new cookies',
    promotedNote: (previous) => `Cookies sealed with "${previous}" still open until you retire it (after session.maxDuration, or when its sessions may sign in again).`,
    retiredWarning: (kid) => `warning: sessions whose cookie was sealed with "${kid}" must sign in again (their cookies, and the tokens stored under that key, no longer open).`,
  },
  signing: {
    flag: ' --signing',
    kidPrefix: 's',
    verb: 'sign',
    listed: ({ signing }) => signing && { current: signing.current.kid, keys: [...signing.byKid.values()].map((k) => ({ kid: k.kid, alg: k.alg })) },
    add: (text, kid, alg) => rotateSigningKeySecret(text, kid, { alg, makeCurrent: false }),
    promote: (text, kid) => rotateSigningKeySecret(text, kid),
    retire: retireSigningKeySecret,
    promoteRisk: 'signs (verifiers may not have it in their JWKS)',
    promoted: 'signs identity assertions',
    promotedNote: (previous) => `"${previous}" stays in the JWKS until you retire it: wait at least assertion.ttl plus ${SETTLE_MINUTES} minutes.`,
    retiredWarning: (kid) => `warning: identity assertions signed with "${kid}" no longer verify once verifiers refetch the JWKS.`,
  },
};

const kindOf = (options: KindOptions): Kind => (options.signing ? 'signing' : 'sealing');
const kidsOf = (keys: KeySet, kind: Kind): string[] => KINDS[kind].listed(keys)?.keys.map((k) => k.kid) ?? [];
const currentOf = (keys: KeySet, kind: Kind): string | undefined => KINDS[kind].listed(keys)?.current;

function withKeysOptions(command: Command): Command {
  return command
    .option('--region <region>', "the key set's primary region: replicas follow it (default: the config's aws.region, else AWS_REGION, else us-east-1)")
    .option('--secrets-endpoint <url>', "Secrets Manager endpoint, e.g. the local stack's (http://127.0.0.1:PORT)")
    .option('--config <file>', `config file with aws.sessionKeysSecretId (default: ./${DEFAULT_CONFIG_FILE} if present, else ${DEFAULT_SECRET_ID})`)
    .option('--json', 'print JSON for scripts');
}
const SIGNING_OPTION = ['--signing', 'a signing key (identity assertion) instead of a sealing key (cookies)'] as const;

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
  const aws = resolveAwsTarget(options, options.secretsEndpoint);
  const secretId = aws.config?.aws.sessionKeysSecretId ?? DEFAULT_SECRET_ID;
  return { secretId, region: aws.region, where: aws.where, client: new SecretsManagerClient(clientOptions(aws, SECRETS_TIMEOUTS)) };
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

function mustHave(target: Target, keys: KeySet, kind: Kind, kid: string): void {
  const listed = kidsOf(keys, kind);
  if (listed.includes(kid)) return;
  throw new CliError(`no ${kind} key "${kid}" in secret "${target.secretId}" (${listed.length > 0 ? `${kind} keys: ${listed.join(', ')}` : `no ${kind} keys`})`);
}

/**
 * The rule behind `--yes`: a change that depends on every container having re-read the key set
 * goes ahead on its own only when the current value is at least two cache lifetimes old.
 */
function requireSettled(current: Current, yes: boolean | undefined, why: string, yesIf: string): void {
  const age = current.changedAt === undefined ? undefined : Date.now() - current.changedAt.getTime();
  if (yes || (age !== undefined && age >= SETTLE_MINUTES * 60_000)) return;
  const when = age === undefined ? 'Secrets Manager did not say when the key set last changed' : `the key set last changed ${Math.max(0, Math.floor(age / 60_000))} minute(s) ago`;
  throw new CliError(
    `${when}, and containers cache it for ${KEY_SET_CACHE_MINUTES} minutes: ${why} ` +
      `Wait until the key set is ${SETTLE_MINUTES} minutes old, or re-run with --yes if ${yesIf} at least ${SETTLE_MINUTES} minutes ago.`,
  );
}

export function registerKeysCommands(program: Command, io: CliIo): void {
  const keys = program
    .command('keys')
    .description('the session key set: list, add, promote (make current), retire. Rotation: add, wait 10 minutes, promote, later retire the old key');

  withKeysOptions(keys.command('list').description('the key ids, and which key is current, for sealing and signing (never the keys)'))
    .action(async (options: KeysOptions) => {
      const listing = await withKeySet(options, async (target, { keys: set, changedAt }) => {
        const of = (kind: Kind) => {
          const listed = KINDS[kind].listed(set);
          return listed && { current: listed.current, keys: listed.keys.map((k) => ({ ...k, current: k.kid === listed.current })) };
        };
        return { secretId: target.secretId, region: target.region, changedAt: changedAt?.toISOString(), sealing: of('sealing')!, signing: of('signing') ?? null };
      });
      if (options.json) return io.out(JSON.stringify(listing, null, 2));
      const changed = listing.changedAt === undefined ? '' : `, last changed ${formatTime(Date.parse(listing.changedAt) / 1000)} UTC`;
      io.out(`key set "${listing.secretId}" in ${listing.region}${changed}`);
      const rows = (['sealing', 'signing'] as const).flatMap((kind) => (listing[kind]?.keys ?? []).map((k) => [kind, k.kid, k.alg, k.current ? 'yes' : '']));
      io.out(renderTable(['USE', 'KID', 'ALG', 'CURRENT'], rows));
      if (listing.signing === null) io.out('no signing keys: the identity assertion cannot be signed (add one with `keys add --signing`)');
    });

  withKeysOptions(keys.command('add').description('add a fresh key, listed but not current (rotation step 1)'))
    .option('--kid <kid>', 'the new key id (default: k or s + the time in base 36)')
    .option(...SIGNING_OPTION)
    .option('--alg <alg>', `with --signing: ${SIGNING_ALGS.join(' or ')}`, 'ES256')
    .action(async (options: KindOptions & { kid?: string; alg: string }) => {
      const kind = kindOf(options);
      const ops = KINDS[kind];
      if (!(SIGNING_ALGS as readonly string[]).includes(options.alg)) throw new CliError(`--alg: "${options.alg}" is not one of ${SIGNING_ALGS.join(', ')}`);
      if (!options.signing && options.alg !== 'ES256') throw new CliError('--alg is for signing keys: add --signing');
      const kid = options.kid ?? `${ops.kidPrefix}${Date.now().toString(36)}`;
      const result = await withKeySet(options, async (target, current) => {
        if (kidsOf(current.keys, kind).includes(kid)) throw new CliError(`there is already a ${kind} key "${kid}" in secret "${target.secretId}"`);
        const next = ops.add(current.text, kid, options.alg as SigningAlg);
        await write(target, next);
        return { secretId: target.secretId, region: target.region, current: currentOf(parseKeySet(next), kind) === kid, stillCurrent: currentOf(current.keys, kind) };
      });
      if (options.json) return io.out(JSON.stringify({ action: 'added', kind, kid, current: result.current, secretId: result.secretId, region: result.region }));
      if (result.current) {
        // Only when the key set had no signing keys: the first one is current at once.
        return io.out(`added ${kind} key "${kid}" to "${result.secretId}" (${result.region}); it is current: the key set had no ${kind} keys`);
      }
      io.out(`added ${kind} key "${kid}" to "${result.secretId}" (${result.region}), not current: "${result.stillCurrent}" still ${ops.verb}s.`);
      io.out(`Containers cache the key set for ${KEY_SET_CACHE_MINUTES} minutes. In ${SETTLE_MINUTES} minutes or more: edge-oauth keys promote ${kid}${ops.flag}`);
    });

  withKeysOptions(keys.command('promote').argument('<kid>', 'a listed key').description('make a listed key current (rotation step 2, at least 10 minutes after adding it)'))
    .option(...SIGNING_OPTION)
    .option('--yes', 'go ahead even if the key set changed less than 10 minutes ago (you know the key was added long enough ago)')
    .action(async (kid: string, options: KindOptions) => {
      const kind = kindOf(options);
      const ops = KINDS[kind];
      const result = await withKeySet(options, async (target, current) => {
        mustHave(target, current.keys, kind, kid);
        const previous = currentOf(current.keys, kind);
        if (previous === kid) return { secretId: target.secretId, changed: false, previous };
        requireSettled(current, options.yes, `a container that does not know "${kid}" yet refuses what it ${ops.promoteRisk}.`, `"${kid}" was added`);
        await write(target, ops.promote(current.text, kid));
        return { secretId: target.secretId, changed: true, previous };
      });
      if (options.json) return io.out(JSON.stringify({ action: result.changed ? 'promoted' : 'unchanged', kind, kid, current: true, previous: result.previous }));
      if (!result.changed) return io.out(`"${kid}" is already the current ${kind} key; nothing changed`);
      io.out(`"${kid}" is now the current ${kind} key of "${result.secretId}": it ${ops.promoted} in every container within ${KEY_SET_CACHE_MINUTES} minutes.`);
      io.out(ops.promotedNote(result.previous));
    });

  withKeysOptions(keys.command('retire').argument('<kid>', 'a listed key that is not current').description('remove a key that is not current (rotation step 3)'))
    .option(...SIGNING_OPTION)
    .option('--yes', 'go ahead even if the key set changed less than 10 minutes ago')
    .action(async (kid: string, options: KindOptions) => {
      const kind = kindOf(options);
      const ops = KINDS[kind];
      const result = await withKeySet(options, async (target, current) => {
        mustHave(target, current.keys, kind, kid);
        if (currentOf(current.keys, kind) === kid) {
          throw new CliError(`"${kid}" is the current ${kind} key: promote another key first (edge-oauth keys add${ops.flag}, then keys promote)`);
        }
        requireSettled(current, options.yes, `a container that has not re-read it may still ${ops.verb} with "${kid}" if it was current before that change.`, `"${kid}" stopped being current`);
        await write(target, ops.retire(current.text, kid));
        return { secretId: target.secretId };
      });
      io.err(ops.retiredWarning(kid));
      if (options.json) return io.out(JSON.stringify({ action: 'retired', kind, kid }));
      io.out(`retired ${kind} key "${kid}" from "${result.secretId}"; every container drops it within ${KEY_SET_CACHE_MINUTES} minutes`);
    });
}
