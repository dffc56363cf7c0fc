/** Which request events the viewer writes (config `log`, lambdas/core/request-log-policy.ts). */
import { parseConfig } from '../../lambdas/core/config/parse';
import { isPlainForward, REQUEST_LOG_DEFAULTS, requestLogVerdict } from '../../lambdas/core/request-log-policy';
import { testConfig } from './fixtures';

const session = { v: 1, sid: 's', uid: 'u', prv: 'corp', iat: 1 };
const plain = { action: 'forward', decision: 'allow', reason: 'session', session };

describe('config `log`', () => {
  test('defaults: every decision but the plain forward, and 1 % of those', () => {
    expect(parseConfig({ providers: [{ type: 'google', clientId: 'c', clientSecret: 's' }] })).toMatchObject({ ok: true, config: { log: { requests: 'sample-plain-forwards', plainForwardSampleRate: 0.01 } } });
    expect(REQUEST_LOG_DEFAULTS).toEqual({ requests: 'sample-plain-forwards', plainForwardSampleRate: 0.01 });
    // The tests' own configs write every request (test/core/fixtures.ts), so that they can count lines.
    expect(testConfig().log).toEqual({ requests: 'all', plainForwardSampleRate: 0.01 });
  });

  test.each(['all', 'except-plain-forwards', 'sample-plain-forwards'] as const)('"%s" is accepted', (requests) => {
    expect(testConfig({ log: { requests, plainForwardSampleRate: 0.25 } }).log).toEqual({ requests, plainForwardSampleRate: 0.25 });
  });

  test.each<[unknown, string, string]>([
    [{ requests: 'none' }, 'log.requests', 'must be one of "all", "except-plain-forwards", "sample-plain-forwards"'],
    [{ requests: 'sample-plain-forwards', plainForwardSampleRate: 0 }, 'log.plainForwardSampleRate', 'must be more than 0'],
    [{ plainForwardSampleRate: 1.5 }, 'log.plainForwardSampleRate', 'must be at most 1'],
    // The message of a wrongly typed field is parse.ts's for every field (it reports "is required").
    [{ plainForwardSampleRate: '1%' }, 'log.plainForwardSampleRate', ''],
    [{ sampleRate: 0.1 }, 'log', 'unknown field(s): sampleRate'],
  ])('%j is refused at %s: %s', (log, path, message) => {
    const result = parseConfig({ providers: [{ type: 'google', clientId: 'c', clientSecret: 's' }], log });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual(expect.arrayContaining([expect.objectContaining({ path, message: expect.stringContaining(message) })]));
  });
});

describe('the plain forward: a valid session forwarded with no check made', () => {
  test.each<[string, object, boolean]>([
    ['session, no checks', plain, true],
    ['session, an empty checks list', { ...plain, checks: [] }, true],
    ['session after a check went to the store', { ...plain, checks: ['session-touch'] }, false],
    ['session-grace (a check failed)', { ...plain, reason: 'session-grace' }, false],
    ['a public path, anonymous', { action: 'forward', decision: 'allow', reason: 'public' }, false],
    ['the OPTIONS passthrough', { action: 'forward', decision: 'allow', reason: 'options-passthrough' }, false],
    ['a redirect to sign in', { action: 'respond', decision: 'redirect', reason: 'no-session' }, false],
    ['a block with a session', { action: 'respond', decision: 'block', reason: 'not-on-allow-list', session }, false],
    ['the callback forward', { action: 'forward', decision: 'special', reason: 'callback' }, false],
  ])('%s: %s', (_what, outcome, expected) => {
    expect(isPlainForward(outcome as never)).toBe(expected);
  });
});

describe('requestLogVerdict', () => {
  const settings = (requests: 'all' | 'except-plain-forwards' | 'sample-plain-forwards', plainForwardSampleRate = 0.1) => ({ requests, plainForwardSampleRate });
  const block = { action: 'respond', decision: 'block', reason: 'store-unavailable', session };

  test('every decision that is not a plain forward is written in every mode', () => {
    for (const mode of ['all', 'except-plain-forwards', 'sample-plain-forwards'] as const) {
      expect(requestLogVerdict(settings(mode), block, () => 0.99)).toBe('write');
      expect(requestLogVerdict(settings(mode), { ...plain, checks: ['session-read'] }, () => 0.99)).toBe('write');
    }
  });

  test('plain forwards: all writes them, except-plain-forwards never, sample-plain-forwards below the rate', () => {
    expect(requestLogVerdict(settings('all'), plain, () => 0.99)).toBe('write');
    expect(requestLogVerdict(settings('except-plain-forwards'), plain, () => 0)).toBe('skip');
    expect(requestLogVerdict(settings('sample-plain-forwards', 0.1), plain, () => 0.0999)).toBe('sampled');
    expect(requestLogVerdict(settings('sample-plain-forwards', 0.1), plain, () => 0.1)).toBe('skip');
    expect(requestLogVerdict(settings('sample-plain-forwards', 1), plain, () => 0.999999)).toBe('sampled');
  });

  test('sampling writes about the rate over many requests (a seeded generator)', () => {
    let seed = 42; // mulberry32
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    let written = 0;
    for (let i = 0; i < 100_000; i++) if (requestLogVerdict(settings('sample-plain-forwards', 0.05), plain, random) === 'sampled') written++;
    expect(written / 100_000).toBeGreaterThan(0.045);
    expect(written / 100_000).toBeLessThan(0.055);
  });
});
