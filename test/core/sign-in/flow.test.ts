import { calculatePKCECodeChallenge } from 'oauth4webapi';
import { codeChallengeOf, FLOW_TTL, flowEvictions, MAX_PENDING_FLOWS, newFlow, readFlow } from '../../../lambdas/core/sign-in/flow';
import { seededRandom, testConfig, testKeys } from '../fixtures';

const config = testConfig();
const keys = testKeys();
const now = 1_800_000_000;

async function start(returnPath = '/x', random = seededRandom(), at = now, cookieHeaders: string[] = []) {
  const started = await newFlow(config, keys, { providerId: 'corp', returnPath, reauthenticate: false, now: at, random, cookieHeaders });
  const cookie = started.setCookie.split(';')[0]!;
  return { ...started, cookie, verifier: cookie.slice(cookie.indexOf('=') + 1) };
}

describe('sign-in flow', () => {
  test('nonce and verifier are fresh 256-bit values; the challenge is S256 of the verifier the cookie holds', async () => {
    const { flow, codeChallenge, verifier } = await start();
    for (const v of [flow.n, verifier]) expect(v).toMatch(/^[\w-]{43}$/);
    expect(flow.n).not.toBe(verifier);
    // Checked against an independent implementation (oauth4webapi, under openid-client).
    expect(codeChallenge).toBe(await calculatePKCECodeChallenge(verifier));
    expect(codeChallengeOf(verifier)).toBe(codeChallenge);
    expect(flow.c).toBe(codeChallenge);
  });

  test('the state is the sealed attempt: opaque (no return path, no verifier in it)', async () => {
    const { state, verifier } = await start('/secret-report?id=7');
    expect(state.split('.')).toHaveLength(5); // compact JWE
    expect(state).not.toContain(verifier);
    expect(Buffer.from(state.split('.')[3]!, 'base64url').toString('latin1')).not.toContain('secret-report');
  });

  test('the flow cookie is short-lived, small, named after its attempt, on Path=/ (the sign-in start must see it)', async () => {
    const { setCookie, flow } = await start(`/${'p'.repeat(2000)}`);
    const name = `edge-oauth-flow-${now.toString(36)}${flow.c.slice(0, 12)}`;
    expect(setCookie).toMatch(new RegExp(`^${name}=[\\w-]{43}; Path=/; Max-Age=${FLOW_TTL}; Secure; HttpOnly; SameSite=Lax$`));
    expect(setCookie.split(';')[0]!.length).toBeLessThanOrEqual(80);
  });

  test('ten attempts at once (none sees another): each state finds its own flow', async () => {
    const started = await Promise.all(Array.from({ length: 10 }, (_, i) => start(`/tab/${i}?q=${i}`, seededRandom(`t${i}`))));
    expect(new Set(started.map((s) => s.cookie.split('=')[0])).size).toBe(10);
    const header = [started.map((s) => s.cookie).join('; ')];
    started.forEach((s, i) => {
      const found = readFlow(config, keys, header, s.state, now + 5);
      expect(found.status === 'ok' && [found.flow.r, found.verifier]).toEqual([`/tab/${i}?q=${i}`, s.verifier]);
    });
  });

  test('a start keeps the newest MAX_PENDING_FLOWS - 1 pending attempts and deletes older and expired ones', async () => {
    const older = await Promise.all(Array.from({ length: MAX_PENDING_FLOWS + 3 }, (_, i) => start('/', seededRandom(`o${i}`), now - 500 + i)));
    const expired = await start('/', seededRandom('e'), now - FLOW_TTL);
    const header = [[...older, expired].map((s) => s.cookie).join('; ') + '; edge-oauth-flow-notours=1; other=2'];
    const evicted = flowEvictions(config, header, now).map((c) => c.split('=')[0]);
    const oldestFirst = older.map((s) => s.cookie.split('=')[0]);
    expect(evicted.sort()).toEqual([...oldestFirst.slice(0, 4), expired.cookie.split('=')[0]].sort());
    expect(flowEvictions(config, header, now).every((c) => /Max-Age=0/.test(c))).toBe(true);
  });

  test('missing, replaced, expired, tampered and foreign states are told apart; never ok', async () => {
    const a = await start();
    const b = await start('/b', seededRandom('b'));
    expect(readFlow(config, keys, [], a.state, now).status).toBe('missing');
    const replaced = `${a.cookie.split('=')[0]}=${b.verifier}`;
    expect(readFlow(config, keys, [replaced], a.state, now).status).toBe('missing');
    const expired = readFlow(config, keys, [a.cookie], a.state, now + FLOW_TTL);
    expect(expired.status === 'expired' && expired.flow.r).toBe('/x');
    expect(readFlow(config, keys, [a.cookie], 'short', now).status).toBe('invalid');
    const parts = a.state.split('.');
    parts[3] = `${parts[3]!.slice(0, -2)}AA`;
    expect(readFlow(config, keys, [a.cookie], parts.join('.'), now).status).toBe('invalid');
    expect(readFlow(config, keys, [a.cookie], `${a.state}x`.repeat(2), now).status).toBe('invalid');
    expect(readFlow(config, keys, [a.cookie], 'x'.repeat(5000), now).status).toBe('invalid');
  });

  test('a foreign return path saved in the flow is sanitised', async () => {
    const { flow } = await start('//evil.example/x');
    expect(flow.r).toBe('/');
  });
});
