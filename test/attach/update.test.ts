/**
 * The read-plan-write loop (lib/attach/update.ts) with an in-memory DistributionApi that
 * behaves like CloudFront's optimistic locking: a stale ETag is refused, and we retry
 * from a fresh read, never overwriting the other writer's change.
 */
import { AttachConflictError, AttachRefusedError, StaleVersionError } from '../../lambdas/core/errors';
import { attachConfig } from '../../lib/attach/plan';
import { updateDistribution, type DistributionApi } from '../../lib/attach/update';
import { AUTH_OAC, CALLBACK_URL_HOST, EDGE_ARN, siteConfig } from './fixtures';

const targets = { viewerRequestVersionArn: EDGE_ARN, callbackDomainName: CALLBACK_URL_HOST, originAccessControlId: AUTH_OAC };
const noSleep = async () => {};

/** One distribution; `beforeWrite` runs as another writer just before each of our writes. */
function memoryApi(config: any, beforeWrite?: (n: number) => void) {
  const state = { config: structuredClone(config), etag: 'E0', writes: 0, tries: 0, version: 0 };
  const api: DistributionApi<any> = {
    async read() {
      return { etag: state.etag, config: structuredClone(state.config) };
    },
    async write(_id, etag, next) {
      beforeWrite?.(++state.tries);
      if (etag !== state.etag) throw new StaleVersionError();
      state.writes++;
      state.config = structuredClone(next);
      state.etag = `E${++state.version}`;
      return state.etag;
    },
  };
  const otherWriter = (edit: (c: any) => void) => {
    edit(state.config);
    state.etag = `E${++state.version}`;
  };
  return { api, state, otherWriter };
}

test('a concurrent change between our read and write: we read again, plan again, and keep their change', async () => {
  const mem: ReturnType<typeof memoryApi> = memoryApi(siteConfig(), (n) => {
    if (n === 1) mem.otherWriter((c) => (c.Comment = 'changed by Terraform'));
  });
  const retries: number[] = [];
  const result = await updateDistribution(mem.api, 'E1', (c) => attachConfig(c, targets), { sleep: noSleep, onRetry: (a) => retries.push(a) });
  expect(result).toMatchObject({ changed: true, applied: true, attempts: 2 });
  expect(retries).toEqual([1]);
  expect(mem.state.config.Comment).toBe('changed by Terraform');
  expect(mem.state.config).toEqual(attachConfig({ ...siteConfig(), Comment: 'changed by Terraform' }, targets));
});

test('a distribution that keeps changing: AttachConflictError after maxAttempts, nothing of ours written', async () => {
  const mem: ReturnType<typeof memoryApi> = memoryApi(siteConfig(), () => mem.otherWriter((c) => (c.Comment = `edit ${Math.random()}`)));
  const attempt = updateDistribution(mem.api, 'E1', (c) => attachConfig(c, targets), { sleep: noSleep, maxAttempts: 3 });
  await expect(attempt).rejects.toBeInstanceOf(AttachConflictError);
  await expect(attempt).rejects.toMatchObject({ code: 'ERR_ATTACH_CONFLICT' });
  expect(mem.state.writes).toBe(0);
  expect(JSON.stringify(mem.state.config)).not.toContain(EDGE_ARN);
});

test('dry run, no change, and a refusal write nothing', async () => {
  const mem = memoryApi(siteConfig());
  const dry = await updateDistribution(mem.api, 'E1', (c) => attachConfig(c, targets), { dryRun: true });
  expect(dry).toMatchObject({ changed: true, applied: false });
  expect(dry.after).toEqual(attachConfig(siteConfig(), targets));
  const same = await updateDistribution(mem.api, 'E1', (c) => c);
  expect(same).toMatchObject({ changed: false, applied: false });
  const bad = siteConfig();
  bad.CacheBehaviors.Items[0].PathPattern = '/auth/*';
  const refused = memoryApi(bad);
  await expect(updateDistribution(refused.api, 'E1', (c) => attachConfig(c, targets))).rejects.toBeInstanceOf(AttachRefusedError);
  expect(mem.state.writes + refused.state.writes).toBe(0);
});

test('an error other than a stale ETag is not retried', async () => {
  const mem = memoryApi(siteConfig());
  let writes = 0;
  mem.api.write = async () => {
    writes++;
    throw Object.assign(new Error('The function ARN must reference a specific function version.'), { name: 'InvalidLambdaFunctionAssociation' });
  };
  await expect(updateDistribution(mem.api, 'E1', (c) => attachConfig(c, targets), { sleep: noSleep })).rejects.toThrow(/specific function version/);
  expect(writes).toBe(1);
});
