/** The store contracts against the in-memory implementations. */
import { MemorySessionStore } from '../../lambdas/store/memory/sessions';
import { MemoryMauStore } from '../../lambdas/store/memory/mau';
import { MemorySignInStore } from '../../lambdas/store/memory/sign-in';
import { MemoryUserStore } from '../../lambdas/store/memory/users';
import { mauStoreContract } from './mau.contract';
import { sessionStoreContract } from './sessions.contract';
import { signInStoreContract } from './sign-in.contract';
import { userStoreContract } from './users.contract';

sessionStoreContract('memory', async () => {
  let now = 0;
  return { store: new MemorySessionStore(() => now), setNow: (t) => (now = t) };
});
userStoreContract('memory', async () => new MemoryUserStore());
mauStoreContract('memory', async () => new MemoryMauStore());
signInStoreContract('memory', async () => {
  const sessions = new MemorySessionStore(() => 1_800_000_000);
  const users = new MemoryUserStore();
  const mau = new MemoryMauStore();
  return { signIns: new MemorySignInStore(sessions, users, mau), sessions, users, mau };
});
