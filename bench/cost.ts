/**
 * Cost per million viewer requests, from measured figures and AWS's published prices.
 *
 * Measured here: the DynamoDB calls per request in steady state, and the bytes of the request
 * log per request in each `log.requests` mode, by running the deployed viewer handler over a
 * simulated quarter of an hour of a site (N users with a session each, M requests a day spread evenly over
 * them; one container; the session settings below; in-memory stores that count their calls).
 * Measured by the rest of the bench: the warm fast path (a few µs: billed as Lambda@Edge's
 * minimum, 1 ms).
 *
 * Prices: us-east-1, as published on the pages named in PRICES (docs/performance.md#cost).
 */
import { randomBytes } from 'node:crypto';
import type { CloudFrontRequestEvent } from 'aws-lambda';
import { authFingerprint } from '../lambdas/core/access/fingerprint';
import { parseConfig } from '../lambdas/core/config/parse';
import type { EdgeConfig } from '../lambdas/core/config/types';
import type { KeySet } from '../lambdas/core/keys/key-set';
import { createProviders } from '../lambdas/core/providers';
import { isPlainForward } from '../lambdas/core/request-log-policy';
import type { RequestEvent } from '../lambdas/core/request-events';
import type { MauStore, SessionStore, UserStore } from '../lambdas/core/stores';
import { createViewerHandler } from '../lambdas/edge/handler';
import { requestLine } from '../lambdas/runtime/console-logger';
import { MemorySessionStore } from '../lambdas/store/memory/sessions';
import { MemoryMauStore } from '../lambdas/store/memory/mau';
import { MemoryUserStore } from '../lambdas/store/memory/users';
import { benchSession, eventFactory, OTHER_COOKIES } from './fixtures';

export const PRICES = {
  /** https://aws.amazon.com/lambda/pricing/ (Lambda@Edge); billed per 1 ms since 2021-04-01: https://aws.amazon.com/about-aws/whats-new/2021/03/cloudfront-lambda-at-edge-billing-granularity/ */
  lambdaEdgePerMillionRequests: 0.6,
  lambdaEdgePerGbSecond: 0.00005001,
  /** https://aws.amazon.com/cloudwatch/pricing/ (Logs, standard ingestion) */
  logsPerGbIngested: 0.5,
  /** https://aws.amazon.com/dynamodb/pricing/on-demand/ (a consistent read ≤ 4 KB: 1 RRU; a write ≤ 1 KB: 1 WRU; transactional: 2 per item) */
  dynamodbPerMillionRru: 0.125,
  dynamodbPerMillionWru: 0.625,
} as const;

/** Lambda's own lines per invocation (START, END, REPORT), about this many bytes: every function pays them, ours and the peers'. */
export const PLATFORM_LOG_BYTES = 300;
const GB = 1e9;
/** The simulated stretch of the day (its requests spread evenly). */
const SIMULATED_SECONDS = 900;
const MEMORY_GB = 128 / 1024;

/** What each store call costs in request units (items under 1 KB; the MAU mark is a two-item transaction). */
const UNITS: Record<string, { rru: number; wru: number }> = {
  getSession: { rru: 1, wru: 0 },
  touchSession: { rru: 0, wru: 1 },
  revokeSession: { rru: 0, wru: 1 },
  touchUser: { rru: 0, wru: 1 },
  updateProfile: { rru: 0, wru: 1 },
  markActive: { rru: 0, wru: 4 },
  acquireRefreshLease: { rru: 0, wru: 1 },
  completeRefresh: { rru: 0, wru: 1 },
  setAuthFingerprint: { rru: 0, wru: 1 },
};

