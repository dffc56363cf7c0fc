/**
 * Groups in the session (the real callback, edge handler and session checks, in-memory stores):
 * - they ride in the cookie when they fit; a user in 500 groups gets a cookie under 4 KB
 *   and the full list in the session item, which the edge reads with the session checks;
 * - the origin gets `edge-oauth-user-groups` (comma-separated, each encoded like the other
 *   identity headers) and the assertion a `groups` claim, both bounded;
 * - continuous authorization re-checks them: a user removed from the group is refused at
 *   the next check, under the current config.
 */
import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { MAX_GROUPS_OUT_BYTES } from '../../lambdas/core/access/groups-out';
import type { EdgeConfig } from '../../lambdas/core/config/types';
import { open } from '../../lambdas/core/keys/seal';
import type { Profile, Provider } from '../../lambdas/core/providers/types';
import type { SessionClaims } from '../../lambdas/core/session/session-cookie';
import { finishCallback } from '../../lambdas/core/sign-in/callback';
import { createViewerHandler } from '../../lambdas/edge/handler';
import { MemorySessionStore } from '../../lambdas/store/memory/sessions';
import { forwardedHeaders, isResponse, keySet, locationOf, NOW, securityConfig, setCookiesOf, SITE, stubProvider, viewerEvent, type EdgeRequest } from './support';

const { keys } = keySet();
const MANY = Array.from({ length: 500 }, (_, i) => `engineering-team-${String(i).padStart(3, '0')}`);

/** A provider whose profile the test changes between sign-in and the re-check. */
function changingProvider(profile: { current: Profile }): Provider {
  const base = stubProvider(profile.current);
  return { ...base, supportsRefresh: true, finishSignIn: async () => ({ tokens: { accessToken: 'at', refreshToken: 'rt' }, profile: profile.current }), refresh: async () => ({ tokens: { accessToken: 'at2', refreshToken: 'rt' }, profile: profile.current }) };
}

async function signedIn(config: EdgeConfig, profile: { current: Profile }, at = NOW) {
  const sessions = new MemorySessionStore(() => at);
  const provider = changingProvider(profile);
  const clock = { t: at };
  const handler = createViewerHandler({ config, keys: async () => keys, providers: new Map([['corp', provider]]), random: randomBytes, clock: () => clock.t * 1000, sessions });
  const handle = (req: EdgeRequest) => handler(viewerEvent(req));
  const start = await handle({ uri: '/' });
  const state = new URL(locationOf(start)!).searchParams.get('state')!;
  const flowCookie = setCookiesOf(start).find((c) => c.startsWith('edge-oauth-flow-'))!.split(';')[0]!;
  const done = await finishCallback(
    { config, keys, providers: new Map([['corp', provider]]), sessions, now: at, random: randomBytes, scheme: 'https' },
    { querystring: `code=c&state=${state}`, cookieHeaders: [flowCookie], host: SITE },
  );
  const cookie = done.setCookies.find((c) => c.startsWith('edge-oauth='))?.split(';')[0] ?? '';
  return { done, cookie, sessions, handle, clock };
}

const claimsOf = (cookie: string) => open<SessionClaims>(cookie.slice('edge-oauth='.length), keys)!;

test('a few groups ride in the cookie; the origin gets them as a header and an assertion claim', async () => {
  const config = securityConfig({ allow: { groups: ['eng'] } });
  const profile = { current: { id: 'u-1', email: 'ada@example.com', emailVerified: true, groups: ['eng', 'a,b', 'ünïcode', 'x%y'] } as Profile };
  const { cookie, handle, done } = await signedIn(config, profile);
  expect(done.status).toBe(302);
  expect(claimsOf(cookie).grp).toEqual(['eng', 'a,b', 'ünïcode', 'x%y']);
  const headers = forwardedHeaders(await handle({ uri: '/x', headers: [['Cookie', cookie], ['Edge-OAuth-User-Groups', 'admins']] }));
  expect(headers['edge-oauth-user-groups']).toEqual(['eng,a%2Cb,%C3%BCn%C3%AFcode,x%25y']);
  expect(headers['edge-oauth-user-groups']![0]!.split(',').map(decodeURIComponent)).toEqual(['eng', 'a,b', 'ünïcode', 'x%y']);
  expect(decodeJwt(headers['edge-oauth-jwt-assertion']![0]!)).toMatchObject({ groups: ['eng', 'a,b', 'ünïcode', 'x%y'] });
});

