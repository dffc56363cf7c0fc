/** The UserStore contract: every implementation (memory, DynamoDB) passes the same suite. */
import type { UserStore } from '../../lambdas/core/stores';

const T0 = 1_800_000_000;

export function userStoreContract(name: string, make: () => Promise<UserStore>): void {
  describe(`UserStore contract: ${name}`, () => {
    let users: UserStore;
    let n = 0;
    const uid = () => `u-${name}-${++n}-${Math.random().toString(36).slice(2)}`;
    const signIn = (userId: string, over: Partial<Parameters<UserStore['upsertOnSignIn']>[0]> = {}) => ({
      provider: 'dev',
      userId,
      email: 'Ada@Example.com',
      name: 'Ada',
      at: T0,
      ip: '203.0.113.7',
      userAgent: 'ua-1',
      host: 'a.example.com',
      ...over,
    });

    beforeEach(async () => {
      users = await make();
    });

    test('sign-in creates the App User; the next keeps first seen, adds the host, counts sign-ins', async () => {
      const id = uid();
      await users.upsertOnSignIn(signIn(id));
      expect(await users.getUser('dev', id)).toEqual({
        provider: 'dev',
        userId: id,
        email: 'ada@example.com',
        name: 'Ada',
        firstSeenAt: T0,
        lastSeenAt: T0,
        lastSignInAt: T0,
        lastIp: '203.0.113.7',
        lastUserAgent: 'ua-1',
        hosts: ['a.example.com'],
        signIns: 1,
      });
      await users.upsertOnSignIn(signIn(id, { at: T0 + 50, host: 'b.example.com', email: 'ada2@example.com', ip: '198.51.100.1' }));
      expect(await users.getUser('dev', id)).toMatchObject({
        firstSeenAt: T0,
        lastSeenAt: T0 + 50,
        email: 'ada2@example.com',
        lastIp: '198.51.100.1',
        hosts: ['a.example.com', 'b.example.com'],
        signIns: 2,
      });
    });

    test('kept refresh token: written by a sign-in that has one, kept by one that has none, never part of the App User', async () => {
      const id = uid();
      expect(await users.getRefreshToken('dev', id)).toBeUndefined();
      await users.upsertOnSignIn(signIn(id, { refreshToken: { sealed: 'sealed-1', id: 'id-1' } }));
      expect(await users.getRefreshToken('dev', id)).toEqual({ sealed: 'sealed-1', id: 'id-1' });
      await users.upsertOnSignIn(signIn(id, { at: T0 + 10 }));
      expect(await users.getRefreshToken('dev', id)).toEqual({ sealed: 'sealed-1', id: 'id-1' });
      await users.upsertOnSignIn(signIn(id, { at: T0 + 20, refreshToken: { sealed: 'sealed-2', id: 'id-2' } }));
      expect(await users.getRefreshToken('dev', id)).toEqual({ sealed: 'sealed-2', id: 'id-2' });
      const shown = [await users.getUser('dev', id), ...(await users.listUsers()), ...(await users.findByEmail('ada@example.com')), ...(await users.listRecentUsers({ limit: 50 })).users];
      expect(JSON.stringify(shown)).not.toContain('sealed-');
    });

    test('kept refresh token: dropped only while it is the one named; without a name, whatever is kept; a missing user is no error', async () => {
      const id = uid();
      await users.upsertOnSignIn(signIn(id, { refreshToken: { sealed: 'sealed-2', id: 'id-2' } }));
      await users.dropRefreshToken('dev', id, 'id-1'); // an older one, refused: a newer one stays
      expect(await users.getRefreshToken('dev', id)).toEqual({ sealed: 'sealed-2', id: 'id-2' });
      await users.dropRefreshToken('dev', id, 'id-2');
      expect(await users.getRefreshToken('dev', id)).toBeUndefined();
      expect(await users.getUser('dev', id)).toMatchObject({ signIns: 1 });
      await users.upsertOnSignIn(signIn(id, { refreshToken: { sealed: 'sealed-3', id: 'id-3' } }));
      await users.dropRefreshToken('dev', id);
      expect(await users.getRefreshToken('dev', id)).toBeUndefined();
      await users.dropRefreshToken('dev', 'ghost', 'id-1');
      await users.dropRefreshToken('dev', 'ghost');
      expect(await users.getUser('dev', 'ghost')).toBeUndefined();
    });

    test('touch: bounded by minInterval; never creates a user', async () => {
      const id = uid();
      await users.upsertOnSignIn(signIn(id));
      await users.touchUser('dev', id, { at: T0 + 30, minInterval: 60, ip: '192.0.2.1' });
      expect(await users.getUser('dev', id)).toMatchObject({ lastSeenAt: T0, lastIp: '203.0.113.7' });
      await users.touchUser('dev', id, { at: T0 + 60, minInterval: 60, ip: '192.0.2.1', userAgent: 'ua-2', host: 'c.example.com' });
      expect(await users.getUser('dev', id)).toMatchObject({ lastSeenAt: T0 + 60, lastIp: '192.0.2.1', lastUserAgent: 'ua-2', hosts: ['a.example.com', 'c.example.com'] });
      await users.touchUser('dev', 'ghost', { at: T0, minInterval: 60 });
      expect(await users.getUser('dev', 'ghost')).toBeUndefined();
    });

    test("updateProfile: the provider's current email and name; never creates a user", async () => {
      const id = uid();
      await users.upsertOnSignIn(signIn(id));
      await users.updateProfile('dev', id, { at: T0 + 300, email: 'X@Other.example', name: 'Ada L' });
      expect(await users.getUser('dev', id)).toMatchObject({ email: 'x@other.example', name: 'Ada L', lastAuthCheckAt: T0 + 300 });
      await users.updateProfile('dev', 'ghost', { at: T0 });
      expect(await users.getUser('dev', 'ghost')).toBeUndefined();
    });

    test('find by email (any case, across providers) and list', async () => {
      const email = `${uid()}@example.com`;
      const a = uid();
      const b = uid();
      await users.upsertOnSignIn(signIn(a, { email }));
      await users.upsertOnSignIn(signIn(b, { email: email.toUpperCase(), provider: 'github' }));
      const found = await users.findByEmail(email.toUpperCase());
      expect(found.map((u) => `${u.provider}:${u.userId}`).sort()).toEqual([`dev:${a}`, `github:${b}`]);
      expect(await users.findByEmail('nobody@example.com')).toEqual([]);
      const listed = await users.listUsers();
      expect(listed.map((u) => u.userId)).toEqual(expect.arrayContaining([a, b]));
      expect(await users.listUsers({ limit: 1 })).toHaveLength(1);
    });

    test('recent users: most recently seen first, in pages with an opaque cursor; a touch moves a user up', async () => {
      const ids = [uid(), uid(), uid(), uid(), uid()];
      for (const [i, id] of ids.entries()) await users.upsertOnSignIn(signIn(id, { at: T0 + i * 10 }));
      const first = await users.listRecentUsers({ limit: 2 });
      expect(first.users.map((u) => u.userId)).toEqual([ids[4], ids[3]]);
      expect(first.cursor).toEqual(expect.any(String));
      const second = await users.listRecentUsers({ limit: 2, cursor: first.cursor });
      expect(second.users.map((u) => u.userId)).toEqual([ids[2], ids[1]]);
      const last = await users.listRecentUsers({ limit: 2, cursor: second.cursor });
      expect(last.users.map((u) => u.userId)).toEqual([ids[0]]);
      expect(last.cursor).toBeUndefined();
      // Exactly a page left: no cursor to an empty page.
      expect((await users.listRecentUsers({ limit: 5 })).cursor).toBeUndefined();

      await users.touchUser('dev', ids[0]!, { at: T0 + 100, minInterval: 60 });
      expect((await users.listRecentUsers({ limit: 1 })).users.map((u) => u.userId)).toEqual([ids[0]]);
    });

    test('recent users: a cursor that is not one is a BadRequestError naming the field', async () => {
      for (const cursor of ['', 'not a cursor', Buffer.from('{"a":1}').toString('base64url'), Buffer.from('["dev","x",-1]').toString('base64url'), 'x'.repeat(2000)]) {
        await expect(users.listRecentUsers({ limit: 2, cursor })).rejects.toMatchObject({ code: 'ERR_BAD_REQUEST', field: 'cursor' });
      }
    });
  });
}
