/**
 * `npm run bench`: edge-oauth's viewer-request fast path side by side with cognito-at-edge,
 * the floor, the redirect and logout paths, the viewer bundle and its cold init, the cold
 * start at 128 MB's CPU share beside cognito-at-edge's (bench/cold-start.ts), the cost per
 * million requests (bench/cost.ts), and throughput through the local CloudFront emulator
 * with and without authentication.
 * Prints a table and writes bench/results.json. See docs/performance.md.
 *
 *   npm run bench                 everything (about 1-2 minutes on 2 cores)
 *   npm run bench -- --no-proxy   skip the emulator throughput (no DynamoDB Local)
 *   npm run bench -- --micro      only the in-process handlers, 3 cold starts (quick profiling loop)
 *   npm run bench -- --far-edge   only the far-edge runs; updates `farEdge` in bench/results.json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildViewerBundle, coldInit } from './bundle';
import { cognitoBench } from './cognito';
import { benchConfig, benchConfigWithRules, benchKeys, benchKeySetSecret, benchSession } from './fixtures';
import { interleave, type Timing } from './harness';
import { benchProxy, type ProxyResults } from './proxy';
import { viewerBenches } from './viewer';
import { farEdgeBench, type FarEdgeResults } from './far-edge';
import { coldStartBench, STUB_DELAY_MS, type ColdStartResults } from './cold-start';
import { costPerMillion } from './cost';

// Lambda runs Node 22; on this machine's Node 20 the AWS SDK's support notice is noise in the table.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const TARGETS = {
  ratioVsCognitoAtEdge: 8,
  fastPathMedianUs: 5,
  fastPathJsonLoggerMedianUs: 6,
  zippedBytes: 60 * 1024,
  /** The whole init, top-level await included (issue "The cold edge": ≤ 150 ms at full CPU; the earlier ≤ 50 ms was for a bare `require`, before the init took over the first request's work). */
  coldInitMs: 150,
  coldStartInitMs: 150,
  coldStartFirstRequestMs: 50,
  proxyAuthCost: 0.2,
  farEdgeP99Ratio: 0.2,
};
/** The site the cost table is for (N users, M requests a day), and a denser one. */
const COST_SITES = [
  { users: 1000, requestsPerDay: 1_000_000 },
  { users: 100, requestsPerDay: 1_000_000 },
] as const;
/** A request whose checks went to DynamoDB: one round trip in the region (DynamoDB states single-digit milliseconds; an assumption, not measured here). */
const CHECKED_REQUEST_BILLED_MS = 11;
const RESULTS_FILE = path.join(__dirname, 'results.json');

/** The far-edge target: with a replica, p99 at most a fifth of without. */
const farEdgeTarget = (f: FarEdgeResults) => ({ target: `withReplica.p99Ms <= ${TARGETS.farEdgeP99Ratio} × withoutReplica.p99Ms`, met: f.withReplica.p99Ms <= TARGETS.farEdgeP99Ratio * f.withoutReplica.p99Ms });

