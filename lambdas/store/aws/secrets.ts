/**
 * Secrets Manager reader: fetched at first use, cached per container, refreshed after
 * `cacheTtlMs` (a failed refresh keeps serving the last good value for `maxStaleMs`, so a
 * Secrets Manager blip does not sign everybody out). Values never reach logs or errors.
 *
 * Every read is bounded (SECRETS_MANAGER_TIMEOUTS): the viewer-request function has 5 s in
 * all, and a cold start that cannot read the key set must become a StoreError (edge-oauth's
 * own 503 page, lambdas/edge/handler.ts) with time to spare, not a Lambda timeout that
 * CloudFront answers with its own 503.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretRef } from '../../core/config/types';
import type { AwsCredentials } from './clients';
import { StoreError } from '../../core/errors';
import { KEY_SET_CACHE_SECONDS, parseKeySet, type KeySet } from '../../core/keys/key-set';

/** Bounds of one secret read. */
export interface SecretsManagerTimeouts {
  /** Milliseconds to open a connection (per attempt). */
  readonly connectionTimeout: number;
  /** Milliseconds for a whole request and its response, connection included (per attempt). */
  readonly requestTimeout: number;
  /** Attempts in all, the first included (the SDK's `maxAttempts`). */
  readonly maxAttempts: number;
  /** Milliseconds for the whole read, retries and backoff included (an `abortSignal`). */
  readonly deadlineMs: number;
}

/**
 * The bounds every deployed function uses. A GetSecretValue in the region takes tens of
 * milliseconds; the deadline leaves the viewer-request function 3 of its 5 s for the rest
 * (a due DynamoDB call ends within DYNAMODB_TIMEOUTS.deadlineMs, 2 s, lambdas/store/aws/clients.ts).
 * `requestTimeout` needs `throwOnRequestTimeout`: without it @smithy/node-http-handler
 * (4.14 here) only logs a warning (its HttpHandler options' documentation says so).
 */
export const SECRETS_MANAGER_TIMEOUTS: SecretsManagerTimeouts = { connectionTimeout: 800, requestTimeout: 900, maxAttempts: 2, deadlineMs: 2000 };

export interface SecretReaderOptions {
  readonly region: string;
  /** e.g. the local stack's endpoint. @default - the regional AWS endpoint */
  readonly endpoint?: string;
  /** A client of your own (its timeouts are yours; the deadline still applies). */
  readonly client?: SecretsManagerClient;
  /** @default SECRETS_MANAGER_TIMEOUTS */
  readonly timeouts?: SecretsManagerTimeouts;
  /** @default - the SDK's default provider chain */
  readonly credentials?: AwsCredentials;
  /** @default KEY_SET_CACHE_SECONDS × 1000 (5 minutes) */
  readonly cacheTtlMs?: number;
  /** @default 3_600_000 (1 hour) */
  readonly maxStaleMs?: number;
  readonly clock?: () => number;
}

interface Entry {
  value?: string;
  fetchedAt: number;
  inflight?: Promise<string>;
}

export type SecretReader = ((ref: SecretRef) => Promise<string>) & {
  /** The value now, without waiting, when the cache holds it fresh (a warm container's every request); otherwise undefined. */
  readonly fresh?: (ref: SecretRef) => string | undefined;
};

type SecretsSdk = { client: SecretsManagerClient; Command: typeof import('@aws-sdk/client-secrets-manager').GetSecretValueCommand };

/** The SDK and its client, loaded on first use, not at init: the viewer function's cold start stays small. */
function sdkLoader(options: SecretReaderOptions, timeouts: SecretsManagerTimeouts): () => Promise<SecretsSdk> {
  let sdk: Promise<SecretsSdk> | undefined;
  return () =>
    (sdk ??= import('@aws-sdk/client-secrets-manager').then((m) => ({
      client:
        options.client ??
        new m.SecretsManagerClient({
          region: options.region,
          ...(options.endpoint !== undefined && { endpoint: options.endpoint }),
          ...(options.credentials !== undefined && { credentials: options.credentials }),
          maxAttempts: timeouts.maxAttempts,
          requestHandler: { connectionTimeout: timeouts.connectionTimeout, requestTimeout: timeouts.requestTimeout, throwOnRequestTimeout: true },
        }),
      Command: m.GetSecretValueCommand,
    })));
}

