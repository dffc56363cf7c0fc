/**
 * `edge-oauth users invite|disable|remove`: the people of a user pool the stack created (a
 * `cognito` provider with no client of its own, docs/providers/cognito.md).
 *
 * - invite <email> [--group G]: AdminCreateUser with the address as user name and
 *   `email_verified` true (the invitation goes to that address and its temporary password is
 *   needed for the first sign-in), and Cognito emails the invitation
 *   (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminCreateUser.html);
 *   then AdminAddUserToGroup for each group.
 * - disable <email>: AdminDisableUser ("Deactivates a user profile and revokes all access tokens
 *   for the user. A deactivated user can't sign in",
 *   https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminDisableUser.html);
 *   remove <email>: AdminDeleteUser. Both then revoke the user's edge-oauth sessions (the App
 *   User `<provider>:<sub>`, lambdas/core/session/revoke.ts), as `users revoke` does.
 * The pool is found from the provider's secret (`userPoolId`, written at deploy) and must carry
 * the `edge-oauth:provider` tag naming this provider: a pool of the operator's own is refused
 * with what to do instead. The Cognito SDK is used here only (never in a function bundle).
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Command } from 'commander';
import { MANAGED_COGNITO_KEYS, MANAGED_POOL_TAG, userPoolRegion } from '../lambdas/core/config/cognito';
import type { ProviderConfig } from '../lambdas/core/config/types';
import { revokeUserSessions } from '../lambdas/core/session/revoke';
import { clientOptions, resolveAwsTarget, type AwsTarget } from './aws-target';
import { printable } from './printable';
import { CliError, withStoreOptions, withStores, type CliIo, type StoreOptions } from './store-options';

const TIMEOUTS = { connectionTimeout: 3000, requestTimeout: 10000 };

interface PoolOptions extends StoreOptions {
  readonly provider?: string;
  readonly cognitoEndpoint?: string;
  readonly secretsEndpoint?: string;
}

interface Pool {
  readonly provider: ProviderConfig;
  readonly userPoolId: string;
  readonly client: CognitoIdentityProviderClient;
}

function withPoolOptions(command: Command): Command {
  return withStoreOptions(command)
    .option('--provider <id>', 'the cognito provider (default: the config\'s only one)')
    .option('--cognito-endpoint <url>', "Cognito user pools endpoint, e.g. the local stack's stand-in (http://localhost:PORT)")
    .option('--secrets-endpoint <url>', "Secrets Manager endpoint, e.g. the local stack's (http://127.0.0.1:PORT)");
}

function cognitoProvider(target: AwsTarget, wanted: string | undefined): ProviderConfig {
  if (target.config === undefined) throw new CliError('this command needs the config (--config <file>): it names the cognito provider whose user pool the stack created');
  const all = target.config.providers.filter((p) => p.type === 'cognito');
  const provider = wanted !== undefined ? all.find((p) => p.id === wanted) : all.length === 1 ? all[0] : undefined;
  if (provider === undefined) {
    if (all.length === 0) throw new CliError('the config has no "cognito" provider: add {"id": "team", "type": "cognito"} and deploy, and the stack creates a user pool to invite people to');
    throw new CliError(wanted !== undefined ? `no cognito provider "${printable(wanted)}"; the config has: ${all.map((p) => p.id).join(', ')}` : `the config has several cognito providers (${all.map((p) => p.id).join(', ')}): choose one with --provider`);
  }
  if (provider.cognito?.managed === undefined) {
    throw new CliError(
      `the user pool of provider "${provider.id}" (${provider.cognito?.userPoolId ?? '?'}) is not managed by this stack: it is your own pool (userPoolId, clientId, clientSecret in the config). ` +
        'Manage its people in Cognito itself (the console, or aws cognito-idp admin-create-user / admin-disable-user / admin-delete-user).',
    );
  }
  return provider;
}

/** SDK failures as messages that say what to check (Cognito's and Secrets Manager's messages carry no secret). */
function awsError(where: string, operation: string, error: unknown): CliError {
  const e = error as { name?: string; message?: string };
  return new CliError(`${operation} failed in ${where} (${e.name ?? 'Error'}: ${printable(e.message ?? '')}). Check the endpoint, the region and your AWS credentials.`);
}

async function openPool(options: PoolOptions): Promise<Pool> {
  const target = resolveAwsTarget(options, options.secretsEndpoint);
  const provider = cognitoProvider(target, options.provider);
  const secrets = new SecretsManagerClient(clientOptions(target, TIMEOUTS));
  let userPoolId: string | undefined;
  try {
    const out = await secrets.send(new GetSecretValueCommand({ SecretId: provider.clientSecret.secretId }));
    const parsed = JSON.parse(out.SecretString ?? 'null') as Record<string, unknown> | null;
    if (typeof parsed?.[MANAGED_COGNITO_KEYS.userPoolId] === 'string') userPoolId = parsed[MANAGED_COGNITO_KEYS.userPoolId] as string;
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') {
      throw new CliError(`secret "${provider.clientSecret.secretId}" not found in ${target.where}: deploy the stack first (cdk deploy), or check --region and --secrets-endpoint`);
    }
    if (!(error instanceof SyntaxError)) throw awsError(target.where, 'GetSecretValue', error);
  } finally {
    secrets.destroy();
  }
  if (userPoolId === undefined) throw new CliError(`secret "${provider.clientSecret.secretId}" holds no user pool yet: the deploy writes it; run cdk deploy again if it failed`);
  const cognitoTarget = resolveAwsTarget({ ...options, region: userPoolRegion(userPoolId) }, options.cognitoEndpoint);
  const client = new CognitoIdentityProviderClient(clientOptions(cognitoTarget, TIMEOUTS));
  let tags: Record<string, string> | undefined;
  try {
    tags = (await client.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }))).UserPool?.UserPoolTags;
  } catch (error) {
    client.destroy();
    if ((error as { name?: string }).name === 'ResourceNotFoundException') throw new CliError(`user pool ${userPoolId} (from secret "${provider.clientSecret.secretId}") does not exist in ${cognitoTarget.where}`);
    throw awsError(cognitoTarget.where, 'DescribeUserPool', error);
  }
  if (tags?.[MANAGED_POOL_TAG] !== provider.id) {
    client.destroy();
    throw new CliError(`user pool ${userPoolId} is not managed by this stack: it lacks the tag ${MANAGED_POOL_TAG}=${provider.id} that the stack puts on the pool it creates`);
  }
  return { provider, userPoolId, client };
}

