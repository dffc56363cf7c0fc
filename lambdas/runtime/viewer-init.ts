/**
 * The viewer function's init. Lambda runs init at a full vCPU and each invoke at the memory's
 * share of one (128 MB: about 7 %; docs/performance.md#cold-start), and its Node.js runtime
 * waits for an ES module's top-level `await` before the first invoke (aws-lambda-nodejs-runtime-interface-client,
 * src/UserFunction.js `_tryAwaitImport`, src/index.mjs). So lambdas/edge/index.ts, bundled as
 * an ES module (lib/functions.ts), awaits `viewerAtInit`, which does at init, within
 * `VIEWER_INIT_BUDGET_MS`, what the first request would otherwise do at that share:
 * - reads the key set (`deps.keys()`, the cached read the handler uses);
 * - makes a key object for every sealing key (a cookie sealed and opened with each, through
 *   core/keys/seal.ts), so opening a real cookie finds its key ready;
 * - gets the stores of a signed-in request's checks ready (`prepareStores`: their modules, two
 *   connections, the request-signing key; nothing is sent to the stores);
 * - runs the warm-up request (warm-up.ts) with the real key set and the handler's own
 *   AssertionCache, so the current signing key (its key object made when the key set was
 *   parsed) has signed once.
 * Nothing here throws, and the wait is bounded: a key read that fails or is slower than the
 * budget leaves the first request to read it again (its own bounded read, edge-oauth's 503
 * page when that fails, lambdas/edge/handler.ts), as a CommonJS init did. Past the budget, the
 * priming still to do is dropped, not left to run beside the first request.
 */
import type { CloudFrontRequestEvent } from 'aws-lambda';
import type { KeySet } from '../core/keys/key-set';
import { open, seal } from '../core/keys/seal';
import type { requestEvent } from '../core/request-events';
import { AssertionCache } from '../core/viewer/assertion';
import { createViewerHandler, type ViewerDeps, type ViewerResult } from '../edge/handler';
import { SECRETS_MANAGER_TIMEOUTS } from '../store/aws/secrets';
import { warmUpViewer } from './warm-up';

/**
 * How long the init waits: half the deadline of one key-set read (SECRETS_MANAGER_TIMEOUTS.deadlineMs,
 * 2 s), well within the 10 s Lambda gives an init. A read answers in tens of milliseconds, so
 * it is done at init. One that is slower is still under way when the init ends: the first
 * request joins it (lambdas/store/aws/secrets.ts keeps one read in flight per secret) for the
 * rest of its deadline, so a hung Secrets Manager costs the first visitor the one read's 2 s,
 * not the init's wait and then a read of its own.
 */
export const VIEWER_INIT_BUDGET_MS = SECRETS_MANAGER_TIMEOUTS.deadlineMs / 2;

export interface ViewerInitDeps extends ViewerDeps {
  /** lambdas/store/stores.ts `prepare`: resolves when the stores and connections are ready; never rejects. */
  readonly prepareStores?: (connections: number) => Promise<void>;
}

export interface ViewerInitOptions {
  /** @default VIEWER_INIT_BUDGET_MS */
  readonly budgetMs?: number;
  /** The request-line builder the deployed logger uses (warmed by the warm-up; nothing is written). */
  readonly format?: (event: ReturnType<typeof requestEvent>) => string;
}

/** A signed-in first request makes two DynamoDB calls at once (session touch, user touch). */
const FIRST_REQUEST_CONNECTIONS = 2;

/** The handler, after the init's priming (at most `budgetMs`). Never rejects. */
export async function viewerAtInit(deps: ViewerInitDeps, options: ViewerInitOptions = {}): Promise<(event: CloudFrontRequestEvent) => Promise<ViewerResult>> {
  const assertions = new AssertionCache();
  const { prepareStores: _initOnly, ...viewerDeps } = deps;
  const handler = createViewerHandler({ ...viewerDeps, assertions });
  let live = true;
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, options.budgetMs ?? VIEWER_INIT_BUDGET_MS);
  });
  try {
    await Promise.race([prime(deps, assertions, options.format, () => live), budget]);
  } finally {
    live = false;
    clearTimeout(timer);
  }
  return handler;
}

async function prime(deps: ViewerInitDeps, assertions: AssertionCache, format: ViewerInitOptions['format'], live: () => boolean): Promise<void> {
  const onError = (where: string) => (error: unknown) => {
    if (live()) deps.log?.error(where, error);
  };
  try {
    const stores = Promise.resolve()
      .then(() => deps.prepareStores?.(FIRST_REQUEST_CONNECTIONS))
      .catch(onError('init-stores'));
    const keys = await readKeys(deps).catch(onError('init-keys'));
    if (!live()) return;
    if (keys !== undefined) await primeSealingKeys(keys).catch(onError('init-keys'));
    if (!live()) return;
    await warmUpViewer(deps.config, deps.providers, { assertions, ...(format !== undefined && { format }), ...(keys !== undefined && { keys }) }).catch(onError('warm-up'));
    await stores;
  } catch (error) {
    onError('init')(error);
  }
}

/** `deps.keys()`, a synchronous throw included, as a promise. */
async function readKeys(deps: ViewerInitDeps): Promise<KeySet> {
  return deps.keys();
}

/** A key object for every sealing key: core/keys/seal.ts keeps one per key set and protected header, made at the first open. */
async function primeSealingKeys(keys: KeySet): Promise<void> {
  for (const key of keys.byKid.values()) open(await seal({}, key), keys);
}