function printFarEdge(f: FarEdgeResults): string {
  return (
    `far edge (${f.requests} requests at 1/s, simulated clock; ${f.rttMs} ms round trip to the primary, ${f.replicaRttMs} ms to a replica): ` +
    `without replica p50 ${f.withoutReplica.p50Ms} ms, p99 ${f.withoutReplica.p99Ms} ms; with replica p50 ${f.withReplica.p50Ms} ms, p99 ${f.withReplica.p99Ms} ms ` +
    `[target p99 ≤ 1/5: ${farEdgeTarget(f).met ? 'met' : 'NOT met'}]`
  );
}

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  if (args.has('--far-edge')) {
    const f = await farEdgeBench(benchConfig(), benchKeys());
    const previous = JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Record<string, any>;
    previous.farEdge = f;
    previous.targets = { ...previous.targets, farEdgeP99: farEdgeTarget(f) };
    writeFileSync(RESULTS_FILE, `${JSON.stringify(previous, null, 2)}\n`);
    process.stdout.write(`${printFarEdge(f)}\n`);
    return;
  }
  const started = performance.now();
  const loadStart = os.loadavg().map((n) => Math.round(n * 100) / 100);
  const log = (message: string) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${message}\n`);

  const config = benchConfig();
  const keySetSecret = benchKeySetSecret();
  const keys = benchKeys(keySetSecret);
  const nowMs = Date.now();
  const session = await benchSession(config, keys, Math.floor(nowMs / 1000));
  const others = await Promise.all(Array.from({ length: 4096 }, (_, i) => benchSession(config, keys, Math.floor(nowMs / 1000), `2482897${String(i).padStart(5, '0')}`)));

  log('in-process handlers: fast path (3 logger variants), cognito-at-edge, floor — interleaved');
  const viewer = await viewerBenches(config, benchConfigWithRules(), keySetSecret, session, others, nowMs);
  const cognito = await cognitoBench(Math.floor(nowMs / 1000));
  const inProcess = await interleave(
    [viewer.fastPath, viewer.fastPathFirstSight, viewer.fastPathNoopLogger, viewer.fastPathJsonLogger, cognito, viewer.floor, viewer.fastPathWithRules, viewer.fastPathLoggerDefault],
    { rounds: 10, msEach: 350, warmupMs: 400 },
  );
  const fastPath = timingAt(inProcess, 0, 'fastPath');
  const fastPathFirstSight = timingAt(inProcess, 1, 'fastPathFirstSight');
  const fastPathNoopLogger = timingAt(inProcess, 2, 'fastPathNoopLogger');
  const fastPathJsonLogger = timingAt(inProcess, 3, 'fastPathJsonLogger');
  const cognitoAtEdge = timingAt(inProcess, 4, 'cognitoAtEdge');
  const floor = timingAt(inProcess, 5, 'floor');
  const fastPathWithRules = timingAt(inProcess, 6, 'fastPathWithRules');
  const fastPathLoggerDefault = timingAt(inProcess, 7, 'fastPathLoggerDefault');
  const storeCallsWhileTimed = viewer.storeCalls();
  log('redirect and logout');
  const redirectAndLogout = await interleave([viewer.redirect, viewer.logout], { rounds: 6, msEach: 300, warmupMs: 300 });
  const redirect = timingAt(redirectAndLogout, 0, 'redirect');
  const logout = timingAt(redirectAndLogout, 1, 'logout');
  viewer.close();

  const micro = args.has('--micro');
  const coldRuns = micro ? 3 : 15;
  log(`viewer bundle (esbuild) and cold init (${coldRuns} fresh processes)`);
  const bundle = await buildViewerBundle();
  const cold = await coldInit(bundle.file, { runs: coldRuns, keySetSecret, stubDelayMs: STUB_DELAY_MS });
  const coldStartRuns = micro ? 3 : 10;
  log(`cold start: ${coldStartRuns} fresh processes each of edge-oauth and cognito-at-edge, first requests at 128 MB's CPU share`);
  const coldStart = await coldStartBench(config, keySetSecret, coldStartRuns, { log });
  log(`cost per million requests: ${COST_SITES.length} simulated sites`);
  const billedMs = Math.max(1, Math.ceil(fastPath.medianUs / 1000));
  const costs = [];
  for (const site of COST_SITES) costs.push(await costPerMillion(config, keys, { ...site, fastPathBilledMs: billedMs, checkedRequestBilledMs: CHECKED_REQUEST_BILLED_MS }));

  let farEdge: FarEdgeResults | undefined;
  if (!micro) {
    log(`far edge: ${600} simulated seconds through a latency proxy, without and with a replica`);
    farEdge = await farEdgeBench(config, keys);
  }

  let proxy: ProxyResults | undefined;
  if (!args.has('--no-proxy') && !micro) {
    log('local stack (DynamoDB Local, dev IdP, CloudFront emulator) and autocannon, 5 s each');
    proxy = await benchProxy({ secondsEach: 5, rounds: 5, connections: 10 });
  }

  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  const results = {
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      loadAverageAtStart: loadStart,
      loadAverageAtEnd: os.loadavg().map((n) => Math.round(n * 100) / 100),
    },
    fastPath: { ...fastPath, storeCallsWhileTimed },
    fastPathFirstSight,
    fastPathNoopLogger,
    fastPathJsonLogger,
    fastPathLoggerDefault,
    fastPathWithRules,
    cognitoAtEdge,
    /** edge-oauth fast path ops/s ÷ cognito-at-edge ops/s (same run, interleaved). */
    ratioVsCognitoAtEdge: ratio(fastPath.opsPerSec, cognitoAtEdge.opsPerSec),
    ratioVsCognitoAtEdgeByMedian: ratio(cognitoAtEdge.medianUs, fastPath.medianUs),
    ratioVsCognitoAtEdgeByCpu: ratio(fastPath.opsPerCpuSec, cognitoAtEdge.opsPerCpuSec),
    ratioVsCognitoAtEdgeWithJsonLogger: ratio(fastPathJsonLogger.opsPerSec, cognitoAtEdge.opsPerSec),
    ratioVsCognitoAtEdgeFirstSight: ratio(fastPathFirstSight.opsPerSec, cognitoAtEdge.opsPerSec),
    floor,
    redirect,
    logout,
    viewerBundle: bundle.results,
    coldInitMs: cold.medianMs,
    coldInit: cold,
    coldStart,
    costPerMillion: { ...costs[0]!, otherSites: costs.slice(1) },
    ...(proxy !== undefined && { proxy }),
    ...(farEdge !== undefined && { farEdge }),
    targets: {
      ratioVsCognitoAtEdge: { target: `>= ${TARGETS.ratioVsCognitoAtEdge}`, met: fastPath.opsPerSec / cognitoAtEdge.opsPerSec >= TARGETS.ratioVsCognitoAtEdge },
      fastPathMedianUs: { target: `<= ${TARGETS.fastPathMedianUs}`, met: fastPath.medianUs <= TARGETS.fastPathMedianUs },
      // The deployed logger: the default `log` setting (sample-plain-forwards, 1 %); `all` is printed beside it.
      fastPathJsonLoggerMedianUs: { target: `fastPathLoggerDefault.medianUs <= ${TARGETS.fastPathJsonLoggerMedianUs}`, met: fastPathLoggerDefault.medianUs <= TARGETS.fastPathJsonLoggerMedianUs },
      coldStartInitMs: { target: `<= ${TARGETS.coldStartInitMs}`, met: coldStart.initMs <= TARGETS.coldStartInitMs },
      coldStartFirstRequestMs: { target: `<= ${TARGETS.coldStartFirstRequestMs} at ${coldStart.cpuShare} CPU`, met: coldStart.cpuShare < 1 && coldStart.firstRequestMs <= TARGETS.coldStartFirstRequestMs },
      coldStartAheadOfPeer: { target: `firstRequestMs < ${coldStart.peer.name}'s`, met: coldStart.firstRequestMs < coldStart.peer.firstRequestMs },
      viewerBundleZippedBytes: { target: `<= ${TARGETS.zippedBytes}`, met: bundle.results.zippedBytes <= TARGETS.zippedBytes },
      coldInitMs: { target: `<= ${TARGETS.coldInitMs}`, met: cold.medianMs <= TARGETS.coldInitMs },
      ...(farEdge !== undefined && { farEdgeP99: farEdgeTarget(farEdge) }),
      ...(proxy !== undefined && {
        /** Everything authentication brings through the local stack, the demo origin's verification of the assertion included. */
        proxyAuthCost: { target: `<= ${TARGETS.proxyAuthCost}`, met: proxy.authCost <= TARGETS.proxyAuthCost },
        /** The viewer function alone (vs a pass-through that hands the origin the same identity headers and assertion). */
        proxyEdgeFunctionCost: { target: `<= ${TARGETS.proxyAuthCost}`, met: proxy.edgeFunctionCost <= TARGETS.proxyAuthCost },
      }),
    },
    durationSeconds: Math.round((performance.now() - started) / 100) / 10,
  };
  writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  printTable(results, { fastPath, fastPathFirstSight, fastPathNoopLogger, fastPathJsonLogger, fastPathLoggerDefault, fastPathWithRules, cognitoAtEdge, floor, redirect, logout });
  log(`done; wrote bench/results.json`);
}

