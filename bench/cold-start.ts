/**
 * The cold start as Lambda runs it: init (loading the bundle, for our ES module its top-level
 * `await` included: lambdas/runtime/viewer-init.ts) at full CPU, then the first requests at
 * 128 MB's share of a vCPU (a cgroup with a CFS quota, bench/cpu-cgroup.ts).
 * Each run is a fresh `node` process: it imports the bundle (timed), says so on fd 3, is
 * moved into the cgroup, and on "go" handles three signed-in requests in turn (each timed
 * inside the child). The AWS endpoints answer from loopback stubs after a fixed delay
 * (bench/aws-stubs.ts), so the figures are our work plus that fixed wait, not a network's.
 * cognito-at-edge runs the same way (bench/cold-peer.ts; its first request fetches the JWKS).
 * Runs of the two alternate, so drift in the machine's load hits both alike.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import type { CloudFrontRequest } from 'aws-lambda';
import type { EdgeConfig } from '../lambdas/core/config/types';
import { authFingerprint } from '../lambdas/core/access/fingerprint';
import { toItem } from '../lambdas/store/dynamodb/sessions';
import { keys as tableKeys } from '../lambdas/store/dynamodb/tables';
import { startAwsStubs } from './aws-stubs';
import { buildViewerBundle, OUT_DIR } from './bundle';
import { COGNITO, cognitoTokens } from './cognito';
import { createCpuCgroup, type CpuCgroup } from './cpu-cgroup';
import { benchKeys, benchSession, eventFactory, OTHER_COOKIES } from './fixtures';
import { median } from './harness';

/** The stubs' fixed answer delay (a same-region round trip is a few ms; AWS publishes no figure). */
export const STUB_DELAY_MS = 5;
const REQUESTS_PER_RUN = 3;

export interface ColdSide {
  readonly name: string;
  /** Median ms to load the bundle in a fresh process (an ES module's top-level `await` included), at full CPU. */
  readonly initMs: number;
  /** Median ms of the first request (in the cgroup when there is one). */
  readonly firstRequestMs: number;
  /** The 99th percentile of the runs (with few runs: their maximum). */
  readonly firstRequestP99Ms: number;
  /** Median CPU ms (user + system, all threads) of the first request: its work, whatever else the machine runs. */
  readonly firstRequestCpuMs: number;
  /** Median over the runs of init + first request: the cold start as the first visitor waits for it (init at full CPU, the request at the share). */
  readonly initAndFirstRequestMs: number;
  /** Median ms of the second and third requests of a run. */
  readonly nextRequestsMs: number;
  readonly runs: ReadonlyArray<{ initMs: number; requestsMs: number[]; requestsCpuMs: number[] }>;
}

export interface ColdStartResults extends Omit<ColdSide, 'name'> {
  /** The CPU share of the first requests (quota ÷ period); 1 when no cgroup could be made. */
  readonly cpuShare: number;
  readonly cgroup: string;
  readonly stubDelayMs: number;
  readonly peer: ColdSide;
}

/**
 * The child is an ES module (`--input-type=module`), as Lambda imports an `.mjs` handler: no
 * CommonJS `require` in scope. It imports the bundle (the init, its top-level `await`
 * included, timed), then waits for "go"; cognito-at-edge's CommonJS bundle is loaded through
 * `createRequire`, as Lambda requires a `.js` handler. It listens on stdin before the import:
 * the stream's set-up is the harness's work, and was otherwise spent in the cgroup's first
 * period, out of the first request's quota (our child's CPU between init and its first
 * request, measured: ~1.0 ms with the listener made after the import, ~0.6 ms before it).
 */
