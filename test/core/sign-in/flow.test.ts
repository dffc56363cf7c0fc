import { calculatePKCECodeChallenge } from 'oauth4webapi';
import { codeChallengeOf, FLOW_SLOTS, FLOW_TTL, newFlow, readFlow } from '../../../lambdas/core/sign-in/flow';
import { seededRandom, testConfig, testKeys } from '../fixtures';

const config = testConfig();
const keys = testKeys();
const now = 1_800_000_000;

async function start(returnPath = '/x', random = seededRandom()) {
  const started = await newFlow(config, keys, { providerId: 'corp', returnPath, reauthenticate: false, now, random });
  const cookie = started.setCookie.split(';')[0]!;
  return { ...started, cookie };
}

describe('sign-in flow', () => {
  test('state, nonce and verifier are fresh 256-bit values; the challenge is S256 of the verifier', async () => {
    const { flow, codeChallenge } = await start();
    for (const v of [flow.st, flow.n, flow.v]) expect(v).toMatch(/^[\w-]{43}$/);
    expect(new Set([flow.st, flow.n, flow.v]).size).toBe(3);
    // Checked against an independent implementation (oauth4webapi, under openid-client).
    expect(codeChallenge).toBe(await calculatePKCECodeChallenge(flow.v));
    expect(codeChallengeOf(flow.v)).toBe(codeChallenge);
  });

  test('the flow cookie is short-lived, one of a few fixed names, on Path=/ (the sign-in start must see it)', async () => {
    const { setCookie } = await start();
    expect(setCookie).toMatch(new RegExp(`^edge-oauth-flow-[0-${FLOW_SLOTS - 1}]=[^;]+; Path=/; Max-Age=${FLOW_TTL}; Secure; HttpOnly; SameSite=Lax$`));
  });

  test('two attempts at once: each state finds its own flow', async () => {
    const a = await start('/a', seededRandom('a'));
    const b = await start('/b', seededRandom('b'));
    const header = [`${a.cookie}; ${b.cookie}`];
    const ra = readFlow(config, keys, header, a.flow.st, now + 5);
    const rb = readFlow(config, keys, header, b.flow.st, now + 5);
    expect(ra.status === 'ok' && ra.flow.r).toBe('/a');
    expect(rb.status === 'ok' && rb.flow.r).toBe('/b');
  });

  test('missing, wrong, expired and tampered flows are refused', async () => {
    const a = await start();
    expect(readFlow(config, keys, [], a.flow.st, now).status).toBe('missing');
    expect(readFlow(config, keys, [a.cookie], 'short', now).status).toBe('invalid');
    expect(readFlow(config, keys, [a.cookie], a.flow.st, now + FLOW_TTL).status).toBe('expired');
    const [name, value] = a.cookie.split('=') as [string, string];
    const tampered = `${name}=${value.slice(0, -2)}AA`;
    expect(readFlow(config, keys, [tampered], a.flow.st, now).status).toBe('invalid');
    // A state that shares a prefix with the real one but differs later does not match.
    const forged = a.flow.st.slice(0, 22) + 'x'.repeat(21);
    expect(readFlow(config, keys, [a.cookie], forged, now).status).toBe('invalid');
  });

  test('a foreign return path saved in the flow is sanitised', async () => {
    const { flow } = await start('//evil.example/x');
    expect(flow.r).toBe('/');
  });
});