async function withPool<T>(options: PoolOptions, body: (pool: Pool) => Promise<T>): Promise<T> {
  const pool = await openPool(options);
  try {
    return await body(pool);
  } catch (error) {
    if (error instanceof CliError) throw error;
    const name = (error as { name?: string }).name;
    if (name === 'UserNotFoundException') throw new CliError(`no such user in user pool ${pool.userPoolId}`);
    if (name === 'UsernameExistsException') throw new CliError(`that email is already in user pool ${pool.userPoolId} (disable or remove the user first to invite them again)`);
    throw awsError(pool.userPoolId, 'Cognito', error);
  } finally {
    pool.client.destroy();
  }
}

/** The user's `sub`: their App User id for this provider. */
async function subOf(pool: Pool, email: string): Promise<string> {
  const out = await pool.client.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: email }));
  const sub = out.UserAttributes?.find((a) => a.Name === 'sub')?.Value;
  if (sub === undefined) throw new CliError(`user pool ${pool.userPoolId} returned no sub for that user`);
  return sub;
}

/** Revokes the App User's sessions (as `users revoke`); the count, or undefined when they never signed in. */
async function revokeSessions(options: PoolOptions, providerId: string, sub: string): Promise<number | undefined> {
  return withStores(options, async (s) => {
    const user = await s.users.getUser(providerId, sub);
    return user === undefined ? undefined : (await revokeUserSessions(s.sessions, user, Math.floor(Date.now() / 1000))).length;
  });
}

export function registerPoolUserCommands(users: Command, io: CliIo): void {
  withPoolOptions(users.command('invite').argument('<email>', "the person's email address").description('invite someone to the user pool the stack created: Cognito emails them a temporary password'))
    .option('--group <group>', 'add them to this user pool group (repeatable)', (value: string, previous: string[] = []) => [...previous, value])
    .action(async (email: string, options: PoolOptions & { group?: string[] }) => {
      const done = await withPool(options, async (pool) => {
        await pool.client.send(new AdminCreateUserCommand({
          UserPoolId: pool.userPoolId,
          Username: email,
          UserAttributes: [{ Name: 'email', Value: email }, { Name: 'email_verified', Value: 'true' }],
          DesiredDeliveryMediums: ['EMAIL'],
        }));
        for (const group of options.group ?? []) {
          try {
            await pool.client.send(new AdminAddUserToGroupCommand({ UserPoolId: pool.userPoolId, Username: email, GroupName: group }));
          } catch (error) {
            if ((error as { name?: string }).name === 'ResourceNotFoundException') {
              throw new CliError(`${email} was invited, but group "${printable(group)}" does not exist in user pool ${pool.userPoolId}: name it in the config's allow rules (the stack creates those groups) and deploy, then run invite for the group again`);
            }
            throw error;
          }
        }
        return { provider: pool.provider.id, userPoolId: pool.userPoolId, groups: options.group ?? [] };
      });
      if (options.json) return io.out(JSON.stringify({ email, ...done }, null, 2));
      io.out(`invited ${printable(email)} to ${done.provider} (user pool ${done.userPoolId})${done.groups.length > 0 ? ` in ${done.groups.map(printable).join(', ')}` : ''}: Cognito emails them a temporary password`);
    });

  for (const [name, description] of [
    ['disable', 'disable someone in the user pool (they cannot sign in) and revoke their sessions'],
    ['remove', 'delete someone from the user pool and revoke their sessions'],
  ] as const) {
    withPoolOptions(users.command(name).argument('<email>', "the person's email address").description(description)).action(async (email: string, options: PoolOptions) => {
      const done = await withPool(options, async (pool) => {
        const sub = await subOf(pool, email);
        const command = name === 'disable' ? new AdminDisableUserCommand({ UserPoolId: pool.userPoolId, Username: email }) : new AdminDeleteUserCommand({ UserPoolId: pool.userPoolId, Username: email });
        await pool.client.send(command as AdminDisableUserCommand);
        return { provider: pool.provider.id, userPoolId: pool.userPoolId, sub };
      });
      const revoked = await revokeSessions(options, done.provider, done.sub);
      if (options.json) return io.out(JSON.stringify({ email, ...done, action: name, revokedSessions: revoked ?? 0 }, null, 2));
      const sessions = revoked === undefined ? 'they never signed in to the site' : `revoked ${revoked} active session(s); they stop working within the revocation check interval`;
      io.out(`${name === 'disable' ? 'disabled' : 'removed'} ${printable(email)} in user pool ${done.userPoolId} (${done.provider}:${done.sub}); ${sessions}`);
    });
  }
}