test('a user in 500 groups: the cookie stays under 4 KB, the item keeps them all, the origin gets a bounded list, config groups first', async () => {
  const config = securityConfig({ allow: { groups: ['engineering-team-499'] } });
  const profile = { current: { id: 'u-1', email: 'ada@example.com', emailVerified: true, groups: MANY } as Profile };
  const { cookie, sessions, handle } = await signedIn(config, profile);
  expect(Buffer.byteLength(cookie)).toBeLessThan(4096);
  const claims = claimsOf(cookie);
  expect(claims).toMatchObject({ gs: 1 });
  expect(claims.grp).toBeUndefined();
  expect((await sessions.getSession(claims.sid))!.groups).toEqual(MANY);
  const result = await handle({ uri: '/x', headers: [['Cookie', cookie]] });
  const headers = forwardedHeaders(result);
  const groups = headers['edge-oauth-user-groups']![0]!;
  expect(groups.length).toBeLessThanOrEqual(MAX_GROUPS_OUT_BYTES);
  expect(groups.split(',')[0]).toBe('engineering-team-499');
  expect(headers['edge-oauth-user-groups-truncated']).toEqual(['true']);
  const assertion = decodeJwt(headers['edge-oauth-jwt-assertion']![0]!);
  expect(assertion).toMatchObject({ groups_truncated: true });
  expect((assertion.groups as string[])[0]).toBe('engineering-team-499');
  // The whole forwarded request stays far below CloudFront's 20,480 bytes.
  if (isResponse(result)) throw new Error('expected a forward');
  expect(JSON.stringify(result.headers).length).toBeLessThan(12_000);
});

test('continuous authorization re-checks groups: removed from the group, refused at the next check (403), under the current config', async () => {
  const config = securityConfig({ allow: { groups: ['eng'] }, session: { authCheckInterval: '5m', revocationCheckInterval: '1m' } });
  const profile = { current: { id: 'u-1', email: 'ada@example.com', emailVerified: true, groups: ['eng'] } as Profile };
  const { cookie, handle, clock, sessions } = await signedIn(config, profile);
  expect(isResponse(await handle({ uri: '/x', headers: [['Cookie', cookie]] }))).toBe(false);
  // Moved to another group at the provider: still in until the check is due...
  profile.current = { ...profile.current, groups: ['sales'] };
  clock.t += 60;
  expect(isResponse(await handle({ uri: '/x', headers: [['Cookie', cookie]] }))).toBe(false);
  // ...then refused and the session revoked.
  clock.t += 300;
  const refused = await handle({ uri: '/x', headers: [['Cookie', cookie]] });
  expect(isResponse(refused) && refused.status).toBe('403');
  expect((await sessions.getSession(claimsOf(cookie).sid))!.revokedReason).toBe('not-allowed');
});

test('a re-check stores the new groups: path rules and the header follow them', async () => {
  const config = securityConfig({ paths: [{ prefix: '/eng/', allow: { groups: ['eng'] } }], session: { authCheckInterval: '5m', revocationCheckInterval: '1m' } });
  const profile = { current: { id: 'u-1', email: 'ada@example.com', emailVerified: true, groups: ['sales'] } as Profile };
  const { cookie, handle, clock } = await signedIn(config, profile);
  const status = async () => {
    const r = await handle({ uri: '/eng/x', headers: [['Cookie', cookie]] });
    return isResponse(r) ? r.status : forwardedHeaders(r)['edge-oauth-user-groups']![0];
  };
  expect(await status()).toBe('403');
  profile.current = { ...profile.current, groups: ['sales', 'eng'] };
  clock.t += 301;
  // The groups the config names come first.
  expect(await status()).toBe('eng,sales');
  profile.current = { ...profile.current, groups: [] };
  clock.t += 301;
  expect(await status()).toBe('403');
});

test('admitted by a group with an email the provider says is unverified: signed in, the email not passed on', async () => {
  const config = securityConfig({ allow: { emailDomains: ['example.com'], groups: ['eng'] } });
  const profile = { current: { id: 'u-1', email: 'mallory@example.com', emailVerified: false, groups: ['eng'] } as Profile };
  const { cookie, handle } = await signedIn(config, profile);
  expect(claimsOf(cookie).email).toBeUndefined();
  const headers = forwardedHeaders(await handle({ uri: '/', headers: [['Cookie', cookie]] }));
  expect(headers['edge-oauth-user-email']).toBeUndefined();
  const outsider = await signedIn(config, { current: { ...profile.current, groups: ['sales'] } });
  expect(outsider.done.status).toBe(403);
});