/** One GetSecretValue within the deadline; any failure is a StoreError naming the secret, never its value. */
async function fetchSecret(load: () => Promise<SecretsSdk>, deadlineMs: number, secretId: string): Promise<string> {
  try {
    const { client, Command } = await load();
    const out = await client.send(new Command({ SecretId: secretId }), { abortSignal: AbortSignal.timeout(deadlineMs) });
    if (typeof out.SecretString !== 'string') throw new StoreError(`secret "${secretId}" has no string value`);
    return out.SecretString;
  } catch (error) {
    if (error instanceof StoreError) throw error;
    const name = (error as { name?: string }).name ?? 'Error';
    throw new StoreError(`cannot read secret "${secretId}" (${name})`, { cause: error });
  }
}

/** The `jsonKey` field of a JSON secret, or the whole value without one. */
function secretField(ref: SecretRef, value: string): string {
  if (ref.jsonKey === undefined) return value;
  let doc: unknown;
  try {
    doc = JSON.parse(value);
  } catch {
    throw new StoreError(`secret "${ref.secretId}" is not JSON, but a jsonKey was configured`);
  }
  const field = (doc as Record<string, unknown> | null)?.[ref.jsonKey];
  if (typeof field !== 'string') throw new StoreError(`secret "${ref.secretId}" has no string field "${ref.jsonKey}"`);
  return field;
}

/**
 * A cached read: fresh for `ttl`, one fetch in flight per secret, and after a failed refresh
 * the last good value for `maxStale`.
 */
function cachedReader(fetch: (secretId: string) => Promise<string>, clock: () => number, ttl: number, maxStale: number): { read: (secretId: string) => Promise<string>; fresh: (secretId: string) => string | undefined } {
  const cache = new Map<string, Entry>();
  const fresh = (secretId: string) => {
    const entry = cache.get(secretId);
    return entry?.value !== undefined && clock() - entry.fetchedAt < ttl ? entry.value : undefined;
  };
  const read = async (secretId: string) => {
    const now = clock();
    let entry = cache.get(secretId);
    if (entry?.value !== undefined && now - entry.fetchedAt < ttl) return entry.value;
    if (entry === undefined) {
      entry = { fetchedAt: 0 };
      cache.set(secretId, entry);
    }
    const current = entry;
    current.inflight ??= fetch(secretId)
      .then((value) => {
        current.value = value;
        current.fetchedAt = clock();
        return value;
      })
      .finally(() => {
        delete current.inflight;
      });
    try {
      return await current.inflight;
    } catch (error) {
      if (current.value !== undefined && now - current.fetchedAt < maxStale) return current.value;
      throw error;
    }
  };
  return { read, fresh };
}

export function createSecretReader(options: SecretReaderOptions): SecretReader {
  const timeouts = options.timeouts ?? SECRETS_MANAGER_TIMEOUTS;
  const load = sdkLoader(options, timeouts);
  const { read, fresh } = cachedReader(
    (secretId) => fetchSecret(load, timeouts.deadlineMs, secretId),
    options.clock ?? Date.now,
    options.cacheTtlMs ?? KEY_SET_CACHE_SECONDS * 1000,
    options.maxStaleMs ?? 3_600_000,
  );
  return Object.assign(async (ref: SecretRef) => secretField(ref, await read(ref.secretId)), {
    fresh: (ref: SecretRef) => {
      const value = fresh(ref.secretId);
      return value === undefined ? undefined : secretField(ref, value);
    },
  });
}

/** The session key set from its secret, re-parsed only when the secret's value changes. */
export function keySetLoader(readSecret: SecretReader, secretId: string): () => KeySet | Promise<KeySet> {
  let last: { text: string; keys: KeySet } | undefined;
  const ref = { secretId };
  const parsed = (text: string) => {
    if (last === undefined || last.text !== text) last = { text, keys: parseKeySet(text) };
    return last.keys;
  };
  // A warm container's request gets the key set at once (no promise to wait on: the viewer's fast path).
  return () => {
    const text = readSecret.fresh?.(ref);
    return text !== undefined ? parsed(text) : readSecret(ref).then(parsed);
  };
}
