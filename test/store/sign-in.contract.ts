/** The SignInStore contract: session, App User and MAU mark written together. */
import type { MauStore, SessionStore, SignInStore, UserStore } from '../../lambdas/core/stores';
import { record } from './sessions.contract';

export interface SignInStores {
  readonly signIns: SignInStore;
  readonly sessions: SessionStore;
  readonly users: UserStore;
  readonly mau: MauStore;
}

const T0 = 1_800_000_000;

export function signInStoreContract(name: string, make: () => Promise<SignInStores>): void {
  describe(`SignInStore contract: ${name}`, () => {
    let s: SignInStores;
    beforeEach(async () => {
      s = await make();
    });

    const signIn = (sessionId: string, at = T0) => ({
      session: record(sessionId, { createdAt: at }),
      user: { provider: 'dev', userId: 'u-1', email: 'ada@example.com', name: 'Ada', at, host: 'app.example.com' },
      month: '2027-01',
    });

    test('the first sign-in of the month writes the session, the App User and counts the user', async () => {
      expect(await s.signIns.recordSignIn(signIn('s-1'))).toEqual({ counted: true });
      expect(await s.sessions.getSession('s-1')).toMatchObject({ sessionId: 's-1', userId: 'u-1' });
      expect(await s.users.getUser('dev', 'u-1')).toMatchObject({ signIns: 1, hosts: ['app.example.com'] });
      expect(await s.mau.count('2027-01')).toBe(1);
    });

    test('a second sign-in that month: a new session, the user updated, not counted again', async () => {
      await s.signIns.recordSignIn(signIn('s-1'));
      expect(await s.signIns.recordSignIn(signIn('s-2', T0 + 60))).toEqual({ counted: false });
      expect(await s.sessions.getSession('s-2')).toBeDefined();
      expect(await s.users.getUser('dev', 'u-1')).toMatchObject({ signIns: 2, lastSignInAt: T0 + 60 });
      expect(await s.mau.count('2027-01')).toBe(1);
    });

    test("a sign-in's refresh token to keep is written with the App User, in the same write", async () => {
      const kept = { sealed: 'sealed-rt', id: 'rt-id' };
      await s.signIns.recordSignIn({ ...signIn('s-1'), user: { ...signIn('s-1').user, refreshToken: kept } });
      expect(await s.users.getRefreshToken('dev', 'u-1')).toEqual(kept);
    });

    test('an existing session id fails, and nothing else is written', async () => {
      await s.signIns.recordSignIn(signIn('s-1'));
      await expect(s.signIns.recordSignIn({ ...signIn('s-1', T0 + 60), month: '2027-02' })).rejects.toThrow();
      expect(await s.mau.count('2027-02')).toBe(0);
    });
  });
}
