/**
 * The API authorizer applies the site's access rules through the same core code
 * (access/check-access.ts): public paths, path rules, groups; the identity context carries
 * the groups like the origin's header.
 */
import { decideApiRequest } from '../../lambdas/core/api/authorizer';
import { seal } from '../../lambdas/core/keys/seal';
import { newSessionClaims } from '../../lambdas/core/session/session-cookie';
import { testConfig, testKeys } from '../core/fixtures';

const NOW = 1_800_000_000;
const keys = testKeys();
const config = testConfig({
  publicPaths: ['/api/status'],
  paths: [{ prefix: '/api/admin/', allow: { groups: ['admins'] } }],
  assertion: { enabled: false },
});

async function cookie(groups: string[], email = 'ada@example.com'): Promise<string> {
  const claims = newSessionClaims(config, { sid: `s-${groups.slice(0, 3).join('-')}-${groups.length}`, uid: 'u-1', prv: 'corp', email, groups, now: NOW - 10 });
  return `edge-oauth=${await seal(claims, keys.current)}`;
}

const decide = (path: string, cookieHeaders: string[]) => decideApiRequest({ config, keys, now: NOW }, { cookieHeaders, host: 'app.example.com', path });

test('the config makes the API cache 0: answers depend on the path', () => {
  expect(config.api.cacheTtl).toBe(0);
});

test('a public path is allowed without a session, with an empty identity; a valid session there still gives the identity', async () => {
  expect(await decide('/api/status', ['edge-oauth=garbage'])).toMatchObject({ kind: 'allow', reason: 'public', principalId: 'anonymous', identity: { userId: '', userGroups: '' } });
  expect(await decide('/api/status/', [])).toMatchObject({ kind: 'unauthorized' });
  expect(await decide('/api/%73tatus', [])).toMatchObject({ kind: 'unauthorized' });
  expect(await decide('/api/status', [await cookie(['eng'])])).toMatchObject({ kind: 'allow', identity: { userId: 'u-1', userGroups: 'eng' } });
});

test('a path rule: forbidden for a user not in the group (any spelling), allowed for one in it; groups in the context', async () => {
  const outsider = await cookie(['eng']);
  for (const path of ['/api/admin/users', '/api/ADMIN/users', '/api/x/../admin/users', '/api/admin%2fusers', '/api/admin']) {
    expect([path, (await decide(path, [outsider])).kind]).toEqual([path, 'forbidden']);
  }
  expect((await decide('/api/orders', [outsider])).kind).toBe('allow');
  const admin = await cookie(['admins', 'a,b', 'ünï']);
  expect(await decide('/api/admin/users', [admin])).toMatchObject({ kind: 'allow', identity: { userGroups: 'admins,a%2Cb,%C3%BCn%C3%AF' } });
});

test('groups kept server-side only and not read here: fail closed (unavailable), never allow', async () => {
  const many = Array.from({ length: 500 }, (_, i) => `team-${i}-with-a-long-enough-name`);
  const serverSide = await cookie(many);
  expect(Buffer.byteLength(serverSide)).toBeLessThan(4096);
  expect(await decide('/api/admin/users', [serverSide])).toMatchObject({ kind: 'unavailable', reason: 'groups-unknown' });
});
