/** In-memory SignInStore: the three writes one after the other (no transactions in memory). */
import type { MauStore, SessionStore, SignInRecord, SignInStore, UserStore } from '../../core/stores';

export class MemorySignInStore implements SignInStore {
  constructor(
    private readonly sessions: SessionStore,
    private readonly users: UserStore,
    private readonly mau: MauStore,
  ) {}

  async recordSignIn(record: SignInRecord): Promise<{ counted: boolean }> {
    await this.sessions.createSession(record.session);
    await this.users.upsertOnSignIn(record.user);
    const counted = await this.mau.markActive({ month: record.month, provider: record.user.provider, userId: record.user.userId, at: record.user.at });
    return { counted };
  }
}
