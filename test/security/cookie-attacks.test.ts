/**
 * Hostile session and flow cookies, through the real viewer-request adapter and callback
 * core: tampered, truncated, oversized, duplicated, sealed by another deployment, an
 * unknown key id, a changed protected header, the wrong kind of sealed value, expired or
 * from the future. Each one means "sign in again" (cookie cleared): never a crash, never a pass.
 */
import { randomBytes } from 'node:crypto';
import { CompactEncrypt } from 'jose';
import { finishCallback } from '../../lambdas/core/sign-in/callback';
import { FLOW_TTL, newFlow } from '../../lambdas/core/sign-in/flow';
import { seal } from '../../lambdas/core/keys/seal';
import { MemorySessionStore } from '../../lambdas/store/memory/sessions';
import { edge, IDP_ORIGIN, isResponse, keySet, locationOf, NOW, securityConfig, sessionCookie, setCookiesOf, SITE, stubProvider } from './support';
import { sealingKeyBytes } from '../../lambdas/core/keys/key-set';

const config = securityConfig({ session: { maxDuration: '8h' } });
const { keys } = keySet('k1');
const { keys: otherDeployment } = keySet('k1');
const { keys: unknownKid } = keySet('k9');

const flip = (s: string, at = 0) => s.slice(0, at) + (s[at] === 'A' ? 'B' : 'A') + s.slice(at + 1);
const enc = new TextEncoder();
const sealWithHeader = (header: Record<string, unknown>, payload: object, key: Uint8Array) =>
  new CompactEncrypt(enc.encode(JSON.stringify(payload))).setProtectedHeader(header as never).encrypt(key);

async function hostileCookies(): Promise<Array<[string, string]>> {
  const { value, claims } = await sessionCookie(config, keys);
  const [h, , iv, ct, tag] = value.split('.') as [string, string, string, string, string];
  const k = sealingKeyBytes(keys.current);
  return [
    ['header changed', [flip(h, 3), '', iv, ct, tag].join('.')],
    ['iv changed', [h, '', flip(iv), ct, tag].join('.')],
    ['ciphertext changed', [h, '', iv, flip(ct, 5), tag].join('.')],
    ['tag changed', [h, '', iv, ct, flip(tag)].join('.')],
    ['an encrypted key added', [h, 'AAAA', iv, ct, tag].join('.')],
    ['truncated', value.slice(0, -1)],
    ['a segment dropped', [h, '', iv, ct].join('.')],
    ['only the header', h],
    ['oversized garbage', `${value}${'A'.repeat(5000)}`],
    ['oversized but validly sealed', await seal({ ...claims, name: 'x'.repeat(5000) }, keys.current)],
    ["another deployment's key, same kid", (await sessionCookie(config, otherDeployment)).value],
    ['an unknown kid', (await sessionCookie(config, unknownKid)).value],
    ['alg A128GCM', await sealWithHeader({ alg: 'dir', enc: 'A128GCM', kid: 'k1' }, claims, k.slice(0, 16))],
    ['an extra header parameter', await sealWithHeader({ alg: 'dir', enc: 'A256GCM', kid: 'k1', cty: 'JWT' }, claims, k)],
    ['no kid', await sealWithHeader({ alg: 'dir', enc: 'A256GCM' }, claims, k)],
    ['a sealed array', await seal([claims], keys.current)],
    ['a sealed flow, not a session', (await newFlow(config, keys, { providerId: 'corp', returnPath: '/', reauthenticate: false, now: NOW, random: randomBytes })).setCookie.split(';')[0]!.split('=')[1]!],
    ['expired', (await sessionCookie(config, keys, { now: NOW - 9 * 3600 })).value],
    ['issued in the future', (await sessionCookie(config, keys, { now: NOW + 3600 })).value],
    ['an unknown provider', (await sessionCookie(config, keys, { prv: 'gone' })).value],
    ['a quoted garbage value', '"abc"'],
    ['empty', ''],
    ['unicode', '\u00ff\u0100'],
  ];
}

describe('hostile session cookies at the edge', () => {
  const { handle } = edge({ config, keys });

  test('each one means sign in again, with the cookie cleared: never a crash, never a pass', async () => {
    for (const [what, value] of await hostileCookies()) {
      const result = await handle({ uri: '/reports', headers: [['Cookie', `theme=dark; edge-oauth=${value}`]] });
      expect([what, isResponse(result) && result.status]).toEqual([what, '302']);
      expect([what, new URL(locationOf(result)!).origin]).toEqual([what, IDP_ORIGIN]);
      expect([what, setCookiesOf(result).some((c) => /^edge-oauth=; Path=\/; Max-Age=0/.test(c))]).toEqual([what, true]);
    }
  });

  test('duplicated cookies: a valid one is used wherever it is, hostile ones around it change nothing', async () => {
    const { value } = await sessionCookie(config, keys, { uid: 'u-real' });
    const hostile = (await hostileCookies()).map(([, v]) => v);
    for (const order of [[hostile[0]!, value], [value, hostile[3]!], [hostile[10]!, hostile[11]!, value]]) {
      const result = await handle({ uri: '/', headers: [['Cookie', order.map((v) => `edge-oauth=${v}`).join('; ')]] });
      expect(isResponse(result)).toBe(false);
    }
    // Two Cookie header lines, the valid one in the second.
    const twoLines = await handle({ uri: '/', headers: [['Cookie', `edge-oauth=${hostile[1]}`], ['Cookie', `edge-oauth=${value}`]] });
    expect(isResponse(twoLines)).toBe(false);
  });

  test('a validly sealed session whose name is not well-formed Unicode (a lone surrogate) is forwarded, not a crash', async () => {
    const { value } = await sessionCookie(config, keys, { name: 'Ada \ud800' });
    const result = await handle({ uri: '/', headers: [['Cookie', `edge-oauth=${value}`]] });
    expect(isResponse(result)).toBe(false);
    expect(result.headers!['edge-oauth-user-name']![0]!.value).toBe('Ada%20%EF%BF%BD');
  });

  test('many duplicates cost a bounded amount of work: past the first four, nothing is opened', async () => {
    const { value } = await sessionCookie(config, keys);
    const garbage = Array.from({ length: 200 }, (_, i) => `edge-oauth=${flip(value, 40 + (i % 20))}`);
    const result = await handle({ uri: '/', headers: [['Cookie', [...garbage, `edge-oauth=${value}`].join('; ')]] });
    expect(isResponse(result) && result.status).toBe('302');
  });
});

