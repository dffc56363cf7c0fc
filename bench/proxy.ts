/**
 * Requests per second through the local CloudFront emulator (loopback only, bounded in
 * time), with authentication — the local stack running the real viewer-request handler,
 * a signed-in session cookie — and without: a second emulator in front of the same demo
 * origin whose viewer-request function returns the request unchanged. Both get the very
 * same request (same headers and cookie), so the difference is the viewer function.
 *
 * The local stack's demo origin verifies the signed identity assertion on every request that
 * carries one (ES256 against the site's JWKS, as a real origin should), in the same process
 * and on the same 2 cores as the emulator. That is origin work, not the edge's: a third run
 * ("plain + identity") passes the request through unchanged but adds the identity headers and
 * assertion the edge produced, so the origin does the same work; auth vs that run is the cost
 * of the viewer function alone.
 * autocannon runs in a worker thread; the runs alternate, so drift in machine load hits all.
 */
import type { CloudFrontRequestEvent } from 'aws-lambda';
import autocannon from 'autocannon';
import { startCloudFront } from '../local/emulators/cloudfront/server';
import { startLocalStack } from '../local/stack/stack';
import { TestBrowser } from '../test/support/http-client';
import { median } from './harness';

export interface ProxyResults {
  authRps: number;
  plainRps: number;
  /** Pass-through viewer function adding the edge's identity headers and assertion (the origin verifies it). */
  plainWithIdentityRps: number;
  /** 1 - authRps / plainRps: everything authentication brings, including the origin verifying the assertion. */
  authCost: number;
  /** 1 - authRps / plainWithIdentityRps: the viewer function alone. */
  edgeFunctionCost: number;
  /** The same two costs per round (runs back to back), median over the rounds: steadier on a shared machine. */
  medianRoundAuthCost: number;
  medianRoundEdgeFunctionCost: number;
  rounds: number;
  authLatencyP50Ms: number;
  plainLatencyP50Ms: number;
  plainWithIdentityLatencyP50Ms: number;
  /**
   * CPU time of the whole process (emulator, origin, IdP, and autocannon's worker) per
   * request, µs: a load-independent view of the same three runs on a shared machine.
   */
  cpuUsPerRequest: { auth: number; plain: number; plainWithIdentity: number };
  connections: number;
  durationSecondsEach: number;
  errors: number;
}

async function load(url: string, headers: Record<string, string>, seconds: number, connections: number) {
  const cpu = process.cpuUsage();
  const result = await autocannon({ url, headers, duration: seconds, connections, workers: 1 });
  const used = process.cpuUsage(cpu);
  const bad = result.errors + result.timeouts + result.non2xx;
  return { requests: result.requests.total, seconds: result.duration, latencyP50: result.latency.p50, bad, cpuUs: used.user + used.system };
}