const CHILD = `
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
const [bundle, eventsFile] = process.argv.slice(1);
const events = JSON.parse(fs.readFileSync(eventsFile, 'utf8'));
let m;
// Listening before the import: setting up stdin (Node's stream code) is the harness's cost,
// to land in neither the timed init nor the throttled period of the first request.
process.stdin.once('data', async function requests() {
  const requestsMs = [];
  const requestsCpuMs = [];
  const results = [];
  for (const event of events) {
    const c = process.cpuUsage();
    const s = process.hrtime.bigint();
    results.push(await m.handler(event));
    requestsMs.push(Number(process.hrtime.bigint() - s) / 1e6);
    const u = process.cpuUsage(c);
    requestsCpuMs.push((u.user + u.system) / 1000);
  }
  fs.writeSync(3, JSON.stringify({ requestsMs, requestsCpuMs, results }) + '\\n');
  process.exit(0);
});
const t0 = process.hrtime.bigint();
m = bundle.endsWith('.mjs') ? await import(pathToFileURL(bundle).href) : createRequire(bundle)(bundle);
const initMs = Number(process.hrtime.bigint() - t0) / 1e6;
fs.writeSync(3, JSON.stringify({ initMs }) + '\\n');
`;

interface ChildOut {
  initMs: number;
  requestsMs: number[];
  /** CPU time of the process (all threads) during each request: the work, whatever the machine's load. */
  requestsCpuMs: number[];
  results: unknown[];
}

function runChild(bundle: string, eventsFile: string, env: NodeJS.ProcessEnv, group: CpuCgroup | undefined): Promise<ChildOut> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, bundle, eventsFile], { cwd: OUT_DIR, env, stdio: ['pipe', 'ignore', 'inherit', 'pipe'] });
    let initMs = Number.NaN;
    let out: ChildOut | undefined;
    let buffered = '';
    child.stdio[3]!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const message = JSON.parse(buffered.slice(0, nl)) as Partial<ChildOut>;
        buffered = buffered.slice(nl + 1);
        if (message.initMs !== undefined) {
          initMs = message.initMs;
          group?.add(child.pid!);
          child.stdin!.write('go\n');
        } else out = { initMs, requestsMs: message.requestsMs!, requestsCpuMs: message.requestsCpuMs!, results: message.results! };
      }
    });
    child.on('error', reject);
    // Settled when the child has gone: the next run never overlaps its exit, and the cgroup is empty when removed.
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`cold-start child exited with ${code}`));
      else if (out === undefined) reject(new Error('cold-start child exited without its figures'));
      else resolve(out);
    });
  });
}

const r2 = (n: number) => Math.round(n * 100) / 100;
const p99 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(0.99 * values.length))]!;

function summary(name: string, runs: ChildOut[]): ColdSide {
  const first = runs.map((r) => r.requestsMs[0]!);
  return {
    name,
    initMs: r2(median(runs.map((r) => r.initMs))),
    firstRequestMs: r2(median(first)),
    firstRequestP99Ms: r2(p99(first)),
    firstRequestCpuMs: r2(median(runs.map((r) => r.requestsCpuMs[0]!))),
    initAndFirstRequestMs: r2(median(runs.map((r) => r.initMs + r.requestsMs[0]!))),
    nextRequestsMs: r2(median(runs.flatMap((r) => r.requestsMs.slice(1)))),
    runs: runs.map((r) => ({ initMs: r2(r.initMs), requestsMs: r.requestsMs.map(r2), requestsCpuMs: r.requestsCpuMs.map(r2) })),
  };
}

/** cognito-at-edge and its dependencies in one minified file, as our bundle is. */
async function buildPeerBundle(): Promise<string> {
  const file = path.join(OUT_DIR, 'cold-peer.js');
  await build({ entryPoints: [path.join(__dirname, 'cold-peer.ts')], bundle: true, minify: true, platform: 'node', target: 'node22', format: 'cjs', outfile: file, logLevel: 'silent' });
  return file;
}

function eventsFile(name: string, cookie: string): string {
  const make = eventFactory('/reports/2026?q=1', cookie);
  const file = path.join(OUT_DIR, `cold-events-${name}.json`);
  writeFileSync(file, JSON.stringify(Array.from({ length: REQUESTS_PER_RUN }, make)));
  return file;
}