describe('cookie sizes stay under browser limits', () => {
  test.each([
    ['a long name', 'x'.repeat(3000)],
    ['a long CJK name', '山'.repeat(1000)],
    ['a long emoji name', '😀'.repeat(800)],
  ])('%s from the provider: the session cookie fits in 4096 bytes and opens at the edge', async (_, name) => {
    const started = await newFlow(config, keys, { providerId: 'corp', returnPath: `/${'p'.repeat(2000)}`, reauthenticate: false, now: NOW, random: randomBytes });
    expect(Buffer.byteLength(started.setCookie.split(';')[0]!)).toBeLessThanOrEqual(4096);
    const done = await finishCallback(
      { config, keys, providers: new Map([['corp', stubProvider({ id: 'u-1', name, email: 'ada@example.com', emailVerified: true })]]), sessions: new MemorySessionStore(() => NOW), now: NOW, random: randomBytes, scheme: 'https' },
      { querystring: `code=c&state=${started.state}`, cookieHeaders: [started.setCookie.split(';')[0]!], host: SITE },
    );
    const cookie = done.setCookies.find((c) => c.startsWith('edge-oauth='))!.split(';')[0]!;
    expect(Buffer.byteLength(cookie)).toBeLessThanOrEqual(4096);
    const result = await edge({ config, keys }).handle({ uri: '/', headers: [['Cookie', cookie]] });
    expect(isResponse(result)).toBe(false);
    const shown = decodeURIComponent(result.headers!['edge-oauth-user-name']![0]!.value);
    expect(name.startsWith(shown)).toBe(true);
  });
});

describe('hostile flow cookies at the callback', () => {
  async function callbackWith(mutate: (cookie: string, state: string) => string[], now = NOW, stateOf = (s: string) => s) {
    const started = await newFlow(config, keys, { providerId: 'corp', returnPath: '/', reauthenticate: false, now: NOW, random: randomBytes });
    const cookie = started.setCookie.split(';')[0]!;
    const done = await finishCallback(
      { config, keys, providers: new Map([['corp', stubProvider()]]), sessions: new MemorySessionStore(() => now), now, random: randomBytes, scheme: 'https' },
      { querystring: `code=c&state=${stateOf(started.state)}`, cookieHeaders: mutate(cookie, started.state), host: SITE },
    );
    return { done, session: done.setCookies.some((c) => /^edge-oauth=[^;]/.test(c)) };
  }
  const valueOf = (cookie: string) => cookie.slice(cookie.indexOf('=') + 1);
  const nameOf = (cookie: string) => cookie.slice(0, cookie.indexOf('='));

  test.each([
    ['tampered', (c: string) => [`${nameOf(c)}=${flip(valueOf(c), 60)}`]],
    ['truncated', (c: string) => [c.slice(0, -2)]],
    ['oversized', (c: string) => [`${c}${'A'.repeat(5000)}`]],
    ['missing', () => []],
    ['under another name', (c: string) => [`edge-oauth-flow-${'B'.repeat(22)}=${valueOf(c)}`]],
    ['as the session cookie', (c: string) => [`edge-oauth=${valueOf(c)}`]],
  ])('%s: an error page, no session', async (_, mutate) => {
    const { done, session } = await callbackWith(mutate);
    expect(done.status).toBe(400);
    expect(session).toBe(false);
  });

  test("a state sealed by another deployment's key: no session", async () => {
    const theirs = await newFlow(config, otherDeployment, { providerId: 'corp', returnPath: '/', reauthenticate: false, now: NOW, random: randomBytes });
    const { done, session } = await callbackWith((c) => [c, theirs.setCookie.split(';')[0]!], NOW, () => theirs.state);
    expect([done.status, done.reason, session]).toEqual([400, 'flow-invalid', false]);
  });

  test('expired (older than the flow lifetime): no session', async () => {
    const { done, session } = await callbackWith((c) => [c], NOW + FLOW_TTL);
    expect([done.status, done.reason, session]).toEqual([400, 'flow-expired', false]);
  });

  test('duplicated: a garbage copy before the real one does not break a sign-in', async () => {
    const { done, session } = await callbackWith((c) => [`${nameOf(c)}=garbage; ${c}`]);
    expect([done.status, session]).toEqual([302, true]);
  });
});