/** The Timing that `interleave` returned at `index` (the bench called `name`); throws if it is missing. */
function timingAt(timings: readonly Timing[], index: number, name: string): Timing {
  const timing = timings[index];
  if (timing === undefined) throw new Error(`bench: no timing for ${name} (interleave returned ${timings.length}, expected one at index ${index})`);
  return timing;
}

function printTable(results: any, timings: Record<string, Timing>): void {
  const labels: Record<string, string> = {
    fastPath: 'edge-oauth fast path (no logger)',
    fastPathFirstSight: 'edge-oauth fast path, cookie first seen',
    fastPathNoopLogger: 'edge-oauth fast path, no-op logger',
    fastPathJsonLogger: 'edge-oauth fast path, JSON logger (all)',
    fastPathLoggerDefault: 'edge-oauth fast path, JSON logger (default: 1 % of plain forwards)',
    fastPathWithRules: 'edge-oauth fast path, with access rules',
    cognitoAtEdge: 'cognito-at-edge handle (signed in)',
    floor: 'floor: node:crypto open + JSON.parse',
    redirect: 'edge-oauth redirect (no cookie)',
    logout: 'edge-oauth /auth/logout',
  };
  const num = (n: number) => n.toLocaleString('en-US');
  const rows = Object.entries(timings).map(([k, t]) => [labels[k] ?? k, num(t.opsPerSec), num(t.opsPerCpuSec), t.medianUs.toFixed(2), t.p99Us.toFixed(2), t.meanUs.toFixed(2)]);
  const head = ['operation', 'ops/s', 'ops/CPU-s', 'median µs', 'p99 µs', 'mean µs'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line), ''];
  const m = results.machine;
  const yes = (b: boolean) => (b ? 'met' : 'NOT met');
  const t = results.targets;
  out.push(`ratio edge-oauth / cognito-at-edge: ${results.ratioVsCognitoAtEdge}× ops/s (${results.ratioVsCognitoAtEdgeByMedian}× by median, ${results.ratioVsCognitoAtEdgeByCpu}× per CPU-second; ${results.ratioVsCognitoAtEdgeWithJsonLogger}× with the JSON logger, ${results.ratioVsCognitoAtEdgeFirstSight}× on a cookie's first sight)  [target ≥ ${TARGETS.ratioVsCognitoAtEdge}×: ${yes(t.ratioVsCognitoAtEdge.met)}]`);
  out.push(`fast path median ${results.fastPath.medianUs} µs  [target ≤ ${TARGETS.fastPathMedianUs} µs: ${yes(t.fastPathMedianUs.met)}]; with the deployed logger (default log setting) ${results.fastPathLoggerDefault.medianUs} µs, mean ${results.fastPathLoggerDefault.meanUs} µs [target ≤ ${TARGETS.fastPathJsonLoggerMedianUs} µs: ${yes(t.fastPathJsonLoggerMedianUs.met)}]; writing every request (log.requests: all) ${results.fastPathJsonLogger.medianUs} µs; sessions-store calls while timed: ${results.fastPath.storeCallsWhileTimed}`);
  out.push(`viewer bundle: ${num(results.viewerBundle.minifiedBytes)} B minified, ${num(results.viewerBundle.zippedBytes)} B zipped  [target ≤ 60 KB zipped: ${yes(t.viewerBundleZippedBytes.met)}]`);
  out.push(...coldStartRows(results.coldStart, t), ...costRows(results.costPerMillion));
  out.push(`cold init (import() of the ES module in a fresh process, its top-level await included: key read and connections to stubs answering after ${STUB_DELAY_MS} ms; median of ${results.coldInit.runsMs.length}): ${results.coldInitMs} ms  [target ≤ ${TARGETS.coldInitMs} ms: ${yes(t.coldInitMs.met)}]; the SDK's Secrets Manager client, which the viewer no longer loads, would add ${results.coldInit.sdkFirstUseMedianMs} ms`);
  if (results.proxy !== undefined) {
    const p = results.proxy;
    const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
    out.push(`proxy (CloudFront emulator, ${p.connections} connections, ${p.durationSecondsEach} s each, ${p.errors} errors):`);
    out.push(`  auth ${num(p.authRps)} req/s, plain ${num(p.plainRps)} req/s, plain + identity headers and assertion ${num(p.plainWithIdentityRps)} req/s`);
    out.push(`  CPU µs per request (whole process): auth ${p.cpuUsPerRequest.auth}, plain ${p.cpuUsPerRequest.plain}, plain + identity ${p.cpuUsPerRequest.plainWithIdentity}`);
    out.push(`  throughput lost to authentication: ${pct(p.authCost)} end to end [target ≤ 20 %: ${yes(t.proxyAuthCost.met)}]; to the viewer function alone: ${pct(p.edgeFunctionCost)} [${yes(t.proxyEdgeFunctionCost.met)}]`);
    out.push(`  median over ${p.rounds} rounds: ${pct(p.medianRoundAuthCost)} end to end, ${pct(p.medianRoundEdgeFunctionCost)} the viewer function alone`);
  }
  if (results.farEdge !== undefined) out.push(printFarEdge(results.farEdge));
  out.push(`machine: ${m.cpus} × ${m.cpuModel}, Node ${m.node}; load average ${m.loadAverageAtStart.join(' ')} → ${m.loadAverageAtEnd.join(' ')}; ${results.durationSeconds} s`);
  process.stdout.write(`${out.join('\n')}\n`);
}

