/**
 * The deployed request logger (lambdas/runtime/console-logger.ts): its hand-built line is the
 * text JSON.stringify gives for the same event (keys, order, escaping), for every kind of value
 * a line carries; the viewer writes what the `log` setting asks for, sampled lines carrying
 * their rate.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import type { CloudFrontRequestEvent } from 'aws-lambda';
import { generateKeySetSecret, parseKeySet } from '../../lambdas/core/keys/key-set';
import { requestEvent, type RequestEvent } from '../../lambdas/core/request-events';
import { createViewerHandler } from '../../lambdas/edge/handler';
import { createConsoleLogger, requestLine } from '../../lambdas/runtime/console-logger';
import { warmUpViewer } from '../../lambdas/runtime/warm-up';
import { createProviders } from '../../lambdas/core/providers';
import { benchSession, eventFactory } from '../../bench/fixtures';
import { testConfig } from '../core/fixtures';

const session = { v: 1 as const, sid: 'sid-1', uid: 'u"1\\', prv: 'corp', iat: 1, name: 'Zoë "Z" \u2028 \ud800 O\'Brien', email: 'z@example.com' };

test('the same text as JSON.stringify, for events with every field and any strings', () => {
  fc.assert(
    fc.property(fc.string(), fc.string(), fc.string({ unit: 'binary' }), fc.option(fc.integer({ min: 100, max: 599 })), fc.boolean(), (host, path, name, status, admin) => {
      const event = requestEvent('GET', path, host, { decision: 'allow', reason: 'session', session: { ...session, name }, checks: ['session-touch', 'user-touch'] }, 12, 1_700_000_000_123, {
        clientId: 'client-1',
        clientIp: '2001:db8::1',
        ...(status !== null && { status }),
        ...(admin && { admin: { admin: 'a@example.com', action: 'view-user', target: { user: 'corp:"x"', sessions: ['abc'] } } }),
        sampleRate: 0.01,
      });
      expect(requestLine(event)).toBe(`${JSON.stringify(event)}\n`);
    }),
    { numRuns: 300 },
  );
  const minimal = requestEvent('OPTIONS', '/x', 'h', { decision: 'redirect', reason: 'no-session' }, 3, 0);
  expect(requestLine(minimal)).toBe(`${JSON.stringify(minimal)}\n`);
});

describe('the viewer writes what `log.requests` asks for', () => {
  async function linesFor(requests: 'all' | 'except-plain-forwards' | 'sample-plain-forwards', random: () => number) {
    const config = testConfig({ log: { requests, plainForwardSampleRate: 0.5 }, session: { revocationCheckInterval: 0 } });
    const keys = parseKeySet(generateKeySetSecret(randomBytes, 'k1'));
    const s = await benchSession(config, keys, Math.floor(Date.now() / 1000));
    const lines: RequestEvent[] = [];
    const handler = createViewerHandler({ config, keys: async () => keys, providers: createProviders(config, { fetch: globalThis.fetch, now: () => 0, readSecret: async () => 'x' }), random: randomBytes, sampleRandom: random, log: createConsoleLogger((line) => void lines.push(JSON.parse(line) as RequestEvent)) });
    const signedIn = eventFactory('/reports', s.cookiePair);
    const special = eventFactory('/auth/nothing', undefined);
    for (const e of [signedIn(), signedIn(), special()] as CloudFrontRequestEvent[]) await handler(e);
    return lines.map((l) => `${l.decision}/${l.reason}${l.sampleRate !== undefined ? `@${l.sampleRate}` : ''}`);
  }

  test('all: every request', async () => {
    expect(await linesFor('all', () => 0)).toEqual(['allow/session', 'allow/session', 'special/not-found']);
  });
  test('except-plain-forwards: the 404 only', async () => {
    expect(await linesFor('except-plain-forwards', () => 0)).toEqual(['special/not-found']);
  });
  test('sample-plain-forwards: the 404, and the plain forwards the sample takes, with the rate', async () => {
    const draws = [0.1, 0.9];
    expect(await linesFor('sample-plain-forwards', () => draws.shift() ?? 0.9)).toEqual(['allow/session@0.5', 'special/not-found']);
  });
});

test('the init warm-up takes the signed-in fast path (forwarded), also with an allow-list', async () => {
  for (const config of [testConfig(), testConfig({ allow: { emailDomains: ['example.org'] } }), testConfig({ allow: { emails: ['boss@example.net'] } })]) {
    const providers = createProviders(config, { fetch: globalThis.fetch, now: () => 0, readSecret: async () => 'x' });
    expect(await warmUpViewer(config, providers, { format: requestLine })).toBe('forward');
  }
});