function counting<S extends object>(inner: S, calls: Map<string, number>): S {
  return new Proxy(inner, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(prop), (calls.get(String(prop)) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

export interface CostInputs {
  readonly users: number;
  readonly requestsPerDay: number;
  /** Billed ms of a request that made no network call (the warm fast path: µs, billed as 1 ms). */
  readonly fastPathBilledMs: number;
  /** Billed ms of a request whose checks went to DynamoDB (an assumption: one round trip in the region, ~10 ms). */
  readonly checkedRequestBilledMs: number;
}

const usd = (n: number) => Math.round(n * 10_000) / 10_000;

/** The settings of the simulated site: edge-oauth's defaults but for an 8-hour inactivity timeout and a 7-day maximum. */
function siteConfig(base: EdgeConfig): EdgeConfig {
  const parsed = parseConfig({ site: { domain: base.site.domain, name: 'Example App' }, providers: [{ id: 'corp', type: 'oidc', issuer: base.providers[0]!.issuer, clientId: 'edge-oauth-example', clientSecret: 'edge-oauth/corp-client-secret' }], session: { inactivityTimeout: '8h', maxDuration: '7d' },
    // Every line is kept, so that each `log.requests` mode's bytes can be computed from them (costPerMillion).
    log: { requests: 'all' },
  });
  if (!parsed.ok) throw new Error(`cost: ${JSON.stringify(parsed.problems)}`);
  return parsed.config;
}

export async function costPerMillion(base: EdgeConfig, keys: KeySet, inputs: CostInputs) {
  const config = siteConfig(base);
  const start = Math.floor(Date.now() / 1000);
  let now = start;
  const calls = new Map<string, number>();
  const sessions = counting(new MemorySessionStore(() => now), calls) as unknown as SessionStore;
  const users = counting(new MemoryUserStore(), calls) as unknown as UserStore;
  const mau = counting(new MemoryMauStore(), calls) as unknown as MauStore;
  const events: Array<() => CloudFrontRequestEvent> = [];
  for (let u = 0; u < inputs.users; u++) {
    const s = await benchSession(config, keys, start - 3600, String(100_000 + u));
    await (sessions as unknown as MemorySessionStore).createSession({ sessionId: s.claims.sid, provider: 'corp', userId: s.claims.uid, email: s.claims.email!, createdAt: start - 3600, expiresAt: start + 6 * 86400, lastSeenAt: start - 60, authFingerprint: authFingerprint(config) });
    events.push(eventFactory('/reports/2026?q=1', `${OTHER_COOKIES}; ${s.cookiePair}`));
  }
  calls.clear();
  const lines: RequestEvent[] = [];
  const providers = createProviders(config, { fetch: globalThis.fetch, now: () => now, readSecret: async () => 'unused' });
  const handler = createViewerHandler({ config, keys: async () => keys, providers, random: randomBytes, clock: () => now * 1000, sessions, users, mau, log: { request: (e) => void lines.push(e), error: () => undefined } });
  const requests = Math.round((inputs.requestsPerDay * SIMULATED_SECONDS) / 86400);
  for (let i = 0; i < requests; i++) {
    now = start + Math.floor((i * SIMULATED_SECONDS) / requests);
    await handler(events[i % inputs.users]!());
  }
  let rru = 0;
  let wru = 0;
  for (const [method, n] of calls) {
    rru += (UNITS[method]?.rru ?? 0) * n;
    wru += (UNITS[method]?.wru ?? 0) * n;
  }
  const plain = lines.filter((e) => isPlainForward({ ...e, ...(e.userId !== undefined && { session: e.userId }) }));
  const bytes = (list: RequestEvent[]) => list.reduce((sum, e) => sum + Buffer.byteLength(requestLine(e)), 0);
  const allBytes = bytes(lines);
  const plainBytes = bytes(plain);
  const checked = lines.length - plain.length;
  const perRequest = {
    dynamodbRru: rru / requests,
    dynamodbWru: wru / requests,
    checkedShare: checked / requests,
    logBytes: { all: allBytes / requests, exceptPlainForwards: (allBytes - plainBytes) / requests, samplePlainForwards: (allBytes - plainBytes * (1 - config.log.plainForwardSampleRate)) / requests },
    averageLineBytes: Math.round(allBytes / lines.length),
  };
  const million = 1e6;
  const billedMs = (1 - perRequest.checkedShare) * inputs.fastPathBilledMs + perRequest.checkedShare * inputs.checkedRequestBilledMs;
  const lambda = PRICES.lambdaEdgePerMillionRequests + ((million * billedMs) / 1000) * MEMORY_GB * PRICES.lambdaEdgePerGbSecond;
  const logsFor = (lineBytes: number) => (million * (lineBytes + PLATFORM_LOG_BYTES) * PRICES.logsPerGbIngested) / GB;
  const dynamodb = (perRequest.dynamodbRru * PRICES.dynamodbPerMillionRru + perRequest.dynamodbWru * PRICES.dynamodbPerMillionWru);
  const total = (lineBytes: number) => usd(lambda + logsFor(lineBytes) + dynamodb);
  const peerLambda = PRICES.lambdaEdgePerMillionRequests + ((million * inputs.fastPathBilledMs) / 1000) * MEMORY_GB * PRICES.lambdaEdgePerGbSecond;
  return {
    site: { users: inputs.users, requestsPerDay: inputs.requestsPerDay, simulatedSeconds: SIMULATED_SECONDS, containers: 1, session: { revocationCheckInterval: config.session.revocationCheckInterval, activityWriteInterval: config.session.activityWriteInterval, inactivityTimeout: config.session.inactivityTimeout } },
    prices: PRICES,
    perRequest: { ...perRequest, billedMs: Math.round(billedMs * 1000) / 1000, platformLogBytes: PLATFORM_LOG_BYTES, storeCalls: Object.fromEntries(calls) },
    usd: {
      lambda: usd(lambda),
      dynamodb: usd(dynamodb),
      logs: { all: usd(logsFor(perRequest.logBytes.all)), exceptPlainForwards: usd(logsFor(perRequest.logBytes.exceptPlainForwards)), samplePlainForwards: usd(logsFor(perRequest.logBytes.samplePlainForwards)) },
      total: { all: total(perRequest.logBytes.all), exceptPlainForwards: total(perRequest.logBytes.exceptPlainForwards), samplePlainForwards: total(perRequest.logBytes.samplePlainForwards) },
    },
    perDayUsd: { all: usd((total(perRequest.logBytes.all) * inputs.requestsPerDay) / million), exceptPlainForwards: usd((total(perRequest.logBytes.exceptPlainForwards) * inputs.requestsPerDay) / million) },
    peer: {
      name: 'cognito-at-edge',
      note: 'Lambda@Edge and its platform log lines only (it logs nothing of its own at its default level and calls no table); Amazon Cognito bills the user pool by monthly active user on top (https://aws.amazon.com/cognito/pricing/).',
      usd: { lambda: usd(peerLambda), logs: usd(logsFor(0)), total: usd(peerLambda + logsFor(0)) },
    },
  };
}