function coldStartRows(c: ColdStartResults, t: Record<string, { met: boolean }>): string[] {
  const yes = (b: boolean | undefined) => (b ? 'met' : 'NOT met');
  const share = c.cpuShare < 1 ? `${(c.cpuShare * 100).toFixed(1)} % of a CPU (cgroup ${c.cgroup.split(' ')[0]})` : 'FULL CPU (no cgroup could be written: throttled part skipped)';
  const row = (name: string, s: { initMs: number; firstRequestMs: number; firstRequestP99Ms: number; firstRequestCpuMs: number; initAndFirstRequestMs: number; nextRequestsMs: number }) =>
    `  ${name.padEnd(16)} init ${String(s.initMs).padStart(8)} ms   first request ${String(s.firstRequestMs).padStart(8)} ms (p99 ${s.firstRequestP99Ms} ms, ${s.firstRequestCpuMs} ms of CPU)   init + first request ${s.initAndFirstRequestMs} ms   next requests ${s.nextRequestsMs} ms`;
  return [
    `cold start (${c.runs.length} fresh processes each, interleaved; init at full CPU, requests at ${share}; AWS stubs answer after ${c.stubDelayMs} ms):`,
    row('edge-oauth', c),
    row(c.peer.name, c.peer),
    `  [init ≤ 150 ms: ${yes(t.coldStartInitMs?.met)}; first request ≤ 50 ms: ${yes(t.coldStartFirstRequestMs?.met)}; ahead of ${c.peer.name}: ${yes(t.coldStartAheadOfPeer?.met)}]`,
  ];
}