/** Every request of every run was forwarded (with our identity headers): the signed-in path, not a redirect or an error page. */
function checkForwarded(side: string, out: ChildOut, email?: string): void {
  for (const result of out.results as Array<CloudFrontRequest & { status?: string }>) {
    if (result.status !== undefined || (email !== undefined && result.headers['edge-oauth-user-email']?.[0]?.value !== email)) {
      throw new Error(`cold start (${side}): a request was not forwarded signed in: ${JSON.stringify(result).slice(0, 300)}`);
    }
  }
}

/**
 * @param bundle our viewer bundle; @default - the deployed one (small AWS clients), built
 * with `config` baked in. Another bundle (e.g. with the SDK) measures an alternative.
 */
export async function coldStartBench(config: EdgeConfig, keySetSecret: string, runs: number, options: { bundle?: string; fullCpu?: boolean; log?: (m: string) => void } = {}): Promise<ColdStartResults> {
  const now = Math.floor(Date.now() / 1000);
  const session = await benchSession(config, benchKeys(keySetSecret), now);
  const c = session.claims;
  // The session as its sign-in stored it, under this config, active a moment ago.
  const record = { sessionId: c.sid, provider: c.prv, userId: c.uid, email: c.email!, name: c.name!, createdAt: c.iat, expiresAt: c.exp ?? c.iat + 7 * 86400, lastSeenAt: now, authFingerprint: authFingerprint(config) };
  const peerTokens = await cognitoTokens(now);
  const stubs = await startAwsStubs({
    delayMs: STUB_DELAY_MS,
    secrets: { [config.aws.sessionKeysSecretId]: keySetSecret },
    items: { [tableKeys.session(c.sid)]: toItem(record) },
    documents: { [`/${COGNITO.userPoolId}/.well-known/jwks.json`]: { keys: [peerTokens.jwk] } },
  });
  const ours = options.bundle ?? (await buildViewerBundle(config, 'viewer-cold')).file;
  const peer = await buildPeerBundle();
  const oursEvents = eventsFile('ours', `${OTHER_COOKIES}; ${session.cookiePair}`);
  const peerEvents = eventsFile('peer', peerTokens.cookie);
  const made = options.fullCpu ? { unavailable: 'asked for full CPU' } : createCpuCgroup(`edge-oauth-bench-${process.pid}`);
  const group = 'unavailable' in made ? undefined : made;
  if (group === undefined) options.log?.(`cold start: ${(made as { unavailable: string }).unavailable}; the first requests run at full CPU`);
  const env = {
    PATH: process.env.PATH,
    AWS_REGION: config.aws.region,
    AWS_ACCESS_KEY_ID: 'AKIDBENCHEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'bench-secret-access-key',
    AWS_SESSION_TOKEN: 'bench-session-token',
    AWS_ENDPOINT_URL_DYNAMODB: stubs.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: stubs.endpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    BENCH_JWKS_ORIGIN: stubs.endpoint,
  };
  const oursRuns: ChildOut[] = [];
  const peerRuns: ChildOut[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const runOurs = async () => oursRuns.push(await runChild(ours, oursEvents, env, group));
      const runPeer = async () => peerRuns.push(await runChild(peer, peerEvents, env, group));
      if (i % 2 === 0) await runOurs().then(runPeer);
      else await runPeer().then(runOurs);
    }
  } finally {
    await stubs.close();
    group?.remove();
  }
  for (const out of oursRuns) checkForwarded('edge-oauth', out, c.email);
  for (const out of peerRuns) checkForwarded('cognito-at-edge', out);
  if ((stubs.calls.get('secretsmanager.GetSecretValue') ?? 0) < runs) throw new Error('cold start: the key set was not read from the stub in every run');
  const { name: _name, ...mine } = summary('edge-oauth', oursRuns);
  return { cpuShare: group?.share ?? 1, cgroup: group !== undefined ? `${group.version} ${group.path}` : 'none', stubDelayMs: STUB_DELAY_MS, ...mine, peer: summary('cognito-at-edge', peerRuns) };
}