export async function benchProxy(options: { secondsEach: number; rounds: number; connections: number }): Promise<ProxyResults> {
  const stack = await startLocalStack({
    // Long check intervals: a signed-in request finds no check due once the container cache is warm.
    devConfig: { session: { revocationCheckInterval: '12h', authCheckInterval: '12h', maxDuration: '7d' } },
  });
  const plain = await startCloudFront({
    originUrl: stack.origin.url,
    viewerRequest: async (event: CloudFrontRequestEvent) => event.Records[0]!.cf.request,
    callback: async () => ({ statusCode: 404 }),
  });
  let identity: Array<[string, string]> = [];
  const plainWithIdentity = await startCloudFront({
    originUrl: stack.origin.url,
    viewerRequest: async (event: CloudFrontRequestEvent) => {
      const request = event.Records[0]!.cf.request;
      for (const [name, value] of identity) request.headers[name] = [{ key: name, value }];
      return request;
    },
    callback: async () => ({ statusCode: 404 }),
  });
  try {
    const site = new URL(stack.siteUrl);
    const browser = new TestBrowser();
    // A navigation, as a browser makes it (a fetch() without one is answered 401, not redirected).
    const start = await browser.request(`${stack.siteUrl}/`, { headers: { accept: 'text/html', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' } });
    // A page load gets the fragment page (lambdas/core/viewer/fragment-pages.ts: a 200 whose script
    // goes on to the provider URL in `data-u`), anything else a 302 to the same URL.
    const providerUrl = start.status === 302 ? start.location : /data-u="([^"]+)"/.exec(start.body)?.[1]?.replace(/&amp;/g, '&');
    if ((start.status !== 302 && start.status !== 200) || providerUrl === undefined) throw new Error(`proxy: expected the way to sign in, got ${start.status}`);
    const toCallback = await browser.signInAtIdp({ ...start, status: 302, location: providerUrl }, { email: 'ada@example.com', name: 'Ada Lovelace' }, site.host);
    if (toCallback.location === undefined || !toCallback.location.includes('/auth/callback?')) throw new Error('proxy: sign-in did not come back to the callback');
    await browser.request(toCallback.location);
    const cookie = browser.cookiesFor(new URL(`${stack.siteUrl}/`));
    if (!cookie.includes('edge-oauth=')) throw new Error('proxy: no session cookie after sign-in');

    const headers = { cookie: `_ga=GA1.1.1428796342.1752661811; theme=dark; ${cookie}`, accept: 'application/json', 'user-agent': 'autocannon (edge-oauth bench)' };
    const path = '/reports/2026?q=1';
    // The signed-in request really goes through with the identity (and the plain one without).
    const check = await fetch(`${stack.siteUrl}${path}`, { headers });
    const echo = (await check.json()) as { headers: Record<string, string>; assertion?: { valid: boolean } };
    if (check.status !== 200 || echo.headers['edge-oauth-user-email'] !== 'ada@example.com') throw new Error('proxy: the signed-in request was not forwarded with identity');
    identity = Object.entries(echo.headers).filter(([name]) => name.startsWith('edge-oauth-'));
    const plainCheck = await fetch(`${plain.url}${path}`, { headers });
    if (plainCheck.status !== 200) throw new Error(`proxy: pass-through answered ${plainCheck.status}`);
    const identityCheck = (await (await fetch(`${plainWithIdentity.url}${path}`, { headers })).json()) as typeof echo;
    if (echo.assertion !== undefined && identityCheck.assertion?.valid !== echo.assertion.valid) throw new Error('proxy: the replayed assertion does not verify like the original');

    const authUrl = `${stack.siteUrl}${path}`;
    const plainUrl = `${plain.url}${path}`;
    const identityUrl = `${plainWithIdentity.url}${path}`;
    const acc = () => ({ requests: 0, seconds: 0, p50: [] as number[], bad: 0, cpuUs: 0, rps: [] as number[] });
    const auth = acc();
    const pass = acc();
    const passIdentity = acc();
    const runs = [[plainUrl, pass], [authUrl, auth], [identityUrl, passIdentity]] as const;
    // Warm-up (JIT, keep-alive sockets, any due check), untimed.
    for (const [url] of runs) await load(url, headers, 1, options.connections);
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? runs : [...runs].reverse();
      for (const [url, acc] of order) {
        const r = await load(url, headers, options.secondsEach / options.rounds, options.connections);
        acc.requests += r.requests;
        acc.seconds += r.seconds;
        acc.p50.push(r.latencyP50);
        acc.bad += r.bad;
        acc.cpuUs += r.cpuUs;
        acc.rps.push(r.requests / r.seconds);
      }
    }
    // Per round (adjacent runs, so the same machine load), then the median over rounds.
    const roundCost = (a: number[], b: number[]) => median(a.map((x, i) => 1 - x / b[i]!));
    const authRps = Math.round(auth.requests / auth.seconds);
    const plainRps = Math.round(pass.requests / pass.seconds);
    const plainWithIdentityRps = Math.round(passIdentity.requests / passIdentity.seconds);
    const avg = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 100) / 100;
    return {
      authRps,
      plainRps,
      plainWithIdentityRps,
      authCost: Math.round((1 - authRps / plainRps) * 1000) / 1000,
      edgeFunctionCost: Math.round((1 - authRps / plainWithIdentityRps) * 1000) / 1000,
      medianRoundAuthCost: Math.round(roundCost(auth.rps, pass.rps) * 1000) / 1000,
      medianRoundEdgeFunctionCost: Math.round(roundCost(auth.rps, passIdentity.rps) * 1000) / 1000,
      rounds: options.rounds,
      authLatencyP50Ms: avg(auth.p50),
      plainLatencyP50Ms: avg(pass.p50),
      plainWithIdentityLatencyP50Ms: avg(passIdentity.p50),
      cpuUsPerRequest: {
        auth: Math.round(auth.cpuUs / auth.requests),
        plain: Math.round(pass.cpuUs / pass.requests),
        plainWithIdentity: Math.round(passIdentity.cpuUs / passIdentity.requests),
      },
      connections: options.connections,
      durationSecondsEach: options.secondsEach,
      errors: auth.bad + pass.bad + passIdentity.bad,
    };
  } finally {
    await plain.close();
    await plainWithIdentity.close();
    await stack.close();
  }
}
