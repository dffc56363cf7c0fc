/**
 * Read, plan, write: one change to a distribution with CloudFront's optimistic locking.
 * GetDistributionConfig gives the config and its ETag; UpdateDistribution takes the whole
 * new config with `If-Match: <ETag>` and answers 412 PreconditionFailed when someone else
 * changed the distribution in between (API reference, UpdateDistribution). Then we read
 * again and plan again from that fresh config: their change is kept, ours is re-applied;
 * we never send a config planned from an old read. After `maxAttempts` stale writes we stop
 * with AttachConflictError, having written nothing.
 *
 * No AWS SDK here (lib/attach/cloudfront.ts adapts @aws-sdk/client-cloudfront to
 * `DistributionApi`), so the loop is tested with an in-memory API too.
 */
import { AttachConflictError, StaleVersionError } from '../../lambdas/core/errors';
import { sameConfig } from './canonical';

export interface DistributionApi<C extends object = object> {
  read(id: string): Promise<{ etag: string; config: C }>;
  /** Writes the whole config; resolves to the new ETag; rejects with StaleVersionError on 412. */
  write(id: string, etag: string, config: C): Promise<string>;
}

export interface UpdateOptions<C extends object> {
  /** Plan only: read and compute, write nothing. */
  readonly dryRun?: boolean;
  /** Tries before giving up on a distribution that keeps changing. @default 5 */
  readonly maxAttempts?: number;
  /** Wait between tries (ms, attempt number from 1). @default 1 s, 2 s, 4 s, ... */
  readonly sleep?: (attempt: number) => Promise<void>;
  /** Told when a write was stale and the plan is redone from a fresh read. */
  readonly onRetry?: (attempt: number) => void;
  /** The before/after of each plan (for printing a diff). */
  readonly onPlan?: (before: C, after: C) => void;
}

export interface UpdateResult<C extends object> {
  readonly changed: boolean;
  readonly applied: boolean;
  readonly before: C;
  readonly after: C;
  /** The ETag after the write (or of the read, when nothing was written). */
  readonly etag: string;
  readonly attempts: number;
}

const defaultSleep = (attempt: number) => new Promise<void>((resolve) => setTimeout(resolve, 1000 * 2 ** (attempt - 1)));

/** Applies `plan` (pure: config in, config out; it may throw to refuse) to distribution `id`. */
export async function updateDistribution<C extends object>(
  api: DistributionApi<C>,
  id: string,
  plan: (config: C) => C,
  options: UpdateOptions<C> = {},
): Promise<UpdateResult<C>> {
  const maxAttempts = options.maxAttempts ?? 5;
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    const { etag, config } = await api.read(id);
    const after = plan(structuredClone(config));
    options.onPlan?.(config, after);
    const changed = !sameConfig(config, after);
    if (!changed || options.dryRun) return { changed, applied: false, before: config, after, etag, attempts: attempt };
    try {
      const newEtag = await api.write(id, etag, after);
      return { changed, applied: true, before: config, after, etag: newEtag, attempts: attempt };
    } catch (error) {
      if (!(error instanceof StaleVersionError)) throw error;
      if (attempt >= maxAttempts) {
        throw new AttachConflictError(
          `distribution ${id} changed between each of ${attempt} reads and writes (PreconditionFailed); nothing was written. ` +
            'Another tool is updating it: try again when it is done.',
          { cause: error },
        );
      }
      options.onRetry?.(attempt);
      await sleep(attempt);
    }
  }
}