function costRows(cost: Awaited<ReturnType<typeof costPerMillion>> & { otherSites: Array<Awaited<ReturnType<typeof costPerMillion>>> }): string[] {
  const out = ['cost per million viewer requests (USD, us-east-1 prices; log.requests: all / except-plain-forwards / sample-plain-forwards):'];
  for (const c of [cost, ...cost.otherSites]) {
    const p = c.perRequest;
    out.push(
      `  ${c.site.users.toLocaleString('en-US')} users, ${c.site.requestsPerDay.toLocaleString('en-US')} requests/day: Lambda@Edge ${c.usd.lambda} + DynamoDB ${c.usd.dynamodb} (${p.dynamodbRru.toFixed(3)} RRU, ${p.dynamodbWru.toFixed(3)} WRU per request) + logs ${c.usd.logs.all} / ${c.usd.logs.exceptPlainForwards} / ${c.usd.logs.samplePlainForwards}` +
        ` = ${c.usd.total.all} / ${c.usd.total.exceptPlainForwards} / ${c.usd.total.samplePlainForwards}`,
    );
  }
  out.push(`  ${cost.peer.name}: Lambda@Edge ${cost.peer.usd.lambda} + platform log lines ${cost.peer.usd.logs} = ${cost.peer.usd.total} (+ Cognito's per-MAU price)`);
  return out;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
