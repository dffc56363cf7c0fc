/**
 * The KeySetGenerator custom resource's handler (runs at deploy time, in the secret's
 * region): makes sure the session key set secret holds a key set the functions accept, with
 * signing keys for the identity assertion.
 *
 * Why a custom resource: the key set is JSON with nested lists (sealing keys, and private
 * JWKs for signing: lambdas/core/keys/key-set.ts), which Secrets Manager's generator
 * (`GenerateSecretString`: one random string at a top-level key) cannot make. So the Secret
 * resource is created with a placeholder, and on Create and every Update (the resource's
 * `CodeHash` property changes whenever this code does, so an upgrade runs it) this handler:
 * - writes a fresh key set (`generateKeySetSecret`) when the value is not a key set (the
 *   placeholder, or anything else that does not parse);
 * - adds signing keys (`withSigningKeys`) to a key set written before they existed, leaving
 *   its sealing keys as they are (no session is lost);
 * - leaves a complete key set alone (the first one written here, or one the operator rotated
 *   with the CLI): a deploy never rotates or clobbers keys;
 * - refuses (fails the deploy, changing nothing) when the sealing keys are valid but the
 *   signing keys are not: overwriting would throw away working sealing keys.
 * Validation is `parseKeySet` itself, the parser the functions use: there is no second copy.
 * Key material never leaves this function: it is not returned to CloudFormation and not logged.
 *
 * Bundled at synth with esbuild (./code.ts) into the code directory of a
 * `CustomResourceProvider`, which answers CloudFormation; the Lambda runtime provides the
 * AWS SDK v3 (kept external).
 */
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { randomBytes } from 'node:crypto';
import { KeySetError } from '../../lambdas/core/errors';
import { generateKeySetSecret, parseKeySet, withSigningKeys } from '../../lambdas/core/keys/key-set';

/** What a Create/Update did to the secret. */
export type KeySetAction = 'generated' | 'signing-keys-added' | 'unchanged';

export type KeySetChange = { readonly action: 'unchanged' } | { readonly action: 'generated' | 'signing-keys-added'; readonly value: string };

export interface SecretAccess {
  /** The current value, or undefined when the secret has none. */
  get(secretId: string): Promise<string | undefined>;
  put(secretId: string, value: string): Promise<void>;
}

export interface KeySetEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: { readonly SecretId: string; readonly CodeHash?: string };
}

export interface KeySetResponse {
  readonly PhysicalResourceId?: string;
  readonly Data?: { readonly Action: KeySetAction };
}

/** True when the value's sealing keys (everything but `signing`) form a valid key set. */
function sealingKeysValid(secretString: string): boolean {
  try {
    const doc = JSON.parse(secretString) as unknown;
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return false;
    const sealing: Record<string, unknown> = { ...doc };
    delete sealing.signing;
    parseKeySet(JSON.stringify(sealing));
    return true;
  } catch {
    return false;
  }
}

/**
 * What the secret should hold, given its current value (undefined: no value). Pure apart
 * from key generation. Throws a KeySetError (naming the problem, never a key) when the
 * sealing keys are valid but the signing keys are not.
 */
export function nextKeySetSecret(current: string | undefined, random: (n: number) => Uint8Array = randomBytes): KeySetChange {
  if (current !== undefined) {
    let hasSigningKeys: boolean | undefined;
    try {
      hasSigningKeys = parseKeySet(current).signing !== undefined;
    } catch (error) {
      if (sealingKeysValid(current)) {
        const problem = error instanceof KeySetError ? error.message : 'session key set: signing keys are invalid';
        throw new KeySetError(
          `${problem}. The sealing keys are valid, so the deploy does not overwrite the secret: fix "signing", ` +
            'or remove it and deploy again to get fresh signing keys.',
        );
      }
    }
    if (hasSigningKeys === true) return { action: 'unchanged' };
    if (hasSigningKeys === false) return { action: 'signing-keys-added', value: withSigningKeys(current) };
  }
  return { action: 'generated', value: generateKeySetSecret(random) };
}

/** Reads the secret and writes what `nextKeySetSecret` says, if anything. */
export async function ensureKeySet(secretId: string, secrets: SecretAccess): Promise<{ action: KeySetAction }> {
  const change = nextKeySetSecret(await secrets.get(secretId));
  if (change.action !== 'unchanged') await secrets.put(secretId, change.value);
  return { action: change.action };
}

/** Secrets Manager through the SDK (region and credentials from the Lambda environment). */
export function secretsManager(client: SecretsManagerClient): SecretAccess {
  return {
    async get(secretId) {
      try {
        return (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
      } catch (error) {
        // A secret without a value yet: treat as "no key set".
        if ((error as { name?: string } | null)?.name === 'ResourceNotFoundException') return undefined;
        throw error;
      }
    },
    async put(secretId, value) {
      await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: value }));
    },
  };
}

export async function handler(event: KeySetEvent): Promise<KeySetResponse> {
  if (event.RequestType === 'Delete') {
    // The secret's own removal policy decides what happens to it.
    return { ...(event.PhysicalResourceId !== undefined && { PhysicalResourceId: event.PhysicalResourceId }) };
  }
  const secretId = event.ResourceProperties.SecretId;
  const client = new SecretsManagerClient({});
  try {
    const { action } = await ensureKeySet(secretId, secretsManager(client));
    // The action only: no value in the log or the response (CloudFormation keeps Data readable via GetAtt).
    console.log(JSON.stringify({ event: 'edge-oauth-key-set', requestType: event.RequestType, action }));
    return { PhysicalResourceId: secretId, Data: { Action: action } };
  } finally {
    client.destroy();
  }
}
